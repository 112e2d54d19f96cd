#include "evidence/store/sqlite_internal.h"
#include "evidence/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence/chain.h"
#include "evidence/run_walk.h"
#include "evidence/store/shared.h"
#include "evidence/store/sqlite_internal.h"
#include "src/interrupt.h"
#include "src/redact.h"
#include "src/utf8.h"
#include "src/util.h"

struct sqlite_store {
    store base;
    sqlite3 *db;
    char *path;
    char *anchor;          /* the head file */
    store_mode mode;
    int schema;            /* PRAGMA user_version as found (after migrating, when writing) */
    int anchor_fd;         /* open for appending when writing, else -1 */
    int anchor_errno;      /* why it could not be opened */
    char anchor_problem[512];
    int64_t busy_since_ms; /* the busy handler's clock */
    int64_t interrupted_at_ms;
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
    /* at most one open drill per sqlite_store */
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
    /* 3: what a run was started with and by (--incident-at, the OS user, the CI job), the
     * checks an aborted run did not evaluate, and each result's structured facts. All
     * optional: a run sealed before keeps NULL there and its digest (evidence/chain.h). */
    "ALTER TABLE runs ADD COLUMN incident_at TEXT;"
    "ALTER TABLE runs ADD COLUMN started_by TEXT;"
    "ALTER TABLE runs ADD COLUMN ci_job TEXT;"
    "ALTER TABLE runs ADD COLUMN not_evaluated TEXT;"
    "ALTER TABLE results ADD COLUMN facts TEXT;",
    /* 4 (SCHEMA_DRILL_POLICY): a drill's cadence in force ([objectives] drill_every), who
     * approved reopening, its smoke test (drill run --smoke-cmd), and the open drill a gate
     * run belongs to. All optional: what was sealed before keeps NULL there and its digest. */
    "ALTER TABLE drills ADD COLUMN drill_every TEXT;"
    "ALTER TABLE drills ADD COLUMN approved_by TEXT;"
    "ALTER TABLE drills ADD COLUMN smoke_cmd TEXT;"
    "ALTER TABLE drills ADD COLUMN smoke_exit INTEGER;"
    "ALTER TABLE drills ADD COLUMN smoke_ms INTEGER;"
    "ALTER TABLE drills ADD COLUMN smoke_digest TEXT;"
    "ALTER TABLE runs ADD COLUMN drill_id INTEGER;"
    "DROP TRIGGER drills_fixed_at_start;"
    "CREATE TRIGGER drills_fixed_at_start BEFORE UPDATE OF id, scenario, operator, incident_at,"
    "  started_at, restore_cmd, rto_target_ms, rto_limit_ms, rpo_ms, vouch_version, host, pid,"
    "  drill_every ON drills"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: a drill keeps what it started with'); END;",
    /* 5 (SCHEMA_BASELINE_PARTS): a check's baseline beyond its document, in parts written while
     * the baseline runs (one range of share tokens each), so that neither capture nor gate
     * holds it whole. A part may go only while its run is open: an aborted baseline keeps
     * none. Sealed, the run's digest covers them (evidence/chain.h). */
    "CREATE TABLE baseline_parts ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id),"
    "  check_name TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  content TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, check_name, seq)"
    ");"
    "CREATE TRIGGER baseline_parts_append_only_update BEFORE UPDATE ON baseline_parts"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: baselines cannot change'); END;"
    "CREATE TRIGGER baseline_parts_sealed_delete BEFORE DELETE ON baseline_parts"
    "  WHEN (SELECT digest FROM runs WHERE id = OLD.run_id) IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: baselines cannot be deleted'); END;"
    "CREATE TRIGGER baseline_parts_open_run BEFORE INSERT ON baseline_parts"
    "  WHEN (SELECT digest FROM runs WHERE id = NEW.run_id) IS NOT NULL"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: this run is sealed'); END;",
    /* 6 (SCHEMA_WAIVERS): the waivers that applied to a run (runs.waivers, JSON) and, for a
     * failure one covered, its name (results.waiver). Such a row keeps status 'fail', what
     * the check found (the CHECK above allows nothing else), and reads as waived. */
    "ALTER TABLE runs ADD COLUMN waivers TEXT; ALTER TABLE results ADD COLUMN waiver TEXT;",
    /* 7 (SCHEMA_APPROVALS): signed approvals of sealed gate runs (docs/approvals.md), each
     * sealed on insert into the approval chain (chain_pos, prev_digest, digest) and never
     * changed or removed after. */
    "CREATE TABLE approvals ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs (id),"
    "  statement TEXT NOT NULL,"
    "  signature BLOB NOT NULL,"
    "  tsr BLOB,"
    "  signer TEXT NOT NULL,"
    "  fingerprint TEXT NOT NULL,"
    "  approved_at TEXT NOT NULL,"
    "  note TEXT NOT NULL,"
    "  chain_pos INTEGER NOT NULL UNIQUE,"
    "  prev_digest TEXT,"
    "  digest TEXT NOT NULL"
    ");"
    "CREATE INDEX approvals_run ON approvals (run_id);"
    "CREATE TRIGGER approvals_append_only_update BEFORE UPDATE ON approvals"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: approvals cannot change'); END;"
    "CREATE TRIGGER approvals_append_only_delete BEFORE DELETE ON approvals"
    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: approvals cannot be deleted'); END;"
    "CREATE TRIGGER approvals_sealed_run BEFORE INSERT ON approvals"
    "  WHEN (SELECT digest FROM runs WHERE id = NEW.run_id) IS NULL"
    "  BEGIN SELECT RAISE(ABORT, 'only a sealed run can be approved'); END;",
    /* 8 (SCHEMA_TARGET_NAMES): the named target a run ran against ([target "NAME"],
     * docs/fleet.md). NULL for the bare [target] and every run before: their canonical
     * form, and so their digests, are unchanged (evidence/chain.h). */
    ("ALTER TABLE runs ADD COLUMN target_name TEXT;"
     "CREATE INDEX runs_by_target_name ON runs (target_name, kind, id);"),
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

static const char *const guard_triggers[] = {
    "runs_append_only_delete",      "runs_append_only_update",      "results_append_only_update",
    "results_append_only_delete",   "results_open_run",             "baselines_append_only_update",
    "baselines_append_only_delete", "baselines_open_run",
    "drills_append_only_delete",    "drills_append_only_update",    "drills_fixed_at_start",
    "drill_phases_append_only_update", "drill_phases_append_only_delete",
    "drill_phases_open_drill",      "baseline_parts_append_only_update",
    "baseline_parts_sealed_delete", "baseline_parts_open_run",      "approvals_append_only_update",
    "approvals_append_only_delete", "approvals_sealed_run",         NULL};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define STORE_BUSY_MS 30000
#define STORE_INTERRUPT_GRACE_MS 1000

/* Wait for another process's lock on the store, at most STORE_BUSY_MS, but give up soon
 * after SIGINT or SIGTERM (src/interrupt.c): a person who pressed ^C must not wait 30 s.
 * The short grace lets a run interrupted while checking still be sealed as aborted when
 * another process holds the lock only for the moment of its own seal. */
static int on_busy(void *arg, int count)
{
    sqlite_store *st = arg;
    int64_t now = mono_ms();
    if (count == 0) {
        st->busy_since_ms = now;
        st->interrupted_at_ms = 0;
    }
    if (interrupt_requested()) {
        if (!st->interrupted_at_ms)
            st->interrupted_at_ms = now;
        if (now - st->interrupted_at_ms >= STORE_INTERRUPT_GRACE_MS)
            return 0;
    }
    if (now - st->busy_since_ms >= STORE_BUSY_MS)
        return 0;
    struct timespec pause = {0, 20 * 1000000L};
    nanosleep(&pause, NULL); /* a signal ends it early, which is what we want */
    return 1;
}

/* SQLite's message, or ours when the wait for the lock was cut short by an interrupt. */
static const char *db_message(sqlite_store *st, const char *msg)
{
    if ((sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY && interrupt_requested())
        return "interrupted while waiting for another process's lock on the store";
    return msg ? msg : sqlite3_errmsg(st->db);
}

vexit store_db_error(sqlite_store *st, verr *e, const char *what)
{
    return verr_set(e, VOUCH_ABORTED, "store \"%s\": could not %s: %s", st->path, what,
                    db_message(st, NULL));
}

vexit store_exec(sqlite_store *st, const char *sql, const char *what, verr *e)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        verr_set(e, VOUCH_ABORTED, "store \"%s\": could not %s: %s", st->path, what,
                 db_message(st, msg));
        sqlite3_free(msg);
        return e->code;
    }
    return VOUCH_OK;
}

