#include "evidence/store.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/chain.h"
#include "evidence/store_drill.h"
#include "evidence/store_internal.h"
#include "src/redact.h"
#include "src/util.h"

struct store {
    sqlite3 *db;
    char *path;
};

/* Migrations, applied in order; PRAGMA user_version counts how many ran.
 * Never edit one that has shipped: add the next. */
static const char *const migrations[] = {
    /* 1: runs, results, baselines; append-only once sealed. */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('baseline', 'gate', 'check')),"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('running', 'passed', 'failed', 'aborted', 'captured')),"
    "  started_at TEXT NOT NULL,"
    "  finished_at TEXT,"
    "  target TEXT NOT NULL,"
    "  baseline_id INTEGER REFERENCES runs (id),"
    "  checks TEXT NOT NULL,"
    "  error TEXT,"
    "  vouch_version TEXT NOT NULL,"
    "  server_version TEXT, system_identifier TEXT, timeline TEXT, lsn TEXT,"
    "  snapshot_time TEXT, database TEXT,"
    "  host TEXT NOT NULL,"
    "  pid INTEGER NOT NULL,"
    "  chain_pos INTEGER UNIQUE,"
    "  prev_digest TEXT,"
    "  digest TEXT"
    ");"
    "CREATE TABLE results ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id),"
    "  seq INTEGER NOT NULL,"
    "  check_name TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'error')),"
    "  expected TEXT, observed TEXT,"
    "  reason TEXT NOT NULL,"
    "  detail TEXT,"
    "  PRIMARY KEY (run_id, seq)"
    ");"
    "CREATE TABLE baselines ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id),"
    "  check_name TEXT NOT NULL,"
    "  content TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, check_name)"
    ");"
    "CREATE TRIGGER runs_append_only_delete BEFORE DELETE ON runs"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: runs cannot be deleted'); END;"
    "CREATE TRIGGER runs_append_only_update BEFORE UPDATE ON runs WHEN OLD.digest IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: this run is sealed'); END;"
    "CREATE TRIGGER results_append_only_update BEFORE UPDATE ON results"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: results cannot change'); END;"
    "CREATE TRIGGER results_append_only_delete BEFORE DELETE ON results"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: results cannot be deleted'); END;"
    "CREATE TRIGGER results_open_run BEFORE INSERT ON results"
    "  WHEN (SELECT digest FROM runs WHERE id = NEW.run_id) IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: this run is sealed'); END;"
    "CREATE TRIGGER baselines_append_only_update BEFORE UPDATE ON baselines"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: baselines cannot change'); END;"
    "CREATE TRIGGER baselines_append_only_delete BEFORE DELETE ON baselines"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: baselines cannot be deleted'); END;"
    "CREATE TRIGGER baselines_open_run BEFORE INSERT ON baselines"
    "  WHEN (SELECT digest FROM runs WHERE id = NEW.run_id) IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: this run is sealed'); END;",
    /* 2: restore drills (docs/drills.md). A drill is inserted "running" when it
     * starts, gains phases while open, and is sealed once when it ends into the drill
     * chain (chain_pos, prev_digest, digest), as runs are into theirs. */
    "CREATE TABLE drills ("
    "  id INTEGER PRIMARY KEY,"
    "  scenario TEXT NOT NULL,"
    "  operator TEXT NOT NULL,"
    "  incident_at TEXT NOT NULL,"
    "  started_at TEXT NOT NULL,"
    "  finished_at TEXT,"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),"
    "  note TEXT,"
    "  error TEXT,"
    "  restore_cmd TEXT,"
    "  restore_exit INTEGER,"
    "  gate_run_id INTEGER REFERENCES runs (id),"
    "  gate_digest TEXT,"
    "  restore_point TEXT,"
    "  restore_point_source TEXT CHECK (restore_point_source IN ('audit_log', 'operator')),"
    "  rto_ms INTEGER,"
    "  data_loss_ms INTEGER,"
    "  rto_target_ms INTEGER NOT NULL,"
    "  rto_limit_ms INTEGER NOT NULL,"
    "  rpo_ms INTEGER NOT NULL,"
    "  clock TEXT CHECK (clock IN ('monotonic', 'realtime')),"
    "  vouch_version TEXT NOT NULL,"
    "  host TEXT NOT NULL,"
    "  pid INTEGER,"
    "  chain_pos INTEGER UNIQUE,"
    "  prev_digest TEXT,"
    "  digest TEXT"
    ");"
    /* at most one open drill per store */
    "CREATE UNIQUE INDEX drills_one_open ON drills (status) WHERE status = 'running';"
    "CREATE TABLE drill_phases ("
    "  drill_id INTEGER NOT NULL REFERENCES drills (id),"
    "  seq INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  at TEXT NOT NULL,"
    "  elapsed_ms INTEGER NOT NULL,"
    "  note TEXT,"
    "  PRIMARY KEY (drill_id, seq)"
    ");"
    "CREATE TRIGGER drills_append_only_delete BEFORE DELETE ON drills"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: drills cannot be deleted'); END;"
    "CREATE TRIGGER drills_append_only_update BEFORE UPDATE ON drills WHEN OLD.digest IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: this drill is sealed'); END;"
    "CREATE TRIGGER drills_fixed_at_start BEFORE UPDATE OF id, scenario, operator, incident_at,"
    "  started_at, restore_cmd, rto_target_ms, rto_limit_ms, rpo_ms, vouch_version, host, pid"
    "  ON drills"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: a drill keeps what it started with'); END;"
    "CREATE TRIGGER drill_phases_append_only_update BEFORE UPDATE ON drill_phases"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: drill phases cannot change'); END;"
    "CREATE TRIGGER drill_phases_append_only_delete BEFORE DELETE ON drill_phases"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: drill phases cannot be deleted'); END;"
    "CREATE TRIGGER drill_phases_open_drill BEFORE INSERT ON drill_phases"
    "  WHEN (SELECT status FROM drills WHERE id = NEW.drill_id) IS NOT 'running'"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: this drill is over'); END;",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

