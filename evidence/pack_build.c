#include "evidence/pack_build.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/approval.h"
#include "evidence/chain.h"
#include "evidence/sign.h"
#include "evidence/drill_record.h"
#include "evidence/store/drill.h"
#include "reports/csv_export.h"
#include "reports/report_produce.h"
#include "src/util.h"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static bool started_in(const char *started_at, const report_period *p)
{
    return started_at && report_period_holds(p, started_at);
}

/* One chain entry, kept with its position to be listed in chain order. */
typedef struct chain_entry {
    int64_t pos;
    json_t *json;
} chain_entry;

typedef struct chain_list {
    chain_entry *v;
    size_t n, cap;
} chain_list;

static void chain_add(chain_list *l, int64_t pos, json_t *json)
{
    grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = (chain_entry){pos, json};
}

static int by_pos(const void *a, const void *b)
{
    int64_t x = ((const chain_entry *)a)->pos, y = ((const chain_entry *)b)->pos;
    return (x > y) - (x < y);
}

/* The entries as a JSON array in chain order; the list is emptied. */
static json_t *chain_array(chain_list *l)
{
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, by_pos);
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, l->v[i].json);
    free(l->v);
    *l = (chain_list){0};
    return a;
}

static void chain_free(chain_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        json_decref(l->v[i].json);
    free(l->v);
}

/* Sealed runs or drills of other periods: chain position and id. */
typedef struct pos_list {
    struct {
        int64_t pos, id;
    } *v;
    size_t n, cap;
} pos_list;

static void pos_add(pos_list *l, int64_t pos, int64_t id)
{
    grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n].pos = pos;
    l->v[l->n++].id = id;
}

/* What the pack gathers while it walks the store. */
typedef struct gathered {
    chain_list runs, drills;
    approval_list approvals;  /* every approval in the store; those of the period's runs go in */
    json_t *approval_index;   /* [{id, run_id, signer, ...}] for pack.json */
    pos_list other_runs, other_drills;
    FILE *csv;              /* results.csv, in memory */
    char *csv_bytes;
    size_t csv_len;
    json_t *gate_index;     /* [{id, kind, status, started_at, reports...}] for pack.json */
    json_t *drill_index;
    pack_summary *sum;
    const evidence_head *head;
} gathered;

static const struct {
    const char *format, *ext;
} gate_formats[] = {{"html", "html"}, {"markdown", "md"}, {"xml", "xml"}, {"csv", "csv"}};

/* The report of job in format, rendered as 'vouch report' would, as the pack's file rel. */
static vexit put_report(pack_dir *b, const pack_source *from, report_job job, const char *format,
                        const char *rel, verr *e)
{
    char *bytes = NULL;
    size_t len = 0;
    job.format = format;
    job.templates = from->templates;
    job.settings = from->settings;
    job.head = from->head;
    vexit rc = report_build(from->st, &job, &bytes, &len, e);
    if (!rc)
        rc = pack_dir_put(b, rel, bytes, len, e);
    free(bytes);
    return rc;
}

/* Reports other than the gates' come as a page, Markdown and their XML. */
static const struct {
    const char *format, *ext;
} page_formats[] = {{"html", "html"}, {"markdown", "md"}, {"xml", "xml"}};

static vexit gate_reports(pack_dir *b, const pack_source *from, const run_record *r, json_t *files,
                          verr *e)
{
    vexit rc = VOUCH_OK;
    for (size_t i = 0; i < sizeof gate_formats / sizeof gate_formats[0] && !rc; i++) {
        char *bytes = NULL;
        size_t len = 0;
        char *rel = xasprintf("gates/run-%" PRId64 ".%s", r->id, gate_formats[i].ext);
        report_job job = {.kind = REPORT_RUN, .id = r->id, .format = gate_formats[i].format,
                          .templates = from->templates, .settings = from->settings,
                          .head = from->head};
        if (!(rc = report_build(from->st, &job, &bytes, &len, e)) &&
            !(rc = pack_dir_put(b, rel, bytes, len, e)))
            json_array_append_new(files, json_string(rel));
        free(bytes);
        free(rel);
    }
    return rc;
}