vexit store_prepare(sqlite_store *st, sqlite3_stmt **stmt, const char *sql, verr *e)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return store_db_error(st, e, "prepare a statement");
    return VOUCH_OK;
}

/* The one door into the store for text: what passes is valid UTF-8 (a byte that is not is
 * shown as \xHH), whatever the server's or the configuration's encoding, and otherwise
 * stored as it was read: a baseline or a result holds what the database said, even when a
 * password happens to be a role's or a schema's name. Digests are computed from what the
 * store holds, so they cover the text as stored. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (!v) {
        sqlite3_bind_null(s, i);
        return;
    }
    sqlite3_bind_text(s, i, utf8_escape_invalid(v), -1, free);
}

/* The texts that can carry a secret vouch was given (a run's error: libpq's or the server's
 * message; a drill's notes and error): every remembered secret masked (src/redact.h). */
void store_bind_masked(sqlite3_stmt *s, int i, const char *v)
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

void store_rollback(sqlite_store *st)
{
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}


static vexit read_schema_version(sqlite_store *st, int *version, verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, "PRAGMA user_version", e);
    if (rc)
        return rc;
    int step = sqlite3_step(s);
    *version = step == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    if (step != SQLITE_ROW)
        return store_db_error(st, e, "read its schema version");
    if (*version > N_MIGRATIONS)
        return verr_set(e, VOUCH_ABORTED,
                        "store \"%s\" has schema version %d; this vouch knows up to %d", st->path,
                        *version, N_MIGRATIONS);
    return VOUCH_OK;
}

static vexit migrate(sqlite_store *st, verr *e)
{
    /* Most opens find the schema current and need no lock for it. */
    vexit rc = read_schema_version(st, &st->schema, e);
    if (rc || st->schema == N_MIGRATIONS)
        return rc;
    if ((rc = store_exec(st, "BEGIN IMMEDIATE", "lock the store to migrate it", e)))
        return rc;
    int version;
    if ((rc = read_schema_version(st, &version, e))) { /* another process may have migrated it */
        store_rollback(st);
        return rc;
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
    if ((rc = store_exec(st, "COMMIT", "commit its schema", e))) {
        store_rollback(st);
        return rc;
    }
    st->schema = N_MIGRATIONS;
    return VOUCH_OK;
}

int store_schema(const sqlite_store *st)
{
    return st->schema;
}

/* ---------------------------------------------------------------- head file */

void store_anchor_append(sqlite_store *st, const char *chain, int64_t pos, const char *digest)
{
    if (st->anchor_fd < 0) {
        snprintf(st->anchor_problem, sizeof st->anchor_problem,
                 "could not record %s chain position %lld in head file \"%s\": %s", chain,
                 (long long)pos, st->anchor,
                 st->anchor_errno ? strerror(st->anchor_errno) : "the store was opened read-only");
        return;
    }
    /* A line cut short by an earlier write that did not finish (a full disk) is ended
     * first, so this one stands on its own; verify reads the cut one as anchoring nothing. */
    char last = '\n';
    struct stat sb;
    if (fstat(st->anchor_fd, &sb) == 0 && sb.st_size > 0 &&
        pread(st->anchor_fd, &last, 1, sb.st_size - 1) != 1)
        last = '\n';
    char line[160];
    int n = snprintf(line, sizeof line, "%s%s %lld %s\n", last == '\n' ? "" : "\n", chain,
                     (long long)pos, digest);
    /* One write on an O_APPEND descriptor: lines of processes sealing at once never mix. */
    if (n <= 0 || (size_t)n >= sizeof line || write(st->anchor_fd, line, (size_t)n) != n ||
        fsync(st->anchor_fd) != 0)
        snprintf(st->anchor_problem, sizeof st->anchor_problem,
                 "could not record %s chain position %lld in head file \"%s\": %s", chain,
                 (long long)pos, st->anchor, strerror(errno));
}

static void anchor_open(sqlite_store *st)
{
    /* Made now, before this process seals anything: a head file that is missing
     * afterwards was removed, never merely not yet written. */
    st->anchor_fd = open(st->anchor, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (st->anchor_fd < 0)
        st->anchor_errno = errno;
}

const char *sqlite_be_anchor(const sqlite_store *st)
{
    return st->anchor;
}

const char *sqlite_be_anchor_problem(const sqlite_store *st)
{
    return st->anchor_problem;
}

/* ---------------------------------------------------------------- reaping */

/* Runs still running, begun on this host by a process that no longer exists. */
static vexit orphan_ids(sqlite_store *st, int64_t **ids, size_t *n, verr *e)
{
    *ids = NULL;
    *n = 0;
    char host[256];
    store_this_host(host, sizeof host);
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                             "SELECT id, pid FROM runs WHERE status = 'running' AND digest IS NULL"
                             " AND host = ?1 ORDER BY id",
                             e);
    if (rc)
        return rc;
    store_bind_text(s, 1, host);
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (store_process_gone(sqlite3_column_int64(s, 1))) {
            grow((void **)ids, &cap, *n + 1, sizeof **ids);
            (*ids)[(*n)++] = sqlite3_column_int64(s, 0);
        }
    }
    sqlite3_finalize(s);
    if (step != SQLITE_DONE) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return store_db_error(st, e, "look for abandoned runs");
    }
    return VOUCH_OK;
}

