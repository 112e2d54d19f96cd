/* checks/audit_layout: the row_layout declaration and the bytes built from binary COPY
 * fields, on fixed inputs whose bytes are those public.audit_log_row_bytes gives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "checks/audit_layout.h"

#define DEMO "id:int8, occurred_at:epoch_us, actor:text, action:text, agency_id:int8, payload:jsonb"

static void be64(unsigned char *p, int64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

static void test_parse_demo_layout(void **state)
{
    (void)state;
    row_layout l;
    char why[256];
    assert_true(row_layout_parse(DEMO, &l, why, sizeof why));
    assert_int_equal(l.n, 6);
    assert_string_equal(l.cols[1].name, "occurred_at");
    assert_int_equal(l.cols[1].enc, ENC_EPOCH_US);
    assert_int_equal(l.cols[5].enc, ENC_JSONB);
    row_layout_release(&l);
}

static void test_parse_refuses(void **state)
{
    (void)state;
    row_layout l;
    char why[256];
    assert_false(row_layout_parse("id:int4", &l, why, sizeof why));
    assert_non_null(strstr(why, "unknown encoding \"int4\""));
    assert_false(row_layout_parse("id", &l, why, sizeof why));
    assert_false(row_layout_parse("", &l, why, sizeof why));
    /* A name that is SQL is refused unless quoted; quoted, it stays one name. */
    assert_false(row_layout_parse("id); drop table x; --:int8", &l, why, sizeof why));
    assert_true(row_layout_parse("\"a, b:c\":text", &l, why, sizeof why));
    assert_int_equal(l.n, 1);
    assert_string_equal(l.cols[0].name, "a, b:c");
    row_layout_release(&l);
}

static void test_build_demo_row(void **state)
{
    (void)state;
    row_layout l;
    char why[256];
    assert_true(row_layout_parse(DEMO, &l, why, sizeof why));
    unsigned char id[8], at[8], json[] = "\x01{\"k\": 1}";
    be64(id, 42);
    /* 2026-01-02 03:04:05.123456 UTC, from PostgreSQL's 2000-01-01 epoch */
    be64(at, 1767323045123456LL - COPY_PG_EPOCH_US);
    copy_field f[6] = {
        {id, 8}, {at, 8}, {(const unsigned char *)"alice", 5}, {(const unsigned char *)"login", 5},
        {NULL, -1}, {json, (int32_t)strlen((char *)json)},
    };
    layout_buf b = {0};
    assert_true(layout_build(&l, f, &b));
    const char *want = "42|1767323045123456|alice|login||{\"k\": 1}";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.p, want, b.len);
    /* The buffer is reused: a shorter row leaves nothing of the longer one. */
    f[2] = (copy_field){(const unsigned char *)"", 0};
    f[5] = (copy_field){(const unsigned char *)"\x01{}", 3};
    assert_true(layout_build(&l, f, &b));
    want = "42|1767323045123456||login||{}";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.p, want, b.len);
    /* A NULL text makes the whole row NULL, as || does in SQL; so does a short int8. */
    f[3] = (copy_field){NULL, -1};
    assert_false(layout_build(&l, f, &b));
    assert_int_equal(b.len, 0);
    f[3] = (copy_field){(const unsigned char *)"x", 1};
    f[0].len = 4;
    assert_false(layout_build(&l, f, &b));
    f[0].len = 8;
    be64(at, INT64_MAX); /* infinity */
    assert_false(layout_build(&l, f, &b));
    /* Integers as %lld writes them: 0, negatives, both extremes. */
    row_layout ints;
    assert_true(row_layout_parse("a:int8, b:int8, c:int8, d:int8", &ints, why, sizeof why));
    unsigned char v[4][8];
    be64(v[0], 0);
    be64(v[1], -1234567);
    be64(v[2], INT64_MIN);
    be64(v[3], INT64_MAX);
    copy_field fi[4] = {{v[0], 8}, {v[1], 8}, {v[2], 8}, {v[3], 8}};
    assert_true(layout_build(&ints, fi, &b));
    want = "0|-1234567|-9223372036854775808|9223372036854775807";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.p, want, b.len);
    row_layout_release(&ints);
    layout_buf_release(&b);
    row_layout_release(&l);
}

/* Which column types each encoding reads: exactly the ones whose binary form gives the
 * SQL rule's bytes. */
