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
    layout_buf_release(&b);
    row_layout_release(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_demo_layout),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_build_demo_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
