#include "evidence/drill_record.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

void drill_phase_release(drill_phase *p)
{
    free(p->name);
    free(p->at);
    free(p->note);
}

void drill_record_free(drill_record *d)
{
    if (!d)
        return;
    free(d->scenario);
    free(d->operator_name);
    free(d->incident_at);
    free(d->started_at);
    free(d->finished_at);
    free(d->status);
    free(d->note);
    free(d->error);
    free(d->restore_cmd);
    free(d->gate_digest);
    free(d->restore_point);
    free(d->restore_point_source);
    free(d->clock);
    free(d->drill_every);
    free(d->approved_by);
    free(d->smoke_cmd);
    free(d->smoke_digest);
    free(d->vouch_version);
    free(d->host);
    free(d->prev_digest);
    free(d->digest);
    for (size_t i = 0; i < d->n_phases; i++)
        drill_phase_release(&d->phases[i]);
    free(d->phases);
    free(d);
}

static json_t *int_or_null(bool has, int64_t v)
{
    return has ? json_integer(v) : json_null();
}

char *drill_canonical(const drill_record *d)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string("vouch-drill/1"));
    json_object_set_new(doc, "id", json_integer(d->id));
    json_object_set_new(doc, "scenario", canon_str(d->scenario));
    json_object_set_new(doc, "operator", canon_str(d->operator_name));
    json_object_set_new(doc, "incident_at", canon_str(d->incident_at));
    json_object_set_new(doc, "started_at", canon_str(d->started_at));
    json_object_set_new(doc, "finished_at", canon_str(d->finished_at));
    json_object_set_new(doc, "status", canon_str(d->status));
    json_object_set_new(doc, "note", canon_str(d->note));
    json_object_set_new(doc, "error", canon_str(d->error));
    json_object_set_new(doc, "restore_cmd", canon_str(d->restore_cmd));
    json_object_set_new(doc, "restore_exit", int_or_null(d->has_restore_exit, d->restore_exit));
    json_object_set_new(doc, "gate_run_id", int_or_null(d->gate_run_id != 0, d->gate_run_id));
    json_object_set_new(doc, "gate_digest", canon_str(d->gate_digest));
    json_object_set_new(doc, "restore_point", canon_str(d->restore_point));
    json_object_set_new(doc, "restore_point_source", canon_str(d->restore_point_source));
    json_object_set_new(doc, "rto_ms", int_or_null(d->has_rto, d->rto_ms));
    json_object_set_new(doc, "data_loss_ms", int_or_null(d->has_data_loss, d->data_loss_ms));
    json_object_set_new(doc, "rto_target_ms", json_integer(d->rto_target_ms));
    json_object_set_new(doc, "rto_limit_ms", json_integer(d->rto_limit_ms));
    json_object_set_new(doc, "rpo_ms", json_integer(d->rpo_ms));
    if (d->drill_every)
        json_object_set_new(doc, "drill_every", canon_str(d->drill_every));
    if (d->approved_by)
        json_object_set_new(doc, "approved_by", canon_str(d->approved_by));
    if (d->smoke_cmd) {
        json_t *smoke = json_object();
        json_object_set_new(smoke, "command", canon_str(d->smoke_cmd));
        json_object_set_new(smoke, "exit", int_or_null(d->has_smoke_exit, d->smoke_exit));
        json_object_set_new(smoke, "ms", json_integer(d->smoke_ms));
        json_object_set_new(smoke, "output_sha256", canon_str(d->smoke_digest));
        json_object_set_new(doc, "smoke", smoke);
    }
    json_object_set_new(doc, "clock", canon_str(d->clock));
    json_object_set_new(doc, "vouch_version", canon_str(d->vouch_version));
    json_object_set_new(doc, "host", canon_str(d->host));
    json_object_set_new(doc, "pid", int_or_null(d->pid != 0, d->pid));
    json_object_set_new(doc, "chain_pos", json_integer(d->chain_pos));
    json_object_set_new(doc, "prev_digest", canon_str(d->prev_digest));
    json_t *phases = json_array();
    for (size_t i = 0; i < d->n_phases; i++) {
        const drill_phase *p = &d->phases[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", canon_str(p->name));
        json_object_set_new(o, "at", canon_str(p->at));
        json_object_set_new(o, "elapsed_ms", json_integer(p->elapsed_ms));
        json_object_set_new(o, "note", canon_str(p->note));
        json_array_append_new(phases, o);
    }
    json_object_set_new(doc, "phases", phases);
    return canonical_dump(doc, "drill");
}

void drill_digest(const drill_record *d, const char *prev, char out[DIGEST_HEX_LEN + 1])
{
    char *canon = drill_canonical(d);
    char *input = xasprintf("vouch-drill-chain/1\n%s\n%s", prev ? prev : "", canon);
    sha256_hex(input, strlen(input), out);
    free(input);
    free(canon);
}

