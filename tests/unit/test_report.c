/* The report model: the gate report built from a hand-made run, validated
 * against templates/report.rng, rendered by the stylesheets of templates/; the XSLT security
 * preferences refusing a hostile stylesheet; the CSV export read back with
 * libcsv's parser. Runs from the repository's top folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <csv.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "reports/csv_export.h"
#include "reports/evidence_head.h"
#include "reports/render.h"
#include "reports/report.h"
#include "src/util.h"

#define RNG "templates/report.rng"

static const char nasty[] = "a|b <c> & \"d\" `e` *f* _g_ [h] \x01 \xff end";

/* A failed gate run with three results, one of them full of characters that
 * XML, HTML and Markdown each treat specially. */
static run_record *sample_run(void)
{
    run_record *r = xcalloc(1, sizeof *r);
    r->id = 7;
    r->kind = xstrdup("gate");
    r->status = xstrdup("failed");
    r->started_at = xstrdup("2026-10-01T02:10:00.000Z");
    r->finished_at = xstrdup("2026-10-01T02:10:01.250Z");
    r->target = xstrdup("host=db.internal port=5432 dbname=portal user=vouch");
    r->baseline_id = 3;
    r->checks = xstrdup("rowcount, rls");
    r->vouch_version = xstrdup("0.1.0");
    r->server_version = xstrdup("15.18");
    r->system_identifier = xstrdup("7712223674593825639");
    r->timeline = xstrdup("1");
    r->lsn = xstrdup("0/2530000");
    r->snapshot_time = xstrdup("2026-10-01T02:10:00.100Z");
    r->database = xstrdup("portal");
    r->chain_pos = 7;
    r->prev_digest = xstrdup("800166c0e6d831664ee676df9fe68ce0335dc39c87f37ef969395168810c1b86");
    r->digest = xstrdup("8e3d197f9de98e74bd2fdab5e0ad552bad3f8854c5bdf205d4b60079b6f5b2e3");
    r->n_results = 3;
    r->results = xcalloc(3, sizeof *r->results);
    r->results[0] = (result_row){xstrdup("rowcount"), xstrdup("public.projects"), RESULT_PASS,
                                 xstrdup("20"), xstrdup("20"), xstrdup("same row count"), NULL, NULL, NULL};
    r->results[1] = (result_row){xstrdup("rowcount"), xstrdup("public.tasks"), RESULT_FAIL,
                                 xstrdup("2000"), xstrdup("1800"),
                                 xstrdup("200 rows missing (-10.00%); rule exact"),
                                 xstrdup("ids missing:\n10, 20, 30"), NULL, NULL};
    r->results[2] = (result_row){xstrdup("rls"), xstrdup(nasty), RESULT_WARN, NULL,
                                 xstrdup(nasty), xstrdup(nasty), xstrdup("line one,\n\"two\""), NULL, NULL};
    return r;
}

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

static void gate_report_is_valid_and_complete(void **state)
{
    (void)state;
    run_record *r = sample_run();
    xmlDocPtr doc;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_gate_doc(r, &doc, &e), VOUCH_OK);
    if (report_validate(doc, RNG, &e) != VOUCH_OK)
        fail_msg("%s", e.msg);
    /* the store's heads, as report_build adds them: last, and valid */
    evidence_head h = {.run_pos = 7, .drill_pos = 0};
    memset(h.run_digest, 'a', DIGEST_HEX_LEN);
    evidence_head_xml(doc, &h);
    if (report_validate(doc, RNG, &e) != VOUCH_OK)
        fail_msg("with the store head: %s", e.msg);
    assert_xpath(doc, "local-name(/*/*[last()])", "store-head");
    assert_xpath(doc, "/*/v:store-head/@run-position", "7");
    assert_xpath(doc, "string-length(/*/v:store-head/@run-digest)", "64");
    assert_xpath(doc, "count(/*/v:store-head/@drill-digest)", "0");
    /* the verdict comes first */
    assert_xpath(doc, "local-name(/*/*[2])", "verdict");
    assert_xpath(doc, "/v:gate-report/@version", "1");
    assert_xpath(doc, "/*/v:verdict/@outcome", "closed");
    assert_xpath(doc, "/*/v:verdict", "gate closed: 1 of 3 results failed");
    assert_xpath(doc, "/*/v:verdict/@warnings", "1");
    assert_xpath(doc, "/*/v:run/@duration-ms", "1250");
    assert_xpath(doc, "/*/v:run/@baseline", "3");
    assert_xpath(doc, "/*/v:target/@database", "portal");
    assert_xpath(doc, "/*/v:server/@lsn", "0/2530000");
    assert_xpath(doc, "/*/v:chain/@position", "7");
    /* checks in configured order, each with its counts */
    assert_xpath(doc, "count(/*/v:checks/v:check)", "2");
    assert_xpath(doc, "/*/v:checks/v:check[1]/@name", "rowcount");
    assert_xpath(doc, "/*/v:checks/v:check[1]/@failed", "1");
    assert_xpath(doc, "/*/v:checks/v:check/v:result[@status='fail']/v:expected", "2000");
    assert_xpath(doc, "/*/v:checks/v:check/v:result[@status='fail']/v:observed", "1800");
    assert_xpath(doc, "/*/v:checks/v:check/v:result[@status='fail']/v:detail", "ids missing:\n10, 20, 30");
    /* no expected: no element; odd bytes made safe, markup characters kept as text */
    assert_xpath(doc, "count(//v:result[@status='warn']/v:expected)", "0");
    assert_xpath(doc, "//v:result[@status='warn']/v:reason",
                 "a|b <c> & \"d\" `e` *f* _g_ [h] ? ? end");
    xmlFreeDoc(doc);
    run_record_free(r);
}

