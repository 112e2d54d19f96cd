/* The store on PostgreSQL (docs/store.md): the same records, chain and canonical forms as
 * the SQLite back end, in schema "vouch" of the database a postgresql:// URL names.
 *
 * Append-only by privileges as well as triggers: runners connect as members of
 * vouch_writer, which may SELECT and INSERT but never UPDATE, DELETE or TRUNCATE; a run or
 * drill is sealed only by the SECURITY DEFINER functions vouch.seal_run and
 * vouch.seal_drill, which take an advisory lock per chain, so that runners on many machines
 * seal into one total order. No head file: [store] anchor is refused. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evidence/chain.h"
#include "evidence/store/postgres_internal.h"
#include "evidence/store/shared.h"
#include "src/interrupt.h"
#include "src/pg.h"
#include "src/redact.h"
#include "src/utf8.h"
#include "src/util.h"

#define PG(st) ((pg_store *)(st))

/* ---------------------------------------------------------------- plumbing */

static void param_slot(const pg_params *p)
{
    if (p->n >= (int)(sizeof p->v / sizeof *p->v))
        abort(); /* a statement here with more parameters than the array holds: a bug */
}

void pgp_text(pg_params *p, const char *v)
{
    param_slot(p);
    p->owned[p->n] = v ? utf8_escape_invalid(v) : NULL;
    p->v[p->n] = p->owned[p->n];
    p->n++;
}

void pgp_masked(pg_params *p, const char *v)
{
    param_slot(p);
    p->owned[p->n] = v ? redact_clean(v) : NULL;
    p->v[p->n] = p->owned[p->n];
    p->n++;
}

/* Text already in stored form (copied from a store): as it is. */
void pgp_raw(pg_params *p, const char *v)
{
    param_slot(p);
    p->owned[p->n] = NULL;
    p->v[p->n++] = v;
}

void pgp_int(pg_params *p, int64_t v)
{
    param_slot(p);
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)v);
    p->owned[p->n] = NULL;
    p->v[p->n] = p->num[p->n];
    p->n++;
}

void pgp_opt(pg_params *p, bool has, int64_t v)
{
    if (has) {
        pgp_int(p, v);
        return;
    }
    param_slot(p);
    p->owned[p->n] = NULL;
    p->v[p->n++] = NULL;
}

void pgp_free(pg_params *p)
{
    for (int i = 0; p && i < p->n; i++)
        free(p->owned[i]);
    if (p)
        p->n = 0;
}