static const char *const guard_triggers[] = {
    "runs_append_only_delete",      "runs_append_only_update",      "results_append_only_update",
    "results_append_only_delete",   "results_open_run",             "baselines_append_only_update",
    "baselines_append_only_delete", "baselines_open_run",
    "drills_append_only_delete",    "drills_append_only_update",    "drills_fixed_at_start",
    "drill_phases_append_only_update", "drill_phases_append_only_delete",
    "drill_phases_open_drill",      NULL};

vexit store_db_error(store *st, verr *e, const char *what)
{
    return verr_set(e, VOUCH_ABORTED, "store \"%s\": could not %s: %s", st->path, what,
                    sqlite3_errmsg(st->db));
}

vexit store_exec(store *st, const char *sql, const char *what, verr *e)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        verr_set(e, VOUCH_ABORTED, "store \"%s\": could not %s: %s", st->path, what,
                 msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return e->code;
    }
    return VOUCH_OK;
}

vexit store_prepare(store *st, sqlite3_stmt **stmt, const char *sql, verr *e)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return store_db_error(st, e, "prepare a statement");
    return VOUCH_OK;
}

/* The one door into the store for text: no remembered secret passes it, and what passes is
 * valid UTF-8 (a byte that is not is shown as \xHH), whatever the server's or the
 * configuration's encoding. Digests are computed from what the store holds, so they cover
 * the text as stored. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (!v) {
        sqlite3_bind_null(s, i);
        return;
    }
    sqlite3_bind_text(s, i, redact_clean(v), -1, free);
}

char *store_col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    return v ? xstrdup((const char *)v) : NULL;
}

void store_rollback(store *st)
{
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static vexit migrate(store *st, verr *e)
{
    vexit rc = store_exec(st, "BEGIN IMMEDIATE", "lock the store to migrate it", e);
    if (rc)
        return rc;
    sqlite3_stmt *s;
    if ((rc = store_prepare(st, &s, "PRAGMA user_version", e))) {
        store_rollback(st);
        return rc;
    }
    int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    if (version > N_MIGRATIONS) {
        store_rollback(st);
        return verr_set(e, VOUCH_ABORTED,
                        "store \"%s\" has schema version %d; this vouch knows up to %d", st->path,
                        version, N_MIGRATIONS);
    }
    for (int v = version; v < N_MIGRATIONS; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if ((rc = store_exec(st, migrations[v], "migrate its schema", e)) ||
            (rc = store_exec(st, pragma, "record its schema version", e))) {
            store_rollback(st);
            return rc;
        }
    }
    return store_exec(st, "COMMIT", "commit its schema", e);
}

void store_this_host(char *buf, size_t size)
{
    if (gethostname(buf, size) != 0)
        snprintf(buf, size, "unknown");
    buf[size - 1] = '\0';
}

/* Runs left running by a dead process of this host are sealed as aborted, so that
 * an interrupted run never looks unfinished (or passed) forever. */
