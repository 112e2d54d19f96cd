/* checks/settings_diff: two captures of named objects compared into what was added,
 * lost or changed, in a stable order; settings entries split as PostgreSQL stores them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/settings_diff.h"

static json_t *doc(const char *text)
{
    json_error_t je;
    json_t *d = json_loads(text, 0, &je);
    if (!d)
        fail_msg("bad test JSON: %s", je.text);
    return d;
}

static void test_equal(void **state)
{
    (void)state;
    json_t *a = doc("{\"database\": {\"owner\": \"app\", \"set search_path\": \"public\"}}");
    json_t *b = doc("{\"database\": {\"set search_path\": \"public\", \"owner\": \"app\"}}");
    sdiff *d;
    assert_int_equal(sdiff_compare(a, b, &d), 0);
    free(d);
    json_decref(a);
    json_decref(b);
}

static void test_attributes(void **state)
{
    (void)state;
    json_t *a = doc("{\"function public.f(text)\": {\"owner\": \"app\", \"security\": \"definer\","
                    " \"set search_path\": \"pg_catalog, public\"}}");
    json_t *b = doc("{\"function public.f(text)\": {\"owner\": \"postgres\", \"security\": "
                    "\"definer\", \"set work_mem\": \"1GB\"}}");
    sdiff *d;
    size_t n = sdiff_compare(a, b, &d);
    assert_int_equal(n, 3);
    /* attribute order: owner, set search_path, set work_mem */
    assert_int_equal(d[0].kind, SDIFF_CHANGED);
    assert_string_equal(d[0].attr, "owner");
    assert_string_equal(d[0].before, "app");
    assert_string_equal(d[0].after, "postgres");
    assert_int_equal(d[1].kind, SDIFF_LOST);
    assert_string_equal(d[1].attr, "set search_path");
    assert_string_equal(d[1].before, "pg_catalog, public");
    assert_null(d[1].after);
    assert_int_equal(d[2].kind, SDIFF_ADDED);
    assert_string_equal(d[2].attr, "set work_mem");
    assert_null(d[2].before);
    assert_string_equal(d[2].after, "1GB");
    assert_string_equal(d[2].object, "function public.f(text)");
    free(d);
    json_decref(a);
    json_decref(b);
}

static void test_objects(void **state)
{
    (void)state;
    json_t *a = doc("{\"extension pgcrypto\": {\"version\": \"1.3\"},"
                    " \"extension plpgsql\": {\"version\": \"1.0\"}}");
    json_t *b = doc("{\"extension plpgsql\": {\"version\": \"1.0\"},"
                    " \"extension citext\": {\"version\": \"1.6\"}}");
    sdiff *d;
    size_t n = sdiff_compare(a, b, &d);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].kind, SDIFF_OBJECT_ADDED);
    assert_string_equal(d[0].object, "extension citext");
    assert_null(d[0].attr);
    assert_int_equal(d[1].kind, SDIFF_OBJECT_LOST);
    assert_string_equal(d[1].object, "extension pgcrypto");
    free(d);
    json_decref(a);
    json_decref(b);
}

static void test_empty_and_malformed(void **state)
{
    (void)state;
    json_t *a = doc("{\"role r\": {\"set role\": \"app\"}}");
    json_t *empty = json_object();
    sdiff *d;
    assert_int_equal(sdiff_compare(empty, a, &d), 1);
    assert_int_equal(d[0].kind, SDIFF_OBJECT_ADDED);
    free(d);
    /* not an object: counts as empty, never crashes */
    json_t *arr = json_array();
    assert_int_equal(sdiff_compare(a, arr, &d), 1);
    assert_int_equal(d[0].kind, SDIFF_OBJECT_LOST);
    free(d);
    assert_int_equal(sdiff_compare(NULL, NULL, &d), 0);
    free(d);
    json_decref(a);
    json_decref(empty);
    json_decref(arr);
}

