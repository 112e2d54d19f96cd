/* checks/residency_period: which months residency evidence must cover as of an instant. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks/residency_period.h"
#include "src/util.h"

static int64_t at(const char *iso)
{
    int64_t ms;
    if (!time_parse_iso(iso, &ms))
        fail_msg("bad time in test: %s", iso);
    return ms;
}

static int month(const char *s)
{
    int m;
    if (!month_parse(s, &m))
        fail_msg("bad month in test: %s", s);
    return m;
}

static void test_last_due(void **state)
{
    (void)state;
    int64_t day = 86400000;
    /* at the demo anchor September has just ended: due without grace, not with 7 days */
    assert_int_equal(month_last_due(at("2026-10-01T00:00:00Z"), 0), month("2026-09"));
    assert_int_equal(month_last_due(at("2026-10-01T00:00:00Z"), 7 * day), month("2026-08"));
    assert_int_equal(month_last_due(at("2026-10-08T00:00:00Z"), 7 * day), month("2026-09"));
    assert_int_equal(month_last_due(at("2026-10-07T23:59:59Z"), 7 * day), month("2026-08"));
    /* an offset in the as-of time is honoured: months are UTC */
    assert_int_equal(month_last_due(at("2026-10-01T09:00:00+10:00"), 0), month("2026-08"));
    assert_int_equal(month_last_due(at("2026-01-15T00:00:00Z"), 0), month("2025-12"));
}

static void test_month_text(void **state)
{
    (void)state;
    char buf[16];
    month_format(month("2025-12") + 1, buf, sizeof buf);
    assert_string_equal(buf, "2026-01");
    assert_true(month_start(month("2026-03")) == at("2026-03-01T00:00:00Z"));
    int m;
    assert_false(month_parse("2026-13", &m));
    assert_false(month_parse("2026-1", &m));
    assert_false(month_parse("2026-01-01", &m));
    assert_false(month_parse("", &m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_due),
        cmocka_unit_test(test_month_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
