/* audit_log's pure logic: id spans and narrowing, anchor comparison (what is
 * corruption and what is point-in-time loss), RPO arithmetic, binary COPY
 * decoding, the chain verifier link by link, and reading [audit_log]. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_anchor.h"
#include "checks/audit_chain.h"
#include "checks/audit_copy.h"
#include "checks/audit_log.h"
#include "checks/audit_rpo.h"
#include "checks/checker.h"
#include "src/config.h"
#include "src/util.h"

/* ------------------------------------------------------------------ spans */

static id_spans spans(const int64_t *pairs, size_t n)
{
    id_spans s = {0};
    for (size_t i = 0; i < n; i += 2)
        spans_add(&s, pairs[i], pairs[i + 1]);
    return s;
}

static void assert_spans(const id_spans *s, const char *want)
{
    char *got = spans_describe(s, 100);
    assert_string_equal(got, want);
    free(got);
}

static void test_spans_add_merges_adjacent(void **state)
{
    (void)state;
    id_spans s = {0};
    spans_add(&s, 1, 3);
    spans_add(&s, 4, 4);
    spans_add(&s, 6, 9);
    spans_add(&s, 8, 12);
    assert_int_equal(s.n, 2);
    assert_spans(&s, "1-4, 6-12");
    assert_int_equal(spans_ids(&s), 11);
    spans_release(&s);
}

static void test_spans_subtract(void **state)
{
    (void)state;
    const int64_t a_pairs[] = {1, 100, 200, 300};
    const int64_t b_pairs[] = {10, 19, 50, 50, 90, 210, 299, 400};
    id_spans a = spans(a_pairs, 4), b = spans(b_pairs, 8), out = {0};
    spans_subtract(&a, &b, 1, 1000, &out);
    assert_spans(&out, "1-9, 20-49, 51-89, 211-298");
    spans_release(&out);
    /* Clipped to lo..hi. */
    spans_subtract(&a, &b, 30, 60, &out);
    assert_spans(&out, "30-49, 51-60");
    spans_release(&out);
    /* Nothing to take away: a comes back (clipped). */
    id_spans none = {0};
    spans_subtract(&a, &none, 0, 250, &out);
    assert_spans(&out, "1-100, 200-250");
    spans_release(&out);
    spans_release(&a);
    spans_release(&b);
}

static void test_spans_subtract_extremes(void **state)
{
    (void)state;
    const int64_t a_pairs[] = {INT64_MAX - 5, INT64_MAX};
    const int64_t b_pairs[] = {INT64_MAX - 2, INT64_MAX};
    id_spans a = spans(a_pairs, 2), b = spans(b_pairs, 2), out = {0};
    spans_subtract(&a, &b, INT64_MIN, INT64_MAX, &out);
    assert_int_equal(out.n, 1);
    assert_true(out.v[0].from == INT64_MAX - 5 && out.v[0].to == INT64_MAX - 3);
    spans_release(&out);
    spans_release(&a);
    spans_release(&b);
}

static void test_spans_describe_caps(void **state)
{
    (void)state;
    const int64_t pairs[] = {1, 1, 3, 5, 7, 7, 9, 9};
    id_spans s = spans(pairs, 8);
    char *text = spans_describe(&s, 2);
    assert_string_equal(text, "1, 3-5 and 2 more");
    free(text);
    spans_release(&s);
}

static void test_ids_narrow(void **state)
{
    (void)state;
    /* The baseline's range 100..120 had a legitimate gap 105..106. Now 110..112 are gone
     * and 105 was filled in afterwards. */
    const int64_t gap_pairs[] = {105, 106};
    id_spans gaps = spans(gap_pairs, 2), missing = {0}, extra = {0};
    int64_t present[32];
    size_t n = 0;
    for (int64_t id = 100; id <= 120; id++)
        if (id != 106 && (id < 110 || id > 112))
            present[n++] = id;
    ids_narrow(100, 120, &gaps, present, n, &missing, &extra);
    assert_spans(&missing, "110-112");
    assert_spans(&extra, "105");
    spans_release(&missing);
    spans_release(&extra);
    spans_release(&gaps);
}

static void test_ids_narrow_whole_range_gone(void **state)
{
    (void)state;
    id_spans gaps = {0}, missing = {0}, extra = {0};
    ids_narrow(2000, 2999, &gaps, NULL, 0, &missing, &extra);
    assert_spans(&missing, "2000-2999");
    assert_int_equal(extra.n, 0);
    spans_release(&missing);
}

/* ---------------------------------------------------------------- anchors */

static anchor anch(int64_t key, int64_t rows, const char *digest)
{
    anchor a = {key, rows, key * 10, key * 10 + 9, ""};
    strcpy(a.digest, digest);
    return a;
}