static vexit reap_orphans(store *st, verr *e)
{
    char host[256];
    store_this_host(host, sizeof host);
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, "SELECT id, pid FROM runs WHERE status = 'running' AND host = ?1", e);
    if (rc)
        return rc;
    store_bind_text(s, 1, host);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        pid_t pid = (pid_t)sqlite3_column_int64(s, 1);
        if (pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH) {
            grow((void **)&ids, &cap, n + 1, sizeof *ids);
            ids[n++] = sqlite3_column_int64(s, 0);
        }
    }
    sqlite3_finalize(s);
    for (size_t i = 0; i < n && !rc; i++) {
        run_record *r;
        if ((rc = store_load_run(st, ids[i], &r, e)))
            break;
        if (strcmp(r->status, "running") == 0) {
            free(r->status);
            r->status = xstrdup("aborted");
            free(r->error);
            r->error = xstrdup("the vouch process ended before the run finished");
            char now[40];
            utc_now(now, sizeof now);
            r->finished_at = xstrdup(now);
            rc = store_run_finish(st, r, e);
        }
        run_record_free(r);
    }
    free(ids);
    return rc;
}

vexit store_open(store **out, const char *path, bool create, verr *e)
{
    *out = NULL;
    if (!create && access(path, F_OK) != 0)
        return verr_set(e, VOUCH_USAGE, "no store at \"%s\"", path);
    store *st = xcalloc(1, sizeof *st);
    st->path = xstrdup(path);
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    vexit rc = VOUCH_OK;
    if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
        rc = verr_set(e, VOUCH_ABORTED, "could not open store \"%s\": %s", path,
                      st->db ? sqlite3_errmsg(st->db) : "out of memory");
        store_close(st);
        return rc;
    }
    sqlite3_busy_timeout(st->db, 30000);
    sqlite3_extended_result_codes(st->db, 1);
    if ((rc = store_exec(st, "PRAGMA journal_mode = WAL", "switch to WAL", e)) ||
        (rc = store_exec(st, "PRAGMA foreign_keys = ON", "enable foreign keys", e)) ||
        (rc = store_exec(st, "PRAGMA synchronous = NORMAL", "set synchronous", e)) ||
        (rc = migrate(st, e)) || (rc = reap_orphans(st, e)) || (rc = store_reap_drills(st, e))) {
        store_close(st);
        return rc;
    }
    *out = st;
    return VOUCH_OK;
}

