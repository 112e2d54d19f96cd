/* checks/propose (vouch init): what the writer puts in vouch.conf reads back through
 * vouch's own config parser as written, whatever the names hold; the token formats a
 * sample shows; the DSN written without its password. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/propose.h"
#include "checks/propose_tokens.h"
#include "src/cli/cmd_init.h"
#include "src/config.h"

static void test_value_ok(void **state)
{
    (void)state;
    assert_true(propose_value_ok("public.tasks"));
    assert_true(propose_value_ok("public.\"semi;colon\""));   /* ';' right after a letter */
    assert_true(propose_value_ok("public.\"#hash\""));
    assert_true(propose_value_ok("\"my schema\".\"caf\xc3\xa9\""));
    assert_false(propose_value_ok(""));
    assert_false(propose_value_ok("public.\"semi ;colon\""));  /* libinih: a comment */
    assert_false(propose_value_ok("public.\"tab\t;x\""));
    assert_false(propose_value_ok("public.\"evil\n[target]\""));
    assert_false(propose_value_ok("public.\"cr\rx\""));
    assert_false(propose_value_ok(" leading"));
    assert_false(propose_value_ok("trailing "));
    assert_false(propose_value_ok("bad \xe9 byte"));
}

/* Every key written reads back with its value; what could not be written is a comment. */
static void test_round_trip(void **state)
{
    (void)state;
    propose_ctx p = {0};
    propose_section(&p, "rowcount", "a reason that mentions a table \"x\ny\" across lines");
    const char *values[] = {
        "public.tasks", "public.\"Odd \"\"Name\"\"\"", "\"my schema\".\"caf\xc3\xa9\"",
        "public.\"#hash\"", "public.\"a;b\"", "public.\"evil\n[target]\ndsn = host=attacker\"",
        "public.\"semi ;colon\"",
    };
    bool want[] = {true, true, true, true, true, false, false};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        assert_int_equal(propose_key(&p, i % 2, "table", values[i], "why %zu: %s", i, values[i]),
                         want[i]);
    /* a reason longer than a config line is wrapped, never one line too long for libinih */
    char long_reason[600];
    memset(long_reason, 'x', sizeof long_reason - 1);
    long_reason[sizeof long_reason - 1] = '\0';
    propose_key(&p, false, "table", "public.last", "%s", long_reason);
    assert_int_equal(p.lines, 6);
    assert_int_equal(p.skipped, 2);

    conf *c = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(conf_load_string(&c, "proposed.conf", p.out.p, &e), VOUCH_OK);
    assert_int_equal(c->n_sections, 1);
    assert_string_equal(c->sections[0].name, "rowcount");
    size_t n = 0;
    for (size_t i = 0; i < c->n_entries; i++) {
        assert_string_equal(c->entries[i].key, "table");
        n++;
    }
    assert_int_equal(n, 6);
    assert_string_equal(c->entries[1].value, "public.\"Odd \"\"Name\"\"\"");
    assert_string_equal(c->entries[2].value, "\"my schema\".\"caf\xc3\xa9\"");
    assert_string_equal(c->entries[4].value, "public.\"a;b\"");
    assert_string_equal(c->entries[5].value, "public.last");
    assert_null(strstr(p.out.p, "\n[target]"));
    assert_null(strstr(p.out.p, "\ndsn ="));
    assert_non_null(strstr(p.out.p, "# left out: table = public.\"evil\\x0A[target]\\x0Adsn"));
    for (const char *line = p.out.p; *line;) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        assert_true(end - line < 190);
        line = end + 1;
    }
    conf_free(c);
    free(p.out.p);
}

static void test_token_formats(void **state)
{
    (void)state;
    assert_string_equal(token_value_format(
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), "sha256-hex");
    assert_string_equal(token_value_format(
        "$2b$12$KIXQJQvN8mF1Yz6l0e5c3uQ1dJ8kW2yB3cR4tV5wX6yZ7aB8cD9eF"), "bcrypt");
    assert_string_equal(token_value_format("n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg"),
                        "sha256-base64url");
    assert_string_equal(token_value_format("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="),
                        "sha256-base64");
    assert_string_equal(token_value_format("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"),
                        "argon2id");
    assert_null(token_value_format("tok_live_8f2a"));

    size_t n;
    const char *hashes[] = {NULL, "", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                            "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"};
    assert_string_equal(token_sample_format(hashes, 4, &n), "sha256-hex");
    assert_int_equal(n, 2);
    const char *mixed[] = {"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                           "tok_live_8f2a"};
    assert_string_equal(token_sample_format(mixed, 2, &n), "plaintext");
    const char *empty[] = {NULL, ""};
    assert_null(token_sample_format(empty, 2, &n));
    assert_int_equal(n, 0);
}

static void expect_dsn(const char *in, const char *want)
{
    char *out = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(init_dsn_without_password(in, &out, &e), VOUCH_OK);
    if (want)
        assert_string_equal(out, want);
    else
        assert_null(out);
    free(out);
}

static void test_dsn(void **state)
{
    (void)state;
    expect_dsn(NULL, NULL);
    expect_dsn("", NULL);
    expect_dsn("dbname=portal password=s3cret", "dbname=portal");
    expect_dsn("postgresql://app:s3cret@db.example.com:6432/portal?sslmode=require",
               "user=app dbname=portal host=db.example.com port=6432 sslmode=require");
    expect_dsn("dbname='it\\'s here' application_name='a b'",
               "dbname='it\\'s here' application_name='a b'");
    char *out = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(init_dsn_without_password("dbname='unterminated", &out, &e), VOUCH_USAGE);
    assert_null(strstr(e.msg, "unterminated"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_ok),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_token_formats),
        cmocka_unit_test(test_dsn),
    };
    return cmocka_run_group_tests_name("propose", tests, NULL, NULL);
}
