/* rls: the behavioural probe. Inside its own savepoint, within the run's
 * read-only snapshot: turn row security on, set the session settings that pick a
 * tenant, become the application role, and count the rows of the table it can
 * see, how many of them belong to another tenant, and a digest of their keys.
 * ROLLBACK TO the savepoint then undoes all three (SET LOCAL survives RELEASE, not
 * ROLLBACK TO), so no later check runs as the application role. The baseline keeps
 * the count and the digest (never a row); the gate holds the probe to them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/query.h"
#include "checks/rls.h"
#include "src/util.h"

/* The key that names a row in the visible-ids digest: the primary key's columns as one
 * row value, ROW(vouch_row.a, vouch_row.b), or the whole row when the table has none.
 * *shown says which, for the baseline. Both the caller's. */
static vexit row_key(pg_session *db, const rls_probe_conf *p, char **key, char **shown,
                     verr *e)
{
    const char *params[] = {p->table.schema, p->table.name};
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT a.attname FROM pg_catalog.pg_index i"
                        " JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
                        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                        " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
                        "  AND a.attnum = ANY (i.indkey::pg_catalog.int2[])"
                        " WHERE n.nspname = $1 AND c.relname = $2 AND i.indisprimary"
                        " ORDER BY pg_catalog.array_position(i.indkey::pg_catalog.int2[],"
                        "  a.attnum)",
                        2, params, e);
    if (rc)
        return rc;
    textbuf k = {0}, sh = {0};
    for (int i = 0; i < PQntuples(r); i++) {
        char *q = pg_quote_ident(db, PQgetvalue(r, i, 0));
        textbuf_add(&k, "%svouch_row.%s", i ? ", " : "ROW(", q);
        textbuf_add(&sh, "%s%s", i ? ", " : "", PQgetvalue(r, i, 0));
        PQfreemem(q);
    }
    PQclear(r);
    if (k.p) {
        textbuf_add(&k, ")");
        *key = k.p;
        *shown = sh.p;
    } else {
        *key = xstrdup("vouch_row");
        *shown = xstrdup("(whole row: no primary key)");
    }
    return VOUCH_OK;
}

/* "SELECT count(*), count(*) FILTER (WHERE col::text IS DISTINCT FROM $1)[, digest]
 *  FROM s.t AS vouch_row"; the digest (with key) is SHA-256 of the visible rows' keys,
 * as text sorted bytewise, joined by newlines. */
static char *count_sql(pg_session *db, const rls_probe_conf *p, const char *key)
{
    char *qs = pg_quote_ident(db, p->table.schema), *qt = pg_quote_ident(db, p->table.name);
    char *qc = pg_quote_ident(db, p->column);
    char *digest = key ? xasprintf(", pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to("
                                   "coalesce(pg_catalog.string_agg(%s::text, E'\\n' ORDER BY"
                                   " %s::text COLLATE \"C\"), ''), 'UTF8')), 'hex')",
                                   key, key)
                       : xstrdup("");
    char *sql = xasprintf("SELECT count(*), count(*) FILTER (WHERE vouch_row.%s::text IS"
                          " DISTINCT FROM $1)%s FROM %s.%s AS vouch_row",
                          qc, digest, qs, qt);
    free(digest);
    PQfreemem(qs);
    PQfreemem(qt);
    PQfreemem(qc);
    return sql;
}

static vexit count_rows(pg_session *db, const char *sql, const char *value, int64_t *all,
                        int64_t *other, char *digest, size_t digest_size, verr *e)
{
    const char *params[] = {value};
    PGresult *r;
    vexit rc = pg_query(db, &r, sql, 1, params, e);
    if (rc)
        return rc;
    if (!parse_int64(PQgetvalue(r, 0, 0), all) || !parse_int64(PQgetvalue(r, 0, 1), other))
        rc = verr_set(e, VOUCH_FAILED, "count(*) returned \"%s\"", PQgetvalue(r, 0, 0));
    else if (digest)
        snprintf(digest, digest_size, "%s", PQgetvalue(r, 0, 2));
    PQclear(r);
    return rc;
}

