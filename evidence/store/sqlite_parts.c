/* Baseline parts: what a check captures beyond its document (the rows of each range of a
 * token table), written one by one while the baseline runs and read back one by one, so
 * that neither 'vouch baseline' nor a gate holds a baseline whole. A run's digest covers
 * them through a digest of their digests, computed here a part at a time. */
#include <stdlib.h>
#include <string.h>

#include "evidence/chain.h"
#include "evidence/store/shared.h"
#include "evidence/store/sqlite_internal.h"
#include "src/util.h"

struct sqlite_parts {
    store_parts base;
    sqlite_store *st;
    sqlite3_stmt *s;   /* NULL: no parts to read (a store from before them) */
};

vexit sqlite_be_baseline_part_add(sqlite_store *st, int64_t run_id, const char *check, int64_t seq,
                              const char *content, verr *e)
{
    if (store_schema(st) < SCHEMA_BASELINE_PARTS)
        return verr_set(e, VOUCH_ABORTED, "store \"%s\" is too old to hold baseline parts",
                        sqlite_be_path(st));
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                             "INSERT INTO baseline_parts (run_id, check_name, seq, content)"
                             " VALUES (?1, ?2, ?3, ?4)",
                             e);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, run_id);
    store_bind_text(s, 2, check);
    sqlite3_bind_int64(s, 3, seq);
    store_bind_text(s, 4, content);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "store a part of a baseline");
    sqlite3_finalize(s);
    return rc;
}

vexit sqlite_be_parts_open(sqlite_store *st, int64_t run_id, const char *check, sqlite_parts **out, verr *e)
{
    sqlite_parts *p = xcalloc(1, sizeof *p);
    p->base.be = &store_sqlite_backend;
    p->st = st;
    *out = p;
    if (store_schema(st) < SCHEMA_BASELINE_PARTS)
        return VOUCH_OK;
    vexit rc = store_prepare(st, &p->s,
                             "SELECT content FROM baseline_parts WHERE run_id = ?1"
                             " AND check_name = ?2 ORDER BY seq",
                             e);
    if (rc) {
        free(p);
        *out = NULL;
        return rc;
    }
    sqlite3_bind_int64(p->s, 1, run_id);
    store_bind_text(p->s, 2, check);
    return VOUCH_OK;
}

vexit sqlite_be_parts_next(sqlite_parts *p, char **content, verr *e)
{
    *content = NULL;
    if (!p->s)
        return VOUCH_OK;
    int step = sqlite3_step(p->s);
    if (step == SQLITE_ROW) {
        *content = store_col_text(p->s, 0);
        return VOUCH_OK;
    }
    sqlite3_finalize(p->s);
    p->s = NULL;
    return step == SQLITE_DONE ? VOUCH_OK : store_db_error(p->st, e, "read a part of a baseline");
}

void sqlite_be_parts_close(sqlite_parts *p)
{
    if (!p)
        return;
    sqlite3_finalize(p->s);
    free(p);
}

vexit store_parts_attach(sqlite_store *st, run_record *r, verr *e)
{
    if (store_schema(st) < SCHEMA_BASELINE_PARTS)
        return VOUCH_OK;
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                             "SELECT check_name, content FROM baseline_parts WHERE run_id = ?1"
                             " ORDER BY check_name, seq",
                             e);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, r->id);
    parts_fold *f;
    if ((rc = parts_fold_begin(&f, r, e))) {
        sqlite3_finalize(s);
        return rc;
    }
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        parts_fold_add(f, (const char *)sqlite3_column_text(s, 0), sqlite3_column_blob(s, 1),
                       (size_t)sqlite3_column_bytes(s, 1));
    parts_fold_end(f);
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? VOUCH_OK : store_db_error(st, e, "read the parts of a baseline");
}

vexit store_parts_drop(sqlite_store *st, int64_t id, verr *e)
{
    if (store_schema(st) < SCHEMA_BASELINE_PARTS)
        return VOUCH_OK;
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, "DELETE FROM baseline_parts WHERE run_id = ?1", e);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "drop the parts of an aborted baseline");
    sqlite3_finalize(s);
    return rc;
}
