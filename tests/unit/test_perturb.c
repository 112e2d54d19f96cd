/* checks/perturb: each checker's perturbation changes what its check compares, and only
 * that, on baseline documents shaped as the checkers capture them; every checker of the
 * registry that keeps a baseline has one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "checks/checker.h"
#include "checks/count_rule.h"
#include "checks/perturb.h"

static json_t *doc_of(const char *text)
{
    json_error_t je;
    json_t *d = json_loads(text, 0, &je);
    if (!d)
        fail_msg("bad test document: %s", je.text);
    return d;
}

static void flip_last_changes_one_digit(void **state)
{
    (void)state;
    char *a = perturb_flip_last("be3cae52"), *b = perturb_flip_last("10"),
         *c = perturb_flip_last("-3131683442471594305");
    assert_string_equal(a, "be3cae50");
    assert_string_equal(b, "11");
    assert_string_equal(c, "-3131683442471594300");
    assert_null(perturb_flip_last(""));
    assert_null(perturb_flip_last(NULL));
    free(a);
    free(b);
    free(c);
}

static void rowcount_raises_every_count_beyond_every_rule(void **state)
{
    (void)state;
    json_t *d = doc_of("{\"tables\":[{\"rows\":2000,\"schema\":\"public\",\"table\":\"tasks\"},"
                       "{\"rows\":0,\"schema\":\"public\",\"table\":\"empty\"}]}");
    perturb p;
    assert_int_equal(perturb_baseline("rowcount", d, &p), PERTURB_DONE);
    json_int_t a = json_integer_value(json_object_get(json_array_get(json_object_get(d, "tables"), 0), "rows"));
    json_int_t b = json_integer_value(json_object_get(json_array_get(json_object_get(d, "tables"), 1), "rows"));
    assert_int_equal(a, 21000);
    assert_int_equal(b, 1000);
    assert_non_null(strstr(p.what, "public.tasks raised from 2000 to 21000"));
    assert_non_null(strstr(p.what, "1 more tables"));
    /* The restored table still holds its 2000 rows: every rule up to 90 % fails it. */
    const char *rules[] = {"exact", "at-least", "tolerance 2%", "tolerance 90%"};
    for (size_t i = 0; i < 4; i++) {
        count_rule r;
        char why[256];
        assert_true(count_rule_parse(rules[i], &r));
        assert_int_equal(count_rule_judge(&r, a, 2000, why, sizeof why), RESULT_FAIL);
        assert_int_equal(count_rule_judge(&r, b, 0, why, sizeof why), RESULT_FAIL);
    }
    json_decref(d);
}

static void rowcount_without_tables_has_nothing(void **state)
{
    (void)state;
    json_t *d = doc_of("{\"tables\":[]}");
    perturb p;
    assert_int_equal(perturb_baseline("rowcount", d, &p), PERTURB_NOTHING);
    json_decref(d);
    /* not even an object */
    d = json_array();
    assert_int_equal(perturb_baseline("rowcount", d, &p), PERTURB_NOTHING);
    json_decref(d);
}

static void rls_removes_a_policy(void **state)
{
    (void)state;
    json_t *d = doc_of("{\"tables\":[{\"schema\":\"public\",\"table\":\"agencies\",\"rls\":false,"
                       "\"policies\":[]},{\"schema\":\"public\",\"table\":\"assets\",\"rls\":true,"
                       "\"policies\":[{\"name\":\"tenant_isolation\"},{\"name\":\"other\"}]}]}");
    perturb p;
    assert_int_equal(perturb_baseline("rls", d, &p), PERTURB_DONE);
    json_t *pol = json_object_get(json_array_get(json_object_get(d, "tables"), 1), "policies");
    assert_int_equal(json_array_size(pol), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(pol, 0), "name")), "other");
    assert_string_equal(p.what, "policy tenant_isolation of public.assets removed from the baseline");
    json_decref(d);
}

static void rls_without_policies_turns_the_flag(void **state)
{
    (void)state;
    json_t *d = doc_of("{\"tables\":[{\"schema\":\"s\",\"table\":\"t\",\"rls\":true,"
                       "\"policies\":[]}]}");
    perturb p;
    assert_int_equal(perturb_baseline("rls", d, &p), PERTURB_DONE);
    assert_true(json_is_false(json_object_get(json_array_get(json_object_get(d, "tables"), 0), "rls")));
    json_decref(d);
}