static void test_types(void **state)
{
    (void)state;
    assert_true(layout_type_fits(ENC_INT8, "bigint"));
    assert_true(layout_type_fits(ENC_INT8, "integer"));
    assert_true(layout_type_fits(ENC_INT8, "smallint"));
    assert_false(layout_type_fits(ENC_INT8, "numeric"));
    assert_false(layout_type_fits(ENC_INT8, "text"));
    assert_true(layout_type_fits(ENC_EPOCH_US, "timestamp with time zone"));
    assert_true(layout_type_fits(ENC_EPOCH_US, "timestamp without time zone"));
    assert_false(layout_type_fits(ENC_EPOCH_US, "date"));
    assert_true(layout_type_fits(ENC_TEXT, "text"));
    assert_true(layout_type_fits(ENC_TEXT, "character varying"));
    assert_false(layout_type_fits(ENC_TEXT, "character"));
    assert_false(layout_type_fits(ENC_TEXT, "integer"));
    assert_true(layout_type_fits(ENC_JSONB, "jsonb"));
    assert_false(layout_type_fits(ENC_JSONB, "json"));
    assert_false(layout_type_fits(ENC_JSONB, "public.jsonb"));
    assert_string_equal(layout_enc_name(ENC_EPOCH_US), "epoch_us");
    assert_string_equal(layout_enc_takes(ENC_INT8), "bigint, integer or smallint");
}

/* The bytes a stream hands the chain, and the row_bytes sample compared with them. */
static void test_stream_sample(void **state)
{
    (void)state;
    row_layout l;
    char why[256];
    assert_true(row_layout_parse("id:int8, who:text", &l, why, sizeof why));
    unsigned char id[8];
    be64(id, 7);
    copy_field cols[2] = {{id, 8}, {(const unsigned char *)"bob", 3}};
    layout_stream ls = {0};
    /* Not sampled: the bytes, nothing counted. */
    copy_field not_sampled = {NULL, -1};
    copy_field rb = layout_stream_row(&ls, &l, 7, cols, &not_sampled);
    assert_int_equal(rb.len, 5);
    assert_memory_equal(rb.data, "7|bob", 5);
    rb = layout_stream_row(&ls, &l, 7, cols, NULL);
    assert_int_equal(rb.len, 5);
    assert_int_equal(ls.sampled, 0);
    /* Sampled and agreeing. */
    copy_field same = {(const unsigned char *)"\x01" "7|bob", 6};
    layout_stream_row(&ls, &l, 7, cols, &same);
    assert_int_equal(ls.sampled, 1);
    assert_int_equal(ls.disagree, 0);
    /* Sampled, differing: a byte, a length, NULL against bytes; the first id is kept. */
    copy_field other = {(const unsigned char *)"\x01" "7|bod", 6};
    layout_stream_row(&ls, &l, 9, cols, &other);
    copy_field longer = {(const unsigned char *)"\x01" "7|bob|", 7};
    layout_stream_row(&ls, &l, 11, cols, &longer);
    copy_field null_bytes = {(const unsigned char *)"\x00", 1};
    layout_stream_row(&ls, &l, 13, cols, &null_bytes);
    assert_int_equal(ls.sampled, 4);
    assert_int_equal(ls.disagree, 3);
    assert_int_equal(ls.first_disagree, 9);
    /* A row with no bytes (a NULL text) agrees with row_bytes' NULL only. */
    cols[1] = (copy_field){NULL, -1};
    rb = layout_stream_row(&ls, &l, 15, cols, &null_bytes);
    assert_int_equal(rb.len, -1);
    assert_null(rb.data);
    assert_int_equal(ls.disagree, 3);
    layout_stream_row(&ls, &l, 17, cols, &same);
    assert_int_equal(ls.disagree, 4);
    /* An empty row's bytes are bytes, not NULL. */
    row_layout one;
    assert_true(row_layout_parse("who:text", &one, why, sizeof why));
    layout_stream fresh = {0};
    copy_field empty_col = {(const unsigned char *)"", 0}, empty = {(const unsigned char *)"\x01", 1};
    rb = layout_stream_row(&fresh, &one, 1, &empty_col, &empty);
    assert_int_equal(rb.len, 0);
    assert_non_null(rb.data);
    assert_int_equal(fresh.disagree, 0);
    /* Parts joined in id order: the first disagreement is the earlier part's. */
    layout_stream a = {.sampled = 2}, b = {.sampled = 3, .disagree = 1, .first_disagree = 40};
    layout_stream_join(&a, &b);
    assert_int_equal(a.sampled, 5);
    assert_int_equal(a.first_disagree, 40);
    layout_stream c = {.sampled = 1, .disagree = 2, .first_disagree = 90};
    layout_stream_join(&a, &c);
    assert_int_equal(a.disagree, 3);
    assert_int_equal(a.first_disagree, 40);
    layout_stream_release(&fresh);
    layout_stream_release(&ls);
    row_layout_release(&one);
    row_layout_release(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_demo_layout),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_build_demo_row),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_stream_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
