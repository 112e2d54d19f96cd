/* checks/count_rule: how rowcount reads a rule from vouch.conf, shows it, and
 * judges an observed count against the baseline's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "checks/count_rule.h"

/* Parse text that must be accepted; fail the test otherwise. */
static count_rule parsed(const char *text)
{
    count_rule r = {RULE_EXACT, -1};
    if (!count_rule_parse(text, &r))
        fail_msg("count_rule_parse rejected \"%s\"", text);
    return r;
}

static void test_parse_exact(void **state)
{
    (void)state;
    count_rule r = parsed("exact");
    assert_int_equal(r.kind, RULE_EXACT);
    /* Leading blanks are what follows the table name in "table = t   exact". */
    r = parsed("   exact");
    assert_int_equal(r.kind, RULE_EXACT);
}

static void test_parse_at_least(void **state)
{
    (void)state;
    count_rule r = {RULE_EXACT, 0};
    assert_true(count_rule_parse("at-least", &r));
    assert_int_equal(r.kind, RULE_AT_LEAST);
}

static void test_parse_tolerance(void **state)
{
    (void)state;
    count_rule r = parsed("tolerance 2%");
    assert_int_equal(r.kind, RULE_TOLERANCE);
    assert_float_equal(r.pct, 2.0, 1e-12);

    r = parsed("tolerance 0.5 %");
    assert_int_equal(r.kind, RULE_TOLERANCE);
    assert_float_equal(r.pct, 0.5, 1e-12);

    r = parsed("tolerance   10%");
    assert_float_equal(r.pct, 10.0, 1e-12);

    /* Both ends of the allowed range. */
    r = parsed("tolerance 0%");
    assert_float_equal(r.pct, 0.0, 1e-12);
    r = parsed("tolerance 100%");
    assert_float_equal(r.pct, 100.0, 1e-12);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "tolerance",        /* no number */
        "tolerance ",       /* still no number */
        "tolerance %",      /* no number before the sign */
        "tolerance 2",      /* no percent sign */
        "tolerance -1%",    /* negative */
        "tolerance 101%",   /* more than everything */
        "tolerance 2%%",    /* junk after the sign */
        "tolerance 2% more",
        "tolerance two%",
        "tolerance2%",      /* the word must stand alone */
        "fuzzy",
        "tolerance 0x10%",  /* plain decimals only */
        "tolerance 1e1%",
        "tolerance 1.%",
        "tolerance .5%",
        "",
        "Exact",            /* rules are lowercase words */
        "exactly",
        "at least",
        "at-least 5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        count_rule r = {RULE_AT_LEAST, 42};
        if (count_rule_parse(bad[i], &r))
            fail_msg("count_rule_parse accepted \"%s\"", bad[i]);
        /* A rejected rule leaves the caller's value alone. */
        assert_int_equal(r.kind, RULE_AT_LEAST);
        assert_float_equal(r.pct, 42.0, 0);
    }
}

static void test_describe(void **state)
{
    (void)state;
    char buf[64];
    count_rule r = parsed("exact");
    count_rule_describe(&r, buf, sizeof buf);
    assert_string_equal(buf, "exact");

    r = parsed("at-least");
    count_rule_describe(&r, buf, sizeof buf);
    assert_string_equal(buf, "at-least");

    r = parsed("tolerance 2%");
    count_rule_describe(&r, buf, sizeof buf);
    assert_string_equal(buf, "tolerance 2%");

    /* Shown the way the parser reads it, without the blank before '%'. */
    r = parsed("tolerance 0.5 %");
    count_rule_describe(&r, buf, sizeof buf);
    assert_string_equal(buf, "tolerance 0.5%");

    /* What describe prints parses back to the same rule. */
    count_rule again;
    assert_true(count_rule_parse(buf, &again));
    assert_int_equal(again.kind, RULE_TOLERANCE);
    assert_float_equal(again.pct, 0.5, 1e-12);
}

static void test_describe_truncates_safely(void **state)
{
    (void)state;
    char buf[6];
    memset(buf, 'x', sizeof buf);
    count_rule r = parsed("tolerance 12.5%");
    count_rule_describe(&r, buf, sizeof buf);
    assert_string_equal(buf, "toler");
}