static void aborted_run_without_server_is_valid(void **state)
{
    (void)state;
    run_record *r = xcalloc(1, sizeof *r);
    r->id = 2;
    r->kind = xstrdup("check");
    r->status = xstrdup("aborted");
    r->started_at = xstrdup("2026-10-01T02:10:00.000Z");
    r->finished_at = xstrdup("2026-10-01T02:10:00.500Z");
    r->target = xstrdup("host=nowhere dbname=portal");
    r->checks = xstrdup("rowcount");
    r->error = xstrdup("could not connect to \"host=nowhere\": no route");
    r->vouch_version = xstrdup("0.1.0");
    xmlDocPtr doc;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_gate_doc(r, &doc, &e), VOUCH_OK);
    if (report_validate(doc, RNG, &e) != VOUCH_OK)
        fail_msg("%s", e.msg);
    assert_xpath(doc, "/*/v:verdict/@outcome", "aborted");
    assert_xpath(doc, "count(/*/v:server | /*/v:chain)", "0");
    assert_xpath(doc, "/*/v:checks/v:check/@results", "0");
    xmlFreeDoc(doc);
    run_record_free(r);
}

static void baseline_run_is_refused(void **state)
{
    (void)state;
    run_record *r = sample_run();
    free(r->kind);
    r->kind = xstrdup("baseline");
    xmlDocPtr doc;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_gate_doc(r, &doc, &e), VOUCH_USAGE);
    assert_null(doc);
    assert_non_null(strstr(e.msg, "run 7 is a baseline"));
    run_record_free(r);
}

static void schema_refuses_what_it_should(void **state)
{
    (void)state;
    static const char bad[] =
        "<gate-report xmlns='urn:x-vouch:report' version='1'>"
        "<generator tool='vouch' version='0.1.0'/>"
        "<verdict outcome='maybe' results='0' passed='0' warnings='0' failed='0' errors='0'>x</verdict>"
        "</gate-report>";
    xmlDocPtr doc = xmlReadMemory(bad, (int)strlen(bad), "bad.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    verr e;
    verr_clear(&e);
    assert_int_equal(report_validate(doc, RNG, &e), VOUCH_ABORTED);
    assert_non_null(strstr(e.msg, "does not match its schema"));
    xmlFreeDoc(doc);
}

/* The drill and compliance vocabularies: documents as their generators will
 * write them validate, and a period with no runs is representable. */
static char *render_sample(const char *xsl, const char *organisation)
{
    run_record *r = sample_run();
    xmlDocPtr doc;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_gate_doc(r, &doc, &e), VOUCH_OK);
    report_param p[] = {{"organisation", organisation}};
    char *out;
    size_t len;
    if (report_render(doc, xsl, p, 1, &out, &len, &e) != VOUCH_OK)
        fail_msg("%s", e.msg);
    assert_int_equal(strlen(out), len);
    xmlFreeDoc(doc);
    run_record_free(r);
    return out;
}