static vexit seal(sqlite_store *st, run_record *r, bool insert_rows, verr *e);

/* Runs left running by a dead process of this host are sealed as aborted, so that an
 * interrupted run never looks unfinished (or passed) forever. Several processes may
 * open the store at once and find the same orphans: they are looked for again inside
 * one write transaction, so one process seals them and the others find nothing left.
 * Their results stay as stored (a run may have some before it died); none is added. */
static vexit reap_orphans(sqlite_store *st, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = orphan_ids(st, &ids, &n, e);
    free(ids);
    if (rc || n == 0)
        return rc;
    if ((rc = store_exec(st, "BEGIN IMMEDIATE", "lock the store to seal abandoned runs", e)))
        return rc;
    if ((rc = orphan_ids(st, &ids, &n, e))) {
        store_rollback(st);
        return rc;
    }
    int64_t *pos = xcalloc(n ? n : 1, sizeof *pos);
    char (*digests)[DIGEST_HEX_LEN + 1] = xcalloc(n ? n : 1, sizeof *digests);
    for (size_t i = 0; i < n && !rc; i++) {
        run_record *r;
        if ((rc = sqlite_be_load_run(st, ids[i], &r, e)))
            break;
        store_run_abandoned(r);
        if (!(rc = seal(st, r, false, e))) {
            pos[i] = r->chain_pos;
            snprintf(digests[i], sizeof digests[i], "%s", r->digest);
        }
        run_record_free(r);
    }
    if (!rc && (rc = store_exec(st, "COMMIT", "commit the abandoned runs", e)) == VOUCH_OK)
        for (size_t i = 0; i < n; i++)
            store_anchor_append(st, "run", pos[i], digests[i]);
    if (rc)
        store_rollback(st);
    free(pos);
    free(digests);
    free(ids);
    return rc;
}

/* ---------------------------------------------------------------- opening */

