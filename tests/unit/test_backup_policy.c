/* checks/backup_policy: the one-line policy grammar of [backups] policy and its spans. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "checks/backup_policy.h"
#include "src/util.h"

static backup_policy parsed(const char *line)
{
    backup_policy p;
    char why[256];
    if (!backup_policy_parse(line, &p, why, sizeof why))
        fail_msg("rejected \"%s\": %s", line, why);
    return p;
}

/* The reason a line is refused; fails the test when it is accepted. */
static const char *refused(const char *line)
{
    static char why[256];
    backup_policy p;
    if (backup_policy_parse(line, &p, why, sizeof why)) {
        backup_policy_release(&p);
        fail_msg("accepted \"%s\"", line);
    }
    return why;
}

static void test_runbook_lines(void **state)
{
    (void)state;
    backup_policy p = parsed("nightly daily 02:00 keep 30d regions ap-southeast-2,ap-southeast-4");
    assert_string_equal(p.kind, "nightly");
    assert_int_equal(p.when.kind, CADENCE_DAILY);
    assert_int_equal(p.when.hour, 2);
    assert_int_equal(p.when.minute, 0);
    assert_true(p.keep.ms == 30 * 86400000LL && p.keep.months == 0);
    assert_int_equal(p.n_regions, 2);
    assert_string_equal(p.regions[1], "ap-southeast-4");
    assert_null(p.regions[2]);
    assert_false(p.encrypted);
    backup_policy_release(&p);

    p = parsed("weekly  weekly Sunday 03:00 keep 12w encrypted regions ap-southeast-2");
    assert_int_equal(p.when.kind, CADENCE_WEEKLY);
    assert_int_equal(p.when.weekday, 0);
    assert_int_equal(p.when.hour, 3);
    assert_true(p.keep.ms == 84 * 86400000LL);
    assert_string_equal(p.keep_text, "12w"); /* shown as configured, not as 84d */
    assert_true(p.encrypted);
    backup_policy_release(&p);

    p = parsed("monthly monthly first-business-day 09:30 keep 12mo slack 4h");
    assert_int_equal(p.when.kind, CADENCE_MONTHLY_FIRST_BUSINESS_DAY);
    assert_int_equal(p.when.minute, 30);
    assert_int_equal(p.keep.months, 12);
    assert_true(p.has_slack && p.slack_ms == 4 * 3600000LL);
    assert_null(p.regions);
    backup_policy_release(&p);

    p = parsed("hourly hourly :15 keep 7d");
    assert_int_equal(p.when.kind, CADENCE_HOURLY);
    assert_int_equal(p.when.minute, 15);
    backup_policy_release(&p);
    p = parsed("snap hourly keep 36h");
    assert_int_equal(p.when.minute, 0);
    backup_policy_release(&p);
}

static void test_refusals_say_why(void **state)
{
    (void)state;
    assert_non_null(strstr(refused("nightly daily 02:00"), "no retention"));
    assert_non_null(strstr(refused("nightly daily 25:00 keep 30d"), "local time"));
    assert_non_null(strstr(refused("nightly daily 2:00 keep 30d"), "local time"));
    assert_non_null(strstr(refused("weekly weekly someday 03:00 keep 12w"), "weekday"));
    assert_non_null(strstr(refused("monthly monthly 1 09:00 keep 12mo"), "first-business-day"));
    assert_non_null(strstr(refused("nightly fortnightly 02:00 keep 30d"), "not a cadence"));
    assert_non_null(strstr(refused("nightly daily 02:00 keep forever"), "not a span"));
    assert_non_null(strstr(refused("nightly daily 02:00 keep 0d"), "not a span"));
    assert_non_null(strstr(refused("nightly daily 02:00 keep 30d regions a,,b"), "empty region"));
    assert_non_null(strstr(refused("nightly daily 02:00 keep 30d regions a regions b"), "twice"));
    assert_non_null(strstr(refused("nightly daily 02:00 keep 30d compressed"), "compressed"));
    assert_non_null(strstr(refused("nightly daily 02:00 keep 30d slack 1mo"), "slack"));
    assert_non_null(strstr(refused("night;ly daily 02:00 keep 30d"), "kind name"));
    assert_non_null(strstr(refused("   "), "empty"));
}

static void test_spans(void **state)
{
    (void)state;
    span s;
    assert_true(span_parse("90s", false, &s) && s.ms == 90000);
    assert_true(span_parse("45min", false, &s) && s.ms == 45 * 60000);
    assert_true(span_parse("36h", false, &s) && s.ms == 36 * 3600000LL);
    assert_true(span_parse("12mo", true, &s) && s.months == 12 && s.ms == 0);
    assert_false(span_parse("12mo", false, &s));
    assert_false(span_parse("-1d", false, &s));
    assert_false(span_parse("1.5h", false, &s));
    assert_false(span_parse("h", false, &s));
    assert_false(span_parse("3 d", false, &s));
    char buf[32];
    span_format(&(span){30 * 86400000LL, 0}, buf, sizeof buf);
    assert_string_equal(buf, "30d");
    span_format(&(span){86400000LL, 0}, buf, sizeof buf);
    assert_string_equal(buf, "24h");
    span_format(&(span){0, 12}, buf, sizeof buf);
    assert_string_equal(buf, "12mo");
    duration_format(3 * 3600000LL + 5 * 60000, buf, sizeof buf);
    assert_string_equal(buf, "3 h 5 min");
    duration_format(50 * 3600000LL, buf, sizeof buf);
    assert_string_equal(buf, "2 d 2 h");
}

static void test_describe(void **state)
{
    (void)state;
    char buf[64];
    cadence_describe(&(cadence){CADENCE_WEEKLY, 3, 0, 0}, buf, sizeof buf);
    assert_string_equal(buf, "weekly sunday 03:00");
    cadence_describe(&(cadence){CADENCE_DAILY, 2, 5, 0}, buf, sizeof buf);
    assert_string_equal(buf, "daily 02:05");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runbook_lines),
        cmocka_unit_test(test_refusals_say_why),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
