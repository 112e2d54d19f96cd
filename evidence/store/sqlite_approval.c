/* Approvals in the SQLite store (evidence/approval.h, docs/approvals.md): the approvals
 * table and its own chain, sealed as each approval is inserted. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/store/sqlite_internal.h"
#include "src/util.h"

static void broken(store_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void broken(store_verdict *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->problem, sizeof v->problem, fmt, ap);
    va_end(ap);
    v->ok = false;
}

vexit store_approval_chain_head(sqlite_store *st, int64_t *pos, char **digest, verr *e)
{
    *pos = 0;
    *digest = NULL;
    if (store_schema(st) < SCHEMA_APPROVALS)
        return VOUCH_OK;
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s,
                             "SELECT chain_pos, digest FROM approvals ORDER BY chain_pos DESC LIMIT 1",
                             e);
    if (rc)
        return rc;
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *pos = sqlite3_column_int64(s, 0);
        *digest = store_col_text(s, 1);
    }
    sqlite3_finalize(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_db_error(st, e, "read the approval chain's head");
    return VOUCH_OK;
}

static void bind_blob(sqlite3_stmt *s, int i, const unsigned char *p, size_t n)
{
    if (p)
        sqlite3_bind_blob64(s, i, p, n, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

static unsigned char *col_blob(sqlite3_stmt *s, int i, size_t *n)
{
    *n = 0;
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return NULL;
    const void *p = sqlite3_column_blob(s, i);
    int len = sqlite3_column_bytes(s, i);
    unsigned char *copy = xmalloc(len > 0 ? (size_t)len : 1);
    if (len > 0)
        memcpy(copy, p, (size_t)len);
    *n = len > 0 ? (size_t)len : 0;
    return copy;
}

/* The run must be there and sealed (the trigger says so too, in fewer words). */
static vexit check_run(sqlite_store *st, int64_t run_id, verr *e)
{
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, "SELECT digest IS NOT NULL FROM runs WHERE id = ?1", e);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, run_id);
    int step = sqlite3_step(s);
    bool sealed = step == SQLITE_ROW && sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_db_error(st, e, "read a run");
    if (step == SQLITE_DONE)
        return verr_set(e, VOUCH_USAGE, "store \"%s\" has no run %lld", sqlite_be_path(st),
                        (long long)run_id);
    if (!sealed)
        return verr_set(e, VOUCH_USAGE, "run %lld in store \"%s\" is not sealed: only a sealed"
                        " run can be approved", (long long)run_id, sqlite_be_path(st));
    return VOUCH_OK;
}

