/* evidence/keys and evidence/sign: subjects, the key-file mode rule, atomic writes,
 * and a key made, loaded, used and checked without a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "evidence/atomic_write.h"
#include "evidence/keys.h"
#include "evidence/sign.h"
#include "src/util.h"

static void expect_dn(const char *in, const char *want)
{
    X509_NAME *name;
    verr e;
    verr_clear(&e);
    if (dn_parse(in, &name, &e))
        fail_msg("dn_parse(\"%s\"): %s", in, e.msg);
    char *got = dn_format(name);
    assert_string_equal(got, want);
    free(got);
    X509_NAME_free(name);
}

static void expect_dn_error(const char *in, const char *part)
{
    X509_NAME *name = (X509_NAME *)1;
    verr e;
    verr_clear(&e);
    assert_int_equal(dn_parse(in, &name, &e), VOUCH_USAGE);
    assert_null(name);
    if (!strstr(e.msg, part))
        fail_msg("dn_parse(\"%s\"): \"%s\" lacks \"%s\"", in, e.msg, part);
}

static void test_dn_parse(void **state)
{
    (void)state;
    expect_dn("CN=Portal DR,O=Example Agency,C=AU", "CN=Portal DR,O=Example Agency,C=AU");
    expect_dn("/C=AU/O=Example Agency/CN=Portal DR", "CN=Portal DR,O=Example Agency,C=AU");
    expect_dn("  CN = Portal DR ,  O = Example Agency ", "CN=Portal DR,O=Example Agency");
    expect_dn("CN=Smith\\, John,OU=DR", "CN=Smith\\, John,OU=DR");
    expect_dn("CN=Caf\xc3\xa9", "CN=Caf\xc3\xa9");
    expect_dn("commonName=x,emailAddress=dr@example.org", "CN=x,emailAddress=dr@example.org");
}

static void test_dn_order(void **state)
{
    (void)state;
    /* Written most specific first; stored most general first, as certificates are. */
    X509_NAME *name;
    verr e;
    assert_int_equal(dn_parse("CN=a,O=b,C=AU", &name, &e), VOUCH_OK);
    assert_int_equal(X509_NAME_entry_count(name), 3);
    const X509_NAME_ENTRY *first = X509_NAME_get_entry(name, 0);
    assert_int_equal(OBJ_obj2nid(X509_NAME_ENTRY_get_object(first)), NID_countryName);
    X509_NAME_free(name);
}

static void test_dn_errors(void **state)
{
    (void)state;
    expect_dn_error("", "subject is empty");
    expect_dn_error("   ", "subject is empty");
    expect_dn_error("CN", "\"CN\" is not TYPE=VALUE");
    expect_dn_error("CN=a,,O=b", "is not TYPE=VALUE");
    expect_dn_error("CN=", "empty value");
    expect_dn_error("=x", "empty type");
    expect_dn_error("XX=1", "unknown attribute type \"XX\"");
    expect_dn_error("CN=a,C=AUS", "C=AUS is not valid");
}

static void expect_mode(mode_t mode, bool ok)
{
    verr e;
    verr_clear(&e);
    vexit rc = key_mode_check("keys/k.pem", S_IFREG | mode, &e);
    if (ok) {
        assert_int_equal(rc, VOUCH_OK);
        return;
    }
    assert_int_equal(rc, VOUCH_USAGE);
    char want[64];
    snprintf(want, sizeof want, "(mode %04o): run chmod 600 keys/k.pem", (unsigned)mode);
    if (!strstr(e.msg, "private key \"keys/k.pem\"") || !strstr(e.msg, want))
        fail_msg("mode %04o: \"%s\"", (unsigned)mode, e.msg);
}

static void test_key_mode(void **state)
{
    (void)state;
    expect_mode(0600, true);
    expect_mode(0400, true);
    expect_mode(0700, true);
    expect_mode(0644, false);
    expect_mode(0640, false);
    expect_mode(0620, false);   /* group may replace it */
    expect_mode(0604, false);
    expect_mode(0666, false);
}

/* A scratch folder, removed with everything in it. */
static int dir_setup(void **state)
{
    char *dir = xstrdup("/tmp/vouch-test-keys.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    *state = dir;
    return 0;
}

static int dir_teardown(void **state)
{
    char *cmd = xasprintf("rm -rf '%s'", (char *)*state);
    int rc = system(cmd);
    free(cmd);
    free(*state);
    return rc == 0 ? 0 : -1;
}

static void test_atomic_write(void **state)
{
    char *path = xasprintf("%s/file", (char *)*state);
    verr e;
    verr_clear(&e);
    assert_int_equal(atomic_write(path, "one", 3, 0600, false, &e), VOUCH_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(atomic_write(path, "two", 3, 0600, false, &e), VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "already exists"));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 3);
    assert_int_equal(atomic_write(path, "three", 5, 0600, true, &e), VOUCH_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 5);
    free(path);
}

static void test_keygen_sign_verify(void **state)
{
    const char *dir = *state;
    char *key = xasprintf("%s/k.key", dir), *crt = xasprintf("%s/k.crt", dir);
    char *doc = xasprintf("%s/doc.txt", dir);
    verr e;
    verr_clear(&e);
    keygen_request rq = {KEY_ECDSA_P256, "CN=unit,O=vouch", 2, {key, crt, NULL, NULL}, false};
    if (keygen(&rq, &e))
        fail_msg("keygen: %s", e.msg);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    signer *s;
    key_source src = {key, crt, NULL, NULL};
    if (signer_load(&s, &src, &e))
        fail_msg("signer_load: %s", e.msg);
    FILE *f = fopen(doc, "w");
    assert_non_null(f);
    fputs("evidence\n", f);
    fclose(f);
    if (sign_file(s, doc, &e))
        fail_msg("sign_file: %s", e.msg);
    signer_free(s);

    sig_report r;
    if (verify_file(doc, crt, &r, &e))
        fail_msg("verify_file: %s", e.msg);
    assert_string_equal(r.signer, "CN=unit,O=vouch");
    assert_true(r.pinned);
    assert_int_equal(r.size, 9);
    assert_string_equal(r.sha256, "bdcf4c994585af6dd6cb1cfbff78bcc73ab27dc30a299db5bb83766ca05b5de4");
    assert_int_equal(strlen(r.signing_time), 20);
    sig_report_release(&r);

    f = fopen(doc, "a");
    fputs("changed\n", f);
    fclose(f);
    assert_int_equal(verify_file(doc, crt, &r, &e), VOUCH_FAILED);
    assert_non_null(strstr(e.msg, "contents changed since it was signed"));
    sig_report_release(&r);

    assert_int_equal(chmod(key, 0644), 0);
    assert_int_equal(signer_load(&s, &src, &e), VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "mode 0644"));
    assert_null(s);
    free(key);
    free(crt);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dn_parse),
        cmocka_unit_test(test_dn_order),
        cmocka_unit_test(test_dn_errors),
        cmocka_unit_test(test_key_mode),
        cmocka_unit_test_setup_teardown(test_atomic_write, dir_setup, dir_teardown),
        cmocka_unit_test_setup_teardown(test_keygen_sign_verify, dir_setup, dir_teardown),
    };
    return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
