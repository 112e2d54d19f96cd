/* For the store's own modules (evidence/store_*.c) only: the SQLite connection
 * behind a store. Nothing outside evidence/ includes this. */
#ifndef VOUCH_STORE_INTERNAL_H
#define VOUCH_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "evidence/store/store.h"

sqlite3 *store_sqlite(store *st);

/* The migration (evidence/store/sqlite.c) that added drills' cadence, approver and smoke
 * test, and runs' drill_id: a store read where it lies may be older. */
#define SCHEMA_DRILL_POLICY 4
/* The migration that made baseline_parts (evidence/store/sqlite_parts.c). */
#define SCHEMA_BASELINE_PARTS 5
/* Into each of r's baselines how many parts it has and their digest; a part of a check
 * with no document adds one with an empty content, which no digest sealed can match. */
vexit store_parts_attach(store *st, run_record *r, verr *e);
/* Drop the parts of run id, which is still open: an aborted baseline keeps none. */
vexit store_parts_drop(store *st, int64_t id, verr *e);
#define SCHEMA_WAIVERS 6      /* runs.waivers, results.waiver */

/* The SQLite plumbing of store.c, shared with the drill tables (store_drill.c). Errors
 * are VOUCH_ABORTED: "store PATH: could not WHAT: SQLite's message". */
vexit store_db_error(store *st, verr *e, const char *what);
vexit store_exec(store *st, const char *sql, const char *what, verr *e);
vexit store_prepare(store *st, sqlite3_stmt **stmt, const char *sql, verr *e);
void store_rollback(store *st);
/* v, or NULL as SQL NULL; made valid UTF-8 (src/utf8.h), otherwise as read. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
/* The same with every remembered secret masked (src/redact.h): only for the texts that can
 * carry one (a run's error, a drill's notes and error), never for what the database holds. */
void store_bind_masked(sqlite3_stmt *s, int i, const char *v);
/* Column i as a new string, NULL for SQL NULL. */
char *store_col_text(sqlite3_stmt *s, int i);
/* This machine's name, for telling whose orphaned runs and drills may be reaped. */
void store_this_host(char *buf, size_t size);
/* Whether no process of this host has pid (the run or drill it began was abandoned);
 * a pid no process can have counts as gone. */
bool store_process_gone(int64_t pid);
/* The schema version the store has (PRAGMA user_version). */
int store_schema(const store *st);
/* Append "CHAIN POS DIGEST" to the head file after a COMMIT that sealed it (chain "run"
 * or "drill"); a failure is kept for store_anchor_problem, never returned. */
void store_anchor_append(store *st, const char *chain, int64_t pos, const char *digest);
/* The drill chain's newest position and digest (0, NULL when empty); caller frees. */
vexit store_drill_chain_head(store *st, int64_t *pos, char **digest, verr *e);

#endif