static void test_expected(void **state)
{
    (void)state;
    char buf[64];
    count_rule r = parsed("exact");
    count_rule_expected(&r, 1000, buf, sizeof buf);
    assert_string_equal(buf, "1000");

    r = parsed("at-least");
    count_rule_expected(&r, 1000, buf, sizeof buf);
    assert_string_equal(buf, ">= 1000");

    r = parsed("tolerance 2%");
    count_rule_expected(&r, 1000, buf, sizeof buf);
    assert_string_equal(buf, "1000 \xc2\xb1 2%");

    r = parsed("tolerance 0.5 %");
    count_rule_expected(&r, 0, buf, sizeof buf);
    assert_string_equal(buf, "0 \xc2\xb1 0.5%");

    /* Counts beyond 32 bits are printed whole. */
    r = parsed("exact");
    count_rule_expected(&r, INT64_C(5000000000), buf, sizeof buf);
    assert_string_equal(buf, "5000000000");
}

static void test_judge_exact(void **state)
{
    (void)state;
    char reason[256];
    count_rule r = parsed("exact");

    assert_int_equal(count_rule_judge(&r, 1000, 1000, reason, sizeof reason), RESULT_PASS);
    assert_string_equal(reason, "same row count as the baseline; rule exact");

    assert_int_equal(count_rule_judge(&r, 1000, 990, reason, sizeof reason), RESULT_FAIL);
    assert_string_equal(reason, "10 rows missing (-1.00%); rule exact allows no difference");

    assert_int_equal(count_rule_judge(&r, 1000, 1001, reason, sizeof reason), RESULT_FAIL);
    assert_string_equal(reason,
                        "1 row more than the baseline (+0.10%); rule exact allows no difference");
}

static void test_judge_at_least(void **state)
{
    (void)state;
    char reason[256];
    count_rule r = parsed("at-least");

    assert_int_equal(count_rule_judge(&r, 500, 500, reason, sizeof reason), RESULT_PASS);
    assert_string_equal(reason, "same row count as the baseline; rule at-least");

    assert_int_equal(count_rule_judge(&r, 500, 750, reason, sizeof reason), RESULT_PASS);
    assert_string_equal(reason, "250 rows more than the baseline (+50.00%); rule at-least");

    assert_int_equal(count_rule_judge(&r, 500, 499, reason, sizeof reason), RESULT_FAIL);
    assert_string_equal(reason, "1 row missing (-0.20%); rule at-least allows no fewer rows");

    assert_int_equal(count_rule_judge(&r, 500, 0, reason, sizeof reason), RESULT_FAIL);
    assert_string_equal(reason, "500 rows missing (-100.00%); rule at-least allows no fewer rows");
}

static void test_judge_tolerance_boundaries(void **state)
{
    (void)state;
    char reason[256];
    count_rule r = parsed("tolerance 2%");

    /* Exactly at the limit, either way: passes. */
    assert_int_equal(count_rule_judge(&r, 1000, 1020, reason, sizeof reason), RESULT_PASS);
    assert_string_equal(reason, "20 rows more than the baseline (+2.00%); rule tolerance 2%");
    assert_int_equal(count_rule_judge(&r, 1000, 980, reason, sizeof reason), RESULT_PASS);
    assert_string_equal(reason, "20 rows missing (-2.00%); rule tolerance 2%");

    /* One row over the limit, either way: fails. */
    assert_int_equal(count_rule_judge(&r, 1000, 1021, reason, sizeof reason), RESULT_FAIL);
    assert_string_equal(reason,
                        "21 rows more than the baseline (+2.10%); rule tolerance 2% allows at most 20 rows either way");
    assert_int_equal(count_rule_judge(&r, 1000, 979, reason, sizeof reason), RESULT_FAIL);
    assert_string_equal(reason, "21 rows missing (-2.10%); rule tolerance 2% allows at most 20 rows either way");

    /* Inside the limit. */
    assert_int_equal(count_rule_judge(&r, 1000, 1000, reason, sizeof reason), RESULT_PASS);
    assert_string_equal(reason, "same row count as the baseline; rule tolerance 2%");
}

