/* 'vouch store init' and 'vouch store copy' (evidence/store/postgres.h). */
#include "evidence/store/postgres.h"

#include <stdlib.h>
#include <string.h>

#include "evidence/store/drill.h"
#include "evidence/store/postgres_internal.h"
#include "src/util.h"

char *store_pg_script(void) { return pg_schema_script(); }

static bool is_pg_url(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

vexit store_pg_init(const char *url, FILE *out, verr *e)
{
    if (!url || !is_pg_url(url))
        return verr_set(e, VOUCH_USAGE, "store init makes a PostgreSQL store: give --url"
                        " postgresql://... (a SQLite store is made by its first baseline)");
    pg_store *st;
    vexit rc = pg_connect(&st, url, e);
    if (rc)
        return rc;
    /* Every text vouch stores is UTF-8, and is read back byte for byte for its digest. */
    PGresult *r;
    if ((rc = pgq(st, &r, "SELECT pg_encoding_to_char(encoding) FROM pg_database"
                          " WHERE datname = current_database()", NULL, "read its encoding", e))) {
        store_close(&st->base);
        return rc;
    }
    bool utf8 = strcmp(PQgetvalue(r, 0, 0), "UTF8") == 0;
    if (!utf8)
        verr_set(e, VOUCH_USAGE, "store \"%s\": the database's encoding is %s; a vouch store"
                 " needs UTF8 (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0)",
                 st->shown, PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!utf8) {
        store_close(&st->base);
        return e->code;
    }
    char *sql = pg_schema_script();
    if (!(rc = pgx(st, PG_BEGIN, "begin a transaction", e)) &&
        !(rc = pgx(st, sql, "create the vouch schema", e)))
        rc = pgx(st, "COMMIT", "commit the vouch schema", e);
    if (rc) {
        pg_rollback(st);
        if (e->hint[0]) /* a privilege: not a runner's, the owner's */
            verr_hint(e, "store init runs as the role that is to own the store (it may CREATE in"
                         " the database, and CREATE ROLE unless vouch_writer and vouch_reader"
                         " exist); or give the SQL of 'vouch store init --print' to a DBA.");
    } else {
        fprintf(out, "store %s: vouch schema %d ready; roles vouch_writer (runners: INSERT and"
                     " the sealing functions) and vouch_reader (reports, packs: SELECT)\n",
                st->shown, PG_SCHEMA_VERSION);
    }
    free(sql);
    store_close(&st->base);
    return rc;
}

/* A run as it began, with its id: the first half of what a runner does. */
static vexit copy_run_start(pg_store *st, const run_record *r, verr *e)
{
    pg_params p = {0};
    pgp_int(&p, r->id);
    pgp_raw(&p, r->kind);
    pgp_raw(&p, r->started_at);
    pgp_raw(&p, r->target);
    pgp_opt(&p, r->baseline_id != 0, r->baseline_id);
    pgp_raw(&p, r->checks);
    pgp_raw(&p, r->vouch_version);
    pgp_raw(&p, r->host ? r->host : "");
    pgp_int(&p, r->pid);
    pgp_raw(&p, r->incident_at);
    pgp_raw(&p, r->started_by);
    pgp_raw(&p, r->ci_job);
    pgp_opt(&p, r->drill_id != 0, r->drill_id);
    pgp_raw(&p, r->target_name);
    return pgq(st, NULL,
               "INSERT INTO vouch.runs (id, kind, status, started_at, target, baseline_id, checks,"
               " vouch_version, host, pid, incident_at, started_by, ci_job, drill_id, target_name)"
               " VALUES ($1, $2, 'running', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
               &p, "copy a run", e);
}

static vexit copy_parts(store *from, pg_store *to, const run_record *r, verr *e)
{
    vexit rc = VOUCH_OK;
    for (size_t i = 0; !rc && i < r->n_baselines; i++) {
        if (!r->baselines[i].n_parts)
            continue;
        store_parts *parts;
        if ((rc = store_parts_open(from, r->id, r->baselines[i].check, &parts, e)))
            return rc;
        char *content;
        for (int64_t seq = 1; !rc && !(rc = store_parts_next(parts, &content, e)) && content;
             seq++) {
            pg_params p = {0};
            pgp_int(&p, r->id);
            pgp_raw(&p, r->baselines[i].check);
            pgp_int(&p, seq);
            pgp_raw(&p, content);
            rc = pgq(to, NULL,
                     "INSERT INTO vouch.baseline_parts (run_id, check_name, seq, content)"
                     " VALUES ($1, $2, $3, $4)",
                     &p, "copy a part of a baseline", e);
            free(content);
        }
        store_parts_close(parts);
    }
    return rc;
}

static vexit copy_drill(pg_store *st, const drill_record *d, verr *e)
{
    pg_params p = {0};
    pgp_int(&p, d->id);
    pgp_raw(&p, d->scenario);
    pgp_raw(&p, d->operator_name);
    pgp_raw(&p, d->incident_at);
    pgp_raw(&p, d->started_at);
    pgp_raw(&p, d->restore_cmd);
    pgp_int(&p, d->rto_target_ms);
    pgp_int(&p, d->rto_limit_ms);
    pgp_int(&p, d->rpo_ms);
    pgp_raw(&p, d->vouch_version);
    pgp_raw(&p, d->host ? d->host : "");
    pgp_opt(&p, d->pid != 0, d->pid);
    pgp_raw(&p, d->drill_every);
    vexit rc = pgq(st, NULL,
                   "INSERT INTO vouch.drills (id, scenario, operator, incident_at, started_at,"
                   " status, restore_cmd, rto_target_ms, rto_limit_ms, rpo_ms, vouch_version,"
                   " host, pid, drill_every)"
                   " VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $8, $9, $10, $11, $12, $13)",
                   &p, "copy a drill", e);
    for (size_t i = 0; !rc && i < d->n_phases; i++) {
        pg_params q = {0};
        pgp_int(&q, d->id);
        pgp_int(&q, (int64_t)i + 1);
        pgp_raw(&q, d->phases[i].name);
        pgp_raw(&q, d->phases[i].at);
        pgp_int(&q, d->phases[i].elapsed_ms);
        pgp_raw(&q, d->phases[i].note);
        rc = pgq(st, NULL,
                 "INSERT INTO vouch.drill_phases (drill_id, seq, name, at, elapsed_ms, note)"
                 " VALUES ($1, $2, $3, $4, $5, $6)",
                 &q, "copy a drill phase", e);
    }
    return rc;
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Replays the source's history as its runners wrote it: every run begun (with its id),
 * its rows added, then each sealed run sealed in chain order with the digest it has, and
 * the drills likewise. The sealing functions give each the next position and link it to
 * the one before, so a position or link that came out different stops the copy. */
static vexit replay(store *from, pg_store *to, int64_t *n_runs, int64_t *n_drills,
                    int64_t *n_approvals, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = store_list_runs(from, 0, NULL, &ids, &n, e);
    if (rc)
        return rc;
    if (n)
        qsort(ids, n, sizeof *ids, by_value);
    run_record **runs = xcalloc(n ? n : 1, sizeof *runs);
    for (size_t i = 0; !rc && i < n; i++) {
        run_record *r;
        if ((rc = store_load_run(from, ids[i], &r, e)))
            break;
        runs[i] = r;
        if (!(rc = copy_run_start(to, r, e)) && !(rc = pgs_insert_rows(to, r, e)))
            rc = copy_parts(from, to, r, e);
    }
    /* chain order: a run's position is its place in it */
    for (int64_t pos = 1; !rc; pos++) {
        run_record *r = NULL;
        for (size_t i = 0; i < n && !r; i++)
            if (runs[i] && runs[i]->chain_pos == pos)
                r = runs[i];
        if (!r)
            break;
        char *digest = xstrdup(r->digest), *prev = xstrdup(r->prev_digest);
        if (!(rc = pgs_seal_run(to, r, false, digest, e)) &&
            (r->chain_pos != pos || strcmp(prev ? prev : "", r->prev_digest ? r->prev_digest : "")))
            rc = verr_set(e, VOUCH_ABORTED, "run %lld did not keep chain position %lld and its"
                          " link in the copy; nothing was copied", (long long)r->id,
                          (long long)pos);
        free(digest);
        free(prev);
        (*n_runs)++;
    }
    for (size_t i = 0; i < n; i++)
        run_record_free(runs[i]);
    free(runs);
    free(ids);
    if (rc || (rc = store_list_drills(from, 0, &ids, &n, e)))
        return rc;
    if (n)
        qsort(ids, n, sizeof *ids, by_value);
    drill_record **drills = xcalloc(n ? n : 1, sizeof *drills);
    for (size_t i = 0; !rc && i < n; i++)
        rc = store_load_drill(from, ids[i], &drills[i], e);
    /* sealed ones in chain order (one open at a time), then the one still open */
    for (int64_t pos = 1; !rc; pos++) {
        drill_record *d = NULL;
        for (size_t i = 0; i < n && !d; i++)
            if (drills[i] && drills[i]->chain_pos == pos)
                d = drills[i];
        if (!d)
            break;
        char *digest = xstrdup(d->digest);
        if (!(rc = copy_drill(to, d, e)) && !(rc = pgs_seal_drill(to, d, digest, e)) &&
            d->chain_pos != pos)
            rc = verr_set(e, VOUCH_ABORTED, "drill %lld did not keep drill chain position %lld"
                          " in the copy; nothing was copied", (long long)d->id, (long long)pos);
        free(digest);
        (*n_drills)++;
    }
    for (size_t i = 0; !rc && i < n; i++)
        if (drills[i] && !drills[i]->chain_pos)
            rc = copy_drill(to, drills[i], e);
    for (size_t i = 0; i < n; i++)
        drill_record_free(drills[i]);
    free(drills);
    free(ids);
    if (rc)
        return rc;
    /* Approvals are sealed as they are inserted: each as it is, in chain order. */
    approval_list l;
    if ((rc = store_approvals(from, 0, &l, e)))
        return rc;
    for (size_t i = 0; !rc && i < l.n; i++) {
        if (l.v[i]->chain_pos != (int64_t)i + 1)
            rc = verr_set(e, VOUCH_ABORTED, "approval %lld sits at approval chain position %lld"
                          " where %zu was expected; nothing was copied", (long long)l.v[i]->id,
                          (long long)l.v[i]->chain_pos, i + 1);
        else if (!(rc = pgs_approval_insert(to, l.v[i], e)))
            (*n_approvals)++;
    }
    approval_list_release(&l);
    return rc;
}

vexit store_copy(const char *from, const char *to, FILE *out, verr *e)
{
    if (!from || !to)
        return verr_set(e, VOUCH_USAGE, "store copy needs --from STORE and --to postgresql://...");
    if (!is_pg_url(to))
        return verr_set(e, VOUCH_USAGE, "store copy --to takes a PostgreSQL store"
                        " (postgresql://...)");
    store *src = NULL, *dst = NULL;
    vexit rc = store_open_at(&src, from, NULL, STORE_READ, e);
    if (rc)
        return rc;
    store_verdict v;
    if ((rc = store_verify(src, &v, e)))
        goto done;
    if (!v.ok && !v.anchor_missing) {
        rc = verr_set(e, VOUCH_FAILED, "store \"%s\" does not verify (%s): nothing was copied",
                      store_path(src), v.problem);
        goto done;
    }
    if ((rc = store_open_at(&dst, to, NULL, STORE_WRITE, e)))
        goto done;
    pg_store *pg = (pg_store *)dst;
    PGresult *r;
    if ((rc = pgq(pg, &r, "SELECT (SELECT count(*) FROM vouch.runs) + (SELECT count(*) FROM"
                          " vouch.drills) + (SELECT count(*) FROM vouch.approvals)", NULL,
                  "count what it holds", e)))
        goto done;
    int64_t held = pg_int(r, 0, 0);
    PQclear(r);
    if (held) {
        rc = verr_set(e, VOUCH_USAGE, "store \"%s\" is not empty (%lld runs, drills and"
                      " approvals): a copy goes into a new store only", pg->shown,
                      (long long)held);
        goto done;
    }
    int64_t n_runs = 0, n_drills = 0, n_approvals = 0;
    if ((rc = pgx(pg, PG_BEGIN, "begin a transaction", e)))
        goto done;
    if ((rc = replay(src, pg, &n_runs, &n_drills, &n_approvals, e)) ||
        (rc = pgx(pg, "SELECT vouch.sync_ids()", "move its ids on", e)) ||
        (rc = pgx(pg, "COMMIT", "commit the copy", e))) {
        pg_rollback(pg);
        goto done;
    }
    store_heads h;
    if ((rc = store_verify(dst, &v, e)) || (rc = store_head(dst, &h, e)))
        goto done;
    if (!v.ok) {
        rc = verr_set(e, VOUCH_FAILED, "the copy in \"%s\" does not verify: %s", pg->shown,
                      v.problem);
        goto done;
    }
    fprintf(out, "copied %lld sealed run%s and %lld sealed drill%s", (long long)n_runs,
            n_runs == 1 ? "" : "s", (long long)n_drills, n_drills == 1 ? "" : "s");
    if (n_approvals)
        fprintf(out, " and %lld signed approval%s", (long long)n_approvals,
                n_approvals == 1 ? "" : "s");
    fprintf(out, " from %s to %s: chain intact (%lld run%s and %lld drill%s verified",
            store_path(src), pg->shown, (long long)v.runs_checked,
            v.runs_checked == 1 ? "" : "s", (long long)v.drills_checked,
            v.drills_checked == 1 ? "" : "s");
    if (v.approvals_checked)
        fprintf(out, ", %lld approval%s", (long long)v.approvals_checked,
                v.approvals_checked == 1 ? "" : "s");
    fprintf(out, ")\nstore head %lld:%s\n", (long long)h.run_pos, h.run_digest);
done:
    store_close(dst);
    store_close(src);
    return rc;
}
