#include "reports/report_produce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "evidence/store/drill.h"
#include "reports/approvals_xml.h"
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

/* What one report is built from; everything owned. */
typedef struct inputs {
    run_record *run;          /* REPORT_RUN; REPORT_DRILL: the drill's gate run, or NULL */
    drill_record *drill;      /* REPORT_DRILL */
    run_record **runs;        /* REPORT_PERIOD; REPORT_DRILL: the runs linked to it; oldest first */
    size_t n_runs;
    drill_record **drills;    /* REPORT_DRILL: history; REPORT_PERIOD: the period's; oldest first */
    size_t n_drills;
    report_period period;
} inputs;

static void inputs_free(inputs *in)
{
    run_record_free(in->run);
    drill_record_free(in->drill);
    for (size_t i = 0; i < in->n_runs; i++)
        run_record_free(in->runs[i]);
    free(in->runs);
    for (size_t i = 0; i < in->n_drills; i++)
        drill_record_free(in->drills[i]);
    free(in->drills);
}

/* The newest gate or check run: what a run report without an id is about. */
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

static vexit load_run(store *st, const report_job *job, inputs *in, verr *e)
{
    int64_t id = job->id;
    vexit rc = VOUCH_OK;
    if (!id && (rc = newest_reportable(st, &id, e)))
        return rc;
    rc = store_load_run(st, id, &in->run, e);
    if (rc == VOUCH_USAGE && !e->hint[0])
        verr_hint(e, "'vouch runs' lists the runs the store holds.");
    return rc;
}

/* The drill, its gate run, and the drills up to it (at most the 12 newest), oldest first. */
static vexit load_drill(store *st, const report_job *job, inputs *in, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = store_list_drills(st, 0, &ids, &n, e);
    if (rc)
        return rc;
    int64_t id = job->id ? job->id : n ? ids[0] : 0;
    if (!id) {
        free(ids);
        verr_set(e, VOUCH_USAGE, "store \"%s\" holds no drills to report", store_path(st));
        verr_hint(e, "Hold one with 'vouch drill run' or 'vouch drill start'; 'vouch drills' "
                     "lists them.");
        return e->code;
    }
    rc = store_load_drill(st, id, &in->drill, e);
    if (rc == VOUCH_USAGE && !e->hint[0])
        verr_hint(e, "'vouch drills' lists the drills the store holds.");
    size_t cap = 0;
    for (size_t i = 0; i < n && !rc && in->n_drills < 12; i++) {
        if (ids[i] > id)
            continue;
        drill_record *d;
        if ((rc = store_load_drill(st, ids[i], &d, e)))
            break;
        grow((void **)&in->drills, &cap, in->n_drills + 1, sizeof *in->drills);
        in->drills[in->n_drills++] = d;
    }
    free(ids);
    if (rc)
        return rc;
    for (size_t i = 0, j = in->n_drills; i < j / 2; i++) {
        drill_record *t = in->drills[i];
        in->drills[i] = in->drills[j - 1 - i];
        in->drills[j - 1 - i] = t;
    }
    if (in->drill->gate_run_id) {
        verr ignored;
        verr_clear(&ignored);
        /* A gate run the store no longer has leaves the report without its results. */
        store_load_run(st, in->drill->gate_run_id, &in->run, &ignored);
    }
    int64_t *linked;
    size_t n_linked;
    if ((rc = store_drill_runs(st, in->drill->id, &linked, &n_linked, e)))
        return rc;
    in->runs = n_linked ? xcalloc(n_linked, sizeof *in->runs) : NULL;
    for (size_t i = 0; i < n_linked && !rc; i++)
        if (!(rc = store_load_run(st, linked[i], &in->runs[in->n_runs], e)))
            in->n_runs++;
    free(linked);
    return rc;
}

static vexit load_period(store *st, const report_job *job, inputs *in, verr *e)
{
    vexit rc = report_period_parse(job->period, &in->period, e);
    if (rc)
        return rc;
    int64_t *ids;
    size_t n, cap = 0;
    if ((rc = store_list_runs(st, 0, &ids, &n, e)))
        return rc;
    for (size_t i = n; i-- > 0 && !rc;) {
        run_record *r;
        if ((rc = store_load_run(st, ids[i], &r, e)))
            break;
        if (strcmp(r->kind, "baseline") == 0 || !report_period_holds(&in->period, r->started_at)) {
            run_record_free(r);
            continue;
        }
        grow((void **)&in->runs, &cap, in->n_runs + 1, sizeof *in->runs);
        in->runs[in->n_runs++] = r;
    }
    free(ids);
    if (rc || (rc = store_list_drills(st, 0, &ids, &n, e)))
        return rc;
    cap = 0;
    for (size_t i = n; i-- > 0 && !rc;) {
        drill_record *d;
        if ((rc = store_load_drill(st, ids[i], &d, e)))
            break;
        if (!report_period_holds(&in->period, d->started_at)) {
            drill_record_free(d);
            continue;
        }
        grow((void **)&in->drills, &cap, in->n_drills + 1, sizeof *in->drills);
        in->drills[in->n_drills++] = d;
    }
    free(ids);
    return rc;
}

