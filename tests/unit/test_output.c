/* src/output: the four writers (human, json, tap, junit) over a hand-built run,
 * checked for what a person or a CI system reading them would see. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/run_record.h"
#include "src/output.h"
#include "src/utf8.h"
#include "src/util.h"

/* ---------------------------------------------------------------- helpers */

static const char reason_fail[] = "10 rows missing (-1.00%); rule exact allows no difference";

static void add_row(run_record *r, const char *check, const char *subject, result_status status,
                    const char *expected, const char *observed, const char *reason,
                    const char *detail)
{
    r->results = xrealloc(r->results, (r->n_results + 1) * sizeof *r->results);
    r->results[r->n_results++] =
        (result_row){xstrdup(check),    xstrdup(subject), status,         xstrdup(expected),
                     xstrdup(observed), xstrdup(reason),  xstrdup(detail), NULL, NULL};
}

/* Gate 7 against baseline 3: projects pass, tasks fail, assets pass. */
static run_record *gate_run(void)
{
    run_record *r = xcalloc(1, sizeof *r);
    r->id = 7;
    r->kind = xstrdup("gate");
    r->status = xstrdup("failed");
    r->started_at = xstrdup("2026-03-01T02:00:00.000Z");
    r->finished_at = xstrdup("2026-03-01T02:00:03.250Z");
    r->target = xstrdup("host=restore-1 dbname=portal");
    r->baseline_id = 3;
    r->checks = xstrdup("rowcount");
    r->vouch_version = xstrdup("0.1.0");
    r->server_version = xstrdup("15.6");
    r->system_identifier = xstrdup("7312345678901234567");
    r->timeline = xstrdup("3");
    r->lsn = xstrdup("0/3000060");
    r->snapshot_time = xstrdup("2026-03-01T01:59:59.900Z");
    r->database = xstrdup("portal");
    r->chain_pos = 5;
    r->digest = xstrdup("5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
    add_row(r, "rowcount", "public.projects", RESULT_PASS, "120", "120",
            "same row count as the baseline; rule exact", NULL);
    add_row(r, "rowcount", "public.tasks", RESULT_FAIL, "1000", "990", reason_fail,
            "ids 991 to 1000 are gone\nnewest surviving id 990");
    add_row(r, "rowcount", "public.assets", RESULT_PASS, "5000 \xc2\xb1 2%", "5020",
            "20 rows more than the baseline (+0.40%); rule tolerance 2%", "counted in 3 ms");
    return r;
}

/* Gate 8 that could not finish. */
static run_record *aborted_run(void)
{
    run_record *r = xcalloc(1, sizeof *r);
    r->id = 8;
    r->kind = xstrdup("gate");
    r->status = xstrdup("aborted");
    r->started_at = xstrdup("2026-03-01T03:00:00.000Z");
    r->finished_at = xstrdup("2026-03-01T03:00:10.000Z");
    r->target = xstrdup("host=restore-1 dbname=portal");
    r->baseline_id = 3;
    r->error = xstrdup("could not connect to \"host=restore-1 dbname=portal\": timeout expired");
    return r;
}

/* Run a writer into memory; returns the text (caller frees). */
static char *render(const output_writer *w, const run_record *r, bool color, int verbosity)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    output_opts o = {.color = color, .verbosity = verbosity};
    verr e;
    verr_clear(&e);
    vexit rc = w->write(f, r, &o, &e);
    assert_int_equal(fclose(f), 0);
    if (rc != VOUCH_OK) {
        free(buf);
        fail_msg("%s writer: %s", w->name, e.msg);
    }
    assert_int_equal(strlen(buf), len);
    return buf;
}

static bool contains(const char *text, const char *part)
{
    return strstr(text, part) != NULL;
}

static void assert_contains(const char *text, const char *part)
{
    if (!contains(text, part))
        fail_msg("output lacks \"%s\":\n%s", part, text);
}

static void assert_lacks(const char *text, const char *part)
{
    if (contains(text, part))
        fail_msg("output has \"%s\":\n%s", part, text);
}

/* ------------------------------------------------------- registry, verdict */

static void test_find_writers(void **state)
{
    (void)state;
    assert_ptr_equal(output_find("human"), &output_human);
    assert_ptr_equal(output_find("json"), &output_json);
    assert_ptr_equal(output_find("tap"), &output_tap);
    assert_ptr_equal(output_find("junit"), &output_junit);
    assert_null(output_find("xml"));
    assert_null(output_find("JSON"));
    assert_string_equal(output_names(), "human, json, tap, junit");
}

