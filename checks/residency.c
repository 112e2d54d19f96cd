/* residency: residency evidence exists for every required monthly period, names only
 * allowed regions, is unchanged since the baseline, and the session reached the
 * database through an allowed host. The server facts the session saw are recorded
 * as a finding of their own, as evidence for reports. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/backup_policy.h"
#include "checks/checker.h"
#include "checks/target.h"
#include "checks/residency_period.h"
#include "src/ident.h"
#include "src/util.h"

static const conf_key residency_keys[] = {
    {"table", 0, "SCHEMA.TABLE", "The table that holds the residency evidence."},
    {"period_column", 0, "COLUMN",
     "Its period: a date or timestamp in the month it attests (default period)."},
    {"region_column", 0, "COLUMN", "Its region (default region)."},
    {"hash_column", 0, "COLUMN", "The hash of the evidence document (default document_sha256)."},
    {"regions", 0, "R1,R2,...", "The regions evidence may name."},
    {"periods", 0, "N", "How many monthly periods back must be covered (default 12)."},
    {"grace", 0, "SPAN",
     "How long after a month ends its evidence is due (default 7d)."},
    {"host", CONF_REPEATABLE, "PATTERN",
     "A host the session may connect through (fnmatch pattern; a Unix socket's host is its"
     " directory); repeatable. None: the host is recorded, not judged."},
    {NULL, 0, NULL, NULL},
};

typedef struct settings {
    qname table;
    char *period_col, *region_col, *hash_col;
    char **regions;
    size_t n_regions;
    int64_t periods;
    int64_t grace_ms;
    char **hosts;
    size_t n_hosts;
} settings;

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void release(void *p)
{
    settings *s = p;
    if (!s)
        return;
    qname_release(&s->table);
    free(s->period_col);
    free(s->region_col);
    free(s->hash_col);
    free_list(s->regions, s->n_regions);
    free_list(s->hosts, s->n_hosts);
    free(s);
}

static vexit configure(const conf *c, void **out, verr *e)
{
    settings *s = xcalloc(1, sizeof *s);
    s->periods = 12;
    s->grace_ms = 7 * 86400000LL;
    vexit rc = VOUCH_OK;
    const conf_entry *ent = conf_get(c, "residency", "table");
    if (!ent)
        rc = verr_set(e, VOUCH_USAGE, "%s: [residency] names no table: add 'table ='", c->path);
    else
        rc = conf_qname(c, ent, "table", &s->table, e);
    if (!rc)
        rc = conf_ident_key(c, "residency", "period_column", "period", &s->period_col, e);
    if (!rc)
        rc = conf_ident_key(c, "residency", "region_column", "region", &s->region_col, e);
    if (!rc)
        rc = conf_ident_key(c, "residency", "hash_column", "document_sha256", &s->hash_col, e);
    if (!rc && (ent = conf_get(c, "residency", "regions"))) {
        const char *p = ent->value;
        while (*p) {
            p += strspn(p, " ,");
            size_t len = strcspn(p, " ,");
            if (!len)
                break;
            s->regions = xrealloc(s->regions, (s->n_regions + 1) * sizeof *s->regions);
            s->regions[s->n_regions++] = xstrndup(p, len);
            p += len;
        }
        if (!s->n_regions)
            rc = conf_error(e, c, ent, "no region given: list them as R1,R2");
    } else if (!rc) {
        rc = verr_set(e, VOUCH_USAGE, "%s: [residency] names no allowed region: add 'regions ='",
                      c->path);
    }
    if (!rc && (ent = conf_get(c, "residency", "periods")))
        rc = conf_int(c, ent, 1, 1200, &s->periods, e);
    if (!rc && (ent = conf_get(c, "residency", "grace"))) {
        span sp = {0, 0};
        if (!span_parse(ent->value, false, &sp))
            rc = conf_error(e, c, ent, "\"%s\" is not a span such as 7d or 36h", ent->value);
        s->grace_ms = sp.ms;
    }
    conf_seen seen = {0};
    for (ent = NULL; !rc && (ent = conf_next(c, "residency", "host", ent));) {
        if ((rc = conf_seen_add(&seen, c, ent, ent->value, e)))
            break;
        s->hosts = xrealloc(s->hosts, (s->n_hosts + 1) * sizeof *s->hosts);
        s->hosts[s->n_hosts++] = xstrdup(ent->value);
    }
    conf_seen_release(&seen);
    if (rc) {
        release(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}

/* ------------------------------------------------------------- reading */

