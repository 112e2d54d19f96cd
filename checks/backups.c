/* backups: a backup inventory meets the schedule and retention policy, in the allowed
 * regions, encrypted where required, and the worst gap between restore points is
 * within the RPO. Everything is judged as of --incident-at, else the run's snapshot
 * time; schedules are wall-clock times in the policy's zone (tz_local.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/backup_inventory.h"
#include "checks/backup_policy.h"
#include "checks/backup_schedule.h"
#include "checks/checker.h"
#include "checks/tz_local.h"
#include "src/util.h"

static const conf_key backups_keys[] = {
    {"inventory", 0, "FILE",
     "The backup inventory to judge (relative paths are relative to this file)."},
    {"format", 0, "csv | pgbackrest",
     "How the inventory is written: CSV with a header row (default), or the JSON of"
     " pgbackrest info --output=json."},
    {"region", 0, "REGION",
     "The region of a pgbackrest inventory's repositories (pgBackRest does not record it)."},
    {"policy", CONF_REPEATABLE,
     "KIND CADENCE keep SPAN [regions R,...] [encrypted] [slack SPAN]",
     "One kind of backup and its schedule, retention, regions and encryption; repeatable."},
    {"timezone", 0, "ZONE", "The zone the policy's times are written in (default UTC)."},
    {"slack", 0, "SPAN", "How late a backup may be and still count (default 1h)."},
    {"rpo", 0, "SPAN",
     "The recovery point objective: the worst gap allowed between restore points."},
    {"rpo_window", 0, "SPAN", "How far back the RPO gap is judged (default 7d)."},
    {"since", 0, "TIME",
     "The inventory lists every backup from this time on (default: its oldest entry)."},
    {NULL, 0, NULL, NULL},
};

typedef struct settings {
    char *inventory;
    bool pgbackrest;
    char *region;
    char *zone;
    int64_t slack_ms;
    bool has_rpo;
    int64_t rpo_ms;
    span rpo_window;
    bool has_since;
    int64_t since_ms;
    backup_policy *policies;
    size_t n_policies, cap_policies;
} settings;

static void release(void *p)
{
    settings *s = p;
    if (!s)
        return;
    for (size_t i = 0; i < s->n_policies; i++)
        backup_policy_release(&s->policies[i]);
    free(s->policies);
    free(s->inventory);
    free(s->region);
    free(s->zone);
    free(s);
}

static char *relative_to_conf(const char *conf_path, const char *path)
{
    const char *slash = conf_path ? strrchr(conf_path, '/') : NULL;
    if (path[0] == '/' || !slash)
        return xstrdup(path);
    return xasprintf("%.*s/%s", (int)(slash - conf_path), conf_path, path);
}

static vexit span_key(const conf *c, const char *key, bool months_ok, span *out, bool *given,
                      verr *e)
{
    const conf_entry *ent = conf_get(c, "backups", key);
    if (given)
        *given = ent != NULL;
    if (ent && !span_parse(ent->value, months_ok, out))
        return conf_error(e, c, ent, "\"%s\" is not a span such as 30min, 24h or 7d", ent->value);
    return VOUCH_OK;
}

static vexit configure(const conf *c, void **out, verr *e)
{
    settings *s = xcalloc(1, sizeof *s);
    vexit rc = VOUCH_OK;
    const conf_entry *ent = conf_get(c, "backups", "inventory");
    if (!ent) {
        const conf_section *sec = conf_find_section(c, "backups");
        rc = verr_set(e, VOUCH_USAGE, "%s:%d: [backups] names no inventory: add 'inventory = FILE'",
                      c->path, sec ? sec->line : 0);
    } else {
        s->inventory = relative_to_conf(c->path, ent->value);
    }
    if (!rc && (ent = conf_get(c, "backups", "format"))) {
        if (strcmp(ent->value, "pgbackrest") == 0)
            s->pgbackrest = true;
        else if (strcmp(ent->value, "csv") != 0)
            rc = conf_error(e, c, ent, "unknown format \"%s\": use csv or pgbackrest", ent->value);
    }
    ent = conf_get(c, "backups", "region");
    s->region = xstrdup(ent ? ent->value : NULL);
    if (!rc && s->pgbackrest && !s->region)
        rc = verr_set(e, VOUCH_USAGE, "%s: [backups] format pgbackrest needs 'region =': pgBackRest"
                                      " does not record where its repository is", c->path);
    ent = conf_get(c, "backups", "timezone");
    s->zone = xstrdup(ent ? ent->value : "UTC");
    if (!rc && !tz_known(s->zone)) {
        rc = ent ? conf_error(e, c, ent, "unknown time zone \"%s\": use a name from the zone"
                                         " database such as Australia/Sydney", s->zone)
                 : verr_set(e, VOUCH_USAGE, "the zone database has no UTC: install tzdata");
    }
    span sp = {3600000, 0};
    if (!rc)
        rc = span_key(c, "slack", false, &sp, NULL, e);
    s->slack_ms = sp.ms;
    sp = (span){0, 0};
    if (!rc)
        rc = span_key(c, "rpo", false, &sp, &s->has_rpo, e);
    s->rpo_ms = sp.ms;
    s->rpo_window = (span){7 * 86400000LL, 0};
    if (!rc)
        rc = span_key(c, "rpo_window", true, &s->rpo_window, NULL, e);
    if (!rc && (ent = conf_get(c, "backups", "since"))) {
        s->has_since = true;
        if (!time_parse_iso(ent->value, &s->since_ms))
            rc = conf_error(e, c, ent, "\"%s\" is not a time with a zone such as"
                                       " 2025-09-01T00:00:00+10:00", ent->value);
    }
    for (ent = NULL; !rc && (ent = conf_next(c, "backups", "policy", ent));) {
        backup_policy p;
        char why[256];
        if (!backup_policy_parse(ent->value, &p, why, sizeof why)) {
            rc = conf_error(e, c, ent, "%s", why);
            break;
        }
        for (size_t i = 0; i < s->n_policies; i++)
            if (strcmp(s->policies[i].kind, p.kind) == 0)
                rc = conf_error(e, c, ent, "kind %s has a policy already", p.kind);
        grow((void **)&s->policies, &s->cap_policies, s->n_policies + 1, sizeof *s->policies);
        s->policies[s->n_policies++] = p;
    }
    if (!rc && !s->n_policies)
        rc = verr_set(e, VOUCH_USAGE, "%s: [backups] has no policy: add 'policy = KIND CADENCE keep"
                                      " SPAN'", c->path);
    if (rc) {
        release(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}

/* ---------------------------------------------------------------- judging */

