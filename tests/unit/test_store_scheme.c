/* evidence/store/store.c: a store's location picks its back end by scheme. Each test works
 * in its own folder under /tmp, removed afterwards. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/store/store.h"
#include "src/util.h"

static char dir[] = "/tmp/vouch-scheme-XXXXXX";

static int setup(void **state)
{
    (void)state;
    memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

/* Opening where and creating it: the exit and, on failure, the message. */
static vexit open_create(const char *where, verr *e)
{
    store *st = NULL;
    vexit rc = store_open_at(&st, where, NULL, STORE_CREATE, e);
    assert_true(rc ? st == NULL : st != NULL);
    store_close(st);
    return rc;
}

/* Both spellings reach the PostgreSQL back end: nothing listens on port 1, so the open
 * cannot finish (3), and says so without the password. */
static void test_postgres_urls_unreachable(void **state)
{
    (void)state;
    const char *urls[] = {"postgresql://vouch:s3cret-pw@127.0.0.1:1/evidence",
                          "postgres://vouch:s3cret-pw@127.0.0.1:1/evidence"};
    for (size_t i = 0; i < 2; i++) {
        verr e = {0};
        assert_int_equal(open_create(urls[i], &e), VOUCH_ABORTED);
        assert_non_null(strstr(e.msg, "could not connect to store \"postgresql: user=vouch"));
        assert_null(strstr(e.msg, "s3cret-pw"));  /* a URL's password is never shown */
    }
}

/* A URL libpq cannot read: the usage code, and not one byte of it shown. */
static void test_postgres_url_unreadable(void **state)
{
    (void)state;
    verr e = {0};
    assert_int_equal(open_create("postgresql://vouch:s3cr%zzet@db.example/evidence", &e),
                     VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "not a connection URL libpq reads"));
    assert_null(strstr(e.msg, "s3cr"));
    assert_null(strstr(e.msg, "db.example"));
}

static void test_unknown_scheme_refused(void **state)
{
    (void)state;
    verr e = {0};
    char *where = xasprintf("mysql://%s/x.db", dir);
    assert_int_equal(open_create(where, &e), VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "unknown store scheme"));
    free(where);
    assert_int_equal(access(dir, F_OK), 0);
}

static void test_sqlite_prefix_and_plain_path_are_sqlite(void **state)
{
    (void)state;
    verr e = {0};
    char *file = xasprintf("%s/a.db", dir);
    char *url = xasprintf("sqlite:%s", file);
    assert_int_equal(open_create(url, &e), VOUCH_OK);
    assert_int_equal(access(file, F_OK), 0);

    /* The same file reopened by its plain path, and the path is the file's, not the URL's. */
    store *st = NULL;
    assert_int_equal(store_open_at(&st, file, NULL, STORE_READ, &e), VOUCH_OK);
    assert_string_equal(store_path(st), file);
    store_close(st);
    assert_int_equal(store_open_at(&st, url, NULL, STORE_READ, &e), VOUCH_OK);
    assert_string_equal(store_path(st), file);
    store_close(st);

    /* A colon in a plain path is no scheme. */
    char *colon = xasprintf("%s/b:c.db", dir);
    assert_int_equal(open_create(colon, &e), VOUCH_OK);
    assert_int_equal(access(colon, F_OK), 0);
    free(colon);
    free(url);
    free(file);
}

static void test_scheme_without_path_refused(void **state)
{
    (void)state;
    verr e = {0};
    assert_int_equal(open_create("sqlite:", &e), VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "no path after the scheme"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_postgres_urls_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_postgres_url_unreadable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_scheme_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlite_prefix_and_plain_path_are_sqlite, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_scheme_without_path_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