static void test_anchors_all_same(void **state)
{
    (void)state;
    anchor base[] = {anch(0, 10, "aa"), anch(1, 10, "bb"), anch(2, 4, "cc")};
    anchor now[] = {anch(0, 10, "aa"), anch(1, 10, "bb"), anch(2, 4, "cc")};
    range_diff *d;
    size_t n;
    anchor_summary sum;
    anchors_compare(base, 3, now, 3, false, 2, &d, &n, &sum);
    assert_int_equal(n, 3);
    assert_int_equal(sum.same, 3);
    assert_int_equal(sum.changed + sum.lost + sum.partial + sum.added, 0);
    free(d);
}

static void test_anchors_changed_and_gone(void **state)
{
    (void)state;
    /* Range 1 lost rows, range 2 vanished entirely, range 3 appeared: all corruption,
     * because the restored head (no cut) is not before the baseline's. */
    anchor base[] = {anch(0, 10, "aa"), anch(1, 10, "bb"), anch(2, 10, "cc"), anch(4, 3, "ee")};
    anchor now[] = {anch(0, 10, "aa"), anch(1, 8, "b2"), anch(3, 2, "dd"), anch(4, 3, "ee")};
    range_diff *d;
    size_t n;
    anchor_summary sum;
    anchors_compare(base, 4, now, 4, false, 4, &d, &n, &sum);
    assert_int_equal(n, 5);
    assert_int_equal(d[0].verdict, RANGE_SAME);
    assert_int_equal(d[1].verdict, RANGE_CHANGED);
    assert_int_equal(d[2].verdict, RANGE_CHANGED);
    assert_null(d[2].now);
    assert_int_equal(d[3].verdict, RANGE_NEW);
    assert_null(d[3].base);
    assert_int_equal(d[4].verdict, RANGE_SAME);
    assert_int_equal(sum.changed, 2);
    assert_int_equal(sum.added, 1);
    assert_int_equal(sum.lost_rows, 0);
    free(d);
}

static void test_anchors_cut_is_loss_not_corruption(void **state)
{
    (void)state;
    /* The restore stops inside range 2: its missing tail and ranges 3-4 are the loss. */
    anchor base[] = {anch(0, 10, "aa"), anch(1, 10, "bb"), anch(2, 10, "cc"), anch(3, 10, "dd"),
                     anch(4, 5, "ee")};
    anchor now[] = {anch(0, 10, "aa"), anch(1, 10, "bb"), anch(2, 6, "c2")};
    range_diff *d;
    size_t n;
    anchor_summary sum;
    anchors_compare(base, 5, now, 3, true, 2, &d, &n, &sum);
    assert_int_equal(n, 5);
    assert_int_equal(d[2].verdict, RANGE_PARTIAL);
    assert_int_equal(d[3].verdict, RANGE_LOST);
    assert_int_equal(d[4].verdict, RANGE_LOST);
    assert_int_equal(sum.same, 2);
    assert_int_equal(sum.changed, 0);
    assert_int_equal(sum.lost_rows, 4 + 10 + 5);
    free(d);
}

static void test_anchors_cut_still_sees_earlier_damage(void **state)
{
    (void)state;
    anchor base[] = {anch(0, 10, "aa"), anch(1, 10, "bb"), anch(2, 10, "cc")};
    anchor now[] = {anch(0, 9, "a2"), anch(1, 3, "b2")};
    range_diff *d;
    size_t n;
    anchor_summary sum;
    anchors_compare(base, 3, now, 2, true, 1, &d, &n, &sum);
    assert_int_equal(d[0].verdict, RANGE_CHANGED);
    assert_int_equal(d[1].verdict, RANGE_PARTIAL);
    assert_int_equal(d[2].verdict, RANGE_LOST);
    assert_int_equal(sum.lost_rows, 7 + 10);
    free(d);
}

static void test_seq_tracker(void **state)
{
    (void)state;
    seq_tracker t;
    seq_init(&t, 100);
    const int64_t ids[] = {3, 4, 5, 9, 10, 11, 20};
    const int64_t times[] = {100, 200, 300, 250, 400, 0, 500};
    for (size_t i = 0; i < 7; i++)
        seq_step(&t, ids[i], i != 5, times[i]); /* id 11 has no time */
    assert_int_equal(t.rows, 7);
    assert_int_equal(t.first_id, 3);
    assert_spans(&t.gaps, "6-8, 12-19");
    assert_false(t.gaps_truncated);
    /* 250 after 300 goes back; 500 after a NULL is not judged, as lag() would not. */
    assert_int_equal(t.backs, 1);
    assert_int_equal(t.back[0].id, 9);
    assert_int_equal(t.back[0].us, 250);
    assert_int_equal(t.back[0].prev_us, 300);
    seq_release(&t);
}

static void test_seq_tracker_caps(void **state)
{
    (void)state;
    seq_tracker t;
    seq_init(&t, 2);
    for (int64_t id = 1; id <= 20; id += 2)
        seq_step(&t, id, true, 1000 - id); /* every step a gap, every time earlier */
    assert_int_equal(t.gaps.n, 2);
    assert_true(t.gaps_truncated);
    assert_int_equal(t.backs, 9);
    assert_int_equal(t.n_back, SEQ_BACKS_LISTED < 9 ? SEQ_BACKS_LISTED : 9);
    seq_release(&t);
}