/* The server's message on one line, every remembered secret masked. */
static char *server_message(pg_store *st, const PGresult *r)
{
    const char *msg = r ? PQresultErrorMessage(r) : "";
    if (!msg || !*msg)
        msg = PQerrorMessage(st->conn);
    char *one = xstrdup(msg && *msg ? msg : "unknown error");
    if (strncmp(one, "ERROR:  ", 8) == 0)
        memmove(one, one + 8, strlen(one + 8) + 1);
    one[strcspn(one, "\n")] = '\0';
    char *shown = redact_clean(one);
    free(one);
    return shown;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define STORE_INTERRUPT_GRACE_MS 1000

/* Send, then wait for the answer; after SIGINT or SIGTERM a statement still waiting
 * (another runner's lock on a chain) is cancelled after a second's grace, as SQLite's
 * busy handler gives up: the grace lets a run interrupted while checking still be sealed
 * as aborted when another runner holds the lock only for the moment of its own seal.
 * The last result, or the first that failed; *cancelled when it was cancelled here. */
static PGresult *run_statement(pg_store *st, const char *sql, pg_params *p, bool *cancelled)
{
    *cancelled = false;
    /* without parameters, by the simple protocol: a script of several statements runs too */
    int sent = p ? PQsendQueryParams(st->conn, sql, p->n, NULL, p->v, NULL, NULL, 0)
                 : PQsendQuery(st->conn, sql);
    if (!sent)
        return NULL;
    int64_t interrupted_at = 0;
    while (PQisBusy(st->conn)) {
        if (interrupt_requested() && !*cancelled) {
            int64_t now = mono_ms();
            if (!interrupted_at)
                interrupted_at = now;
            else if (now - interrupted_at >= STORE_INTERRUPT_GRACE_MS) {
                PGcancel *c = PQgetCancel(st->conn);
                char why[256];
                if (c && PQcancel(c, why, sizeof why))
                    *cancelled = true;
                PQfreeCancel(c);
            }
        }
        struct pollfd fd = {.fd = PQsocket(st->conn), .events = POLLIN};
        if (poll(&fd, 1, 50) < 0 && errno != EINTR)
            break;
        if (!PQconsumeInput(st->conn))
            break;
    }
    PGresult *kept = NULL, *r;
    while ((r = PQgetResult(st->conn))) {
        ExecStatusType s = PQresultStatus(r);
        bool failed = s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK;
        bool kept_failed = kept && PQresultStatus(kept) != PGRES_TUPLES_OK &&
                           PQresultStatus(kept) != PGRES_COMMAND_OK;
        if (kept_failed && !failed) {
            PQclear(r);
            continue;
        }
        PQclear(kept);
        kept = r;
    }
    return kept;
}

vexit pgq(pg_store *st, PGresult **res, const char *sql, pg_params *p, const char *what,
          verr *e)
{
    if (res)
        *res = NULL;
    bool cancelled;
    PGresult *r = run_statement(st, sql, p, &cancelled);
    pgp_free(p);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        char *msg = cancelled ? xstrdup("interrupted while waiting for another process's lock"
                                        " on the store")
                              : server_message(st, r);
        const char *code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        verr_set(e, VOUCH_ABORTED, "store \"%s\": could not %s: %s", st->shown, what, msg);
        if (code && strcmp(code, "42501") == 0)
            verr_hint(e, "The role vouch connects as lacks a privilege: runners need"
                         " vouch_writer, reports and packs vouch_reader (docs/store.md).");
        free(msg);
        PQclear(r);
        return e->code;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return VOUCH_OK;
}

vexit pgx(pg_store *st, const char *sql, const char *what, verr *e)
{
    return pgq(st, NULL, sql, NULL, what, e);
}

void pg_rollback(pg_store *st)
{
    PQclear(PQexec(st->conn, "ROLLBACK"));
}

char *pg_col(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

int64_t pg_int(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

bool pg_opt(const PGresult *r, int row, int col, int64_t *v)
{
    bool has = !PQgetisnull(r, row, col);
    *v = has ? strtoll(PQgetvalue(r, row, col), NULL, 10) : 0;
    return has;
}

vexit pg_ids(pg_store *st, const char *sql, pg_params *p, int64_t **ids, size_t *n, verr *e)
{
    *ids = NULL;
    *n = 0;
    PGresult *r;
    vexit rc = pgq(st, &r, sql, p, "list its records", e);
    if (rc)
        return rc;
    int rows = PQntuples(r);
    *ids = xcalloc(rows ? (size_t)rows : 1, sizeof **ids);
    for (int i = 0; i < rows; i++)
        (*ids)[i] = pg_int(r, i, 0);
    *n = (size_t)rows;
    PQclear(r);
    return VOUCH_OK;
}

/* ---------------------------------------------------------------- opening */

vexit pg_connect(pg_store **out, const char *url, verr *e)
{
    *out = NULL;
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &errmsg);
    if (!opts) {
        char *why = errmsg ? redact_conninfo_error(errmsg, url) : xstrdup("out of memory");
        why[strcspn(why, "\n")] = '\0';
        /* The URL itself is not shown: it can carry a password. */
        verr_set(e, VOUCH_USAGE, "store \"postgresql://...\": not a connection URL libpq reads: %s",
                 why);
        free(why);
        PQfreemem(errmsg);
        return e->code;
    }
    PQconninfoFree(opts);
    redact_remember_dsn(url);
    pg_store *st = xcalloc(1, sizeof *st);
    st->base.be = &store_pg_backend;
    char *bare = pg_dsn_without_secrets(url);
    st->shown = bare && *bare ? xasprintf("postgresql: %s", bare) : xstrdup("postgresql:");
    free(bare);
    /* Before dbname: what the URL sets wins; after: ours. */
    const char *keys[] = {"connect_timeout", "dbname", "application_name", "client_encoding",
                          NULL};
    const char *vals[] = {"10", url, "vouch store", "UTF8", NULL};
    st->conn = PQconnectdbParams(keys, vals, 1);
    if (!st->conn || PQstatus(st->conn) != CONNECTION_OK) {
        char *msg = server_message(st, NULL);
        verr_set(e, VOUCH_ABORTED, "could not connect to store \"%s\": %s", st->shown, msg);
        free(msg);
        PQfinish(st->conn);
        free(st->shown);
        free(st);
        return e->code;
    }
    /* A role's own search_path never reaches the store (every name is qualified anyway);
     * lock_timeout: a seal waits for another runner's at most 30 s, as on SQLite. */
    vexit rc = pgx(st, "SET search_path = pg_catalog, pg_temp; SET client_min_messages = warning;"
                       " SET lock_timeout = '30s'",
                   "set up the session", e);
    if (rc) {
        store_close(&st->base);
        return rc;
    }
    *out = st;
    return VOUCH_OK;
}

static vexit read_schema(pg_store *st, verr *e)
{
    PGresult *r;
    vexit rc = pgq(st, &r, "SELECT to_regclass('vouch.meta') IS NULL", NULL,
                   "read its schema version", e);
    if (rc)
        return rc;
    bool none = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!none) {
        if ((rc = pgq(st, &r, "SELECT max(version) FROM vouch.meta", NULL,
                      "read its schema version", e)))
            return rc;
        st->schema = (int)pg_int(r, 0, 0);
        none = st->schema == 0;
        PQclear(r);
    }
    if (none) {
        verr_set(e, VOUCH_USAGE, "store \"%s\" has no vouch schema yet", st->shown);
        verr_hint(e, "Create it with 'vouch store init --url URL' (or have a DBA run the SQL of"
                     " 'vouch store init --print').");
        return e->code;
    }
    if (st->schema > PG_SCHEMA_VERSION)
        return verr_set(e, VOUCH_ABORTED, "store \"%s\" has schema version %d; this vouch knows"
                        " up to %d", st->shown, st->schema, PG_SCHEMA_VERSION);
    if (st->schema < PG_SCHEMA_VERSION && st->mode != STORE_READ) {
        verr_set(e, VOUCH_ABORTED, "store \"%s\" has schema version %d; this vouch writes %d",
                 st->shown, st->schema, PG_SCHEMA_VERSION);
        verr_hint(e, "Have its owner run 'vouch store init --url URL' once to bring it forward.");
        return e->code;
    }
    return VOUCH_OK;
}

static vexit reap_orphans(pg_store *st, verr *e);

static vexit be_open(store **out, const char *where, const char *anchor, store_mode mode, verr *e)
{
    *out = NULL;
    if (anchor)
        return verr_set(e, VOUCH_USAGE, "[store] anchor applies to a SQLite store; a PostgreSQL"
                        " store keeps no head file (keep a head with 'vouch verify --head')");
    char *url = xasprintf("postgresql://%s", where);
    pg_store *st;
    vexit rc = pg_connect(&st, url, e);
    free(url);
    if (rc)
        return rc;
    st->mode = mode;
    if (!(rc = read_schema(st, e)) && mode != STORE_READ && !(rc = reap_orphans(st, e)))
        rc = pgs_reap_drills(st, e);
    if (!rc && mode == STORE_READ)
        rc = pgx(st, "SET default_transaction_read_only = on", "open it read-only", e);
    if (rc) {
        store_close(&st->base);
        return rc;
    }
    *out = &st->base;
    return VOUCH_OK;
}

/* Always: opening the store says whatever is wrong with it (unreachable, exit 3; no
 * schema yet, exit 2 with the hint to run 'vouch store init'), naming it without its
 * password, which a caller's "no store at LOCATION" would show. */
static bool be_exists(const char *where)
{
    (void)where;
    return true;
}

static void be_close(store *s)
{
    pg_store *st = PG(s);
    PQfinish(st->conn);
    free(st->shown);
    free(st);
}

static const char *be_path(const store *st) { return ((const pg_store *)st)->shown; }
static const char *be_anchor(const store *st)
{
    (void)st;
    return "(none: a PostgreSQL store keeps no head file)";
}
static const char *be_anchor_problem(const store *st)
{
    (void)st;
    return "";
}

/* ---------------------------------------------------------------- runs */

vexit pgs_head(pg_store *st, store_heads *out, verr *e)
{
    *out = (store_heads){0};
    PGresult *r;
    vexit rc = pgq(st, &r,
                   "SELECT (SELECT chain_pos FROM vouch.runs WHERE chain_pos IS NOT NULL"
                   "         ORDER BY chain_pos DESC LIMIT 1),"
                   "       (SELECT digest FROM vouch.runs WHERE chain_pos IS NOT NULL"
                   "         ORDER BY chain_pos DESC LIMIT 1),"
                   "       (SELECT chain_pos FROM vouch.drills WHERE chain_pos IS NOT NULL"
                   "         ORDER BY chain_pos DESC LIMIT 1),"
                   "       (SELECT digest FROM vouch.drills WHERE chain_pos IS NOT NULL"
                   "         ORDER BY chain_pos DESC LIMIT 1)",
                   NULL, "read the chains' heads", e);
    if (rc)
        return rc;
    out->run_pos = pg_int(r, 0, 0);
    snprintf(out->run_digest, sizeof out->run_digest, "%s", PQgetvalue(r, 0, 1));
    out->drill_pos = pg_int(r, 0, 2);
    snprintf(out->drill_digest, sizeof out->drill_digest, "%s", PQgetvalue(r, 0, 3));
    PQclear(r);
    int64_t pos;
    char *digest;
    if ((rc = pgs_approval_head(st, &pos, &digest, e)))
        return rc;
    out->approval_pos = pos;
    snprintf(out->approval_digest, sizeof out->approval_digest, "%s", digest ? digest : "");
    free(digest);
    return VOUCH_OK;
}

static vexit be_head(store *st, store_heads *out, verr *e) { return pgs_head(PG(st), out, e); }

static vexit be_run_begin(store *s, run_kind kind, const char *target, int64_t baseline_id,
                          const char *checks, const run_start *how, int64_t *id, verr *e)
{
    pg_store *st = PG(s);
    char now[40], host[256];
    utc_now(now, sizeof now);
    store_this_host(host, sizeof host);
    run_start none = {0};
    if (!how)
        how = &none;
    int64_t drill = 0;
    vexit rc;
    if (kind != RUN_BASELINE && (rc = pgs_open_drill(st, &drill, e)))
        return rc;
    pg_params p = {0};
    pgp_text(&p, run_kind_name(kind));
    pgp_text(&p, now);
    pgp_text(&p, target);
    pgp_opt(&p, baseline_id != 0, baseline_id);
    pgp_text(&p, checks);
    pgp_text(&p, VOUCH_VERSION);
    pgp_text(&p, host);
    pgp_int(&p, getpid());
    pgp_text(&p, how->incident_at);
    pgp_text(&p, how->started_by);
    pgp_text(&p, how->ci_job);
    pgp_opt(&p, drill != 0, drill);
    pgp_text(&p, how->target_name);
    PGresult *r;
    if ((rc = pgq(st, &r,
                  "INSERT INTO vouch.runs (kind, status, started_at, target, baseline_id, checks,"
                  " vouch_version, host, pid, incident_at, started_by, ci_job, drill_id,"
                  " target_name)"
                  " VALUES ($1, 'running', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                  " RETURNING id",
                  &p, "record the start of a run", e)))
        return rc;
    *id = pg_int(r, 0, 0);
    PQclear(r);
    return VOUCH_OK;
}

/* v through the store's one door (valid UTF-8) as a JSON string, or null. */
static json_t *json_text(const char *v)
{
    if (!v)
        return json_null();
    char *clean = utf8_escape_invalid(v);
    json_t *j = json_string(clean);
    free(clean);
    return j;
}

/* All of a run's results in one statement: one round trip, however many there are (a
 * JSON array, each text exactly as it is stored). */
vexit pgs_insert_rows(pg_store *st, const run_record *r, verr *e)
{
    json_t *rows = json_array();
    int64_t seq = 0;
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (x->status == RESULT_NOT_EVALUATED) /* runs.not_evaluated holds these */
            continue;
        /* a waived failure is stored as what the check found, with the waiver's name */
        bool waived = x->status == RESULT_WAIVED && x->waiver;
        json_t *o = json_object();
        json_object_set_new(o, "seq", json_integer(++seq));
        json_object_set_new(o, "check_name", json_text(x->check));
        json_object_set_new(o, "subject", json_text(x->subject));
        json_object_set_new(o, "status",
                            json_text(result_status_name(waived ? RESULT_FAIL : x->status)));
        json_object_set_new(o, "expected", json_text(x->expected));
        json_object_set_new(o, "observed", json_text(x->observed));
        json_object_set_new(o, "reason", json_text(x->reason ? x->reason : ""));
        json_object_set_new(o, "detail", json_text(x->detail));
        json_object_set_new(o, "facts", json_text(x->facts));
        json_object_set_new(o, "waiver", json_text(waived ? x->waiver : NULL));
        json_array_append_new(rows, o);
    }
    vexit rc = VOUCH_OK;
    if (seq) {
        char *doc = json_dumps(rows, JSON_COMPACT);
        if (!doc)
            abort(); /* out of memory */
        pg_params p = {0};
        pgp_int(&p, r->id);
        pgp_raw(&p, doc);
        rc = pgq(st, NULL,
                 "INSERT INTO vouch.results (run_id, seq, check_name, subject, status, expected,"
                 " observed, reason, detail, facts, waiver)"
                 " SELECT $1, x.seq, x.check_name, x.subject, x.status, x.expected, x.observed,"
                 " x.reason, x.detail, x.facts, x.waiver FROM json_to_recordset($2::json) AS"
                 " x(seq bigint, check_name text, subject text, status text, expected text,"
                 " observed text, reason text, detail text, facts text, waiver text)",
                 &p, "store the results", e);
        free(doc);
    }
    json_decref(rows);
    for (size_t i = 0; !rc && i < r->n_baselines; i++) {
        pg_params p = {0};
        pgp_int(&p, r->id);
        pgp_text(&p, r->baselines[i].check);
        pgp_text(&p, r->baselines[i].content);
        rc = pgq(st, NULL,
                 "INSERT INTO vouch.baselines (run_id, check_name, content) VALUES ($1, $2, $3)",
                 &p, "store a baseline", e);
    }
    return rc;
}

