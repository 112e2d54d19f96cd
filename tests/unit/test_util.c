/* src/util: the small helpers whose output people and parsers read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/util.h"

static void expect_scrub(const char *in, const char *want)
{
    char *got = utf8_scrub(in);
    assert_string_equal(got, want);
    free(got);
}

static void test_utf8_scrub(void **state)
{
    (void)state;
    assert_null(utf8_scrub(NULL));
    expect_scrub("public.tasks", "public.tasks");
    expect_scrub("1000 \xc2\xb1 2%", "1000 \xc2\xb1 2%");          /* ± stays */
    expect_scrub("caf\xe9", "caf?");                                /* Latin-1 é */
    expect_scrub("\xe2\x82", "??");                                 /* cut-off sequence */
    expect_scrub("\xc0\xaf", "??");                                 /* overlong '/' */
    expect_scrub("\xed\xa0\x80", "???");                            /* a surrogate */
    expect_scrub("\xf4\x90\x80\x80", "????");                       /* beyond U+10FFFF */
    expect_scrub("\xf0\x9f\x98\x80 ok", "\xf0\x9f\x98\x80 ok");     /* an emoji stays */
}

static void test_utc_round_trip(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(utc_parse_ms("1970-01-01T00:00:01.250Z", &ms));
    assert_int_equal(ms, 1250);
    assert_true(utc_parse_ms("2026-11-25T20:58:36.320Z", &ms));
    assert_int_equal(ms, 1795640316320LL);
    char now[40];
    utc_now(now, sizeof now);
    assert_int_equal(strlen(now), strlen("2026-11-25T20:58:36.320Z"));
    assert_true(utc_parse_ms(now, &ms));
    assert_false(utc_parse_ms("2026-11-25 20:58:36", &ms));
    assert_false(utc_parse_ms(NULL, &ms));
}

static void test_time_parse_iso(void **state)
{
    (void)state;
    int64_t ms;
    char buf[32];
    assert_true(time_parse_iso("2026-10-01T02:00:00Z", &ms));
    utc_format_ms(ms, buf, sizeof buf);
    assert_string_equal(buf, "2026-10-01T02:00:00.000Z");
    assert_true(time_parse_iso("2026-10-01 12:00+10:00", &ms));
    utc_format_ms(ms, buf, sizeof buf);
    assert_string_equal(buf, "2026-10-01T02:00:00.000Z");
    assert_true(time_parse_iso("2026-10-01T02:30:15.25-0130", &ms));
    utc_format_ms(ms, buf, sizeof buf);
    assert_string_equal(buf, "2026-10-01T04:00:15.250Z");
    /* no zone, a day that does not exist, trailing words, a bad offset */
    assert_false(time_parse_iso("2026-10-01T02:00:00", &ms));
    assert_false(time_parse_iso("2026-02-30T02:00Z", &ms));
    assert_false(time_parse_iso("2026-10-01T02:00Z tomorrow", &ms));
    assert_false(time_parse_iso("2026-10-01T02:00+1x", &ms));
    assert_false(time_parse_iso("yesterday", &ms));
    utc_format_ms(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
}

static void test_parse_int64(void **state)
{
    (void)state;
    int64_t v;
    assert_true(parse_int64("42", &v));
    assert_int_equal(v, 42);
    assert_false(parse_int64("42x", &v));
    assert_false(parse_int64(" 42", &v));
    assert_false(parse_int64("", &v));
    assert_false(parse_int64("99999999999999999999", &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_scrub),
        cmocka_unit_test(test_utc_round_trip),
        cmocka_unit_test(test_parse_int64),
        cmocka_unit_test(test_time_parse_iso),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
