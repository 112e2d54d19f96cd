/* For the SQLite back end's own modules (evidence/store/sqlite*.c) only: the SQLite
 * connection behind a store. Nothing outside evidence/store/ includes this. */
#ifndef VOUCH_STORE_INTERNAL_H
#define VOUCH_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "evidence/store/backend.h"
#include "evidence/store/shared.h"

/* A store on SQLite; base first, so that a store * of this back end is one of these. */
typedef struct sqlite_store sqlite_store;
typedef struct sqlite_parts sqlite_parts;

sqlite3 *store_sqlite(sqlite_store *st);

/* The back end's side of store.h and drill.h, each with the contract of the function of the
 * same name there (evidence/store/sqlite_backend.c puts them in store_sqlite_backend). */
vexit sqlite_be_open_at(sqlite_store **out, const char *path, const char *anchor, store_mode mode,
                        verr *e);
void sqlite_be_close(sqlite_store *st);
const char *sqlite_be_path(const sqlite_store *st);
const char *sqlite_be_anchor(const sqlite_store *st);
const char *sqlite_be_anchor_problem(const sqlite_store *st);
vexit sqlite_be_head(sqlite_store *st, store_heads *out, verr *e);
vexit sqlite_be_run_begin_with(sqlite_store *st, run_kind kind, const char *target,
                               int64_t baseline_id, const char *checks, const run_start *how,
                               int64_t *id, verr *e);
vexit sqlite_be_run_finish(sqlite_store *st, run_record *r, verr *e);
vexit sqlite_be_load_run(sqlite_store *st, int64_t id, run_record **out, verr *e);
vexit sqlite_be_list_runs(sqlite_store *st, int64_t limit, const char *target_name, int64_t **ids,
                          size_t *n, verr *e);
vexit sqlite_be_latest_runs(sqlite_store *st, int64_t **ids, size_t *n, verr *e);
vexit sqlite_be_latest_passed_runs(sqlite_store *st, int64_t **ids, size_t *n, verr *e);
vexit sqlite_be_last_negative_control(sqlite_store *st, const char *target_name, bool any_target,
                                      int64_t *id, verr *e);
vexit sqlite_be_latest_baseline(sqlite_store *st, const char *target_name, int64_t *id, verr *e);
vexit sqlite_be_check_baseline(sqlite_store *st, int64_t id, verr *e);
vexit sqlite_be_baseline_part_add(sqlite_store *st, int64_t run_id, const char *check, int64_t seq,
                                  const char *content, verr *e);
vexit sqlite_be_parts_open(sqlite_store *st, int64_t run_id, const char *check, sqlite_parts **out,
                           verr *e);
vexit sqlite_be_parts_next(sqlite_parts *p, char **content, verr *e);
void sqlite_be_parts_close(sqlite_parts *p);
vexit sqlite_be_verify(sqlite_store *st, store_verdict *v, verr *e);
vexit sqlite_be_verify_since(sqlite_store *st, int64_t run_id, store_verdict *v, verr *e);
vexit sqlite_be_verify_head(sqlite_store *st, int64_t pos, const char *digest, store_verdict *v,
                            verr *e);
vexit sqlite_be_open_drill(sqlite_store *st, int64_t *id, verr *e);
vexit sqlite_be_drill_begin(sqlite_store *st, const drill_record *d, int64_t *id, verr *e);
vexit sqlite_be_drill_mark(sqlite_store *st, int64_t drill_id, const drill_phase *p, verr *e);
vexit sqlite_be_drill_finish(sqlite_store *st, drill_record *d, verr *e);
vexit sqlite_be_load_drill(sqlite_store *st, int64_t id, drill_record **out, verr *e);
vexit sqlite_be_list_drills(sqlite_store *st, int64_t limit, int64_t **ids, size_t *n, verr *e);
vexit sqlite_be_drill_runs(sqlite_store *st, int64_t drill_id, int64_t **ids, size_t *n, verr *e);
vexit sqlite_be_reap_drills(sqlite_store *st, verr *e);
vexit sqlite_be_verify_drills(sqlite_store *st, store_verdict *v, verr *e);
vexit sqlite_be_approval_add(sqlite_store *st, approval_record *a, verr *e);
vexit sqlite_be_approvals(sqlite_store *st, int64_t run_id, approval_list *out, verr *e);
/* Walk the approval chain (evidence/store/sqlite_approval.c); fills v as store_verify. */
vexit sqlite_be_verify_approvals(sqlite_store *st, store_verdict *v, verr *e);

/* The migration (evidence/store/sqlite.c) that added drills' cadence, approver and smoke
 * test, and runs' drill_id: a store read where it lies may be older. */
#define SCHEMA_DRILL_POLICY 4
/* The migration that made baseline_parts (evidence/store/sqlite_parts.c). */
#define SCHEMA_BASELINE_PARTS 5
/* Into each of r's baselines how many parts it has and their digest; a part of a check
 * with no document adds one with an empty content, which no digest sealed can match. */
vexit store_parts_attach(sqlite_store *st, run_record *r, verr *e);
/* Drop the parts of run id, which is still open: an aborted baseline keeps none. */
vexit store_parts_drop(sqlite_store *st, int64_t id, verr *e);
#define SCHEMA_WAIVERS 6      /* runs.waivers, results.waiver */
#define SCHEMA_APPROVALS 7    /* the approvals table (evidence/store/sqlite_approval.c) */
#define SCHEMA_TARGET_NAMES 8 /* runs.target_name */

/* The SQLite plumbing of store.c, shared with the drill tables (store_drill.c). Errors
 * are VOUCH_ABORTED: "store PATH: could not WHAT: SQLite's message". */
vexit store_db_error(sqlite_store *st, verr *e, const char *what);
vexit store_exec(sqlite_store *st, const char *sql, const char *what, verr *e);
vexit store_prepare(sqlite_store *st, sqlite3_stmt **stmt, const char *sql, verr *e);
void store_rollback(sqlite_store *st);
/* v, or NULL as SQL NULL; made valid UTF-8 (src/utf8.h), otherwise as read. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
/* The same with every remembered secret masked (src/redact.h): only for the texts that can
 * carry one (a run's error, a drill's notes and error), never for what the database holds. */
void store_bind_masked(sqlite3_stmt *s, int i, const char *v);
/* Column i as a new string, NULL for SQL NULL. */
char *store_col_text(sqlite3_stmt *s, int i);
/* The schema version the store has (PRAGMA user_version). */
int store_schema(const sqlite_store *st);
/* Append "CHAIN POS DIGEST" to the head file after a COMMIT that sealed it (chain "run"
 * or "drill"); a failure is kept for store_anchor_problem, never returned. */
void store_anchor_append(sqlite_store *st, const char *chain, int64_t pos, const char *digest);
/* The approval chain's newest position and digest (0, NULL when empty); caller frees. */
vexit store_approval_chain_head(sqlite_store *st, int64_t *pos, char **digest, verr *e);
/* The drill chain's newest position and digest (0, NULL when empty); caller frees. */
vexit store_drill_chain_head(sqlite_store *st, int64_t *pos, char **digest, verr *e);

#endif