/* Rows split in two at every point, the second part primed with the row before it and
 * joined: the tracker holds what one pass holds, the seam's gap and time order included. */
static void test_seq_join_matches_one_pass(void **state)
{
    (void)state;
    const int64_t ids[] = {3, 4, 5, 9, 10, 11, 20, 21, 30};
    const int64_t times[] = {100, 200, 300, 250, 400, 0, 500, 450, 600};
    const size_t n = sizeof ids / sizeof *ids;
    seq_tracker one;
    seq_init(&one, 100);
    for (size_t i = 0; i < n; i++)
        seq_step(&one, ids[i], i != 5, times[i]);
    for (size_t cut = 0; cut <= n; cut++) {
        seq_tracker a, b;
        seq_init(&a, 100);
        seq_init(&b, 100);
        for (size_t i = 0; i < cut; i++)
            seq_step(&a, ids[i], i != 5, times[i]);
        if (cut > 0)
            seq_prime(&b, ids[cut - 1], cut - 1 != 5, times[cut - 1]);
        for (size_t i = cut; i < n; i++)
            seq_step(&b, ids[i], i != 5, times[i]);
        seq_join(&a, &b);
        assert_int_equal(a.rows, one.rows);
        assert_int_equal(a.first_id, one.first_id);
        assert_int_equal(a.prev_id, one.prev_id);
        assert_int_equal(a.newest_us, one.newest_us);
        assert_int_equal(a.gaps.n, one.gaps.n);
        for (size_t i = 0; i < one.gaps.n; i++) {
            assert_int_equal(a.gaps.v[i].from, one.gaps.v[i].from);
            assert_int_equal(a.gaps.v[i].to, one.gaps.v[i].to);
        }
        assert_int_equal(a.backs, one.backs);
        assert_int_equal(a.n_back, one.n_back);
        for (size_t i = 0; i < one.n_back; i++)
            assert_int_equal(a.back[i].id, one.back[i].id);
        seq_release(&a);
        seq_release(&b);
    }
    seq_release(&one);
}

/* The cap on gaps kept holds across a join as it holds in one pass. */
static void test_seq_join_caps(void **state)
{
    (void)state;
    seq_tracker one, a, b;
    seq_init(&one, 3);
    seq_init(&a, 3);
    seq_init(&b, 3);
    for (int64_t id = 1; id <= 9; id += 2)
        seq_step(&one, id, true, id);
    seq_step(&a, 1, true, 1);
    seq_step(&a, 3, true, 3);
    seq_prime(&b, 3, true, 3);
    for (int64_t id = 5; id <= 9; id += 2)
        seq_step(&b, id, true, id);
    seq_join(&a, &b);
    assert_int_equal(a.gaps.n, one.gaps.n);
    assert_int_equal(a.gaps.v[2].from, one.gaps.v[2].from);
    assert_true(one.gaps_truncated);
    assert_true(a.gaps_truncated);
    seq_release(&one);
    seq_release(&a);
    seq_release(&b);
}

static void hex_sha256(const char *text, char *out)
{
    unsigned char md[32];
    unsigned int len;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_true(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL));
    assert_true(EVP_DigestUpdate(ctx, text, strlen(text)));
    assert_true(EVP_DigestFinal_ex(ctx, md, &len));
    EVP_MD_CTX_free(ctx);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_anchor_builder(void **state)
{
    (void)state;
    anchor_builder a;
    anchor_builder_init(&a, 10, 25); /* ranges of 10 ids; ids above 25 are not anchored */
    const int64_t ids[] = {3, 7, 9, 10, 14, 21, 25, 26, 40};
    const char *values[] = {"a", "b", NULL, "c", "d", NULL, NULL, "x", "y"};
    for (size_t i = 0; i < 9; i++)
        anchor_builder_add(&a, ids[i], (const unsigned char *)values[i],
                           values[i] ? strlen(values[i]) : 0);
    anchor_builder_finish(&a);
    assert_int_equal(a.n, 3);
    char want[65];
    /* 3, 7, 9: the NULL counts as a row and adds nothing, as string_agg skips it. */
    assert_int_equal(a.v[0].key, 0);
    assert_int_equal(a.v[0].rows, 3);
    assert_int_equal(a.v[0].first, 3);
    assert_int_equal(a.v[0].last, 9);
    hex_sha256("ab", want);
    assert_string_equal(a.v[0].digest, want);
    hex_sha256("cd", want);
    assert_string_equal(a.v[1].digest, want);
    assert_int_equal(a.v[1].rows, 2);
    /* Only NULLs: sha256(NULL) is NULL in SQL, an empty digest here and in the baseline. */
    assert_int_equal(a.v[2].key, 2);
    assert_int_equal(a.v[2].rows, 2);
    assert_int_equal(a.v[2].last, 25);
    assert_string_equal(a.v[2].digest, "");
    anchor_builder_release(&a);
}