vexit pgs_seal_run(pg_store *st, run_record *r, bool insert_rows, const char *digest, verr *e)
{
    vexit rc = insert_rows ? pgs_insert_rows(st, r, e) : VOUCH_OK;
    if (rc)
        return rc;
    pg_params p = {0};
    pgp_int(&p, r->id);
    if (digest) { /* a copy: every text as the source store holds it */
        pgp_raw(&p, r->status);
        pgp_raw(&p, r->finished_at);
        pgp_raw(&p, r->target);
        pgp_raw(&p, r->error);
    } else {
        pgp_text(&p, r->status);
        pgp_text(&p, r->finished_at);
        pgp_text(&p, r->target);
        pgp_masked(&p, r->error);
    }
    const char *more[] = {r->server_version, r->system_identifier, r->timeline, r->lsn,
                          r->snapshot_time, r->database};
    for (size_t i = 0; i < sizeof more / sizeof *more; i++)
        (digest ? pgp_raw : pgp_text)(&p, more[i]);
    char *unevaluated = digest ? xstrdup(r->not_evaluated) : store_not_evaluated_text(r);
    pgp_raw(&p, unevaluated);
    (digest ? pgp_raw : pgp_text)(&p, r->waivers);
    PGresult *res;
    rc = pgq(st, &res,
             "SELECT chain_pos, prev_digest FROM vouch.seal_run($1, $2, $3, $4, $5, $6, $7, $8,"
             " $9, $10, $11, $12, $13)",
             &p, "seal a run", e);
    free(unevaluated);
    if (rc)
        return rc;
    r->chain_pos = pg_int(res, 0, 0);
    free(r->prev_digest);
    r->prev_digest = pg_col(res, 0, 1);
    PQclear(res);

    /* The digest is computed from what the store now holds, exactly as verify will. */
    char mine[DIGEST_HEX_LEN + 1];
    if (!digest) {
        run_record *stored;
        if ((rc = pgs_load_run(st, r->id, &stored, e)))
            return rc;
        stored->canon_version = RUN_CANON_CURRENT;
        run_digest(stored, r->prev_digest, mine);
        run_record_free(stored);
        digest = mine;
    }
    pg_params q = {0};
    pgp_int(&q, r->id);
    pgp_raw(&q, digest);
    if ((rc = pgq(st, NULL, "SELECT vouch.seal_run_digest($1, $2)", &q, "seal a run", e)))
        return rc;
    free(r->digest);
    r->digest = xstrdup(digest);
    return VOUCH_OK;
}