static void test_verdict(void **state)
{
    (void)state;
    char buf[256];
    run_record *r = gate_run();
    output_verdict(r, buf, sizeof buf);
    assert_string_equal(buf, "gate closed: 1 of 3 results failed");
    /* A result that could not be decided closes the gate as a failure does. */
    r->results[0].status = RESULT_ERROR;
    output_verdict(r, buf, sizeof buf);
    assert_string_equal(buf, "gate closed: 2 of 3 results failed");
    r->results[0].status = RESULT_PASS;
    free(r->kind);
    r->kind = xstrdup("check");
    output_verdict(r, buf, sizeof buf);
    assert_string_equal(buf, "checks failed: 1 of 3 results failed");
    free(r->kind);
    r->kind = xstrdup("gate");
    free(r->status);
    r->status = xstrdup("running");
    output_verdict(r, buf, sizeof buf);
    assert_string_equal(buf, "gate 7 has not finished");

    r->results[1].status = RESULT_WARN;
    free(r->status);
    r->status = xstrdup("passed");
    output_verdict(r, buf, sizeof buf);
    assert_string_equal(buf, "gate open: 3 of 3 results passed (with warnings)");
    r->results[1].status = RESULT_PASS;
    output_verdict(r, buf, sizeof buf);
    assert_string_equal(buf, "gate open: 3 of 3 results passed");

    free(r->kind);
    r->kind = xstrdup("check");
    output_verdict(r, buf, sizeof buf);
    assert_string_equal(buf, "checks passed: 3 of 3 results passed");
    run_record_free(r);

    r = aborted_run();
    output_verdict(r, buf, sizeof buf);
    assert_string_equal(buf, "gate aborted: could not connect to \"host=restore-1 dbname=portal\":"
                             " timeout expired");
    run_record_free(r);
}

/* ------------------------------------------------------------------ human */

static void test_human_table(void **state)
{
    (void)state;
    run_record *r = gate_run();
    char *out = render(&output_human, r, false, 0);
    assert_string_equal(
        out,
        "vouch gate 7 against baseline 3 on host=restore-1 dbname=portal\n"
        "server PostgreSQL 15.6, system 7312345678901234567, timeline 3, lsn 0/3000060,"
        " snapshot 2026-03-01T01:59:59.900Z\n"
        "\n"
        "STATUS CHECK     SUBJECT          EXPECTED   OBSERVED  REASON\n"
        "pass   rowcount  public.projects  120        120       same row count as the baseline;"
        " rule exact\n"
        "FAIL   rowcount  public.tasks     1000       990       10 rows missing (-1.00%);"
        " rule exact allows no difference\n"
        "         ids 991 to 1000 are gone\n"
        "         newest surviving id 990\n"
        "pass   rowcount  public.assets    5000 \xc2\xb1 2%  5020      20 rows more than the"
        " baseline (+0.40%); rule tolerance 2%\n"
        "\n"
        "3 results: 2 passed, 1 failed\n"
        "gate closed: 1 of 3 results failed\n");
    /* Without colour there is no escape sequence at all. */
    assert_lacks(out, "\033");
    /* The detail of a passing row waits for --verbose. */
    assert_lacks(out, "counted in 3 ms");
    free(out);
    run_record_free(r);
}

static void test_human_quiet_hides_passing_rows(void **state)
{
    (void)state;
    run_record *r = gate_run();
    char *out = render(&output_human, r, false, -1);
    assert_contains(out, "STATUS CHECK     SUBJECT       EXPECTED  OBSERVED  REASON\n");
    assert_contains(out, "FAIL   rowcount  public.tasks  1000      990       " );
    assert_contains(out, reason_fail);
    assert_contains(out, "         ids 991 to 1000 are gone\n");
    assert_lacks(out, "public.projects");
    assert_lacks(out, "public.assets");
    assert_lacks(out, "pass ");
    assert_contains(out, "\ngate closed: 1 of 3 results failed\n");
    free(out);

    /* Nothing to show: no table header either, only the verdict. */
    r->results[1].status = RESULT_PASS;
    free(r->status);
    r->status = xstrdup("passed");
    out = render(&output_human, r, false, -1);
    assert_lacks(out, "STATUS");
    assert_lacks(out, "rowcount");
    assert_contains(out, "\ngate open: 3 of 3 results passed\n");
    free(out);
    run_record_free(r);
}

static void test_human_verbose_and_colour(void **state)
{
    (void)state;
    run_record *r = gate_run();
    char *out = render(&output_human, r, true, 1);
    assert_contains(out, "\033[1mSTATUS CHECK ");
    assert_contains(out, "\033[31mFAIL  \033[0m rowcount  public.tasks ");
    assert_contains(out, "\033[32mpass  \033[0m rowcount  public.projects ");
    assert_contains(out, "         counted in 3 ms\n");
    assert_contains(out, "\033[1m\033[31mgate closed: 1 of 3 results failed\033[0m\n");
    free(out);

    /* A passed gate ends in green; a warning is yellow and not a failure. */
    r->results[1].status = RESULT_WARN;
    free(r->status);
    r->status = xstrdup("passed");
    out = render(&output_human, r, true, 0);
    assert_contains(out, "\033[33mWARN  \033[0m rowcount  public.tasks ");
    assert_contains(out, "\033[1m\033[32mgate open: 3 of 3 results passed (with warnings)\033[0m\n");
    free(out);
    run_record_free(r);
}