static void share_tokens_changes_digest_and_row(void **state)
{
    (void)state;
    /* version 2: the digest in the document, the row in the part of the same range */
    json_t *d = doc_of("{\"version\":2,\"table\":\"public.share_links\",\"ranges\":["
                       "{\"b\":0,\"n\":0,\"digest\":\"aa\"},{\"b\":3,\"n\":2,\"digest\":\"8acf\"}]}");
    perturb p;
    assert_int_equal(perturb_baseline("share_tokens", d, &p), PERTURB_DONE);
    json_t *r = json_array_get(json_object_get(d, "ranges"), 1);
    assert_string_equal(json_string_value(json_object_get(r, "digest")), "8ac0");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(d, "ranges"), 0), "digest")), "aa");
    assert_int_equal(p.part_b, 3);
    json_t *other = doc_of("{\"b\":1,\"rows\":\"7\\t1\\t\\tabc1\\n\"}");
    json_t *part = doc_of("{\"b\":3,\"rows\":\"12\\t17\\t\\t\\n13\\t17\\t\\t5d8c\\n\"}");
    perturb_part(&p, other);
    assert_string_equal(json_string_value(json_object_get(other, "rows")), "7\t1\t\tabc1\n");
    perturb_part(&p, part);
    /* the first line with a token (12 has none) */
    assert_string_equal(json_string_value(json_object_get(part, "rows")), "12\t17\t\t\n13\t17\t\t5d80\n");
    assert_true(p.part_done);
    json_decref(other);
    json_decref(part);
    json_decref(d);
}

static void share_tokens_noop_leaves_parts(void **state)
{
    (void)state;
    perturb p = {.part_b = 0, .noop = true};
    json_t *part = doc_of("{\"b\":0,\"rows\":\"1\\t1\\t\\tab\\n\"}");
    perturb_part(&p, part);
    assert_string_equal(json_string_value(json_object_get(part, "rows")), "1\t1\t\tab\n");
    perturb_part(NULL, part); /* no negative control: nothing */
    json_decref(part);
}

static void share_tokens_version1_changes_rows_inline(void **state)
{
    (void)state;
    json_t *d = doc_of("{\"table\":\"t\",\"ranges\":[{\"b\":0,\"n\":1,\"digest\":\"ff\","
                       "\"rows\":\"1\\t2\\t\\t9\"}]}");
    perturb p;
    assert_int_equal(perturb_baseline("share_tokens", d, &p), PERTURB_DONE);
    json_t *r = json_array_get(json_object_get(d, "ranges"), 0);
    assert_string_equal(json_string_value(json_object_get(r, "rows")), "1\t2\t\t0");
    assert_string_equal(json_string_value(json_object_get(r, "digest")), "f0");
    assert_int_equal(p.part_b, -1);
    json_decref(d);
}

static void settings_drops_a_setting(void **state)
{
    (void)state;
    json_t *d = doc_of("{\"database\":{\"database\":{\"owner\":\"postgres\","
                       "\"set app.data_region\":\"ap-southeast-2\"}},\"roles\":{}}");
    perturb p;
    assert_int_equal(perturb_baseline("settings", d, &p), PERTURB_DONE);
    json_t *db = json_object_get(json_object_get(d, "database"), "database");
    assert_null(json_object_get(db, "set app.data_region"));
    assert_string_equal(json_string_value(json_object_get(db, "owner")), "postgres");
    assert_string_equal(p.what, "setting app.data_region of database dropped from the baseline");
    json_decref(d);
    /* no setting at all: the owner changes */
    d = doc_of("{\"database\":{\"database\":{\"owner\":\"postgres\"}},\"roles\":{}}");
    assert_int_equal(perturb_baseline("settings", d, &p), PERTURB_DONE);
    db = json_object_get(json_object_get(d, "database"), "database");
    assert_string_not_equal(json_string_value(json_object_get(db, "owner")), "postgres");
    json_decref(d);
}

