/* The progress line: what it says of done, total, rate and time left, and that a
 * terminal's line is erased while a log gets whole lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/progress.h"

static void line_says_done_of_total_rate_and_time_left(void **state)
{
    (void)state;
    char b[200];
    progress_format(b, sizeof b, "audit_log", 1200000, 5000000, "rows", 3);
    assert_string_equal(b, "audit_log: 1 200 000 of 5 000 000 rows (24%), 400 000 rows/s,"
                           " 10 s left");
    progress_format(b, sizeof b, "audit_log", 100000, 5000000, "rows", 2);
    assert_string_equal(b, "audit_log: 100 000 of 5 000 000 rows (2%), 50 000 rows/s,"
                           " 1 min 38 s left");
    progress_format(b, sizeof b, "content", 3, 9, "queries", 0);
    assert_string_equal(b, "content: 3 of 9 queries (33%)"); /* no rate before time passes */
}

static void line_without_total_or_unit(void **state)
{
    (void)state;
    char b[200];
    /* an estimate that was wrong (more rows than reltuples said) or never made */
    progress_format(b, sizeof b, "audit_log", 6000000, 5000000, "rows", 10);
    assert_string_equal(b, "audit_log: 6 000 000 rows, 600 000 rows/s");
    progress_format(b, sizeof b, "audit_log", 5000, -1, "rows", 1);
    assert_string_equal(b, "audit_log: 5 000 rows, 5 000 rows/s");
    progress_format(b, sizeof b, "rowcount", 0, 0, NULL, 65);
    assert_string_equal(b, "rowcount: running, 1 min 05 s");
}

static char *slurp(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    return s;
}

static void live_line_is_drawn_in_place_and_erased(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    progress *p = progress_new(f, true);
    progress_begin(p, "rowcount", 0, NULL);
    progress_update(p, 10); /* within the second: not redrawn */
    progress_end(p);
    progress_free(p);
    char *s = slurp(f);
    assert_string_equal(s, "\rrowcount: running, 0 s\033[K\r\033[K");
    free(s);
    fclose(f);
}

static void plain_lines_for_a_log(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    progress *p = progress_new(f, false);
    progress_begin(p, "rowcount", 0, NULL);
    progress_begin(p, "rls", 0, NULL); /* within five seconds of the last line: nothing */
    progress_clear(p);
    progress_end(p);
    progress_free(p);
    char *s = slurp(f);
    assert_string_equal(s, "vouch: progress: rowcount: running, 0 s\n");
    free(s);
    fclose(f);
}

static void begin_with_a_total(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    progress *p = progress_new(f, false);
    progress_begin(p, "pack: runs read", 4, "runs");
    progress_free(p);
    char *s = slurp(f);
    assert_string_equal(s, "vouch: progress: pack: runs read: 0 of 4 runs (0%)\n");
    free(s);
    fclose(f);
}

static void no_meter_is_no_work(void **state)
{
    (void)state;
    progress_begin(NULL, "x", 0, NULL);
    progress_estimate(NULL, 5, "rows");
    progress_update(NULL, 1);
    progress_clear(NULL);
    progress_end(NULL);
    progress_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_says_done_of_total_rate_and_time_left),
        cmocka_unit_test(line_without_total_or_unit),
        cmocka_unit_test(live_line_is_drawn_in_place_and_erased),
        cmocka_unit_test(plain_lines_for_a_log),
        cmocka_unit_test(begin_with_a_total),
        cmocka_unit_test(no_meter_is_no_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