static void test_human_missing_values_show_a_dash(void **state)
{
    (void)state;
    run_record *r = gate_run();
    free(r->results[1].expected);
    r->results[1].expected = NULL;
    free(r->results[1].observed);
    r->results[1].observed = xstrdup("");
    r->results[1].status = RESULT_ERROR;
    free(r->server_version);
    r->server_version = NULL;
    r->baseline_id = 0;
    char *out = render(&output_human, r, false, 0);
    assert_contains(out, "vouch gate 7 on host=restore-1 dbname=portal\n\n");
    assert_lacks(out, "server PostgreSQL");
    assert_contains(out, "ERROR  rowcount  public.tasks     -          -         10 rows missing");
    free(out);
    run_record_free(r);
}

static void test_human_baseline(void **state)
{
    (void)state;
    run_record *r = xcalloc(1, sizeof *r);
    r->id = 3;
    r->kind = xstrdup("baseline");
    r->status = xstrdup("captured");
    r->target = xstrdup("host=prod dbname=portal");
    r->n_baselines = 2;
    r->baselines = xcalloc(2, sizeof *r->baselines);
    r->baselines[0] = (baseline_doc){.check = xstrdup("rowcount"),
                                     .content = xstrdup("{\"tables\":[[\"public\",\"tasks\",1000],"
                                             "[\"public\",\"projects\",120]]}")};
    r->baselines[1] = (baseline_doc){.check = xstrdup("settings"), .content = xstrdup("{\"owner\":\"app\"}")};
    char *out = render(&output_human, r, false, 0);
    assert_string_equal(out, "vouch baseline 3 on host=prod dbname=portal\n"
                             "  rowcount: 2 tables\n"
                             "  settings: captured\n"
                             "\n"
                             "baseline 3 captured\n");
    free(out);
    run_record_free(r);
}

static void test_human_aborted(void **state)
{
    (void)state;
    run_record *r = aborted_run();
    char *out = render(&output_human, r, false, 0);
    assert_string_equal(out, "vouch gate 8 against baseline 3 on host=restore-1 dbname=portal\n"
                             "\n"
                             "gate aborted: could not connect to \"host=restore-1 dbname=portal\":"
                             " timeout expired\n");
    free(out);
    run_record_free(r);
}

/* ------------------------------------------------------------------- json */

static json_t *parse_json(const char *text)
{
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    if (!doc)
        fail_msg("not JSON (line %d: %s):\n%s", err.line, err.text, text);
    return doc;
}

static const char *jstr(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        fail_msg("\"%s\" is not a string", key);
    return json_string_value(v);
}

static json_int_t jint(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is not an integer", key);
    return json_integer_value(v);
}

static void test_json(void **state)
{
    (void)state;
    run_record *r = gate_run();
    char *out = render(&output_json, r, false, 0);
    assert_int_equal(out[strlen(out) - 1], '\n');
    json_t *doc = parse_json(out);
    free(out);

    assert_string_equal(jstr(doc, "format"), "vouch-run/1");
    assert_int_equal(jint(doc, "run"), 7);
    assert_string_equal(jstr(doc, "kind"), "gate");
    assert_string_equal(jstr(doc, "status"), "failed");
    assert_true(json_is_false(json_object_get(doc, "passed")));
    assert_int_equal(jint(doc, "baseline"), 3);
    assert_string_equal(jstr(doc, "target"), "host=restore-1 dbname=portal");
    assert_true(json_is_null(json_object_get(doc, "error")));
    assert_string_equal(jstr(doc, "digest"), r->digest);
    assert_string_equal(jstr(doc, "verdict"), "gate closed: 1 of 3 results failed");

    const json_t *server = json_object_get(doc, "server");
    assert_string_equal(jstr(server, "version"), "15.6");
    assert_string_equal(jstr(server, "lsn"), "0/3000060");
    assert_string_equal(jstr(server, "database"), "portal");

    const json_t *counts = json_object_get(doc, "counts");
    assert_int_equal(jint(counts, "pass"), 2);
    assert_int_equal(jint(counts, "warn"), 0);
    assert_int_equal(jint(counts, "fail"), 1);
    assert_int_equal(jint(counts, "error"), 0);
    assert_int_equal(jint(counts, "total"), 3);

    const json_t *results = json_object_get(doc, "results");
    assert_true(json_is_array(results));
    assert_int_equal(json_array_size(results), 3);
    static const char *const subjects[] = {"public.projects", "public.tasks", "public.assets"};
    static const char *const statuses[] = {"pass", "fail", "pass"};
    for (size_t i = 0; i < 3; i++) {
        const json_t *x = json_array_get(results, i);
        assert_string_equal(jstr(x, "check"), "rowcount");
        assert_string_equal(jstr(x, "subject"), subjects[i]);
        assert_string_equal(jstr(x, "status"), statuses[i]);
    }
    const json_t *tasks = json_array_get(results, 1);
    assert_string_equal(jstr(tasks, "expected"), "1000");
    assert_string_equal(jstr(tasks, "observed"), "990");
    assert_string_equal(jstr(tasks, "reason"), reason_fail);
    assert_string_equal(jstr(tasks, "detail"), "ids 991 to 1000 are gone\nnewest surviving id 990");
    assert_true(json_is_null(json_object_get(json_array_get(results, 0), "detail")));
    assert_string_equal(jstr(json_array_get(results, 2), "expected"), "5000 \xc2\xb1 2%");
    json_decref(doc);
    run_record_free(r);
}

