/* --format junit: JUnit XML written with libxml2's writer. One testsuite per
 * check, one testcase per subject; failures carry expected and observed. */
#include <libxml/xmlwriter.h>
#include <string.h>

#include "src/output.h"
#include "src/utf8.h"
#include "src/util.h"

#define X(s) ((const xmlChar *)(s))

/* XML must be UTF-8 and holds no control character but tab and newline, nor U+FFFE or
 * U+FFFF: every text is shown escaped (src/utf8.h), so the file always parses and a CI
 * log that prints it is not repainted. A newline is kept in element text only. */
static int attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    char *clean = utf8_show(value ? value : "", 0);
    int rc = xmlTextWriterWriteAttribute(w, X(name), X(clean));
    free(clean);
    return rc;
}

static int text(xmlTextWriterPtr w, const char *element, const char *value)
{
    char *clean = utf8_show(value, UTF8_SHOW_NEWLINE);
    int rc = element ? xmlTextWriterWriteElement(w, X(element), X(clean))
                     : xmlTextWriterWriteString(w, X(clean));
    free(clean);
    return rc;
}

static int attr_n(xmlTextWriterPtr w, const char *name, size_t n)
{
    return xmlTextWriterWriteFormatAttribute(w, X(name), "%zu", n);
}

static int attr_seconds(xmlTextWriterPtr w, double seconds)
{
    return xmlTextWriterWriteFormatAttribute(w, X("time"), "%.3f", seconds);
}

/* How long check took, when the run as it ends passed its times (they are not stored). */
static bool check_seconds(const output_opts *o, const char *check, double *seconds)
{
    for (size_t i = 0; o && o->times && i < o->times->n; i++)
        if (strcmp(o->times->t[i].check, check) == 0) {
            *seconds = o->times->t[i].seconds;
            return true;
        }
    return false;
}

/* seconds < 0: not known, no time= */
static int testcase(xmlTextWriterPtr w, const run_record *r, const char *classname,
                    const result_row *x, double seconds)
{
    int rc = 0;
    rc |= xmlTextWriterStartElement(w, X("testcase")) < 0;
    rc |= attr(w, "classname", classname) < 0;
    rc |= attr(w, "name", x->subject) < 0;
    if (seconds >= 0)
        rc |= attr_seconds(w, seconds) < 0;
    if (x->status == RESULT_FAIL || x->status == RESULT_ERROR) {
        rc |= xmlTextWriterStartElement(w, X(x->status == RESULT_FAIL ? "failure" : "error")) < 0;
        rc |= attr(w, "message", x->reason) < 0;
        rc |= attr(w, "type", result_status_name(x->status)) < 0;
        char *body = xasprintf("%s\nexpected: %s\nobserved: %s%s%s\n", x->reason ? x->reason : "",
                               x->expected ? x->expected : "-", x->observed ? x->observed : "-",
                               x->detail ? "\n" : "", x->detail ? x->detail : "");
        rc |= text(w, NULL, body) < 0;
        free(body);
        rc |= xmlTextWriterEndElement(w) < 0;
    } else if (x->status == RESULT_WAIVED) {
        /* neither passed nor failed: CI shows it skipped, saying by which waiver */
        char *note = run_record_waiver_note(r, x->waiver);
        rc |= xmlTextWriterStartElement(w, X("skipped")) < 0;
        rc |= attr(w, "message", note) < 0;
        rc |= xmlTextWriterEndElement(w) < 0;
        char *out = xasprintf("%s: %s (expected %s, observed %s)", note,
                              x->reason ? x->reason : "", x->expected ? x->expected : "-",
                              x->observed ? x->observed : "-");
        rc |= text(w, "system-out", out) < 0;
        free(out);
        free(note);
    } else if (x->status == RESULT_NOT_EVALUATED) {
        rc |= xmlTextWriterStartElement(w, X("skipped")) < 0;
        rc |= attr(w, "message", x->reason) < 0;
        rc |= xmlTextWriterEndElement(w) < 0;
    } else {
        char *out = xasprintf("%s: %s (expected %s, observed %s)",
                              x->status == RESULT_WARN ? "warning" : "pass", x->reason ? x->reason : "",
                              x->expected ? x->expected : "-", x->observed ? x->observed : "-");
        rc |= text(w, "system-out", out) < 0;
        free(out);
    }
    rc |= xmlTextWriterEndElement(w) < 0;
    return rc;
}