static vexit memstream_bytes(const inputs *in, report_kind kind, char **out, size_t *len, verr *e)
{
    FILE *f = open_memstream(out, len);
    if (!f)
        return verr_set(e, VOUCH_ABORTED, "could not start the CSV export");
    vexit rc = kind == REPORT_RUN ? report_csv_results(f, in->run, e)
                                  : report_csv_runs(f, in->runs, in->n_runs, e);
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

static vexit build_doc(const report_job *job, const inputs *in, xmlDocPtr *doc, verr *e)
{
    switch (job->kind) {
    case REPORT_RUN: return report_gate_doc(in->run, doc, e);
    case REPORT_DRILL:
        return report_drill_doc(in->drill, in->run, in->runs, in->n_runs, in->drills,
                                in->n_drills, doc, e);
    case REPORT_PERIOD:
        return report_period_doc(&in->period, in->runs, in->n_runs, in->drills, in->n_drills,
                                 doc, e);
    }
    return verr_set(e, VOUCH_USAGE, "unknown kind of report");
}

static xmlNodePtr root_child(xmlDocPtr doc, const char *name)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0)
            return c;
    return NULL;
}

/* The approvals the store holds (docs/approvals.md), into the document built: a gate
 * report's, a drill report's gate's, and the approval counts of a compliance report's gates. */
static vexit add_approvals(store *st, const report_job *job, const inputs *in, xmlDocPtr doc,
                           verr *e)
{
    int required = job->settings ? job->settings->gate_approvals : 0;
    xmlNodePtr parent = job->kind == REPORT_RUN   ? xmlDocGetRootElement(doc)
                        : job->kind == REPORT_DRILL ? root_child(doc, "gate")
                                                    : NULL;
    if (job->kind != REPORT_PERIOD && (!parent || !in->run))
        return VOUCH_OK;
    approval_list l;
    vexit rc = store_approvals(st, job->kind == REPORT_PERIOD ? 0 : in->run->id, &l, e);
    if (rc)
        return rc;
    if (job->kind == REPORT_PERIOD)
        report_approvals_period(xmlDocGetRootElement(doc), &l, required);
    else
        report_approvals_xml(parent, &l, in->run->id, in->run->status, required);
    approval_list_release(&l);
    return VOUCH_OK;
}

static vexit render_doc(const report_job *job, xmlDocPtr doc, report_format fmt,
                        const char *stylesheet, char **out, size_t *len, verr *e)
{
    char *dir = NULL;
    const vouch_settings *s = job->settings;
    vexit rc = report_templates_dir(job->templates, s ? s->report_templates : NULL, &dir, e);
    if (rc)
        return rc;
    /* A templates folder of one's own may leave the schema out: then vouch's is not checked. */
    char *rng = xasprintf("%s/report.rng", dir);
    if (access(rng, F_OK) == 0)
        rc = report_validate(doc, rng, e);
    free(rng);
    if (!rc && fmt == FMT_XML)
        rc = xml_bytes(doc, out, len, e);
    if (!rc && fmt != FMT_XML) {
        char *xsl = xasprintf("%s/%s", dir, stylesheet);
        if (access(xsl, R_OK) != 0) {
            verr_set(e, VOUCH_USAGE, "templates folder \"%s\" has no %s", dir, stylesheet);
            rc = e->code;
        } else {
            const report_param params[] = {
                {"organisation", s ? s->report_organisation : NULL},
            };
            rc = report_render(doc, xsl, params, sizeof params / sizeof params[0], out, len, e);
        }
        free(xsl);
    }
    free(dir);
    return rc;
}

vexit report_build(store *st, const report_job *job, char **out, size_t *len, verr *e)
{
    *out = NULL;
    *len = 0;
    const char *name = job->format ? job->format : "html";
    size_t k = 0, nf = sizeof formats / sizeof formats[0];
    while (k < nf && strcmp(formats[k].name, name) != 0)
        k++;
    if (k == nf)
        return verr_set(e, VOUCH_USAGE, "unknown report format \"%s\": use html, markdown, xml "
                        "or csv", name);
    if (formats[k].fmt == FMT_CSV && job->kind == REPORT_DRILL) {
        verr_set(e, VOUCH_USAGE, "a drill report is html, markdown or xml, not csv");
        verr_hint(e, "The drill's gate results as CSV: 'vouch report run ID --format csv' with "
                     "the gate run's id.");
        return e->code;
    }
    evidence_head checked;
    const evidence_head *head = job->head;
    vexit rc = VOUCH_OK;
    if (!head) {
        if ((rc = evidence_check(st, &checked, e)))
            return rc;
        head = &checked;
    }
    inputs in = {0};
    rc = job->kind == REPORT_RUN     ? load_run(st, job, &in, e)
         : job->kind == REPORT_DRILL ? load_drill(st, job, &in, e)
                                     : load_period(st, job, &in, e);
    xmlDocPtr doc = NULL;
    /* The document is built for CSV too: a run it refuses (a baseline) is refused there. */
    if (!rc && !(rc = build_doc(job, &in, &doc, e)) && !(rc = add_approvals(st, job, &in, doc, e)))
        evidence_head_xml(doc, head);
    if (!rc && formats[k].fmt == FMT_CSV)
        rc = memstream_bytes(&in, job->kind, out, len, e);
    else if (!rc)
        rc = render_doc(job, doc, formats[k].fmt, formats[k].stylesheet, out, len, e);
    xmlFreeDoc(doc);
    inputs_free(&in);
    return rc;
}

vexit report_write(store *st, const report_job *job, const char *path, verr *e)
{
    char *bytes;
    size_t len;
    vexit rc = report_build(st, job, &bytes, &len, e);
    if (rc)
        return rc;
    rc = report_write_file(path, bytes, len, e);
    /* Signing goes here: once the file is whole, sign path. */
    free(bytes);
    return rc;
}
