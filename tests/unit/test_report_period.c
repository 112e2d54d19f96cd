/* Drill and compliance reports from hand-made drills and runs: each document
 * validates against templates/report.rng and holds what a reader needs; the
 * stylesheets render them; period parsing (quarters, months, ranges, bad input).
 * Runs from the repository's top folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "reports/period.h"
#include "reports/render.h"
#include "reports/report.h"
#include "src/objectives.h"
#include "src/util.h"

#define RNG "templates/report.rng"

static char *xpath_string(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr x = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(x, (const xmlChar *)"v", (const xmlChar *)REPORT_NS);
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, x);
    assert_non_null(o);
    xmlChar *s = xmlXPathCastToString(o);
    char *out = xstrdup((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(x);
    return out;
}

static void assert_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = xpath_string(doc, expr);
    if (strcmp(got, want) != 0)
        fail_msg("%s: expected \"%s\", got \"%s\"", expr, want, got);
    free(got);
}

static void valid(xmlDocPtr doc)
{
    verr e;
    verr_clear(&e);
    if (report_validate(doc, RNG, &e) != VOUCH_OK)
        fail_msg("%s", e.msg);
}

/* ------------------------------------------------------------ hand-made */

static void phase(drill_record *d, const char *name, const char *at, int64_t elapsed)
{
    d->phases = realloc(d->phases, (d->n_phases + 1) * sizeof *d->phases);
    d->phases[d->n_phases++] = (drill_phase){xstrdup(name), xstrdup(at), elapsed, NULL};
}

static drill_record *drill(int64_t id, const char *started, const char *status, int64_t rto_ms)
{
    drill_record *d = xcalloc(1, sizeof *d);
    d->id = id;
    d->scenario = xstrdup("portal lost: restore <last> night's dump & check");
    d->operator_name = xstrdup("alice");
    d->incident_at = xstrdup("2026-08-01T00:00:00.000Z");
    d->started_at = xstrdup(started);
    d->status = xstrdup(status);
    d->rto_target_ms = OBJECTIVE_RTO_TARGET_MS;
    d->rto_limit_ms = OBJECTIVE_RTO_MS;
    d->rpo_ms = OBJECTIVE_RPO_MS;
    d->clock = xstrdup("monotonic");
    d->vouch_version = xstrdup("0.1.0");
    if (strcmp(status, "running") != 0) {
        int64_t t0;
        char end[32];
        assert_true(utc_parse_ms(started, &t0));
        utc_format_ms(t0 + (rto_ms ? rto_ms : 600000), end, sizeof end);
        d->finished_at = xstrdup(end);
        d->chain_pos = id;
        d->digest = xstrdup("8e3d197f9de98e74bd2fdab5e0ad552bad3f8854c5bdf205d4b60079b6f5b2e3");
    }
    if (rto_ms) {
        d->has_rto = true;
        d->rto_ms = rto_ms;
    }
    return d;
}

static run_record *gate_run(int64_t id, const char *started, const char *status)
{
    run_record *r = xcalloc(1, sizeof *r);
    r->id = id;
    r->kind = xstrdup("gate");
    r->status = xstrdup(status);
    r->started_at = xstrdup(started);
    r->finished_at = xstrdup(started);
    r->target = xstrdup("dbname=portal");
    r->database = xstrdup("portal");
    r->checks = xstrdup("rowcount, residency, backups, share_tokens");
    r->vouch_version = xstrdup("0.1.0");
    bool bad = strcmp(status, "failed") == 0;
    const result_row rows[] = {
        {"rowcount", "public.tasks", bad ? RESULT_FAIL : RESULT_PASS, "2000", bad ? "1800" : "2000",
         bad ? "200 rows missing" : "same row count", NULL, NULL, NULL},
        {"residency", "periods", bad ? RESULT_FAIL : RESULT_PASS, "12 months 2025-09..2026-08",
         bad ? "10 of 12" : "12 of 12",
         bad ? "no evidence in an allowed region for 2026-03, 2026-05: restore or re-record the"
               " attestations" : "every month has evidence", NULL, NULL, NULL},
        {"residency", "regions", bad ? RESULT_FAIL : RESULT_PASS, "ap-southeast-2",
         bad ? "us-east-1" : "48 rows", "regions", bad ? "2026-04-01 us-east-1\n" : NULL, NULL, NULL},
        {"backups", "nightly", RESULT_PASS, "1 per day", "30 of 30", "every night has a backup",
         NULL, NULL, NULL},
        {"share_tokens", "public.share_links", RESULT_WARN, "0 legacy", "3 legacy",
         "3 links keep a legacy token", "ids 4, 9, 12", NULL, NULL},
    };
    r->n_results = sizeof rows / sizeof rows[0];
    r->results = xcalloc(r->n_results, sizeof *r->results);
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &rows[i];
        r->results[i] = (result_row){xstrdup(x->check), xstrdup(x->subject), x->status,
                                     xstrdup(x->expected), xstrdup(x->observed), xstrdup(x->reason),
                                     x->detail ? xstrdup(x->detail) : NULL, NULL, NULL};
    }
    return r;
}