static vexit connect_db(sqlite_store *st, const char *name, int flags, verr *e)
{
    if (sqlite3_open_v2(name, &st->db, flags, NULL) != SQLITE_OK) {
        vexit rc = verr_set(e, VOUCH_ABORTED, "could not open store \"%s\": %s", st->path,
                            st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sqlite3_close(st->db);
        st->db = NULL;
        return rc;
    }
    sqlite3_busy_handler(st->db, on_busy, st);
    sqlite3_extended_result_codes(st->db, 1);
    return VOUCH_OK;
}

static vexit open_write(sqlite_store *st, verr *e)
{
    int flags = SQLITE_OPEN_READWRITE | (st->mode == STORE_CREATE ? SQLITE_OPEN_CREATE : 0);
    vexit rc = connect_db(st, st->path, flags, e);
    if (rc)
        return rc;
    /* synchronous FULL: a run is on disk when COMMIT returns, before its line is appended
     * to the head file, so a power cut cannot leave the head file ahead of the store. */
    if ((rc = store_exec(st, "PRAGMA journal_mode = WAL", "switch to WAL", e)) ||
        (rc = store_exec(st, "PRAGMA foreign_keys = ON", "enable foreign keys", e)) ||
        (rc = store_exec(st, "PRAGMA synchronous = FULL", "set synchronous", e)) ||
        (rc = migrate(st, e)))
        return rc;
    anchor_open(st);
    if ((rc = reap_orphans(st, e)) || (rc = sqlite_be_reap_drills(st, e)))
        return rc;
    return VOUCH_OK;
}

/* "file:PATH?immutable=1" with PATH percent-encoded (RFC 3986 unreserved kept). */
static char *immutable_uri(const char *path)
{
    textbuf t = {0};
    textbuf_add(&t, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            textbuf_add(&t, "%c", *p);
        else
            textbuf_add(&t, "%%%02X", *p);
    }
    textbuf_add(&t, "?immutable=1");
    return t.p;
}

/* Whether the store's write-ahead log holds anything not yet in the store file. */
static bool wal_pending(const char *path)
{
    char *wal = xasprintf("%s-wal", path);
    struct stat sb;
    bool pending = stat(wal, &sb) == 0 && sb.st_size > 0;
    free(wal);
    return pending;
}

/* Read-only: SQLITE_OPEN_READONLY, which reads a WAL store whose -shm it can use or
 * make. Where it can do neither (a folder or mount it cannot write) and the log is
 * empty, the store file is the whole store, and it is opened as immutable. */
static vexit open_read(sqlite_store *st, verr *e)
{
    vexit rc = connect_db(st, st->path, SQLITE_OPEN_READONLY, e);
    if (rc)
        return rc;
    if (sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", sqlite3_errmsg(st->db));
        sqlite3_close(st->db);
        st->db = NULL;
        if (wal_pending(st->path)) {
            verr_set(e, VOUCH_ABORTED, "could not read store \"%s\": %s", st->path, why);
            verr_hint(e, "Its -wal file holds changes this user cannot read in place; open it "
                         "once where it can be written, or read a copy made with sqlite3's "
                         ".backup.");
            return e->code;
        }
        char *uri = immutable_uri(st->path);
        rc = connect_db(st, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, e);
        free(uri);
        if (rc)
            return rc;
    }
    if ((rc = read_schema_version(st, &st->schema, e)) ||
        (rc = store_exec(st, "PRAGMA query_only = ON", "open it read-only", e)))
        return rc;
    if (st->schema == 0)
        return verr_set(e, VOUCH_USAGE, "\"%s\" is not a vouch store (it has no schema)", st->path);
    return VOUCH_OK;
}

vexit sqlite_be_open_at(sqlite_store **out, const char *path, const char *anchor, store_mode mode, verr *e)
{
    *out = NULL;
    if (mode != STORE_CREATE && access(path, F_OK) != 0)
        return verr_set(e, VOUCH_USAGE, "no store at \"%s\"", path);
    sqlite_store *st = xcalloc(1, sizeof *st);
    st->base.be = &store_sqlite_backend;
    st->path = xstrdup(path);
    st->anchor = anchor ? xstrdup(anchor) : xasprintf("%s.head", path);
    st->mode = mode;
    st->anchor_fd = -1;
    vexit rc = mode == STORE_READ ? open_read(st, e) : open_write(st, e);
    if (rc) {
        sqlite_be_close(st);
        return rc;
    }
    *out = st;
    return VOUCH_OK;
}

void sqlite_be_close(sqlite_store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    if (st->anchor_fd >= 0)
        close(st->anchor_fd);
    free(st->path);
    free(st->anchor);
    free(st);
}

const char *sqlite_be_path(const sqlite_store *st)
{
    return st->path;
}

sqlite3 *store_sqlite(sqlite_store *st)
{
    return st->db;
}

vexit sqlite_be_run_begin_with(sqlite_store *st, run_kind kind, const char *target, int64_t baseline_id,
                           const char *checks, const run_start *how, int64_t *id, verr *e)
{
    char now[40], host[256];
    utc_now(now, sizeof now);
    store_this_host(host, sizeof host);
    run_start none = {0};
    if (!how)
        how = &none;
    /* A gate or check run while a drill is open belongs to it (docs/drills.md). */
    int64_t drill = 0;
    vexit rc;
    if (kind != RUN_BASELINE && (rc = sqlite_be_open_drill(st, &drill, e)))
        return rc;
    sqlite3_stmt *s;
    rc = store_prepare(st, &s,
                       "INSERT INTO runs (kind, status, started_at, target, baseline_id, checks,"
                       " vouch_version, host, pid, incident_at, started_by, ci_job, drill_id,"
                       " target_name)"
                       " VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
    store_bind_text(s, 9, how->incident_at);
    store_bind_text(s, 10, how->started_by);
    store_bind_text(s, 11, how->ci_job);
    if (drill)
        sqlite3_bind_int64(s, 12, drill);
    else
        sqlite3_bind_null(s, 12);
    store_bind_text(s, 13, how->target_name);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "record the start of a run");
    sqlite3_finalize(s);
    if (!rc)
        *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static vexit insert_results(sqlite_store *st, const run_record *r, verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                       "INSERT INTO results (run_id, seq, check_name, subject, status, expected,"
                       " observed, reason, detail, facts, waiver)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                       e);
    int64_t seq = 0;
    for (size_t i = 0; !rc && i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (x->status == RESULT_NOT_EVALUATED) /* runs.not_evaluated holds these */
            continue;
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, r->id);
        sqlite3_bind_int64(s, 2, ++seq);
        store_bind_text(s, 3, x->check);
        store_bind_text(s, 4, x->subject);
        /* a waived failure is stored as what the check found, with the waiver's name */
        bool waived = x->status == RESULT_WAIVED && x->waiver;
        store_bind_text(s, 5, result_status_name(waived ? RESULT_FAIL : x->status));
        store_bind_text(s, 6, x->expected);
        store_bind_text(s, 7, x->observed);
        store_bind_text(s, 8, x->reason ? x->reason : "");
        store_bind_text(s, 9, x->detail);
        store_bind_text(s, 10, x->facts);
        store_bind_text(s, 11, waived ? x->waiver : NULL);
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

static vexit chain_head(sqlite_store *st, int64_t *pos, char **digest, verr *e)
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

vexit sqlite_be_head(sqlite_store *st, store_heads *out, verr *e)
{
    *out = (store_heads){0};
    int64_t pos;
    char *digest;
    vexit rc = chain_head(st, &pos, &digest, e);
    if (rc)
        return rc;
    out->run_pos = pos;
    snprintf(out->run_digest, sizeof out->run_digest, "%s", digest ? digest : "");
    free(digest);
    if (st->schema < 2) /* a store from before drills, read where it lies */
        return VOUCH_OK;
    if ((rc = store_drill_chain_head(st, &pos, &digest, e)))
        return rc;
    out->drill_pos = pos;
    snprintf(out->drill_digest, sizeof out->drill_digest, "%s", digest ? digest : "");
    free(digest);
    if ((rc = store_approval_chain_head(st, &pos, &digest, e)))
        return rc;
    out->approval_pos = pos;
    snprintf(out->approval_digest, sizeof out->approval_digest, "%s", digest ? digest : "");
    free(digest);
    return VOUCH_OK;
}

/* Seal run r (still running) in the open transaction: its results and baselines when
 * insert_rows (a reaped run keeps what it has), its end, its place in the chain and its
 * digest. */
static vexit seal(sqlite_store *st, run_record *r, bool insert_rows, verr *e)
{
    vexit rc = insert_rows ? insert_results(st, r, e) : VOUCH_OK;
    if (!rc && strcmp(r->status, "captured") != 0)
        rc = store_parts_drop(st, r->id, e);
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
                      " snapshot_time = ?10, database = ?11, chain_pos = ?12, prev_digest = ?13,"
                      " not_evaluated = ?14, waivers = ?15"
                      " WHERE id = ?1 AND status = 'running' AND digest IS NULL",
                      e)))
        return rc;
    char *unevaluated = store_not_evaluated_text(r);
    sqlite3_bind_text(s, 14, unevaluated, -1, free);
    store_bind_text(s, 15, r->waivers);
    sqlite3_bind_int64(s, 1, r->id);
    store_bind_text(s, 2, r->status);
    store_bind_text(s, 3, r->finished_at);
    store_bind_text(s, 4, r->target);
    store_bind_masked(s, 5, r->error);
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

    /* The digest is computed from what the store now holds, exactly as verify will, in
     * the current canonical form (host and pid included). */
    run_record *stored;
    if ((rc = sqlite_be_load_run(st, r->id, &stored, e)))
        return rc;
    char digest[DIGEST_HEX_LEN + 1];
    stored->canon_version = RUN_CANON_CURRENT;
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

vexit sqlite_be_run_finish(sqlite_store *st, run_record *r, verr *e)
{
    if (st->mode == STORE_READ)
        return verr_set(e, VOUCH_ABORTED, "store \"%s\" was opened read-only", st->path);
    vexit rc = store_exec(st, "BEGIN IMMEDIATE", "lock the store", e);
    if (rc)
        return rc;
    if ((rc = seal(st, r, true, e)) || (rc = store_exec(st, "COMMIT", "commit a run", e))) {
        store_rollback(st);
        return rc;
    }
    /* After COMMIT: a line never names a run the store does not hold. A process that
     * dies between the two leaves the run sealed but unanchored, which verify says. */
    store_anchor_append(st, "run", r->chain_pos, r->digest);
    return VOUCH_OK;
}

static const char run_columns[] =
    "id, kind, status, started_at, finished_at, target, baseline_id, checks, error, vouch_version,"
    " server_version, system_identifier, timeline, lsn, snapshot_time, database, chain_pos,"
    " prev_digest, digest, host, pid";
/* Beside run_columns in a store migrated to 3 or later. */
static const char run_columns_3[] = ", incident_at, started_by, ci_job, not_evaluated";
/* And beside those from SCHEMA_WAIVERS on. */
static const char run_columns_waivers[] = ", waivers";
/* And from SCHEMA_TARGET_NAMES on. */
static const char run_columns_targets[] = ", target_name";

vexit sqlite_be_load_run(sqlite_store *st, int64_t id, run_record **out, verr *e)
{
    *out = NULL;
    bool v3 = st->schema >= 3; /* a store read where it lies may be older */
    bool vw = st->schema >= SCHEMA_WAIVERS;
    bool vt = st->schema >= SCHEMA_TARGET_NAMES;
    char *sql = xasprintf("SELECT %s%s%s%s%s FROM runs WHERE id = ?1", run_columns,
                          v3 ? run_columns_3 : "",
                          st->schema >= SCHEMA_DRILL_POLICY ? ", drill_id" : "",
                          vw ? run_columns_waivers : "", vt ? run_columns_targets : "");
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
    r->host = store_col_text(s, 19);
    r->pid = sqlite3_column_int64(s, 20);
    if (v3) {
        r->incident_at = store_col_text(s, 21);
        r->started_by = store_col_text(s, 22);
        r->ci_job = store_col_text(s, 23);
        r->not_evaluated = store_col_text(s, 24);
    }
    if (st->schema >= SCHEMA_DRILL_POLICY)
        r->drill_id = sqlite3_column_int64(s, 25);
    if (vw) /* after drill_id: a store with waivers has it */
        r->waivers = store_col_text(s, 26);
    if (vt) /* after waivers, likewise */
        r->target_name = store_col_text(s, 27);
    sqlite3_finalize(s);

    size_t cap = 0;
    rc = store_prepare(st, &s,
                 vw   ? "SELECT check_name, subject, status, expected, observed, reason, detail,"
                        " facts, waiver FROM results WHERE run_id = ?1 ORDER BY seq"
                 : v3 ? "SELECT check_name, subject, status, expected, observed, reason, detail,"
                        " facts, NULL FROM results WHERE run_id = ?1 ORDER BY seq"
                      : "SELECT check_name, subject, status, expected, observed, reason, detail,"
                        " NULL, NULL FROM results WHERE run_id = ?1 ORDER BY seq",
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
            x->facts = store_col_text(s, 7);
            x->waiver = store_col_text(s, 8);
            /* a failure a waiver covered; the waiver's name on any other row is an edit,
             * kept so that the canonical form shows it and verify names it */
            if (x->waiver && x->status == RESULT_FAIL)
                x->status = RESULT_WAIVED;
        }
        sqlite3_finalize(s);
        store_not_evaluated_rows(r, &cap);
    }
    cap = 0;
    if (!rc && !(rc = store_prepare(st, &s,
                              "SELECT check_name, content FROM baselines WHERE run_id = ?1"
                              " ORDER BY check_name",
                              e))) {
        sqlite3_bind_int64(s, 1, id);
        while (sqlite3_step(s) == SQLITE_ROW) {
            grow((void **)&r->baselines, &cap, r->n_baselines + 1, sizeof *r->baselines);
            r->baselines[r->n_baselines++] = (baseline_doc){.check = store_col_text(s, 0), .content = store_col_text(s, 1)};
        }
        sqlite3_finalize(s);
        rc = store_parts_attach(st, r, e);
    }
    if (rc) {
        run_record_free(r);
        return rc;
    }
    r->canon_version = r->digest ? store_sealed_version(r) : RUN_CANON_CURRENT;
    *out = r;
    return VOUCH_OK;
}