static void test_json_aborted(void **state)
{
    (void)state;
    run_record *r = aborted_run();
    char *out = render(&output_json, r, false, 0);
    json_t *doc = parse_json(out);
    free(out);
    assert_string_equal(jstr(doc, "status"), "aborted");
    assert_true(json_is_false(json_object_get(doc, "passed")));
    assert_string_equal(jstr(doc, "error"), r->error);
    assert_true(json_is_null(json_object_get(doc, "digest")));
    assert_true(json_is_null(json_object_get(json_object_get(doc, "server"), "version")));
    assert_int_equal(jint(json_object_get(doc, "counts"), "total"), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "results")), 0);
    json_decref(doc);
    run_record_free(r);

    /* A baseline that captured counts as passed; with no baseline behind it, null. */
    r = aborted_run();
    free(r->kind);
    r->kind = xstrdup("baseline");
    free(r->status);
    r->status = xstrdup("captured");
    r->baseline_id = 0;
    out = render(&output_json, r, false, 0);
    doc = parse_json(out);
    free(out);
    assert_true(json_is_true(json_object_get(doc, "passed")));
    assert_true(json_is_null(json_object_get(doc, "baseline")));
    assert_string_equal(jstr(doc, "verdict"), "baseline 8 captured");
    json_decref(doc);
    run_record_free(r);
}

/* -------------------------------------------------------------------- tap */

static void test_tap(void **state)
{
    (void)state;
    run_record *r = gate_run();
    char *out = render(&output_tap, r, false, 0);
    assert_string_equal(out, "TAP version 14\n"
                             "1..3\n"
                             "ok 1 - rowcount public.projects\n"
                             "not ok 2 - rowcount public.tasks\n"
                             "  ---\n"
                             "  message: \"10 rows missing (-1.00%); rule exact allows no difference\"\n"
                             "  severity: \"fail\"\n"
                             "  data:\n"
                             "    expected: \"1000\"\n"
                             "    observed: \"990\"\n"
                             "  detail: \"ids 991 to 1000 are gone\\nnewest surviving id 990\"\n"
                             "  ...\n"
                             "ok 3 - rowcount public.assets\n"
                             "# 3 results: 2 passed, 1 failed\n"
                             "# gate closed: 1 of 3 results failed\n");
    free(out);
    run_record_free(r);
}

static void test_tap_warn_and_error(void **state)
{
    (void)state;
    run_record *r = gate_run();
    r->results[0].status = RESULT_WARN;
    r->results[1].status = RESULT_ERROR;
    free(r->results[1].expected);
    free(r->results[1].observed);
    free(r->results[1].detail);
    r->results[1].expected = r->results[1].observed = r->results[1].detail = NULL;
    free(r->results[1].reason);
    r->results[1].reason = xstrdup("permission denied for table \"tasks\"");
    char *out = render(&output_tap, r, false, 0);
    /* A warning is still ok, with its diagnostics. */
    assert_contains(out, "ok 1 - rowcount public.projects\n"
                         "  ---\n"
                         "  message: \"same row count as the baseline; rule exact\"\n"
                         "  severity: \"warn\"\n"
                         "  data:\n"
                         "    expected: \"120\"\n"
                         "    observed: \"120\"\n"
                         "  ...\n");
    /* An error is not ok; quotes in the message stay valid YAML; no empty data block. */
    assert_contains(out, "not ok 2 - rowcount public.tasks\n"
                         "  ---\n"
                         "  message: \"permission denied for table \\\"tasks\\\"\"\n"
                         "  severity: \"error\"\n"
                         "  ...\n");
    free(out);
    run_record_free(r);
}

