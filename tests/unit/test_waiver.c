/* Waivers (src/waiver.c): reading [waiver "NAME"], matching checks and subjects, expiry
 * against an injected clock, and what applying them does to a run's results. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config.h"
#include "src/util.h"
#include "src/waiver.h"

static bool known(const char *check)
{
    return strcmp(check, "rowcount") == 0 || strcmp(check, "share_tokens") == 0;
}

static vexit read_text(const char *text, waiver_set *w, verr *e)
{
    conf *c = NULL;
    verr_clear(e);
    if (conf_load_string(&c, "vouch.conf", text, e) != VOUCH_OK)
        fail_msg("conf_load_string: %s", e->msg);
    vexit rc = waivers_read(c, known, w, e);
    conf_free(c);
    return rc;
}

static void expect_error(const char *text, const char *message)
{
    waiver_set w;
    verr e;
    assert_int_equal(read_text(text, &w, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, message);
    assert_int_equal(w.n, 0);
}

static int64_t ms_of(const char *iso)
{
    int64_t ms;
    if (!time_parse_iso(iso, &ms))
        fail_msg("bad time %s", iso);
    return ms;
}

static void test_expiry_dates(void **state)
{
    (void)state;
    int64_t until;
    assert_true(waiver_parse_expiry("2026-12-31", &until));
    assert_int_equal(until, ms_of("2027-01-01T00:00Z"));
    assert_true(waiver_parse_expiry("2028-02-29", &until)); /* a leap day */
    assert_false(waiver_parse_expiry("2026-02-29", &until));
    assert_false(waiver_parse_expiry("2026-02-30", &until));
    assert_false(waiver_parse_expiry("2026-13-01", &until));
    assert_false(waiver_parse_expiry("2026-1-01", &until));
    assert_false(waiver_parse_expiry("2026-01-01T00:00Z", &until));
    assert_false(waiver_parse_expiry("+026-01-01", &until));
    assert_false(waiver_parse_expiry("", &until));
    assert_false(waiver_parse_expiry(NULL, &until));
}

static void test_read_and_refuse(void **state)
{
    (void)state;
    waiver_set w;
    verr e;
    assert_int_equal(read_text("[waiver \"a\"]\ncheck = rowcount\nsubject = public.*\n"
                               "reason = migration\nexpires = 2026-12-31\napproved_by = Dana\n"
                               "[waiver \"b\"]\ncheck = share_tokens/invitations\n"
                               "subject = public.invites\nreason = r\nexpires = 2027-01-15\n",
                               &w, &e),
                     VOUCH_OK);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.v[0].name, "a");
    assert_string_equal(w.v[0].approved_by, "Dana");
    assert_null(w.v[1].approved_by);
    assert_int_equal(w.v[1].line, 7);
    waivers_release(&w);

    expect_error("[waiver \"a\"]\ncheck = rowcount\nsubject = x\nreason = r\n",
                 "vouch.conf:1: [waiver \"a\"] is missing required key 'expires'");
    expect_error("[waiver \"a\"]\ncheck = rowcount\nsubject = x\nexpires = 2026-01-01\n",
                 "vouch.conf:1: [waiver \"a\"] is missing required key 'reason'");
    expect_error("[waiver \"a\"]\ncheck = rowcount\nsubject = x\nreason = r\n"
                 "expires = 31/12/2026\n",
                 "vouch.conf:5: [waiver \"a\"] expires: '31/12/2026' is not a date written "
                 "YYYY-MM-DD");
    expect_error("[waiver \"a\"]\ncheck = nosuch\nsubject = x\nreason = r\nexpires = 2026-01-01\n",
                 "vouch.conf:2: [waiver \"a\"] check: no check is named 'nosuch'");
    expect_error("[waiver \"a\"]\ncheck = rowcount/x y\nsubject = x\nreason = r\n"
                 "expires = 2026-01-01\n",
                 "vouch.conf:2: [waiver \"a\"] check: no check is named 'rowcount/x y'");
    expect_error("[waiver]\ncheck = rowcount\nsubject = x\nreason = r\nexpires = 2026-01-01\n",
                 "vouch.conf:1: [waiver] needs a name: [waiver \"NAME\"]");
    expect_error("[waiver \"a\"]\ncheck = rowcount\nsubject = x\nreason = r\nexpires = 2026-01-01\n"
                 "reason = again\n",
                 "vouch.conf:6: [waiver \"a\"] reason: given twice (first on line 4)");
    expect_error("[waiver \"a\"]\ncheck = rowcount\nsubject = x\nreason = caf\xe9\n"
                 "expires = 2026-01-01\n",
                 "vouch.conf:4: [waiver \"a\"] reason: not valid UTF-8");
}

