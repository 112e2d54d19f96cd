/* The drill report: one restore drill as a report document (templates/report.rng,
 * drill-report): verdict, the drill, its phases laid out for a timeline, the RTO and
 * data-loss window against their objectives, its gate run, follow-ups, and the RTO
 * of the drills up to this one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/report_parts.h"
#include "reports/xml_build.h"
#include "src/output.h"
#include "src/util.h"

/* How many drills the RTO history shows, this one the last. */
#define HISTORY_DRILLS 12

const char *report_drill_outcome(const drill_record *d)
{
    if (strcmp(d->status, "running") == 0)
        return "running";
    if (strcmp(d->status, "interrupted") == 0)
        return "interrupted";
    if (strcmp(d->status, "finished") != 0)
        return "failed";
    if (!d->has_rto || d->rto_ms > d->rto_limit_ms)
        return "missed";
    if (!d->has_data_loss)
        return "partial";  /* the RTO met, the data-loss window not measured */
    return d->data_loss_ms > d->rpo_ms ? "missed" : "met";
}

static int64_t ms_between(const char *a, const char *b, bool *ok)
{
    int64_t x, y;
    *ok = a && b && utc_parse_ms(a, &x) && utc_parse_ms(b, &y) && y >= x;
    return *ok ? y - x : 0;
}

static const drill_phase *phase_named(const drill_record *d, const char *name)
{
    for (size_t i = 0; i < d->n_phases; i++)
        if (strcmp(d->phases[i].name, name) == 0)
            return &d->phases[i];
    return NULL;
}

/* The drill's end as an offset from its start: the RTO when it has one, else the stamps. */
static bool end_offset(const drill_record *d, int64_t *ms)
{
    if (d->has_rto) {
        *ms = d->rto_ms;
        return true;
    }
    bool ok;
    *ms = ms_between(d->started_at, d->finished_at, &ok);
    return ok;
}

static void add_drill(xmlNodePtr root, const drill_record *d)
{
    xmlNodePtr n = rx_child(root, "drill", NULL);
    rx_attr_int(n, "id", d->id);
    rx_attr(n, "status", d->status);
    rx_attr(n, "scenario", d->scenario ? d->scenario : "");
    rx_attr(n, "operator", d->operator_name);
    rx_attr(n, "approved-by", d->approved_by);
    rx_attr(n, "drill-every", d->drill_every);
    rx_attr(n, "incident", d->incident_at);
    rx_attr(n, "started", d->started_at);
    /* The restore runs from its mark (else the drill's start) to its mark (else the end). */
    const drill_phase *rs = phase_named(d, "restore started");
    const drill_phase *re = phase_named(d, "restore finished");
    rx_attr(n, "restore-start", rs ? rs->at : d->started_at);
    rx_attr(n, "restore-end", re ? re->at : d->finished_at);
    rx_attr(n, "finished", d->finished_at);
    rx_attr(n, "clock", d->clock);
    rx_attr(n, "tool-version", d->vouch_version);
    if (d->has_restore_exit)
        rx_attr_int(n, "restore-exit", d->restore_exit);
    rx_child_opt(n, "restore-command", d->restore_cmd);
    if (d->smoke_cmd) {
        xmlNodePtr smoke = rx_child(n, "smoke", d->smoke_cmd);
        if (d->has_smoke_exit)
            rx_attr_int(smoke, "exit", d->smoke_exit);
        rx_attr_int(smoke, "duration-ms", d->smoke_ms);
        if (d->smoke_digest && *d->smoke_digest)
            rx_attr(smoke, "output-sha256", d->smoke_digest);
    }
    rx_child_opt(n, "note", d->note);
    rx_child_opt(n, "error", d->error);
    if (d->digest) {
        xmlNodePtr chain = rx_child(n, "chain", NULL);
        rx_attr_int(chain, "position", d->chain_pos);
        rx_attr(chain, "digest", d->digest);
        rx_attr(chain, "previous", d->prev_digest);
    }
}

/* Each mark ends the step named after it (as 'vouch drills ID' shows them); the step
 * from the last mark to the drill's end is named after the end. Offsets never go back. */