/* The ids sql selects, with bind as ?1 (when not 0) and text as ?2 (when not NULL). */
static vexit collect_ids(sqlite_store *st, const char *sql, int64_t bind, const char *text,
                         int64_t **ids, size_t *n, verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, sql, e);
    if (rc)
        return rc;
    if (bind)
        sqlite3_bind_int64(s, 1, bind);
    if (text)
        store_bind_text(s, 2, text);
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

vexit sqlite_be_list_runs(sqlite_store *st, int64_t limit, const char *target_name, int64_t **ids,
                          size_t *n, verr *e)
{
    bool names = st->schema >= SCHEMA_TARGET_NAMES; /* a store read where it lies may be older */
    const char *sql = !target_name ? "SELECT id FROM runs ORDER BY id DESC LIMIT ?1"
                      : names      ? "SELECT id FROM runs WHERE target_name = ?2"
                                     " ORDER BY id DESC LIMIT ?1"
                                   : "SELECT id FROM runs WHERE ?2 IS NULL ORDER BY id DESC"
                                     " LIMIT ?1";
    return collect_ids(st, sql, limit > 0 ? limit : -1, target_name, ids, n, e);
}

vexit sqlite_be_latest_runs(sqlite_store *st, int64_t **ids, size_t *n, verr *e)
{
    char *sql = xasprintf("%s%s",
                       "SELECT max(id) FROM runs WHERE kind IN ('gate', 'baseline')"
                       " AND chain_pos IS NOT NULL AND digest IS NOT NULL",
                       st->schema >= SCHEMA_TARGET_NAMES
                           ? " GROUP BY kind, coalesce(target_name, target), target_name IS NULL"
                             " ORDER BY 1 DESC LIMIT ?1"
                           : " GROUP BY kind, target ORDER BY 1 DESC LIMIT ?1");
    vexit rc = collect_ids(st, sql, -1, NULL, ids, n, e);
    free(sql);
    return rc;
}

vexit sqlite_be_latest_passed_runs(sqlite_store *st, int64_t **ids, size_t *n, verr *e)
{
    /* per target as vouch_last_run_* are (sqlite_be_latest_runs) */
    return collect_ids(st,
                       st->schema >= SCHEMA_TARGET_NAMES
                           ? "SELECT max(id) FROM runs WHERE kind = 'gate' AND status = 'passed'"
                             " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                             " GROUP BY coalesce(target_name, target), target_name IS NULL"
                             " ORDER BY 1 DESC LIMIT ?1"
                           : "SELECT max(id) FROM runs WHERE kind = 'gate' AND status = 'passed'"
                             " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                             " GROUP BY target ORDER BY 1 DESC LIMIT ?1",
                       -1, NULL, ids, n, e);
}

