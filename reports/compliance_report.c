/* The compliance report: what the store holds for one period as a report document
 * (templates/report.rng, compliance-report). docs/reports.md says where each
 * section's figures come from. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/negctl_summary.h"
#include "reports/report.h"
#include "reports/report_parts.h"
#include "reports/xml_build.h"
#include "src/objectives.h"
#include "src/util.h"

/* Whether run r evaluated check: a check an aborted run did not evaluate says nothing of
 * how it stands, so it neither settles an earlier finding nor hides an earlier run. */
static bool ran_check(const run_record *r, const char *check)
{
    for (size_t i = 0; i < r->n_results; i++)
        if (strcmp(r->results[i].check, check) == 0 &&
            r->results[i].status != RESULT_NOT_EVALUATED)
            return true;
    return false;
}

/* The newest run of the period with results from check, or NULL. */
static const run_record *newest_with(run_record *const *runs, size_t n, const char *check)
{
    for (size_t i = n; i-- > 0;)
        if (ran_check(runs[i], check))
            return runs[i];
    return NULL;
}

/* A drill counts as held when it was carried to an end: finished, or failed. */
static bool held(const drill_record *d)
{
    return strcmp(d->status, "finished") == 0 || strcmp(d->status, "failed") == 0;
}

static bool in_window(const char *iso, int64_t from, int64_t until)
{
    int64_t ms;
    return iso && utc_parse_ms(iso, &ms) && ms >= from && ms < until;
}

typedef struct tally {
    size_t quarters_due, quarters_met, drills_held, drills_missed;
    size_t drills_unmeasured;  /* held, RTO met, data loss not measured */
} tally;

static void add_drills(xmlNodePtr root, const report_period *p, drill_record *const *drills,
                       size_t nd, tally *t)
{
    xmlNodePtr sec = rx_child(root, "drills", NULL);
    for (int64_t at = p->from_ms; at < p->until_ms;) {
        int y, q;
        int64_t qfrom, quntil;
        report_quarter_of(at, &y, &q, &qfrom, &quntil);
        int64_t from = qfrom > p->from_ms ? qfrom : p->from_ms;
        int64_t until = quntil < p->until_ms ? quntil : p->until_ms;
        size_t n = 0;
        for (size_t i = 0; i < nd; i++)
            n += held(drills[i]) && in_window(drills[i]->started_at, from, until);
        /* Only a quarter the period covers whole is judged. */
        bool whole = qfrom >= p->from_ms && quntil <= p->until_ms;
        xmlNodePtr qn = rx_child(sec, "quarter", NULL);
        char label[16], a[32], b[32];
        snprintf(label, sizeof label, "%04u-Q%u", (unsigned)y % 10000u, (unsigned)q % 10u);
        utc_format_ms(from, a, sizeof a);
        utc_format_ms(until, b, sizeof b);
        rx_attr(qn, "label", label);
        rx_attr(qn, "from", a);
        rx_attr(qn, "until", b);
        rx_attr_int(qn, "held", (int64_t)n);
        rx_attr(qn, "status", n ? "met" : whole ? "missed" : "partial");
        t->quarters_due += whole;
        t->quarters_met += whole && n;
        at = quntil;
    }
    for (size_t i = 0; i < nd; i++) {
        const drill_record *d = drills[i];
        xmlNodePtr n = rx_child(sec, "drill", NULL);
        const char *outcome = report_drill_outcome(d);
        rx_attr_int(n, "id", d->id);
        rx_attr(n, "status", d->status);
        rx_attr(n, "outcome", outcome);
        rx_attr(n, "scenario", d->scenario ? d->scenario : "");
        rx_attr(n, "operator", d->operator_name);
        rx_attr(n, "approved-by", d->approved_by);
        rx_attr(n, "drill-every", d->drill_every);
        rx_attr(n, "started", d->started_at);
        if (d->has_rto)
            rx_attr_int(n, "rto-ms", d->rto_ms);
        if (d->has_data_loss)
            rx_attr_int(n, "data-loss-ms", d->data_loss_ms < 0 ? 0 : d->data_loss_ms);
        rx_attr_int(n, "target-ms", d->rto_target_ms);
        rx_attr_int(n, "limit-ms", d->rto_limit_ms);
        rx_attr_int(n, "rpo-ms", d->rpo_ms);
        if (d->gate_run_id)
            rx_attr_int(n, "gate-run", d->gate_run_id);
        rx_attr_bool(n, "held", held(d));
        t->drills_held += held(d);
        bool partial = strcmp(outcome, "partial") == 0;
        t->drills_missed += held(d) && !partial && strcmp(outcome, "met") != 0;
        t->drills_unmeasured += held(d) && partial;
    }
    rx_attr_int(sec, "required", (int64_t)t->quarters_due);
    rx_attr_int(sec, "quarters-met", (int64_t)t->quarters_met);
    rx_attr_int(sec, "held", (int64_t)t->drills_held);
}