static void test_tap_aborted_bails_out(void **state)
{
    (void)state;
    run_record *r = aborted_run();
    char *out = render(&output_tap, r, false, 0);
    assert_string_equal(out, "TAP version 14\n"
                             "1..0\n"
                             "Bail out! gate 8 aborted: could not connect to \"host=restore-1"
                             " dbname=portal\": timeout expired\n"
                             "# gate aborted: could not connect to \"host=restore-1 dbname=portal\":"
                             " timeout expired\n");
    free(out);
    run_record_free(r);
}

/* ------------------------------------------------------------------ junit */

static xmlDocPtr parse_xml(const char *text)
{
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "junit.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        fail_msg("not well-formed XML:\n%s", text);
    return doc;
}

/* The string value of an XPath expression over doc; caller frees. */
static char *xpath(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    assert_non_null(ctx);
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    assert_non_null(obj);
    xmlChar *s = xmlXPathCastToString(obj);
    char *out = xstrdup((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return out;
}

static void assert_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = xpath(doc, expr);
    if (strcmp(got, want) != 0) {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", got);
        free(got);
        fail_msg("%s is \"%s\", not \"%s\"", expr, copy, want);
    }
    free(got);
}

static void test_junit(void **state)
{
    (void)state;
    run_record *r = gate_run();
    char *out = render(&output_junit, r, false, 0);
    assert_true(strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
    xmlDocPtr doc = parse_xml(out);
    free(out);

    assert_xpath(doc, "name(/*)", "testsuites");
    assert_xpath(doc, "/testsuites/@name", "vouch gate 7");
    assert_xpath(doc, "/testsuites/@tests", "3");
    assert_xpath(doc, "/testsuites/@failures", "1");
    assert_xpath(doc, "/testsuites/@errors", "0");
    assert_xpath(doc, "count(/testsuites/testsuite)", "1");

    const char *suite = "/testsuites/testsuite[@name='vouch.rowcount']";
    char *expr = xasprintf("count(%s)", suite);
    assert_xpath(doc, expr, "1");
    free(expr);
    expr = xasprintf("%s/@tests", suite);
    assert_xpath(doc, expr, "3");
    free(expr);
    expr = xasprintf("%s/@failures", suite);
    assert_xpath(doc, expr, "1");
    free(expr);
    expr = xasprintf("%s/@errors", suite);
    assert_xpath(doc, expr, "0");
    free(expr);
    expr = xasprintf("%s/@timestamp", suite);
    assert_xpath(doc, expr, "2026-03-01T02:00:00.000Z");
    free(expr);

    /* One testcase per subject, in order. */
    assert_xpath(doc, "count(//testcase)", "3");
    assert_xpath(doc, "//testcase[1]/@name", "public.projects");
    assert_xpath(doc, "//testcase[2]/@name", "public.tasks");
    assert_xpath(doc, "//testcase[3]/@name", "public.assets");
    assert_xpath(doc, "//testcase[2]/@classname", "vouch.rowcount");

    /* The failure carries the reason as its message, and expected/observed in its body. */
    assert_xpath(doc, "count(//failure)", "1");
    assert_xpath(doc, "count(//error)", "0");
    assert_xpath(doc, "count(//testcase[@name='public.tasks']/failure)", "1");
    assert_xpath(doc, "//failure/@message", reason_fail);
    assert_xpath(doc, "//failure/@type", "fail");
    assert_xpath(doc, "string(//failure)",
                 "10 rows missing (-1.00%); rule exact allows no difference\n"
                 "expected: 1000\n"
                 "observed: 990\n"
                 "ids 991 to 1000 are gone\n"
                 "newest surviving id 990\n");
    /* Passing cases say why in system-out. */
    assert_xpath(doc, "//testcase[3]/system-out",
                 "pass: 20 rows more than the baseline (+0.40%); rule tolerance 2%"
                 " (expected 5000 \xc2\xb1 2%, observed 5020)");
    xmlFreeDoc(doc);
    run_record_free(r);
}

static void test_junit_suite_per_check_and_escaping(void **state)
{
    (void)state;
    run_record *r = gate_run();
    add_row(r, "rls", "public.\"a<b>&'c\"", RESULT_ERROR, NULL, NULL,
            "could not read policies: \"permission denied\" <42501>", NULL);
    char *out = render(&output_junit, r, false, 0);
    xmlDocPtr doc = parse_xml(out);
    free(out);
    assert_xpath(doc, "/testsuites/@tests", "4");
    assert_xpath(doc, "/testsuites/@failures", "1");
    assert_xpath(doc, "/testsuites/@errors", "1");
    assert_xpath(doc, "count(/testsuites/testsuite)", "2");
    assert_xpath(doc, "/testsuites/testsuite[1]/@name", "vouch.rowcount");
    assert_xpath(doc, "/testsuites/testsuite[2]/@name", "vouch.rls");
    assert_xpath(doc, "/testsuites/testsuite[2]/@tests", "1");
    assert_xpath(doc, "/testsuites/testsuite[2]/@errors", "1");
    assert_xpath(doc, "/testsuites/testsuite[2]/@failures", "0");
    assert_xpath(doc, "/testsuites/testsuite[2]/testcase/@name", "public.\"a<b>&'c\"");
    assert_xpath(doc, "/testsuites/testsuite[2]/testcase/error/@message",
                 "could not read policies: \"permission denied\" <42501>");
    assert_xpath(doc, "/testsuites/testsuite[2]/testcase/error/@type", "error");
    xmlFreeDoc(doc);
    run_record_free(r);
}

static void test_junit_aborted_is_an_error(void **state)
{
    (void)state;
    run_record *r = aborted_run();
    char *out = render(&output_junit, r, false, 0);
    xmlDocPtr doc = parse_xml(out);
    free(out);
    assert_xpath(doc, "/testsuites/@tests", "1");
    assert_xpath(doc, "/testsuites/@failures", "0");
    assert_xpath(doc, "/testsuites/@errors", "1");
    assert_xpath(doc, "/testsuites/testsuite/@name", "vouch.run");
    assert_xpath(doc, "count(//error)", "1");
    assert_xpath(doc, "count(//failure)", "0");
    assert_xpath(doc, "//testcase/@name", "run");
    assert_xpath(doc, "//error/@message", r->error);
    xmlFreeDoc(doc);
    run_record_free(r);
}

/* ----------------------------------------------------------- write errors */

static void test_write_errors_are_reported(void **state)
{
    (void)state;
    static const struct {
        const output_writer *w;
        const char *msg;
    } cases[] = {
        {&output_human, "could not write the output"},
        {&output_json, "could not write the JSON output"},
        {&output_tap, "could not write the TAP output"},
        {&output_junit, "could not write the JUnit output"},
    };
    run_record *r = gate_run();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* /dev/full refuses every write; unbuffered, the writer sees it at once. */
        FILE *f = fopen("/dev/full", "w");
        if (!f)
            skip();
        setvbuf(f, NULL, _IONBF, 0);
        output_opts o = {.color = false, .verbosity = 0};
        verr e;
        verr_clear(&e);
        vexit rc = cases[i].w->write(f, r, &o, &e);
        fclose(f);
        assert_int_equal(rc, VOUCH_ABORTED);
        assert_string_equal(e.msg, cases[i].msg);
    }
    run_record_free(r);
}

/* A table named like a TAP directive must not turn a failure into a todo. */
static void test_tap_escapes_directives(void **state)
{
    (void)state;
    run_record *r = gate_run();
    free(r->results[1].subject);
    r->results[1].subject = xstrdup("public.\"tasks # TODO\"");
    char *tap = render(&output_tap, r, false, 0);
    assert_contains(tap, "not ok 2 - rowcount public.\"tasks \\# TODO\"\n");
    free(tap);
    run_record_free(r);
}

/* A byte that is not UTF-8 (a name in another encoding) is shown as '?' in JSON and as \xE9
 * in JUnit, never drops a result. */
static void test_invalid_utf8_keeps_every_result(void **state)
{
    (void)state;
    run_record *r = gate_run();
    free(r->results[1].subject);
    r->results[1].subject = xstrdup("public.caf\xe9");
    char *json = render(&output_json, r, false, 0);
    json_t *doc = parse_json(json);
    json_t *results = json_object_get(doc, "results");
    assert_int_equal(json_array_size(results), 3);
    assert_string_equal(jstr(json_array_get(results, 1), "subject"), "public.caf?");
    json_decref(doc);
    free(json);
    char *xml = render(&output_junit, r, false, 0);
    xmlDocPtr x = parse_xml(xml);
    assert_xpath(x, "string(//testcase[failure]/@name)", "public.caf\\xE9");
    xmlFreeDoc(x);
    free(xml);
    run_record_free(r);
}

/* A value read from the database that would clear the screen and forge a verdict. */
static const char forged[] = "\033[2J\033[HSTATUS CHECK SUBJECT\npass ...\n\n"
                             "gate open: every check passed (59 of 59)\n\033[8m\xc2\x9b\xef\xbf\xbe";

static run_record *hostile_run(void)
{
    run_record *r = gate_run();
    free(r->results[1].subject);
    r->results[1].subject = xstrdup("evil\n\033[1A\033[2K\rgate open");
    free(r->results[1].observed);
    r->results[1].observed = xstrdup(forged);
    free(r->results[1].detail);
    r->results[1].detail = xstrdup(forged);
    free(r->target);
    r->target = xstrdup("dbname=\033[8m");
    return r;
}

/* No control character but a newline, no C1, no U+FFFE in the text at all. */
static void assert_inert(const char *text, const char *format)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
            fail_msg("%s output holds byte 0x%02X at %td", format, *p, (const char *)p - text);
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            fail_msg("%s output holds a C1 control", format);
        if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
            fail_msg("%s output holds U+FFFE or U+FFFF", format);
    }
}