/* The subject is the runner's NEGCTL_SUBJECT (src/runner.h). */
vexit sqlite_be_last_negative_control(sqlite_store *st, const char *target_name, bool any_target,
                                      int64_t *id, verr *e)
{
    int64_t *ids;
    size_t n;
    /* ?2 IS target_name: equal, or both NULL (the bare [target]); before target names every
     * run is of the bare [target] */
    const char *of_target = any_target                           ? ""
                            : st->schema >= SCHEMA_TARGET_NAMES ? " AND r.target_name IS ?2"
                                                                : " AND ?2 IS NULL";
    char sql[640];
    snprintf(sql, sizeof sql,
             "SELECT r.id FROM runs r WHERE r.kind = 'gate'"
             " AND r.chain_pos IS NOT NULL AND r.digest IS NOT NULL%s"
             " AND EXISTS (SELECT 1 FROM results x WHERE x.run_id = r.id"
             "   AND x.subject = '(negative control)')"
             " AND NOT EXISTS (SELECT 1 FROM results x WHERE x.run_id = r.id"
             "   AND x.subject = '(negative control)' AND x.status <> 'pass')"
             " ORDER BY r.id DESC LIMIT ?1",
             of_target);
    vexit rc = collect_ids(st, sql, 1, any_target ? NULL : target_name, &ids, &n, e);
    if (rc)
        return rc;
    *id = n ? ids[0] : 0;
    free(ids);
    return VOUCH_OK;
}

vexit sqlite_be_latest_baseline(sqlite_store *st, const char *target_name, int64_t *id, verr *e)
{
    int64_t *ids;
    size_t n;
    /* ?2 IS target_name: equal, or both NULL (the bare [target]) */
    const char *sql = st->schema >= SCHEMA_TARGET_NAMES
                          ? "SELECT id FROM runs WHERE kind = 'baseline' AND status = 'captured'"
                            " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                            " AND target_name IS ?2 ORDER BY id DESC LIMIT 1"
                          : "SELECT id FROM runs WHERE kind = 'baseline' AND status = 'captured'"
                            " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                            " AND ?2 IS NULL ORDER BY id DESC LIMIT 1";
    vexit rc = collect_ids(st, sql, 0, target_name, &ids, &n, e);
    if (rc)
        return rc;
    if (n == 0) {
        free(ids);
        if (target_name) {
            char *shown = utf8_show(target_name, 0);
            verr_set(e, VOUCH_USAGE, "store \"%s\" holds no baseline of target %s", st->path,
                     shown);
            verr_hint(e, "Run 'vouch baseline --target-name %s' against its healthy database"
                         " first.", shown);
            free(shown);
            return e->code;
        }
        verr_set(e, VOUCH_USAGE, "store \"%s\" holds no baseline", st->path);
        verr_hint(e, "Run 'vouch baseline' against the healthy database first.");
        return e->code;
    }
    *id = ids[0];
    free(ids);
    return VOUCH_OK;
}

vexit sqlite_be_check_baseline(sqlite_store *st, int64_t id, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = collect_ids(st,
                           "SELECT id FROM runs WHERE kind = 'baseline' AND status = 'captured'"
                           " AND chain_pos IS NOT NULL AND digest IS NOT NULL AND id = ?1",
                           id, NULL, &ids, &n, e);
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

static bool is_guard(const char *type, const char *name)
{
    if (strcmp(type, "trigger") != 0)
        return false;
    for (size_t i = 0; guard_triggers[i]; i++)
        if (strcmp(guard_triggers[i], name) == 0)
            return true;
    return false;
}

static const char schema_sql[] =
    "SELECT type, name, tbl_name, sql FROM sqlite_master"
    " WHERE type IN ('table', 'index', 'trigger', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    " ORDER BY type, name";

static bool same_text(const unsigned char *a, const unsigned char *b)
{
    return (!a && !b) || (a && b && strcmp((const char *)a, (const char *)b) == 0);
}

/* The store's tables, indexes and triggers against those its migrations make, by their
 * full SQL: a trigger dropped, replaced by one of the same name that does nothing, or
 * added is named. The expected schema is made by running the migrations the store has
 * had on an empty database in memory. */
static vexit verify_schema(sqlite_store *st, store_verdict *v, verr *e)
{
    sqlite3 *mem = NULL;
    if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(mem);
        return verr_set(e, VOUCH_ABORTED, "could not open an in-memory database to check the"
                                          " schema of store \"%s\"", st->path);
    }
    vexit rc = VOUCH_OK;
    for (int i = 0; i < st->schema && !rc; i++)
        if (sqlite3_exec(mem, migrations[i], NULL, NULL, NULL) != SQLITE_OK)
            rc = verr_set(e, VOUCH_ABORTED, "could not rebuild the schema of store \"%s\": %s",
                          st->path, sqlite3_errmsg(mem));
    sqlite3_stmt *want = NULL, *have = NULL, *find_have = NULL, *find_want = NULL;
    if (!rc && (sqlite3_prepare_v2(mem, schema_sql, -1, &want, NULL) != SQLITE_OK ||
                sqlite3_prepare_v2(mem, "SELECT 1 FROM sqlite_master WHERE type = ?1 AND name = ?2",
                                   -1, &find_want, NULL) != SQLITE_OK))
        rc = verr_set(e, VOUCH_ABORTED, "could not read the rebuilt schema: %s", sqlite3_errmsg(mem));
    if (!rc && !(rc = store_prepare(st, &have, schema_sql, e)))
        rc = store_prepare(st, &find_have,
                           "SELECT tbl_name, sql FROM sqlite_master WHERE type = ?1 AND name = ?2", e);
    /* Everything the migrations made is there, the same. */
    while (!rc && v->ok && sqlite3_step(want) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(want, 0);
        const char *name = (const char *)sqlite3_column_text(want, 1);
        const char *what = is_guard(type, name) ? "append-only trigger" : type;
        sqlite3_reset(find_have);
        store_bind_text(find_have, 1, type);
        store_bind_text(find_have, 2, name);
        int step = sqlite3_step(find_have);
        if (step == SQLITE_DONE)
            broken(v, 0, "%s %s is missing: the store has been altered", what, name);
        else if (step != SQLITE_ROW)
            rc = store_db_error(st, e, "read its schema");
        else if (!same_text(sqlite3_column_text(want, 2), sqlite3_column_text(find_have, 0)) ||
                 !same_text(sqlite3_column_text(want, 3), sqlite3_column_text(find_have, 1)))
            broken(v, 0, "%s %s is not the one vouch created (its SQL differs): the store has been"
                   " altered", what, name);
    }
    /* Nothing else was added beside them. */
    while (!rc && v->ok && sqlite3_step(have) == SQLITE_ROW) {
        sqlite3_reset(find_want);
        sqlite3_bind_text(find_want, 1, (const char *)sqlite3_column_text(have, 0), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(find_want, 2, (const char *)sqlite3_column_text(have, 1), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(find_want) != SQLITE_ROW)
            broken(v, 0, "%s %s was not created by vouch: the store has been altered",
                   (const char *)sqlite3_column_text(have, 0),
                   (const char *)sqlite3_column_text(have, 1));
    }
    sqlite3_finalize(want);
    sqlite3_finalize(find_want);
    sqlite3_finalize(have);
    sqlite3_finalize(find_have);
    sqlite3_close(mem);
    return rc;
}

/* The chains the head file records, by the word that starts each of its lines. */
typedef enum chain_kind { CHAIN_RUN, CHAIN_DRILL, CHAIN_APPROVAL } chain_kind;
static const char *const chain_words[] = {"run", "drill", "approval"};

/* The digest at chain position pos of runs, drills or approvals into *digest (NULL: none
 * there). */
static vexit digest_at(sqlite_store *st, chain_kind kind, int64_t pos, char **digest, verr *e)
{
    *digest = NULL;
    static const char *const sql[] = {"SELECT digest FROM runs WHERE chain_pos = ?1",
                                      "SELECT digest FROM drills WHERE chain_pos = ?1",
                                      "SELECT digest FROM approvals WHERE chain_pos = ?1"};
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, sql[kind], e);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, pos);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW)
        *digest = store_col_text(s, 0);
    sqlite3_finalize(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_db_error(st, e, "read a digest");
    return VOUCH_OK;
}