typedef struct judge_ctx {
    check_ctx *ctx;
    const settings *s;
    const inventory *inv;
    int64_t as_of;
    int64_t coverage;    /* the inventory lists every backup from here on */
} judge_ctx;

static bool present(const judge_ctx *j, const backup_row *b)
{
    return b->taken_at <= j->as_of && !(b->has_expiry && b->expires_at <= j->as_of);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorted times of the present backups of a kind (every kind when kind is NULL). */
static int64_t *times_of(const judge_ctx *j, const char *kind, size_t *n)
{
    int64_t *v = xcalloc(j->inv->n + 1, sizeof *v);
    *n = 0;
    for (size_t i = 0; i < j->inv->n; i++)
        if (present(j, &j->inv->v[i]) && (!kind || strcmp(j->inv->v[i].kind, kind) == 0))
            v[(*n)++] = j->inv->v[i].taken_at;
    qsort(v, *n, sizeof *v, cmp_i64);
    return v;
}


#define LIST_IN_REASON 3
#define LIST_IN_DETAIL 100

static void judge_schedule(const judge_ctx *j, const backup_policy *p, const int64_t *t, size_t n,
                           int64_t slack, int64_t window_lo)
{
    char subject[96], expected[64], observed[64], when[48], from[48], to[48], d[32];
    snprintf(subject, sizeof subject, "%s schedule", p->kind);
    cadence_describe(&p->when, expected, sizeof expected);
    int64_t lo = window_lo + 1;
    /* a slot whose on-time window ends before the inventory starts proves nothing */
    if (j->coverage - slack > lo)
        lo = j->coverage - slack;
    if (n && slot_serving(&p->when, t[0], slack) > lo)
        lo = slot_serving(&p->when, t[0], slack);
    int64_t hi = j->as_of - slack;
    slot_report r;
    schedule_judge(&p->when, t, n, lo, hi, slack, &r);
    size_t bad = r.missing + r.late;
    snprintf(observed, sizeof observed, "%zu of %zu slots", r.judged - bad, r.judged);
    json_t *slots = json_pack("{s:I, s:I, s:I}", "judged", (json_int_t)r.judged, "missing",
                              (json_int_t)r.missing, "late", (json_int_t)r.late);
    if (r.judged == 0) {
        check_report(j->ctx, RESULT_WARN, subject, expected, "no slot due",
                     "no %s slot was due between the inventory's start and the as-of time",
                     p->kind);
    } else if (!bad) {
        tz_format(slot_at_or_after(&p->when, lo), from, sizeof from);
        tz_format(hi, to, sizeof to);
        check_report(j->ctx, RESULT_PASS, subject, expected, observed,
                     "every %s slot from %s up to %s was met within %s", p->kind, from, to,
                     (duration_format(slack, d, sizeof d), d));
    } else {
        textbuf reason = {0}, detail = {0};
        duration_format(slack, d, sizeof d);
        if (r.missing)
            textbuf_add(&reason, "%zu %s slot%s missing", r.missing, p->kind, r.missing == 1 ? "" : "s");
        if (r.late)
            textbuf_add(&reason, "%s%zu %s slot%s late beyond %s", r.missing ? ", " : "", r.late, p->kind,
                r.late == 1 ? "" : "s", d);
        textbuf_add(&reason, ":");
        for (size_t i = 0; i < r.n_misses; i++) {
            tz_format(r.misses[i].slot, when, sizeof when);
            char late[96] = "";
            if (r.misses[i].taken != SLOT_MISSING) {
                char by[32];
                duration_format(r.misses[i].taken - r.misses[i].slot, by, sizeof by);
                tz_format(r.misses[i].taken, to, sizeof to);
                snprintf(late, sizeof late, " taken %s (%s late)", to, by);
            }
            if (i < LIST_IN_REASON)
                textbuf_add(&reason, "%s %s%s", i ? "," : "", when, late);
            if (i < LIST_IN_DETAIL)
                textbuf_add(&detail, "%s slot %s%s\n", r.misses[i].taken == SLOT_MISSING ? "missing" : "late",
                    when, late);
        }
        if (r.n_misses > LIST_IN_REASON)
            textbuf_add(&reason, " and %zu more", r.n_misses - LIST_IN_REASON);
        if (r.n_misses > LIST_IN_DETAIL)
            textbuf_add(&detail, "... and %zu more\n", r.n_misses - LIST_IN_DETAIL);
        check_report(j->ctx, RESULT_FAIL, subject, expected, observed, "%s", reason.p);
        check_detail(j->ctx, detail.p);
        free(reason.p);
        free(detail.p);
    }
    check_fact(j->ctx, "slots", slots);
    free(r.misses);
}

static const char *name_of(const backup_row *b, char *buf, size_t size)
{
    char when[48];
    tz_format(b->taken_at, when, sizeof when);
    if (b->label)
        snprintf(buf, size, "%s (%s)", b->label, when);
    else
        snprintf(buf, size, "line %d (%s)", b->line, when);
    return buf;
}

static void judge_retention(const judge_ctx *j, const backup_policy *p, const int64_t *t, size_t n,
                            int64_t slack, int64_t window_lo)
{
    char subject[96], expected[48], observed[48], keep[32], first[48], oldest[48], d[32];
    snprintf(subject, sizeof subject, "%s retention", p->kind);
    /* the span as configured: "keep 12w" reads "keep 12w", not "keep 84d" */
    if (p->keep_text)
        snprintf(keep, sizeof keep, "%s", p->keep_text);
    else
        span_format(&p->keep, keep, sizeof keep);
    snprintf(expected, sizeof expected, "keep %s", keep);
    /* Retention the inventory itself states: an expiry shorter than the policy. */
    textbuf detail = {0};
    size_t short_kept = 0;
    const backup_row *example = NULL;
    for (size_t i = 0; i < j->inv->n; i++) {
        const backup_row *b = &j->inv->v[i];
        if (!present(j, b) || strcmp(b->kind, p->kind) != 0 || !b->has_expiry)
            continue;
        if (b->expires_at + slack >= span_after(&p->keep, b->taken_at))
            continue;
        char nm[160], until[48];
        tz_format(b->expires_at, until, sizeof until);
        duration_format(b->expires_at - b->taken_at, d, sizeof d);
        if (short_kept++ < LIST_IN_DETAIL)
            textbuf_add(&detail, "%s kept until %s (%s)\n", name_of(b, nm, sizeof nm), until, d);
        if (!example)
            example = b;
    }
    int64_t s_first = slot_at_or_after(&p->when, window_lo + 1);
    tz_format(s_first, first, sizeof first);
    bool too_young = n && slot_serving(&p->when, t[0], slack) > s_first;
    bool provable = j->coverage <= s_first;
    if (n)
        tz_format(t[0], oldest, sizeof oldest);
    if (short_kept) {
        char nm[160];
        duration_format(example->expires_at - example->taken_at, d, sizeof d);
        snprintf(observed, sizeof observed, "kept %s", d);
        check_report(j->ctx, RESULT_FAIL, subject, expected, observed,
                     "%zu %s backup%s retained shorter than %s, e.g. %s kept %s", short_kept,
                     p->kind, short_kept == 1 ? " is" : "s are", keep,
                     name_of(example, nm, sizeof nm), d);
        check_detail(j->ctx, detail.p);
    } else if (!n) {
        check_report(j->ctx, provable ? RESULT_FAIL : RESULT_WARN, subject, expected, "none",
                     "the inventory holds no %s backup", p->kind);
    } else if (too_young && provable) {
        duration_format(j->as_of - t[0], d, sizeof d);
        snprintf(observed, sizeof observed, "oldest %s", d);
        check_report(j->ctx, RESULT_FAIL, subject, expected, observed,
                     "the oldest %s backup is from %s (%s old); keep %s needs the one due %s",
                     p->kind, oldest, d, keep, first);
    } else if (too_young) {
        char start[48];
        duration_format(j->as_of - t[0], d, sizeof d);
        snprintf(observed, sizeof observed, "oldest %s", d);
        tz_format(j->coverage, start, sizeof start);
        check_report(j->ctx, RESULT_WARN, subject, expected, observed,
                     "cannot prove keep %s: the inventory starts %s, after the %s due %s; set"
                     " 'since' if it lists every backup", keep, start, p->kind, first);
    } else {
        duration_format(j->as_of - t[0], d, sizeof d);
        snprintf(observed, sizeof observed, "oldest %s", d);
        check_report(j->ctx, RESULT_PASS, subject, expected, observed,
                     "the oldest %s backup is from %s, covering keep %s", p->kind, oldest, keep);
    }
    free(detail.p);
}

static bool region_allowed(const backup_policy *p, const char *region)
{
    for (size_t i = 0; i < p->n_regions; i++)
        if (strcmp(p->regions[i], region) == 0)
            return true;
    return false;
}

/* Regions (what == 'r') or encryption (what == 'e') of every present backup of a kind. */
static void judge_placement(const judge_ctx *j, const backup_policy *p, char what)
{
    char subject[96], expected[64], observed[64];
    snprintf(subject, sizeof subject, "%s %s", p->kind, what == 'r' ? "regions" : "encryption");
    textbuf allowed = {0}, detail = {0};
    for (size_t i = 0; what == 'r' && i < p->n_regions; i++)
        textbuf_add(&allowed, "%s%s", i ? "," : "", p->regions[i]);
    if (what == 'r')
        snprintf(expected, sizeof expected, "%s", allowed.len <= 30 ? allowed.p : "allowed list");
    else
        snprintf(expected, sizeof expected, "encrypted");
    size_t seen = 0, bad = 0;
    const backup_row *example = NULL;
    for (size_t i = 0; i < j->inv->n; i++) {
        const backup_row *b = &j->inv->v[i];
        if (!present(j, b) || strcmp(b->kind, p->kind) != 0)
            continue;
        seen++;
        if (what == 'r' ? region_allowed(p, b->region) : b->encrypted)
            continue;
        char nm[160];
        if (bad++ < LIST_IN_DETAIL)
            textbuf_add(&detail, "%s %s\n", name_of(b, nm, sizeof nm),
                what == 'r' ? b->region : "not encrypted");
        if (!example)
            example = b;
    }
    if (!bad) {
        snprintf(observed, sizeof observed, "%zu of %zu", seen, seen);
        check_report(j->ctx, RESULT_PASS, subject, expected, observed,
                     what == 'r' ? "every %s backup is in %s" : "every %s backup is encrypted%s",
                     p->kind, what == 'r' ? allowed.p : "");
    } else {
        char nm[160];
        snprintf(observed, sizeof observed, "%s", what == 'r' ? example->region : "unencrypted");
        if (what == 'r')
            check_report(j->ctx, RESULT_FAIL, subject, expected, observed,
                         "%zu %s backup%s outside %s: %s in %s", bad, p->kind,
                         bad == 1 ? "" : "s", allowed.p, name_of(example, nm, sizeof nm),
                         example->region);
        else
            check_report(j->ctx, RESULT_FAIL, subject, expected, observed,
                         "%zu %s backup%s not encrypted: %s", bad, p->kind, bad == 1 ? " is" : "s are",
                         name_of(example, nm, sizeof nm));
        check_detail(j->ctx, detail.p);
    }
    free(allowed.p);
    free(detail.p);
}

static void judge_rpo(const judge_ctx *j)
{
    char expected[48], observed[48], d[32], from[48], to[48], win[32];
    size_t n;
    int64_t *t = times_of(j, NULL, &n);
    span rpo = {j->s->rpo_ms, 0};
    span_format(&rpo, d, sizeof d);
    snprintf(expected, sizeof expected, "<= %s", d);
    span_format(&j->s->rpo_window, win, sizeof win);
    int64_t lo = span_before(&j->s->rpo_window, j->as_of), a, b;
    int64_t worst = worst_gap(t, n, lo, j->as_of, &a, &b);
    if (!n || (a == 0 && b == 0)) {
        check_report(j->ctx, RESULT_FAIL, "rpo", expected, "no backup",
                     "no restore point at or before the as-of time");
        check_fact(j->ctx, "rpo_ms", json_integer(j->s->rpo_ms));
        check_fact(j->ctx, "restore_points", json_integer(0));
        free(t);
        return;
    }
    char w[32];
    duration_format(worst, w, sizeof w);
    snprintf(observed, sizeof observed, "worst %s", w);
    tz_format(a, from, sizeof from);
    tz_format(b, to, sizeof to);
    bool to_as_of = b == j->as_of;
    if (worst > j->s->rpo_ms)
        check_report(j->ctx, RESULT_FAIL, "rpo", expected, observed,
                     "%s without a restore point from %s to %s%s exceeds the RPO %s", w, from, to,
                     to_as_of ? " (the as-of time)" : "", d);
    else
        check_report(j->ctx, RESULT_PASS, "rpo", expected, observed,
                     "over the last %s the worst gap between restore points is %s (%s to %s)", win,
                     w, from, to);
    char fa[40], fb[40], fw[40];
    utc_format_ms(a, fa, sizeof fa);
    utc_format_ms(b, fb, sizeof fb);
    utc_format_ms(lo, fw, sizeof fw);
    check_fact(j->ctx, "worst_gap_ms", json_integer(worst));
    check_fact(j->ctx, "worst_gap_from", json_string(fa));
    check_fact(j->ctx, "worst_gap_to", json_string(fb));
    check_fact(j->ctx, "rpo_ms", json_integer(j->s->rpo_ms));
    check_fact(j->ctx, "window_from", json_string(fw));
    check_fact(j->ctx, "restore_points", json_integer((json_int_t)n));
    free(t);
}

/* The instant the check judges as of: --incident-at, else the snapshot's time. */
static vexit as_of_time(check_ctx *ctx, int64_t *ms, verr *e)
{
    if (check_incident_at(ctx, ms))
        return VOUCH_OK;
    const char *snap = check_db(ctx)->id.snapshot_time;
    if (!snap || !utc_parse_ms(snap, ms))
        return verr_set(e, VOUCH_FAILED, "the session has no snapshot time to judge as of");
    return VOUCH_OK;
}

static void report_inventory(const judge_ctx *j, size_t future)
{
    char observed[48], at[48], start[48];
    size_t live = 0;
    for (size_t i = 0; i < j->inv->n; i++)
        live += present(j, &j->inv->v[i]);
    snprintf(observed, sizeof observed, "%zu backups", live);
    tz_format(j->as_of, at, sizeof at);
    tz_format(j->coverage, start, sizeof start);
    /* kinds without a policy, each named once */
    textbuf detail = {0};
    const char **unknown = xcalloc(j->inv->n + 1, sizeof *unknown);
    size_t n_unknown = 0;
    for (size_t i = 0; i < j->inv->n; i++) {
        const char *kind = j->inv->v[i].kind;
        bool known = false;
        for (size_t k = 0; k < j->s->n_policies && !known; k++)
            known = strcmp(j->s->policies[k].kind, kind) == 0;
        for (size_t k = 0; k < n_unknown && !known; k++)
            known = strcmp(unknown[k], kind) == 0;
        if (known)
            continue;
        unknown[n_unknown++] = kind;
        textbuf_add(&detail, "kind %s has no policy: its backups count only as restore points\n", kind);
    }
    free(unknown);
    if (!live)
        check_report(j->ctx, RESULT_FAIL, "inventory", NULL, observed,
                     "%s lists no backup that exists as of %s", j->s->inventory, at);
    else
        check_report(j->ctx, RESULT_PASS, "inventory", NULL, observed,
                     "%zu backups live as of %s in %s, listed from %s%s", live, at,
                     j->s->inventory, start, future ? "; later entries ignored" : "");
    check_fact(j->ctx, "backups_live", json_integer((json_int_t)live));
    check_fact(j->ctx, "entries", json_integer((json_int_t)j->inv->n));
    check_fact(j->ctx, "entries_after_as_of", json_integer((json_int_t)future));
    if (detail.p)
        check_detail(j->ctx, detail.p);
    free(detail.p);
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    (void)baseline;
    settings *s = p;
    judge_ctx j = {.ctx = ctx, .s = s};
    vexit rc = as_of_time(ctx, &j.as_of, e);
    if (rc)
        return rc;
    inventory inv = {0};
    verr local;
    verr_clear(&local);
    if (s->pgbackrest ? inventory_read_pgbackrest(s->inventory, s->region, &inv, &local)
                      : inventory_read_csv(s->inventory, &inv, &local)) {
        check_report(ctx, RESULT_ERROR, "inventory", NULL, "unreadable", "%s", local.msg);
        check_detail(ctx, "Nothing in the inventory was judged: fix the file (or 'inventory =' in"
                          " the configuration) and run the check again.");
        inventory_release(&inv);
        return VOUCH_OK;
    }
    j.inv = &inv;
    size_t future = 0;
    j.coverage = INT64_MAX;
    for (size_t i = 0; i < inv.n; i++) {
        if (inv.v[i].taken_at > j.as_of)
            future++;
        else if (inv.v[i].taken_at < j.coverage)
            j.coverage = inv.v[i].taken_at;
    }
    if (s->has_since)
        j.coverage = s->since_ms;
    else if (j.coverage == INT64_MAX)
        j.coverage = j.as_of; /* an empty inventory reaches back nowhere */
    tz_scope zone;
    tz_enter(&zone, s->zone);
    report_inventory(&j, future);
    for (size_t i = 0; i < s->n_policies; i++) {
        const backup_policy *pol = &s->policies[i];
        int64_t slack = pol->has_slack ? pol->slack_ms : s->slack_ms;
        int64_t window_lo = span_before(&pol->keep, j.as_of);
        size_t n;
        int64_t *t = times_of(&j, pol->kind, &n);
        judge_schedule(&j, pol, t, n, slack, window_lo);
        judge_retention(&j, pol, t, n, slack, window_lo);
        if (pol->n_regions)
            judge_placement(&j, pol, 'r');
        if (pol->encrypted)
            judge_placement(&j, pol, 'e');
        free(t);
    }
    if (s->has_rpo)
        judge_rpo(&j);
    tz_leave(&zone);
    inventory_release(&inv);
    return VOUCH_OK;
}

/* check-config: the inventory can be read (it is judged only by a run). */
static vexit validate_target(check_ctx *ctx, const conf *c, void *p, verr *e)
{
    (void)e;
    settings *s = p;
    FILE *f = fopen(s->inventory, "r");
    if (f) {
        fclose(f);
        return VOUCH_OK;
    }
    const conf_entry *ent = conf_get(c, "backups", "inventory");
    if (ent)
        check_config_problem(ctx, c, ent, "could not open inventory \"%s\": %s", s->inventory,
                             strerror(errno));
    return VOUCH_OK;
}

const checker checker_backups = {
    .name = "backups",
    .summary = "a backup inventory meets the schedule, retention, region, encryption and RPO policy",
    .keys = backups_keys,
    .configure = configure,
    .release = release,
    .capture = NULL,
    .check = check,
    .validate_target = validate_target,
};
