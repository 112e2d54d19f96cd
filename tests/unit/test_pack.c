/* evidence/manifest and evidence/period: the MANIFEST line format (written, read back,
 * and every malformed line refused with its number) and the periods a pack covers;
 * evidence/pack_dir and evidence/pack_verify: a pack folder filled (also the way a renderer that
 * writes its own file fills it), closed, verified, spoiled, and abandoned. */
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

#include "evidence/keys.h"
#include "evidence/pack_dir.h"
#include "evidence/pack_verify.h"

#include "evidence/manifest.h"
#include "src/util.h"

#define H1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H2 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_format_sorted_lines(void **state)
{
    (void)state;
    manifest m = {0};
    manifest_add(&m, "results.csv", 42, H1);
    manifest_add(&m, "gates/run-2.html", 0, H2);
    manifest_add(&m, "chain.json", 18446744073709551615ULL, H1);
    size_t len;
    char *text = manifest_format(&m, &len);
    assert_string_equal(text, H1 "  18446744073709551615  chain.json\n"
                              H2 "  0  gates/run-2.html\n"
                              H1 "  42  results.csv\n");
    assert_int_equal(len, strlen(text));
    manifest back = {0};
    verr e;
    verr_clear(&e);
    assert_int_equal(manifest_parse(text, len, &back, &e), VOUCH_OK);
    assert_int_equal(back.n, 3);
    const manifest_entry *x = manifest_find(&back, "results.csv");
    assert_non_null(x);
    assert_int_equal(x->size, 42);
    assert_string_equal(x->sha256, H1);
    assert_int_equal(manifest_find(&back, "gates/run-2.html")->size, 0);
    assert_null(manifest_find(&back, "gates"));
    free(text);
    manifest_release(&m);
    manifest_release(&back);
}

static void test_empty_manifest(void **state)
{
    (void)state;
    manifest m = {0};
    size_t len = 99;
    char *text = manifest_format(&m, &len);
    assert_int_equal(len, 0);
    verr e;
    verr_clear(&e);
    assert_int_equal(manifest_parse(text, len, &m, &e), VOUCH_OK);
    assert_int_equal(m.n, 0);
    free(text);
}

static void expect_bad(const char *text, const char *part)
{
    manifest m = {0};
    verr e;
    verr_clear(&e);
    assert_int_equal(manifest_parse(text, strlen(text), &m, &e), VOUCH_FAILED);
    if (!strstr(e.msg, part))
        fail_msg("\"%s\" lacks \"%s\"", e.msg, part);
    manifest_release(&m);
}

static void test_bad_lines(void **state)
{
    (void)state;
    expect_bad(H1 "  1  a.txt", "line 1: the last line does not end with a newline");
    expect_bad(H1 "  1  a.txt\n" H1 " 1 b.txt\n", "line 2: expected \"SHA256  SIZE  PATH\"");
    expect_bad("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef  1  a\n",
               "line 1: expected");                                 /* upper-case hex */
    expect_bad(H1 "0  1  a\n", "line 1: expected");                 /* 65 hex digits */
    expect_bad(H1 "  -1  a\n", "line 1: expected");
    expect_bad(H1 "  01  a\n", "line 1: expected");                 /* one way to write a size */
    expect_bad(H1 "  99999999999999999999  a\n", "line 1: expected");  /* over 64 bits */
    expect_bad(H1 "  1  \n", "line 1: expected");
    expect_bad(H1 "  1  ../etc/passwd\n", "line 1: the path is not one a pack may list");
    expect_bad(H1 "  1  /etc/passwd\n", "not one a pack may list");
    expect_bad(H1 "  1  a b\n", "not one a pack may list");
    expect_bad(H1 "  1  a\\b\n", "not one a pack may list");
    expect_bad(H1 "  1  MANIFEST\n", "not one a pack may list");
    expect_bad(H1 "  1  a.txt\r\n", "not one a pack may list");
    expect_bad(H1 "  1  a.txt\n" H2 "  2  a.txt\n", "line 2: the path is listed twice");
    /* the auditor's 'LC_ALL=C sort | diff' refuses these; so does vouch */
    expect_bad(H1 "  1  b.txt\n" H2 "  2  a.txt\n", "line 2: out of order: the lines are sorted by path");
    expect_bad(H1 "  1  a.txt\n" H2 "  2  b.txt\n" H1 "  1  a.txt\n", "line 3: out of order");
    expect_bad(H1 "  1  a/b\n" H2 "  2  a.b\n", "line 2: out of order");   /* '.' < '/' bytewise */
    manifest m = {0};
    verr e;
    verr_clear(&e);
    const char nul[] = H1 "  1  a\0b\n";
    assert_int_equal(manifest_parse(nul, sizeof nul - 1, &m, &e), VOUCH_FAILED);
    assert_non_null(strstr(e.msg, "line 1: a NUL byte"));
    manifest_release(&m);
}

static void test_paths(void **state)
{
    (void)state;
    assert_true(manifest_path_ok("gates/run-12.html"));
    assert_true(manifest_path_ok("chain/drill-3.json"));
    assert_true(manifest_path_ok("MANIFEST.txt"));
    assert_true(manifest_path_ok("..x"));
    assert_false(manifest_path_ok(""));
    assert_false(manifest_path_ok("MANIFEST"));
    assert_false(manifest_path_ok("MANIFEST.p7s"));
    assert_false(manifest_path_ok("a//b"));
    assert_false(manifest_path_ok("a/"));
    assert_false(manifest_path_ok("./a"));
    assert_false(manifest_path_ok("a/../b"));
    assert_false(manifest_path_ok("caf\xc3\xa9"));
}

