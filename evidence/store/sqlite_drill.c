#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/store/sqlite_internal.h"
#include "src/util.h"

static void bind_opt(sqlite3_stmt *s, int i, bool has, int64_t v)
{
    if (has)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static bool col_opt(sqlite3_stmt *s, int i, int64_t *v)
{
    bool has = sqlite3_column_type(s, i) != SQLITE_NULL;
    *v = has ? sqlite3_column_int64(s, i) : 0;
    return has;
}

vexit sqlite_be_open_drill(sqlite_store *st, int64_t *id, verr *e)
{
    *id = 0;
    if (store_schema(st) < 2) /* a store from before drills, read where it lies */
        return VOUCH_OK;
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, "SELECT id FROM drills WHERE status = 'running'", e);
    if (rc)
        return rc;
    int step = sqlite3_step(s);
    *id = step == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_db_error(st, e, "look for an open drill");
    return VOUCH_OK;
}

/* VOUCH_USAGE naming the open drill, for a second start. */
static vexit refuse_second(sqlite_store *st, int64_t open_id, verr *e)
{
    drill_record *o;
    vexit rc = sqlite_be_load_drill(st, open_id, &o, e);
    if (rc)
        return rc;
    verr_set(e, VOUCH_USAGE, "drill %lld (\"%s\", started %s) is still open in store \"%s\"",
             (long long)o->id, o->scenario, o->started_at, sqlite_be_path(st));
    if (o->pid)
        verr_hint(e, "'vouch drill run' (process %lld on %s) is running it; wait for it to end.",
                  (long long)o->pid, o->host);
    else
        verr_hint(e, "End it with 'vouch drill finish' (or 'vouch drill fail') first; one drill "
                     "is open at a time.");
    drill_record_free(o);
    return e->code;
}

vexit sqlite_be_drill_begin(sqlite_store *st, const drill_record *d, int64_t *id, verr *e)
{
    vexit rc = store_exec(st, "BEGIN IMMEDIATE", "lock the store", e);
    if (rc)
        return rc;
    int64_t open_id;
    if ((rc = sqlite_be_open_drill(st, &open_id, e)) || (open_id && (rc = refuse_second(st, open_id, e)))) {
        store_rollback(st);
        return rc;
    }
    char host[256];
    store_this_host(host, sizeof host);
    sqlite3_stmt *s;
    if ((rc = store_prepare(st, &s,
                      "INSERT INTO drills (scenario, operator, incident_at, started_at, status,"
                      " restore_cmd, rto_target_ms, rto_limit_ms, rpo_ms, vouch_version, host, pid,"
                      " drill_every)"
                      " VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                      e))) {
        store_rollback(st);
        return rc;
    }
    store_bind_text(s, 1, d->scenario);
    store_bind_text(s, 2, d->operator_name);
    store_bind_text(s, 3, d->incident_at);
    store_bind_text(s, 4, d->started_at);
    store_bind_text(s, 5, d->restore_cmd);
    sqlite3_bind_int64(s, 6, d->rto_target_ms);
    sqlite3_bind_int64(s, 7, d->rto_limit_ms);
    sqlite3_bind_int64(s, 8, d->rpo_ms);
    store_bind_text(s, 9, VOUCH_VERSION);
    store_bind_text(s, 10, host);
    bind_opt(s, 11, d->pid != 0, d->pid);
    store_bind_text(s, 12, d->drill_every);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "record the start of a drill");
    sqlite3_finalize(s);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    *id = sqlite3_last_insert_rowid(store_sqlite(st));
    return store_exec(st, "COMMIT", "commit the start of a drill", e);
}

vexit sqlite_be_drill_mark(sqlite_store *st, int64_t drill_id, const drill_phase *p, verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                       "INSERT INTO drill_phases (drill_id, seq, name, at, elapsed_ms, note)"
                       " VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM drill_phases"
                       " WHERE drill_id = ?1), ?2, ?3, ?4, ?5)",
                       e);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, drill_id);
    store_bind_text(s, 2, p->name);
    store_bind_text(s, 3, p->at);
    sqlite3_bind_int64(s, 4, p->elapsed_ms);
    store_bind_masked(s, 5, p->note);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "record a drill phase");
    sqlite3_finalize(s);
    return rc;
}