static void html_is_self_contained_and_shows_the_verdict(void **state)
{
    (void)state;
    char *html = render_sample("templates/html.xsl", "O'Brien & \"Sons\" $x concat('a')");
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "Gate closed"));
    assert_non_null(strstr(html, "<svg"));
    assert_non_null(strstr(html, "@page"));
    /* the parameter arrived as text, quotes and all, never evaluated */
    assert_non_null(strstr(html, "O'Brien &amp; \"Sons\" $x concat('a')"));
    /* the failing row with expected and observed, markup characters escaped */
    assert_non_null(strstr(html, ">2,000</td>"));
    assert_non_null(strstr(html, ">1,800</td>"));
    /* identifiers break after their dots only */
    assert_non_null(strstr(html, ">public.<wbr>tasks</a>"));
    assert_non_null(strstr(html, "a|b &lt;c&gt; &amp;"));
    /* nothing fetched from elsewhere */
    assert_null(strstr(html, "http:"));
    assert_null(strstr(html, "https:"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<link"));
    free(html);
}

static void markdown_escapes_cells(void **state)
{
    (void)state;
    char *md = render_sample("templates/markdown.xsl", NULL);
    assert_non_null(strstr(md, "> **GATE CLOSED**: 1 of 3 results did not pass."));
    assert_non_null(strstr(md, "| **FAIL** | rowcount | `public.tasks` | `2,000` | `1,800` | 200 rows"));
    /* a pipe in a value never splits the row; markup is escaped */
    assert_non_null(strstr(md, "a\\|b \\<c> \\& \"d\" \\`e\\` \\*f\\* \\_g\\_ \\[h\\]"));
    assert_non_null(strstr(md, "```text\nids missing:\n10, 20, 30\n```\n"));
    free(md);
}

/* Values built to exhaust the templates' recursion (twenty thousand dashes, ten thousand
 * words, digits that are no count) render whole: the breaking and grouping stop at their
 * bound and write the rest as it is. */
static void hostile_values_render_whole(void **state)
{
    (void)state;
    run_record *r = sample_run();
    char *dashes = xmalloc(20001), *words = xmalloc(20001);
    memset(dashes, '-', 20000);
    dashes[20000] = '\0';
    for (size_t i = 0; i < 20000; i += 2)
        memcpy(words + i, "1 ", 2);
    words[20000] = '\0';
    free(r->results[1].subject);
    r->results[1].subject = dashes;
    free(r->results[1].observed);
    r->results[1].observed = words;
    free(r->results[1].expected);
    r->results[1].expected = xstrdup("0001234 12345678901234567890 2026-10-01 1234.5");
    xmlDocPtr doc;
    verr e;
    verr_clear(&e);
    assert_int_equal(report_gate_doc(r, &doc, &e), VOUCH_OK);
    static const char *const sheets[] = {"templates/html.xsl", "templates/markdown.xsl"};
    for (size_t k = 0; k < 2; k++) {
        char *out;
        size_t len;
        if (report_render(doc, sheets[k], NULL, 0, &out, &len, &e) != VOUCH_OK)
            fail_msg("%s: %s", sheets[k], e.msg);
        /* 48 breaks at most, then the dashes as they are */
        assert_non_null(strstr(out, "-<wbr>-") ? strstr(out, "----------------------------------------")
                                               : strstr(out, dashes));
        /* not counts: a leading zero, too many digits for a count, a date, a decimal */
        assert_non_null(strstr(out, "0001234 12345678901234567890 2026-"));
        assert_non_null(strstr(out, "1234.5"));
        free(out);
    }
    xmlFreeDoc(doc);
    run_record_free(r);
}

/* A stylesheet written to a fresh folder; returns its path (caller frees). */
static char *write_stylesheet(const char *dir, const char *body)
{
    char *path = xasprintf("%s/evil.xsl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'"
            " xmlns:exsl='http://exslt.org/common' extension-element-prefixes='exsl'>"
            "%s<xsl:output method='text'/></xsl:stylesheet>",
            body);
    fclose(f);
    return path;
}

static vexit render_with(const char *xsl, verr *e)
{
    run_record *r = sample_run();
    xmlDocPtr doc;
    assert_int_equal(report_gate_doc(r, &doc, e), VOUCH_OK);
    char *out = NULL;
    size_t len;
    vexit rc = report_render(doc, xsl, NULL, 0, &out, &len, e);
    free(out);
    xmlFreeDoc(doc);
    run_record_free(r);
    return rc;
}

static void hostile_stylesheets_are_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/vouch-xsl-XXXXXX";
    assert_non_null(mkdtemp(dir));
    verr e;

    /* network read */
    char *xsl = write_stylesheet(dir, "<xsl:template match='/'>"
                                      "<xsl:value-of select=\"document('http://127.0.0.1:9/secret.xml')\"/>"
                                      "</xsl:template>");
    verr_clear(&e);
    assert_int_not_equal(render_with(xsl, &e), VOUCH_OK);
    if (!strstr(e.msg, "refused") && !strstr(e.msg, "denied"))
        fail_msg("network read: %s", e.msg);
    free(xsl);

    /* file write through exsl:document, and a folder created for it */
    char *victim = xasprintf("%s/sub/written.txt", dir);
    char *body = xasprintf("<xsl:template match='/'><exsl:document href='%s' method='text'>"
                           "pwned</exsl:document></xsl:template>",
                           victim);
    xsl = write_stylesheet(dir, body);
    verr_clear(&e);
    assert_int_not_equal(render_with(xsl, &e), VOUCH_OK);
    if (!strstr(e.msg, "refused") && !strstr(e.msg, "denied"))
        fail_msg("file write: %s", e.msg);
    assert_int_not_equal(access(victim, F_OK), 0);
    free(body);
    free(xsl);

    /* a stylesheet imported from the network, when the stylesheet is compiled */
    xsl = write_stylesheet(dir, "<xsl:import href='http://127.0.0.1:9/base.xsl'/>"
                                "<xsl:template match='/'>x</xsl:template>");
    verr_clear(&e);
    assert_int_equal(render_with(xsl, &e), VOUCH_USAGE);
    if (!strstr(e.msg, "network"))
        fail_msg("network import: %s", e.msg);
    free(xsl);

    /* a local file outside the templates folder */
    xsl = write_stylesheet(dir, "<xsl:template match='/'>"
                                "<xsl:value-of select=\"document('/etc/passwd')\"/></xsl:template>");
    verr_clear(&e);
    assert_int_not_equal(render_with(xsl, &e), VOUCH_OK);
    if (!strstr(e.msg, "refused") && !strstr(e.msg, "denied"))
        fail_msg("outside read: %s", e.msg);
    free(xsl);

    /* while a file beside the stylesheet may be read */
    char *inside = xasprintf("%s/fragment.xml", dir);
    FILE *f = fopen(inside, "w");
    assert_non_null(f);
    fputs("<p>shared fragment</p>", f);
    fclose(f);
    xsl = write_stylesheet(dir, "<xsl:template match='/'>"
                                "<xsl:value-of select=\"document('fragment.xml')\"/></xsl:template>");
    verr_clear(&e);
    if (render_with(xsl, &e) != VOUCH_OK)
        fail_msg("inside read: %s", e.msg);
    unlink(xsl);
    unlink(inside);
    free(xsl);
    free(inside);
    free(victim);
    rmdir(dir);
}