/* ---------------------------------------------------------------- drill */

static void drill_report_is_valid_and_complete(void **state)
{
    (void)state;
    drill_record *h1 = drill(1, "2026-05-02T01:00:00.000Z", "finished", 50 * 60000);
    drill_record *h2 = drill(2, "2026-06-02T01:00:00.000Z", "failed", 0);
    drill_record *d = drill(3, "2026-08-01T01:00:00.000Z", "finished", 38 * 60000 + 5000);
    phase(d, "restore started", "2026-08-01T01:00:00.001Z", 1);
    phase(d, "restore finished", "2026-08-01T01:36:00.000Z", 36 * 60000);
    phase(d, "gate finished", "2026-08-01T01:38:00.000Z", 38 * 60000);
    d->note = xstrdup("DNS switch was manual");
    d->gate_run_id = 9;
    d->has_data_loss = true;
    d->data_loss_ms = 26LL * 3600000;   /* over the RPO */
    d->restore_point = xstrdup("2026-07-30T22:00:00.000Z");
    d->restore_point_source = xstrdup("operator");
    run_record *g = gate_run(9, "2026-08-01T01:36:00.000Z", "failed");
    drill_record *hist[] = {h1, h2, d};
    xmlDocPtr doc;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_drill_doc(d, g, NULL, 0, hist, 3, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "local-name(/*/*[2])", "verdict");
    assert_xpath(doc, "/*/v:verdict/@outcome", "missed");
    assert_xpath(doc, "/*/v:verdict", "drill 3 finished: RTO 38 min 05 s, within the 45 min drill "
                                     "target; data loss 26 h, OVER the 24 h RPO");
    assert_xpath(doc, "/*/v:drill/@restore-start", "2026-08-01T01:00:00.001Z");
    assert_xpath(doc, "/*/v:drill/@restore-end", "2026-08-01T01:36:00.000Z");
    /* three marks and the end: offsets add up to the RTO */
    assert_xpath(doc, "count(/*/v:phases/v:phase)", "4");
    assert_xpath(doc, "/*/v:phases/v:phase[2]/@duration-ms", "2159999");
    assert_xpath(doc, "/*/v:phases/v:phase[4]/@name", "drill finished");
    assert_xpath(doc, "/*/v:phases/@total-ms", "2285000");
    assert_xpath(doc, "/*/v:objective[@name='rto']/@judged", "within-target");
    assert_xpath(doc, "/*/v:objective[@name='rpo']/@met", "false");
    assert_xpath(doc, "/*/v:gate/v:run/@id", "9");
    assert_xpath(doc, "/*/v:follow-ups/v:item[1]", "DNS switch was manual");
    assert_xpath(doc, "count(/*/v:follow-ups/v:item[@source='gate'])", "4");
    assert_xpath(doc, "count(/*/v:history/v:series/v:point)", "3");
    assert_xpath(doc, "count(/*/v:history/v:series/v:point[@value])", "2");
    assert_xpath(doc, "/*/v:history/v:series/v:point[@current]/@label", "#3");

    /* the stylesheets draw the timeline and the chart */
    verr_clear(&e);
    char *html;
    size_t len;
    assert_int_equal(report_render(doc, "templates/html.xsl", NULL, 0, &html, &len, &e), VOUCH_OK);
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "restore finished"));
    assert_non_null(strstr(html, "38 min 05 s"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "http://"));
    free(html);
    char *md;
    assert_int_equal(report_render(doc, "templates/markdown.xsl", NULL, 0, &md, &len, &e), VOUCH_OK);
    assert_non_null(strstr(md, "restore finished"));
    free(md);
    xmlFreeDoc(doc);

    /* an open drill by hand, without phases, gate or history, is valid too */
    drill_record *open = drill(4, "2026-09-01T01:00:00.000Z", "running", 0);
    assert_int_equal(report_drill_doc(open, NULL, NULL, 0, NULL, 0, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:verdict/@outcome", "running");
    assert_xpath(doc, "/*/v:phases/@total-ms", "0");
    xmlFreeDoc(doc);
    drill_record_free(open);
    run_record_free(g);
    drill_record_free(h1);
    drill_record_free(h2);
    drill_record_free(d);
}

/* --------------------------------------------------------------- period */

static void period_report_is_valid_and_complete(void **state)
{
    (void)state;
    report_period p;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_period_parse("2026-Q3", &p, &e), VOUCH_OK);
    run_record *runs[] = {gate_run(5, "2026-07-03T00:00:00.000Z", "passed"),
                          gate_run(6, "2026-08-03T00:00:00.000Z", "failed"),
                          gate_run(7, "2026-09-03T00:00:00.000Z", "passed")};
    /* the newest run fixed the rows but not the residency months */
    runs[2]->results[1].status = RESULT_FAIL;
    free(runs[2]->results[1].reason);
    runs[2]->results[1].reason = xstrdup("no evidence in an allowed region for 2026-03: restore");
    /* a failing run may name a subject that a passing run does not (a lost setting by name,
     * an intact set as a whole): the later run of the check settles it all the same */
    free(runs[1]->results[0].subject);
    runs[1]->results[0].subject = xstrdup("public.tasks (dropped)");
    drill_record *drills[] = {drill(2, "2026-08-01T01:00:00.000Z", "finished", 30 * 60000)};
    xmlDocPtr doc;
    assert_int_equal(report_period_doc(&p, runs, 3, drills, 1, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:period/@first-day", "2026-07-01");
    assert_xpath(doc, "/*/v:period/@last-day", "2026-09-30");
    assert_xpath(doc, "/*/v:drills/@required", "1");
    assert_xpath(doc, "/*/v:drills/v:quarter/@status", "met");
    assert_xpath(doc, "/*/v:gates/@total", "3");
    assert_xpath(doc, "/*/v:gates/@failed", "1");
    assert_xpath(doc, "count(/*/v:checks/v:check)", "4");
    assert_xpath(doc, "/*/v:checks/v:check[@name='share_tokens']/@latest-status", "warn");
    assert_xpath(doc, "/*/v:backups/@run", "7");
    assert_xpath(doc, "/*/v:residency/@run", "7");
    assert_xpath(doc, "count(/*/v:residency/v:month)", "12");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-03']/@status", "missing");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-05']/@status", "present");
    /* open: the residency months (run 7) and the legacy tokens (warn); not the rows run 7 fixed */
    assert_xpath(doc, "count(/*/v:open-failures/v:failure)", "2");
    assert_xpath(doc, "count(/*/v:open-failures/v:failure/v:result[@check='rowcount'])", "0");
    assert_xpath(doc, "/*/v:verdict/@outcome", "gaps");
    assert_xpath(doc, "/*/v:verdict/@open-failures", "1");
    assert_xpath(doc, "/*/v:trends/v:series[1]/v:point[2]/@value", "0.0");
    assert_xpath(doc, "/*/v:trends/v:series[1]/v:point[3]/@value", "100.0");
    char *html;
    size_t len;
    assert_int_equal(report_render(doc, "templates/html.xsl", NULL, 0, &html, &len, &e), VOUCH_OK);
    assert_non_null(strstr(html, "share_tokens"));
    assert_non_null(strstr(html, "2026-Q3"));
    free(html);
    xmlFreeDoc(doc);

    /* a month with nothing: empty, said so */
    assert_int_equal(report_period_parse("2026-10", &p, &e), VOUCH_OK);
    assert_int_equal(report_period_doc(&p, NULL, 0, NULL, 0, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:verdict/@outcome", "empty");
    assert_xpath(doc, "/*/v:drills/v:quarter/@status", "partial");
    assert_xpath(doc, "/*/v:drills/@required", "0");
    assert_int_equal(report_render(doc, "templates/html.xsl", NULL, 0, &html, &len, &e), VOUCH_OK);
    assert_non_null(strstr(html, "Nothing recorded in this period"));
    assert_null(strstr(html, "<table"));
    free(html);
    assert_int_equal(report_render(doc, "templates/markdown.xsl", NULL, 0, &html, &len, &e), VOUCH_OK);
    assert_non_null(strstr(html, "Nothing recorded in this period"));
    assert_null(strstr(html, "|---"));
    free(html);
    xmlFreeDoc(doc);
    for (size_t i = 0; i < 3; i++)
        run_record_free(runs[i]);
    drill_record_free(drills[0]);
}

/* A long range: 24 months, 20 drills; the residency months out of region and changed. */
static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void long_period_charts_stay_readable(void **state)
{
    (void)state;
    report_period p;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_period_parse("2025-01-01..2026-12-31", &p, &e), VOUCH_OK);
    run_record *runs[] = {gate_run(5, "2026-07-03T00:00:00.000Z", "failed")};
    result_row *baseline = &runs[0]->results[4];   /* share_tokens becomes a residency baseline finding */
    free(baseline->check);
    free(baseline->subject);
    free(baseline->detail);
    baseline->check = xstrdup("residency");
    baseline->subject = xstrdup("baseline");
    baseline->status = RESULT_FAIL;
    baseline->detail = xstrdup("2026-02 ap-southeast-2: deleted (document hash 0123456789ab...)\n");
    drill_record *drills[20];
    for (int i = 0; i < 20; i++) {
        char at[32];
        snprintf(at, sizeof at, "2025-%02d-%02dT01:00:00.000Z", i / 2 + 1, i % 2 ? 20 : 5);
        drills[i] = drill(i + 1, at, "finished", (20 + i) * 60000);
    }
    xmlDocPtr doc;
    assert_int_equal(report_period_doc(&p, runs, 1, drills, 20, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:drills/@required", "8");        /* 2025-Q1 .. 2026-Q4, all whole */
    assert_xpath(doc, "/*/v:drills/@quarters-met", "4");
    assert_xpath(doc, "count(/*/v:drills/v:quarter[@status='missed'])", "4");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-04']/@status", "outside-region");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-04']/@regions", "us-east-1");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-02']/@status", "changed");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-03']/@status", "missing");
    assert_xpath(doc, "count(/*/v:trends/v:series[1]/v:point)", "24");
    char *html;
    size_t len;
    assert_int_equal(report_render(doc, "templates/html.xsl", NULL, 0, &html, &len, &e), VOUCH_OK);
    /* every second point labelled: 12 months, 10 drills */
    assert_int_equal(count_of(html, "class=\"label\">2025-"), 6);
    assert_int_equal(count_of(html, "class=\"label\">#"), 10);
    assert_non_null(strstr(html, "outside region: us-east-1"));
    free(html);
    xmlFreeDoc(doc);
    run_record_free(runs[0]);
    for (int i = 0; i < 20; i++)
        drill_record_free(drills[i]);
}

/* ------------------------------------------------------------- parsing */

static void assert_period(const char *text, const char *label, const char *first,
                          const char *last, const char *from, const char *until)
{
    report_period p;
    verr e;
    verr_clear(&e);
    if (report_period_parse(text, &p, &e) != VOUCH_OK)
        fail_msg("%s: %s", text, e.msg);
    assert_string_equal(p.label, label);
    assert_string_equal(p.first, first);
    assert_string_equal(p.last, last);
    char buf[32];
    utc_format_ms(p.from_ms, buf, sizeof buf);
    assert_string_equal(buf, from);
    utc_format_ms(p.until_ms, buf, sizeof buf);
    assert_string_equal(buf, until);
}

static void periods_parse(void **state)
{
    (void)state;
    assert_period("2026-Q3", "2026-Q3", "2026-07-01", "2026-09-30", "2026-07-01T00:00:00.000Z",
                  "2026-10-01T00:00:00.000Z");
    assert_period("2026-q4", "2026-Q4", "2026-10-01", "2026-12-31", "2026-10-01T00:00:00.000Z",
                  "2027-01-01T00:00:00.000Z");
    assert_period("2026-Q1", "2026-Q1", "2026-01-01", "2026-03-31", "2026-01-01T00:00:00.000Z",
                  "2026-04-01T00:00:00.000Z");
    assert_period("2026-10", "2026-10", "2026-10-01", "2026-10-31", "2026-10-01T00:00:00.000Z",
                  "2026-11-01T00:00:00.000Z");
    assert_period("2028-02", "2028-02", "2028-02-01", "2028-02-29", "2028-02-01T00:00:00.000Z",
                  "2028-03-01T00:00:00.000Z");
    assert_period("2026-12", "2026-12", "2026-12-01", "2026-12-31", "2026-12-01T00:00:00.000Z",
                  "2027-01-01T00:00:00.000Z");
    assert_period("2026-07-01..2026-09-30", "2026-07-01..2026-09-30", "2026-07-01", "2026-09-30",
                  "2026-07-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z");
    assert_period("2026-09-30..2026-09-30", "2026-09-30..2026-09-30", "2026-09-30", "2026-09-30",
                  "2026-09-30T00:00:00.000Z", "2026-10-01T00:00:00.000Z");

    report_period p;
    assert_int_equal(report_period_parse("2026-Q3", &p, &(verr){0}), VOUCH_OK);
    assert_true(report_period_holds(&p, "2026-07-01T00:00:00.000Z"));
    assert_true(report_period_holds(&p, "2026-09-30T23:59:59.999Z"));
    assert_false(report_period_holds(&p, "2026-10-01T00:00:00.000Z"));
    assert_false(report_period_holds(&p, "2026-06-30T23:59:59.999Z"));

    const char *bad[] = {"", "2026", "2026-Q5", "2026-Q0", "2026-13", "2026-00", "26-10",
                         "2026-04-31..2026-05-01", "2026-09-30..2026-07-01", "2026-07-01..",
                         "..2026-07-01", "2026-07-01...2026-09-30", "2026-7-1..2026-9-30",
                         "Q3-2026", "2026-10 ", "2027-02-29..2027-03-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        verr e;
        verr_clear(&e);
        if (report_period_parse(bad[i], &p, &e) != VOUCH_USAGE)
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_non_null(strstr(e.msg, "period") ? e.msg : NULL);
    }
    verr e;
    verr_clear(&e);
    report_period_parse("2026-09-30..2026-07-01", &p, &e);
    assert_string_equal(e.msg, "period \"2026-09-30..2026-07-01\" ends before it starts");
}

/* The residency months come from the findings' facts, whatever their reasons say: a
 * reworded reason (no month in it) changes nothing. */
static void residency_months_are_read_from_facts(void **state)
{
    (void)state;
    report_period p;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_period_parse("2026-Q3", &p, &e), VOUCH_OK);
    run_record *runs[] = {gate_run(5, "2026-07-03T00:00:00.000Z", "failed")};
    result_row *periods = &runs[0]->results[1], *regions = &runs[0]->results[2];
    periods->status = RESULT_FAIL;
    free(periods->expected);
    periods->expected = xstrdup("three months"); /* no range to parse */
    free(periods->reason);
    periods->reason = xstrdup("some months lack evidence, see the facts");
    periods->facts = xstrdup("{\"months_covered\":[\"2026-01\",\"2026-03\"],"
                             "\"months_missing\":[\"2026-02\"],"
                             "\"months_required\":[\"2026-01\",\"2026-02\",\"2026-03\"]}");
    regions->status = RESULT_FAIL;
    free(regions->detail);
    regions->detail = xstrdup("rows are elsewhere"); /* no month in it either */
    regions->facts = xstrdup("{\"outside\":[{\"period\":\"2026-03\",\"region\":\"us-east-1\"},"
                             "{\"period\":\"2026-03\",\"region\":\"eu-west-1\"}],"
                             "\"rows\":4,\"rows_outside\":2}");
    xmlDocPtr doc;
    assert_int_equal(report_period_doc(&p, runs, 1, NULL, 0, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "count(/*/v:residency/v:month)", "3");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-01']/@status", "present");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-02']/@status", "missing");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-03']/@status", "outside-region");
    assert_xpath(doc, "/*/v:residency/v:month[@period='2026-03']/@regions", "us-east-1, eu-west-1");
    /* and the facts travel with the result into the report */
    assert_xpath(doc, "/*/v:residency/v:result[v:subject='regions']/v:facts/v:fact[@name='rows_outside']",
                 "2");
    xmlFreeDoc(doc);
    run_record_free(runs[0]);
}

