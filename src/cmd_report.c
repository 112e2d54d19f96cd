/* vouch report run [ID]: the gate report of one stored run, as HTML, Markdown,
 * the report XML itself or a CSV of its results.
 *
 * The document is built from the store alone, validated against the templates'
 * report.rng, rendered, and written whole to one file, then signed (FILE.p7s)
 * when a signing key is configured (evidence/sign_policy.h). */
#include "src/cmd_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "evidence/sign.h"
#include "reports/csv_export.h"
#include "reports/render.h"
#include "reports/report.h"
#include "reports/report_file.h"
#include "reports/templates_dir.h"
#include "src/util.h"

typedef enum report_format { FMT_HTML, FMT_MARKDOWN, FMT_XML, FMT_CSV } report_format;

static const struct {
    const char *name;
    report_format fmt;
    const char *stylesheet;   /* in the templates folder, NULL: no XSLT */
} formats[] = {
    {"html", FMT_HTML, "html.xsl"},
    {"markdown", FMT_MARKDOWN, "markdown.xsl"},
    {"md", FMT_MARKDOWN, "markdown.xsl"},
    {"xml", FMT_XML, NULL},
    {"csv", FMT_CSV, NULL},
};

/* The newest gate or check run: what a report without an id is about. */
static vexit newest_reportable(store *st, int64_t *id, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = store_list_runs(st, 0, &ids, &n, e);
    if (rc)
        return rc;
    *id = 0;
    for (size_t i = 0; i < n && !*id && !rc; i++) {
        run_record *r;
        if ((rc = store_load_run(st, ids[i], &r, e)))
            break;
        if (strcmp(r->kind, "baseline") != 0)
            *id = r->id;
        run_record_free(r);
    }
    free(ids);
    if (!rc && !*id) {
        verr_set(e, VOUCH_USAGE, "store \"%s\" holds no gate or check runs to report%s",
                 store_path(st), n ? " (only baselines)" : "");
        verr_hint(e, "Run 'vouch gate' first; 'vouch runs' lists what the store holds.");
        return e->code;
    }
    return rc;
}

