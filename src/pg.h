/* The one libpq wrapper: a read-only session on the target inside one snapshot.
 *
 * Every failed query becomes a verr carrying the server's message; values go as
 * parameters, names through pg_quote_ident. A session never writes: its one
 * transaction is REPEATABLE READ, READ ONLY from pg_session_open to pg_session_close. */
#ifndef VOUCH_PG_H
#define VOUCH_PG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "src/verr.h"

#define VOUCH_MIN_SERVER_VERSION 130000

typedef struct pg_options {
    const char *dsn;               /* libpq connection string or URI; NULL or "" for libpq defaults */
    int connect_timeout_s;         /* 0 = libpq's default */
    int64_t statement_timeout_ms;  /* 0 = none */
} pg_options;

/* What the server said about itself, recorded with every run. All strings owned by the session. */
typedef struct pg_identity {
    char *server_version;     /* "15.18" */
    int server_version_num;   /* 150018 */
    char *system_identifier;  /* NULL when the role may not read pg_control_system() */
    char *timeline;           /* NULL likewise */
    char *lsn;                /* current (or last replayed) WAL position */
    char *snapshot_time;      /* server clock when the snapshot was taken, ISO 8601 UTC */
    char *database;
    char *server_addr;        /* inet_server_addr(), NULL on a Unix socket */
    char *timezone;
    bool in_recovery;
} pg_identity;

typedef struct pg_session {
    PGconn *conn;
    char *target;      /* "host=... port=... dbname=... user=..." — never a password */
    pg_identity id;
    char *snapshot;    /* exported snapshot id, once pg_session_export_snapshot was called */
    char **guarded;    /* the guarded settings' values as the session began (pg_session_guard) */
} pg_session;

/* Describe where a DSN points with every secret left out. Caller frees. */
char *pg_dsn_describe(const char *dsn);

/* dsn as a connection string with every option it sets but the secrets (password,
 * sslpassword, passfile), quoted as libpq reads them: one that may be written down.
 * "" when it sets nothing else; NULL for NULL, "" or a DSN libpq cannot parse. Caller frees. */
char *pg_dsn_without_secrets(const char *dsn);

/* VOUCH_USAGE, saying why, when libpq cannot parse dsn (NULL and "" are fine). */
vexit pg_dsn_check(const char *dsn, verr *e);

/* Connect, refuse old servers, start the read-only snapshot and read the identity.
 * On failure *out is NULL and e says why (VOUCH_ABORTED, or VOUCH_USAGE for a bad DSN);
 * target_out (if not NULL) receives the password-free description either way. */
vexit pg_session_open(pg_session **out, const pg_options *o, char **target_out, verr *e);
/* Ends the transaction (rolled back: nothing was written) and closes. NULL is fine. */
void pg_session_close(pg_session *s);

/* Run a query that returns rows; params are text values (NULL for SQL NULL).
 * On success *res is the caller's (PQclear). */
vexit pg_query(pg_session *s, PGresult **res, const char *sql, int nparams,
               const char *const *params, verr *e);
/* Turn a failed result (or NULL) into e with the server's message, detail and hint;
 * VOUCH_ABORTED when the connection is gone or the run was interrupted, else VOUCH_FAILED. */
vexit pg_result_error(pg_session *s, PGresult *r, verr *e);

/* Run a command that returns no rows. */
vexit pg_exec(pg_session *s, const char *sql, verr *e);

/* A quoted identifier for SQL text. Caller frees with PQfreemem. NULL only on OOM. */
char *pg_quote_ident(pg_session *s, const char *name);

/* Export the snapshot so that workers can read the same instant; the id stays owned by s.
 * Must be called outside any savepoint (PostgreSQL refuses to export from a subtransaction). */
vexit pg_session_export_snapshot(pg_session *s, const char **id, verr *e);
/* Open a worker connection that adopts the session's exported snapshot. */
vexit pg_session_open_worker(pg_session **out, const pg_session *leader, const pg_options *o,
                             verr *e);

/* Give a worker the leader's identity (server version, system identifier, snapshot time,
 * database...): a check run on the worker alone reads the same server facts as on the
 * leader. The worker's own values, if any, are replaced. */
void pg_session_share_identity(pg_session *worker, const pg_session *leader);

/* True when the connection is gone (a failure there cannot be a finding). */
bool pg_session_broken(const pg_session *s);
/* Ask the server to stop the statement running on conn. Best effort: when the request
 * fails or comes too late, the statement runs to its end, and the caller drains it. */
void pg_cancel(PGconn *conn);

/* Savepoints let one checker's failed query leave the others' snapshot usable. */
vexit pg_savepoint(pg_session *s, verr *e);
vexit pg_rollback_savepoint(pg_session *s, verr *e);
vexit pg_release_savepoint(pg_session *s, verr *e);

/* Code of the target (a configured expression's functions, a query check, a probe) runs
 * as vouch and may call set_config(..., false): a change that outlives its statement would
 * steer every later query (a search_path that puts the target's operators before
 * pg_catalog's, row_security on). Such statements run between pg_contain_begin and
 * pg_contain_end, which rolls back to the savepoint (undoing every setting changed
 * since) and then checks the session with pg_session_guard. */
vexit pg_contain_begin(pg_session *s, verr *e);
vexit pg_contain_end(pg_session *s, verr *e);
/* pg_query inside pg_contain_begin/_end; the result survives the rollback. A refusal of
 * the query itself is VOUCH_FAILED with the server's message, the snapshot still usable. */
vexit pg_query_contained(pg_session *s, PGresult **res, const char *sql, int nparams,
                         const char *const *params, verr *e);
/* One query: are search_path, row_security, standard_conforming_strings, client_encoding,
 * transaction_read_only, statement_timeout and the text forms as the session began?
 * VOUCH_ABORTED, naming the first that differs, when not: nothing the session reads after
 * that can be trusted. */
vexit pg_session_guard(pg_session *s, verr *e);

#endif
