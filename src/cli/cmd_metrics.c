/* vouch metrics: what the store holds, as gauges a Prometheus alert can watch.
 *
 * Every sample of one metric is written together after its HELP and TYPE lines, as the
 * text format requires, so the runs are gathered first and written after. Label values
 * are the stored target's name, or its connection (it never holds a password), and check names: hostile text, so
 * made valid UTF-8 and escaped as the format says (backslash, double quote, newline).
 * Times are Unix timestamps and spans seconds, as Prometheus's conventions (and promtool's
 * lint) ask: an alert computes "days since" as time() - timestamp, which stays right
 * however long ago the file was written. */
#include "src/cli/cmd_metrics.h"

#include <jansson.h>
#include <string.h>

#include "evidence/atomic_write.h"
#include "evidence/store/drill.h"
#include "src/cli/evidence_age.h"
#include "src/clock.h"
#include "src/util.h"

/* The newest sealed run of one kind for one target. */
typedef struct last_run {
    char *kind;          /* "gate" or "baseline" (borrowed from run) */
    run_record *run;     /* owned */
} last_run;

typedef struct last_runs {
    last_run *v;
    size_t n, cap;
} last_runs;

static void last_runs_free(last_runs *l)
{
    for (size_t i = 0; i < l->n; i++)
        run_record_free(l->v[i].run);
    free(l->v);
}

/* The newest sealed gate and baseline of each target (check runs test only some checks
 * and say nothing of the whole): only those runs are loaded. */
static vexit gather_runs(store *st, last_runs *l, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = store_latest_runs(st, &ids, &n, e);
    for (size_t i = 0; i < n && !rc; i++) {
        run_record *r;
        if ((rc = store_load_run(st, ids[i], &r, e)))
            break;
        /* the label: a named target's name ([target "NAME"], docs/fleet.md), else the
         * connection as stored, as before names */
        if (r->target_name) {
            free(r->target);
            r->target = xstrdup(r->target_name);
        }
        if (!r->target)
            r->target = xstrdup("");
        grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
        l->v[l->n++] = (last_run){r->kind, r};
    }
    free(ids);
    return rc;
}

/* text as a label value: valid UTF-8, with \ " and newline escaped. Caller frees. */
static char *label_value(const char *text)
{
    char *clean = utf8_scrub(text ? text : "");
    textbuf t = {0};
    textbuf_add(&t, "%s", "");
    for (const char *p = clean; *p; p++) {
        if (*p == '\\')
            textbuf_add(&t, "\\\\");
        else if (*p == '"')
            textbuf_add(&t, "\\\"");
        else if (*p == '\n')
            textbuf_add(&t, "\\n");
        else
            textbuf_add(&t, "%c", *p);
    }
    free(clean);
    return t.p;
}