/* The run's canonical form (chain/run-N.json) and its chain.json entry. A run of
 * another period sealed between two of this period's is listed too (outside_period),
 * so that the chain in the pack links without holes. */
static vexit run_in_chain(pack_dir *b, const run_record *r, gathered *g, bool in_period, verr *e)
{
    char *canon = run_canonical(r);
    char *rel = xasprintf("chain/run-%" PRId64 ".json", r->id);
    vexit rc = pack_dir_put(b, rel, canon, strlen(canon), e);
    free(canon);
    json_t *x = json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:s, s:s}", "id", (json_int_t)r->id,
                          "chain_pos", (json_int_t)r->chain_pos, "kind", r->kind, "status",
                          r->status, "started_at", str_or_null(r->started_at), "finished_at",
                          str_or_null(r->finished_at), "prev_digest", str_or_null(r->prev_digest),
                          "digest", r->digest, "canonical", rel);
    if (!in_period)
        json_object_set_new(x, "outside_period", json_true());
    chain_add(&g->runs, r->chain_pos, x);
    free(rel);
    return rc;
}

/* Each approval of run r: its statement (approvals/approval-N.json, the exact signed bytes),
 * its signature beside it (.p7s, which stock openssl cms -verify checks) and its time-stamp
 * token when it has one (.tsr). */
static vexit run_approvals(pack_dir *b, const run_record *r, gathered *g, verr *e)
{
    vexit rc = VOUCH_OK;
    for (size_t i = 0; i < g->approvals.n && !rc; i++) {
        const approval_record *a = g->approvals.v[i];
        if (a->run_id != r->id)
            continue;
        char *rel = xasprintf("approvals/approval-%" PRId64 ".json", a->id);
        char *sig = xasprintf("%s%s", rel, SIGN_SUFFIX);
        char *tsr = xasprintf("%s%s", rel, TSR_SUFFIX);
        if (!(rc = pack_dir_put(b, rel, a->statement, strlen(a->statement), e)))
            rc = pack_dir_put(b, sig, (const char *)a->signature, a->signature_len, e);
        if (!rc && a->tsr)
            rc = pack_dir_put(b, tsr, (const char *)a->tsr, a->tsr_len, e);
        json_t *x = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "id",
                              (json_int_t)a->id, "run_id", (json_int_t)a->run_id, "signer",
                              a->signer, "fingerprint", a->fingerprint, "approved_at",
                              a->approved_at, "statement", rel, "signature", sig, "chain_pos",
                              (json_int_t)a->chain_pos, "digest", a->digest);
        if (a->tsr)
            json_object_set_new(x, "timestamp", json_string(tsr));
        json_array_append_new(g->approval_index, x);
        free(rel);
        free(sig);
        free(tsr);
    }
    return rc;
}

static vexit one_run(pack_dir *b, const pack_source *from, const report_period *p, int64_t id,
                     gathered *g, verr *e)
{
    run_record *r;
    vexit rc = store_load_run(from->st, id, &r, e);
    if (rc)
        return rc;
    /* Only sealed runs: a run still running has no verdict and no place in the chain. */
    if (!r->chain_pos || !r->digest)
        goto out;
    if (!started_in(r->started_at, p)) {
        pos_add(&g->other_runs, r->chain_pos, r->id);
        goto out;
    }
    if ((rc = run_in_chain(b, r, g, true, e)))
        goto out;
    if (strcmp(r->kind, "baseline") == 0) {
        g->sum->baselines++;
        goto out;
    }
    g->sum->gate_runs++;
    json_t *files = json_array();
    json_array_append_new(g->gate_index,
                          json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)r->id, "kind",
                                    r->kind, "status", r->status, "started_at", r->started_at,
                                    "reports", files));
    if (!(rc = gate_reports(b, from, r, files, e)) && !(rc = run_approvals(b, r, g, e)))
        rc = report_csv_rows(g->csv, r, e);