void store_close(store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

const char *store_path(const store *st)
{
    return st->path;
}

sqlite3 *store_sqlite(store *st)
{
    return st->db;
}

vexit store_run_begin(store *st, run_kind kind, const char *target, int64_t baseline_id,
                      const char *checks, int64_t *id, verr *e)
{
    char now[40], host[256];
    utc_now(now, sizeof now);
    store_this_host(host, sizeof host);
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                       "INSERT INTO runs (kind, status, started_at, target, baseline_id, checks,"
                       " vouch_version, host, pid) VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       e);
    if (rc)
        return rc;
    store_bind_text(s, 1, run_kind_name(kind));
    store_bind_text(s, 2, now);
    store_bind_text(s, 3, target);
    if (baseline_id)
        sqlite3_bind_int64(s, 4, baseline_id);
    else
        sqlite3_bind_null(s, 4);
    store_bind_text(s, 5, checks);
    store_bind_text(s, 6, VOUCH_VERSION);
    store_bind_text(s, 7, host);
    sqlite3_bind_int64(s, 8, getpid());
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "record the start of a run");
    sqlite3_finalize(s);
    if (!rc)
        *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static vexit insert_results(store *st, const run_record *r, verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                       "INSERT INTO results (run_id, seq, check_name, subject, status, expected,"
                       " observed, reason, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                       e);
    for (size_t i = 0; !rc && i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, r->id);
        sqlite3_bind_int64(s, 2, (int64_t)i + 1);
        store_bind_text(s, 3, x->check);
        store_bind_text(s, 4, x->subject);
        store_bind_text(s, 5, result_status_name(x->status));
        store_bind_text(s, 6, x->expected);
        store_bind_text(s, 7, x->observed);
        store_bind_text(s, 8, x->reason ? x->reason : "");
        store_bind_text(s, 9, x->detail);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_db_error(st, e, "store a result");
    }
    sqlite3_finalize(s);
    if (rc)
        return rc;
    if ((rc = store_prepare(st, &s, "INSERT INTO baselines (run_id, check_name, content) VALUES (?1, ?2, ?3)",
                      e)))
        return rc;
    for (size_t i = 0; !rc && i < r->n_baselines; i++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, r->id);
        store_bind_text(s, 2, r->baselines[i].check);
        store_bind_text(s, 3, r->baselines[i].content);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_db_error(st, e, "store a baseline");
    }
    sqlite3_finalize(s);
    return rc;
}

static vexit chain_head(store *st, int64_t *pos, char **digest, verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                       "SELECT chain_pos, digest FROM runs WHERE chain_pos IS NOT NULL"
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

static vexit seal(store *st, run_record *r, verr *e)
{
    vexit rc = insert_results(st, r, e);
    if (rc)
        return rc;
    int64_t head;
    char *prev;
    if ((rc = chain_head(st, &head, &prev, e)))
        return rc;
    r->chain_pos = head + 1;
    free(r->prev_digest);
    r->prev_digest = prev;

    sqlite3_stmt *s;
    if ((rc = store_prepare(st, &s,
                      "UPDATE runs SET status = ?2, finished_at = ?3, target = ?4, error = ?5,"
                      " server_version = ?6, system_identifier = ?7, timeline = ?8, lsn = ?9,"
                      " snapshot_time = ?10, database = ?11, chain_pos = ?12, prev_digest = ?13"
                      " WHERE id = ?1 AND status = 'running' AND digest IS NULL",
                      e)))
        return rc;
    sqlite3_bind_int64(s, 1, r->id);
    store_bind_text(s, 2, r->status);
    store_bind_text(s, 3, r->finished_at);
    store_bind_text(s, 4, r->target);
    store_bind_text(s, 5, r->error);
    store_bind_text(s, 6, r->server_version);
    store_bind_text(s, 7, r->system_identifier);
    store_bind_text(s, 8, r->timeline);
    store_bind_text(s, 9, r->lsn);
    store_bind_text(s, 10, r->snapshot_time);
    store_bind_text(s, 11, r->database);
    sqlite3_bind_int64(s, 12, r->chain_pos);
    store_bind_text(s, 13, r->prev_digest);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "record the end of a run");
    else if (sqlite3_changes(st->db) != 1)
        rc = verr_set(e, VOUCH_ABORTED, "store \"%s\": run %lld is not running", st->path,
                      (long long)r->id);
    sqlite3_finalize(s);
    if (rc)
        return rc;

    /* The digest is computed from what the store now holds, exactly as verify will. */
    run_record *stored;
    if ((rc = store_load_run(st, r->id, &stored, e)))
        return rc;
    char digest[DIGEST_HEX_LEN + 1];
    run_digest(stored, r->prev_digest, digest);
    run_record_free(stored);
    if ((rc = store_prepare(st, &s, "UPDATE runs SET digest = ?2 WHERE id = ?1", e)))
        return rc;
    sqlite3_bind_int64(s, 1, r->id);
    store_bind_text(s, 2, digest);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "seal a run");
    sqlite3_finalize(s);
    if (!rc) {
        free(r->digest);
        r->digest = xstrdup(digest);
    }
    return rc;
}

