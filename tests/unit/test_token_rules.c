/* checks/token_rules: hash formats as regular expressions, lifetimes, and how a link's
 * baseline line compares with its line now. The regular expressions are PostgreSQL's
 * (matched with ~ in the server); POSIX extended regexes here read them the same way
 * for these patterns, so known hashes and known non-hashes are tried against them. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/token_rules.h"
#include "src/util.h"

static token_format format_of(const char *spec)
{
    char why[256];
    token_format f;
    if (!token_format_lookup(spec, &f, why, sizeof why))
        fail_msg("token_format_lookup rejected \"%s\": %s", spec, why);
    return f;
}

/* As the server judges a value: the length rule, then the regular expression. */
static bool matches(const char *spec, const char *value)
{
    token_format f = format_of(spec);
    if (!token_format_length_ok(&f, value))
        return false;
    regex_t rx;
    if (regcomp(&rx, f.regex, REG_EXTENDED | REG_NOSUB) != 0)
        fail_msg("the regex of %s does not compile", spec);
    bool ok = regexec(&rx, value, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

static void test_sha256_hex(void **state)
{
    (void)state;
    assert_true(matches("sha256-hex",
                        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
    assert_true(matches("sha256-hex",
                        "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"));
    /* a plaintext token, one digit short, one too many, a stray blank */
    assert_false(matches("sha256-hex", "pst_0123456789abcdef"));
    assert_false(matches("sha256-hex",
                         "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0"));
    assert_false(matches("sha256-hex",
                         "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a088"));
    assert_false(matches("sha256-hex",
                         " 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
    assert_false(matches("sha256-hex", ""));
}

static void test_sha256_base64(void **state)
{
    (void)state;
    /* sha256("test") in base64 and base64url */
    assert_true(matches("sha256-base64", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="));
    assert_true(matches("sha256-base64", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg"));
    assert_true(matches("sha256-base64url", "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg"));
    assert_false(matches("sha256-base64url", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="));
    /* 43 characters whose last one carries bits 32 bytes cannot have */
    assert_false(matches("sha256-base64", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgh="));
    assert_false(matches("sha256-base64", "refresh-token-17"));
    /* padding only where the length allows it */
    assert_false(matches("sha256-base64", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=="));
    assert_false(matches("sha256-base64", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCggA"));
    assert_false(matches("sha256-hex",
                         "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08="));
}

static void test_bcrypt_argon2id(void **state)
{
    (void)state;
    assert_true(matches("bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"));
    assert_true(matches("bcrypt", "$2a$04$abcdefghijklmnopqrstuuJ3Lm5Gdz3cS0ZJ7xE3jgqvTsS9fbbWa"));
    assert_false(matches("bcrypt", "$2b$12$short"));
    assert_false(matches("bcrypt", "correct horse battery staple"));
    assert_true(matches("argon2id", "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA"
                                    "$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"));
    assert_true(matches("argon2id", "$argon2id$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA"
                                    "$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"));
    assert_false(matches("argon2id", "$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA"
                                     "$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"));
    assert_false(matches("argon2id", "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$"));
}

static void test_custom_and_unknown(void **state)
{
    (void)state;
    char why[256];
    token_format f;
    assert_true(token_format_lookup("regex:^tok_[0-9a-f]{8}$", &f, why, sizeof why));
    assert_string_equal(f.regex, "^tok_[0-9a-f]{8}$");
    assert_int_equal(f.length, 0);
    assert_true(matches("regex:^tok_[0-9a-f]{8}$", "tok_0123abcd"));
    assert_false(matches("regex:^tok_[0-9a-f]{8}$", "tok_0123abcdef"));
    assert_false(token_format_lookup("regex:", &f, why, sizeof why));
    assert_non_null(strstr(why, "needs a pattern"));
    assert_false(token_format_lookup("md5", &f, why, sizeof why));
    assert_non_null(strstr(why, "unknown format \"md5\""));
    assert_false(token_format_lookup("SHA256-HEX", &f, why, sizeof why));
}

static void test_lifetime(void **state)
{
    (void)state;
    int64_t s = 0;
    assert_true(token_lifetime_parse("30d", &s));
    assert_int_equal(s, 30 * 86400);
    assert_true(token_lifetime_parse(" 30 days ", &s));
    assert_int_equal(s, 30 * 86400);
    assert_true(token_lifetime_parse("720h", &s));
    assert_int_equal(s, 720 * 3600);
    assert_true(token_lifetime_parse("2w", &s));
    assert_int_equal(s, 14 * 86400);
    assert_true(token_lifetime_parse("90min", &s));
    assert_int_equal(s, 5400);
    assert_true(token_lifetime_parse("1 second", &s));
    assert_int_equal(s, 1);
    const char *bad[] = {"", "30", "d", "0d", "-1d", "1.5d", "30 fortnights", "a month",
                         "30d 2h", "99999999999999999999d", "40000d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (token_lifetime_parse(bad[i], &s))
            fail_msg("token_lifetime_parse accepted \"%s\"", bad[i]);
}

static void test_lifetime_format(void **state)
{
    (void)state;
    char buf[64];
    token_lifetime_format(30 * 86400, buf, sizeof buf);
    assert_string_equal(buf, "30 days");
    token_lifetime_format(86400, buf, sizeof buf);
    assert_string_equal(buf, "1 day");
    token_lifetime_format(36 * 3600, buf, sizeof buf);
    assert_string_equal(buf, "36 hours");
    token_lifetime_format(61, buf, sizeof buf);
    assert_string_equal(buf, "61 seconds");
}

static unsigned compare(const char *base, const char *now)
{
    char *a = xstrdup(base), *b = xstrdup(now);
    token_line x, y;
    assert_true(token_line_split(a, &x));
    assert_true(token_line_split(b, &y));
    unsigned how = token_compare(&x, &y);
    free(a);
    free(b);
    return how;
}

static void test_line_split(void **state)
{
    (void)state;
    char line[] = "17\t1790000000000000\t\tabcdef0123456789";
    token_line t;
    assert_true(token_line_split(line, &t));
    assert_string_equal(t.id, "17");
    assert_string_equal(t.expiry, "1790000000000000");
    assert_string_equal(t.revoked, "");
    assert_string_equal(t.digest, "abcdef0123456789");
    char short_line[] = "17\t1\t";
    assert_false(token_line_split(short_line, &t));
    char long_line[] = "17\t1\t2\t3\t4";
    assert_false(token_line_split(long_line, &t));
    char no_id[] = "\t1\t2\t3";
    assert_false(token_line_split(no_id, &t));
}

static void test_compare(void **state)
{
    (void)state;
    assert_int_equal(compare("1\t100\t\td", "1\t100\t\td"), 0);
    assert_int_equal(compare("1\t100\t\td", "1\t100\t\te"), TOKEN_HASH_CHANGED);
    assert_int_equal(compare("1\t100\t\td", "1\t200\t\td"), TOKEN_EXPIRY_EXTENDED);
    assert_int_equal(compare("1\t200\t\td", "1\t100\t\td"), TOKEN_EXPIRY_SHORTENED);
    /* an expiry removed or made infinite is an extension; -infinity is the earliest */
    assert_int_equal(compare("1\t100\t\td", "1\t\t\td"), TOKEN_EXPIRY_EXTENDED);
    assert_int_equal(compare("1\t100\t\td", "1\tinfinity\t\td"), TOKEN_EXPIRY_EXTENDED);
    assert_int_equal(compare("1\tinfinity\t\td", "1\t\t\td"), TOKEN_EXPIRY_EXTENDED);
    assert_int_equal(compare("1\t-infinity\t\td", "1\t-5\t\td"), TOKEN_EXPIRY_EXTENDED);
    assert_int_equal(compare("1\t-5\t\td", "1\t-7\t\td"), TOKEN_EXPIRY_SHORTENED);
    assert_int_equal(compare("1\t100\t50\td", "1\t100\t\td"), TOKEN_REVIVED);
    assert_int_equal(compare("1\t100\t\td", "1\t100\t50\td"), TOKEN_REVOKED_NOW);
    assert_int_equal(compare("1\t100\t50\td", "1\t100\t60\td"), TOKEN_REVOKED_MOVED);
    assert_int_equal(compare("1\t100\t50\td", "1\t900\t\te"),
                     TOKEN_HASH_CHANGED | TOKEN_EXPIRY_EXTENDED | TOKEN_REVIVED);
}

static void test_time_display(void **state)
{
    (void)state;
    char buf[40];
    token_time_display("", buf, sizeof buf);
    assert_string_equal(buf, "NULL");
    token_time_display("infinity", buf, sizeof buf);
    assert_string_equal(buf, "infinity");
    token_time_display("1790000000123456", buf, sizeof buf);
    assert_string_equal(buf, "2026-09-21T14:13:20.123Z");
    token_time_display("-1500", buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.998Z");
}

static void test_plaintext_format(void **state)
{
    (void)state;
    token_format f;
    char why[200];
    assert_true(token_format_lookup("plaintext", &f, why, sizeof why));
    assert_true(f.plaintext);
    assert_null(f.regex);
    assert_true(token_format_lookup("sha256-hex", &f, why, sizeof why));
    assert_false(f.plaintext);
    assert_false(token_format_lookup("clear", &f, why, sizeof why));
    assert_non_null(strstr(why, "plaintext"));
}

static void test_list_split(void **state)
{
    (void)state;
    char **v, why[200];
    size_t n;
    assert_true(token_list_split(" tenant_id ,id", &v, &n, why, sizeof why));
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "tenant_id");
    assert_string_equal(v[1], "id");
    token_list_free(v, n);
    /* Commas inside quotes belong to the item. */
    assert_true(token_list_split("\"a,b\", 'x, y'", &v, &n, why, sizeof why));
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "\"a,b\"");
    assert_string_equal(v[1], "'x, y'");
    token_list_free(v, n);
    assert_false(token_list_split("a,,b", &v, &n, why, sizeof why));
    assert_non_null(strstr(why, "empty"));
    assert_false(token_list_split("", &v, &n, why, sizeof why));
    assert_false(token_list_split("\"open, b", &v, &n, why, sizeof why));
    assert_non_null(strstr(why, "unclosed"));
}

static void test_revoked_parse(void **state)
{
    (void)state;
    char *col, **v, why[200];
    size_t n;
    assert_true(token_revoked_parse("revoked_at", &col, &v, &n, why, sizeof why));
    assert_string_equal(col, "revoked_at");
    assert_int_equal(n, 0);
    free(col);
    token_list_free(v, n);
    assert_true(token_revoked_parse("status in (revoked, used)", &col, &v, &n, why, sizeof why));
    assert_string_equal(col, "status");
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "revoked");
    assert_string_equal(v[1], "used");
    free(col);
    token_list_free(v, n);
    /* A quoted value keeps its blanks, commas and quotes; it is a value, never SQL. */
    assert_true(token_revoked_parse("\"State\" IN ('it''s, gone'); x')", &col, &v, &n, why,
                                    sizeof why) == false);
    assert_true(token_revoked_parse("\"State\" IN ('it''s, gone', x)", &col, &v, &n, why,
                                    sizeof why));
    assert_string_equal(col, "\"State\"");
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "it's, gone");
    assert_string_equal(v[1], "x");
    free(col);
    token_list_free(v, n);
    /* "in" inside a quoted name is part of the name. */
    assert_true(token_revoked_parse("\"x in (a)\"", &col, &v, &n, why, sizeof why));
    assert_string_equal(col, "\"x in (a)\"");
    assert_int_equal(n, 0);
    free(col);
    token_list_free(v, n);
    assert_false(token_revoked_parse("status in ()", &col, &v, &n, why, sizeof why));
    assert_false(token_revoked_parse("status in (a, b", &col, &v, &n, why, sizeof why));
    assert_false(token_revoked_parse("status in (a) or true", &col, &v, &n, why, sizeof why));
}

static void test_flag_marks(void **state)
{
    (void)state;
    char buf[40];
    token_time_display("revoked", buf, sizeof buf);
    assert_string_equal(buf, "revoked");
    /* A flag set in both is no move; set then cleared is a revival. */
    assert_int_equal(compare("1\t\trevoked\td", "1\t\trevoked\td"), 0);
    assert_int_equal(compare("1\t\trevoked\td", "1\t\t\td"), TOKEN_REVIVED);
    assert_int_equal(compare("1\t\t\td", "1\t\trevoked\td"), TOKEN_REVOKED_NOW);
    /* An expiry that was NULL and is NULL is unchanged; set then NULL is extended. */
    assert_int_equal(compare("1\t\t\td", "1\t\t\td"), 0);
    assert_int_equal(compare("1\t100\t\td", "1\t\t\td"), TOKEN_EXPIRY_EXTENDED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_hex),     cmocka_unit_test(test_sha256_base64),
        cmocka_unit_test(test_bcrypt_argon2id), cmocka_unit_test(test_custom_and_unknown),
        cmocka_unit_test(test_lifetime),       cmocka_unit_test(test_lifetime_format),
        cmocka_unit_test(test_line_split),     cmocka_unit_test(test_compare),
        cmocka_unit_test(test_time_display),   cmocka_unit_test(test_plaintext_format),
        cmocka_unit_test(test_list_split),     cmocka_unit_test(test_revoked_parse),
        cmocka_unit_test(test_flag_marks),
    };
    return cmocka_run_group_tests_name("token_rules", tests, NULL, NULL);
}