static void add_phases(xmlNodePtr root, const drill_record *d)
{
    xmlNodePtr phases = rx_child(root, "phases", NULL);
    int64_t prev = 0, end;
    const char *prev_at = d->started_at;
    bool has_end = strcmp(d->status, "running") != 0 && end_offset(d, &end);
    for (size_t i = 0; i < d->n_phases; i++) {
        const drill_phase *p = &d->phases[i];
        int64_t at = p->elapsed_ms < prev ? prev : p->elapsed_ms;
        xmlNodePtr n = rx_child(phases, "phase", NULL);
        rx_attr(n, "name", p->name);
        rx_attr(n, "start", prev_at);
        rx_attr(n, "end", p->at);
        rx_attr_int(n, "offset-ms", prev);
        rx_attr_int(n, "duration-ms", at - prev);
        rx_child_opt(n, "note", p->note);
        prev = at;
        prev_at = p->at;
    }
    if (has_end) {
        if (end < prev)
            end = prev;
        char name[48];
        snprintf(name, sizeof name, "drill %s", d->status);
        xmlNodePtr n = rx_child(phases, "phase", NULL);
        rx_attr(n, "name", name);
        rx_attr(n, "start", prev_at);
        rx_attr(n, "end", d->finished_at);
        rx_attr_int(n, "offset-ms", prev);
        rx_attr_int(n, "duration-ms", end - prev);
        rx_attr(n, "kind", "end");
        prev = end;
    }
    rx_attr_int(phases, "total-ms", prev);
}

static void add_objectives(xmlNodePtr root, const drill_record *d)
{
    xmlNodePtr rto = rx_child(root, "objective", NULL);
    rx_attr(rto, "name", "rto");
    const char *judged = "not-achieved";
    if (d->has_rto) {
        rx_attr_int(rto, "measured-ms", d->rto_ms);
        rto_verdict v = drill_judge_rto(d->rto_ms, d->rto_target_ms, d->rto_limit_ms);
        judged = v == RTO_WITHIN_TARGET ? "within-target"
                 : v == RTO_WITHIN_LIMIT ? "within-limit" : "over-limit";
    } else {
        int64_t ran;
        if (strcmp(d->status, "running") == 0)
            judged = "open";
        else if (end_offset(d, &ran))
            rx_attr_int(rto, "ran-ms", ran);
    }
    rx_attr_int(rto, "target-ms", d->rto_target_ms);
    rx_attr_int(rto, "limit-ms", d->rto_limit_ms);
    rx_attr(rto, "met", !d->has_rto ? (strcmp(d->status, "running") == 0 ? "unknown" : "false")
                        : d->rto_ms <= d->rto_limit_ms ? "true" : "false");
    rx_attr(rto, "judged", judged);

    xmlNodePtr rpo = rx_child(root, "objective", NULL);
    rx_attr(rpo, "name", "rpo");
    if (d->has_data_loss)
        rx_attr_int(rpo, "measured-ms", d->data_loss_ms < 0 ? 0 : d->data_loss_ms);
    rx_attr_int(rpo, "limit-ms", d->rpo_ms);
    rx_attr(rpo, "met", !d->has_data_loss ? "unknown" : d->data_loss_ms <= d->rpo_ms ? "true" : "false");
    rx_attr(rpo, "judged", !d->has_data_loss ? "unknown"
                           : d->data_loss_ms <= d->rpo_ms ? "within-limit" : "over-limit");
    rx_attr(rpo, "restore-point", d->restore_point);
    rx_attr(rpo, "source", d->restore_point_source);
}

static void item(xmlNodePtr list, const char *source, const char *text)
{
    xmlNodePtr n = rx_child(list, "item", text);
    rx_attr(n, "source", source);
}

/* What the drill leaves to do: the operator's note, why it failed, each objective
 * missed, each gate result that did not pass. */