static waiver one(const char *check, const char *subject, const char *expires)
{
    waiver w = {.name = xstrdup("w"), .check = xstrdup(check), .subject = xstrdup(subject),
                .reason = xstrdup("because"), .expires = xstrdup(expires)};
    if (!waiver_parse_expiry(expires, &w.until_ms))
        fail_msg("bad date %s", expires);
    return w;
}

static void test_matching(void **state)
{
    (void)state;
    waiver w = one("rowcount", "public.t*", "2026-12-31");
    assert_true(waiver_covers(&w, "rowcount", "public.tasks"));
    assert_true(waiver_covers(&w, "rowcount", "public.t"));
    assert_false(waiver_covers(&w, "rowcount", "public.projects"));
    assert_false(waiver_covers(&w, "rls", "public.tasks"));
    assert_false(waiver_covers(&w, "rowcount", NULL));
    /* a checker's name covers its instances; an instance only itself */
    free(w.check);
    w.check = xstrdup("share_tokens");
    assert_true(waiver_covers(&w, "share_tokens/invitations", "public.tx"));
    assert_true(waiver_covers(&w, "share_tokens", "public.tx"));
    assert_false(waiver_covers(&w, "share_tokensx", "public.tx"));
    free(w.check);
    w.check = xstrdup("share_tokens/invitations");
    assert_true(waiver_covers(&w, "share_tokens/invitations", "public.tx"));
    assert_false(waiver_covers(&w, "share_tokens/refresh", "public.tx"));
    assert_false(waiver_covers(&w, "share_tokens", "public.tx"));
    /* a subject with glob characters matches itself exactly, and as the glob it is */
    free(w.subject);
    w.subject = xstrdup("public.[odd]");
    assert_true(waiver_covers(&w, "share_tokens/invitations", "public.[odd]"));
    assert_true(waiver_covers(&w, "share_tokens/invitations", "public.o"));
    assert_false(waiver_covers(&w, "share_tokens/invitations", "public.x"));
    free(w.subject);
    w.subject = xstrdup("public.\\[odd]"); /* escaped: only the literal name */
    assert_false(waiver_covers(&w, "share_tokens/invitations", "public.o"));
    assert_true(waiver_covers(&w, "share_tokens/invitations", "public.[odd]"));
    free(w.name);
    free(w.check);
    free(w.subject);
    free(w.reason);
    free(w.expires);
}

static result_row fail_row(const char *check, const char *subject, result_status status)
{
    return (result_row){.check = xstrdup(check), .subject = xstrdup(subject), .status = status,
                        .reason = xstrdup("found")};
}

static void release_rows(result_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        result_row_release(&rows[i]);
    free(rows);
}