static void test_floor_div(void **state)
{
    (void)state;
    assert_int_equal(floor_div(7, 2), 3);
    assert_int_equal(floor_div(-7, 2), -4);
    assert_int_equal(floor_div(-8, 2), -4);
    assert_int_equal(floor_div(0, 5), 0);
}

/* -------------------------------------------------------------------- RPO */

#define HOUR 3600000LL

static void test_rpo_not_judged_without_incident(void **state)
{
    (void)state;
    rpo_verdict v = rpo_judge(false, 0, 1000 * HOUR, 24 * HOUR);
    assert_int_equal(v.status, RESULT_WARN);
    assert_non_null(strstr(v.reason, "RPO 24 h not judged: give --incident-at TIME"));
}

static void test_rpo_within(void **state)
{
    (void)state;
    rpo_verdict v = rpo_judge(true, 1002 * HOUR, 1000 * HOUR, 24 * HOUR);
    assert_int_equal(v.status, RESULT_PASS);
    assert_int_equal(v.lost_ms, 2 * HOUR);
    assert_string_equal(v.reason, "2 h of events before the incident lost, within the RPO of 24 h");
    /* Exactly the RPO is still within it. */
    v = rpo_judge(true, 1024 * HOUR, 1000 * HOUR, 24 * HOUR);
    assert_int_equal(v.status, RESULT_PASS);
}

static void test_rpo_over(void **state)
{
    (void)state;
    rpo_verdict v = rpo_judge(true, 1030 * HOUR, 1000 * HOUR, 24 * HOUR);
    assert_int_equal(v.status, RESULT_FAIL);
    assert_int_equal(v.lost_ms, 30 * HOUR);
    assert_non_null(
        strstr(v.reason, "30 h of events lost before the incident, over the RPO of 24 h"));
    v = rpo_judge(true, 1024 * HOUR + 1, 1000 * HOUR, 24 * HOUR);
    assert_int_equal(v.status, RESULT_FAIL);
}

static void test_rpo_log_past_incident(void **state)
{
    (void)state;
    rpo_verdict v = rpo_judge(true, 999 * HOUR, 1000 * HOUR, 24 * HOUR);
    assert_int_equal(v.status, RESULT_PASS);
    assert_int_equal(v.lost_ms, 0);
    assert_non_null(strstr(v.reason, "nothing lost"));
}

static void test_duration_format(void **state)
{
    (void)state;
    char buf[48];
    duration_format(250, buf, sizeof buf);
    assert_string_equal(buf, "250 ms");
    duration_format(45000, buf, sizeof buf);
    assert_string_equal(buf, "45 s");
    duration_format(45 * 60000, buf, sizeof buf);
    assert_string_equal(buf, "45 min");
    duration_format(2 * HOUR + 5 * 60000, buf, sizeof buf);
    assert_string_equal(buf, "2 h 5 min");
    duration_format(30 * HOUR, buf, sizeof buf);
    assert_string_equal(buf, "30 h");
    duration_format(76 * HOUR, buf, sizeof buf);
    assert_string_equal(buf, "3 d 4 h");
    duration_format(72 * HOUR, buf, sizeof buf);
    assert_string_equal(buf, "3 d");
}

/* ------------------------------------------------------------ binary COPY */

static size_t put16(unsigned char *p, int v)
{
    p[0] = (unsigned char)((unsigned)v >> 8);
    p[1] = (unsigned char)v;
    return 2;
}

static size_t put32(unsigned char *p, int32_t v)
{
    uint32_t u = (uint32_t)v;
    p[0] = (unsigned char)(u >> 24);
    p[1] = (unsigned char)(u >> 16);
    p[2] = (unsigned char)(u >> 8);
    p[3] = (unsigned char)u;
    return 4;
}

static void test_copy_header(void **state)
{
    (void)state;
    unsigned char h[32] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0};
    put32(h + 11, 0);
    put32(h + 15, 4); /* a 4-byte header extension to skip */
    assert_int_equal(copy_header_parse(h, 23), 23);
    assert_int_equal(copy_header_parse(h, 20), 0); /* extension cut short */
    put32(h + 15, 0);
    assert_int_equal(copy_header_parse(h, 19), 19);
    put32(h + 11, 1 << 16); /* an unknown critical flag */
    assert_int_equal(copy_header_parse(h, 19), 0);
    h[0] = 'X';
    put32(h + 11, 0);
    assert_int_equal(copy_header_parse(h, 19), 0);
}