static void add_gates(xmlNodePtr root, run_record *const *runs, size_t n)
{
    xmlNodePtr sec = rx_child(root, "gates", NULL);
    size_t passed = 0, failed = 0, other = 0, controlled = 0, able = 0;
    for (size_t i = 0; i < n; i++) {
        const run_record *r = runs[i];
        xmlNodePtr g = rx_child(sec, "gate", NULL);
        negctl_summary nc;
        if (negctl_summarize(r, &nc)) { /* docs/negative-control.md */
            bool shown = !nc.unable && !nc.undecided;
            rx_attr(g, "negative-control", shown ? "able" : "unable");
            controlled++;
            able += shown;
            negctl_summary_release(&nc);
        }
        rx_attr_int(g, "run", r->id);
        rx_attr(g, "kind", r->kind);
        rx_attr(g, "status", r->status);
        rx_attr(g, "outcome", report_run_outcome(r));
        rx_attr(g, "started", r->started_at);
        rx_attr(g, "target", r->target ? r->target : "");
        rx_attr(g, "database", r->database);
        report_counts_attrs(g, run_record_counts(r));
        passed += strcmp(r->status, "passed") == 0;
        failed += strcmp(r->status, "failed") == 0;
        other += strcmp(r->status, "passed") != 0 && strcmp(r->status, "failed") != 0;
    }
    rx_attr_int(sec, "total", (int64_t)n);
    rx_attr_int(sec, "passed", (int64_t)passed);
    rx_attr_int(sec, "failed", (int64_t)failed);
    rx_attr_int(sec, "other", (int64_t)other);
    if (controlled) { /* only then: a period without any reads as before */
        rx_attr_int(sec, "negative-controls", (int64_t)controlled);
        rx_attr_int(sec, "negative-controls-able", (int64_t)able);
    }
}

/* How bad a status is, for a check's worst: a waived failure is worse than a warning
 * and better than a failure. */
static int severity(result_status s)
{
    switch (s) {
    case RESULT_PASS: return 0;
    case RESULT_WARN: return 1;
    case RESULT_WAIVED: return 2;
    case RESULT_FAIL: return 3;
    case RESULT_ERROR: return 4;
    case RESULT_NOT_EVALUATED: return 5;
    }
    return 5;
}

/* Every check that reported in the period, generically: how many runs, the results by
 * status, and the worst status of its newest run. */
static void add_checks(xmlNodePtr root, run_record *const *runs, size_t n)
{
    xmlNodePtr sec = rx_child(root, "checks", NULL);
    char **names = NULL;
    size_t nn = 0, cap = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < runs[i]->n_results; k++) {
            const char *c = runs[i]->results[k].check;
            size_t j = 0;
            while (j < nn && strcmp(names[j], c) != 0)
                j++;
            if (j == nn) {
                grow((void **)&names, &cap, nn + 1, sizeof *names);
                names[nn++] = runs[i]->results[k].check;
            }
        }
    for (size_t j = 0; j < nn; j++) {
        result_counts c = {0};
        size_t nruns = 0;
        int64_t latest = 0;
        result_status worst = RESULT_PASS;
        for (size_t i = 0; i < n; i++) {
            bool ran = ran_check(runs[i], names[j]);
            if (ran) {
                nruns++;
                latest = runs[i]->id;
                worst = RESULT_PASS;
            }
            for (size_t k = 0; k < runs[i]->n_results; k++) {
                const result_row *x = &runs[i]->results[k];
                if (strcmp(x->check, names[j]) != 0)
                    continue;
                report_count_one(&c, x->status); /* not evaluated too: counted, never hidden */
                if (ran && severity(x->status) > severity(worst))
                    worst = x->status;
                if (!nruns)
                    latest = runs[i]->id;
            }
        }
        if (!nruns) /* no run of the period evaluated it: never shown as passing */
            worst = RESULT_NOT_EVALUATED;
        xmlNodePtr ck = rx_child(sec, "check", NULL);
        rx_attr(ck, "name", names[j]);
        rx_attr_int(ck, "runs", (int64_t)nruns);
        rx_attr_int(ck, "latest-run", latest);
        rx_attr(ck, "latest-status", result_status_name(worst));
        report_counts_attrs(ck, c);
    }
    free(names);
}