static void test_apply(void **state)
{
    (void)state;
    waiver v[3] = {one("rowcount", "public.tasks", "2026-12-31"),
                   one("rowcount", "public.*", "2026-06-30"),
                   one("share_tokens", "*", "2026-12-31")};
    free(v[1].name);
    v[1].name = xstrdup("old");
    free(v[2].name);
    v[2].name = xstrdup("unused");
    v[2].approved_by = xstrdup("Dana");
    waiver_set ws = {v, 3};
    const char *units[] = {"rowcount", "share_tokens/invitations"};

    size_t n = 4, cap = 4, unmatched;
    result_row *rows = xcalloc(cap, sizeof *rows);
    rows[0] = fail_row("rowcount", "public.tasks", RESULT_FAIL);
    rows[1] = fail_row("rowcount", "public.projects", RESULT_PASS);
    rows[2] = fail_row("rowcount", "public.assets", RESULT_ERROR); /* not decided: no waiver */
    rows[3] = fail_row("share_tokens/invitations", "public.invites", RESULT_PASS);
    /* the last moment of 2026-06-30: "old" still in force, but "w" covered the row first */
    char *text = waivers_apply(&ws, units, 2, false, ms_of("2026-06-30T23:59:59.999Z"), &rows,
                               &n, &cap, &unmatched);
    assert_int_equal(rows[0].status, RESULT_WAIVED);
    assert_string_equal(rows[0].waiver, "w");
    assert_int_equal(rows[1].status, RESULT_PASS);
    assert_null(rows[1].waiver);
    assert_int_equal(rows[2].status, RESULT_ERROR);
    /* "old" and "unused" covered nothing: two warnings */
    assert_int_equal(unmatched, 2);
    assert_int_equal(n, 6);
    assert_int_equal(rows[4].status, RESULT_WARN);
    assert_string_equal(rows[4].subject, "(waiver old)");
    assert_string_equal(rows[5].check, "share_tokens");
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_array_size(doc), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 0), "state")),
                        "in_force");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "waived")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 2), "approved_by")),
                        "Dana");
    assert_null(json_object_get(json_array_get(doc, 0), "approved_by"));
    json_decref(doc);
    free(text);
    release_rows(rows, n);

    /* a day later "old" has expired: a failure naming it; "w" still covers its row */
    n = 1;
    cap = 1;
    rows = xcalloc(cap, sizeof *rows);
    rows[0] = fail_row("rowcount", "public.tasks", RESULT_FAIL);
    text = waivers_apply(&ws, units, 1, false, ms_of("2026-07-01T00:00Z"), &rows, &n, &cap,
                         &unmatched);
    assert_int_equal(rows[0].status, RESULT_WAIVED);
    assert_int_equal(n, 2); /* "unused" is about share_tokens, which this run did not run */
    assert_int_equal(rows[1].status, RESULT_FAIL);
    assert_string_equal(rows[1].subject, "(waiver old)");
    assert_string_equal(rows[1].reason, "waiver 'old' expired on 2026-06-30: it covers nothing,"
                                        " so what it covered fails again; fix it, or renew the"
                                        " waiver with a new expires");
    assert_int_equal(unmatched, 0);
    doc = json_loads(text, 0, NULL);
    assert_int_equal(json_array_size(doc), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 1), "state")),
                        "expired");
    json_decref(doc);
    free(text);
    release_rows(rows, n);

    /* once "w" expires too, the failure it covered is a failure again */
    n = 1;
    cap = 1;
    rows = xcalloc(cap, sizeof *rows);
    rows[0] = fail_row("rowcount", "public.tasks", RESULT_FAIL);
    text = waivers_apply(&ws, units, 1, false, ms_of("2027-01-01T00:00Z"), &rows, &n, &cap,
                         &unmatched);
    assert_int_equal(rows[0].status, RESULT_FAIL);
    assert_null(rows[0].waiver);
    assert_int_equal(n, 3);
    free(text);
    release_rows(rows, n);

    /* no waiver names a check of the run: nothing is recorded */
    n = 0;
    cap = 0;
    rows = NULL;
    const char *other[] = {"rls"};
    assert_null(waivers_apply(&ws, other, 1, false, 0, &rows, &n, &cap, &unmatched));
    assert_int_equal(n, 0);
    /* but a gate runs every configured check: a waiver about one not configured is unused
     * (or expired), never silently ignored */
    text = waivers_apply(&ws, other, 1, true, ms_of("2026-07-01T00:00Z"), &rows, &n, &cap,
                         &unmatched);
    assert_non_null(text);
    assert_int_equal(n, 3); /* w and unused unmatched, old expired */
    assert_int_equal(unmatched, 2);
    assert_int_equal(rows[1].status, RESULT_FAIL);
    free(text);
    release_rows(rows, n);
    for (size_t i = 0; i < 3; i++) {
        free(v[i].name);
        free(v[i].check);
        free(v[i].subject);
        free(v[i].reason);
        free(v[i].expires);
        free(v[i].approved_by);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expiry_dates),
        cmocka_unit_test(test_read_and_refuse),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_apply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