vexit store_run_finish(store *st, run_record *r, verr *e)
{
    vexit rc = store_exec(st, "BEGIN IMMEDIATE", "lock the store", e);
    if (rc)
        return rc;
    if ((rc = seal(st, r, e))) {
        store_rollback(st);
        return rc;
    }
    return store_exec(st, "COMMIT", "commit a run", e);
}

static const char run_columns[] =
    "id, kind, status, started_at, finished_at, target, baseline_id, checks, error, vouch_version,"
    " server_version, system_identifier, timeline, lsn, snapshot_time, database, chain_pos,"
    " prev_digest, digest";

vexit store_load_run(store *st, int64_t id, run_record **out, verr *e)
{
    *out = NULL;
    char *sql = xasprintf("SELECT %s FROM runs WHERE id = ?1", run_columns);
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
            return verr_set(e, VOUCH_USAGE, "store \"%s\" has no run %lld", st->path, (long long)id);
        return store_db_error(st, e, "read a run");
    }
    run_record *r = xcalloc(1, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    r->kind = store_col_text(s, 1);
    r->status = store_col_text(s, 2);
    r->started_at = store_col_text(s, 3);
    r->finished_at = store_col_text(s, 4);
    r->target = store_col_text(s, 5);
    r->baseline_id = sqlite3_column_int64(s, 6);
    r->checks = store_col_text(s, 7);
    r->error = store_col_text(s, 8);
    r->vouch_version = store_col_text(s, 9);
    r->server_version = store_col_text(s, 10);
    r->system_identifier = store_col_text(s, 11);
    r->timeline = store_col_text(s, 12);
    r->lsn = store_col_text(s, 13);
    r->snapshot_time = store_col_text(s, 14);
    r->database = store_col_text(s, 15);
    r->chain_pos = sqlite3_column_int64(s, 16);
    r->prev_digest = store_col_text(s, 17);
    r->digest = store_col_text(s, 18);
    sqlite3_finalize(s);

    size_t cap = 0;
    rc = store_prepare(st, &s,
                 "SELECT check_name, subject, status, expected, observed, reason, detail"
                 " FROM results WHERE run_id = ?1 ORDER BY seq",
                 e);
    if (!rc) {
        sqlite3_bind_int64(s, 1, id);
        while (sqlite3_step(s) == SQLITE_ROW) {
            grow((void **)&r->results, &cap, r->n_results + 1, sizeof *r->results);
            result_row *x = &r->results[r->n_results++];
            *x = (result_row){0};
            x->check = store_col_text(s, 0);
            x->subject = store_col_text(s, 1);
            char *status = store_col_text(s, 2);
            if (result_status_parse(status, &x->status) != 0)
                x->status = RESULT_ERROR;
            free(status);
            x->expected = store_col_text(s, 3);
            x->observed = store_col_text(s, 4);
            x->reason = store_col_text(s, 5);
            x->detail = store_col_text(s, 6);
        }
        sqlite3_finalize(s);
    }
    cap = 0;
    if (!rc && !(rc = store_prepare(st, &s,
                              "SELECT check_name, content FROM baselines WHERE run_id = ?1"
                              " ORDER BY check_name",
                              e))) {
        sqlite3_bind_int64(s, 1, id);
        while (sqlite3_step(s) == SQLITE_ROW) {
            grow((void **)&r->baselines, &cap, r->n_baselines + 1, sizeof *r->baselines);
            r->baselines[r->n_baselines++] = (baseline_doc){store_col_text(s, 0), store_col_text(s, 1)};
        }
        sqlite3_finalize(s);
    }
    if (rc) {
        run_record_free(r);
        return rc;
    }
    *out = r;
    return VOUCH_OK;
}

static vexit collect_ids(store *st, const char *sql, int64_t bind, int64_t **ids, size_t *n,
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
        return store_db_error(st, e, "list runs");
    }
    return VOUCH_OK;
}

vexit store_list_runs(store *st, int64_t limit, int64_t **ids, size_t *n, verr *e)
{
    return collect_ids(st, "SELECT id FROM runs ORDER BY id DESC LIMIT ?1", limit > 0 ? limit : -1,
                       ids, n, e);
}