static void test_copy_tuple(void **state)
{
    (void)state;
    unsigned char t[64];
    size_t at = put16(t, 3);
    at += put32(t + at, 8);
    memcpy(t + at, "\0\0\0\0\0\0\x12\x34", 8);
    at += 8;
    at += put32(t + at, -1); /* NULL */
    at += put32(t + at, 3);
    memcpy(t + at, "abc", 3);
    at += 3;
    copy_field f[4];
    int n;
    size_t used;
    assert_int_equal(copy_tuple_parse(t, at, f, 4, &n, &used), COPY_TUPLE);
    assert_int_equal(n, 3);
    assert_int_equal(used, at);
    assert_int_equal(copy_int64(f[0].data), 0x1234);
    assert_int_equal(f[1].len, -1);
    assert_null(f[1].data);
    assert_int_equal(f[2].len, 3);
    assert_memory_equal(f[2].data, "abc", 3);
    /* Cut anywhere short, it is malformed, never read past the end. */
    for (size_t cut = 0; cut < at; cut++)
        assert_int_equal(copy_tuple_parse(t, cut, f, 4, &n, &used), COPY_BAD);
    /* More fields than the caller expects. */
    assert_int_equal(copy_tuple_parse(t, at, f, 2, &n, &used), COPY_BAD);
    /* The trailer. */
    put16(t, -1);
    assert_int_equal(copy_tuple_parse(t, 2, f, 4, &n, &used), COPY_TRAILER);
    assert_int_equal(used, 2);
    /* A negative length other than -1. */
    at = put16(t, 1);
    put32(t + at, -2);
    assert_int_equal(copy_tuple_parse(t, 6, f, 4, &n, &used), COPY_BAD);
}

static void test_copy_ints(void **state)
{
    (void)state;
    const unsigned char neg[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
    assert_int_equal(copy_int64(neg), -2);
    const unsigned char four[4] = {0x80, 0, 0, 1};
    assert_int_equal(copy_int32(four), INT32_MIN + 1);
}

/* ------------------------------------------------------------------ chain */

typedef struct test_row {
    int64_t id;
    unsigned char prev[32], hash[32];
    char bytes[32];
} test_row;

static void sha256_of(const unsigned char *prev, const char *bytes, unsigned char *out)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int len;
    assert_true(EVP_DigestInit_ex(md, EVP_sha256(), NULL));
    assert_true(EVP_DigestUpdate(md, prev, 32));
    assert_true(EVP_DigestUpdate(md, bytes, strlen(bytes)));
    assert_true(EVP_DigestFinal_ex(md, out, &len));
    EVP_MD_CTX_free(md);
}

/* A well-formed chain of n rows as the sample's rule builds it. */
static void make_chain(test_row *rows, int n)
{
    unsigned char prev[32] = {0};
    for (int i = 0; i < n; i++) {
        rows[i].id = i + 1;
        snprintf(rows[i].bytes, sizeof rows[i].bytes, "%d|event %d", i + 1, i + 1);
        memcpy(rows[i].prev, prev, 32);
        sha256_of(prev, rows[i].bytes, rows[i].hash);
        memcpy(prev, rows[i].hash, 32);
    }
}

static void feed(chain_verifier *v, const test_row *r)
{
    copy_field prev = {r->prev, 32}, hash = {r->hash, 32};
    copy_field bytes = {(const unsigned char *)r->bytes, (int32_t)strlen(r->bytes)};
    chain_step(v, r->id, &prev, &hash, &bytes);
}

/* A chain verified in two parts, the second primed with the last row of the first, and
 * joined: the same links broken, in the same order, as one pass; a break exactly at the
 * seam (the first row of the second part, the last of the first) included. */
static void test_chain_join_matches_one_pass(void **state)
{
    (void)state;
    test_row rows[8];
    make_chain(rows, 8);
    rows[3].prev[0] ^= 1; /* id 4: its link broken */
    rows[5].hash[0] ^= 1; /* id 6: its own hash, and id 7's link */
    for (int cut = 0; cut <= 8; cut++) {
        chain_verifier one, a, b;
        chain_init(&one);
        chain_init(&a);
        chain_init(&b);
        for (int i = 0; i < 8; i++)
            feed(&one, &rows[i]);
        for (int i = 0; i < cut; i++)
            feed(&a, &rows[i]);
        if (cut > 0) {
            copy_field hash = {rows[cut - 1].hash, 32};
            chain_prime(&b, rows[cut - 1].id, &hash);
        }
        for (int i = cut; i < 8; i++)
            feed(&b, &rows[i]);
        chain_join(&a, &b);
        assert_int_equal(a.rows, one.rows);
        assert_int_equal(a.broken, one.broken);
        assert_int_equal(a.n_breaks, one.n_breaks);
        for (size_t i = 0; i < one.n_breaks; i++) {
            assert_int_equal(a.breaks[i].id, one.breaks[i].id);
            assert_string_equal(a.breaks[i].what, one.breaks[i].what);
        }
        chain_release(&one);
        chain_release(&a);
        chain_release(&b);
    }
}

static void test_chain_clean(void **state)
{
    (void)state;
    test_row rows[5];
    make_chain(rows, 5);
    chain_verifier v;
    chain_init(&v);
    v.have_genesis = true;
    v.genesis_id = 1;
    for (int i = 0; i < 5; i++)
        feed(&v, &rows[i]);
    assert_int_equal(v.rows, 5);
    assert_int_equal(v.broken, 0);
    chain_release(&v);
}