static vexit be_run_finish(store *s, run_record *r, verr *e)
{
    pg_store *st = PG(s);
    if (st->mode == STORE_READ)
        return verr_set(e, VOUCH_ABORTED, "store \"%s\" was opened read-only", st->shown);
    vexit rc = pgx(st, PG_BEGIN, "begin a transaction", e);
    if (rc)
        return rc;
    if ((rc = pgs_seal_run(st, r, true, NULL, e)) ||
        (rc = pgx(st, "COMMIT", "commit a run", e)))
        pg_rollback(st);
    return rc;
}

static const char run_columns[] =
    "id, kind, status, started_at, finished_at, target, baseline_id, checks, error, vouch_version,"
    " server_version, system_identifier, timeline, lsn, snapshot_time, database, chain_pos,"
    " prev_digest, digest, host, pid, incident_at, started_by, ci_job, not_evaluated, drill_id,"
    " waivers";

static vexit attach_parts(pg_store *st, run_record *r, verr *e)
{
    pg_params p = {0};
    pgp_int(&p, r->id);
    PGresult *res;
    vexit rc = pgq(st, &res,
                   "SELECT check_name, content FROM vouch.baseline_parts WHERE run_id = $1"
                   " ORDER BY check_name COLLATE \"C\", seq",
                   &p, "read the parts of a baseline", e);
    if (rc)
        return rc;
    parts_fold *f;
    if ((rc = parts_fold_begin(&f, r, e))) {
        PQclear(res);
        return rc;
    }
    for (int i = 0; i < PQntuples(res); i++)
        parts_fold_add(f, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                       (size_t)PQgetlength(res, i, 1));
    parts_fold_end(f);
    PQclear(res);
    return VOUCH_OK;
}

