/* The gate report: one gate or check run as a report document. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "reports/report_parts.h"
#include "reports/xml_build.h"
#include "src/origin.h"
#include "src/output.h"
#include "src/negctl_summary.h"
#include "src/util.h"

void report_counts_attrs(xmlNodePtr n, result_counts c)
{
    rx_attr_int(n, "results", (int64_t)c.total);
    rx_attr_int(n, "passed", (int64_t)c.pass);
    rx_attr_int(n, "warnings", (int64_t)c.warn);
    rx_attr_int(n, "failed", (int64_t)c.fail);
    rx_attr_int(n, "errors", (int64_t)c.error);
    if (c.not_evaluated) /* only when there are: reports of runs without any read as before */
        rx_attr_int(n, "not-evaluated", (int64_t)c.not_evaluated);
    if (c.waived) /* likewise */
        rx_attr_int(n, "waived", (int64_t)c.waived);
}

void report_count_one(result_counts *c, result_status s)
{
    c->total++;
    switch (s) {
    case RESULT_PASS: c->pass++; break;
    case RESULT_WARN: c->warn++; break;
    case RESULT_FAIL: c->fail++; break;
    case RESULT_ERROR: c->error++; break;
    case RESULT_NOT_EVALUATED: c->not_evaluated++; break;
    case RESULT_WAIVED: c->waived++; break;
    }
}

const char *report_run_outcome(const run_record *r)
{
    bool gate = strcmp(r->kind, "gate") == 0;
    if (strcmp(r->status, "passed") == 0)
        return gate ? "open" : "passed";
    if (strcmp(r->status, "failed") == 0)
        return gate ? "closed" : "failed";
    if (strcmp(r->status, "running") == 0)
        return "running";
    return "aborted";
}

static void add_check(xmlNodePtr checks, const run_record *r, const char *name)
{
    result_counts c = {0};
    for (size_t i = 0; i < r->n_results; i++)
        if (strcmp(r->results[i].check, name) == 0)
            report_count_one(&c, r->results[i].status);
    xmlNodePtr ck = rx_child(checks, "check", NULL);
    rx_attr(ck, "name", name);
    report_counts_attrs(ck, c);
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (strcmp(x->check, name) != 0)
            continue;
        report_result(ck, x, (int64_t)i + 1, false);
    }
}

void report_facts(xmlNodePtr parent, const char *facts)
{
    json_t *doc = facts ? json_loads(facts, 0, NULL) : NULL;
    if (!json_is_object(doc)) {
        json_decref(doc);
        return;
    }
    xmlNodePtr list = rx_child(parent, "facts", NULL);
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v) {
        /* a number or a string as it is; anything else as compact JSON */
        char num[32];
        char *text = NULL;
        const char *shown;
        if (json_is_string(v))
            shown = json_string_value(v);
        else if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            shown = num;
        } else
            shown = text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        xmlNodePtr f = rx_child(list, "fact", shown ? shown : "");
        rx_attr(f, "name", key);
        free(text);
    }
    json_decref(doc);
}

xmlNodePtr report_result(xmlNodePtr parent, const result_row *x, int64_t seq, bool with_check)
{
    xmlNodePtr res = rx_child(parent, "result", NULL);
    rx_attr_int(res, "seq", seq);
    rx_attr(res, "status", result_status_name(x->status));
    if (x->status == RESULT_WAIVED) /* the <waivers> of the report say what it is */
        rx_attr(res, "waiver", x->waiver);
    if (with_check)
        rx_attr(res, "check", x->check);
    rx_child(res, "subject", x->subject ? x->subject : "");
    rx_child_opt(res, "expected", x->expected);
    rx_child_opt(res, "observed", x->observed);
    rx_child(res, "reason", x->reason ? x->reason : "");
    rx_child_opt(res, "detail", x->detail);
    report_facts(res, x->facts);
    return res;
}