static void test_chain_altered_row(void **state)
{
    (void)state;
    test_row rows[5];
    make_chain(rows, 5);
    rows[2].bytes[0] = '9'; /* the payload changed, the hash did not */
    chain_verifier v;
    chain_init(&v);
    for (int i = 0; i < 5; i++)
        feed(&v, &rows[i]);
    assert_int_equal(v.broken, 1);
    assert_int_equal(v.breaks[0].id, 3);
    assert_non_null(strstr(v.breaks[0].what, "row_hash is not sha256"));
    chain_release(&v);
}

static void test_chain_edited_hash_breaks_two_links(void **state)
{
    (void)state;
    test_row rows[5];
    make_chain(rows, 5);
    rows[1].hash[0] ^= 1;
    chain_verifier v;
    chain_init(&v);
    for (int i = 0; i < 5; i++)
        feed(&v, &rows[i]);
    assert_int_equal(v.broken, 2);
    assert_int_equal(v.breaks[0].id, 2);
    assert_int_equal(v.breaks[1].id, 3);
    assert_string_equal(v.breaks[1].what, "prev_hash is not the row_hash of id 2");
    chain_release(&v);
}

static void test_chain_deleted_row_breaks_the_link(void **state)
{
    (void)state;
    test_row rows[5];
    make_chain(rows, 5);
    chain_verifier v;
    chain_init(&v);
    feed(&v, &rows[0]);
    feed(&v, &rows[1]);
    feed(&v, &rows[3]); /* id 3 is gone */
    feed(&v, &rows[4]);
    assert_int_equal(v.broken, 1);
    assert_int_equal(v.breaks[0].id, 4);
    assert_string_equal(v.breaks[0].what, "prev_hash is not the row_hash of id 2");
    chain_release(&v);
}

static void test_chain_genesis_and_nulls(void **state)
{
    (void)state;
    test_row rows[2];
    make_chain(rows, 2);
    chain_verifier v;
    chain_init(&v);
    v.have_genesis = true;
    v.genesis_id = 1;
    v.genesis_prev[0] = 7; /* the baseline's first prev_hash was not all zeros */
    feed(&v, &rows[0]);
    copy_field null = {NULL, -1}, prev = {rows[1].prev, 32}, hash = {rows[1].hash, 32};
    chain_step(&v, 2, &prev, &hash, &null);
    assert_int_equal(v.broken, 2);
    assert_non_null(strstr(v.breaks[0].what, "first row differs from the baseline"));
    assert_string_equal(v.breaks[1].what, "the row bytes expression gave NULL");
    chain_release(&v);
}

static void test_chain_counts_past_the_list(void **state)
{
    (void)state;
    test_row rows[1];
    make_chain(rows, 1);
    rows[0].bytes[0] = 'x';
    chain_verifier v;
    chain_init(&v);
    for (int i = 0; i < CHAIN_LISTED + 5; i++) {
        rows[0].id = i + 1;
        copy_field prev = {rows[0].prev, 32}, hash = {rows[0].hash, 32};
        copy_field bytes = {(const unsigned char *)rows[0].bytes, (int32_t)strlen(rows[0].bytes)};
        v.have_prev = false; /* judge each row's own hash only */
        chain_step(&v, rows[0].id, &prev, &hash, &bytes);
    }
    assert_int_equal(v.broken, CHAIN_LISTED + 5);
    assert_int_equal(v.n_breaks, CHAIN_LISTED);
    chain_release(&v);
}

/* ------------------------------------------------------------ [audit_log] */

static const checker *audit(void)
{
    const checker *ck = checker_find("audit_log");
    assert_non_null(ck);
    return ck;
}

/* Configure from text; returns the exit code, with the message in e. */
static vexit configure_text(const char *text, verr *e)
{
    conf *c;
    verr_clear(e);
    if (conf_load_string(&c, "t.conf", text, e))
        fail_msg("could not load: %s", e->msg);
    void *settings = NULL;
    vexit rc = audit()->configure(c, &settings, e);
    if (!rc)
        audit()->release(settings);
    conf_free(c);
    return rc;
}

static void test_configure_sample(void **state)
{
    (void)state;
    verr e;
    assert_int_equal(configure_text("[audit_log]\ntable = public.audit_log\n"
                                    "time_column = occurred_at\nrange = 1000\n"
                                    "row_hash_column = row_hash\nprev_hash_column = prev_hash\n"
                                    "row_bytes = public.f(id, payload)\nrpo = 24h\n"
                                    "trigger = public.projects audit_project_change\n"
                                    "function = public.audit_log_append\n",
                                    &e),
                     VOUCH_OK);
    assert_int_equal(configure_text("[audit_log]\ntable = auth.audit_log_entries\n"
                                    "time_column = created_at\nids = unordered\nbucket = 1h\n",
                                    &e),
                     VOUCH_OK);
}