vexit store_drill_chain_head(sqlite_store *st, int64_t *pos, char **digest, verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                       "SELECT chain_pos, digest FROM drills WHERE chain_pos IS NOT NULL"
                       " ORDER BY chain_pos DESC LIMIT 1",
                       e);
    if (rc)
        return rc;
    *pos = 0;
    *digest = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *pos = sqlite3_column_int64(s, 0);
        *digest = store_col_text(s, 1);
    }
    sqlite3_finalize(s);
    return VOUCH_OK;
}

/* The digest of run id as the store holds it now, or NULL. */
static vexit run_digest_of(sqlite_store *st, int64_t run_id, char **digest, verr *e)
{
    *digest = NULL;
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, "SELECT digest FROM runs WHERE id = ?1", e);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, run_id);
    if (sqlite3_step(s) == SQLITE_ROW)
        *digest = store_col_text(s, 0);
    sqlite3_finalize(s);
    return VOUCH_OK;
}

static vexit seal(sqlite_store *st, drill_record *d, verr *e)
{
    int64_t head;
    char *prev;
    vexit rc = store_drill_chain_head(st, &head, &prev, e);
    if (rc)
        return rc;
    d->chain_pos = head + 1;
    free(d->prev_digest);
    d->prev_digest = prev;
    free(d->gate_digest);
    d->gate_digest = NULL;
    if (d->gate_run_id && (rc = run_digest_of(st, d->gate_run_id, &d->gate_digest, e)))
        return rc;

    sqlite3_stmt *s;
    if ((rc = store_prepare(st, &s,
                      "UPDATE drills SET finished_at = ?2, status = ?3, note = ?4, error = ?5,"
                      " restore_exit = ?6, gate_run_id = ?7, gate_digest = ?8, restore_point = ?9,"
                      " restore_point_source = ?10, rto_ms = ?11, data_loss_ms = ?12, clock = ?13,"
                      " chain_pos = ?14, prev_digest = ?15, approved_by = ?16, smoke_cmd = ?17,"
                      " smoke_exit = ?18, smoke_ms = ?19, smoke_digest = ?20"
                      " WHERE id = ?1 AND status = 'running' AND digest IS NULL",
                      e)))
        return rc;
    sqlite3_bind_int64(s, 1, d->id);
    store_bind_text(s, 2, d->finished_at);
    store_bind_text(s, 3, d->status);
    store_bind_masked(s, 4, d->note);
    store_bind_masked(s, 5, d->error);
    bind_opt(s, 6, d->has_restore_exit, d->restore_exit);
    bind_opt(s, 7, d->gate_run_id != 0, d->gate_run_id);
    store_bind_text(s, 8, d->gate_digest);
    store_bind_text(s, 9, d->restore_point);
    store_bind_text(s, 10, d->restore_point_source);
    bind_opt(s, 11, d->has_rto, d->rto_ms);
    bind_opt(s, 12, d->has_data_loss, d->data_loss_ms);
    store_bind_text(s, 13, d->clock);
    sqlite3_bind_int64(s, 14, d->chain_pos);
    store_bind_text(s, 15, d->prev_digest);
    store_bind_text(s, 16, d->approved_by);
    store_bind_masked(s, 17, d->smoke_cmd);
    bind_opt(s, 18, d->smoke_cmd && d->has_smoke_exit, d->smoke_exit);
    bind_opt(s, 19, d->smoke_cmd != NULL, d->smoke_ms);
    store_bind_text(s, 20, d->smoke_digest);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "record the end of a drill");
    else if (sqlite3_changes(store_sqlite(st)) != 1)
        rc = verr_set(e, VOUCH_USAGE, "store \"%s\": drill %lld is not open", sqlite_be_path(st),
                      (long long)d->id);
    sqlite3_finalize(s);
    if (rc)
        return rc;

    /* The digest covers what the store now holds, exactly as verify will read it. */
    drill_record *stored;
    if ((rc = sqlite_be_load_drill(st, d->id, &stored, e)))
        return rc;
    char digest[DIGEST_HEX_LEN + 1];
    drill_digest(stored, d->prev_digest, digest);
    drill_record_free(stored);
    if ((rc = store_prepare(st, &s, "UPDATE drills SET digest = ?2 WHERE id = ?1", e)))
        return rc;
    sqlite3_bind_int64(s, 1, d->id);
    store_bind_text(s, 2, digest);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "seal a drill");
    sqlite3_finalize(s);
    if (!rc) {
        free(d->digest);
        d->digest = xstrdup(digest);
    }
    return rc;
}