typedef struct evidence {
    char *period;   /* "2026-09", or NULL */
    char *region;
    char *hash;
} evidence;

typedef struct evidence_set {
    evidence *v;
    size_t n, cap;
} evidence_set;

static void evidence_release(evidence_set *es)
{
    for (size_t i = 0; i < es->n; i++) {
        free(es->v[i].period);
        free(es->v[i].region);
        free(es->v[i].hash);
    }
    free(es->v);
    *es = (evidence_set){0};
}

static void evidence_add(evidence_set *es, const char *period, const char *region, const char *hash)
{
    grow((void **)&es->v, &es->cap, es->n + 1, sizeof *es->v);
    es->v[es->n++] = (evidence){xstrdup(period), xstrdup(region), xstrdup(hash)};
}

/* The period column's type decides how its month is read: a timestamptz in UTC. */
static vexit period_type(pg_session *db, const settings *s, char **type, verr *e)
{
    const char *params[] = {s->table.schema, s->table.name, s->period_col, s->region_col,
                            s->hash_col};
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT a.attname, pg_catalog.format_type(a.atttypid, NULL)"
                        " FROM pg_catalog.pg_attribute a"
                        " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0"
                        " AND NOT a.attisdropped AND a.attname IN ($3, $4, $5)",
                        5, params, e);
    if (rc)
        return rc;
    *type = NULL;
    const char *cols[] = {s->period_col, s->region_col, s->hash_col};
    for (size_t k = 0; k < 3 && !rc; k++) {
        bool found = false;
        for (int i = 0; i < PQntuples(r); i++)
            if (strcmp(PQgetvalue(r, i, 0), cols[k]) == 0) {
                found = true;
                if (k == 0)
                    *type = xstrdup(PQgetvalue(r, i, 1));
            }
        if (!found) {
            char *d = qname_display(s->table.schema, s->table.name);
            rc = verr_set(e, VOUCH_FAILED, "%s has no column %s", d, cols[k]);
            verr_hint(e, "Check [residency] table and its *_column keys in the configuration.");
            free(d);
        }
    }
    PQclear(r);
    if (!rc && strcmp(*type, "date") && strcmp(*type, "timestamp without time zone") &&
        strcmp(*type, "timestamp with time zone")) {
        rc = verr_set(e, VOUCH_FAILED, "period column %s is %s, not a date or timestamp",
                      s->period_col, *type);
    }
    if (rc) {
        free(*type);
        *type = NULL;
    }
    return rc;
}

static vexit read_evidence(check_ctx *ctx, const settings *s, evidence_set *es, verr *e)
{
    pg_session *db = check_db(ctx);
    char *type = NULL;
    vexit rc = period_type(db, s, &type, e);
    if (rc)
        return rc;
    char *qs = pg_quote_ident(db, s->table.schema), *qt = pg_quote_ident(db, s->table.name);
    char *qp = pg_quote_ident(db, s->period_col), *qr = pg_quote_ident(db, s->region_col);
    char *qh = pg_quote_ident(db, s->hash_col);
    bool tz = strcmp(type, "timestamp with time zone") == 0;
    char *sql = xasprintf("SELECT pg_catalog.to_char(%s%s, 'YYYY-MM'), %s::text, %s::text"
                          " FROM %s.%s ORDER BY 1, 2, 3",
                          qp, tz ? " AT TIME ZONE 'UTC'" : "", qr, qh, qs, qt);
    PGresult *r;
    rc = pg_query(db, &r, sql, 0, NULL, e);
    if (!rc) {
        for (int i = 0; i < PQntuples(r); i++)
            evidence_add(es, PQgetisnull(r, i, 0) ? NULL : PQgetvalue(r, i, 0),
                         PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1),
                         PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2));
        PQclear(r);
    }
    PQfreemem(qs);
    PQfreemem(qt);
    PQfreemem(qp);
    PQfreemem(qr);
    PQfreemem(qh);
    free(sql);
    free(type);
    return rc;
}