static void test_judge_tolerance_fractional_limit(void **state)
{
    (void)state;
    char reason[256];
    /* 0.1% and 0.7% have no exact binary form: the limit itself must still pass. */
    count_rule r = parsed("tolerance 0.1%");
    assert_int_equal(count_rule_judge(&r, 1000, 1001, reason, sizeof reason), RESULT_PASS);
    assert_int_equal(count_rule_judge(&r, 1000, 1002, reason, sizeof reason), RESULT_FAIL);

    r = parsed("tolerance 0.7%");
    assert_int_equal(count_rule_judge(&r, 3000, 3021, reason, sizeof reason), RESULT_PASS);
    assert_int_equal(count_rule_judge(&r, 3000, 2979, reason, sizeof reason), RESULT_PASS);
    assert_int_equal(count_rule_judge(&r, 3000, 3022, reason, sizeof reason), RESULT_FAIL);

    /* tolerance 0% behaves as exact. */
    r = parsed("tolerance 0%");
    assert_int_equal(count_rule_judge(&r, 1000, 1000, reason, sizeof reason), RESULT_PASS);
    assert_int_equal(count_rule_judge(&r, 1000, 1001, reason, sizeof reason), RESULT_FAIL);

    /* tolerance 100% lets a table go empty but not double. */
    r = parsed("tolerance 100%");
    assert_int_equal(count_rule_judge(&r, 1000, 0, reason, sizeof reason), RESULT_PASS);
    assert_int_equal(count_rule_judge(&r, 1000, 2000, reason, sizeof reason), RESULT_PASS);
    assert_int_equal(count_rule_judge(&r, 1000, 2001, reason, sizeof reason), RESULT_FAIL);
}

static void test_judge_baseline_zero(void **state)
{
    (void)state;
    char reason[256];
    count_rule exact = parsed("exact"), at_least = parsed("at-least"),
               tol = parsed("tolerance 50%");

    /* Still empty: every rule passes. */
    assert_int_equal(count_rule_judge(&exact, 0, 0, reason, sizeof reason), RESULT_PASS);
    assert_string_equal(reason, "same row count as the baseline; rule exact");
    assert_int_equal(count_rule_judge(&tol, 0, 0, reason, sizeof reason), RESULT_PASS);
    assert_string_equal(reason, "same row count as the baseline; rule tolerance 50%");

    /* Rows where there were none: no percentage makes sense. */
    assert_int_equal(count_rule_judge(&exact, 0, 3, reason, sizeof reason), RESULT_FAIL);
    assert_string_equal(reason, "3 rows where the baseline had none; rule exact allows no difference");
    assert_int_equal(count_rule_judge(&tol, 0, 3, reason, sizeof reason), RESULT_FAIL);
    assert_string_equal(reason, "3 rows where the baseline had none; rule tolerance 50% allows at most 0 rows either way");
    assert_int_equal(count_rule_judge(&at_least, 0, 3, reason, sizeof reason), RESULT_PASS);
    assert_string_equal(reason, "3 rows where the baseline had none; rule at-least");
}

static void test_judge_large_counts(void **state)
{
    (void)state;
    char reason[256];
    count_rule r = parsed("tolerance 1%");
    int64_t base = INT64_C(10000000000);
    assert_int_equal(count_rule_judge(&r, base, base + INT64_C(100000000), reason, sizeof reason),
                     RESULT_PASS);
    assert_string_equal(reason,
                        "100000000 rows more than the baseline (+1.00%); rule tolerance 1%");
    assert_int_equal(count_rule_judge(&r, base, base - INT64_C(100000001), reason, sizeof reason),
                     RESULT_FAIL);
}

static void test_judge_reason_truncates_safely(void **state)
{
    (void)state;
    char reason[12];
    count_rule r = parsed("exact");
    assert_int_equal(count_rule_judge(&r, 1000, 990, reason, sizeof reason), RESULT_FAIL);
    assert_string_equal(reason, "10 rows mis");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_exact),
        cmocka_unit_test(test_parse_at_least),
        cmocka_unit_test(test_parse_tolerance),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_describe_truncates_safely),
        cmocka_unit_test(test_expected),
        cmocka_unit_test(test_judge_exact),
        cmocka_unit_test(test_judge_at_least),
        cmocka_unit_test(test_judge_tolerance_boundaries),
        cmocka_unit_test(test_judge_tolerance_fractional_limit),
        cmocka_unit_test(test_judge_baseline_zero),
        cmocka_unit_test(test_judge_large_counts),
        cmocka_unit_test(test_judge_reason_truncates_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
