/* evidence/run_walk: the run chain's judgement that both store back ends share. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "evidence/run_walk.h"
#include "src/util.h"

/* A sealed run at chain position pos (its id too), linked to prev. */
static run_record *sealed(int64_t pos, const char *kind, const char *status, int64_t baseline,
                          const char *prev)
{
    run_record *r = xcalloc(1, sizeof *r);
    r->id = pos;
    r->kind = xstrdup(kind);
    r->status = xstrdup(status);
    r->started_at = xstrdup("2026-12-03T10:00:00.000Z");
    r->finished_at = xstrdup("2026-12-03T10:00:01.000Z");
    r->target = xstrdup("dbname=portal");
    r->checks = xstrdup("rowcount");
    r->vouch_version = xstrdup("0.1.0");
    r->baseline_id = baseline;
    r->chain_pos = pos;
    r->canon_version = RUN_CANON_CURRENT;
    r->prev_digest = prev && *prev ? xstrdup(prev) : NULL;
    char d[DIGEST_HEX_LEN + 1];
    run_digest(r, prev ? prev : "", d);
    r->digest = xstrdup(d);
    return r;
}

/* The chain baseline (1), gate (2) against it, gate (3) against it. */
static run_record **chain3(void)
{
    run_record **c = xcalloc(3, sizeof *c);
    c[0] = sealed(1, "baseline", "captured", 0, "");
    c[1] = sealed(2, "gate", "passed", 1, c[0]->digest);
    c[2] = sealed(3, "gate", "failed", 1, c[1]->digest);
    return c;
}

static void free3(run_record **c)
{
    for (int i = 0; i < 3; i++)
        run_record_free(c[i]);
    free(c);
}

/* Walk c[0..n) from position from: the index of the first run that does not hold (n when
 * all do), its reason in why. */
static size_t walk(run_record **c, size_t n, int64_t from, char *why, size_t size)
{
    run_walk w;
    run_walk_begin(&w, from);
    size_t bad = n;
    for (size_t i = 0; i < n && bad == n; i++)
        if (!run_walk_step(&w, c[i], why, size))
            bad = i;
    run_walk_end(&w);
    return bad;
}

static void test_a_whole_chain_holds(void **state)
{
    (void)state;
    run_record **c = chain3();
    char why[256] = "";
    assert_int_equal(walk(c, 3, 1, why, sizeof why), 3);
    /* from the middle, the first run links to whatever its prev_digest names */
    assert_int_equal(walk(c + 1, 2, 2, why, sizeof why), 2);
    free3(c);
}

static void test_a_missing_run(void **state)
{
    (void)state;
    run_record **c = chain3();
    char why[256];
    run_record *gap[2] = {c[0], c[2]};
    assert_int_equal(walk(gap, 2, 1, why, sizeof why), 1);
    assert_string_equal(why, "run 3 sits at chain position 3 where 2 was expected: a run before"
                             " it is missing");
    free3(c);
}

static void test_a_changed_link_and_content(void **state)
{
    (void)state;
    run_record **c = chain3();
    char why[256];
    free(c[1]->prev_digest);
    c[1]->prev_digest = xstrdup(c[2]->digest);
    assert_int_equal(walk(c, 3, 1, why, sizeof why), 1);
    assert_string_equal(why, "run 2 does not link to the run sealed before it");
    free3(c);

    c = chain3();
    free(c[2]->status);
    c[2]->status = xstrdup("passed"); /* a failed gate made to read as passed */
    assert_int_equal(walk(c, 3, 1, why, sizeof why), 2);
    assert_string_equal(why, "run 3 does not match its digest: its content was changed after it"
                             " was sealed");
    free3(c);
}

static void test_a_baseline_not_sealed_before(void **state)
{
    (void)state;
    char why[256];
    run_record *c[2];
    c[0] = sealed(1, "gate", "passed", 0, "");
    c[1] = sealed(2, "gate", "passed", 1, c[0]->digest); /* run 1 is no baseline */
    assert_int_equal(walk(c, 2, 1, why, sizeof why), 1);
    assert_string_equal(why, "run 2 was compared with baseline 1, which is not a baseline sealed"
                             " before it in the chain");
    /* walked from the middle, what came before is not known: not judged */
    assert_int_equal(walk(c + 1, 1, 2, why, sizeof why), 1);
    run_record_free(c[0]);
    run_record_free(c[1]);
}

static void test_first_current(void **state)
{
    (void)state;
    run_record **c = chain3();
    c[0]->canon_version = 1; /* sealed in the old form: its digest is then over that form */
    free(c[0]->digest);
    char d[DIGEST_HEX_LEN + 1];
    run_digest(c[0], "", d);
    c[0]->digest = xstrdup(d);
    run_walk w;
    run_walk_begin(&w, 1);
    char why[256];
    run_walk_step(&w, c[0], why, sizeof why);
    assert_int_equal(w.first_current, 0);
    run_walk_step(&w, c[1], why, sizeof why);
    assert_int_equal(w.first_current, 2);
    run_walk_end(&w);
    free3(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_whole_chain_holds),
        cmocka_unit_test(test_a_missing_run),
        cmocka_unit_test(test_a_changed_link_and_content),
        cmocka_unit_test(test_a_baseline_not_sealed_before),
        cmocka_unit_test(test_first_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