static void test_configure_errors(void **state)
{
    (void)state;
    verr e;
    assert_int_equal(configure_text("[audit_log]\ntable = t\ntime_column = at\nids = random\n", &e),
                     VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "t.conf:4: [audit_log] ids: expected sequential or unordered"));
    assert_int_equal(configure_text("[audit_log]\ntable = t\ntime_column = at\n"
                                    "prev_hash_column = p\n",
                                    &e),
                     VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "a chain needs all of"));
    assert_int_equal(configure_text("[audit_log]\ntable = t\ntime_column = at\n"
                                    "row_hash_column = h\nprev_hash_column = p\nrow_bytes = b\n"
                                    "chain_algorithm = md5\n",
                                    &e),
                     VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "t.conf:7: [audit_log] chain_algorithm: unknown algorithm"));
    assert_int_equal(configure_text("[audit_log]\ntable = t\ntime_column = at\nids = unordered\n"
                                    "row_hash_column = h\nprev_hash_column = p\nrow_bytes = b\n",
                                    &e),
                     VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "a hash chain needs ids = sequential"));
    assert_int_equal(configure_text("[audit_log]\ntable = t\ntime_column = at\n"
                                    "trigger = public.projects\n",
                                    &e),
                     VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "expected SCHEMA.TABLE TRIGGER"));
    assert_int_equal(configure_text("[audit_log]\ntable = t\ntime_column = at\nbucket = 1h\n", &e),
                     VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "bucket is for ids = unordered"));
    assert_int_equal(configure_text("[audit_log]\ntable = t\ntime_column = at\nrange = 0\n", &e),
                     VOUCH_USAGE);
    assert_int_equal(configure_text("[audit_log]\ntable = t\ntime_column = at\nrpo = 0\n", &e),
                     VOUCH_USAGE);
    assert_int_equal(configure_text("# log\n[audit_log]\ntable = t\n", &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "t.conf:2: [audit_log] is missing required key 'time_column'");
    assert_int_equal(configure_text("[audit_log]\ntime_column = at\n", &e), VOUCH_USAGE);
    assert_string_equal(e.msg, "t.conf:1: [audit_log] is missing required key 'table'");
}

/* row_layout: with the chain, instead of row_bytes or beside it; the stream's fields. */
static void test_configure_row_layout(void **state)
{
    (void)state;
    verr e;
    static const char chain[] = "[audit_log]\ntable = t\ntime_column = at\n"
                                "row_hash_column = h\nprev_hash_column = p\n";
    char text[512];
    snprintf(text, sizeof text, "%srow_layout = id:int8, at:epoch_us, \"Odd, name:x\":text\n",
             chain);
    assert_int_equal(configure_text(text, &e), VOUCH_OK);
    snprintf(text, sizeof text, "%srow_bytes = b\nrow_layout = id:int8\n", chain);
    assert_int_equal(configure_text(text, &e), VOUCH_OK);
    snprintf(text, sizeof text, "%srow_layout = id:integer\n", chain);
    assert_int_equal(configure_text(text, &e), VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "t.conf:6: [audit_log] row_layout: unknown encoding"
                                  " \"integer\" (int8, epoch_us, text or jsonb)"));
    snprintf(text, sizeof text, "%srow_layout = id:int8, drop table x:text\n", chain);
    assert_int_equal(configure_text(text, &e), VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "t.conf:6: [audit_log] row_layout: "));
    /* Without a chain there is nothing to build bytes for. */
    assert_int_equal(configure_text("[audit_log]\ntable = t\ntime_column = at\n"
                                    "row_layout = id:int8\n",
                                    &e),
                     VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "t.conf:4: [audit_log] row_layout: a chain needs all of"
                                  " row_hash_column, prev_hash_column and row_bytes or"
                                  " row_layout"));

    audit_settings s = {0};
    audit_stream_fields f;
    s.row_hash_column = "h";
    assert_true(row_layout_parse("id:int8, at:epoch_us, who:text", &s.layout, text, sizeof text));
    s.id_column = "id";
    s.time_column = "at";
    /* id, time, prev, hash, who: the id and the time are read from their own fields */
    audit_stream_layout(&s, &f);
    assert_int_equal(f.count, 5);
    assert_int_equal(f.digest, 3);
    assert_int_equal(f.chain, 2);
    assert_int_equal(f.layout, 4);
    assert_int_equal(f.sample, -1);
    assert_int_equal(f.layout_src[0], 0);
    assert_int_equal(f.layout_src[1], 1);
    assert_int_equal(f.layout_src[2], 4);
    s.row_bytes = "b";
    s.digest = "d";
    s.time_column = "other"; /* at is then a column of its own */
    audit_stream_layout(&s, &f); /* id, time, digest, prev, hash, at, who, sample */
    assert_int_equal(f.count, 8);
    assert_int_equal(f.digest, 2);
    assert_int_equal(f.layout, 5);
    assert_int_equal(f.layout_src[0], 0);
    assert_int_equal(f.layout_src[1], 5);
    assert_int_equal(f.layout_src[2], 6);
    assert_int_equal(f.sample, 7);
    s.layout.cols[0].enc = ENC_TEXT; /* id as text is not the id field's bigint */
    audit_stream_layout(&s, &f);
    assert_int_equal(f.layout_src[0], 5);
    assert_int_equal(f.count, 9);
    row_layout_release(&s.layout);
    audit_stream_layout(&s, &f); /* no layout: the row bytes as before */
    assert_int_equal(f.count, 6);
    assert_int_equal(f.layout, -1);
    assert_int_equal(f.sample, -1);
}