static bool listed(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* Every check the run ran, in the order it was configured, even one without a
 * result; then any check that reported without being listed. */
static void add_checks(xmlNodePtr parent, const run_record *r)
{
    xmlNodePtr checks = rx_child(parent, "checks", NULL);
    char **names = NULL;
    size_t n = 0, cap = 0;
    char *list = xstrdup(r->checks ? r->checks : "");
    for (char *p = list, *next; p && *p; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        trim(p);
        if (*p && !listed(names, n, p)) {
            grow((void **)&names, &cap, n + 1, sizeof *names);
            names[n++] = p;
        }
    }
    for (size_t i = 0; i < r->n_results; i++)
        if (!listed(names, n, r->results[i].check)) {
            grow((void **)&names, &cap, n + 1, sizeof *names);
            names[n++] = r->results[i].check;
        }
    for (size_t i = 0; i < n; i++)
        add_check(checks, r, names[i]);
    free(names);
    free(list);
}

void report_waiver(xmlNodePtr parent, const json_t *w)
{
    const char *reason = json_string_value(json_object_get(w, "reason"));
    xmlNodePtr n = rx_child(parent, "waiver", reason ? reason : "");
    const char *attrs[][2] = {{"name", "name"},       {"check", "check"},
                              {"subject", "subject"}, {"expires", "expires"},
                              {"approved-by", "approved_by"}, {"state", "state"}};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        rx_attr(n, attrs[i][0], json_string_value(json_object_get(w, attrs[i][1])));
    rx_attr_int(n, "waived", (int64_t)json_integer_value(json_object_get(w, "waived")));
}

/* <waivers> of a run: each waiver that applied to its checks, in force or not. */
static void add_waivers(xmlNodePtr parent, const run_record *r)
{
    json_t *list = run_record_waivers(r);
    if (!list)
        return;
    xmlNodePtr sec = rx_child(parent, "waivers", NULL);
    size_t i;
    json_t *w;
    json_array_foreach(list, i, w)
        report_waiver(sec, w);
    json_decref(list);
}

/* <negative-control> of a gate that ran it (docs/negative-control.md): whether every check
 * was shown able to fail, and which were not or could not be. */
static void add_negative_control(xmlNodePtr parent, const run_record *r)
{
    negctl_summary s;
    if (!negctl_summarize(r, &s))
        return;
    char *text = negctl_summary_text(&s);
    xmlNodePtr nc = rx_child(parent, "negative-control", text);
    rx_attr(nc, "outcome", s.unable || s.undecided ? "unable" : "able");
    rx_attr_int(nc, "checks", (int64_t)s.checks);
    rx_attr(nc, "able", s.able);
    rx_attr(nc, "not-applicable", s.na);
    rx_attr(nc, "unable", s.unable);
    rx_attr(nc, "undecided", s.undecided);
    free(text);
    negctl_summary_release(&s);
}

vexit report_gate_doc(const run_record *r, xmlDocPtr *out, verr *e)
{
    *out = NULL;
    if (strcmp(r->kind, "baseline") == 0) {
        verr_set(e, VOUCH_USAGE, "run %lld is a baseline: it has no results to report",
                 (long long)r->id);
        verr_hint(e, "Give the id of a gate or check run; 'vouch runs' lists them.");
        return e->code;
    }
    xmlDocPtr doc = rx_new_report("gate-report");
    report_gate_content(xmlDocGetRootElement(doc), r);
    *out = doc;
    return VOUCH_OK;
}

void report_gate_content(xmlNodePtr root, const run_record *r)
{
    char line[512];
    output_verdict(r, line, sizeof line);
    xmlNodePtr verdict = rx_child(root, "verdict", line);
    rx_attr(verdict, "outcome", report_run_outcome(r));
    report_counts_attrs(verdict, run_record_counts(r));

    xmlNodePtr run = rx_child(root, "run", NULL);
    rx_attr_int(run, "id", r->id);
    rx_attr(run, "kind", r->kind);
    rx_attr(run, "status", r->status);
    rx_attr(run, "started", r->started_at);
    rx_attr(run, "finished", r->finished_at);
    int64_t t0, t1;
    if (utc_parse_ms(r->started_at, &t0) && utc_parse_ms(r->finished_at, &t1) && t1 >= t0)
        rx_attr_int(run, "duration-ms", t1 - t0);
    if (r->baseline_id)
        rx_attr_int(run, "baseline", r->baseline_id);
    rx_attr(run, "tool-version", r->vouch_version);
    /* what it was started with and by (absent for runs stored before they were recorded) */
    rx_attr(run, "incident-at", r->incident_at);
    rx_attr(run, "started-by", r->started_by);
    rx_attr(run, "host", r->host);
    rx_child_opt(run, "error", r->error);
    /* The CI job is the environment's text: always element text (escaped by libxml2), and a
     * link (href) only when it is a plain http(s) URL, never javascript: or markup. */
    xmlNodePtr ci = rx_child_opt(run, "ci-job", r->ci_job);
    if (ci && origin_is_link(r->ci_job))
        rx_attr(ci, "href", r->ci_job);

    xmlNodePtr target = rx_child(root, "target", r->target ? r->target : "");
    rx_attr(target, "database", r->database);

    if (r->server_version || r->system_identifier || r->snapshot_time) {
        xmlNodePtr server = rx_child(root, "server", NULL);
        rx_attr(server, "version", r->server_version);
        rx_attr(server, "system-identifier", r->system_identifier);
        rx_attr(server, "timeline", r->timeline);
        rx_attr(server, "lsn", r->lsn);
        rx_attr(server, "snapshot-time", r->snapshot_time);
    }
    if (r->digest) {
        xmlNodePtr chain = rx_child(root, "chain", NULL);
        rx_attr_int(chain, "position", r->chain_pos);
        rx_attr(chain, "digest", r->digest);
        rx_attr(chain, "previous", r->prev_digest);
    }
    add_checks(root, r);
    add_waivers(root, r);
    add_negative_control(root, r);
}