static void add_follow_ups(xmlNodePtr root, const drill_record *d, const run_record *gate)
{
    xmlNodePtr list = rx_child(root, "follow-ups", NULL);
    char a[48], b[48], line[512];
    if (d->note)
        item(list, "note", d->note);
    if (d->error && strcmp(d->status, "finished") != 0) {
        snprintf(line, sizeof line, "The drill %s: %s", d->status, d->error);
        item(list, "drill", line);
    }
    if (d->has_rto && d->rto_ms > d->rto_target_ms) {
        drill_format_duration(d->rto_ms, a, sizeof a);
        drill_format_duration(d->rto_ms > d->rto_limit_ms ? d->rto_limit_ms : d->rto_target_ms,
                              b, sizeof b);
        snprintf(line, sizeof line, "RTO %s was over the %s %s: find the slowest phase and "
                 "shorten it before the next drill", a, b,
                 d->rto_ms > d->rto_limit_ms ? "RTO" : "drill target");
        item(list, "objective", line);
    }
    if (d->has_data_loss && d->data_loss_ms > d->rpo_ms) {
        drill_format_duration(d->data_loss_ms, a, sizeof a);
        drill_format_duration(d->rpo_ms, b, sizeof b);
        snprintf(line, sizeof line, "The restore would have lost %s of data, over the %s RPO: "
                 "back up more often or keep the backups nearer", a, b);
        item(list, "objective", line);
    }
    if (!d->has_data_loss && strcmp(d->status, "running") != 0)
        item(list, "objective", "The data-loss window is unknown: record the restore point "
                                "(--restore-point) or configure the audit_log check");
    if (!d->gate_run_id && strcmp(d->status, "finished") == 0)
        item(list, "objective", "No gate run is linked to this drill: the restored data was not "
                                "proven whole by it");
    for (size_t i = 0; gate && i < gate->n_results; i++) {
        const result_row *x = &gate->results[i];
        if (x->status == RESULT_PASS)
            continue;
        xmlNodePtr n = rx_child(list, "item", x->reason ? x->reason : "");
        rx_attr(n, "source", "gate");
        rx_attr(n, "check", x->check);
        rx_attr(n, "subject", x->subject);
        rx_attr(n, "status", result_status_name(x->status));
    }
}

static void add_history(xmlNodePtr root, const drill_record *d, drill_record *const *history,
                        size_t n)
{
    xmlNodePtr h = rx_child(root, "history", NULL);
    xmlNodePtr s = rx_child(h, "series", NULL);
    rx_attr(s, "name", "RTO per drill");
    rx_attr(s, "unit", "ms");
    rx_attr_int(s, "target", d->rto_target_ms);
    rx_attr_int(s, "limit", d->rto_limit_ms);
    size_t first = 0, upto = 0;
    for (size_t i = 0; i < n; i++)
        if (history[i]->id <= d->id)
            upto = i + 1;
    if (upto > HISTORY_DRILLS)
        first = upto - HISTORY_DRILLS;
    for (size_t i = first; i < upto; i++) {
        const drill_record *x = history[i];
        xmlNodePtr p = rx_child(s, "point", NULL);
        char label[32];
        snprintf(label, sizeof label, "#%lld", (long long)x->id);
        rx_attr(p, "label", label);
        rx_attr(p, "at", x->started_at);
        if (x->has_rto)
            rx_attr_int(p, "value", x->rto_ms);
        rx_attr(p, "status", report_drill_outcome(x));
        if (x->id == d->id)
            rx_attr_bool(p, "current", 1);
    }
}

/* The runs started while the drill was open, as their verdicts. */
static void add_linked(xmlNodePtr root, run_record *const *linked, size_t n)
{
    xmlNodePtr list = rx_child(root, "linked-runs", NULL);
    for (size_t i = 0; i < n; i++) {
        const run_record *r = linked[i];
        char v[1200];
        output_verdict(r, v, sizeof v);
        xmlNodePtr x = rx_child(list, "run", v);
        rx_attr_int(x, "id", r->id);
        rx_attr(x, "kind", r->kind);
        rx_attr(x, "status", r->status);
        rx_attr(x, "started", r->started_at);
        if (r->digest)
            rx_attr(x, "digest", r->digest);
    }
}

vexit report_drill_doc(const drill_record *d, const run_record *gate,
                       run_record *const *linked, size_t n_linked,
                       drill_record *const *history, size_t n_history, xmlDocPtr *out, verr *e)
{
    (void)e;
    xmlDocPtr doc = rx_new_report("drill-report");
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char line[800];
    drill_verdict(d, line, sizeof line);
    xmlNodePtr verdict = rx_child(root, "verdict", line);
    rx_attr(verdict, "outcome", report_drill_outcome(d));
    add_drill(root, d);
    add_phases(root, d);
    add_objectives(root, d);
    if (gate && strcmp(gate->kind, "baseline") != 0)
        report_gate_content(rx_child(root, "gate", NULL), gate);
    add_linked(root, linked, n_linked);
    add_follow_ups(root, d, gate);
    add_history(root, d, history, n_history);
    *out = doc;
    return VOUCH_OK;
}
