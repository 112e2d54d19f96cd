/* src/sql_expr: the lexical guard around configured SQL expressions. Every hostile
 * input here would, pasted into "(...)", end the parentheses or the statement, or be
 * read differently by the server than by the guard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "src/sql_expr.h"

static void accepted(const char *text)
{
    char why[256];
    if (!sql_expr_lex_check(text, why, sizeof why))
        fail_msg("refused <%s>: %s", text, why);
    assert_string_equal(why, "");
}

/* Refused, and why mentions expect. */
static void refused(const char *text, const char *expect)
{
    char why[256] = "";
    if (sql_expr_lex_check(text, why, sizeof why))
        fail_msg("accepted <%s>", text);
    if (!strstr(why, expect))
        fail_msg("<%s>: why is \"%s\", wanted \"%s\"", text, why, expect);
}

static void test_ordinary_expressions(void **state)
{
    (void)state;
    accepted("public.audit_log_row_bytes(id, occurred_at, actor, action, agency_id, payload)");
    accepted("convert_to(id::text || '|' || coalesce(actor, ''), 'UTF8')");
    accepted("(a + b) * (c - d)");
    accepted("x - -1");
    accepted("a / b");
    accepted("'it''s'");
    accepted("E'a\\'b; -- (' || 'c'");
    accepted("e'\\\\'");
    accepted("$$ ; -- ) /* $$ || $x$ $$ ) $x$");
    accepted("$a$ $b$ ) $b$ $a$");
    accepted("\"odd ; -- ) name\" || \"a\"\"b\"");
    accepted("foo$bar");
    accepted("x'1f'::int");
    accepted("B'0101'");
    accepted("N'text'");
    accepted("1.5e3 + .5");
    accepted("row_to_json(vouch_row)::text");
    accepted("(SELECT max(id) FROM public.t)");
    accepted("'a'\n'b'");
}

static void test_statement_breakers(void **state)
{
    (void)state;
    refused("NULL) FROM public.audit_log AS vouch_row) TO STDOUT; COMMIT;"
            " CREATE TABLE public.pwned AS SELECT 1; --",
            "')' closes");
    refused("1; CREATE TABLE public.pwned AS SELECT 1", "';'");
    refused("1 -- the rest", "comment (--)");
    refused("1 /* x */", "comment (/* */)");
    refused("1 +-- x", "comment (--)");
    refused("1) FROM t AS vouch_row LIMIT 0 --", "')' closes");
    refused("1) UNION SELECT (1", "')' closes");
    refused("(1", "not closed");
    refused("((1)", "not closed");
    refused(")(", "')' closes");
    refused("f(a))", "')' closes");
}

static void test_quotes(void **state)
{
    (void)state;
    refused("'abc", "string constant is not closed");
    refused("E'abc\\'", "string constant is not closed");
    refused("E'abc\\", "string constant is not closed");
    refused("\"abc", "quoted identifier is not closed");
    refused("$$abc", "$$ quote is not closed");
    refused("$a$ abc $A$", "$a$ quote is not closed");
    /* Whether \' ends this string depends on standard_conforming_strings. */
    refused("'\\'); CREATE TABLE pwned(); --'", "backslash");
    refused("'a\\b'", "backslash");
    /* A prefix the guard does not know, or a quote glued to a word or number. */
    refused("foo'x'", "quote right after \"foo\"");
    refused("1e'x'", "number");
    refused("1'x'", "number");
    refused("1$$ ) $$", "number");
    refused("$1", "parameter");
    refused("$ 1", "'$'");
}

static void test_empty(void **state)
{
    (void)state;
    refused("", "expected an SQL expression");
    refused("  \t\n", "expected an SQL expression");
}

/* The names a '(' follows, as the server folds them; quotes and comments hide nothing. */
static void test_calls(void **state)
{
    (void)state;
    size_t n;
    sql_call *c = sql_expr_calls("public.audit_log_row_bytes(id, coalesce(x, 'f(y)'))"
                                 " || \"Odd\".\"G\" (1) || Lib.H(2) -- k(3)\n || e'q(' ||"
                                 " $b$ inner.fn(4) $b$ || public.audit_log_row_bytes(5)",
                                 &n);
    assert_int_equal(n, 5);
    assert_string_equal(c[0].schema, "public");
    assert_string_equal(c[0].name, "audit_log_row_bytes");
    assert_null(c[1].schema);
    assert_string_equal(c[1].name, "coalesce");
    assert_string_equal(c[2].schema, "Odd");
    assert_string_equal(c[2].name, "G");
    assert_string_equal(c[3].schema, "lib");
    assert_string_equal(c[3].name, "h");
    /* A function body in dollar quotes is code: its calls count. */
    assert_string_equal(c[4].schema, "inner");
    assert_string_equal(c[4].name, "fn");
    sql_calls_free(c, n);
    c = sql_expr_calls("id::text", &n);
    assert_int_equal(n, 0);
    sql_calls_free(c, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary_expressions),
        cmocka_unit_test(test_statement_breakers),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_calls),
    };
    return cmocka_run_group_tests_name("sql_expr", tests, NULL, NULL);
}