out:
    run_record_free(r);
    return rc;
}

/* A drill as JSON: its canonical fields and its digest, until its own report exists. */
static vexit drill_json(pack_dir *b, const drill_record *d, const char *rel, verr *e)
{
    char *canon = drill_canonical(d);
    json_error_t je;
    json_t *doc = json_loads(canon, 0, &je);
    free(canon);
    if (!doc)
        return verr_set(e, VOUCH_ABORTED, "drill %" PRId64 ": could not read its canonical form",
                        d->id);
    json_object_set_new(doc, "digest", str_or_null(d->digest));
    vexit rc = pack_dir_put_json(b, rel, doc, e);
    json_decref(doc);
    return rc;
}

static vexit drill_in_chain(pack_dir *b, const drill_record *d, gathered *g, bool in_period,
                            verr *e)
{
    char *canon = drill_canonical(d);
    char *rel = xasprintf("chain/drill-%" PRId64 ".json", d->id);
    vexit rc = pack_dir_put(b, rel, canon, strlen(canon), e);
    free(canon);
    json_t *x = json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "id",
                          (json_int_t)d->id, "chain_pos", (json_int_t)d->chain_pos, "status",
                          d->status, "started_at", d->started_at, "finished_at",
                          str_or_null(d->finished_at), "gate_run_id",
                          d->gate_run_id ? json_integer(d->gate_run_id) : json_null(),
                          "gate_digest", str_or_null(d->gate_digest), "prev_digest",
                          str_or_null(d->prev_digest), "digest", str_or_null(d->digest),
                          "canonical", rel, "kind", "drill");
    if (!in_period)
        json_object_set_new(x, "outside_period", json_true());
    chain_add(&g->drills, d->chain_pos, x);
    free(rel);
    return rc;
}

static vexit one_drill(pack_dir *b, const pack_source *from, const report_period *p, int64_t id,
                       gathered *g, verr *e)
{
    drill_record *d;
    vexit rc = store_load_drill(from->st, id, &d, e);
    if (rc)
        return rc;
    if (!started_in(d->started_at, p)) {
        if (d->chain_pos && d->digest)
            pos_add(&g->other_drills, d->chain_pos, d->id);
        goto out;
    }
    g->sum->drills++;
    char *rel = xasprintf("drills/drill-%" PRId64 ".json", d->id);
    json_array_append_new(g->drill_index,
                          json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)d->id,
                                    "scenario", d->scenario ? d->scenario : "", "status", d->status,
                                    "started_at", d->started_at, "file", rel));
    rc = drill_json(b, d, rel, e);
    free(rel);
    for (size_t i = 0; i < sizeof page_formats / sizeof page_formats[0] && !rc; i++) {
        rel = xasprintf("drills/drill-%" PRId64 ".%s", d->id, page_formats[i].ext);
        rc = put_report(b, from, (report_job){.kind = REPORT_DRILL, .id = d->id},
                        page_formats[i].format, rel, e);
        free(rel);
    }
    if (rc || !d->chain_pos || !d->digest)
        goto out;
    rc = drill_in_chain(b, d, g, true, e);
out:
    drill_record_free(d);
    return rc;
}

static void span(const chain_list *l, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MAX;
    *hi = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].pos < *lo)
            *lo = l->v[i].pos;
        if (l->v[i].pos > *hi)
            *hi = l->v[i].pos;
    }
}

/* Runs and drills of other periods sealed between the first and the last of this
 * period's (a run started before the period's end that finished after a later one
 * began): into the chain too, so that it links without holes. */