static vexit capture(check_ctx *ctx, void *p, json_t **out, verr *e)
{
    settings *s = p;
    evidence_set es = {0};
    vexit rc = read_evidence(ctx, s, &es, e);
    if (rc)
        return rc;
    json_t *rows = json_array();
    for (size_t i = 0; i < es.n; i++)
        json_array_append_new(rows, json_pack("{s:s?, s:s?, s:s?}", "period", es.v[i].period,
                                              "region", es.v[i].region, "hash", es.v[i].hash));
    evidence_release(&es);
    *out = json_pack("{s:o}", "rows", rows);
    return VOUCH_OK;
}

/* ------------------------------------------------------------- judging */

static const char *show(const char *s)
{
    return s ? s : "(null)";
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool region_allowed(const settings *s, const char *region)
{
    for (size_t i = 0; region && i < s->n_regions; i++)
        if (strcmp(s->regions[i], region) == 0)
            return true;
    return false;
}


static void report_server(check_ctx *ctx)
{
    pg_session *db = check_db(ctx);
    const pg_identity *id = &db->id;
    const char *host = PQhost(db->conn), *port = PQport(db->conn);
    char observed[64];
    /* "15.18 (Debian 15.18-0+deb12u1)": the table shows the number, the detail all of it */
    snprintf(observed, sizeof observed, "PostgreSQL %.*s", (int)strcspn(show(id->server_version), " "),
             show(id->server_version));
    check_report(ctx, RESULT_PASS, "server", NULL, observed,
                 "connected to %s port %s; PostgreSQL %s, TimeZone %s, system identifier %s",
                 show(host), show(port), show(id->server_version), show(id->timezone),
                 id->system_identifier ? id->system_identifier : "(not readable by this role)");
    textbuf d = {0};
    textbuf_add(&d, "host: %s\nport: %s\nserver address: %s\ndatabase: %s\nserver version: %s\n"
            "timezone: %s\nsystem identifier: %s\ntimeline: %s\nin recovery: %s\nsnapshot at: %s\n",
        show(host), show(port), id->server_addr ? id->server_addr : "(Unix socket)",
        show(id->database), show(id->server_version), show(id->timezone),
        show(id->system_identifier), show(id->timeline), id->in_recovery ? "yes" : "no",
        show(id->snapshot_time));
    check_detail(ctx, d.p);
    free(d.p);
}

static void judge_host(check_ctx *ctx, const settings *s)
{
    pg_session *db = check_db(ctx);
    const char *host = PQhost(db->conn);
    textbuf patterns = {0};
    bool ok = false;
    for (size_t i = 0; i < s->n_hosts; i++) {
        textbuf_add(&patterns, "%s%s", i ? " " : "", s->hosts[i]);
        ok |= host && fnmatch(s->hosts[i], host, 0) == 0;
    }
    char expected[64];
    snprintf(expected, sizeof expected, "%s", patterns.len <= 40 ? show(patterns.p) : "allowed hosts");
    if (ok)
        check_report(ctx, RESULT_PASS, "host", expected, host, "connected through %s, which %s allows",
                     host, s->n_hosts == 1 ? "the host pattern" : "a host pattern");
    else
        check_report(ctx, RESULT_FAIL, "host", expected, show(host),
                     "connected through %s, outside the allowed hosts %s: connect through an"
                     " allowed host or fix [residency] host",
                     show(host), patterns.p);
    if (!ok && patterns.len > 40)
        check_detail(ctx, patterns.p);
    free(patterns.p);
}

/* Every required month has a row in an allowed region. */
static void judge_periods(check_ctx *ctx, const settings *s, const evidence_set *es, int64_t as_of)
{
    int last = month_last_due(as_of, s->grace_ms), first = last - (int)s->periods + 1;
    char lo[16], hi[16], expected[64], observed[48];
    month_format(first, lo, sizeof lo);
    month_format(last, hi, sizeof hi);
    snprintf(expected, sizeof expected, "%lld months %s..%s", (long long)s->periods, lo, hi);
    textbuf missing = {0};
    size_t n_missing = 0;
    json_t *required = json_array(), *covered = json_array(), *absent = json_array();
    for (int m = first; m <= last; m++) {
        bool found = false;
        for (size_t i = 0; i < es->n && !found; i++) {
            int pm;
            found = es->v[i].period && month_parse(es->v[i].period, &pm) && pm == m &&
                    region_allowed(s, es->v[i].region);
        }
        char name[16];
        month_format(m, name, sizeof name);
        json_array_append_new(required, json_string(name));
        json_array_append_new(found ? covered : absent, json_string(name));
        if (!found)
            textbuf_add(&missing, "%s%s", n_missing++ ? ", " : "", name);
    }
    snprintf(observed, sizeof observed, "%lld of %lld", (long long)(s->periods - (int64_t)n_missing),
             (long long)s->periods);
    if (!n_missing)
        check_report(ctx, RESULT_PASS, "periods", expected, observed,
                     "every month from %s to %s has evidence in an allowed region", lo, hi);
    else
        check_report(ctx, RESULT_FAIL, "periods", expected, observed,
                     "no evidence in an allowed region for %s: restore or re-record the"
                     " attestation%s", missing.p, n_missing == 1 ? "" : "s");
    /* what the compliance report reads, month by month */
    check_fact(ctx, "months_required", required);
    check_fact(ctx, "months_covered", covered);
    check_fact(ctx, "months_missing", absent);
    free(missing.p);
}

static void judge_regions(check_ctx *ctx, const settings *s, const evidence_set *es)
{
    textbuf allowed = {0}, detail = {0};
    for (size_t i = 0; i < s->n_regions; i++)
        textbuf_add(&allowed, "%s%s", i ? "," : "", s->regions[i]);
    size_t bad = 0;
    const evidence *first = NULL;
    json_t *outside = json_array();
    for (size_t i = 0; i < es->n; i++) {
        if (region_allowed(s, es->v[i].region))
            continue;
        if (!first)
            first = &es->v[i];
        if (bad++ < 100) {
            textbuf_add(&detail, "%s %s\n", show(es->v[i].period), show(es->v[i].region));
            char *period = utf8_scrub(es->v[i].period ? es->v[i].period : "");
            char *region = utf8_scrub(es->v[i].region ? es->v[i].region : "");
            json_array_append_new(outside, json_pack("{s:s, s:s}", "period", period, "region", region));
            free(period);
            free(region);
        }
    }
    char expected[64], observed[48];
    snprintf(expected, sizeof expected, "%s", allowed.len <= 30 ? allowed.p : "allowed list");
    if (!bad) {
        snprintf(observed, sizeof observed, "%zu rows", es->n);
        check_report(ctx, RESULT_PASS, "regions", expected, observed,
                     "every evidence row names an allowed region (%s)", allowed.p);
    } else {
        check_report(ctx, RESULT_FAIL, "regions", expected, show(first->region),
                     "%zu evidence row%s outside %s: period %s names %s", bad,
                     bad == 1 ? " names a region" : "s name regions", allowed.p,
                     show(first->period), show(first->region));
        check_detail(ctx, detail.p);
    }
    check_fact(ctx, "rows", json_integer((json_int_t)es->n));
    check_fact(ctx, "rows_outside", json_integer((json_int_t)bad));
    check_fact(ctx, "outside", outside); /* the first 100, as the detail lists them */
    free(allowed.p);
    free(detail.p);
}

/* Every baseline row is still there with the same document hash. */
static vexit judge_baseline(check_ctx *ctx, const evidence_set *es, const json_t *baseline, verr *e)
{
    const json_t *rows = json_object_get(baseline, "rows");
    if (!json_is_array(rows))
        return verr_set(e, VOUCH_FAILED, "the baseline's residency document is malformed");
    bool *used = xcalloc(es->n + 1, sizeof *used);
    size_t changed = 0, deleted = 0, i;
    const json_t *row;
    textbuf detail = {0};
    char first[256] = "";
    json_t *periods = json_array();
    json_array_foreach(rows, i, row) {
        const char *p = json_string_value(json_object_get(row, "period"));
        const char *r = json_string_value(json_object_get(row, "region"));
        const char *h = json_string_value(json_object_get(row, "hash"));
        size_t exact = es->n, same_key = es->n;
        for (size_t k = 0; k < es->n; k++) {
            if (used[k] || !same_str(es->v[k].period, p) || !same_str(es->v[k].region, r))
                continue;
            if (same_str(es->v[k].hash, h)) {
                exact = k;
                break;
            }
            if (same_key == es->n)
                same_key = k;
        }
        char line[256];
        if (exact < es->n) {
            used[exact] = true;
            continue;
        }
        if (same_key < es->n) {
            used[same_key] = true;
            changed++;
            snprintf(line, sizeof line, "%s %s: document hash %.12s... is now %.12s...", show(p),
                     show(r), show(h), show(es->v[same_key].hash));
        } else {
            deleted++;
            snprintf(line, sizeof line, "%s %s: deleted (document hash %.12s...)", show(p), show(r),
                     show(h));
        }
        if (!first[0])
            snprintf(first, sizeof first, "%s", line);
        textbuf_add(&detail, "%s\n", line);
        char *period = utf8_scrub(p ? p : "");
        json_array_append_new(periods, json_string(period));
        free(period);
    }
    size_t added = 0;
    for (size_t k = 0; k < es->n; k++)
        added += !used[k];
    free(used);
    char expected[48], observed[48];
    size_t n_base = json_array_size(rows);
    snprintf(expected, sizeof expected, "%zu rows unchanged", n_base);
    if (!changed && !deleted) {
        snprintf(observed, sizeof observed, "%zu unchanged", n_base);
        check_report(ctx, RESULT_PASS, "baseline", expected, observed,
                     "every evidence row of the baseline is present and unchanged%s",
                     added ? "; newer rows since" : "");
    } else {
        snprintf(observed, sizeof observed, "%zu changed, %zu deleted", changed, deleted);
        check_report(ctx, RESULT_FAIL, "baseline", expected, observed,
                     "evidence changed since the baseline: %s%s", first,
                     changed + deleted > 1 ? " (and more, see detail)" : "");
        check_detail(ctx, detail.p);
    }
    check_fact(ctx, "changed", json_integer((json_int_t)changed));
    check_fact(ctx, "deleted", json_integer((json_int_t)deleted));
    check_fact(ctx, "added", json_integer((json_int_t)added));
    check_fact(ctx, "periods_changed", periods); /* changed or deleted, in baseline order */
    free(detail.p);
    return VOUCH_OK;
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    settings *s = p;
    int64_t as_of;
    if (!check_incident_at(ctx, &as_of)) {
        const char *snap = check_db(ctx)->id.snapshot_time;
        if (!snap || !utc_parse_ms(snap, &as_of))
            return verr_set(e, VOUCH_FAILED, "the session has no snapshot time to judge as of");
    }
    report_server(ctx);
    if (s->n_hosts)
        judge_host(ctx, s);
    evidence_set es = {0};
    vexit rc = read_evidence(ctx, s, &es, e);
    if (rc)
        return rc;
    judge_periods(ctx, s, &es, as_of);
    judge_regions(ctx, s, &es);
    rc = judge_baseline(ctx, &es, baseline, e);
    evidence_release(&es);
    return rc;
}

/* check-config: the objects [residency] names exist in the target. */
static const target_key target_keys[] = {
    {"table", TARGET_TABLE, NULL},
    {"period_column", TARGET_COLUMN, "period"},
    {"region_column", TARGET_COLUMN, "region"},
    {"hash_column", TARGET_COLUMN, "document_sha256"},
    {NULL, TARGET_TABLE, NULL},
};

static vexit validate_target(check_ctx *ctx, const conf *c, void *p, verr *e)
{
    (void)p;
    return target_check_keys(ctx, c, "residency", target_keys, e);
}

const checker checker_residency = {
    .name = "residency",
    .summary = "residency evidence for every required month, in allowed regions, unchanged; allowed host",
    .keys = residency_keys,
    .configure = configure,
    .release = release,
    .capture = capture,
    .check = check,
    .validate_target = validate_target,
};