static void add_results_of(xmlNodePtr parent, const run_record *r, const char *check)
{
    for (size_t i = 0; r && i < r->n_results; i++)
        if (strcmp(r->results[i].check, check) == 0)
            report_result(parent, &r->results[i], (int64_t)i + 1, true);
}

/* ------------------------------------------------------------- residency */

/* A month "YYYY-MM" at s (not inside a longer number) as y * 12 + m - 1, else -1. */
static int month_at(const char *s, const char *start)
{
    if (s > start && s[-1] >= '0' && s[-1] <= '9')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return -1;
    if (s[7] >= '0' && s[7] <= '9')
        return -1;
    int y = atoi(s), m = (s[5] - '0') * 10 + (s[6] - '0');
    return m >= 1 && m <= 12 ? y * 12 + m - 1 : -1;
}

typedef struct month_state {
    int month;
    const char *status;
    char regions[128];
} month_state;

typedef struct months {
    month_state *v;
    size_t n, cap;
} months;

static month_state *month_get(months *ms, int m)
{
    for (size_t i = 0; i < ms->n; i++)
        if (ms->v[i].month == m)
            return &ms->v[i];
    grow((void **)&ms->v, &ms->cap, ms->n + 1, sizeof *ms->v);
    month_state *x = &ms->v[ms->n++];
    *x = (month_state){m, "present", ""};
    return x;
}

/* Every month named in text gets status; with regions, the word after the month on
 * its line is added to the month's regions. */
static void mark_months(months *ms, const char *text, const char *status, bool regions)
{
    if (!text)
        return;
    const char *end = text + strlen(text);
    for (const char *s = text; end - s >= 7; s++) {
        int m = month_at(s, text);
        if (m < 0)
            continue;
        month_state *x = month_get(ms, m);
        x->status = status;
        const char *w = s + 7;
        while (*w && *w != ' ' && *w != '\n')
            w++;
        if (regions && *w == ' ') {
            size_t len = strcspn(w + 1, " :\n");
            size_t have = strlen(x->regions);
            if (len && have + len + 3 < sizeof x->regions)
                snprintf(x->regions + have, sizeof x->regions - have, "%s%.*s", have ? ", " : "",
                         (int)len, w + 1);
        }
        s += 6;
    }
}

static int cmp_month(const void *a, const void *b)
{
    const month_state *x = a, *y = b;
    return (x->month > y->month) - (x->month < y->month);
}

/* The month "YYYY-MM" s as y * 12 + m - 1, else -1. */
static int month_of(const char *s)
{
    return s && strlen(s) == 7 ? month_at(s, s) : -1;
}

/* The residency finding's facts (checks/residency.c records them), or NULL for a run
 * stored before results carried facts: then its texts are read, as vouch did before. */
static json_t *facts_of(const result_row *x)
{
    json_t *f = x->facts ? json_loads(x->facts, 0, NULL) : NULL;
    if (json_is_object(f))
        return f;
    json_decref(f);
    return NULL;
}

/* Every month of the array facts[key] gets status (added when new). */
static void mark_fact_months(months *ms, const json_t *facts, const char *key, const char *status)
{
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(facts, key), i, v) {
        int m = month_of(json_string_value(v));
        if (m >= 0)
            month_get(ms, m)->status = status;
    }
}

/* Month by month, as the newest residency check of the period saw the evidence: the
 * months it required (its "periods" finding), those missing, those with rows outside
 * the allowed regions, those whose rows changed since the baseline. Read from the
 * findings' facts; from their texts for a run stored before facts existed. */