vexit pgs_load_run(pg_store *st, int64_t id, run_record **out, verr *e)
{
    *out = NULL;
    /* a store read where it lies may be from before target names */
    char *sql = xasprintf("SELECT %s, %s FROM vouch.runs WHERE id = $1", run_columns,
                          st->schema >= PG_SCHEMA_TARGET_NAMES ? "target_name" : "NULL");
    pg_params p = {0};
    pgp_int(&p, id);
    PGresult *res;
    vexit rc = pgq(st, &res, sql, &p, "read a run", e);
    free(sql);
    if (rc)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return verr_set(e, VOUCH_USAGE, "store \"%s\" has no run %lld", st->shown, (long long)id);
    }
    run_record *r = xcalloc(1, sizeof *r);
    r->id = pg_int(res, 0, 0);
    r->kind = pg_col(res, 0, 1);
    r->status = pg_col(res, 0, 2);
    r->started_at = pg_col(res, 0, 3);
    r->finished_at = pg_col(res, 0, 4);
    r->target = pg_col(res, 0, 5);
    r->baseline_id = pg_int(res, 0, 6);
    r->checks = pg_col(res, 0, 7);
    r->error = pg_col(res, 0, 8);
    r->vouch_version = pg_col(res, 0, 9);
    r->server_version = pg_col(res, 0, 10);
    r->system_identifier = pg_col(res, 0, 11);
    r->timeline = pg_col(res, 0, 12);
    r->lsn = pg_col(res, 0, 13);
    r->snapshot_time = pg_col(res, 0, 14);
    r->database = pg_col(res, 0, 15);
    r->chain_pos = pg_int(res, 0, 16);
    r->prev_digest = pg_col(res, 0, 17);
    r->digest = pg_col(res, 0, 18);
    r->host = pg_col(res, 0, 19);
    r->pid = pg_int(res, 0, 20);
    r->incident_at = pg_col(res, 0, 21);
    r->started_by = pg_col(res, 0, 22);
    r->ci_job = pg_col(res, 0, 23);
    r->not_evaluated = pg_col(res, 0, 24);
    r->drill_id = pg_int(res, 0, 25);
    r->waivers = pg_col(res, 0, 26);
    r->target_name = pg_col(res, 0, 27);
    PQclear(res);

    pg_params q = {0};
    pgp_int(&q, id);
    if ((rc = pgq(st, &res,
                  "SELECT check_name, subject, status, expected, observed, reason, detail, facts,"
                  " waiver FROM vouch.results WHERE run_id = $1 ORDER BY seq",
                  &q, "read a run's results", e))) {
        run_record_free(r);
        return rc;
    }
    size_t cap = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        grow((void **)&r->results, &cap, r->n_results + 1, sizeof *r->results);
        result_row *x = &r->results[r->n_results++];
        *x = (result_row){0};
        x->check = pg_col(res, i, 0);
        x->subject = pg_col(res, i, 1);
        if (result_status_parse(PQgetvalue(res, i, 2), &x->status) != 0)
            x->status = RESULT_ERROR;
        x->expected = pg_col(res, i, 3);
        x->observed = pg_col(res, i, 4);
        x->reason = pg_col(res, i, 5);
        x->detail = pg_col(res, i, 6);
        x->facts = pg_col(res, i, 7);
        x->waiver = pg_col(res, i, 8);
        if (x->waiver && x->status == RESULT_FAIL) /* as SQLite's back end reads it */
            x->status = RESULT_WAIVED;
    }
    PQclear(res);
    store_not_evaluated_rows(r, &cap);

    pg_params b = {0};
    pgp_int(&b, id);
    /* in byte order, as SQLite's BINARY collation sorts them: the canonical form's order */
    if ((rc = pgq(st, &res,
                  "SELECT check_name, content FROM vouch.baselines WHERE run_id = $1"
                  " ORDER BY check_name COLLATE \"C\"",
                  &b, "read a run's baselines", e))) {
        run_record_free(r);
        return rc;
    }
    cap = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        grow((void **)&r->baselines, &cap, r->n_baselines + 1, sizeof *r->baselines);
        r->baselines[r->n_baselines++] =
            (baseline_doc){.check = pg_col(res, i, 0), .content = pg_col(res, i, 1)};
    }
    PQclear(res);
    if ((rc = attach_parts(st, r, e))) {
        run_record_free(r);
        return rc;
    }
    r->canon_version = r->digest ? store_sealed_version(r) : RUN_CANON_CURRENT;
    *out = r;
    return VOUCH_OK;
}