/* The line count that no value may forge: no line of the output says "gate open". */
static void assert_no_line_starts(const char *text, const char *line)
{
    for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, line, strlen(line)) == 0)
            fail_msg("a line starts with \"%s\":\n%s", line, text);
}

static void test_hostile_text_is_shown_escaped(void **state)
{
    (void)state;
    run_record *r = hostile_run();
    char *human = render(&output_human, r, false, 0);
    assert_inert(human, "human");
    assert_no_line_starts(human, "gate open");
    assert_no_line_starts(human, "pass ...");
    assert_contains(human, "evil\\x0A\\x1B[1A\\x1B[2K\\x0Dgate open");
    assert_contains(human, "on dbname=\\x1B[8m\n");
    /* the detail keeps its lines, each indented: none can pose as a row or a verdict */
    assert_contains(human, "         pass ...\n");
    assert_contains(human, "         gate open: every check passed (59 of 59)\n");
    free(human);
    char *tap = render(&output_tap, r, false, 0);
    assert_inert(tap, "TAP");
    assert_no_line_starts(tap, "gate open");
    assert_no_line_starts(tap, "pass ...");
    assert_contains(tap, "not ok 2 - rowcount evil\\\\x0A\\\\x1B[1A");
    free(tap);
    char *xml = render(&output_junit, r, false, 0);
    assert_inert(xml, "JUnit");
    xmlDocPtr x = parse_xml(xml);
    assert_xpath(x, "string(//testcase[failure]/@name)", "evil\\x0A\\x1B[1A\\x1B[2K\\x0Dgate open");
    xmlFreeDoc(x);
    free(xml);
    run_record_free(r);
}