vexit sqlite_be_drill_finish(sqlite_store *st, drill_record *d, verr *e)
{
    vexit rc = store_exec(st, "BEGIN IMMEDIATE", "lock the store", e);
    if (rc)
        return rc;
    if ((rc = seal(st, d, e)) || (rc = store_exec(st, "COMMIT", "commit the end of a drill", e))) {
        store_rollback(st);
        return rc;
    }
    store_anchor_append(st, "drill", d->chain_pos, d->digest); /* after COMMIT, as runs */
    return VOUCH_OK;
}

static const char drill_columns[] =
    "id, scenario, operator, incident_at, started_at, finished_at, status, note, error,"
    " restore_cmd, restore_exit, gate_run_id, gate_digest, restore_point, restore_point_source,"
    " rto_ms, data_loss_ms, rto_target_ms, rto_limit_ms, rpo_ms, clock, vouch_version, host, pid,"
    " chain_pos, prev_digest, digest";
/* Beside drill_columns in a store migrated to SCHEMA_DRILL_POLICY or later. */
static const char drill_columns_policy[] =
    ", drill_every, approved_by, smoke_cmd, smoke_exit, smoke_ms, smoke_digest";

static drill_record *drill_from_row(sqlite3_stmt *s, bool policy)
{
    drill_record *d = xcalloc(1, sizeof *d);
    int64_t v;
    d->id = sqlite3_column_int64(s, 0);
    d->scenario = store_col_text(s, 1);
    d->operator_name = store_col_text(s, 2);
    d->incident_at = store_col_text(s, 3);
    d->started_at = store_col_text(s, 4);
    d->finished_at = store_col_text(s, 5);
    d->status = store_col_text(s, 6);
    d->note = store_col_text(s, 7);
    d->error = store_col_text(s, 8);
    d->restore_cmd = store_col_text(s, 9);
    d->has_restore_exit = col_opt(s, 10, &d->restore_exit);
    col_opt(s, 11, &d->gate_run_id);
    d->gate_digest = store_col_text(s, 12);
    d->restore_point = store_col_text(s, 13);
    d->restore_point_source = store_col_text(s, 14);
    d->has_rto = col_opt(s, 15, &d->rto_ms);
    d->has_data_loss = col_opt(s, 16, &d->data_loss_ms);
    d->rto_target_ms = sqlite3_column_int64(s, 17);
    d->rto_limit_ms = sqlite3_column_int64(s, 18);
    d->rpo_ms = sqlite3_column_int64(s, 19);
    d->clock = store_col_text(s, 20);
    d->vouch_version = store_col_text(s, 21);
    d->host = store_col_text(s, 22);
    col_opt(s, 23, &v);
    d->pid = v;
    col_opt(s, 24, &d->chain_pos);
    d->prev_digest = store_col_text(s, 25);
    d->digest = store_col_text(s, 26);
    if (policy) {
        d->drill_every = store_col_text(s, 27);
        d->approved_by = store_col_text(s, 28);
        d->smoke_cmd = store_col_text(s, 29);
        d->has_smoke_exit = col_opt(s, 30, &d->smoke_exit);
        col_opt(s, 31, &d->smoke_ms);
        d->smoke_digest = store_col_text(s, 32);
    }
    return d;
}