static vexit be_load_run(store *st, int64_t id, run_record **out, verr *e)
{
    return pgs_load_run(PG(st), id, out, e);
}

static vexit be_list_runs(store *st, int64_t limit, const char *target_name, int64_t **ids,
                          size_t *n, verr *e)
{
    pg_params p = {0};
    pgp_opt(&p, limit > 0, limit);
    if (!target_name)
        return pg_ids(PG(st), "SELECT id FROM vouch.runs ORDER BY id DESC LIMIT $1", &p, ids, n,
                      e);
    pgp_text(&p, target_name);
    return pg_ids(PG(st),
                  PG(st)->schema >= PG_SCHEMA_TARGET_NAMES
                      ? "SELECT id FROM vouch.runs WHERE target_name = $2 ORDER BY id DESC LIMIT $1"
                      : "SELECT id FROM vouch.runs WHERE $2::text IS NULL ORDER BY id DESC LIMIT $1",
                  &p, ids, n, e);
}

static vexit be_latest_runs(store *st, int64_t **ids, size_t *n, verr *e)
{
    return pg_ids(PG(st),
                  PG(st)->schema >= PG_SCHEMA_TARGET_NAMES
                      ? "SELECT max(id) FROM vouch.runs WHERE kind IN ('gate', 'baseline')"
                        " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                        " GROUP BY kind, coalesce(target_name, target), target_name IS NULL"
                        " ORDER BY 1 DESC"
                      : "SELECT max(id) FROM vouch.runs WHERE kind IN ('gate', 'baseline')"
                        " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                        " GROUP BY kind, target ORDER BY 1 DESC",
                  NULL, ids, n, e);
}

static vexit be_latest_passed_runs(store *st, int64_t **ids, size_t *n, verr *e)
{
    return pg_ids(PG(st),
                  PG(st)->schema >= PG_SCHEMA_TARGET_NAMES
                      ? "SELECT max(id) FROM vouch.runs WHERE kind = 'gate' AND status = 'passed'"
                        " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                        " GROUP BY coalesce(target_name, target), target_name IS NULL"
                        " ORDER BY 1 DESC"
                      : "SELECT max(id) FROM vouch.runs WHERE kind = 'gate' AND status = 'passed'"
                        " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                        " GROUP BY target ORDER BY 1 DESC",
                  NULL, ids, n, e);
}

/* The subject is the runner's NEGCTL_SUBJECT (src/runner.h), as on SQLite. */
static vexit be_last_negative_control(store *s, const char *target_name, bool any_target,
                                      int64_t *id, verr *e)
{
    pg_store *st = PG(s);
    int64_t *ids;
    size_t n;
    pg_params p = {0};
    pgp_text(&p, any_target ? NULL : target_name);
    /* $1 IS NOT DISTINCT FROM target_name: the same name, or both NULL (the bare [target]) */
    const char *of_target = any_target ? " AND $1::text IS NULL"
                            : st->schema >= PG_SCHEMA_TARGET_NAMES
                                ? " AND r.target_name IS NOT DISTINCT FROM $1::text"
                                : " AND $1::text IS NULL";
    char sql[700];
    snprintf(sql, sizeof sql,
             "SELECT r.id FROM vouch.runs r WHERE r.kind = 'gate'"
             " AND r.chain_pos IS NOT NULL AND r.digest IS NOT NULL%s"
             " AND EXISTS (SELECT 1 FROM vouch.results x WHERE x.run_id = r.id"
             "   AND x.subject = '(negative control)')"
             " AND NOT EXISTS (SELECT 1 FROM vouch.results x WHERE x.run_id = r.id"
             "   AND x.subject = '(negative control)' AND x.status <> 'pass')"
             " ORDER BY r.id DESC LIMIT 1",
             of_target);
    vexit rc = pg_ids(st, sql, &p, &ids, &n, e);
    if (rc)
        return rc;
    *id = n ? ids[0] : 0;
    free(ids);
    return VOUCH_OK;
}