/* ------------------------------------------------------ the baseline read */

static const char base_doc[] =
    "{\"table\": \"public.audit_log\", \"ids\": \"sequential\", \"digest\": \"row hash\","
    " \"range\": 1000, \"rows\": 2500, \"newest_us\": 5,"
    " \"head\": {\"id\": \"2500\", \"at_us\": 5, \"row_hash\": \"ab\"},"
    " \"ranges\": [[0, 999, 1, 999, \"aa\"], [1, 1000, 1000, 1999, \"bb\"],"
    "              [2, 501, 2000, 2500, \"cc\"]],"
    " \"gaps\": [[1500, 1500]], \"gaps_truncated\": false,"
    " \"first\": {\"id\": 1, \"prev_hash\": \"00\"}, \"feeders\": []}";

static void test_base_read(void **state)
{
    (void)state;
    json_error_t je;
    json_t *doc = json_loads(base_doc, 0, &je);
    assert_non_null(doc);
    audit_settings s = {.range = 1000, .row_hash_column = "row_hash"};
    audit_names n = {.display = "public.audit_log"};
    audit_base b;
    char why[256];
    assert_true(audit_base_read(doc, &s, &n, &b, why, sizeof why));
    assert_int_equal(b.n_ranges, 3);
    assert_int_equal(b.head_id, 2500);
    assert_int_equal(b.ranges[2].first, 2000);
    assert_string_equal(b.ranges[1].digest, "bb");
    assert_spans(&b.gaps, "1500");
    assert_int_equal(b.first_id, 1);
    audit_base_release(&b);

    /* Another range size than the baseline's: a new baseline is needed. */
    s.range = 500;
    assert_false(audit_base_read(doc, &s, &n, &b, why, sizeof why));
    assert_non_null(strstr(why, "(sequential ids, range 1000, digest of row hash) but the"
                                " configuration now differs: run 'vouch baseline'"));
    audit_base_release(&b);
    /* No chain now: the digest would differ. */
    s.range = 1000;
    s.row_hash_column = NULL;
    assert_false(audit_base_read(doc, &s, &n, &b, why, sizeof why));
    audit_base_release(&b);
    json_decref(doc);

    doc = json_loads("{\"table\": \"public.audit_log\"}", 0, &je);
    assert_false(audit_base_read(doc, &s, &n, &b, why, sizeof why));
    assert_string_equal(why, "the baseline's audit_log document is malformed");
    audit_base_release(&b);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spans_add_merges_adjacent),
        cmocka_unit_test(test_spans_subtract),
        cmocka_unit_test(test_spans_subtract_extremes),
        cmocka_unit_test(test_spans_describe_caps),
        cmocka_unit_test(test_ids_narrow),
        cmocka_unit_test(test_ids_narrow_whole_range_gone),
        cmocka_unit_test(test_anchors_all_same),
        cmocka_unit_test(test_anchors_changed_and_gone),
        cmocka_unit_test(test_anchors_cut_is_loss_not_corruption),
        cmocka_unit_test(test_anchors_cut_still_sees_earlier_damage),
        cmocka_unit_test(test_seq_tracker),
        cmocka_unit_test(test_seq_tracker_caps),
        cmocka_unit_test(test_anchor_builder),
        cmocka_unit_test(test_floor_div),
        cmocka_unit_test(test_rpo_not_judged_without_incident),
        cmocka_unit_test(test_rpo_within),
        cmocka_unit_test(test_rpo_over),
        cmocka_unit_test(test_rpo_log_past_incident),
        cmocka_unit_test(test_duration_format),
        cmocka_unit_test(test_copy_header),
        cmocka_unit_test(test_copy_tuple),
        cmocka_unit_test(test_copy_ints),
        cmocka_unit_test(test_chain_clean),
        cmocka_unit_test(test_chain_altered_row),
        cmocka_unit_test(test_chain_edited_hash_breaks_two_links),
        cmocka_unit_test(test_chain_deleted_row_breaks_the_link),
        cmocka_unit_test(test_chain_genesis_and_nulls),
        cmocka_unit_test(test_chain_join_matches_one_pass),
        cmocka_unit_test(test_seq_join_matches_one_pass),
        cmocka_unit_test(test_seq_join_caps),
        cmocka_unit_test(test_chain_counts_past_the_list),
        cmocka_unit_test(test_configure_sample),
        cmocka_unit_test(test_configure_errors),
        cmocka_unit_test(test_configure_row_layout),
        cmocka_unit_test(test_base_read),
    };
    return cmocka_run_group_tests_name("audit_log", tests, NULL, NULL);
}