static vexit insert(sqlite_store *st, approval_record *a, verr *e)
{
    int64_t head;
    char *prev;
    vexit rc = check_run(st, a->run_id, e);
    if (rc || (rc = store_approval_chain_head(st, &head, &prev, e)))
        return rc;
    a->chain_pos = head + 1;
    free(a->prev_digest);
    a->prev_digest = prev;
    /* the id it will have, so that the digest can cover it before the row is written */
    sqlite3_stmt *s;
    if ((rc = store_prepare(st, &s, "SELECT coalesce(max(id), 0) + 1 FROM approvals", e)))
        return rc;
    a->id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 1;
    sqlite3_finalize(s);
    char digest[DIGEST_HEX_LEN + 1];
    approval_digest(a, a->prev_digest, digest);
    free(a->digest);
    a->digest = xstrdup(digest);
    if ((rc = store_prepare(st, &s,
                            "INSERT INTO approvals (id, run_id, statement, signature, tsr, signer,"
                            " fingerprint, approved_at, note, chain_pos, prev_digest, digest)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                            e)))
        return rc;
    sqlite3_bind_int64(s, 1, a->id);
    sqlite3_bind_int64(s, 2, a->run_id);
    /* bound as given, not through store_bind_text: the statement is signed byte for byte,
     * and vouch made every text in it valid UTF-8 (canon_str) */
    sqlite3_bind_text(s, 3, a->statement, -1, SQLITE_TRANSIENT);
    bind_blob(s, 4, a->signature, a->signature_len);
    bind_blob(s, 5, a->tsr, a->tsr_len);
    sqlite3_bind_text(s, 6, a->signer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, a->fingerprint, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 8, a->approved_at, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 9, a->note, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 10, a->chain_pos);
    store_bind_text(s, 11, a->prev_digest);
    store_bind_text(s, 12, a->digest);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_db_error(st, e, "record an approval");
    sqlite3_finalize(s);
    return rc;
}

vexit sqlite_be_approval_add(sqlite_store *st, approval_record *a, verr *e)
{
    if (store_schema(st) < SCHEMA_APPROVALS)
        return verr_set(e, VOUCH_ABORTED, "store \"%s\" was opened read-only", sqlite_be_path(st));
    vexit rc = store_exec(st, "BEGIN IMMEDIATE", "lock the store", e);
    if (rc)
        return rc;
    if ((rc = insert(st, a, e)) || (rc = store_exec(st, "COMMIT", "commit an approval", e))) {
        store_rollback(st);
        return rc;
    }
    store_anchor_append(st, "approval", a->chain_pos, a->digest);
    return VOUCH_OK;
}

static const char approval_columns[] =
    "SELECT id, run_id, statement, signature, tsr, signer, fingerprint, approved_at, note,"
    " chain_pos, prev_digest, digest FROM approvals";

static approval_record *read_row(sqlite3_stmt *s)
{
    approval_record *a = xcalloc(1, sizeof *a);
    a->id = sqlite3_column_int64(s, 0);
    a->run_id = sqlite3_column_int64(s, 1);
    a->statement = store_col_text(s, 2);
    a->signature = col_blob(s, 3, &a->signature_len);
    a->tsr = col_blob(s, 4, &a->tsr_len);
    a->signer = store_col_text(s, 5);
    a->fingerprint = store_col_text(s, 6);
    a->approved_at = store_col_text(s, 7);
    a->note = store_col_text(s, 8);
    a->chain_pos = sqlite3_column_int64(s, 9);
    a->prev_digest = store_col_text(s, 10);
    a->digest = store_col_text(s, 11);
    return a;
}

vexit sqlite_be_approvals(sqlite_store *st, int64_t run_id, approval_list *out, verr *e)
{
    *out = (approval_list){0};
    if (store_schema(st) < SCHEMA_APPROVALS) /* a store from before approvals */
        return VOUCH_OK;
    char *sql = xasprintf("%s%s ORDER BY chain_pos", approval_columns,
                          run_id ? " WHERE run_id = ?1" : "");
    sqlite3_stmt *s;
    vexit rc = store_prepare(st, &s, sql, e);
    free(sql);
    if (rc)
        return rc;
    if (run_id)
        sqlite3_bind_int64(s, 1, run_id);
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        grow((void **)&out->v, &cap, out->n + 1, sizeof *out->v);
        out->v[out->n++] = read_row(s);
    }
    sqlite3_finalize(s);
    if (step != SQLITE_DONE) {
        approval_list_release(out);
        return store_db_error(st, e, "read approvals");
    }
    return VOUCH_OK;
}

/* One approval: evidence/approval.h's approval_check, with its run read from the store. */
static vexit verify_one(sqlite_store *st, const approval_record *a, int64_t want_pos,
                        const char *prev, store_verdict *v, verr *e)
{
    run_record *run;
    vexit rc = sqlite_be_load_run(st, a->run_id, &run, e);
    if (rc == VOUCH_USAGE) { /* the run is gone: the approval cannot hold */
        verr_clear(e);
        broken(v, "approval %lld approves run %lld, which the store does not have",
               (long long)a->id, (long long)a->run_id);
        return VOUCH_OK;
    }
    if (rc)
        return rc;
    char why[512];
    if (!approval_check(a, want_pos, prev, run, why, sizeof why))
        broken(v, "%s", why);
    run_record_free(run);
    return VOUCH_OK;
}

vexit sqlite_be_verify_approvals(sqlite_store *st, store_verdict *v, verr *e)
{
    approval_list l;
    vexit rc = sqlite_be_approvals(st, 0, &l, e);
    if (rc)
        return rc;
    char prev[DIGEST_HEX_LEN + 1] = "";
    for (size_t i = 0; i < l.n && v->ok && !rc; i++) {
        rc = verify_one(st, l.v[i], (int64_t)i + 1, prev, v, e);
        if (!rc && v->ok)
            v->approvals_checked++;
        snprintf(prev, sizeof prev, "%s", l.v[i]->digest ? l.v[i]->digest : "");
    }
    approval_list_release(&l);
    return rc;
}
