#include "src/cli/drill_output.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "src/output.h"
#include "src/utf8.h"
#include "src/util.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void dur(int64_t ms, char *buf, size_t size)
{
    drill_format_duration(ms, buf, size);
}

static bool ended_well(const drill_record *d)
{
    return strcmp(d->status, "finished") == 0;
}

static void judged(FILE *f, bool color, bool pass, const char *what)
{
    if (color)
        fprintf(f, "             %s%-4s%s  %s\n", pass ? GREEN : RED, pass ? "pass" : "FAIL", RESET,
                what);
    else
        fprintf(f, "             %-4s  %s\n", pass ? "pass" : "FAIL", what);
}

static void timeline(FILE *f, const drill_record *d)
{
    int w = (int)strlen("drill finished");
    for (size_t i = 0; i < d->n_phases; i++)
        if ((int)strlen(d->phases[i].name) > w)
            w = (int)strlen(d->phases[i].name);
    char el[48], step[48];
    fprintf(f, "\n  %-*s  %-24s  %-14s  %s\n", w, "PHASE", "AT (UTC)", "ELAPSED", "STEP");
    fprintf(f, "  %-*s  %-24s  %-14s  %s\n", w, "drill started", d->started_at, "0 ms", "");
    int64_t prev = 0;
    for (size_t i = 0; i < d->n_phases; i++) {
        const drill_phase *p = &d->phases[i];
        dur(p->elapsed_ms, el, sizeof el);
        dur(p->elapsed_ms - prev, step, sizeof step);
        prev = p->elapsed_ms;
        fprintf(f, "  %-*s  %-24s  %-14s  %s%s%s\n", w, p->name, p->at, el, step,
                p->note ? "  — " : "", p->note ? p->note : "");
    }
    int64_t t0, t1;
    if (d->finished_at && utc_parse_ms(d->started_at, &t0) && utc_parse_ms(d->finished_at, &t1)) {
        /* The stored RTO is the measured one (monotonic in drill run); stamps give the rest. */
        int64_t end = d->has_rto ? d->rto_ms : t1 - t0;
        dur(end, el, sizeof el);
        dur(end - prev, step, sizeof step);
        fprintf(f, "  %-*s  %-24s  %-14s  %s\n", w, "drill finished", d->finished_at, el, step);
    }
}

/* A copy of d whose texts are safe to show on a terminal (src/utf8.h): a scenario, a note,
 * a phase name or an error can neither repaint the screen nor forge a line. Only the
 * fields a writer for people prints; free with drill_record_free. */
static drill_record *shown_copy(const drill_record *d)
{
    drill_record *c = xcalloc(1, sizeof *c);
    *c = *d;
    char **texts[] = {&c->scenario, &c->operator_name, &c->incident_at, &c->started_at,
                      &c->finished_at, &c->status, &c->note, &c->error, &c->restore_cmd,
                      &c->restore_point, &c->restore_point_source, &c->clock,
                      &c->drill_every, &c->approved_by, &c->smoke_cmd};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        *texts[i] = utf8_show(*texts[i], 0);
    c->gate_digest = c->vouch_version = c->host = c->prev_digest = c->digest = NULL;
    c->smoke_digest = xstrdup(d->smoke_digest);  /* hex: safe as it is */
    c->phases = c->n_phases ? xcalloc(d->n_phases, sizeof *c->phases) : NULL;
    for (size_t i = 0; i < d->n_phases; i++) {
        c->phases[i] = d->phases[i];
        c->phases[i].name = utf8_show(d->phases[i].name, 0);
        c->phases[i].at = utf8_show(d->phases[i].at, 0);
        c->phases[i].note = utf8_show(d->phases[i].note, 0);
    }
    return c;
}

static vexit write_human_shown(FILE *f, const drill_record *d, const run_record *gate,
                               bool color, verr *e);

vexit drill_write_human(FILE *f, const drill_record *d, const run_record *gate, bool color,
                        verr *e)
{
    drill_record *c = shown_copy(d);
    vexit rc = write_human_shown(f, c, gate, color, e);
    drill_record_free(c);
    return rc;
}