/* One huge value neither pads every row nor hides: the cell is cut, the value shown whole. */
static void test_human_caps_column_width(void **state)
{
    (void)state;
    run_record *r = gate_run();
    size_t n = 300 * 1000;
    char *big = xmalloc(n + 1);
    memset(big, 'a', n);
    big[n] = '\0';
    free(r->results[0].observed);
    r->results[0].observed = big;
    char *human = render(&output_human, r, false, 0);
    /* the value once (its own line), not once per row of padding */
    assert_true(strlen(human) < n + 4096);
    assert_contains(human, "         observed: ");
    assert_non_null(strstr(human, "aaa\xe2\x80\xa6  "));
    const char *row3 = strstr(human, "pass   rowcount  public.assets");
    assert_non_null(row3);
    const char *eol = strchr(row3, '\n');
    assert_true(eol - row3 < 300);
    free(human);
    run_record_free(r);
}

/* Every line of text but the header's is at most width code points. */
static void assert_lines_fit(const char *text, size_t width)
{
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        char *line = xstrndup(p, len);
        if (strncmp(line, "server ", 7) != 0 && strncmp(line, "vouch ", 6) != 0 &&
            utf8_width(line) > width)
            fail_msg("line wider than %zu: \"%s\"", width, line);
        free(line);
        p += len + (p[len] == '\n');
    }
}

/* Every blank-separated word of reason appears whole in text. */
static void assert_words_whole(const char *text, const char *reason)
{
    char *copy = xstrdup(reason);
    for (char *w = copy, *end; *w; w = end) {
        end = w + strcspn(w, " ");
        char keep = *end;
        *end = '\0';
        if (!strstr(text, w))
            fail_msg("word \"%s\" is broken in:\n%s", w, text);
        end += keep != '\0';
    }
    free(copy);
}

static const char long_reason[] =
    "10 rows missing (-1.00%) since the baseline; rule exact allows no difference, so the"
    " gate stays closed until the table is restored from a backup taken before the loss";