static int suite(xmlTextWriterPtr w, const run_record *r, const char *check, const output_opts *o)
{
    size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (strcmp(x->check, check) != 0)
            continue;
        tests++;
        failures += x->status == RESULT_FAIL;
        errors += x->status == RESULT_ERROR;
        skipped += x->status == RESULT_NOT_EVALUATED || x->status == RESULT_WAIVED;
    }
    char *name = xasprintf("vouch.%s", check);
    int rc = 0;
    rc |= xmlTextWriterStartElement(w, X("testsuite")) < 0;
    rc |= attr(w, "name", name) < 0;
    rc |= attr_n(w, "tests", tests) < 0;
    rc |= attr_n(w, "failures", failures) < 0;
    rc |= attr_n(w, "errors", errors) < 0;
    if (skipped)
        rc |= attr_n(w, "skipped", skipped) < 0;
    rc |= attr(w, "timestamp", r->started_at) < 0;
    /* A check decides all its subjects in one pass, so no subject has a time of its own:
     * each test case gets an equal share, and the cases add up to the suite. */
    double seconds = -1, each = -1;
    if (check_seconds(o, check, &seconds)) {
        rc |= attr_seconds(w, seconds) < 0;
        each = seconds / (double)tests;
    }
    for (size_t i = 0; i < r->n_results; i++)
        if (strcmp(r->results[i].check, check) == 0)
            rc |= testcase(w, r, name, &r->results[i], each);
    rc |= xmlTextWriterEndElement(w) < 0;
    free(name);
    return rc;
}

static int document(xmlTextWriterPtr w, const run_record *r, const output_opts *o)
{
    result_counts c = run_record_counts(r);
    bool aborted = strcmp(r->status, "aborted") == 0;
    int rc = 0;
    rc |= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
    rc |= xmlTextWriterStartElement(w, X("testsuites")) < 0;
    char *name = xasprintf("vouch %s %lld", r->kind, (long long)r->id);
    rc |= attr(w, "name", name) < 0;
    free(name);
    rc |= attr_n(w, "tests", c.total + aborted) < 0;
    rc |= attr_n(w, "failures", c.fail) < 0;
    rc |= attr_n(w, "errors", c.error + aborted) < 0;
    if (c.not_evaluated + c.waived)
        rc |= attr_n(w, "skipped", c.not_evaluated + c.waived) < 0;
    int64_t t0, t1; /* the whole run, from the stored times */
    if (r->started_at && r->finished_at && utc_parse_ms(r->started_at, &t0) &&
        utc_parse_ms(r->finished_at, &t1) && t1 >= t0)
        rc |= attr_seconds(w, (double)(t1 - t0) / 1000.0) < 0;
    if (aborted) {
        result_row x = {.check = "run", .subject = "run", .status = RESULT_ERROR,
                        .reason = r->error ? r->error : "aborted"};
        rc |= xmlTextWriterStartElement(w, X("testsuite")) < 0;
        rc |= attr(w, "name", "vouch.run") < 0;
        rc |= attr_n(w, "tests", 1) < 0;
        rc |= attr_n(w, "failures", 0) < 0;
        rc |= attr_n(w, "errors", 1) < 0;
        rc |= testcase(w, r, "vouch.run", &x, -1);
        rc |= xmlTextWriterEndElement(w) < 0;
    }
    /* One suite per check, in the order the checks first appear. */
    for (size_t i = 0; i < r->n_results; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(r->results[j].check, r->results[i].check) == 0;
        if (!seen)
            rc |= suite(w, r, r->results[i].check, o);
    }
    rc |= xmlTextWriterEndDocument(w) < 0;
    return rc;
}

static vexit write_junit(FILE *f, const run_record *r, const output_opts *o, verr *e)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (!w) {
        xmlBufferFree(buf);
        return verr_set(e, VOUCH_ABORTED, "could not start the JUnit writer");
    }
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterSetIndentString(w, X("  "));
    int rc = document(w, r, o);
    xmlFreeTextWriter(w); /* flushes into buf */
    if (!rc)
        fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), f);
    xmlBufferFree(buf);
    if (rc)
        return verr_set(e, VOUCH_ABORTED, "could not build the JUnit XML");
    if (ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the JUnit output");
    return VOUCH_OK;
}

const output_writer output_junit = {"junit", write_junit};
