/* src/ident: table and schema names as written in vouch.conf, and how they are
 * shown back to people. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "src/ident.h"

/* Parse text that must be accepted, checking both parts and what follows. */
static void expect_qname(const char *text, const char *schema, const char *name, const char *rest)
{
    qname q = {NULL, NULL};
    const char *after = NULL;
    char why[256] = "";
    if (!qname_parse(text, "public", &q, &after, why, sizeof why))
        fail_msg("qname_parse rejected \"%s\": %s", text, why);
    assert_string_equal(q.schema, schema);
    assert_string_equal(q.name, name);
    assert_non_null(after);
    assert_string_equal(after, rest);
    qname_release(&q);
    assert_null(q.schema);
    assert_null(q.name);
}

/* Parse text that must be refused with exactly this reason. */
static void expect_qname_error(const char *text, const char *reason)
{
    qname q = {NULL, NULL};
    const char *after = "untouched";
    char why[256] = "";
    if (qname_parse(text, "public", &q, &after, why, sizeof why)) {
        qname_release(&q);
        fail_msg("qname_parse accepted \"%s\"", text);
    }
    assert_string_equal(why, reason);
    assert_null(q.schema);
    assert_null(q.name);
}

static void test_unqualified_gets_default_schema(void **state)
{
    (void)state;
    expect_qname("tasks", "public", "tasks", "");

    qname q;
    char why[64];
    assert_true(qname_parse("tasks", "app", &q, NULL, why, sizeof why));
    assert_string_equal(q.schema, "app");
    assert_string_equal(q.name, "tasks");
    qname_release(&q);
}

static void test_qualified(void **state)
{
    (void)state;
    expect_qname("public.tasks", "public", "tasks", "");
    expect_qname("audit.events_2026", "audit", "events_2026", "");
    expect_qname("_private.$x", "_private", "$x", "");
    expect_qname("  app.projects", "app", "projects", "");
}

static void test_unquoted_names_fold_to_lower_case(void **state)
{
    (void)state;
    expect_qname("Public.Tasks", "public", "tasks", "");
    expect_qname("APP.PROJECTS", "app", "projects", "");
    expect_qname("Assets", "public", "assets", "");
}

static void test_quoted_parts(void **state)
{
    (void)state;
    /* Quoted parts keep their case, blanks and punctuation. */
    expect_qname("public.\"MixedCase\"", "public", "MixedCase", "");
    expect_qname("\"Odd Name\".\"a; drop table b\"", "Odd Name", "a; drop table b", "");
    expect_qname("\"a.b\"", "public", "a.b", "");
    expect_qname("\"1st\".\"2nd\"", "1st", "2nd", "");
    /* A doubled quote is one quote. */
    expect_qname("\"say \"\"hi\"\"\"", "public", "say \"hi\"", "");
    expect_qname("\"\"\"\"", "public", "\"", "");
    /* Quoted and bare parts mix. */
    expect_qname("\"Sales\".orders", "Sales", "orders", "");
    expect_qname("Sales.\"Orders\"", "sales", "Orders", "");
}

static void test_rest_points_after_the_name(void **state)
{
    (void)state;
    expect_qname("public.tasks tolerance 2%", "public", "tasks", "tolerance 2%");
    expect_qname("tasks\t  at-least", "public", "tasks", "at-least");
    expect_qname("\"my table\" exact", "public", "my table", "exact");
    expect_qname("public.tasks   ", "public", "tasks", "");
}

static void test_malformed_names(void **state)
{
    (void)state;
    expect_qname_error("\"unterminated", "unterminated quoted identifier");
    expect_qname_error("public.\"tasks", "unterminated quoted identifier");
    expect_qname_error("\"ends with a doubled quote\"\"", "unterminated quoted identifier");
    expect_qname_error("", "expected a name, found \"\"");
    expect_qname_error("   ", "expected a name, found \"\"");
    expect_qname_error("1tasks", "expected a name, found \"1tasks\"");
    expect_qname_error("public.9lives", "expected a name, found \"9lives\"");
    expect_qname_error("public.", "expected a name, found \"\"");
    expect_qname_error(".tasks", "expected a name, found \".tasks\"");
    expect_qname_error("\"\"", "empty quoted identifier");
    expect_qname_error("public.\"\"", "empty quoted identifier");
    expect_qname_error("a.b.c", "unexpected \".c\" after the table name");
    expect_qname_error("public.tasks;drop table x", "unexpected \";drop table x\" after the table name");
    expect_qname_error("my-table", "unexpected \"-table\" after the table name");
    expect_qname_error("\"a\"b", "unexpected \"b\" after the table name");
}