static void test_human_wraps_reason_to_width(void **state)
{
    (void)state;
    run_record *r = gate_run();
    free(r->results[1].reason);
    r->results[1].reason = xstrdup(long_reason);
    size_t widths[] = {60, 80, 200};
    for (size_t k = 0; k < 3; k++) {
        char cols[8];
        snprintf(cols, sizeof cols, "%zu", widths[k]);
        setenv("COLUMNS", cols, 1);
        char *out = render(&output_human, r, false, 0);
        assert_lines_fit(out, widths[k]);
        assert_words_whole(out, long_reason);
        if (widths[k] == 80) {
            /* beside the cells, the next lines under the reason column */
            assert_contains(out, "FAIL   rowcount  public.tasks     1000       990       10 rows"
                                 " missing (-1.00%)\n"
                                 "                                                       since"
                                 " the baseline; rule\n");
        } else if (widths[k] == 60) {
            /* too narrow beside them: under the row, and REASON leaves the header */
            assert_contains(out, "FAIL   rowcount  public.tasks     1000       990\n"
                                 "         10 rows missing (-1.00%) since the baseline; rule\n");
            assert_lacks(out, "REASON");
        } else {
            assert_contains(out, "990       10 rows missing (-1.00%) since the baseline; rule"
                                 " exact allows no difference, so the gate stays closed until"
                                 " the table is restored from a backup\n"
                                 "                                                       taken"
                                 " before the loss\n");
        }
        free(out);
    }
    unsetenv("COLUMNS");
    char *plain = render(&output_human, r, false, 0); /* not a terminal: 80 */
    assert_lines_fit(plain, 80);
    free(plain);
    setenv("COLUMNS", "200", 1);
    run_record_free(r);
}

static void test_human_cuts_only_long_words(void **state)
{
    (void)state;
    run_record *r = gate_run();
    free(r->results[1].reason);
    r->results[1].reason = xstrdup("lost public.residency_evidence_of_the_southern_regions_archive");
    setenv("COLUMNS", "60", 1);
    char *out = render(&output_human, r, false, 0);
    assert_lines_fit(out, 60);
    /* the identifier is wider than the column: cut after '.' and '_', never mid-word */
    assert_contains(out, "\n         lost\n"
                         "         public.residency_evidence_of_the_southern_regions_\n"
                         "         archive\n");
    free(out);
    setenv("COLUMNS", "200", 1);
    run_record_free(r);
}

/* A subject as long as a function's signature must not push every row past the terminal:
 * the subject column narrows to fit, and the cut subject is shown whole under its row. */
static void test_human_long_subject_fits_width(void **state)
{
    (void)state;
    run_record *r = gate_run();
    static const char sig[] = "definition of public.audit_log_row_bytes(id bigint, occurred_at"
                              " timestamp with time zone, actor text)";
    free(r->results[0].subject);
    r->results[0].subject = xstrdup(sig);
    setenv("COLUMNS", "80", 1);
    char *out = render(&output_human, r, false, 0);
    for (const char *p = out; *p;) {
        size_t len = strcspn(p, "\n");
        char *line = xstrndup(p, len);
        if (strncmp(line, "STATUS ", 7) == 0 || strncmp(line, "pass ", 5) == 0 ||
            strncmp(line, "FAIL ", 5) == 0)
            if (utf8_width(line) > 80)
                fail_msg("row wider than 80: \"%s\"", line);
        free(line);
        p += len + (p[len] == '\n');
    }
    char *whole = xasprintf("         subject: %s\n", sig);
    assert_contains(out, whole);
    free(whole);
    assert_contains(out, "pass   rowcount  definition of public.audit_log_row_bytes(\xe2\x80\xa6  120");
    free(out);
    setenv("COLUMNS", "200", 1);
    run_record_free(r);
}

static int cleanup_libxml(void **state)
{
    (void)state;
    xmlCleanupParser();
    return 0;
}

int main(void)
{
    /* The table's layout is tested at given widths below; the rest at a wide terminal. */
    setenv("COLUMNS", "200", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_writers),
        cmocka_unit_test(test_hostile_text_is_shown_escaped),
        cmocka_unit_test(test_human_caps_column_width),
        cmocka_unit_test(test_human_wraps_reason_to_width),
        cmocka_unit_test(test_human_cuts_only_long_words),
        cmocka_unit_test(test_human_long_subject_fits_width),
        cmocka_unit_test(test_verdict),
        cmocka_unit_test(test_human_table),
        cmocka_unit_test(test_human_quiet_hides_passing_rows),
        cmocka_unit_test(test_human_verbose_and_colour),
        cmocka_unit_test(test_human_missing_values_show_a_dash),
        cmocka_unit_test(test_human_baseline),
        cmocka_unit_test(test_human_aborted),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_aborted),
        cmocka_unit_test(test_tap),
        cmocka_unit_test(test_tap_warn_and_error),
        cmocka_unit_test(test_tap_aborted_bails_out),
        cmocka_unit_test(test_junit),
        cmocka_unit_test(test_junit_suite_per_check_and_escaping),
        cmocka_unit_test(test_junit_aborted_is_an_error),
        cmocka_unit_test(test_write_errors_are_reported),
        cmocka_unit_test(test_tap_escapes_directives),
        cmocka_unit_test(test_invalid_utf8_keeps_every_result),
    };
    return cmocka_run_group_tests(tests, NULL, cleanup_libxml);
}
