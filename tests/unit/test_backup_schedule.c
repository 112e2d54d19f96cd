/* checks/tz_local and checks/backup_schedule: wall-clock times in Australia/Sydney
 * across both daylight-saving changes, slots of every cadence, judging an inventory's
 * times against them, and the worst gap between restore points. Needs tzdata. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "checks/backup_schedule.h"
#include "checks/tz_local.h"
#include "src/util.h"

static int64_t at(const char *iso)
{
    int64_t ms;
    if (!time_parse_iso(iso, &ms))
        fail_msg("bad time in test: %s", iso);
    return ms;
}

static tz_scope zone;

static int enter_sydney(void **state)
{
    (void)state;
    if (!tz_known("Australia/Sydney"))
        return -1;
    tz_enter(&zone, "Australia/Sydney");
    return 0;
}

static int leave(void **state)
{
    (void)state;
    tz_leave(&zone);
    return 0;
}

static int64_t local(int y, int mo, int d, int h, int mi)
{
    local_time lt = {y, mo, d, h, mi};
    return tz_local_to_utc(&lt);
}

static void test_zone_names(void **state)
{
    (void)state;
    assert_true(tz_known("Australia/Sydney"));
    assert_true(tz_known("UTC"));
    assert_false(tz_known("Australia/Atlantis"));
    assert_false(tz_known("../etc/passwd"));
    assert_false(tz_known("/usr/share/zoneinfo/UTC"));
    assert_false(tz_known(""));
}

static void test_scope_restores_tz(void **state)
{
    (void)state;
    /* the fixture has Sydney; a nested scope puts it back */
    tz_scope inner;
    tz_enter(&inner, "UTC");
    assert_int_equal(tz_offset_s(at("2026-07-01T00:00:00Z")), 0);
    tz_leave(&inner);
    assert_int_equal(tz_offset_s(at("2026-07-01T00:00:00Z")), 10 * 3600);
    assert_string_equal(getenv("TZ"), "Australia/Sydney");
}

static void test_two_am_all_year(void **state)
{
    (void)state;
    /* 02:00 AEST in winter is 16:00 UTC the day before; 02:00 AEDT in summer is 15:00 */
    assert_true(local(2026, 7, 1, 2, 0) == at("2026-06-30T16:00:00Z"));
    assert_true(local(2026, 1, 10, 2, 0) == at("2026-01-09T15:00:00Z"));
}

static void test_spring_forward_gap(void **state)
{
    (void)state;
    /* 2026-10-04: clocks go from 02:00 AEST to 03:00 AEDT; 02:00 and 02:30 do not exist
     * and are read with the offset before the change */
    assert_true(local(2026, 10, 4, 2, 0) == at("2026-10-03T16:00:00Z"));
    assert_true(local(2026, 10, 4, 2, 30) == at("2026-10-03T16:30:00Z"));
    assert_true(local(2026, 10, 4, 3, 0) == at("2026-10-03T16:00:00Z"));
    assert_true(local(2026, 10, 4, 1, 59) == at("2026-10-03T15:59:00Z"));
}

static void test_autumn_repeat(void **state)
{
    (void)state;
    /* 2026-04-05: clocks go from 03:00 AEDT back to 02:00 AEST; 02:30 happens twice,
     * the first (AEDT) counts */
    assert_true(local(2026, 4, 5, 2, 30) == at("2026-04-04T15:30:00Z"));
    assert_true(local(2026, 4, 5, 3, 0) == at("2026-04-04T17:00:00Z"));
    char buf[48];
    tz_format(at("2026-04-04T16:30:00Z"), buf, sizeof buf);
    assert_string_equal(buf, "2026-04-05 02:30 AEST");
    tz_format(at("2026-04-04T15:30:00Z"), buf, sizeof buf);
    assert_string_equal(buf, "2026-04-05 02:30 AEDT");
}

static void test_daily_slots_across_spring(void **state)
{
    (void)state;
    cadence c = {CADENCE_DAILY, 2, 0, 0};
    int64_t s1 = slot_at_or_after(&c, at("2026-10-02T00:00:00Z"));
    int64_t s2 = slot_at_or_after(&c, s1 + 1);
    int64_t s3 = slot_at_or_after(&c, s2 + 1);
    assert_true(s1 == at("2026-10-02T16:00:00Z")); /* 02:00 AEST, Oct 3 */
    assert_true(s2 == at("2026-10-03T16:00:00Z")); /* "02:00" Oct 4 = 03:00 AEDT */
    assert_true(s3 == at("2026-10-04T15:00:00Z")); /* 02:00 AEDT, Oct 5 */
    /* a slot exactly at ms is that slot */
    assert_true(slot_at_or_after(&c, s2) == s2);
}

static void test_hourly_slots_across_autumn(void **state)
{
    (void)state;
    /* every real hour has its slot, the repeated 02:00 too */
    cadence c = {CADENCE_HOURLY, 0, 0, 0};
    int64_t s = slot_at_or_after(&c, at("2026-04-04T13:30:00Z"));
    const char *want[] = {"2026-04-04T14:00:00Z", "2026-04-04T15:00:00Z", "2026-04-04T16:00:00Z",
                          "2026-04-04T17:00:00Z", "2026-04-04T18:00:00Z"};
    for (size_t i = 0; i < 5; i++) {
        assert_true(s == at(want[i]));
        s = slot_at_or_after(&c, s + 1);
    }
    /* ":15 past" in a zone with a whole-hour offset */
    cadence q = {CADENCE_HOURLY, 0, 15, 0};
    assert_true(slot_at_or_after(&q, at("2026-10-03T15:20:00Z")) == at("2026-10-03T16:15:00Z"));
}

