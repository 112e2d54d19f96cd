/* Verifying a PostgreSQL store: both chains recomputed as on SQLite (the same canonical
 * forms and digests), then what guards them here: every append-only trigger and sealing
 * function as 'vouch store init' made it, and a writer role that cannot UPDATE, DELETE or
 * TRUNCATE. Read in one REPEATABLE READ snapshot, so runners sealing meanwhile change
 * nothing verify sees. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/chain.h"
#include "evidence/run_walk.h"
#include "evidence/store/postgres_internal.h"
#include "src/util.h"

static void broken(store_verdict *v, int64_t run, int64_t drill, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void broken(store_verdict *v, int64_t run, int64_t drill, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->problem, sizeof v->problem, fmt, ap);
    va_end(ap);
    v->ok = false;
    v->broken_run = run;
    v->broken_drill = drill;
}

static vexit snapshot(pg_store *st, verr *e)
{
    return pgx(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "take a snapshot", e);
}

/* End the snapshot; rc as it was. */
static vexit snapshot_end(pg_store *st, vexit rc)
{
    pg_rollback(st);
    return rc;
}

static vexit digest_at(pg_store *st, bool drills, int64_t pos, char **digest, verr *e)
{
    *digest = NULL;
    pg_params p = {0};
    pgp_int(&p, pos);
    PGresult *r;
    vexit rc = pgq(st, &r,
                   drills ? "SELECT digest FROM vouch.drills WHERE chain_pos = $1"
                          : "SELECT digest FROM vouch.runs WHERE chain_pos = $1",
                   &p, "read a digest", e);
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        *digest = pg_col(r, 0, 0);
    PQclear(r);
    return VOUCH_OK;
}

static vexit run_digest_of(pg_store *st, int64_t run_id, char **digest, verr *e)
{
    *digest = NULL;
    pg_params p = {0};
    pgp_int(&p, run_id);
    PGresult *r;
    vexit rc = pgq(st, &r, "SELECT digest FROM vouch.runs WHERE id = $1", &p, "read a digest", e);
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        *digest = pg_col(r, 0, 0);
    PQclear(r);
    return VOUCH_OK;
}

/* The run chain from position from (1: all of it) to its head, as on SQLite. */
static vexit walk_runs(pg_store *st, int64_t from, store_verdict *v, verr *e)
{
    int64_t *ids;
    size_t n;
    pg_params p = {0};
    pgp_int(&p, from);
    vexit rc = pg_ids(st,
                      "SELECT id FROM vouch.runs WHERE chain_pos IS NOT NULL AND chain_pos >= $1"
                      " ORDER BY chain_pos",
                      &p, &ids, &n, e);
    if (rc)
        return rc;
    run_walk w;
    run_walk_begin(&w, from);
    for (size_t i = 0; i < n && v->ok; i++) {
        run_record *r;
        if ((rc = pgs_load_run(st, ids[i], &r, e)))
            break;
        char why[256];
        if (run_walk_step(&w, r, why, sizeof why))
            v->runs_checked++;
        else
            broken(v, r->id, 0, "%s", why);
        run_record_free(r);
    }
    run_walk_end(&w);
    free(ids);
    return rc;
}

vexit pgs_verify_drills(pg_store *st, store_verdict *v, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = pg_ids(st, "SELECT id FROM vouch.drills WHERE chain_pos IS NOT NULL"
                          " ORDER BY chain_pos", NULL, &ids, &n, e);
    if (rc)
        return rc;
    char prev[DIGEST_HEX_LEN + 1] = "";
    for (size_t i = 0; i < n && v->ok && !rc; i++) {
        drill_record *d;
        if ((rc = pgs_load_drill(st, ids[i], &d, e)))
            break;
        char digest[DIGEST_HEX_LEN + 1];
        drill_digest(d, prev, digest);
        long long id = (long long)d->id;
        if (d->chain_pos != (int64_t)i + 1)
            broken(v, 0, d->id, "drill %lld sits at drill chain position %lld where %zu was"
                   " expected: a drill before it is missing", id, (long long)d->chain_pos, i + 1);
        else if (strcmp(d->prev_digest ? d->prev_digest : "", prev) != 0)
            broken(v, 0, d->id, "drill %lld does not link to the drill sealed before it", id);
        else if (!d->digest || strcmp(d->digest, digest) != 0)
            broken(v, 0, d->id, "drill %lld does not match its digest: its content or phases"
                   " were changed after it was sealed", id);
        else if (d->gate_run_id) {
            char *now;
            if (!(rc = run_digest_of(st, d->gate_run_id, &now, e)) &&
                (!now || !d->gate_digest || strcmp(now, d->gate_digest) != 0))
                broken(v, 0, d->id, "drill %lld's gate run %lld no longer has the digest it had"
                       " when the drill was sealed", id, (long long)d->gate_run_id);
            free(now);
        }
        if (!rc && v->ok)
            v->drills_checked++;
        snprintf(prev, sizeof prev, "%s", d->digest ? d->digest : "");
        drill_record_free(d);
    }
    free(ids);
    if (rc || !v->ok)
        return rc;
    if ((rc = pg_ids(st,
                     "SELECT id FROM vouch.drills WHERE status <> 'running'"
                     " AND (chain_pos IS NULL OR digest IS NULL) ORDER BY id LIMIT 1",
                     NULL, &ids, &n, e)))
        return rc;
    if (n)
        broken(v, 0, ids[0], "drill %lld has ended but is not sealed into the drill chain",
               (long long)ids[0]);
    free(ids);
    return VOUCH_OK;
}

