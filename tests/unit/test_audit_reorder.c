/* checks/audit_reorder: rows handed on in id order, or a stop, never a wrong order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_reorder.h"

/* What was handed on: each row's id, and its two fields as text "A|B" (NULL as "-"). */
typedef struct seen {
    int64_t ids[4096];
    char text[4096][32];
    size_t n;
} seen;

static void on_emit(void *user, int64_t id, const copy_field *f, int n)
{
    seen *s = user;
    assert_int_equal(n, 2);
    assert_true(s->n < 4096);
    char a[16] = "-", b[16] = "-";
    if (f[0].len >= 0)
        snprintf(a, sizeof a, "%.*s", (int)f[0].len, (const char *)f[0].data);
    if (f[1].len >= 0)
        snprintf(b, sizeof b, "%.*s", (int)f[1].len, (const char *)f[1].data);
    s->ids[s->n] = id;
    snprintf(s->text[s->n], sizeof s->text[0], "%s|%s", a, b);
    s->n++;
}

/* Feed ids in this order, each row's fields "i<id>" and, for odd ids, NULL. */
static bool feed(reorder *r, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char v[16];
        snprintf(v, sizeof v, "i%lld", (long long)ids[i]);
        copy_field f[2] = {{(const unsigned char *)v, (int32_t)strlen(v)},
                           {ids[i] % 2 ? NULL : (const unsigned char *)"", ids[i] % 2 ? -1 : 0}};
        if (!reorder_add(r, ids[i], f, 2))
            return false;
    }
    return true;
}

static void assert_ascending(const seen *s, int64_t first, size_t n)
{
    assert_int_equal(s->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s->ids[i], first + (int64_t)i);
        char want[32];
        snprintf(want, sizeof want, "i%lld|%s", (long long)(first + (int64_t)i),
                 (first + (int64_t)i) % 2 ? "-" : "");
        assert_string_equal(s->text[i], want);
    }
}

static void test_in_order_passes_through(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    reorder r;
    reorder_init(&r, 2, 4, 1 << 20, on_emit, &s);
    int64_t ids[100];
    for (int i = 0; i < 100; i++)
        ids[i] = i + 1;
    assert_true(feed(&r, ids, 100));
    assert_int_equal(s.n, 96); /* the last 4 are still in the window */
    assert_true(reorder_finish(&r));
    assert_ascending(&s, 1, 100);
    assert_int_equal(r.rows_parked, 0);
    reorder_release(&r);
}

/* The shape of the demo log: ids 161..191 and 5997 on one page, 192.. on the next, 5997
 * again in its place later (missing there). */
static void test_rows_ahead_are_put_in_place(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    reorder r;
    reorder_init(&r, 2, 8, 1 << 20, on_emit, &s);
    int64_t ids[64];
    size_t n = 0;
    for (int64_t i = 1; i <= 20; i++)
        ids[n++] = i;
    ids[n++] = 40; /* ahead */
    ids[n++] = 41; /* ahead, right after it */
    for (int64_t i = 21; i <= 39; i++)
        ids[n++] = i;
    for (int64_t i = 42; i <= 50; i++)
        ids[n++] = i;
    assert_true(feed(&r, ids, n));
    assert_true(reorder_finish(&r));
    assert_ascending(&s, 1, 50);
    assert_int_equal(r.rows_parked, 2);
    reorder_release(&r);
}

static void test_row_ahead_of_everything_left(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    reorder r;
    reorder_init(&r, 2, 4, 1 << 20, on_emit, &s);
    /* 9 parked, never followed by a larger id: handed on at the end */
    int64_t ids[] = {1, 2, 9, 3, 4, 5, 6, 7, 8};
    assert_true(feed(&r, ids, 9));
    assert_true(reorder_finish(&r));
    assert_ascending(&s, 1, 9);
    reorder_release(&r);
}

static void test_row_behind_the_window_stops(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    reorder r;
    reorder_init(&r, 2, 4, 1 << 20, on_emit, &s);
    /* 1 comes after 2..7 are in: 2 and 3 were handed on already */
    int64_t ids[] = {2, 3, 4, 5, 6, 7, 1};
    assert_false(feed(&r, ids, 7));
    assert_true(r.stopped);
    assert_false(reorder_finish(&r));
    for (size_t i = 1; i < s.n; i++)
        assert_true(s.ids[i] > s.ids[i - 1]);
    reorder_release(&r);
}

static void test_an_id_twice_stops(void **state)
{
    (void)state;
    static seen s;
    reorder r;
    int64_t in_window[] = {1, 2, 3, 3};
    int64_t parked[] = {1, 5, 2, 3, 5, 6};
    int64_t after_parked[] = {1, 5, 5, 2};
    const int64_t *cases[] = {in_window, parked, after_parked};
    size_t lens[] = {4, 6, 4};
    for (size_t c = 0; c < 3; c++) {
        memset(&s, 0, sizeof s);
        reorder_init(&r, 2, 16, 1 << 20, on_emit, &s);
        bool fed = feed(&r, cases[c], lens[c]);
        bool finished = fed && reorder_finish(&r);
        assert_false(finished);
        for (size_t i = 1; i < s.n; i++)
            assert_true(s.ids[i] > s.ids[i - 1]);
        reorder_release(&r);
    }
}

static void test_parked_bound_stops(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    reorder r;
    /* every row is parked behind the next smaller one: a reversed log */
    reorder_init(&r, 2, 64, 64, on_emit, &s);
    int64_t ids[40];
    for (int i = 0; i < 40; i++)
        ids[i] = 40 - i;
    assert_false(feed(&r, ids, 40));
    assert_int_equal(s.n, 0);
    reorder_release(&r);
}