static void add_residency(xmlNodePtr root, run_record *const *runs, size_t n)
{
    xmlNodePtr sec = rx_child(root, "residency", NULL);
    const run_record *r = newest_with(runs, n, "residency");
    if (!r)
        return;
    rx_attr_int(sec, "run", r->id);
    rx_attr(sec, "as-of", r->started_at);
    months ms = {0};
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (strcmp(x->check, "residency") != 0 || !x->subject || strcmp(x->subject, "periods") != 0)
            continue;
        json_t *facts = facts_of(x);
        if (facts) {
            size_t k;
            const json_t *v;
            json_array_foreach(json_object_get(facts, "months_required"), k, v) {
                int m = month_of(json_string_value(v));
                if (m >= 0)
                    month_get(&ms, m);
            }
            mark_fact_months(&ms, facts, "months_missing", "missing");
            json_decref(facts);
            continue;
        }
        /* expected: "12 months 2025-10..2026-09" */
        const char *range = x->expected ? strstr(x->expected, "..") : NULL;
        int lo = range && range - x->expected >= 7 ? month_at(range - 7, x->expected) : -1;
        int hi = range ? month_at(range + 2, x->expected) : -1;
        for (int m = lo; lo >= 0 && hi >= lo && m <= hi && m - lo < 240; m++)
            month_get(&ms, m);
        if (x->status != RESULT_PASS)
            mark_months(&ms, x->reason, "missing", false);
    }
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (strcmp(x->check, "residency") != 0 || !x->subject || x->status == RESULT_PASS)
            continue;
        json_t *facts = facts_of(x);
        if (facts && strcmp(x->subject, "regions") == 0) {
            size_t k;
            const json_t *v;
            json_array_foreach(json_object_get(facts, "outside"), k, v) {
                int m = month_of(json_string_value(json_object_get(v, "period")));
                const char *region = json_string_value(json_object_get(v, "region"));
                if (m < 0)
                    continue;
                month_state *st = month_get(&ms, m);
                st->status = "outside-region";
                size_t have = strlen(st->regions), len = region ? strlen(region) : 0;
                if (len && !strstr(st->regions, region) && have + len + 3 < sizeof st->regions)
                    snprintf(st->regions + have, sizeof st->regions - have, "%s%s",
                             have ? ", " : "", region);
            }
        } else if (facts && strcmp(x->subject, "baseline") == 0) {
            mark_fact_months(&ms, facts, "periods_changed", "changed");
        }
        if (facts) {
            json_decref(facts);
            continue;
        }
        if (strcmp(x->subject, "regions") == 0)
            mark_months(&ms, x->detail, "outside-region", true);
        else if (strcmp(x->subject, "baseline") == 0)
            mark_months(&ms, x->detail, "changed", false);
    }
    if (ms.n)
        qsort(ms.v, ms.n, sizeof *ms.v, cmp_month);
    for (size_t i = 0; i < ms.n; i++) {
        xmlNodePtr m = rx_child(sec, "month", NULL);
        char name[16];
        snprintf(name, sizeof name, "%04u-%02u", (unsigned)(ms.v[i].month / 12) % 10000u,
                 (unsigned)(ms.v[i].month % 12 + 1) % 100u);
        rx_attr(m, "period", name);
        rx_attr(m, "status", ms.v[i].status);
        if (ms.v[i].regions[0])
            rx_attr(m, "regions", ms.v[i].regions);
    }
    free(ms.v);
    add_results_of(sec, r, "residency");
}

/* ---------------------------------------------------------- open failures */

/* Whether a run after runs[i] ran check (so runs[i] no longer says how it stands). */
static bool checked_later(run_record *const *runs, size_t n, size_t i, const char *check)
{
    for (size_t j = i + 1; j < n; j++)
        if (ran_check(runs[j], check))
            return true;
    return false;
}

/* What did not pass in the newest run of each check in the period: how things stand at
 * its end. Subjects are the check's own and may differ between a failing and a passing
 * run (a lost setting is named, a whole set that is intact is not), so a later run of the
 * check settles every earlier finding of it. */
static size_t add_open_failures(xmlNodePtr root, run_record *const *runs, size_t n)
{
    xmlNodePtr sec = rx_child(root, "open-failures", NULL);
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < runs[i]->n_results; k++) {
            const result_row *x = &runs[i]->results[k];
            if (x->status == RESULT_PASS || checked_later(runs, n, i, x->check))
                continue;
            xmlNodePtr f = rx_child(sec, "failure", NULL);
            rx_attr_int(f, "run", runs[i]->id);
            rx_attr(f, "started", runs[i]->started_at);
            report_result(f, x, (int64_t)k + 1, true);
            count += x->status == RESULT_FAIL || x->status == RESULT_ERROR;
        }
    return count;
}

/* ---------------------------------------------------------------- waivers */

/* Whether two entries of runs' waivers say the same: a waiver whose reason, subject or
 * expiry changed within the period is listed once for each wording. */
