/* checks/rowcount_sequences: when a sequence would hand out a value its column already
 * holds (is_called and the direction of the sequence count), and the setval given to the
 * user (the sequence's name made a literal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/rowcount_sequences.h"

static void test_ascending(void **state)
{
    (void)state;
    /* called at the column's maximum: the next value is past it */
    assert_false(seq_behind(40, true, 1, 40));
    assert_true(seq_behind(39, true, 1, 40));
    /* never called: last_value itself comes next */
    assert_true(seq_behind(40, false, 1, 40));
    assert_false(seq_behind(41, false, 1, 40));
    /* a fresh sequence against a restored table */
    assert_true(seq_behind(1, false, 1, 300));
    assert_true(seq_behind(1000, false, 1, 1299));
    assert_false(seq_behind(INT64_MAX, true, 1, INT64_MAX));
}

static void test_descending(void **state)
{
    (void)state;
    assert_false(seq_behind(-10, true, -1, -10));
    assert_true(seq_behind(-5, true, -1, -10));
    assert_true(seq_behind(-10, false, -1, -10));
    assert_false(seq_behind(-11, false, -1, -10));
}

static void test_setval_sql(void **state)
{
    (void)state;
    char *s = seq_setval_sql("app.organizations_id_seq", 40);
    assert_string_equal(s, "SELECT pg_catalog.setval('app.organizations_id_seq', 40)");
    free(s);
    s = seq_setval_sql("\"Tenant's\".\"Order Id Seq\"", -9223372036854775807LL - 1);
    assert_string_equal(s, "SELECT pg_catalog.setval('\"Tenant''s\".\"Order Id Seq\"',"
                           " -9223372036854775808)");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascending),
        cmocka_unit_test(test_descending),
        cmocka_unit_test(test_setval_sql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