static vexit csv_bytes(const run_record *r, char **out, size_t *len, verr *e)
{
    FILE *f = open_memstream(out, len);
    if (!f)
        return verr_set(e, VOUCH_ABORTED, "could not start the CSV export");
    vexit rc = report_csv_results(f, r, e);
    if (fclose(f) != 0 && !rc)
        rc = verr_set(e, VOUCH_ABORTED, "could not finish the CSV export");
    if (rc) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

static vexit xml_bytes(xmlDocPtr doc, char **out, size_t *len, verr *e)
{
    xmlChar *bytes = NULL;
    int n = 0;
    xmlDocDumpFormatMemoryEnc(doc, &bytes, &n, "UTF-8", 1);
    if (!bytes)
        return verr_set(e, VOUCH_ABORTED, "could not serialise the report XML");
    *out = xmalloc((size_t)n + 1);
    if (n)
        memcpy(*out, bytes, (size_t)n);
    (*out)[n] = '\0';
    *len = (size_t)n;
    xmlFree(bytes);
    return VOUCH_OK;
}

/* Build, validate and render the report of run id into *out. */
static vexit render_run(const report_request *rq, int64_t id, report_format fmt,
                        const char *stylesheet, char **out, size_t *len, verr *e)
{
    run_record *r;
    vexit rc = store_load_run(rq->st, id, &r, e);
    if (rc == VOUCH_USAGE && !e->hint[0])
        verr_hint(e, "'vouch runs' lists the runs the store holds.");
    if (rc)
        return rc;
    char *dir = NULL;
    xmlDocPtr doc = NULL;
    if ((rc = report_gate_doc(r, &doc, e)))
        goto out;
    if (fmt == FMT_CSV) {
        rc = csv_bytes(r, out, len, e);
        goto out;
    }
    if ((rc = report_templates_dir(rq->templates, rq->settings->report_templates, &dir, e)))
        goto out;
    /* A templates folder of one's own may leave the schema out: then vouch's is not checked. */
    char *rng = xasprintf("%s/report.rng", dir);
    if (access(rng, F_OK) == 0)
        rc = report_validate(doc, rng, e);
    free(rng);
    if (rc)
        goto out;
    if (fmt == FMT_XML) {
        rc = xml_bytes(doc, out, len, e);
        goto out;
    }
    char *xsl = xasprintf("%s/%s", dir, stylesheet);
    if (access(xsl, R_OK) != 0) {
        verr_set(e, VOUCH_USAGE, "templates folder \"%s\" has no %s", dir, stylesheet);
        rc = e->code;
    } else {
        const report_param params[] = {
            {"organisation", rq->settings->report_organisation},
        };
        rc = report_render(doc, xsl, params, sizeof params / sizeof params[0], out, len, e);
    }
    free(xsl);
out:
    xmlFreeDoc(doc);
    free(dir);
    run_record_free(r);
    return rc;
}

static vexit find_format(const char *name, size_t *k, verr *e)
{
    size_t nf = sizeof formats / sizeof formats[0];
    for (*k = 0; *k < nf; (*k)++)
        if (strcmp(formats[*k].name, name) == 0)
            return VOUCH_OK;
    return verr_set(e, VOUCH_USAGE, "unknown report format \"%s\": use %s", name, REPORT_FORMATS);
}

vexit report_gate_bytes(const report_request *rq, int64_t id, const char *format, char **out,
                        size_t *len, verr *e)
{
    size_t k;
    vexit rc = find_format(format, &k, e);
    return rc ? rc : render_run(rq, id, formats[k].fmt, formats[k].stylesheet, out, len, e);
}

static vexit report_run(const report_request *rq, verr *e)
{
    if (rq->n_args > 2)
        return verr_set(e, VOUCH_USAGE, "report run takes at most one run id (got \"%s\")",
                        rq->args[2]);
    size_t k;
    vexit rc = find_format(rq->format ? rq->format : "html", &k, e);
    if (rc)
        return rc;
    int64_t id;
    if (rq->n_args == 2) {
        if (!parse_int64(rq->args[1], &id) || id < 1)
            return verr_set(e, VOUCH_USAGE, "expected a run id, not \"%s\"", rq->args[1]);
    } else if ((rc = newest_reportable(rq->st, &id, e))) {
        return rc;
    }
    bool to_file = rq->out_path && strcmp(rq->out_path, "-") != 0;
    if (rq->sign == SIGN_ALWAYS && !to_file)
        return verr_set(e, VOUCH_USAGE, "--sign needs --out FILE: a signature sits beside a file");
    /* The key is loaded before anything is written, so a key problem leaves no report. */
    signer *s = NULL;
    if (to_file && sign_wanted(&rq->settings->signing, rq->sign) &&
        (rc = signer_from_settings(&rq->settings->signing, &s, e)))
        return rc;
    char *bytes = NULL;
    size_t len = 0;
    if (!(rc = render_run(rq, id, formats[k].fmt, formats[k].stylesheet, &bytes, &len, e)) &&
        !(rc = report_write_file(rq->out_path, bytes, len, e)) && s)
        rc = sign_file(s, rq->out_path, e);
    signer_free(s);
    free(bytes);
    return rc;
}

vexit cmd_report(const report_request *rq, verr *e)
{
    if (rq->n_args < 1) {
        verr_set(e, VOUCH_USAGE, "report needs what to report on: run [ID]");
        verr_hint(e, "For example 'vouch report run --format html --out gate.html'.");
        return e->code;
    }
    if (strcmp(rq->args[0], "run") == 0)
        return report_run(rq, e);
    verr_set(e, VOUCH_USAGE, "unknown report \"%s\": use run [ID]", rq->args[0]);
    verr_hint(e, "'vouch report run' reports the newest gate or check run.");
    return e->code;
}