vexit sqlite_be_load_drill(sqlite_store *st, int64_t id, drill_record **out, verr *e)
{
    *out = NULL;
    bool policy = store_schema(st) >= SCHEMA_DRILL_POLICY;
    char *sql = xasprintf("SELECT %s%s FROM drills WHERE id = ?1", drill_columns,
                          policy ? drill_columns_policy : "");
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, sql, e);
    free(sql);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    int step = sqlite3_step(s);
    if (step != SQLITE_ROW) {
        sqlite3_finalize(s);
        if (step == SQLITE_DONE)
            return verr_set(e, VOUCH_USAGE, "store \"%s\" has no drill %lld", sqlite_be_path(st),
                            (long long)id);
        return store_db_error(st, e, "read a drill");
    }
    drill_record *d = drill_from_row(s, policy);
    sqlite3_finalize(s);
    if ((rc = store_prepare(st, &s,
                      "SELECT name, at, elapsed_ms, note FROM drill_phases WHERE drill_id = ?1"
                      " ORDER BY seq",
                      e))) {
        drill_record_free(d);
        return rc;
    }
    sqlite3_bind_int64(s, 1, id);
    size_t cap = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        grow((void **)&d->phases, &cap, d->n_phases + 1, sizeof *d->phases);
        d->phases[d->n_phases++] = (drill_phase){store_col_text(s, 0), store_col_text(s, 1),
                                                 sqlite3_column_int64(s, 2), store_col_text(s, 3)};
    }
    sqlite3_finalize(s);
    if (step != SQLITE_DONE) {
        drill_record_free(d);
        return store_db_error(st, e, "read a drill's phases");
    }
    *out = d;
    return VOUCH_OK;
}

static vexit collect_ids(sqlite_store *st, const char *sql, int64_t bind, int64_t **ids, size_t *n,
                         verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, sql, e);
    if (rc)
        return rc;
    if (bind)
        sqlite3_bind_int64(s, 1, bind);
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        grow((void **)ids, &cap, *n + 1, sizeof **ids);
        (*ids)[(*n)++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    if (step != SQLITE_DONE) {
        free(*ids);
        *ids = NULL;
        return store_db_error(st, e, "list drills");
    }
    return VOUCH_OK;
}

vexit sqlite_be_list_drills(sqlite_store *st, int64_t limit, int64_t **ids, size_t *n, verr *e)
{
    if (store_schema(st) < 2) {
        *ids = NULL;
        *n = 0;
        return VOUCH_OK;
    }
    return collect_ids(st, "SELECT id FROM drills ORDER BY id DESC LIMIT ?1",
                       limit > 0 ? limit : -1, ids, n, e);
}

vexit sqlite_be_drill_runs(sqlite_store *st, int64_t drill_id, int64_t **ids, size_t *n, verr *e)
{
    if (store_schema(st) < SCHEMA_DRILL_POLICY) {
        *ids = NULL;
        *n = 0;
        return VOUCH_OK;
    }
    return collect_ids(st, "SELECT id FROM runs WHERE drill_id = ?1 ORDER BY id", drill_id, ids,
                       n, e);
}

/* The open drill when a drill run process of this host that no longer exists began
 * it, else 0. */
static vexit abandoned_drill(sqlite_store *st, int64_t *gone, verr *e)
{
    *gone = 0;
    char host[256];
    store_this_host(host, sizeof host);
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                       "SELECT id, pid FROM drills WHERE status = 'running' AND digest IS NULL"
                       " AND pid IS NOT NULL AND host = ?1",
                       e);
    if (rc)
        return rc;
    store_bind_text(s, 1, host);
    int step;
    while (!*gone && (step = sqlite3_step(s)) == SQLITE_ROW)
        if (store_process_gone(sqlite3_column_int64(s, 1)))
            *gone = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (!*gone && step != SQLITE_DONE)
        return store_db_error(st, e, "look for an abandoned drill");
    return VOUCH_OK;
}