static bool same_waiver(const json_t *a, const json_t *b)
{
    const char *keys[] = {"name", "check", "subject", "reason", "expires", "approved_by"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *x = json_string_value(json_object_get(a, keys[i]));
        const char *y = json_string_value(json_object_get(b, keys[i]));
        if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
            return false;
    }
    return true;
}

/* Every waiver that applied to a run of the period, once per wording: in how many runs,
 * how many failures it covered in all, and its state in the newest of them. */
static void add_waivers(xmlNodePtr root, run_record *const *runs, size_t n)
{
    json_t *seen = json_array(); /* {"w": entry, "runs": N, "total": N, "last_run": ID} */
    for (size_t i = 0; i < n; i++) {
        json_t *list = run_record_waivers(runs[i]);
        size_t k;
        json_t *w;
        json_array_foreach(list, k, w) {
            json_t *hit = NULL;
            size_t j;
            json_t *s;
            json_array_foreach(seen, j, s)
                if (!hit && same_waiver(json_object_get(s, "w"), w))
                    hit = s;
            if (!hit) {
                hit = json_pack("{s:O, s:I, s:I}", "w", w, "runs", (json_int_t)0, "total",
                                (json_int_t)0);
                json_array_append_new(seen, hit);
            }
            json_object_set(hit, "w", w); /* the newest state */
            json_object_set_new(hit, "runs",
                                json_integer(json_integer_value(json_object_get(hit, "runs")) + 1));
            json_object_set_new(hit, "total",
                                json_integer(json_integer_value(json_object_get(hit, "total")) +
                                             json_integer_value(json_object_get(w, "waived"))));
            json_object_set_new(hit, "last_run", json_integer(runs[i]->id));
        }
        json_decref(list);
    }
    xmlNodePtr sec = rx_child(root, "waivers", NULL);
    size_t j;
    json_t *s;
    json_array_foreach(seen, j, s) {
        report_waiver(sec, json_object_get(s, "w"));
        xmlNodePtr w = xmlGetLastChild(sec);
        rx_attr_int(w, "runs", json_integer_value(json_object_get(s, "runs")));
        rx_attr_int(w, "waived-in-period", json_integer_value(json_object_get(s, "total")));
        rx_attr_int(w, "latest-run", json_integer_value(json_object_get(s, "last_run")));
    }
    json_decref(seen);
}

/* ----------------------------------------------------------------- trends */

static void add_trends(xmlNodePtr root, const report_period *p, run_record *const *runs,
                       size_t n, drill_record *const *drills, size_t nd)
{
    xmlNodePtr sec = rx_child(root, "trends", NULL);
    xmlNodePtr s = rx_child(sec, "series", NULL);
    rx_attr(s, "name", "Gate pass rate per month");
    rx_attr(s, "unit", "percent");
    for (int64_t at = p->from_ms; at < p->until_ms;) {
        char label[16];
        int64_t next;
        report_month_of(at, label, &next);
        int64_t until = next < p->until_ms ? next : p->until_ms;
        size_t total = 0, passed = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(runs[i]->kind, "gate") == 0 && strcmp(runs[i]->status, "running") != 0 &&
                in_window(runs[i]->started_at, at, until)) {
                total++;
                passed += strcmp(runs[i]->status, "passed") == 0;
            }
        xmlNodePtr pt = rx_child(s, "point", NULL);
        rx_attr(pt, "label", label);
        if (total) {
            char v[32];
            snprintf(v, sizeof v, "%.1f", 100.0 * (double)passed / (double)total);
            rx_attr(pt, "value", v);
        }
        rx_attr_int(pt, "of", (int64_t)total);
        rx_attr_int(pt, "passed", (int64_t)passed);
        at = next;
    }
    s = rx_child(sec, "series", NULL);
    rx_attr(s, "name", "RTO per drill");
    rx_attr(s, "unit", "ms");
    rx_attr_int(s, "target", nd ? drills[nd - 1]->rto_target_ms : OBJECTIVE_RTO_TARGET_MS);
    rx_attr_int(s, "limit", nd ? drills[nd - 1]->rto_limit_ms : OBJECTIVE_RTO_MS);
    for (size_t i = 0; i < nd; i++) {
        xmlNodePtr pt = rx_child(s, "point", NULL);
        char label[32];
        snprintf(label, sizeof label, "#%lld", (long long)drills[i]->id);
        rx_attr(pt, "label", label);
        rx_attr(pt, "at", drills[i]->started_at);
        if (drills[i]->has_rto)
            rx_attr_int(pt, "value", drills[i]->rto_ms);
        rx_attr(pt, "status", report_drill_outcome(drills[i]));
    }
}