vexit store_latest_baseline(store *st, int64_t *id, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = collect_ids(st,
                           "SELECT id FROM runs WHERE kind = 'baseline' AND status = 'captured'"
                           " ORDER BY id DESC LIMIT 1",
                           0, &ids, &n, e);
    if (rc)
        return rc;
    if (n == 0) {
        free(ids);
        verr_set(e, VOUCH_USAGE, "store \"%s\" holds no baseline", st->path);
        verr_hint(e, "Run 'vouch baseline' against the healthy database first.");
        return e->code;
    }
    *id = ids[0];
    free(ids);
    return VOUCH_OK;
}

vexit store_check_baseline(store *st, int64_t id, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = collect_ids(st,
                           "SELECT id FROM runs WHERE kind = 'baseline' AND status = 'captured'"
                           " AND id = ?1",
                           id, &ids, &n, e);
    free(ids);
    if (rc)
        return rc;
    if (n == 0)
        return verr_set(e, VOUCH_USAGE, "run %lld in store \"%s\" is not a captured baseline",
                        (long long)id, st->path);
    return VOUCH_OK;
}

static void broken(store_verdict *v, int64_t run, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void broken(store_verdict *v, int64_t run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->problem, sizeof v->problem, fmt, ap);
    va_end(ap);
    v->ok = false;
    v->broken_run = run;
}

static vexit verify_guards(store *st, store_verdict *v, verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?1", e);
    if (rc)
        return rc;
    for (size_t i = 0; guard_triggers[i] && v->ok; i++) {
        sqlite3_reset(s);
        store_bind_text(s, 1, guard_triggers[i]);
        if (sqlite3_step(s) != SQLITE_ROW)
            broken(v, 0, "append-only trigger %s is missing: the store has been altered",
                   guard_triggers[i]);
    }
    sqlite3_finalize(s);
    return VOUCH_OK;
}

vexit store_verify(store *st, store_verdict *v, verr *e)
{
    *v = (store_verdict){.ok = true};
    int64_t *ids;
    size_t n;
    vexit rc = collect_ids(st, "SELECT id FROM runs WHERE chain_pos IS NOT NULL ORDER BY chain_pos",
                           0, &ids, &n, e);
    if (rc)
        return rc;
    char prev[DIGEST_HEX_LEN + 1] = "";
    for (size_t i = 0; i < n && v->ok; i++) {
        run_record *r;
        if ((rc = store_load_run(st, ids[i], &r, e)))
            break;
        char digest[DIGEST_HEX_LEN + 1];
        run_digest(r, prev, digest);
        if (r->chain_pos != (int64_t)i + 1)
            broken(v, r->id, "run %lld sits at chain position %lld where %zu was expected:"
                   " a run before it is missing", (long long)r->id, (long long)r->chain_pos, i + 1);
        else if (strcmp(r->prev_digest ? r->prev_digest : "", prev) != 0)
            broken(v, r->id, "run %lld does not link to the run sealed before it", (long long)r->id);
        else if (!r->digest || strcmp(r->digest, digest) != 0)
            broken(v, r->id, "run %lld does not match its digest: its content was changed after it"
                   " was sealed", (long long)r->id);
        else
            v->runs_checked++;
        snprintf(prev, sizeof prev, "%s", r->digest ? r->digest : "");
        run_record_free(r);
    }
    free(ids);
    if (rc || !v->ok)
        return rc;
    /* A finished run outside the chain was never sealed or had its seal removed. */
    if ((rc = collect_ids(st,
                          "SELECT id FROM runs WHERE status <> 'running'"
                          " AND (chain_pos IS NULL OR digest IS NULL) ORDER BY id LIMIT 1",
                          0, &ids, &n, e)))
        return rc;
    if (n)
        broken(v, ids[0], "run %lld is finished but not sealed into the chain", (long long)ids[0]);
    free(ids);
    if (v->ok)
        rc = store_verify_drills(st, v, e);
    if (!rc && v->ok)
        rc = verify_guards(st, v, e);
    return rc;
}