/* As runs are reaped (evidence/store/sqlite.c): looked for again inside the write transaction,
 * so that of several processes opening the store at once one seals it and the others
 * find nothing left to do. */
vexit sqlite_be_reap_drills(sqlite_store *st, verr *e)
{
    int64_t gone;
    vexit rc = abandoned_drill(st, &gone, e);
    if (rc || !gone)
        return rc;
    if ((rc = store_exec(st, "BEGIN IMMEDIATE", "lock the store to seal an abandoned drill", e)))
        return rc;
    drill_record *d = NULL;
    if ((rc = abandoned_drill(st, &gone, e)) || !gone || (rc = sqlite_be_load_drill(st, gone, &d, e))) {
        store_rollback(st);
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
    if ((rc = seal(st, d, e)) ||
        (rc = store_exec(st, "COMMIT", "commit the abandoned drill", e)))
        store_rollback(st);
    else
        store_anchor_append(st, "drill", d->chain_pos, d->digest);
    drill_record_free(d);
    return rc;
}

static void broken(store_verdict *v, int64_t drill, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void broken(store_verdict *v, int64_t drill, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->problem, sizeof v->problem, fmt, ap);
    va_end(ap);
    v->ok = false;
    v->broken_drill = drill;
}

/* One sealed drill against the one before it (prev) and its gate run. */
static vexit verify_one(sqlite_store *st, const drill_record *d, size_t i, const char *prev,
                        store_verdict *v, verr *e)
{
    char digest[DIGEST_HEX_LEN + 1];
    drill_digest(d, prev, digest);
    long long id = (long long)d->id;
    if (d->chain_pos != (int64_t)i + 1) {
        broken(v, d->id, "drill %lld sits at drill chain position %lld where %zu was expected:"
               " a drill before it is missing", id, (long long)d->chain_pos, i + 1);
    } else if (strcmp(d->prev_digest ? d->prev_digest : "", prev) != 0) {
        broken(v, d->id, "drill %lld does not link to the drill sealed before it", id);
    } else if (!d->digest || strcmp(d->digest, digest) != 0) {
        broken(v, d->id, "drill %lld does not match its digest: its content or phases were"
               " changed after it was sealed", id);
    } else if (d->gate_run_id) {
        char *now;
        vexit rc = run_digest_of(st, d->gate_run_id, &now, e);
        if (rc)
            return rc;
        if (!now || !d->gate_digest || strcmp(now, d->gate_digest) != 0)
            broken(v, d->id, "drill %lld's gate run %lld no longer has the digest it had when"
                   " the drill was sealed", id, (long long)d->gate_run_id);
        free(now);
    }
    return VOUCH_OK;
}

vexit sqlite_be_verify_drills(sqlite_store *st, store_verdict *v, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = collect_ids(st, "SELECT id FROM drills WHERE chain_pos IS NOT NULL ORDER BY chain_pos",
                           0, &ids, &n, e);
    if (rc)
        return rc;
    char prev[DIGEST_HEX_LEN + 1] = "";
    for (size_t i = 0; i < n && v->ok && !rc; i++) {
        drill_record *d;
        if ((rc = sqlite_be_load_drill(st, ids[i], &d, e)))
            break;
        rc = verify_one(st, d, i, prev, v, e);
        if (!rc && v->ok)
            v->drills_checked++;
        snprintf(prev, sizeof prev, "%s", d->digest ? d->digest : "");
        drill_record_free(d);
    }
    free(ids);
    if (rc || !v->ok)
        return rc;
    if ((rc = collect_ids(st,
                          "SELECT id FROM drills WHERE status <> 'running'"
                          " AND (chain_pos IS NULL OR digest IS NULL) ORDER BY id LIMIT 1",
                          0, &ids, &n, e)))
        return rc;
    if (n)
        broken(v, ids[0], "drill %lld has ended but is not sealed into the drill chain",
               (long long)ids[0]);
    free(ids);
    return VOUCH_OK;
}
