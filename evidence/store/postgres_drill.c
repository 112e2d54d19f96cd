/* Restore drills in the PostgreSQL store: as evidence/store/sqlite_drill.c, with the drill
 * chain sealed by vouch.seal_drill under its own advisory lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/chain.h"
#include "evidence/store/postgres_internal.h"
#include "evidence/store/shared.h"
#include "src/util.h"

vexit pgs_open_drill(pg_store *st, int64_t *id, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = pg_ids(st, "SELECT id FROM vouch.drills WHERE status = 'running'", NULL, &ids, &n,
                      e);
    *id = !rc && n ? ids[0] : 0;
    free(ids);
    return rc;
}

vexit pgs_drill_begin(pg_store *st, const drill_record *d, int64_t *id, verr *e)
{
    vexit rc = pgx(st, PG_BEGIN, "begin a transaction", e);
    if (rc)
        return rc;
    int64_t open_id = 0;
    if ((rc = pgx(st, "SELECT pg_advisory_xact_lock(1987014499, 2)", "lock the drill chain", e)) ||
        (rc = pgs_open_drill(st, &open_id, e))) {
        pg_rollback(st);
        return rc;
    }
    if (open_id) {
        pg_rollback(st);
        drill_record *o;
        if ((rc = pgs_load_drill(st, open_id, &o, e)))
            return rc;
        verr_set(e, VOUCH_USAGE, "drill %lld (\"%s\", started %s) is still open in store \"%s\"",
                 (long long)o->id, o->scenario, o->started_at, st->shown);
        if (o->pid)
            verr_hint(e, "'vouch drill run' (process %lld on %s) is running it; wait for it to"
                         " end.", (long long)o->pid, o->host);
        else
            verr_hint(e, "End it with 'vouch drill finish' (or 'vouch drill fail') first; one"
                         " drill is open at a time.");
        drill_record_free(o);
        return e->code;
    }
    char host[256];
    store_this_host(host, sizeof host);
    pg_params p = {0};
    pgp_text(&p, d->scenario);
    pgp_text(&p, d->operator_name);
    pgp_text(&p, d->incident_at);
    pgp_text(&p, d->started_at);
    pgp_text(&p, d->restore_cmd);
    pgp_int(&p, d->rto_target_ms);
    pgp_int(&p, d->rto_limit_ms);
    pgp_int(&p, d->rpo_ms);
    pgp_text(&p, VOUCH_VERSION);
    pgp_text(&p, host);
    pgp_opt(&p, d->pid != 0, d->pid);
    pgp_text(&p, d->drill_every);
    PGresult *r;
    if ((rc = pgq(st, &r,
                  "INSERT INTO vouch.drills (scenario, operator, incident_at, started_at, status,"
                  " restore_cmd, rto_target_ms, rto_limit_ms, rpo_ms, vouch_version, host, pid,"
                  " drill_every)"
                  " VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9, $10, $11, $12)"
                  " RETURNING id",
                  &p, "record the start of a drill", e))) {
        pg_rollback(st);
        return rc;
    }
    *id = pg_int(r, 0, 0);
    PQclear(r);
    if ((rc = pgx(st, "COMMIT", "commit the start of a drill", e)))
        pg_rollback(st);
    return rc;
}

vexit pgs_drill_mark(pg_store *st, int64_t drill_id, const drill_phase *ph, verr *e)
{
    pg_params p = {0};
    pgp_int(&p, drill_id);
    pgp_text(&p, ph->name);
    pgp_text(&p, ph->at);
    pgp_int(&p, ph->elapsed_ms);
    pgp_masked(&p, ph->note);
    return pgq(st, NULL,
               "INSERT INTO vouch.drill_phases (drill_id, seq, name, at, elapsed_ms, note)"
               " VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM vouch.drill_phases"
               " WHERE drill_id = $1), $2, $3, $4, $5)",
               &p, "record a drill phase", e);
}

vexit pgs_seal_drill(pg_store *st, drill_record *d, const char *digest, verr *e)
{
    pg_params p = {0};
    void (*text)(pg_params *, const char *) = digest ? pgp_raw : pgp_text;
    void (*masked)(pg_params *, const char *) = digest ? pgp_raw : pgp_masked;
    pgp_int(&p, d->id);
    text(&p, d->finished_at);
    text(&p, d->status);
    masked(&p, d->note);
    masked(&p, d->error);
    pgp_opt(&p, d->has_restore_exit, d->restore_exit);
    pgp_opt(&p, d->gate_run_id != 0, d->gate_run_id);
    text(&p, d->restore_point);
    text(&p, d->restore_point_source);
    pgp_opt(&p, d->has_rto, d->rto_ms);
    pgp_opt(&p, d->has_data_loss, d->data_loss_ms);
    text(&p, d->clock);
    text(&p, d->approved_by);
    masked(&p, d->smoke_cmd);
    pgp_opt(&p, d->smoke_cmd && d->has_smoke_exit, d->smoke_exit);
    pgp_opt(&p, d->smoke_cmd != NULL, d->smoke_ms);
    text(&p, d->smoke_digest);
    PGresult *r;
    vexit rc = pgq(st, &r,
                   "SELECT chain_pos, prev_digest, gate_digest FROM vouch.seal_drill($1, $2, $3,"
                   " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
                   &p, "seal a drill", e);
    if (rc)
        return rc;
    d->chain_pos = pg_int(r, 0, 0);
    free(d->prev_digest);
    d->prev_digest = pg_col(r, 0, 1);
    free(d->gate_digest);
    d->gate_digest = pg_col(r, 0, 2);
    PQclear(r);
    char mine[DIGEST_HEX_LEN + 1];
    if (!digest) { /* what the store now holds, exactly as verify will read it */
        drill_record *stored;
        if ((rc = pgs_load_drill(st, d->id, &stored, e)))
            return rc;
        drill_digest(stored, d->prev_digest, mine);
        drill_record_free(stored);
        digest = mine;
    }
    pg_params q = {0};
    pgp_int(&q, d->id);
    pgp_raw(&q, digest);
    if ((rc = pgq(st, NULL, "SELECT vouch.seal_drill_digest($1, $2)", &q, "seal a drill", e)))
        return rc;
    free(d->digest);
    d->digest = xstrdup(digest);
    return VOUCH_OK;
}