/* libcsv's parser reads back what its writer wrote. */
typedef struct csv_read {
    size_t fields, rows, row_fields;
    bool found_detail;
} csv_read;

static void on_field(void *s, size_t len, void *data)
{
    csv_read *c = data;
    c->fields++;
    c->row_fields++;
    if (len == strlen("line one,\n\"two\"") && memcmp(s, "line one,\n\"two\"", len) == 0)
        c->found_detail = true;
}

static void on_row(int term, void *data)
{
    (void)term;
    csv_read *c = data;
    assert_int_equal(c->row_fields, 11);
    c->row_fields = 0;
    c->rows++;
}

static void csv_export_round_trips(void **state)
{
    (void)state;
    run_record *r = sample_run();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    verr e;
    verr_clear(&e);
    assert_int_equal(report_csv_results(f, r, &e), VOUCH_OK);
    fclose(f);
    struct csv_parser p;
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    csv_read c = {0};
    assert_int_equal(csv_parse(&p, buf, len, on_field, on_row, &c), len);
    assert_int_equal(csv_fini(&p, on_field, on_row, &c), 0);
    csv_free(&p);
    assert_int_equal(c.rows, 4); /* header + 3 results */
    assert_int_equal(c.fields, 44); /* 11 columns: the last two, facts and waiver, empty here */
    assert_true(c.found_detail);
    assert_non_null(strstr(buf, "\"run\",\"started\",\"check\""));
    free(buf);
    run_record_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gate_report_is_valid_and_complete),
        cmocka_unit_test(aborted_run_without_server_is_valid),
        cmocka_unit_test(baseline_run_is_refused),
        cmocka_unit_test(schema_refuses_what_it_should),
        cmocka_unit_test(html_is_self_contained_and_shows_the_verdict),
        cmocka_unit_test(hostile_values_render_whole),
        cmocka_unit_test(markdown_escapes_cells),
        cmocka_unit_test(hostile_stylesheets_are_refused),
        cmocka_unit_test(csv_export_round_trips),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