/* Whether a store of st's schema has a table or function of this name: those a later
 * migration made are not looked for in a store read where it lies, before it. */
static bool made_by(const pg_store *st, const char *name)
{
    return st->schema >= PG_SCHEMA_APPROVALS ||
           (strcmp(name, "approvals") != 0 && strcmp(name, "sealed_run_only") != 0);
}

/* The guards against what 'vouch store init' made: each trigger by its definition and
 * enabled, no other trigger, each function by its body, and a writer that cannot change
 * rows. A table's owner (or a superuser) can change all of it; this names what they did
 * short of recomputing the chain. */
vexit pgs_verify_schema(pg_store *st, store_verdict *v, verr *e)
{
    PGresult *r;
    vexit rc = pgq(st, &r,
                   "SELECT c.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid)"
                   " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                   " JOIN pg_namespace n ON n.oid = c.relnamespace"
                   " WHERE n.nspname = 'vouch' AND NOT t.tgisinternal",
                   NULL, "read its triggers", e);
    if (rc)
        return rc;
    int rows = PQntuples(r);
    for (const pg_trigger *g = pg_triggers; g->name && v->ok; g++) {
        if (!made_by(st, g->table))
            continue;
        int at = -1;
        for (int i = 0; i < rows && at < 0; i++)
            if (strcmp(PQgetvalue(r, i, 1), g->name) == 0 &&
                strcmp(PQgetvalue(r, i, 0), g->table) == 0)
                at = i;
        if (at < 0)
            broken(v, 0, 0, "append-only trigger %s is missing: the store has been altered",
                   g->name);
        else if (strcmp(PQgetvalue(r, at, 2), "D") == 0)
            broken(v, 0, 0, "append-only trigger %s is disabled: the store has been altered",
                   g->name);
        else if (strcmp(PQgetvalue(r, at, 3), g->def) != 0)
            broken(v, 0, 0, "append-only trigger %s is not the one vouch created (its definition"
                   " differs): the store has been altered", g->name);
    }
    for (int i = 0; i < rows && v->ok; i++) {
        bool ours = false;
        for (const pg_trigger *g = pg_triggers; g->name && !ours; g++)
            ours = strcmp(PQgetvalue(r, i, 1), g->name) == 0;
        if (!ours)
            broken(v, 0, 0, "trigger %s on %s was not created by vouch: the store has been"
                   " altered", PQgetvalue(r, i, 1), PQgetvalue(r, i, 0));
    }
    PQclear(r);
    if (!v->ok)
        return VOUCH_OK;
    if ((rc = pgq(st, &r,
                  "SELECT p.proname, p.prosrc, p.prosecdef FROM pg_proc p"
                  " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'vouch'",
                  NULL, "read its functions", e)))
        return rc;
    rows = PQntuples(r);
    for (const pg_function *f = pg_functions; f->name && v->ok; f++) {
        if (!made_by(st, f->name))
            continue;
        int at = -1;
        for (int i = 0; i < rows && at < 0; i++)
            if (strcmp(PQgetvalue(r, i, 0), f->name) == 0)
                at = i;
        if (at < 0)
            broken(v, 0, 0, "function vouch.%s is missing: the store has been altered", f->name);
        else if (strcmp(PQgetvalue(r, at, 1), f->body) != 0 ||
                 (strcmp(PQgetvalue(r, at, 2), "t") == 0) != f->definer)
            broken(v, 0, 0, "function vouch.%s is not the one vouch created (its body"
                   " differs): the store has been altered", f->name);
    }
    for (int i = 0; i < rows && v->ok; i++) {
        bool ours = false;
        for (const pg_function *f = pg_functions; f->name && !ours; f++)
            ours = strcmp(PQgetvalue(r, i, 0), f->name) == 0;
        if (!ours)
            broken(v, 0, 0, "function vouch.%s was not created by vouch: the store has been"
                   " altered", PQgetvalue(r, i, 0));
    }
    PQclear(r);
    if (!v->ok)
        return VOUCH_OK;
    /* Each table a plain table, every row seen by whoever reads it (no row-level security),
     * and no rule rewriting what is done to it. */
    for (const char *const *t = pg_tables; *t && v->ok; t++) {
        if (!made_by(st, *t))
            continue;
        pg_params p = {0};
        pgp_raw(&p, *t);
        if ((rc = pgq(st, &r,
                      "SELECT c.relkind, c.relrowsecurity,"
                      " (SELECT count(*) FROM pg_rewrite w WHERE w.ev_class = c.oid)"
                      " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                      " WHERE n.nspname = 'vouch' AND c.relname = $1",
                      &p, "read its tables", e)))
            return rc;
        if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "r") != 0)
            broken(v, 0, 0, "table vouch.%s is missing or is no longer a table: the store has been"
                   " altered", *t);
        else if (strcmp(PQgetvalue(r, 0, 1), "t") == 0)
            broken(v, 0, 0, "table vouch.%s has row-level security enabled, which can hide rows"
                   " from whoever reads it: the store has been altered", *t);
        else if (strcmp(PQgetvalue(r, 0, 2), "0") != 0)
            broken(v, 0, 0, "table vouch.%s has a rule that rewrites what is done to it: the store"
                   " has been altered", *t);
        PQclear(r);
    }
    if (!v->ok)
        return VOUCH_OK;
    /* Privileges: the writer may not change a row, whatever the triggers say. */
    if ((rc = pgq(st, &r,
                  "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                  " WHERE n.nspname = 'vouch' AND c.relkind = 'r'"
                  " AND EXISTS (SELECT FROM pg_roles WHERE rolname = 'vouch_writer')"
                  " AND (has_table_privilege('vouch_writer', c.oid, 'UPDATE')"
                  "   OR has_table_privilege('vouch_writer', c.oid, 'DELETE')"
                  "   OR has_table_privilege('vouch_writer', c.oid, 'TRUNCATE'))"
                  " ORDER BY 1 LIMIT 1",
                  NULL, "read its privileges", e)))
        return rc;
    if (PQntuples(r))
        broken(v, 0, 0, "role vouch_writer may UPDATE, DELETE or TRUNCATE vouch.%s: the store is"
               " no longer append-only by its privileges", PQgetvalue(r, 0, 0));
    PQclear(r);
    return VOUCH_OK;
}