static vexit fill_holes(pack_dir *b, const pack_source *from, gathered *g, verr *e)
{
    int64_t lo, hi;
    vexit rc = VOUCH_OK;
    span(&g->runs, &lo, &hi);
    for (size_t i = 0; i < g->other_runs.n && !rc; i++) {
        if (g->other_runs.v[i].pos < lo || g->other_runs.v[i].pos > hi)
            continue;
        run_record *r = NULL;
        if (!(rc = store_load_run(from->st, g->other_runs.v[i].id, &r, e)))
            rc = run_in_chain(b, r, g, false, e);
        run_record_free(r);
    }
    span(&g->drills, &lo, &hi);
    for (size_t i = 0; i < g->other_drills.n && !rc; i++) {
        if (g->other_drills.v[i].pos < lo || g->other_drills.v[i].pos > hi)
            continue;
        drill_record *d = NULL;
        if (!(rc = store_load_drill(from->st, g->other_drills.v[i].id, &d, e)))
            rc = drill_in_chain(b, d, g, false, e);
        drill_record_free(d);
    }
    return rc;
}

/* Every run, then every drill, oldest first. */
static vexit gather(pack_dir *b, const pack_source *from, const report_period *p, gathered *g, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = store_list_runs(from->st, 0, &ids, &n, e);
    if (rc)
        return rc;
    progress_begin(from->meter, "pack: runs read", (double)n, "runs");
    for (size_t i = n; i > 0 && !rc; i--) {
        rc = one_run(b, from, p, ids[i - 1], g, e);
        progress_update(from->meter, (double)(n - i + 1));
    }
    free(ids);
    progress_end(from->meter);
    if (rc || (rc = store_list_drills(from->st, 0, &ids, &n, e)))
        return rc;
    progress_begin(from->meter, "pack: drills read", (double)n, "drills");
    for (size_t i = n; i > 0 && !rc; i--) {
        rc = one_drill(b, from, p, ids[i - 1], g, e);
        progress_update(from->meter, (double)(n - i + 1));
    }
    progress_end(from->meter);
    free(ids);
    if (!rc)
        rc = fill_holes(b, from, g, e);
    return rc;
}

static json_t *chain_doc(gathered *g, const report_period *p)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "format", "vouch-pack-chain/1",
                     "period", p->label, "run_digest",
                     "SHA-256(\"vouch-chain/1\\n\" || prev_digest || \"\\n\" || canonical)",
                     "drill_digest",
                     "SHA-256(\"vouch-drill-chain/1\\n\" || prev_digest || \"\\n\" || canonical)",
                     "runs_in", "chain order: every sealed run started in the period",
                     "drills_in", "chain order: every sealed drill started in the period",
                     "runs", chain_array(&g->runs), "drills", chain_array(&g->drills));
}

static bool nothing_recorded(const pack_summary *s)
{
    return !s->gate_runs && !s->baselines && !s->drills;
}

static json_t *info_doc(gathered *g, const report_period *p)
{
    char from[32], to[32];
    utc_format_ms(p->from_ms, from, sizeof from);
    utc_format_ms(p->until_ms, to, sizeof to);
    char *note = nothing_recorded(g->sum)
                     ? xasprintf("nothing was recorded in %s: no gate or check run, no baseline "
                                 "and no drill started from %s to %s (UTC)",
                                 p->label, p->first, p->last)
                     : xasprintf("%zu gate or check run%s, %zu baseline%s and %zu drill%s started "
                                 "in %s (%s to %s, UTC)",
                                 g->sum->gate_runs, g->sum->gate_runs == 1 ? "" : "s",
                                 g->sum->baselines, g->sum->baselines == 1 ? "" : "s",
                                 g->sum->drills, g->sum->drills == 1 ? "" : "s", p->label,
                                 p->first, p->last);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I, s:o, s:o, s:s, s:s, s:s}",
        "format", "vouch-pack/1", "period", p->label, "from", from, "until", to, "first_day",
        p->first, "last_day", p->last, "recorded", !nothing_recorded(g->sum), "summary", note,
        "gate_runs", (json_int_t)g->sum->gate_runs, "baselines", (json_int_t)g->sum->baselines,
        "drills", (json_int_t)g->sum->drills, "gates", g->gate_index, "drill_files",
        g->drill_index, "results", "results.csv", "chain", "chain.json", "vouch_version",
        VOUCH_VERSION);
    g->gate_index = g->drill_index = NULL;
    free(note);
    /* signed approvals of the period's gates (docs/approvals.md) */
    json_object_set_new(doc, "approvals", g->approval_index);
    g->approval_index = NULL;
    /* The store as it stood, its chains verified whole: a later edit of the store
     * cannot be made to agree with this. */
    json_object_set_new(doc, "store_head", evidence_head_json(g->head));
    return doc;
}