static void audit_log_flips_the_first_range(void **state)
{
    (void)state;
    json_t *d = doc_of("{\"table\":\"public.audit_log\",\"ranges\":[[0,9999,1,9999,\"be3c\"],"
                       "[1,1,10000,10000,\"2731\"]]}");
    perturb p;
    assert_int_equal(perturb_baseline("audit_log", d, &p), PERTURB_DONE);
    json_t *ranges = json_object_get(d, "ranges");
    assert_string_equal(json_string_value(json_array_get(json_array_get(ranges, 0), 4)), "be30");
    assert_string_equal(json_string_value(json_array_get(json_array_get(ranges, 1), 4)), "2731");
    json_decref(d);
    d = doc_of("{\"ranges\":[]}");
    assert_int_equal(perturb_baseline("audit_log", d, &p), PERTURB_NOTHING);
    json_decref(d);
}

static void content_changes_a_sum(void **state)
{
    (void)state;
    json_t *d = doc_of("{\"tables\":[{\"schema\":\"public\",\"table\":\"projects\",\"ranges\":"
                       "[{\"bucket\":0,\"columns\":[\"5\"],\"rows\":20,\"sums\":[\"-18\",\"7\"]}]}]}");
    perturb p;
    assert_int_equal(perturb_baseline("content", d, &p), PERTURB_DONE);
    json_t *r = json_array_get(json_object_get(json_array_get(json_object_get(d, "tables"), 0), "ranges"), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "sums"), 0)), "-10");
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "columns"), 0)), "5");
    json_decref(d);
}

static void residency_changes_a_hash(void **state)
{
    (void)state;
    json_t *d = doc_of("{\"rows\":[{\"hash\":\"63f3\",\"period\":\"2024-10\",\"region\":\"ap-southeast-2\"}]}");
    perturb p;
    assert_int_equal(perturb_baseline("residency", d, &p), PERTURB_DONE);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(d, "rows"), 0), "hash")), "63f0");
    json_decref(d);
}

static void query_by_expectation(void **state)
{
    (void)state;
    perturb p;
    json_t *d = doc_of("{\"digest\":\"a5fa\",\"expect\":\"baseline\",\"rows\":1}");
    assert_int_equal(perturb_baseline("query", d, &p), PERTURB_DONE);
    assert_string_equal(json_string_value(json_object_get(d, "digest")), "a5f0");
    json_decref(d);
    d = doc_of("{\"expect\":\"tolerance 5%\",\"value\":2000.0}");
    assert_int_equal(perturb_baseline("query", d, &p), PERTURB_DONE);
    assert_true(json_number_value(json_object_get(d, "value")) == 21000.0);
    json_decref(d);
    d = doc_of("{\"expect\":\"true\",\"sql\":\"SELECT true\"}");
    assert_int_equal(perturb_baseline("query", d, &p), PERTURB_NOT_APPLICABLE);
    assert_non_null(strstr(p.what, "not applicable: expect = true"));
    json_decref(d);
}

/* A new checker with a baseline must come with its perturbation. */
static void every_checker_with_a_baseline_has_one(void **state)
{
    (void)state;
    for (size_t i = 0; checkers[i]; i++) {
        if (!checkers[i]->capture)
            continue;
        json_t *d = json_object();
        perturb p;
        perturb_baseline(checkers[i]->name, d, &p);
        if (strstr(p.what, "no perturbation is defined"))
            fail_msg("checks/perturb.c has no perturbation for %s", checkers[i]->name);
        json_decref(d);
    }
    json_t *d = json_object();
    perturb p;
    assert_int_equal(perturb_baseline("no_such_check", d, &p), PERTURB_NOTHING);
    assert_non_null(strstr(p.what, "no perturbation is defined for no_such_check"));
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flip_last_changes_one_digit),
        cmocka_unit_test(rowcount_raises_every_count_beyond_every_rule),
        cmocka_unit_test(rowcount_without_tables_has_nothing),
        cmocka_unit_test(rls_removes_a_policy),
        cmocka_unit_test(rls_without_policies_turns_the_flag),
        cmocka_unit_test(share_tokens_changes_digest_and_row),
        cmocka_unit_test(share_tokens_noop_leaves_parts),
        cmocka_unit_test(share_tokens_version1_changes_rows_inline),
        cmocka_unit_test(settings_drops_a_setting),
        cmocka_unit_test(audit_log_flips_the_first_range),
        cmocka_unit_test(content_changes_a_sum),
        cmocka_unit_test(residency_changes_a_hash),
        cmocka_unit_test(query_by_expectation),
        cmocka_unit_test(every_checker_with_a_baseline_has_one),
    };
    return cmocka_run_group_tests_name("perturb", tests, NULL, NULL);
}