static void test_wide_rows_shrink_the_window(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    reorder r;
    reorder_init(&r, 2, 1000, 100, on_emit, &s);
    int64_t ids[30];
    for (int i = 0; i < 30; i++)
        ids[i] = i + 1;
    assert_true(feed(&r, ids, 30));
    assert_true(r.count < 30); /* the byte bound, not the 1000 rows, held them */
    assert_true(r.window_bytes <= 100 || r.count == 1);
    assert_true(reorder_finish(&r));
    assert_ascending(&s, 1, 30);
    reorder_release(&r);
}

static void test_too_many_fields_stops_at_once(void **state)
{
    (void)state;
    static seen s;
    memset(&s, 0, sizeof s);
    reorder r;
    reorder_init(&r, 17, 4, 1 << 20, on_emit, &s);
    copy_field f[17] = {{0}};
    assert_false(reorder_add(&r, 1, f, 17));
    reorder_release(&r);
}

/* The window's bound is on the memory held, not only on the bytes of the rows in it: the
 * slots' buffers, kept for the next rows, count too. Rows of 60000 bytes: the window holds
 * about 17 of them within 1 MiB, but the ring turns through all 1024 slots and each kept its
 * buffer (below SLOT_KEEP_BYTES), 61 MB held for a bound of 1 MiB. */
#if defined(__SANITIZE_ADDRESS__)
#define HELD_BYTES() __sanitizer_get_current_allocated_bytes()
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HELD_BYTES() __sanitizer_get_current_allocated_bytes()
#endif
#endif
#ifdef HELD_BYTES
size_t __sanitizer_get_current_allocated_bytes(void); /* the ASan runtime's */
#endif

static void count_emit(void *user, int64_t id, const copy_field *f, int n)
{
    (void)id;
    (void)f;
    (void)n;
    ++*(size_t *)user;
}

static void test_kept_buffers_stay_within_the_bound(void **state)
{
    (void)state;
#ifndef HELD_BYTES
    skip();
#else
    enum { WIDE = 60000, ROWS = 3000 };
    const size_t limit = 1u << 20;
    unsigned char *wide = calloc(WIDE, 1);
    assert_non_null(wide);
    size_t emitted = 0;
    size_t before = HELD_BYTES();
    reorder r;
    reorder_init(&r, 2, 1024, limit, count_emit, &emitted);
    size_t most = 0;
    for (int i = 0; i < ROWS; i++) {
        copy_field f[2] = {{wide, WIDE}, {NULL, -1}};
        assert_true(reorder_add(&r, i + 1, f, 2));
        size_t held = HELD_BYTES() - before;
        if (held > most)
            most = held;
    }
    assert_true(reorder_finish(&r));
    assert_int_equal(emitted, ROWS);
    reorder_release(&r);
    free(wide);
    /* the window's bound and the ring's slots: far below 3 MiB */
    if (most > 3 * limit)
        fail_msg("the reorder held %zu bytes for a bound of %zu", most, limit);
#endif
}

/* A parked row holds only its own bytes: rows of 60000 bytes leave their buffers in the
 * slots, narrow rows reuse them and are parked (each counted as a few bytes); cycle after
 * cycle, the parked rows would keep a 60000-byte buffer each within a bound of 1 MiB. */
static void test_parked_rows_hold_their_own_bytes(void **state)
{
    (void)state;
#ifndef HELD_BYTES
    skip();
#else
    enum { WIDE = 60000, WINDOW = 64 };
    const size_t limit = 1u << 20;
    unsigned char *wide = calloc(WIDE, 1);
    assert_non_null(wide);
    size_t emitted = 0;
    size_t before = HELD_BYTES();
    reorder r;
    reorder_init(&r, 2, WINDOW, limit, count_emit, &emitted);
    size_t most = 0;
    int64_t low = 1, high = 1000000;
    for (int cycle = 0; cycle < 20; cycle++) {
        for (int i = 0; i < 3 * WINDOW; i++) { /* wide rows through every slot */
            copy_field f[2] = {{wide, WIDE}, {NULL, -1}};
            assert_true(reorder_add(&r, low++, f, 2));
        }
        for (int i = 0; i < WINDOW; i++) { /* a high id, parked by the next low one */
            copy_field f[2] = {{wide, 1}, {NULL, -1}};
            assert_true(reorder_add(&r, high++, f, 2));
            assert_true(reorder_add(&r, low++, f, 2));
        }
        size_t held = HELD_BYTES() - before;
        if (held > most)
            most = held;
    }
    assert_true(reorder_finish(&r));
    reorder_release(&r);
    free(wide);
    if (most > 3 * limit)
        fail_msg("the reorder held %zu bytes for a bound of %zu", most, limit);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_passes_through),
        cmocka_unit_test(test_rows_ahead_are_put_in_place),
        cmocka_unit_test(test_row_ahead_of_everything_left),
        cmocka_unit_test(test_row_behind_the_window_stops),
        cmocka_unit_test(test_an_id_twice_stops),
        cmocka_unit_test(test_parked_bound_stops),
        cmocka_unit_test(test_wide_rows_shrink_the_window),
        cmocka_unit_test(test_too_many_fields_stops_at_once),
        cmocka_unit_test(test_kept_buffers_stay_within_the_bound),
        cmocka_unit_test(test_parked_rows_hold_their_own_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