/* What one probe saw. */
typedef struct probe_seen {
    int64_t tenant_rows;  /* the tenant's rows, row security off */
    int64_t seen;         /* visible to the role */
    int64_t foreign;      /* of them, of other tenants */
    char ids[65];         /* digest of the visible rows' keys */
    char *key;            /* which key the digest is over, for the baseline */
} probe_seen;

/* The steps between SAVEPOINT and ROLLBACK TO. */
static vexit probe_steps(pg_session *db, const rls_probe_conf *p, probe_seen *m, verr *e)
{
    char *key = NULL;
    vexit rc = row_key(db, p, &key, &m->key, e);
    if (rc)
        return rc;
    char *plain = count_sql(db, p, NULL), *keyed = count_sql(db, p, key);
    free(key);
    int64_t all = 0, other = 0;
    /* First as the checking session (row security off): what the tenant owns. */
    rc = count_rows(db, plain, p->value, &all, &other, NULL, 0, e);
    m->tenant_rows = all - other;
    if (!rc)
        rc = query_fix_text_forms(db, e);
    if (!rc)
        rc = pg_exec(db, "SET LOCAL row_security = on", e);
    for (size_t i = 0; i < p->n_settings && !rc; i++) {
        const char *params[] = {p->names[i], p->values[i]};
        PGresult *r;
        if (!(rc = pg_query(db, &r, "SELECT pg_catalog.set_config($1, $2, true)", 2, params, e)))
            PQclear(r);
    }
    if (!rc) {
        char *qr = pg_quote_ident(db, p->role);
        char *set_role = xasprintf("SET LOCAL ROLE %s", qr);
        PQfreemem(qr);
        rc = pg_exec(db, set_role, e);
        free(set_role);
    }
    if (!rc)
        rc = count_rows(db, keyed, p->value, &m->seen, &m->foreign, m->ids, sizeof m->ids, e);
    free(plain);
    free(keyed);
    return rc;
}

/* Run the probe in its own savepoint. VOUCH_ABORTED in e when the session is gone;
 * otherwise VOUCH_OK, with step->code set (and step->msg saying why) when the probe
 * could not run. */
static vexit probe_measure(pg_session *db, const rls_probe_conf *p, probe_seen *m, verr *step,
                           verr *e)
{
    *m = (probe_seen){0};
    verr_clear(step);
    vexit rc = pg_exec(db, "SAVEPOINT vouch_rls_probe", e);
    if (rc)
        return VOUCH_ABORTED;
    vexit failed = probe_steps(db, p, m, step);
    /* Whatever happened, the role and settings end here. */
    if ((rc = pg_exec(db, "ROLLBACK TO SAVEPOINT vouch_rls_probe", e)) ||
        (rc = pg_exec(db, "RELEASE SAVEPOINT vouch_rls_probe", e)))
        return VOUCH_ABORTED;
    /* The probe ran the target's policies and functions: the session must be as it was. */
    if (pg_session_guard(db, e))
        return VOUCH_ABORTED;
    if (failed && (failed == VOUCH_ABORTED || pg_session_broken(db))) {
        *e = *step;
        return VOUCH_ABORTED;
    }
    step->code = failed;
    return VOUCH_OK;
}

vexit rls_probe_capture(check_ctx *ctx, const rls_probe_conf *p, json_t **out, verr *e)
{
    probe_seen m;
    verr step;
    vexit rc = probe_measure(check_db(ctx), p, &m, &step, e);
    if (rc) {
        free(m.key);
        return rc;
    }
    char *table = qname_display(p->table.schema, p->table.name);
    if (step.code)
        *out = json_pack("{s:s, s:s, s:s}", "role", p->role, "table", table, "error", step.msg);
    else
        *out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "role", p->role, "table", table,
                         "tenant_rows", (json_int_t)m.tenant_rows, "seen", (json_int_t)m.seen,
                         "other", (json_int_t)m.foreign, "ids", m.ids, "key", m.key);
    free(table);
    free(m.key);
    return VOUCH_OK;
}

/* The verdict of a probe without baseline counts (a baseline of an older vouch, or a
 * probe new since the baseline): what it sees now, nothing more. */