vexit pgs_drill_finish(pg_store *st, drill_record *d, verr *e)
{
    vexit rc = pgx(st, PG_BEGIN, "begin a transaction", e);
    if (rc)
        return rc;
    if ((rc = pgs_seal_drill(st, d, NULL, e)) ||
        (rc = pgx(st, "COMMIT", "commit the end of a drill", e)))
        pg_rollback(st);
    return rc;
}

static const char drill_columns[] =
    "id, scenario, operator, incident_at, started_at, finished_at, status, note, error,"
    " restore_cmd, restore_exit, gate_run_id, gate_digest, restore_point, restore_point_source,"
    " rto_ms, data_loss_ms, rto_target_ms, rto_limit_ms, rpo_ms, clock, vouch_version, host, pid,"
    " chain_pos, prev_digest, digest, drill_every, approved_by, smoke_cmd, smoke_exit, smoke_ms,"
    " smoke_digest";

vexit pgs_load_drill(pg_store *st, int64_t id, drill_record **out, verr *e)
{
    *out = NULL;
    char *sql = xasprintf("SELECT %s FROM vouch.drills WHERE id = $1", drill_columns);
    pg_params p = {0};
    pgp_int(&p, id);
    PGresult *s;
    vexit rc = pgq(st, &s, sql, &p, "read a drill", e);
    free(sql);
    if (rc)
        return rc;
    if (PQntuples(s) != 1) {
        PQclear(s);
        return verr_set(e, VOUCH_USAGE, "store \"%s\" has no drill %lld", st->shown,
                        (long long)id);
    }
    drill_record *d = xcalloc(1, sizeof *d);
    int64_t v;
    d->id = pg_int(s, 0, 0);
    d->scenario = pg_col(s, 0, 1);
    d->operator_name = pg_col(s, 0, 2);
    d->incident_at = pg_col(s, 0, 3);
    d->started_at = pg_col(s, 0, 4);
    d->finished_at = pg_col(s, 0, 5);
    d->status = pg_col(s, 0, 6);
    d->note = pg_col(s, 0, 7);
    d->error = pg_col(s, 0, 8);
    d->restore_cmd = pg_col(s, 0, 9);
    d->has_restore_exit = pg_opt(s, 0, 10, &d->restore_exit);
    pg_opt(s, 0, 11, &d->gate_run_id);
    d->gate_digest = pg_col(s, 0, 12);
    d->restore_point = pg_col(s, 0, 13);
    d->restore_point_source = pg_col(s, 0, 14);
    d->has_rto = pg_opt(s, 0, 15, &d->rto_ms);
    d->has_data_loss = pg_opt(s, 0, 16, &d->data_loss_ms);
    d->rto_target_ms = pg_int(s, 0, 17);
    d->rto_limit_ms = pg_int(s, 0, 18);
    d->rpo_ms = pg_int(s, 0, 19);
    d->clock = pg_col(s, 0, 20);
    d->vouch_version = pg_col(s, 0, 21);
    d->host = pg_col(s, 0, 22);
    pg_opt(s, 0, 23, &v);
    d->pid = v;
    pg_opt(s, 0, 24, &d->chain_pos);
    d->prev_digest = pg_col(s, 0, 25);
    d->digest = pg_col(s, 0, 26);
    d->drill_every = pg_col(s, 0, 27);
    d->approved_by = pg_col(s, 0, 28);
    d->smoke_cmd = pg_col(s, 0, 29);
    d->has_smoke_exit = pg_opt(s, 0, 30, &d->smoke_exit);
    pg_opt(s, 0, 31, &d->smoke_ms);
    d->smoke_digest = pg_col(s, 0, 32);
    PQclear(s);
    pg_params q = {0};
    pgp_int(&q, id);
    if ((rc = pgq(st, &s,
                  "SELECT name, at, elapsed_ms, note FROM vouch.drill_phases WHERE drill_id = $1"
                  " ORDER BY seq",
                  &q, "read a drill's phases", e))) {
        drill_record_free(d);
        return rc;
    }
    size_t cap = 0;
    for (int i = 0; i < PQntuples(s); i++) {
        grow((void **)&d->phases, &cap, d->n_phases + 1, sizeof *d->phases);
        d->phases[d->n_phases++] =
            (drill_phase){pg_col(s, i, 0), pg_col(s, i, 1), pg_int(s, i, 2), pg_col(s, i, 3)};
    }
    PQclear(s);
    *out = d;
    return VOUCH_OK;
}