static void test_split_setting(void **state)
{
    (void)state;
    char e1[] = "search_path=\"$user\", public, extensions";
    const char *name, *value;
    assert_true(sdiff_split_setting(e1, &name, &value));
    assert_string_equal(name, "search_path");
    assert_string_equal(value, "\"$user\", public, extensions");
    char e2[] = "app.note=a=b";
    assert_true(sdiff_split_setting(e2, &name, &value));
    assert_string_equal(name, "app.note");
    assert_string_equal(value, "a=b");
    char e3[] = "noequals";
    assert_false(sdiff_split_setting(e3, &name, &value));
}

/* sql_is: sdiff_privilege_sql's statement is want (NULL: none). */
static void sql_is(const char *db, const char *object, const char *attr, const char *was,
                   const char *now, const char *want)
{
    char *got = sdiff_privilege_sql(db, object, attr, was, now);
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
    free(got);
}

static void test_database_privilege_sql(void **state)
{
    (void)state;
    sql_is("portal", "PUBLIC", "CONNECT", NULL, "granted",
           "REVOKE CONNECT ON DATABASE portal FROM PUBLIC");
    sql_is("\"Portal Restored\"", "app", "CREATE", "granted", NULL,
           "GRANT CREATE ON DATABASE \"Portal Restored\" TO app");
    sql_is("portal", "\"Ops Team\"", "CONNECT", "granted with grant option", NULL,
           "GRANT CONNECT ON DATABASE portal TO \"Ops Team\" WITH GRANT OPTION");
    sql_is("portal", "app", "TEMPORARY", "granted", "granted with grant option",
           "REVOKE GRANT OPTION FOR TEMPORARY ON DATABASE portal FROM app");
    sql_is("portal", "app", "TEMPORARY", "granted with grant option", "granted",
           "GRANT TEMPORARY ON DATABASE portal TO app WITH GRANT OPTION");
    /* equal, unknown or database-impossible states give no statement */
    sql_is("portal", "app", "CREATE", "granted", "granted", NULL);
    sql_is("portal", "app", "CREATE", NULL, NULL, NULL);
    sql_is("portal", "app", "CREATE", "revoked", NULL, NULL);
    sql_is("portal", "app", "CREATE", "granted; DROP TABLE x", NULL, NULL);
}

static void test_default_privilege_sql(void **state)
{
    (void)state;
    const char *scope = "FOR ROLE owner IN SCHEMA app ON TABLES";
    sql_is(NULL, scope, "SELECT TO ro", "granted", NULL,
           "ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA app GRANT SELECT ON TABLES TO ro");
    sql_is(NULL, scope, "DELETE TO ro", NULL, "granted",
           "ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA app REVOKE DELETE ON TABLES FROM ro");
    /* a hard-wired default withheld in the baseline, and one withheld only now */
    sql_is(NULL, "FOR ROLE owner ON FUNCTIONS", "EXECUTE TO PUBLIC", "revoked", NULL,
           "ALTER DEFAULT PRIVILEGES FOR ROLE owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC");
    sql_is(NULL, "FOR ROLE owner ON TYPES", "USAGE TO PUBLIC", NULL, "revoked",
           "ALTER DEFAULT PRIVILEGES FOR ROLE owner GRANT USAGE ON TYPES TO PUBLIC");
    /* a quoted role whose name holds " ON ": the kind is after the last one */
    sql_is(NULL, "FOR ROLE \"a ON b\" ON SEQUENCES", "USAGE TO \"x TO y\"", "granted", NULL,
           "ALTER DEFAULT PRIVILEGES FOR ROLE \"a ON b\" GRANT USAGE ON SEQUENCES TO \"x TO y\"");
    sql_is(NULL, scope, "SELECT TO ro", "granted with grant option", "granted",
           "ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA app GRANT SELECT ON TABLES TO ro"
           " WITH GRANT OPTION");
    /* not of the captured shape */
    sql_is(NULL, "owner ON TABLES", "SELECT TO ro", "granted", NULL, NULL);
    sql_is(NULL, scope, "SELECT", "granted", NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal),   cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_objects), cmocka_unit_test(test_empty_and_malformed),
        cmocka_unit_test(test_split_setting),
        cmocka_unit_test(test_database_privilege_sql),
        cmocka_unit_test(test_default_privilege_sql),
    };
    return cmocka_run_group_tests_name("settings_diff", tests, NULL, NULL);
}