static vexit be_latest_baseline(store *s, const char *target_name, int64_t *id, verr *e)
{
    pg_store *st = PG(s);
    int64_t *ids;
    size_t n;
    pg_params p = {0};
    pgp_text(&p, target_name);
    /* IS NOT DISTINCT FROM: the same name, or both NULL (the bare [target]) */
    vexit rc = pg_ids(st,
                      st->schema >= PG_SCHEMA_TARGET_NAMES
                          ? "SELECT id FROM vouch.runs WHERE kind = 'baseline' AND status = 'captured'"
                            " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                            " AND target_name IS NOT DISTINCT FROM $1::text ORDER BY id DESC LIMIT 1"
                          : "SELECT id FROM vouch.runs WHERE kind = 'baseline' AND status = 'captured'"
                            " AND chain_pos IS NOT NULL AND digest IS NOT NULL"
                            " AND $1::text IS NULL ORDER BY id DESC LIMIT 1",
                      &p, &ids, &n, e);
    if (rc)
        return rc;
    if (n == 0) {
        free(ids);
        if (target_name) {
            char *shown = utf8_show(target_name, 0);
            verr_set(e, VOUCH_USAGE, "store \"%s\" holds no baseline of target %s", st->shown,
                     shown);
            verr_hint(e, "Run 'vouch baseline --target-name %s' against its healthy database"
                         " first.", shown);
            free(shown);
            return e->code;
        }
        verr_set(e, VOUCH_USAGE, "store \"%s\" holds no baseline", st->shown);
        verr_hint(e, "Run 'vouch baseline' against the healthy database first.");
        return e->code;
    }
    *id = ids[0];
    free(ids);
    return VOUCH_OK;
}

static vexit be_check_baseline(store *s, int64_t id, verr *e)
{
    pg_store *st = PG(s);
    int64_t *ids;
    size_t n;
    pg_params p = {0};
    pgp_int(&p, id);
    vexit rc = pg_ids(st,
                      "SELECT id FROM vouch.runs WHERE kind = 'baseline' AND status = 'captured'"
                      " AND chain_pos IS NOT NULL AND digest IS NOT NULL AND id = $1",
                      &p, &ids, &n, e);
    free(ids);
    if (rc)
        return rc;
    if (n == 0)
        return verr_set(e, VOUCH_USAGE, "run %lld in store \"%s\" is not a captured baseline",
                        (long long)id, st->shown);
    return VOUCH_OK;
}

/* ---------------------------------------------------------------- baseline parts */

typedef struct pg_parts {
    store_parts base;
    pg_store *st;
    int64_t run_id;
    char *check;
    int64_t seq;    /* the last part read */
    bool done;
} pg_parts;

static vexit be_part_add(store *st, int64_t run_id, const char *check, int64_t seq,
                         const char *content, verr *e)
{
    pg_params p = {0};
    pgp_int(&p, run_id);
    pgp_text(&p, check);
    pgp_int(&p, seq);
    pgp_text(&p, content);
    return pgq(PG(st), NULL,
               "INSERT INTO vouch.baseline_parts (run_id, check_name, seq, content)"
               " VALUES ($1, $2, $3, $4)",
               &p, "store a part of a baseline", e);
}

static vexit be_parts_open(store *st, int64_t run_id, const char *check, store_parts **out,
                           verr *e)
{
    (void)e;
    pg_parts *p = xcalloc(1, sizeof *p);
    p->base.be = &store_pg_backend;
    p->st = PG(st);
    p->run_id = run_id;
    p->check = utf8_escape_invalid(check ? check : "");
    *out = &p->base;
    return VOUCH_OK;
}

/* One part per round trip, by the primary key: none is held but the one being read. */
static vexit be_parts_next(store_parts *sp, char **content, verr *e)
{
    pg_parts *p = (pg_parts *)sp;
    *content = NULL;
    if (p->done)
        return VOUCH_OK;
    pg_params q = {0};
    pgp_int(&q, p->run_id);
    pgp_raw(&q, p->check);
    pgp_int(&q, p->seq);
    PGresult *r;
    vexit rc = pgq(p->st, &r,
                   "SELECT seq, content FROM vouch.baseline_parts WHERE run_id = $1"
                   " AND check_name = $2 AND seq > $3 ORDER BY seq LIMIT 1",
                   &q, "read a part of a baseline", e);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        p->seq = pg_int(r, 0, 0);
        *content = pg_col(r, 0, 1);
    } else {
        p->done = true;
    }
    PQclear(r);
    return VOUCH_OK;
}

static void be_parts_close(store_parts *sp)
{
    pg_parts *p = (pg_parts *)sp;
    if (!p)
        return;
    free(p->check);
    free(p);
}

/* ---------------------------------------------------------------- reaping */