vexit pgs_list_drills(pg_store *st, int64_t limit, int64_t **ids, size_t *n, verr *e)
{
    pg_params p = {0};
    pgp_opt(&p, limit > 0, limit);
    return pg_ids(st, "SELECT id FROM vouch.drills ORDER BY id DESC LIMIT $1", &p, ids, n, e);
}

vexit pgs_drill_runs(pg_store *st, int64_t drill_id, int64_t **ids, size_t *n, verr *e)
{
    pg_params p = {0};
    pgp_int(&p, drill_id);
    return pg_ids(st, "SELECT id FROM vouch.runs WHERE drill_id = $1 ORDER BY id", &p, ids, n, e);
}

/* As runs are reaped (postgres.c): under the drill chain's lock, looked for again there. */
vexit pgs_reap_drills(pg_store *st, verr *e)
{
    char host[256];
    store_this_host(host, sizeof host);
    pg_params p = {0};
    pgp_text(&p, host);
    PGresult *r;
    vexit rc = pgq(st, &r,
                   "SELECT id, pid FROM vouch.drills WHERE status = 'running' AND digest IS NULL"
                   " AND pid IS NOT NULL AND host = $1",
                   &p, "look for an abandoned drill", e);
    if (rc)
        return rc;
    int64_t gone = 0;
    for (int i = 0; i < PQntuples(r) && !gone; i++)
        if (store_process_gone(pg_int(r, i, 1)))
            gone = pg_int(r, i, 0);
    PQclear(r);
    if (!gone)
        return VOUCH_OK;
    if ((rc = pgx(st, PG_BEGIN, "begin a transaction", e)))
        return rc;
    drill_record *d = NULL;
    if ((rc = pgx(st, "SELECT pg_advisory_xact_lock(1987014499, 2)", "lock the drill chain", e)) ||
        (rc = pgs_load_drill(st, gone, &d, e)) || strcmp(d->status, "running") != 0) {
        drill_record_free(d);
        pg_rollback(st);
        return rc;
    }
    char now[40];
    utc_now(now, sizeof now);
    free(d->status);
    d->status = xstrdup("interrupted");
    free(d->error);
    d->error = xstrdup("the vouch process ended before the drill finished");
    free(d->finished_at);
    d->finished_at = xstrdup(now);
    if ((rc = pgs_seal_drill(st, d, NULL, e)) ||
        (rc = pgx(st, "COMMIT", "commit the abandoned drill", e)))
        pg_rollback(st);
    drill_record_free(d);
    return rc;
}