static vexit fill(pack_dir *b, const pack_source *from, const report_period *p, pack_summary *sum,
                  verr *e)
{
    gathered g = {.sum = sum, .gate_index = json_array(), .drill_index = json_array(),
                  .approval_index = json_array(), .head = from->head};
    vexit arc = store_approvals(from->st, 0, &g.approvals, e);
    if (arc) {
        json_decref(g.gate_index);
        json_decref(g.drill_index);
        json_decref(g.approval_index);
        return arc;
    }
    g.csv = open_memstream(&g.csv_bytes, &g.csv_len);
    if (!g.csv) {
        json_decref(g.gate_index);
        json_decref(g.drill_index);
        json_decref(g.approval_index);
        approval_list_release(&g.approvals);
        return verr_set(e, VOUCH_ABORTED, "could not start the results export");
    }
    vexit rc = report_csv_header(g.csv, e);
    if (!rc)
        rc = gather(b, from, p, &g, e);
    if (fclose(g.csv) != 0 && !rc)
        rc = verr_set(e, VOUCH_ABORTED, "could not finish the results export");
    if (!rc)
        rc = pack_dir_put(b, "results.csv", g.csv_bytes, g.csv_len, e);
    free(g.csv_bytes);
    if (!rc) {
        json_t *chain = chain_doc(&g, p);
        rc = pack_dir_put_json(b, "chain.json", chain, e);
        json_decref(chain);
    }
    /* The compliance report is the pack's front page. */
    for (size_t i = 0; i < sizeof page_formats / sizeof page_formats[0] && !rc; i++) {
        char *rel = xasprintf("compliance.%s", page_formats[i].ext);
        rc = put_report(b, from, (report_job){.kind = REPORT_PERIOD, .period = p->label},
                        page_formats[i].format, rel, e);
        free(rel);
    }
    if (!rc) {
        json_t *info = info_doc(&g, p);
        rc = pack_dir_put_json(b, PACK_INFO_NAME, info, e);
        json_decref(info);
    }
    chain_free(&g.runs);
    chain_free(&g.drills);
    free(g.other_runs.v);
    free(g.other_drills.v);
    json_decref(g.gate_index);
    json_decref(g.drill_index);
    json_decref(g.approval_index);
    approval_list_release(&g.approvals);
    sum->files = b->m.n;
    sum->bytes = b->bytes;
    return rc;
}

vexit pack_build(const pack_source *from, const report_period *p, const char *dir, const signer *s,
                 pack_summary *sum, verr *e)
{
    *sum = (pack_summary){0};
    /* The chains are verified once, before anything is written: a pack of a store
     * edited behind its chain would sign the edit. */
    evidence_head head;
    vexit rc = evidence_check(from->st, &head, e);
    if (rc)
        return rc;
    pack_source checked = *from;
    checked.head = &head;
    pack_dir b;
    if ((rc = pack_dir_open(&b, dir, e)))
        return rc;
    sum->stale = b.stale_removed;
    if ((rc = fill(&b, &checked, p, sum, e)))
        pack_dir_abandon(&b);
    else
        rc = pack_dir_close(&b, s, e);
    return rc;
}