vexit report_period_doc(const report_period *p, run_record *const *runs, size_t n_runs,
                        drill_record *const *drills, size_t n_drills, xmlDocPtr *out, verr *e)
{
    (void)e;
    xmlDocPtr doc = rx_new_report("compliance-report");
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr verdict = rx_child(root, "verdict", NULL);
    xmlNodePtr period = rx_child(root, "period", NULL);
    char a[32], b[32];
    utc_format_ms(p->from_ms, a, sizeof a);
    utc_format_ms(p->until_ms, b, sizeof b);
    rx_attr(period, "label", p->label);
    rx_attr(period, "first-day", p->first);
    rx_attr(period, "last-day", p->last);
    rx_attr(period, "from", a);
    rx_attr(period, "until", b);

    tally t = {0};
    add_drills(root, p, drills, n_drills, &t);
    add_gates(root, runs, n_runs);
    add_checks(root, runs, n_runs);
    xmlNodePtr backups = rx_child(root, "backups", NULL);
    const run_record *br = newest_with(runs, n_runs, "backups");
    if (br) {
        rx_attr_int(backups, "run", br->id);
        rx_attr(backups, "as-of", br->started_at);
        add_results_of(backups, br, "backups");
    }
    add_residency(root, runs, n_runs);
    size_t open = add_open_failures(root, runs, n_runs);
    add_waivers(root, runs, n_runs);
    add_trends(root, p, runs, n_runs, drills, n_drills);

    /* The verdict, written last but placed first. */
    const char *outcome;
    char *text;
    size_t missed_q = t.quarters_due - t.quarters_met;
    /* A period that has not ended cannot be complete: what it holds so far is in progress. */
    char now_text[40];
    int64_t now = 0;
    utc_now(now_text, sizeof now_text);
    bool ended = !utc_parse_ms(now_text, &now) || now >= p->until_ms;
    /* Sections with nothing in them are named in the verdict, never passed over. */
    bool no_backups = !br, no_residency = !newest_with(runs, n_runs, "residency");
    char until[32];
    utc_format_ms(p->until_ms, until, sizeof until);
    until[10] = '\0';
    char *progress = ended ? xstrdup("") : xasprintf(" (in progress: the period runs until %s)", until);
    if (!n_runs && !n_drills) {
        outcome = "empty";
        text = xasprintf("Nothing recorded in %s%s: no gate or check run and no drill", p->label,
                         progress);
    } else {
        bool gaps = missed_q || open || t.drills_missed || t.drills_unmeasured || no_backups ||
                    no_residency;
        outcome = gaps ? "gaps" : ended ? "complete" : "in-progress";
        text = xasprintf("%s%s: %zu run%s, %zu drill%s held; quarters with a drill: %zu of %zu "
                         "judged; %zu open failure%s%s%s%s%s",
                         p->label, progress, n_runs, n_runs == 1 ? "" : "s", t.drills_held,
                         t.drills_held == 1 ? "" : "s", t.quarters_met, t.quarters_due, open,
                         open == 1 ? "" : "s",
                         t.drills_missed ? "; a drill missed its objectives" : "",
                         t.drills_unmeasured ? "; a drill's data loss was not measured" : "",
                         no_backups ? "; no backups evidence: no run checked backups" : "",
                         no_residency ? "; no residency evidence: no run checked residency" : "");
    }
    free(progress);
    xmlNodeSetContent(verdict, NULL);
    xmlNodeAddContent(verdict, (const xmlChar *)text);
    free(text);
    rx_attr(verdict, "outcome", outcome);
    rx_attr_int(verdict, "runs", (int64_t)n_runs);
    rx_attr_int(verdict, "drills", (int64_t)n_drills);
    rx_attr_int(verdict, "drills-held", (int64_t)t.drills_held);
    rx_attr_int(verdict, "quarters-judged", (int64_t)t.quarters_due);
    rx_attr_int(verdict, "quarters-missed", (int64_t)missed_q);
    rx_attr_int(verdict, "open-failures", (int64_t)open);
    rx_attr_bool(verdict, "period-ended", ended);
    if (no_backups || no_residency)
        rx_attr(verdict, "missing-evidence",
                no_backups && no_residency ? "backups residency" : no_backups ? "backups" : "residency");
    *out = doc;
    return VOUCH_OK;
}