static bool is_digest(const char *s)
{
    if (strlen(s) != DIGEST_HEX_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static void note_add(store_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_add(store_verdict *v, const char *fmt, ...)
{
    size_t used = strlen(v->note);
    if (used && used + 1 < sizeof v->note)
        v->note[used++] = '\n';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->note + used, sizeof v->note - used, fmt, ap);
    va_end(ap);
}

/* A line that is the start of "run|drill|approval POS DIGEST" and no more: the write of a
 * seal that did not finish (a full disk, a crash inside write). It anchors nothing; cutting
 * a line short is no more than deleting it, which the head file cannot catch anyway. */
static bool anchor_line_torn(const char *line)
{
    const char *p = line;
    size_t len = strlen(p);
    bool word = false;
    for (size_t k = 0; k < 3 && !word; k++) {
        size_t n = strlen(chain_words[k]);
        if (len <= n && strncmp(chain_words[k], p, len) == 0)
            return true;
        if (strncmp(p, chain_words[k], n) == 0 && p[n] == ' ') {
            p += n + 1;
            word = true;
        }
    }
    if (!word)
        return false;
    size_t digits = strspn(p, "0123456789");
    if (!p[digits])
        return true;
    if (!digits || p[digits] != ' ')
        return false;
    p += digits + 1;
    size_t hex = strspn(p, "0123456789abcdef");
    return !p[hex] && hex < STORE_DIGEST_LEN;
}

/* The newest head file line of each chain, and how many were checked. */
typedef struct anchor_seen {
    int64_t max[3];
} anchor_seen;

/* One head file line "run|drill|approval POS DIGEST" against the store. */
static vexit check_anchor_line(sqlite_store *st, const store_heads *h, char *line, size_t lineno,
                               anchor_seen *seen, store_verdict *v, verr *e)
{
    line[strcspn(line, "\n")] = '\0';
    if (!*line || anchor_line_torn(line)) {
        if (*line)
            note_add(v, "head file %s line %zu was cut short (a write that did not finish, such as"
                     " on a full disk): it anchors nothing", st->anchor, lineno);
        return VOUCH_OK;
    }
    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    int64_t pos = 0;
    int kind = -1;
    const char *digest = "";
    if (sp2) {
        *sp1 = *sp2 = '\0';
        for (int k = 0; k < 3; k++)
            if (strcmp(line, chain_words[k]) == 0)
                kind = k;
        digest = sp2 + 1;
    }
    if (!sp2 || kind < 0 || !parse_int64(sp1 + 1, &pos) || pos < 1 || !is_digest(digest)) {
        broken(v, 0, "head file %s line %zu is not \"run|drill|approval POSITION DIGEST\": it was"
               " edited", st->anchor, lineno);
        return VOUCH_OK;
    }
    int64_t ends[] = {h->run_pos, h->drill_pos, h->approval_pos};
    int64_t end = ends[kind];
    const char *noun = chain_words[kind];
    if (pos > end) {
        broken(v, 0, "the store's %s chain ends at position %lld, but head file %s (line %zu)"
               " records position %lld: sealed %ss were cut from the store",
               noun, (long long)end, st->anchor, lineno, (long long)pos, noun);
        return VOUCH_OK;
    }
    char *have;
    vexit rc = digest_at(st, (chain_kind)kind, pos, &have, e);
    if (rc)
        return rc;
    if (!have || strcmp(have, digest) != 0)
        broken(v, 0, "%s chain position %lld has digest %.16s..., but head file %s (line %zu)"
               " records %.16s...: the chain was rewritten after it was recorded",
               noun, (long long)pos, have ? have : "(none)", st->anchor, lineno, digest);
    free(have);
    if (pos > seen->max[kind])
        seen->max[kind] = pos;
    if (kind == CHAIN_DRILL)
        v->anchored_drills++;
    else if (kind == CHAIN_APPROVAL)
        v->anchored_approvals++;
    else
        v->anchored_runs++;
    return VOUCH_OK;
}

/* The head file against the chains. first_current is the chain position of the first
 * run sealed in the current canonical form, by a vouch that records every run it
 * seals in the head file (0: none). */
static vexit verify_anchor(sqlite_store *st, int64_t first_current, store_verdict *v, verr *e)
{
    /* The file is measured before the store's heads are read: a line is appended only
     * after its run is committed, so every line within that size names a run the heads
     * then include, however many vouch processes seal meanwhile. */
    FILE *f = fopen(st->anchor, "r");
    if (!f && errno != ENOENT)
        return verr_set(e, VOUCH_ABORTED, "could not read head file \"%s\": %s", st->anchor,
                        strerror(errno));
    struct stat sb;
    off_t limit = f && fstat(fileno(f), &sb) == 0 ? sb.st_size : 0;
    store_heads h;
    vexit rc = sqlite_be_head(st, &h, e);
    if (rc) {
        if (f)
            fclose(f);
        return rc;
    }
    if (!f) {
        if (first_current) {
            broken(v, 0, "head file %s is missing, but the runs from chain position %lld on were"
                   " sealed by a vouch that records each one there: it was deleted or moved"
                   " (set [store] anchor where it is kept)", st->anchor, (long long)first_current);
            v->anchor_missing = true;
        }
        else if (h.run_pos || h.drill_pos)
            snprintf(v->note, sizeof v->note, "no head file %s: nothing anchors the chains"
                     " outside the store yet", st->anchor);
        return VOUCH_OK;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    anchor_seen seen = {{0, 0, 0}};
    while (!rc && v->ok && ftello(f) < limit && getline(&line, &cap, f) != -1)
        rc = check_anchor_line(st, &h, line, ++lineno, &seen, v, e);
    int64_t max_run = seen.max[CHAIN_RUN], max_drill = seen.max[CHAIN_DRILL];
    free(line);
    fclose(f);
    if (rc || !v->ok)
        return rc;
    /* Runs sealed after the newest line: a process that died between its COMMIT and its
     * line, or a head file put back from an older copy. Runs from before head files
     * (vouch-run/1) were never recorded and are not counted. */
    int64_t from = max_run + 1;
    if (first_current > from)
        from = first_current;
    if (first_current && h.run_pos >= from)
        note_add(v, "run chain positions %lld to %lld are sealed but not in head file %s: a vouch"
                 " ended between sealing and recording them, or the file was put back from an"
                 " older copy; they are not anchored",
                 (long long)from, (long long)h.run_pos, st->anchor);
    else if (max_drill && h.drill_pos > max_drill)
        note_add(v, "drill chain positions %lld to %lld are sealed but not in head file %s: a vouch"
                 " ended between sealing and recording them, or the file was put back from an"
                 " older copy; they are not anchored",
                 (long long)max_drill + 1, (long long)h.drill_pos, st->anchor);
    /* Every approval is recorded there (none was sealed before head files). */
    if (h.approval_pos > seen.max[CHAIN_APPROVAL])
        note_add(v, "approval chain positions %lld to %lld are sealed but not in head file %s: a"
                 " vouch ended between sealing and recording them, or the file was put back"
                 " from an older copy; they are not anchored",
                 (long long)seen.max[CHAIN_APPROVAL] + 1, (long long)h.approval_pos, st->anchor);
    return VOUCH_OK;
}

/* Recompute the run chain from position from (1: all of it) to its head; the run at
 * from links to whatever its prev_digest names. */
static vexit walk_runs(sqlite_store *st, int64_t from, store_verdict *v, int64_t *first_current, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = collect_ids(st,
                           "SELECT id FROM runs WHERE chain_pos IS NOT NULL AND chain_pos >= ?1"
                           " ORDER BY chain_pos",
                           from, NULL, &ids, &n, e);
    if (rc)
        return rc;
    run_walk w;
    run_walk_begin(&w, from);
    for (size_t i = 0; i < n && v->ok; i++) {
        run_record *r;
        if ((rc = sqlite_be_load_run(st, ids[i], &r, e)))
            break;
        char why[256];
        if (run_walk_step(&w, r, why, sizeof why))
            v->runs_checked++;
        else
            broken(v, r->id, "%s", why);
        run_record_free(r);
    }
    *first_current = w.first_current;
    run_walk_end(&w);
    free(ids);
    return rc;
}

vexit sqlite_be_verify(sqlite_store *st, store_verdict *v, verr *e)
{
    *v = (store_verdict){.ok = true};
    int64_t *ids;
    size_t n;
    int64_t first_current = 0;
    vexit rc = walk_runs(st, 1, v, &first_current, e);
    if (rc || !v->ok)
        return rc;
    /* A finished run outside the chain was never sealed or had its seal removed. */
    if ((rc = collect_ids(st,
                          "SELECT id FROM runs WHERE status <> 'running'"
                          " AND (chain_pos IS NULL OR digest IS NULL) ORDER BY id LIMIT 1",
                          0, NULL, &ids, &n, e)))
        return rc;
    if (n)
        broken(v, ids[0], "run %lld is finished but not sealed into the chain", (long long)ids[0]);
    free(ids);
    if (v->ok && st->schema >= 2)
        rc = sqlite_be_verify_drills(st, v, e);
    if (!rc && v->ok)
        rc = sqlite_be_verify_approvals(st, v, e);
    if (!rc && v->ok)
        rc = verify_schema(st, v, e);
    if (!rc && v->ok)
        rc = verify_anchor(st, first_current, v, e);
    return rc;
}

vexit sqlite_be_verify_since(sqlite_store *st, int64_t run_id, store_verdict *v, verr *e)
{
    *v = (store_verdict){.ok = true};
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, "SELECT chain_pos FROM runs WHERE id = ?1", e);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, run_id);
    int64_t from = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (from < 1) {
        broken(v, run_id, "run %lld is not sealed into the chain", (long long)run_id);
        return VOUCH_OK;
    }
    int64_t first_current = 0;
    if ((rc = walk_runs(st, from, v, &first_current, e)) || !v->ok)
        return rc;
    if ((rc = verify_schema(st, v, e)) || !v->ok)
        return rc;
    return verify_anchor(st, first_current, v, e);
}

vexit sqlite_be_verify_head(sqlite_store *st, int64_t pos, const char *digest, store_verdict *v, verr *e)
{
    if (!v->ok)
        return VOUCH_OK;
    store_heads h;
    vexit rc = sqlite_be_head(st, &h, e);
    if (rc)
        return rc;
    if (pos > h.run_pos) {
        broken(v, 0, "the store's run chain ends at position %lld, before the given head %lld:"
               " sealed runs were cut from the store", (long long)h.run_pos, (long long)pos);
        return VOUCH_OK;
    }
    char *have;
    if ((rc = digest_at(st, CHAIN_RUN, pos, &have, e)))
        return rc;
    if (!have || strcmp(have, digest) != 0)
        broken(v, 0, "run chain position %lld has digest %.16s..., not the given %.16s...: the"
               " chain was rewritten up to there", (long long)pos, have ? have : "(none)", digest);
    free(have);
    return VOUCH_OK;
}