static void family(textbuf *t, const char *name, const char *help)
{
    textbuf_add(t, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void run_families(textbuf *t, const last_runs *l)
{
    if (!l->n)
        return;
    family(t, "vouch_last_run_timestamp_seconds",
           "When the newest sealed run of this kind for this target finished (Unix time).");
    for (size_t i = 0; i < l->n; i++) {
        int64_t ms;
        if (!utc_parse_ms(l->v[i].run->finished_at, &ms))
            continue;
        char *target = label_value(l->v[i].run->target);
        textbuf_add(t, "vouch_last_run_timestamp_seconds{kind=\"%s\",target=\"%s\"} %.15g\n",
                    l->v[i].kind, target, (double)ms / 1000.0);
        free(target);
    }
    family(t, "vouch_last_run_passed",
           "1 when that run passed (a gate opened, a baseline was captured), else 0.");
    for (size_t i = 0; i < l->n; i++) {
        const char *status = l->v[i].run->status;
        bool passed = strcmp(status, "passed") == 0 || strcmp(status, "captured") == 0;
        char *target = label_value(l->v[i].run->target);
        textbuf_add(t, "vouch_last_run_passed{kind=\"%s\",target=\"%s\"} %d\n", l->v[i].kind,
                    target, passed ? 1 : 0);
        free(target);
    }
}

/* Failed results (fail or error; waived ones are not) per check of each target's last
 * gate, 0 for a check that failed nothing, checks in the order the run first holds them.
 * A run has few checks and maybe many results: one pass over the results. */
static void failed_family(textbuf *t, const last_runs *l)
{
    bool any = false;
    for (size_t i = 0; i < l->n; i++) {
        const run_record *r = l->v[i].run;
        if (strcmp(l->v[i].kind, "gate") != 0)
            continue;
        struct per_check {
            const char *check;
            size_t failed;
        } *c = NULL;
        size_t n = 0, cap = 0;
        for (size_t j = 0; j < r->n_results; j++) {
            const result_row *x = &r->results[j];
            size_t k = 0;
            while (k < n && strcmp(c[k].check, x->check) != 0)
                k++;
            if (k == n) {
                grow((void **)&c, &cap, n + 1, sizeof *c);
                c[n++] = (struct per_check){x->check, 0};
            }
            if (x->status == RESULT_FAIL || x->status == RESULT_ERROR)
                c[k].failed++;
        }
        if (n && !any)
            family(t, "vouch_last_gate_failed_results",
                   "Failed results (fail or error) per check of the target's newest gate.");
        any = any || n;
        char *target = label_value(r->target);
        for (size_t k = 0; k < n; k++) {
            char *check = label_value(c[k].check);
            textbuf_add(t, "vouch_last_gate_failed_results{target=\"%s\",check=\"%s\"} %zu\n",
                        target, check, c[k].failed);
            free(check);
        }
        free(target);
        free(c);
    }
}

/* The backups check's worst gap between restore points (its facts' worst_gap_ms) in
 * each target's last gate; nothing when no backups check measured one. */
static void gap_family(textbuf *t, const last_runs *l)
{
    bool any = false;
    for (size_t i = 0; i < l->n; i++) {
        const run_record *r = l->v[i].run;
        if (strcmp(l->v[i].kind, "gate") != 0)
            continue;
        for (size_t j = 0; j < r->n_results; j++) {
            const result_row *x = &r->results[j];
            if (!x->facts || strncmp(x->check, "backups", 7) != 0 ||
                (x->check[7] != '\0' && x->check[7] != '/'))
                continue;
            json_t *f = json_loads(x->facts, 0, NULL);
            json_t *gap = json_object_get(f, "worst_gap_ms");
            if (json_is_integer(gap)) {
                if (!any)
                    family(t, "vouch_backups_worst_gap_seconds",
                           "Worst gap between restore points the backups check found.");
                any = true;
                char *target = label_value(r->target), *check = label_value(x->check);
                textbuf_add(t, "vouch_backups_worst_gap_seconds{target=\"%s\",check=\"%s\"} %.15g\n",
                            target, check, (double)json_integer_value(gap) / 1000.0);
                free(target);
                free(check);
            }
            json_decref(f);
        }
    }
}

static void gauge(textbuf *t, const char *name, const char *help, double value);

/* Each target's last passed gate, apart from its last gate (which may have failed), with
 * [objectives] evidence_valid whether the last proof has expired, and when the checks were
 * last shown able to fail. */
static vexit evidence_families(textbuf *t, store *st, const objectives *obj, verr *e)
{
    evidence_age *a;
    size_t n;
    vexit rc = evidence_ages(st, clock_now_ms(), obj->evidence_valid_ms, &a, &n, e);
    if (rc)
        return rc;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (!a[i].last_passed)
            continue;
        if (!any)
            family(t, "vouch_last_passed_run_timestamp_seconds",
                   "When the newest gate of this target that passed finished (Unix time).");
        any = true;
        char *target = label_value(a[i].target);
        textbuf_add(t, "vouch_last_passed_run_timestamp_seconds{kind=\"gate\",target=\"%s\"}"
                       " %.15g\n", target, (double)a[i].last_passed_ms / 1000.0);
        free(target);
    }
    if (obj->evidence_valid_ms) {
        family(t, "vouch_evidence_valid_seconds",
               "How long a passed gate stands as proof ([objectives] evidence_valid).");
        textbuf_add(t, "vouch_evidence_valid_seconds %.15g\n",
                    (double)obj->evidence_valid_ms / 1000.0);
        if (n)
            family(t, "vouch_evidence_expired",
                   "1 when this target has no passed gate within evidence_valid, else 0.");
        for (size_t i = 0; i < n; i++) {
            char *target = label_value(a[i].target);
            textbuf_add(t, "vouch_evidence_expired{target=\"%s\"} %d\n", target,
                        a[i].expired ? 1 : 0);
            free(target);
        }
    }
    evidence_ages_free(a, n);
    /* the newest negative control that showed every check able to fail (docs/negative-control.md) */
    int64_t id;
    if ((rc = store_last_negative_control(st, NULL, true, &id, e)) || !id)
        return rc;
    run_record *r;
    if ((rc = store_load_run(st, id, &r, e)))
        return rc;
    int64_t ms;
    if (utc_parse_ms(r->finished_at, &ms))
        gauge(t, "vouch_last_negative_control_timestamp_seconds",
              "When the newest gate whose negative control showed every check able to fail "
              "finished (Unix time).",
              (double)ms / 1000.0);
    run_record_free(r);
    return VOUCH_OK;
}

static void gauge(textbuf *t, const char *name, const char *help, double value)
{
    family(t, name, help);
    textbuf_add(t, "%s %.15g\n", name, value);
}

/* The newest sealed drill's measures, when the newest finished one started, and the
 * objectives in force. */
static vexit drill_families(textbuf *t, store *st, const objectives *obj, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = store_list_drills(st, 0, &ids, &n, e);
    bool have_last = false, have_finished = false;
    for (size_t i = 0; i < n && !rc && !have_finished; i++) {
        drill_record *d;
        if ((rc = store_load_drill(st, ids[i], &d, e)))
            break;
        if (strcmp(d->status, "running") != 0 && !have_last) {
            have_last = true;
            if (d->has_rto)
                gauge(t, "vouch_last_drill_rto_seconds",
                      "RTO the newest sealed drill measured: start to service restored.",
                      (double)d->rto_ms / 1000.0);
            if (d->has_data_loss)
                gauge(t, "vouch_last_drill_data_loss_seconds",
                      "Data-loss window the newest sealed drill measured.",
                      (double)d->data_loss_ms / 1000.0);
        }
        int64_t started;
        if (strcmp(d->status, "finished") == 0 && utc_parse_ms(d->started_at, &started)) {
            have_finished = true;
            gauge(t, "vouch_last_drill_timestamp_seconds",
                  "When the newest finished drill started (Unix time).", (double)started / 1000.0);
        }
        drill_record_free(d);
    }
    free(ids);
    if (rc)
        return rc;
    gauge(t, "vouch_objective_rto_seconds", "The RTO in force ([objectives] rto).",
          (double)obj->rto_ms / 1000.0);
    gauge(t, "vouch_objective_rpo_seconds", "The RPO in force ([objectives] rpo).",
          (double)obj->rpo_ms / 1000.0);
    int64_t every;
    if (objectives_every_ms(obj->drill_every, &every))
        gauge(t, "vouch_drill_cadence_seconds",
              "How often a drill is due ([objectives] drill_every).", (double)every / 1000.0);
    return VOUCH_OK;
}

vexit cmd_metrics(const metrics_request *rq, verr *e)
{
    store_verdict v;
    vexit rc = store_verify(rq->st, &v, e);
    if (rc)
        return rc;
    last_runs l = {0};
    textbuf t = {0};
    if ((rc = gather_runs(rq->st, &l, e)) == VOUCH_OK) {
        run_families(&t, &l);
        failed_family(&t, &l);
        gap_family(&t, &l);
        if (!(rc = evidence_families(&t, rq->st, rq->obj, e)))
            rc = drill_families(&t, rq->st, rq->obj, e);
    }
    last_runs_free(&l);
    if (!rc) {
        gauge(&t, "vouch_store_chain_verified",
              "1 when the store's chains verify as 'vouch verify' checks them, else 0.",
              v.ok ? 1 : 0);
        if (rq->out_path) {
            rc = atomic_write(rq->out_path, t.p, t.len, 0644, true, e);
        } else if (fwrite(t.p, 1, t.len, stdout) != t.len || fflush(stdout) != 0) {
            rc = verr_set(e, VOUCH_ABORTED, "could not write the metrics to standard output");
        }
    }
    free(t.p);
    return rc;
}
