/* "did you mean": the edit distance and the choice of the nearest name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/cli/suggest.h"

static void distance_counts_edits(void **state)
{
    (void)state;
    assert_int_equal(suggest_distance("gate", "gate"), 0);
    assert_int_equal(suggest_distance("gat", "gate"), 1);      /* insert */
    assert_int_equal(suggest_distance("gatee", "gate"), 1);    /* delete */
    assert_int_equal(suggest_distance("gare", "gate"), 1);     /* substitute */
    assert_int_equal(suggest_distance("gtae", "gate"), 1);     /* swap neighbours */
    assert_int_equal(suggest_distance("", "abc"), 3);
    assert_int_equal(suggest_distance("kitten", "sitting"), 3);
}

static void distance_refuses_huge_words(void **state)
{
    (void)state;
    char big[200];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_true(suggest_distance(big, "a") > 8);
}

static void closest_is_near_or_nothing(void **state)
{
    (void)state;
    const char *cmds[] = {"baseline", "gate", "check", "check-config", "runs", "report"};
    size_t n = sizeof cmds / sizeof *cmds;
    assert_string_equal(suggest_closest("gtae", cmds, n), "gate");
    assert_string_equal(suggest_closest("baselin", cmds, n), "baseline");
    assert_string_equal(suggest_closest("chek-config", cmds, n), "check-config");
    assert_string_equal(suggest_closest("reprot", cmds, n), "report");
    assert_null(suggest_closest("frobnicate", cmds, n));
    assert_null(suggest_closest("x", cmds, n));   /* one letter is no slip of "gate" */
    assert_null(suggest_closest("gate", cmds, n)); /* already a name */
    assert_null(suggest_closest("", cmds, n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(distance_counts_edits),
        cmocka_unit_test(distance_refuses_huge_words),
        cmocka_unit_test(closest_is_near_or_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
