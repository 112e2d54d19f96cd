/* For the PostgreSQL back end's own modules (evidence/store/postgres*.c) only. */
#ifndef VOUCH_STORE_POSTGRES_INTERNAL_H
#define VOUCH_STORE_POSTGRES_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "evidence/store/backend.h"

/* The schema the script makes, numbered as SQLite's migrations (evidence/store/sqlite.c):
 * a PostgreSQL store starts at 6 and takes each later migration as SQLite does (later[] in
 * postgres_schema.c; raise this with each). */
#define PG_SCHEMA_VERSION 8
#define PG_SCHEMA_TARGET_NAMES 8 /* runs.target_name (SQLite's SCHEMA_TARGET_NAMES) */
/* The migration that made vouch.approvals: a store read where it lies may be older. */
#define PG_SCHEMA_APPROVALS 7

/* Every writing transaction: READ COMMITTED whatever the session's default, so that the
 * sealing functions read the chain's head after taking its lock (a REPEATABLE READ or
 * SERIALIZABLE snapshot would be older than the lock, and the seal would fail). */
#define PG_BEGIN "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE"

typedef struct pg_store {
    store base;
    PGconn *conn;
    char *shown;        /* the location without any secret, for messages */
    store_mode mode;
    int schema;
} pg_store;

typedef struct pg_function {
    const char *name, *args, *returns;
    bool definer;       /* SECURITY DEFINER: a sealing function */
    const char *body;
} pg_function;
typedef struct pg_trigger {
    const char *table, *name, *def; /* def: as pg_get_triggerdef() shows it */
} pg_trigger;
extern const pg_function pg_functions[];
extern const pg_trigger pg_triggers[];
extern const char *const pg_tables[];

/* The whole DBA's script (postgres_schema.c). Caller frees. */
char *pg_schema_script(void);

/* Connect to url (the full postgresql:// URL) as pg_store; no schema read. */
vexit pg_connect(pg_store **out, const char *url, verr *e);

/* Parameters for one statement, all text: integers formatted, texts passed through the
 * store's one door (valid UTF-8; masked where a secret may be). */
typedef struct pg_params {
    const char *v[24];
    char *owned[24];
    char num[24][24];
    int n;
} pg_params;
void pgp_text(pg_params *p, const char *v);
void pgp_masked(pg_params *p, const char *v);
void pgp_raw(pg_params *p, const char *v);
void pgp_int(pg_params *p, int64_t v);
void pgp_opt(pg_params *p, bool has, int64_t v);
void pgp_free(pg_params *p);

/* Run sql with p (NULL: none); *res the caller's to PQclear when not NULL. VOUCH_ABORTED
 * "store S: could not WHAT: the server's message" on failure (p freed either way). */
vexit pgq(pg_store *st, PGresult **res, const char *sql, pg_params *p, const char *what,
          verr *e);
vexit pgx(pg_store *st, const char *sql, const char *what, verr *e);
void pg_rollback(pg_store *st);
char *pg_col(const PGresult *r, int row, int col);
int64_t pg_int(const PGresult *r, int row, int col);
bool pg_opt(const PGresult *r, int row, int col, int64_t *v);
/* Ids of the first column of every row. */
vexit pg_ids(pg_store *st, const char *sql, pg_params *p, int64_t **ids, size_t *n, verr *e);

/* The back end's functions (postgres.c, postgres_drill.c, postgres_verify.c). */
vexit pgs_head(pg_store *st, store_heads *out, verr *e);
vexit pgs_load_run(pg_store *st, int64_t id, run_record **out, verr *e);
vexit pgs_verify_schema(pg_store *st, store_verdict *v, verr *e);
vexit pgs_verify(pg_store *st, store_verdict *v, verr *e);
vexit pgs_verify_since(pg_store *st, int64_t run_id, store_verdict *v, verr *e);
vexit pgs_verify_head(pg_store *st, int64_t pos, const char *digest, store_verdict *v, verr *e);
vexit pgs_open_drill(pg_store *st, int64_t *id, verr *e);
vexit pgs_drill_begin(pg_store *st, const drill_record *d, int64_t *id, verr *e);
vexit pgs_drill_mark(pg_store *st, int64_t drill_id, const drill_phase *p, verr *e);
vexit pgs_drill_finish(pg_store *st, drill_record *d, verr *e);
vexit pgs_load_drill(pg_store *st, int64_t id, drill_record **out, verr *e);
vexit pgs_list_drills(pg_store *st, int64_t limit, int64_t **ids, size_t *n, verr *e);
vexit pgs_drill_runs(pg_store *st, int64_t drill_id, int64_t **ids, size_t *n, verr *e);
vexit pgs_reap_drills(pg_store *st, verr *e);
vexit pgs_verify_drills(pg_store *st, store_verdict *v, verr *e);
/* Approvals (postgres_approval.c). */
vexit pgs_approval_head(pg_store *st, int64_t *pos, char **digest, verr *e);
vexit pgs_approval_add(pg_store *st, approval_record *a, verr *e);
vexit pgs_approvals(pg_store *st, int64_t run_id, approval_list *out, verr *e);
vexit pgs_verify_approvals(pg_store *st, store_verdict *v, verr *e);
/* Insert a as it is, sealed (a copy, or the second half of pgs_approval_add). */
vexit pgs_approval_insert(pg_store *st, const approval_record *a, verr *e);
/* r's results (but those not evaluated) and baselines, as seal inserts them. */
vexit pgs_insert_rows(pg_store *st, const run_record *r, verr *e);
/* Seal run r (running) inside an open transaction: results when insert_rows, then
 * seal_run and its digest; digest given (a copy) or computed from what is stored. */
vexit pgs_seal_run(pg_store *st, run_record *r, bool insert_rows, const char *digest, verr *e);
/* Seal drill d inside an open transaction likewise. */
vexit pgs_seal_drill(pg_store *st, drill_record *d, const char *digest, verr *e);

#endif