static void test_why_is_bounded(void **state)
{
    (void)state;
    qname q;
    char why[10];
    memset(why, 'x', sizeof why);
    assert_false(qname_parse("1234567890123", "public", &q, NULL, why, sizeof why));
    assert_int_equal(strlen(why), sizeof why - 1);
    assert_string_equal(why, "expected ");
}

static void test_ident_parse(void **state)
{
    (void)state;
    char *out = NULL;
    char why[256] = "";

    assert_true(ident_parse("audit", &out, why, sizeof why));
    assert_string_equal(out, "audit");
    free(out);

    assert_true(ident_parse("  App_Role  ", &out, why, sizeof why));
    assert_string_equal(out, "app_role");
    free(out);

    assert_true(ident_parse("\"Reporting Team\"", &out, why, sizeof why));
    assert_string_equal(out, "Reporting Team");
    free(out);

    out = (char *)"sentinel";
    assert_false(ident_parse("public.tasks", &out, why, sizeof why));
    assert_null(out);
    assert_string_equal(why, "expected one name, found \"public.tasks\"");

    out = (char *)"sentinel";
    assert_false(ident_parse(" two words", &out, why, sizeof why));
    assert_null(out);
    assert_string_equal(why, "expected one name, found \"two words\"");

    assert_false(ident_parse("\"open", &out, why, sizeof why));
    assert_string_equal(why, "unterminated quoted identifier");

    assert_false(ident_parse("", &out, why, sizeof why));
    assert_string_equal(why, "expected a name, found \"\"");

    assert_false(ident_parse("\"\"", &out, why, sizeof why));
    assert_string_equal(why, "empty quoted identifier");
}

static void expect_display(const char *schema, const char *name, const char *shown)
{
    char *s = qname_display(schema, name);
    assert_non_null(s);
    assert_string_equal(s, shown);
    free(s);
}

static void test_display_quotes_only_where_needed(void **state)
{
    (void)state;
    expect_display("public", "tasks", "public.tasks");
    expect_display("app", "events_2026", "app.events_2026");
    expect_display("public", "a; drop table b", "public.\"a; drop table b\"");
    expect_display("public", "MixedCase", "public.\"MixedCase\"");
    expect_display("Odd Name", "tasks", "\"Odd Name\".tasks");
    expect_display("public", "1st", "public.\"1st\"");
    expect_display("public", "a.b", "public.\"a.b\"");
    expect_display("public", "say \"hi\"", "public.\"say \"\"hi\"\"\"");
    expect_display("public", "", "public.\"\"");
}

static void test_display_parses_back(void **state)
{
    (void)state;
    static const char *const names[][2] = {
        {"public", "tasks"},
        {"public", "a; drop table b"},
        {"Odd Name", "MixedCase"},
        {"x", "say \"hi\""},
        {"s", "with space"},
        {"s", "dots.in.it"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *shown = qname_display(names[i][0], names[i][1]);
        qname q;
        const char *rest;
        char why[256];
        if (!qname_parse(shown, "other", &q, &rest, why, sizeof why))
            fail_msg("\"%s\" did not parse back: %s", shown, why);
        assert_string_equal(q.schema, names[i][0]);
        assert_string_equal(q.name, names[i][1]);
        assert_string_equal(rest, "");
        qname_release(&q);
        free(shown);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unqualified_gets_default_schema),
        cmocka_unit_test(test_qualified),
        cmocka_unit_test(test_unquoted_names_fold_to_lower_case),
        cmocka_unit_test(test_quoted_parts),
        cmocka_unit_test(test_rest_points_after_the_name),
        cmocka_unit_test(test_malformed_names),
        cmocka_unit_test(test_why_is_bounded),
        cmocka_unit_test(test_ident_parse),
        cmocka_unit_test(test_display_quotes_only_where_needed),
        cmocka_unit_test(test_display_parses_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