rto_verdict drill_judge_rto(int64_t rto_ms, int64_t target_ms, int64_t limit_ms)
{
    if (rto_ms <= target_ms)
        return RTO_WITHIN_TARGET;
    return rto_ms <= limit_ms ? RTO_WITHIN_LIMIT : RTO_OVER_LIMIT;
}

static bool mentions_newest(const char *s)
{
    if (!s)
        return false;
    static const char word[] = "newest";
    size_t n = strlen(word);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && tolower((unsigned char)s[i]) == word[i])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

bool drill_restore_point_from_run(const run_record *gate, int64_t *ms)
{
    if (!gate)
        return false;
    static const char name[] = "audit_log";
    bool found = false;
    for (size_t i = 0; i < gate->n_results; i++) {
        const result_row *x = &gate->results[i];
        /* "audit_log" or one of its instances, "audit_log/NAME" */
        if (!x->check || strncmp(x->check, name, sizeof name - 1) != 0 ||
            (x->check[sizeof name - 1] && x->check[sizeof name - 1] != '/') ||
            !mentions_newest(x->subject))
            continue;
        int64_t t;
        if (time_parse_iso(x->observed, &t) && (!found || t > *ms)) {
            *ms = t;
            found = true;
        }
    }
    return found;
}

void drill_format_duration(int64_t ms, char *buf, size_t size)
{
    const char *sign = ms < 0 ? "-" : "";
    uint64_t a = ms < 0 ? (uint64_t)(-(ms + 1)) + 1 : (uint64_t)ms;
    unsigned long long s = a / 1000, h = s / 3600, m = s / 60 % 60, sec = s % 60;
    if (a < 1000) {
        snprintf(buf, size, "%s%llu ms", sign, (unsigned long long)a);
    } else if (a < 60000) {
        snprintf(buf, size, "%s%llu.%llu s", sign, sec, (unsigned long long)(a % 1000 / 100));
    } else {
        /* whole units are written short: "45 min", "1 h", "1 h 00 min 05 s" */
        char hp[32] = "", mp[32] = "", sp[32] = "";
        if (h)
            snprintf(hp, sizeof hp, "%llu h", h);
        if (m || (h && sec))
            snprintf(mp, sizeof mp, h ? " %02llu min" : "%llu min", m);
        if (sec)
            snprintf(sp, sizeof sp, " %02llu s", sec);
        snprintf(buf, size, "%s%s%s%s", sign, hp, mp, sp);
    }
}

void drill_verdict(const drill_record *d, char *buf, size_t size)
{
    char t[48], lim[48];
    if (strcmp(d->status, "running") == 0) {
        snprintf(buf, size, "drill %lld is open (%zu phase%s so far): end it with 'vouch drill finish'",
                 (long long)d->id, d->n_phases, d->n_phases == 1 ? "" : "s");
    } else if (strcmp(d->status, "finished") != 0) {
        snprintf(buf, size, "drill %lld %s: %s", (long long)d->id,
                 strcmp(d->status, "failed") == 0 ? "FAILED" : "INTERRUPTED",
                 d->error ? d->error : "no reason recorded");
    } else if (d->has_rto) {
        drill_format_duration(d->rto_ms, t, sizeof t);
        rto_verdict v = drill_judge_rto(d->rto_ms, d->rto_target_ms, d->rto_limit_ms);
        drill_format_duration(v == RTO_WITHIN_TARGET ? d->rto_target_ms : d->rto_limit_ms, lim, sizeof lim);
        /* Both objectives are named: one not measured is said so, never passed over. */
        char loss[160], l[48], rpo[48];
        drill_format_duration(d->rpo_ms, rpo, sizeof rpo);
        if (!d->has_data_loss) {
            snprintf(loss, sizeof loss, "data loss NOT MEASURED (no restore point)");
        } else {
            drill_format_duration(d->data_loss_ms < 0 ? 0 : d->data_loss_ms, l, sizeof l);
            snprintf(loss, sizeof loss, "data loss %s, %s the %s RPO", l,
                     d->data_loss_ms <= d->rpo_ms ? "within" : "OVER", rpo);
        }
        snprintf(buf, size, "drill %lld finished: RTO %s, %s %s %s; %s", (long long)d->id, t,
                 v == RTO_WITHIN_TARGET ? "within the" : v == RTO_WITHIN_LIMIT
                     ? "over the drill target, within the" : "OVER the",
                 lim, v == RTO_WITHIN_TARGET ? "drill target" : "RTO", loss);
    } else {
        snprintf(buf, size, "drill %lld finished", (long long)d->id);
    }
}
