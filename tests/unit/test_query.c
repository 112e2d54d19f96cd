/* checks/query: the [query] section's pure parts (the expectation, the statement's
 * kind, the subject shown) and the statement mode of the SQL lexer it relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checker.h"
#include "checks/query.h"
#include "src/sql_expr.h"

static void test_expectations(void **state)
{
    (void)state;
    char why[256];
    query_expect x;
    assert_true(query_expect_parse("true", &x, why, sizeof why));
    assert_int_equal(x.kind, QUERY_EXPECT_TRUE);
    assert_true(query_expect_parse(" baseline ", &x, why, sizeof why));
    assert_int_equal(x.kind, QUERY_EXPECT_BASELINE);
    assert_true(query_expect_parse("at-least 150", &x, why, sizeof why));
    assert_int_equal(x.kind, QUERY_EXPECT_AT_LEAST);
    assert_true(x.n == 150);
    assert_true(query_expect_parse("tolerance 0.5%", &x, why, sizeof why));
    assert_int_equal(x.kind, QUERY_EXPECT_TOLERANCE);
    assert_true(x.n == 0.5);
    char buf[64];
    query_expect_format(&x, buf, sizeof buf);
    assert_string_equal(buf, "tolerance 0.5%");

    assert_false(query_expect_parse("mostly", &x, why, sizeof why));
    assert_string_equal(why, "unknown expectation \"mostly\": use true, baseline, at-least N or"
                             " tolerance N%");
    assert_false(query_expect_parse("at-least ten", &x, why, sizeof why));
    assert_string_equal(why, "expected a number after at-least, found \"ten\"");
    assert_false(query_expect_parse("at-least -3", &x, why, sizeof why));
    assert_false(query_expect_parse("at-least 1e999", &x, why, sizeof why));
    assert_false(query_expect_parse("tolerance 5", &x, why, sizeof why));
    assert_string_equal(why, "expected a percentage after tolerance (such as 5%), found \"5\"");
    assert_false(query_expect_parse("tolerance nan%", &x, why, sizeof why));
    assert_false(query_expect_parse("at-least", &x, why, sizeof why));
}

static void test_numbers(void **state)
{
    (void)state;
    query_expect least = {QUERY_EXPECT_AT_LEAST, 10}, tol = {QUERY_EXPECT_TOLERANCE, 5};
    assert_true(query_number_ok(&least, 10, 0));
    assert_false(query_number_ok(&least, 9.99, 0));
    assert_true(query_number_ok(&tol, 105, 100));
    assert_true(query_number_ok(&tol, 95, 100));
    assert_false(query_number_ok(&tol, 105.1, 100));
    assert_true(query_number_ok(&tol, -102, -100));
    assert_true(query_number_ok(&tol, 0, 0));
    assert_false(query_number_ok(&tol, 1, 0));
}

static void test_kinds(void **state)
{
    (void)state;
    char why[256];
    assert_true(query_kind_ok("SELECT 1", why, sizeof why));
    assert_true(query_kind_ok("select 1", why, sizeof why));
    assert_true(query_kind_ok("((SELECT 1))", why, sizeof why));
    assert_true(query_kind_ok("WITH a AS (SELECT 1) SELECT * FROM a", why, sizeof why));
    assert_true(query_kind_ok("VALUES (1)", why, sizeof why));
    assert_true(query_kind_ok("TABLE public.accounts", why, sizeof why));
    assert_false(query_kind_ok("INSERT INTO t VALUES (1) RETURNING *", why, sizeof why));
    assert_string_equal(why, "the query starts with \"INSERT\": give one SELECT, WITH, VALUES or"
                             " TABLE statement that returns rows");
    assert_false(query_kind_ok("selectx 1", why, sizeof why));
    assert_false(query_kind_ok("DELETE FROM t", why, sizeof why));
    assert_false(query_kind_ok("EXPLAIN ANALYZE DELETE FROM t", why, sizeof why));
    assert_false(query_kind_ok("CALL p()", why, sizeof why));
}

static void test_display(void **state)
{
    (void)state;
    char *d = query_display("SELECT  a,\n\t b FROM t ", 60);
    assert_string_equal(d, "SELECT a, b FROM t");
    free(d);
    d = query_display("SELECT abcdef", 8);
    assert_string_equal(d, "SELECT a...");
    free(d);
    /* never inside a UTF-8 sequence: "é" is two bytes */
    d = query_display("SELECT 'é'", 9);
    assert_string_equal(d, "SELECT '...");
    free(d);
}

static void stmt_ok(const char *text, const char *want)
{
    char why[256];
    char *s = sql_stmt_lex_check(text, why, sizeof why);
    if (!s)
        fail_msg("refused <%s>: %s", text, why);
    assert_string_equal(s, want);
    free(s);
}

static void stmt_refused(const char *text, const char *expect)
{
    char why[256] = "";
    char *s = sql_stmt_lex_check(text, why, sizeof why);
    if (s) {
        free(s);
        fail_msg("accepted <%s>", text);
    }
    if (!strstr(why, expect))
        fail_msg("<%s>: why is \"%s\", wanted \"%s\"", text, why, expect);
}

static void test_statement_mode(void **state)
{
    (void)state;
    stmt_ok("SELECT 1", "SELECT 1");
    stmt_ok("  SELECT 1 ;  ", "SELECT 1");
    stmt_ok("SELECT ';'", "SELECT ';'");
    stmt_ok("SELECT $$;$$;", "SELECT $$;$$");
    stmt_refused("SELECT 1;;", "a ';' outside quotes is not allowed: give one statement");
    stmt_refused("SELECT 1; SELECT 2", "give one statement");
    stmt_refused("SELECT 1; DELETE FROM t;", "give one statement");
    stmt_refused("SELECT true --", "a comment (--) is not allowed");
    stmt_refused("SELECT true -- ;", "a comment (--) is not allowed");
    stmt_refused("SELECT true /* */", "a comment (/* */) is not allowed");
    stmt_refused("SELECT 1) AS q; DELETE FROM t; SELECT (1",
                 "a ')' closes a parenthesis the statement did not open");
    stmt_refused("SELECT 'a;", "a string constant is not closed");
    stmt_refused("SELECT $$ ;", "not closed");
    stmt_refused(";", "expected an SQL statement");
    stmt_refused("   ", "expected an SQL statement");
    /* the expression mode keeps its words */
    char why[256];
    assert_false(sql_expr_lex_check("a;", why, sizeof why));
    assert_string_equal(why, "a ';' outside quotes is not allowed: give one expression");
}

static void test_registered_with_instances(void **state)
{
    (void)state;
    const checker *ck = checker_find("query");
    assert_non_null(ck);
    assert_true(ck->flags & CHECKER_INSTANCES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expectations),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_display),
        cmocka_unit_test(test_statement_mode),
        cmocka_unit_test(test_registered_with_instances),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