static vexit verify_all(pg_store *st, store_verdict *v, verr *e)
{
    vexit rc = walk_runs(st, 1, v, e);
    if (rc || !v->ok)
        return rc;
    int64_t *ids;
    size_t n;
    if ((rc = pg_ids(st,
                     "SELECT id FROM vouch.runs WHERE status <> 'running'"
                     " AND (chain_pos IS NULL OR digest IS NULL) ORDER BY id LIMIT 1",
                     NULL, &ids, &n, e)))
        return rc;
    if (n)
        broken(v, ids[0], 0, "run %lld is finished but not sealed into the chain",
               (long long)ids[0]);
    free(ids);
    if (v->ok)
        rc = pgs_verify_drills(st, v, e);
    if (!rc && v->ok)
        rc = pgs_verify_approvals(st, v, e);
    if (!rc && v->ok)
        rc = pgs_verify_schema(st, v, e);
    return rc;
}

vexit pgs_verify(pg_store *st, store_verdict *v, verr *e)
{
    *v = (store_verdict){.ok = true};
    vexit rc = snapshot(st, e);
    return rc ? rc : snapshot_end(st, verify_all(st, v, e));
}

static vexit verify_from(pg_store *st, int64_t run_id, store_verdict *v, verr *e)
{
    pg_params p = {0};
    pgp_int(&p, run_id);
    PGresult *r;
    vexit rc = pgq(st, &r, "SELECT chain_pos FROM vouch.runs WHERE id = $1", &p, "read a run", e);
    if (rc)
        return rc;
    int64_t from = PQntuples(r) == 1 ? pg_int(r, 0, 0) : 0;
    PQclear(r);
    if (from < 1) {
        broken(v, run_id, 0, "run %lld is not sealed into the chain", (long long)run_id);
        return VOUCH_OK;
    }
    if ((rc = walk_runs(st, from, v, e)) || !v->ok)
        return rc;
    return pgs_verify_schema(st, v, e);
}

vexit pgs_verify_since(pg_store *st, int64_t run_id, store_verdict *v, verr *e)
{
    *v = (store_verdict){.ok = true};
    vexit rc = snapshot(st, e);
    return rc ? rc : snapshot_end(st, verify_from(st, run_id, v, e));
}

vexit pgs_verify_head(pg_store *st, int64_t pos, const char *digest, store_verdict *v, verr *e)
{
    if (!v->ok)
        return VOUCH_OK;
    store_heads h;
    vexit rc = pgs_head(st, &h, e);
    if (rc)
        return rc;
    if (pos > h.run_pos) {
        broken(v, 0, 0, "the store's run chain ends at position %lld, before the given head %lld:"
               " sealed runs were cut from the store", (long long)h.run_pos, (long long)pos);
        return VOUCH_OK;
    }
    char *have;
    if ((rc = digest_at(st, false, pos, &have, e)))
        return rc;
    if (!have || strcmp(have, digest) != 0)
        broken(v, 0, 0, "run chain position %lld has digest %.16s..., not the given %.16s...: the"
               " chain was rewritten up to there", (long long)pos, have ? have : "(none)",
               digest);
    free(have);
    return VOUCH_OK;
}