static void judge_alone(check_ctx *ctx, const rls_probe_conf *p, const char *subject,
                        const char *table, const char *expected, const char *observed,
                        const probe_seen *m, const char *missing)
{
    if (m->seen == 0 && m->tenant_rows > 0)
        check_report(ctx, RESULT_WARN, subject, expected, observed,
                     "%s sees none of the %lld rows of its tenant in %s: the policies may deny the"
                     " application its own data",
                     p->role, (long long)m->tenant_rows, table);
    else if (m->seen == 0)
        check_report(ctx, RESULT_WARN, subject, expected, observed,
                     "tenant %s=%s has no rows in %s: the probe proves nothing; pick a tenant with"
                     " data",
                     p->column, p->value, table);
    else
        check_report(ctx, RESULT_WARN, subject, expected, observed,
                     "%s sees %lld row%s of %s, all of its own tenant, but %s: take a new"
                     " baseline ('vouch baseline') to hold the probe to its counts",
                     p->role, (long long)m->seen, m->seen == 1 ? "" : "s", table, missing);
}

vexit rls_probe_run(check_ctx *ctx, const rls_probe_conf *p, const json_t *base_probes,
                    verr *e)
{
    pg_session *db = check_db(ctx);
    probe_seen m;
    verr step;
    vexit rc = probe_measure(db, p, &m, &step, e);
    if (rc) {
        free(m.key);
        return rc;
    }
    char *subject = xasprintf("probe %s as %s", p->table.name, p->role);
    char *table = qname_display(p->table.schema, p->table.name);
    char expected[64], observed[64];
    snprintf(expected, sizeof expected, "only %s=%s", p->column, p->value);
    const json_t *base = json_object_get(base_probes, p->text);
    const json_t *bseen = json_object_get(base, "seen");
    int64_t was = (int64_t)json_integer_value(bseen);
    const char *was_ids = json_string_value(json_object_get(base, "ids"));
    if (step.code) {
        check_report(ctx, RESULT_FAIL, subject, expected, "error",
                     "the probe as %s on %s could not run: %s", p->role, table, step.msg);
        check_detail(ctx, p->text);
        goto out;
    }
    snprintf(observed, sizeof observed, "%lld seen, %lld other", (long long)m.seen,
             (long long)m.foreign);
    if (m.foreign > 0)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%s sees %lld rows of other tenants in %s (%s=%s selected): the policies do"
                     " not isolate tenants; check RLS and the policies on %s",
                     p->role, (long long)m.foreign, table, p->column, p->value, table);
    else if (!base_probes)
        judge_alone(ctx, p, subject, table, expected, observed, &m,
                    "the baseline holds no probe counts (taken by an older vouch)");
    else if (!json_is_integer(bseen))
        judge_alone(ctx, p, subject, table, expected, observed, &m,
                    base ? "the probe could not run when the baseline was taken"
                         : "the probe is not in the baseline (new or changed since)");
    else if (m.seen > was)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%s sees %lld rows of %s (%s=%s), %lld at the baseline: rows it did not see"
                     " then are visible now; check the policies on %s and where the extra rows"
                     " came from",
                     p->role, (long long)m.seen, table, p->column, p->value, (long long)was,
                     table);
    else if (m.seen < was)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%s sees %lld rows of %s (%s=%s), %lld at the baseline: the application lost"
                     " its own rows, or its role or settings no longer match the data",
                     p->role, (long long)m.seen, table, p->column, p->value, (long long)was);
    else if (!was_ids || strcmp(was_ids, m.ids) != 0)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%s sees %lld rows of %s (%s=%s) as at the baseline, but not the same ones:"
                     " the digest of their keys differs; rows were swapped between tenants or"
                     " replaced",
                     p->role, (long long)m.seen, table, p->column, p->value);
    else if (m.seen == 0)
        judge_alone(ctx, p, subject, table, expected, observed, &m, "");
    else
        check_report(ctx, RESULT_PASS, subject, expected, observed,
                     "%s sees %lld row%s of %s, all of its own tenant, the same as at the"
                     " baseline",
                     p->role, (long long)m.seen, m.seen == 1 ? "" : "s", table);
    check_detail(ctx, p->text);
out:
    free(m.key);
    free(subject);
    free(table);
    return VOUCH_OK;
}