/* Runs running on this host by a process that is gone, sealed as aborted under the run
 * chain's lock (taken first, so that two processes opening the store at once do not both
 * seal one orphan: the second finds it sealed). */
static vexit reap_orphans(pg_store *st, verr *e)
{
    char host[256];
    store_this_host(host, sizeof host);
    pg_params p = {0};
    pgp_text(&p, host);
    PGresult *r;
    vexit rc = pgq(st, &r,
                   "SELECT id, pid FROM vouch.runs WHERE status = 'running' AND digest IS NULL"
                   " AND host = $1 ORDER BY id",
                   &p, "look for abandoned runs", e);
    if (rc)
        return rc;
    for (int i = 0; i < PQntuples(r) && !rc; i++) {
        if (!store_process_gone(pg_int(r, i, 1)))
            continue;
        if ((rc = pgx(st, PG_BEGIN, "begin a transaction", e)))
            break;
        if ((rc = pgx(st, "SELECT pg_advisory_xact_lock(1987014499, 1)", "lock the run chain",
                      e))) {
            pg_rollback(st);
            break;
        }
        run_record *run = NULL;
        if ((rc = pgs_load_run(st, pg_int(r, i, 0), &run, e))) {
            pg_rollback(st);
            break;
        }
        if (strcmp(run->status, "running") != 0 || run->digest) { /* another process did */
            run_record_free(run);
            pg_rollback(st);
            continue;
        }
        store_run_abandoned(run);
        if ((rc = pgs_seal_run(st, run, false, NULL, e)) ||
            (rc = pgx(st, "COMMIT", "commit the abandoned runs", e)))
            pg_rollback(st);
        run_record_free(run);
    }
    PQclear(r);
    return rc;
}

/* ---------------------------------------------------------------- the interface */

static vexit be_verify(store *st, store_verdict *v, verr *e) { return pgs_verify(PG(st), v, e); }
static vexit be_verify_since(store *st, int64_t run_id, store_verdict *v, verr *e)
{
    return pgs_verify_since(PG(st), run_id, v, e);
}
static vexit be_verify_head(store *st, int64_t pos, const char *digest, store_verdict *v, verr *e)
{
    return pgs_verify_head(PG(st), pos, digest, v, e);
}
static vexit be_open_drill(store *st, int64_t *id, verr *e) { return pgs_open_drill(PG(st), id, e); }
static vexit be_drill_begin(store *st, const drill_record *d, int64_t *id, verr *e)
{
    return pgs_drill_begin(PG(st), d, id, e);
}
static vexit be_drill_mark(store *st, int64_t drill_id, const drill_phase *p, verr *e)
{
    return pgs_drill_mark(PG(st), drill_id, p, e);
}
static vexit be_drill_finish(store *st, drill_record *d, verr *e)
{
    return pgs_drill_finish(PG(st), d, e);
}
static vexit be_load_drill(store *st, int64_t id, drill_record **out, verr *e)
{
    return pgs_load_drill(PG(st), id, out, e);
}
static vexit be_list_drills(store *st, int64_t limit, int64_t **ids, size_t *n, verr *e)
{
    return pgs_list_drills(PG(st), limit, ids, n, e);
}
static vexit be_drill_runs(store *st, int64_t drill_id, int64_t **ids, size_t *n, verr *e)
{
    return pgs_drill_runs(PG(st), drill_id, ids, n, e);
}
static vexit be_reap_drills(store *st, verr *e) { return pgs_reap_drills(PG(st), e); }
static vexit be_approval_add(store *st, approval_record *a, verr *e)
{
    return pgs_approval_add(PG(st), a, e);
}
static vexit be_approvals(store *st, int64_t run_id, approval_list *out, verr *e)
{
    return pgs_approvals(PG(st), run_id, out, e);
}
static vexit be_verify_drills(store *st, store_verdict *v, verr *e)
{
    return pgs_verify_drills(PG(st), v, e);
}

const store_backend store_pg_backend = {
    .name = "postgresql",
    .open = be_open,
    .exists = be_exists,
    .close = be_close,
    .path = be_path,
    .anchor = be_anchor,
    .anchor_problem = be_anchor_problem,
    .head = be_head,
    .run_begin = be_run_begin,
    .run_finish = be_run_finish,
    .load_run = be_load_run,
    .list_runs = be_list_runs,
    .latest_runs = be_latest_runs,
    .latest_passed_runs = be_latest_passed_runs,
    .last_negative_control = be_last_negative_control,
    .latest_baseline = be_latest_baseline,
    .check_baseline = be_check_baseline,
    .part_add = be_part_add,
    .parts_open = be_parts_open,
    .parts_next = be_parts_next,
    .parts_close = be_parts_close,
    .verify = be_verify,
    .verify_since = be_verify_since,
    .verify_head = be_verify_head,
    .open_drill = be_open_drill,
    .drill_begin = be_drill_begin,
    .drill_mark = be_drill_mark,
    .drill_finish = be_drill_finish,
    .load_drill = be_load_drill,
    .list_drills = be_list_drills,
    .drill_runs = be_drill_runs,
    .reap_drills = be_reap_drills,
    .verify_drills = be_verify_drills,
    .approval_add = be_approval_add,
    .approvals = be_approvals,
};