static vexit write_human_shown(FILE *f, const drill_record *d, const run_record *gate,
                               bool color, verr *e)
{
    char a[48], b[48];
    fprintf(f, "%sdrill %lld: %s%s\n", color ? BOLD : "", (long long)d->id, d->scenario,
            color ? RESET : "");
    fprintf(f, "  operator   %s\n", d->operator_name);
    if (d->approved_by)
        fprintf(f, "  approved   %s (reopening)\n", d->approved_by);
    fprintf(f, "  incident   %s\n", d->incident_at);
    fprintf(f, "  started    %s  (the outage is declared: the RTO clock starts)\n", d->started_at);
    if (d->restore_cmd) {
        fprintf(f, "  restore    %s", d->restore_cmd);
        if (d->has_restore_exit)
            fprintf(f, "  (exit status %lld)", (long long)d->restore_exit);
        fputc('\n', f);
    }
    if (d->smoke_cmd) {
        fprintf(f, "  smoke      %s", d->smoke_cmd);
        if (d->has_smoke_exit) {
            dur(d->smoke_ms, a, sizeof a);
            fprintf(f, "  (exit status %lld, %s)", (long long)d->smoke_exit, a);
        }
        fputc('\n', f);
        if (d->smoke_digest && *d->smoke_digest)
            fprintf(f, "             output sha256 %s\n", d->smoke_digest);
    }
    if (d->note)
        fprintf(f, "  note       %s\n", d->note);
    timeline(f, d);
    fputc('\n', f);

    if (gate) {
        char v[1200];
        output_verdict(gate, v, sizeof v);
        char *sv = utf8_show(v, 0);
        fprintf(f, "  gate       run %lld: %s\n", (long long)gate->id, sv);
        free(sv);
    } else if (d->gate_run_id) {
        fprintf(f, "  gate       run %lld\n", (long long)d->gate_run_id);
    }

    dur(d->rto_target_ms, a, sizeof a);
    dur(d->rto_limit_ms, b, sizeof b);
    char *target = xasprintf("drill target %s", a), *limit = xasprintf("RTO %s", b);
    if (d->has_rto) {
        char t[48];
        dur(d->rto_ms, t, sizeof t);
        fprintf(f, "  RTO        %s from the drill's start to service restored (%s clock)\n", t,
                or_dash(d->clock));
        judged(f, color, d->rto_ms <= d->rto_target_ms, target);
        judged(f, color, d->rto_ms <= d->rto_limit_ms, limit);
    } else if (strcmp(d->status, "running") == 0) {
        fprintf(f, "  RTO        not yet: the drill is open\n");
    } else {
        int64_t t0, t1;
        bool known = utc_parse_ms(d->started_at, &t0) && utc_parse_ms(d->finished_at, &t1);
        if (known)
            dur(t1 - t0, a, sizeof a);
        fprintf(f, "  RTO        not achieved: the drill %s after %s without restoring service\n",
                d->status, known ? a : "an unknown time");
        judged(f, color, false, target);
        judged(f, color, false, limit);
    }
    free(target);
    free(limit);

    dur(d->rpo_ms, a, sizeof a);
    char *rpo = xasprintf("RPO %s", a);
    if (d->has_data_loss) {
        dur(d->data_loss_ms < 0 ? 0 : d->data_loss_ms, b, sizeof b);
        fprintf(f, "  data loss  %s: from the restored data's newest, %s (%s), to the incident\n",
                b, d->restore_point, strcmp(or_dash(d->restore_point_source), "audit_log") == 0
                    ? "audit_log's newest event" : "given by the operator");
        judged(f, color, d->data_loss_ms <= d->rpo_ms, rpo);
    } else if (strcmp(d->status, "running") != 0) {
        fprintf(f, "  data loss  unknown: no restore point (give --restore-point, or configure"
                   " [audit_log])\n");
    }
    free(rpo);
    if (d->drill_every)
        fprintf(f, "  cadence    a drill due %s%s ([objectives] drill_every)\n",
                strcmp(d->drill_every, "quarterly") == 0 ? "" : "every ", d->drill_every);

    char verdict[1400];
    drill_verdict(d, verdict, sizeof verdict);
    bool good = ended_well(d) && (!d->has_rto || d->rto_ms <= d->rto_limit_ms);
    bool open = strcmp(d->status, "running") == 0;
    if (color)
        fprintf(f, "\n%s%s%s%s\n", BOLD, open ? YELLOW : good ? GREEN : RED, verdict, RESET);
    else
        fprintf(f, "\n%s\n", verdict);
    if (ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the output");
    return VOUCH_OK;
}

static json_t *str(const char *s)
{
    return output_json_text(s);
}

static json_t *opt_int(bool has, int64_t v)
{
    return has ? json_integer(v) : json_null();
}

static json_t *drill_json(const drill_record *d, const run_record *gate)
{
    json_t *phases = json_array();
    for (size_t i = 0; i < d->n_phases; i++)
        json_array_append_new(phases, json_pack("{s:o, s:o, s:I, s:o}", "name",
                                                str(d->phases[i].name), "at", str(d->phases[i].at),
                                                "elapsed_ms", (json_int_t)d->phases[i].elapsed_ms,
                                                "note", str(d->phases[i].note)));
    json_t *rto = json_pack("{s:o, s:I, s:I, s:o, s:o, s:o}", "ms", opt_int(d->has_rto, d->rto_ms),
                            "target_ms", (json_int_t)d->rto_target_ms, "limit_ms",
                            (json_int_t)d->rto_limit_ms, "within_target",
                            d->has_rto ? json_boolean(d->rto_ms <= d->rto_target_ms) : json_null(),
                            "within_limit",
                            d->has_rto ? json_boolean(d->rto_ms <= d->rto_limit_ms) : json_null(),
                            "clock", str(d->clock));
    json_t *loss = json_pack("{s:o, s:I, s:o, s:o, s:o}", "ms",
                             opt_int(d->has_data_loss, d->data_loss_ms), "rpo_ms",
                             (json_int_t)d->rpo_ms, "within_rpo",
                             d->has_data_loss ? json_boolean(d->data_loss_ms <= d->rpo_ms)
                                              : json_null(),
                             "restore_point", str(d->restore_point), "source",
                             str(d->restore_point_source));
    json_t *g = json_null();
    if (d->gate_run_id)
        g = json_pack("{s:I, s:o, s:o}", "run", (json_int_t)d->gate_run_id, "status",
                      gate ? str(gate->status) : json_null(), "digest", str(d->gate_digest));
    json_t *restore = json_null();
    if (d->restore_cmd)
        restore = json_pack("{s:o, s:o}", "command", str(d->restore_cmd), "exit_status",
                            opt_int(d->has_restore_exit, d->restore_exit));
    char verdict[1400];
    drill_verdict(d, verdict, sizeof verdict);
    json_t *doc = json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
                     " s:o, s:o, s:o, s:o}",
                     "format", "vouch-drill/1", "drill", (json_int_t)d->id, "scenario",
                     str(d->scenario), "operator", str(d->operator_name), "status", str(d->status),
                     "incident_at", str(d->incident_at), "started_at", str(d->started_at),
                     "finished_at", str(d->finished_at), "note", str(d->note), "error",
                     str(d->error), "restore", restore, "phases", phases, "gate", g, "rto", rto,
                     "data_loss", loss, "chain_pos", opt_int(d->chain_pos != 0, d->chain_pos),
                     "digest", str(d->digest), "verdict", str(verdict));
    json_object_set_new(doc, "approved_by", str(d->approved_by));
    json_object_set_new(doc, "drill_every", str(d->drill_every));
    json_t *smoke = json_null();
    if (d->smoke_cmd)
        smoke = json_pack("{s:o, s:o, s:I, s:o}", "command", str(d->smoke_cmd), "exit_status",
                          opt_int(d->has_smoke_exit, d->smoke_exit), "ms",
                          (json_int_t)d->smoke_ms, "output_sha256", str(d->smoke_digest));
    json_object_set_new(doc, "smoke", smoke);
    return doc;
}

