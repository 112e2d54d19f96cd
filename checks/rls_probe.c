/* rls: the behavioural probe. Inside its own savepoint, within the run's
 * read-only snapshot: turn row security on, set the session settings that pick a
 * tenant, become the application role, and count the rows of the table it can
 * see and how many of them belong to another tenant. ROLLBACK TO the savepoint
 * then undoes all three (SET LOCAL survives RELEASE, not ROLLBACK TO), so no
 * later check runs as the application role. */
#include <stdlib.h>
#include <string.h>

#include "checks/rls.h"
#include "src/util.h"

/* "SELECT count(*), count(*) FILTER (WHERE col::text IS DISTINCT FROM $1) FROM s.t" */
static char *count_sql(pg_session *db, const rls_probe_conf *p)
{
    char *qs = pg_quote_ident(db, p->table.schema), *qt = pg_quote_ident(db, p->table.name);
    char *qc = pg_quote_ident(db, p->column);
    char *sql = xasprintf("SELECT count(*), count(*) FILTER (WHERE %s::text IS DISTINCT FROM $1)"
                          " FROM %s.%s", qc, qs, qt);
    PQfreemem(qs);
    PQfreemem(qt);
    PQfreemem(qc);
    return sql;
}

static vexit count_rows(pg_session *db, const char *sql, const char *value, int64_t *all,
                        int64_t *other, verr *e)
{
    const char *params[] = {value};
    PGresult *r;
    vexit rc = pg_query(db, &r, sql, 1, params, e);
    if (rc)
        return rc;
    if (!parse_int64(PQgetvalue(r, 0, 0), all) || !parse_int64(PQgetvalue(r, 0, 1), other))
        rc = verr_set(e, VOUCH_FAILED, "count(*) returned \"%s\"", PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

/* The steps between SAVEPOINT and ROLLBACK TO. */
static vexit probe_steps(pg_session *db, const rls_probe_conf *p, int64_t *tenant_rows,
                         int64_t *seen, int64_t *foreign, verr *e)
{
    char *sql = count_sql(db, p);
    int64_t all = 0, other = 0;
    /* First as the checking session (row security off): what the tenant owns. */
    vexit rc = count_rows(db, sql, p->value, &all, &other, e);
    *tenant_rows = all - other;
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
        rc = count_rows(db, sql, p->value, seen, foreign, e);
    free(sql);
    return rc;
}

vexit rls_probe_run(check_ctx *ctx, const rls_probe_conf *p, verr *e)
{
    pg_session *db = check_db(ctx);
    char *subject = xasprintf("probe %s as %s", p->table.name, p->role);
    char *table = qname_display(p->table.schema, p->table.name);
    char expected[64], observed[64];
    snprintf(expected, sizeof expected, "only %s=%s", p->column, p->value);
    vexit rc = pg_exec(db, "SAVEPOINT vouch_rls_probe", e);
    if (rc)
        goto out;
    int64_t tenant_rows = 0, seen = 0, foreign = 0;
    verr step;
    verr_clear(&step);
    vexit failed = probe_steps(db, p, &tenant_rows, &seen, &foreign, &step);
    /* Whatever happened, the role and settings end here. */
    if ((rc = pg_exec(db, "ROLLBACK TO SAVEPOINT vouch_rls_probe", e)) ||
        (rc = pg_exec(db, "RELEASE SAVEPOINT vouch_rls_probe", e)))
        goto out;
    if (failed) {
        if (failed == VOUCH_ABORTED || pg_session_broken(db)) {
            *e = step;
            rc = VOUCH_ABORTED;
            goto out;
        }
        check_report(ctx, RESULT_FAIL, subject, expected, "error",
                     "the probe as %s on %s could not run: %s", p->role, table, step.msg);
        check_detail(ctx, p->text);
        goto out;
    }
    snprintf(observed, sizeof observed, "%lld seen, %lld other", (long long)seen,
             (long long)foreign);
    if (foreign > 0)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%s sees %lld rows of other tenants in %s (%s=%s selected): the policies do"
                     " not isolate tenants; check RLS and the policies on %s",
                     p->role, (long long)foreign, table, p->column, p->value, table);
    else if (seen == 0 && tenant_rows > 0)
        check_report(ctx, RESULT_WARN, subject, expected, observed,
                     "%s sees none of the %lld rows of its tenant in %s: the policies may deny the"
                     " application its own data",
                     p->role, (long long)tenant_rows, table);
    else if (seen == 0)
        check_report(ctx, RESULT_WARN, subject, expected, observed,
                     "tenant %s=%s has no rows in %s: the probe proves nothing; pick a tenant with"
                     " data",
                     p->column, p->value, table);
    else
        check_report(ctx, RESULT_PASS, subject, expected, observed,
                     "%s sees %lld row%s of %s, all of its own tenant", p->role, (long long)seen,
                     seen == 1 ? "" : "s", table);
    check_detail(ctx, p->text);
out:
    free(subject);
    free(table);
    return rc;
}