static int dir_setup(void **state)
{
    char *dir = xstrdup("/tmp/vouch-test-pack.XXXXXX");
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

/* Verify dir; the output into *text (caller frees). */
static vexit verify_into(const char *dir, const char *cert, char **text, verr *e)
{
    size_t len;
    FILE *f = open_memstream(text, &len);
    vexit rc = pack_verify(dir, cert, NULL, f, e);
    fclose(f);
    return rc;
}

static void test_pack_dir(void **state)
{
    const char *dir = *state;
    char *key = xasprintf("%s/k.key", dir), *crt = xasprintf("%s/k.crt", dir);
    char *dest = xasprintf("%s/pack", dir);
    verr e;
    verr_clear(&e);
    keygen_request rq = {KEY_ECDSA_P256, "CN=unit pack", 2, {key, crt, NULL, NULL}, false};
    if (keygen(&rq, &e))
        fail_msg("keygen: %s", e.msg);
    signer *s;
    key_source src = {key, crt, NULL, NULL};
    if (signer_load(&s, &src, &e))
        fail_msg("signer_load: %s", e.msg);

    /* abandoned: nothing left, not even beside it */
    pack_dir d;
    assert_int_equal(pack_dir_open(&d, dest, &e), VOUCH_OK);
    assert_int_equal(pack_dir_put(&d, "a/b.txt", "half", 4, &e), VOUCH_OK);
    pack_dir_abandon(&d);
    char *cmd = xasprintf("test -z \"$(ls -A '%s' | grep -v '^k\\.')\"", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);

    /* filled by put, put_json and by a file written at pack_dir_path, then closed */
    assert_int_equal(pack_dir_open(&d, dest, &e), VOUCH_OK);
    assert_int_equal(pack_dir_put(&d, "z.csv", "x,y\r\n", 5, &e), VOUCH_OK);
    /* a chain of nothing: verify DIR recomputes chain.json, which every pack holds */
    json_t *chain = json_pack("{s:[], s:[]}", "runs", "drills");
    assert_int_equal(pack_dir_put_json(&d, "chain.json", chain, &e), VOUCH_OK);
    json_decref(chain);
    json_t *doc = json_pack("{s:s}", "period", "2026-Q4");
    assert_int_equal(pack_dir_put_json(&d, "pack.json", doc, &e), VOUCH_OK);
    json_decref(doc);
    char *path;
    assert_int_equal(pack_dir_path(&d, "reports/compliance.html", &path, &e), VOUCH_OK);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("<html>rendered elsewhere</html>\n", f);
    fclose(f);
    free(path);
    assert_int_equal(pack_dir_list(&d, "reports/compliance.html", &e), VOUCH_OK);
    assert_int_equal(pack_dir_list(&d, "z.csv", &e), VOUCH_ABORTED);   /* listed twice */
    assert_int_equal(pack_dir_close(&d, s, &e), VOUCH_OK);

    char *mpath = xasprintf("%s/MANIFEST", dest);
    f = fopen(mpath, "r");
    assert_non_null(f);
    char line[200];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "  33  chain.json\n"));
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "  26  pack.json\n"));
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "  32  reports/compliance.html\n"));
    assert_non_null(fgets(line, sizeof line, f));
    char hex[DIGEST_HEX_LEN + 1], *want;
    sha256_hex("x,y\r\n", 5, hex);
    assert_string_equal(line, want = xasprintf("%s  5  z.csv\n", hex));
    free(want);
    assert_null(fgets(line, sizeof line, f));
    fclose(f);
    free(mpath);

    char *out = NULL;
    if (verify_into(dest, crt, &out, &e))
        fail_msg("pack_verify: %s\n%s", e.msg, out);
    assert_non_null(strstr(out, "verified pack "));
    assert_non_null(strstr(out, "  period       (pack.json does not say)\n"));   /* no first_day */
    assert_non_null(strstr(out, "  files        4 listed, 96 bytes"));
    assert_non_null(strstr(out, "  signer       CN=unit pack\n"));
    free(out);

    /* spoiled: the HTML changed and a file added */
    char *html = xasprintf("%s/reports/compliance.html", dest), *extra = xasprintf("%s/extra", dest);
    f = fopen(html, "a");
    fputs("<!-- edited -->", f);
    fclose(f);
    f = fopen(extra, "w");
    fclose(f);
    assert_int_equal(verify_into(dest, crt, &out, &e), VOUCH_FAILED);
    assert_string_equal(e.msg, "reports/compliance.html: 47 bytes, MANIFEST says 32");
    assert_non_null(strstr(out, "FAILED  extra: not listed in MANIFEST (a file was added)\n"));
    free(out);

    /* a destination that is not empty is refused */
    assert_int_equal(pack_dir_open(&d, dest, &e), VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "exists and is not empty"));
    free(html);
    free(extra);
    signer_free(s);
    free(key);
    free(crt);
    free(dest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_sorted_lines),
        cmocka_unit_test(test_empty_manifest),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_paths),
        cmocka_unit_test_setup_teardown(test_pack_dir, dir_setup, dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