/* Honest verdicts: a period that has not ended is IN PROGRESS, never COMPLETE; a period
 * without backups or residency evidence says so and is not complete either. */
static void period_verdicts_are_honest(void **state)
{
    (void)state;
    report_period p;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_period_parse("2099-Q1", &p, &e), VOUCH_OK);
    run_record *runs[] = {gate_run(5, "2099-01-03T00:00:00.000Z", "passed")};
    drill_record *drills[] = {drill(2, "2099-01-02T01:00:00.000Z", "finished", 30 * 60000)};
    xmlDocPtr doc;
    /* a drill whose data loss was not measured met only the RTO: a gap, named */
    assert_int_equal(report_period_doc(&p, runs, 1, drills, 1, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:verdict/@outcome", "gaps");
    assert_xpath(doc, "/*/v:drills/v:drill/@outcome", "partial");
    assert_xpath(doc, "contains(/*/v:verdict, \"; a drill's data loss was not measured\")", "true");
    assert_xpath(doc, "contains(/*/v:verdict, 'missed its objectives')", "false");
    xmlFreeDoc(doc);
    drills[0]->has_data_loss = true;
    drills[0]->data_loss_ms = 3600000;
    assert_int_equal(report_period_doc(&p, runs, 1, drills, 1, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:verdict/@outcome", "in-progress");
    assert_xpath(doc, "/*/v:verdict/@period-ended", "false");
    assert_xpath(doc, "substring-before(/*/v:verdict, ':')",
                 "2099-Q1 (in progress");
    char *out;
    size_t len;
    assert_int_equal(report_render(doc, "templates/markdown.xsl", NULL, 0, &out, &len, &e), VOUCH_OK);
    assert_non_null(strstr(out, "> **IN PROGRESS**: 2099-Q1 (in progress: the period runs until 2099-04-01)"));
    assert_null(strstr(out, "COMPLETE"));
    free(out);
    assert_int_equal(report_render(doc, "templates/html.xsl", NULL, 0, &out, &len, &e), VOUCH_OK);
    assert_non_null(strstr(out, ">In progress<"));
    free(out);
    xmlFreeDoc(doc);

    /* the same run without backups or residency: the verdict names what is missing */
    run_record *r = runs[0];
    size_t keep = 0;
    for (size_t i = 0; i < r->n_results; i++) {
        if (strcmp(r->results[i].check, "rowcount") == 0 || strcmp(r->results[i].check, "share_tokens") == 0)
            r->results[keep++] = r->results[i];
        else
            result_row_release(&r->results[i]);
    }
    r->n_results = keep;
    assert_int_equal(report_period_doc(&p, runs, 1, drills, 1, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:verdict/@outcome", "gaps");
    assert_xpath(doc, "/*/v:verdict/@missing-evidence", "backups residency");
    assert_xpath(doc, "contains(/*/v:verdict, '; no backups evidence: no run checked backups;"
                      " no residency evidence: no run checked residency')", "true");
    xmlFreeDoc(doc);
    run_record_free(runs[0]);
    drill_record_free(drills[0]);
}

/* A check an aborted run did not evaluate settles nothing: the backups section and the
 * open failures still come from the run that did evaluate it. */
static void not_evaluated_settles_nothing(void **state)
{
    (void)state;
    report_period p;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_period_parse("2026-Q3", &p, &e), VOUCH_OK);
    run_record *runs[] = {gate_run(5, "2026-07-03T00:00:00.000Z", "failed"),
                          gate_run(6, "2026-08-03T00:00:00.000Z", "aborted")};
    runs[0]->results[3].status = RESULT_FAIL; /* backups nightly */
    /* run 6 stopped before backups: its backups finding is "not evaluated" */
    result_row *x = &runs[1]->results[3];
    x->status = RESULT_NOT_EVALUATED;
    free(x->subject);
    x->subject = xstrdup("(not evaluated)");
    xmlDocPtr doc;
    assert_int_equal(report_period_doc(&p, runs, 2, NULL, 0, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:backups/@run", "5");
    assert_xpath(doc, "/*/v:checks/v:check[@name='backups']/@latest-run", "5");
    assert_xpath(doc, "/*/v:checks/v:check[@name='backups']/@not-evaluated", "1");
    assert_xpath(doc, "count(/*/v:open-failures/v:failure[@run='5']/v:result[@check='backups'])", "1");
    assert_xpath(doc, "/*/v:open-failures/v:failure[@run='6']/v:result[@check='backups']/@status",
                 "not_evaluated");
    xmlFreeDoc(doc);
    /* and a check that no run of the period evaluated is never shown as passing */
    assert_int_equal(report_period_doc(&p, runs + 1, 1, NULL, 0, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:checks/v:check[@name='backups']/@latest-status", "not_evaluated");
    assert_xpath(doc, "/*/v:checks/v:check[@name='backups']/@latest-run", "6");
    assert_xpath(doc, "/*/v:checks/v:check[@name='backups']/@runs", "0");
    assert_xpath(doc, "/*/v:verdict/@missing-evidence", "backups");
    xmlFreeDoc(doc);
    run_record_free(runs[0]);
    run_record_free(runs[1]);
}

/* A fleet (docs/fleet.md): the front page's fleet element per target, and another target's
 * later pass settles nothing of this one's failure. Without target names, no fleet. */
static void fleet_by_target(void **state)
{
    (void)state;
    report_period p;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_period_parse("2026-Q3", &p, &e), VOUCH_OK);
    run_record *runs[] = {gate_run(5, "2026-07-03T00:00:00.000Z", "failed"),
                          gate_run(6, "2026-07-04T00:00:00.000Z", "passed"),
                          gate_run(7, "2026-07-05T00:00:00.000Z", "passed"),
                          gate_run(8, "2026-07-06T00:00:00.000Z", "passed")};
    const char *names[] = {"portal-uk", "portal-au", "portal-au", NULL};
    for (size_t i = 0; i < 4; i++)
        runs[i]->target_name = names[i] ? xstrdup(names[i]) : NULL;
    drill_record *drills[] = {drill(1, "2026-07-05T00:00:00.000Z", "finished", 600000)};
    drills[0]->gate_run_id = 7;
    xmlDocPtr doc;
    assert_int_equal(report_period_doc(&p, runs, 4, drills, 1, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "/*/v:fleet/@targets", "3");
    assert_xpath(doc, "/*/v:fleet/@passing", "2");
    assert_xpath(doc, "/*/v:fleet/v:target[1]/@name", "");           /* the bare [target] */
    assert_xpath(doc, "/*/v:fleet/v:target[@name='portal-au']/@gates", "2");
    assert_xpath(doc, "/*/v:fleet/v:target[@name='portal-au']/@drills-held", "1");
    assert_xpath(doc, "/*/v:fleet/v:target[@name='portal-au']/@latest-gate", "7");
    assert_xpath(doc, "/*/v:fleet/v:target[@name='portal-au']/@open-failures", "0");
    assert_xpath(doc, "/*/v:fleet/v:target[@name='portal-uk']/@failed", "1");
    assert_xpath(doc, "/*/v:fleet/v:target[@name='portal-uk']/@open-failures", "3");
    assert_xpath(doc, "/*/v:fleet/v:target[@name='portal-uk']/@latest-status", "failed");
    /* portal-uk's failures stay open though later runs of other targets passed */
    assert_xpath(doc, "count(/*/v:open-failures/v:failure[@run='5'][@target-name='portal-uk'])", "4");
    assert_xpath(doc, "/*/v:verdict/@open-failures", "3");
    assert_xpath(doc, "/*/v:checks/v:check[@name='rowcount']/@latest-status", "fail");
    assert_xpath(doc, "/*/v:gates/v:gate[@run='6']/@target-name", "portal-au");
    xmlFreeDoc(doc);
    /* one database, as before names: no fleet */
    assert_int_equal(report_period_doc(&p, runs + 3, 1, NULL, 0, &doc, &e), VOUCH_OK);
    valid(doc);
    assert_xpath(doc, "count(/*/v:fleet)", "0");
    xmlFreeDoc(doc);
    for (size_t i = 0; i < 4; i++)
        run_record_free(runs[i]);
    drill_record_free(drills[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drill_report_is_valid_and_complete),
        cmocka_unit_test(period_report_is_valid_and_complete),
        cmocka_unit_test(long_period_charts_stay_readable),
        cmocka_unit_test(periods_parse),
        cmocka_unit_test(fleet_by_target),
        cmocka_unit_test(residency_months_are_read_from_facts),
        cmocka_unit_test(period_verdicts_are_honest),
        cmocka_unit_test(not_evaluated_settles_nothing),
    };
    return cmocka_run_group_tests_name("report_period", tests, NULL, NULL);
}