static vexit dump(FILE *f, json_t *doc, verr *e)
{
    if (!doc)
        return verr_set(e, VOUCH_ABORTED, "could not build the JSON output");
    int rc = json_dumpf(doc, f, JSON_INDENT(2));
    json_decref(doc);
    fputc('\n', f);
    if (rc != 0 || ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the JSON output");
    return VOUCH_OK;
}

vexit drill_write_json(FILE *f, const drill_record *d, const run_record *gate, verr *e)
{
    return dump(f, drill_json(d, gate), e);
}

vexit drill_write_list(FILE *f, drill_record *const *ds, size_t n, bool json, verr *e)
{
    if (json) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, drill_json(ds[i], NULL));
        return dump(f, list, e);
    }
    if (n)
        fprintf(f, "%-6s %-12s %-24s %-16s %-16s %-5s %s\n", "DRILL", "STATUS", "STARTED", "RTO",
                "DATA LOSS", "GATE", "SCENARIO");
    for (size_t i = 0; i < n; i++) {
        drill_record *d = shown_copy(ds[i]);
        char rto[48] = "-", loss[48] = "unknown", gate[24] = "-";
        if (d->has_rto)
            dur(d->rto_ms, rto, sizeof rto);
        if (d->has_data_loss)
            dur(d->data_loss_ms < 0 ? 0 : d->data_loss_ms, loss, sizeof loss);
        if (d->gate_run_id)
            snprintf(gate, sizeof gate, "%lld", (long long)d->gate_run_id);
        fprintf(f, "%-6lld %-12s %-24s %-16s %-16s %-5s %s%s%s\n", (long long)d->id, d->status,
                d->started_at, rto, loss, gate, d->scenario, d->error ? "  — " : "",
                d->error ? d->error : "");
        drill_record_free(d);
    }
    if (ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the output");
    return VOUCH_OK;
}