static void test_weekly_and_monthly(void **state)
{
    (void)state;
    cadence w = {CADENCE_WEEKLY, 3, 0, 0}; /* sunday 03:00 */
    assert_true(slot_at_or_after(&w, at("2026-09-28T00:00:00Z")) == at("2026-10-03T16:00:00Z"));
    assert_true(slot_at_or_after(&w, at("2026-03-30T00:00:00Z")) == at("2026-04-04T17:00:00Z"));
    cadence m = {CADENCE_MONTHLY_FIRST_BUSINESS_DAY, 9, 0, 0};
    /* March 2026 starts on a Sunday, August on a Saturday, November on a Sunday */
    assert_true(slot_at_or_after(&m, at("2026-02-15T00:00:00Z")) == at("2026-03-01T22:00:00Z"));
    assert_true(slot_at_or_after(&m, at("2026-07-15T00:00:00Z")) == at("2026-08-02T23:00:00Z"));
    assert_true(slot_at_or_after(&m, at("2026-10-15T00:00:00Z")) == at("2026-11-01T22:00:00Z"));
    /* October 2026 starts on a Thursday */
    assert_true(slot_at_or_after(&m, at("2026-09-15T00:00:00Z")) == at("2026-09-30T23:00:00Z"));
}

static void test_judge_missing_and_late(void **state)
{
    (void)state;
    cadence c = {CADENCE_DAILY, 2, 0, 0};
    int64_t hour = 3600000;
    int64_t taken[] = {
        at("2026-10-02T16:05:00Z"),          /* Oct 3 on time */
        /* Oct 4 (03:00 AEDT) missing */
        at("2026-10-04T15:00:00Z") + 3 * hour, /* Oct 5, three hours late */
        at("2026-10-05T14:50:00Z"),          /* Oct 6, ten minutes early */
    };
    slot_report r;
    schedule_judge(&c, taken, 3, at("2026-10-02T00:00:00Z"), at("2026-10-06T00:00:00Z"),
                   hour, &r);
    assert_int_equal(r.judged, 4);
    assert_int_equal(r.missing, 1);
    assert_int_equal(r.late, 1);
    assert_int_equal(r.n_misses, 2);
    assert_true(r.misses[0].slot == at("2026-10-03T16:00:00Z"));
    assert_true(r.misses[0].taken == SLOT_MISSING);
    assert_true(r.misses[1].slot == at("2026-10-04T15:00:00Z"));
    assert_true(r.misses[1].taken == taken[1]);
    free(r.misses);
}

static void test_judge_utc_instead_of_local(void **state)
{
    (void)state;
    /* nightlies at 02:00 UTC (12:00/13:00 Sydney) are ten-plus hours late, every one */
    cadence c = {CADENCE_DAILY, 2, 0, 0};
    int64_t taken[5];
    for (int i = 0; i < 5; i++)
        taken[i] = at("2026-09-20T02:00:00Z") + (int64_t)i * 86400000;
    slot_report r;
    schedule_judge(&c, taken, 5, at("2026-09-19T15:00:00Z"), at("2026-09-24T03:00:00Z"), 3600000,
                   &r);
    assert_int_equal(r.judged, 5);
    assert_int_equal(r.late, 5);
    assert_int_equal(r.missing, 0);
    free(r.misses);
}

static void test_slot_serving(void **state)
{
    (void)state;
    cadence h = {CADENCE_HOURLY, 0, 0, 0};
    int64_t hour = 3600000;
    /* with a slack of an hour, an hourly slot's window is 30 minutes either side */
    assert_true(slot_serving(&h, at("2026-09-01T10:20:00Z"), hour) == at("2026-09-01T10:00:00Z"));
    assert_true(slot_serving(&h, at("2026-09-01T10:40:00Z"), hour) == at("2026-09-01T11:00:00Z"));
    cadence d = {CADENCE_DAILY, 2, 0, 0};
    assert_true(slot_serving(&d, at("2026-09-01T16:07:00Z"), hour) == at("2026-09-01T16:00:00Z"));
}

static void test_worst_gap(void **state)
{
    (void)state;
    int64_t h = 3600000, t0 = at("2026-09-01T00:00:00Z");
    int64_t times[] = {t0, t0 + h, t0 + 2 * h, t0 + 6 * h, t0 + 7 * h};
    int64_t from, to;
    assert_true(worst_gap(times, 5, t0, t0 + 8 * h, &from, &to) == 4 * h);
    assert_true(from == t0 + 2 * h && to == t0 + 6 * h);
    /* the time since the newest point counts up to hi */
    assert_true(worst_gap(times, 5, t0, t0 + 20 * h, &from, &to) == 13 * h);
    assert_true(from == t0 + 7 * h && to == t0 + 20 * h);
    /* every point older than the window: the gap since the newest still counts */
    assert_true(worst_gap(times, 5, t0 + 10 * h, t0 + 20 * h, &from, &to) == 13 * h);
    assert_true(from == t0 + 7 * h && to == t0 + 20 * h);
    /* no point at all */
    assert_true(worst_gap(times, 0, t0, t0 + h, &from, &to) == 0 && from == 0 && to == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_names),
        cmocka_unit_test(test_scope_restores_tz),
        cmocka_unit_test(test_two_am_all_year),
        cmocka_unit_test(test_spring_forward_gap),
        cmocka_unit_test(test_autumn_repeat),
        cmocka_unit_test(test_daily_slots_across_spring),
        cmocka_unit_test(test_hourly_slots_across_autumn),
        cmocka_unit_test(test_weekly_and_monthly),
        cmocka_unit_test(test_judge_missing_and_late),
        cmocka_unit_test(test_judge_utc_instead_of_local),
        cmocka_unit_test(test_slot_serving),
        cmocka_unit_test(test_worst_gap),
    };
    return cmocka_run_group_tests(tests, enter_sydney, leave);
}
