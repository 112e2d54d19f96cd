/* checks/content_diff: how a range whose digest differs is narrowed to the rows that
 * differ from the sums alone — changed in place, removed, added, one for another —
 * and when it is not. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/content_diff.h"
#include "src/util.h"

/* A row for the tests: key g, digest halves h1 and h2, one column hash c. Small values
 * keep the sums within int64 here; the module itself uses big integers. */
typedef struct trow {
    int64_t g, h1, h2, c;
} trow;

/* The range the server would compute over rows. */
static content_range range_of(int64_t bucket, const trow *rows, size_t n)
{
    content_range r = {0};
    int64_t s1 = 0, g1 = 0, s2 = 0, g2 = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
        s1 += rows[i].h1;
        g1 += rows[i].g * rows[i].h1;
        s2 += rows[i].h2;
        g2 += rows[i].g * rows[i].h2;
        c += rows[i].c;
    }
    r.bucket = bucket;
    r.rows = (int64_t)n;
    r.sums[0] = xasprintf("%lld", (long long)s1);
    r.sums[1] = xasprintf("%lld", (long long)g1);
    r.sums[2] = xasprintf("%lld", (long long)s2);
    r.sums[3] = xasprintf("%lld", (long long)g2);
    r.n_cols = 1;
    r.cols = xcalloc(1, sizeof *r.cols);
    r.cols[0] = xasprintf("%lld", (long long)c);
    return r;
}

typedef struct now_rows {
    content_row v[8];
    int64_t c[8];
    bool has[8];
} now_rows;

static void rows_of(now_rows *x, const trow *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        x->c[i] = rows[i].c;
        x->has[i] = true;
        x->v[i] = (content_row){rows[i].g, rows[i].h1, rows[i].h2, &x->c[i], &x->has[i]};
    }
}

static const content_cut cut10 = {10, 0};

static void explain(const trow *b, size_t nb, const trow *n, size_t nn, content_explained *ex)
{
    content_range base = range_of(0, b, nb), now = range_of(0, n, nn);
    now_rows rows;
    rows_of(&rows, n, nn);
    content_explain(&cut10, &base, &now, rows.v, nn, ex);
    content_range_release(&base);
    content_range_release(&now);
}

static void test_changed_in_place(void **state)
{
    (void)state;
    trow b[] = {{1, 1001, 2001, 7}, {2, 1002, 2002, 8}, {3, 1003, 2003, 9}};
    trow n[] = {{1, 1001, 2001, 7}, {2, 1502, 2702, 11}, {3, 1003, 2003, 9}};
    content_explained ex;
    explain(b, 3, n, 3, &ex);
    assert_true(ex.explained);
    assert_int_equal(ex.changed_row, 1);
    assert_int_equal(ex.added_row, -1);
    assert_false(ex.removed);
    assert_true(ex.cols_changed[0]);
    free(ex.cols_changed);
}

static void test_removed(void **state)
{
    (void)state;
    trow b[] = {{1, 1001, 2001, 7}, {2, 1002, 2002, 8}, {3, 1003, 2003, 9}};
    trow n[] = {{1, 1001, 2001, 7}, {3, 1003, 2003, 9}};
    content_explained ex;
    explain(b, 3, n, 2, &ex);
    assert_true(ex.explained);
    assert_true(ex.removed);
    assert_int_equal(ex.removed_g, 2);
    assert_int_equal(ex.changed_row, -1);
    assert_int_equal(ex.added_row, -1);
    free(ex.cols_changed);
}

static void test_added(void **state)
{
    (void)state;
    trow b[] = {{1, 1001, 2001, 7}, {3, 1003, 2003, 9}};
    trow n[] = {{1, 1001, 2001, 7}, {3, 1003, 2003, 9}, {5, 1777, 2888, 4}};
    content_explained ex;
    explain(b, 2, n, 3, &ex);
    assert_true(ex.explained);
    assert_int_equal(ex.added_row, 2);
    assert_false(ex.removed);
    free(ex.cols_changed);
}

static void test_one_for_another(void **state)
{
    (void)state;
    /* Same count: key 2 gone, key 7 in its place. */
    trow b[] = {{1, 1001, 2001, 7}, {2, 1002, 2002, 8}};
    trow n[] = {{1, 1001, 2001, 7}, {7, 1234, 2345, 8}};
    content_explained ex;
    explain(b, 2, n, 2, &ex);
    assert_true(ex.explained);
    assert_int_equal(ex.added_row, 1);
    assert_true(ex.removed);
    assert_int_equal(ex.removed_g, 2);
    assert_int_equal(ex.changed_row, -1);
    /* The column's hash is the same: its sum did not move. */
    assert_false(ex.cols_changed[0]);
    free(ex.cols_changed);
}

static void test_two_changes_are_not_guessed(void **state)
{
    (void)state;
    trow b[] = {{1, 1001, 2001, 7}, {2, 1002, 2002, 8}, {3, 1003, 2003, 9}};
    trow n[] = {{1, 1101, 2101, 17}, {2, 1002, 2002, 8}, {3, 1203, 2203, 9}};
    content_explained ex;
    explain(b, 3, n, 3, &ex);
    assert_false(ex.explained);
    assert_true(ex.cols_changed[0]);
    free(ex.cols_changed);
}

static void test_removed_key_outside_the_range_is_refused(void **state)
{
    (void)state;
    /* The sums would point at key 12, which is not in ids 0-9: not a single removal. */
    trow b[] = {{1, 1001, 2001, 7}, {12, 1002, 2002, 8}};
    trow n[] = {{1, 1001, 2001, 7}};
    content_explained ex;
    explain(b, 2, n, 1, &ex);
    assert_false(ex.explained);
    free(ex.cols_changed);
}

static void test_buckets(void **state)
{
    (void)state;
    content_cut by_range = {1000, 0}, by_hash = {0, 256};
    assert_int_equal(content_bucket(&by_range, 999), 0);
    assert_int_equal(content_bucket(&by_range, 1000), 1);
    assert_int_equal(content_bucket(&by_range, -5), 0); /* truncating, as the server does */
    assert_int_equal(content_bucket(&by_hash, 257), 1);
}

static void test_same(void **state)
{
    (void)state;
    trow b[] = {{1, 1001, 2001, 7}}, c[] = {{1, 1001, 2002, 7}};
    content_range x = range_of(0, b, 1), y = range_of(0, b, 1), z = range_of(0, c, 1);
    assert_true(content_range_same(&x, &y));
    assert_false(content_range_same(&x, &z));
    content_range_release(&x);
    content_range_release(&y);
    content_range_release(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changed_in_place),
        cmocka_unit_test(test_removed),
        cmocka_unit_test(test_added),
        cmocka_unit_test(test_one_for_another),
        cmocka_unit_test(test_two_changes_are_not_guessed),
        cmocka_unit_test(test_removed_key_outside_the_range_is_refused),
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
