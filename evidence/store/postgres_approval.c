/* Approvals in the PostgreSQL store (evidence/approval.h, docs/approvals.md): as in
 * evidence/store/sqlite_approval.c, each sealed as it is inserted, here under the approval
 * chain's own advisory lock, so that approvals from many machines take one order. A writer
 * may insert an approval (a sealed row) but never change one; verify checks each signature. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/store/postgres_internal.h"
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

vexit pgs_approval_head(pg_store *st, int64_t *pos, char **digest, verr *e)
{
    *pos = 0;
    *digest = NULL;
    if (st->schema < PG_SCHEMA_APPROVALS) /* a store from before approvals, read as it is */
        return VOUCH_OK;
    PGresult *r;
    vexit rc = pgq(st, &r,
                   "SELECT chain_pos, digest FROM vouch.approvals ORDER BY chain_pos DESC LIMIT 1",
                   NULL, "read the approval chain's head", e);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        *pos = pg_int(r, 0, 0);
        *digest = pg_col(r, 0, 1);
    }
    PQclear(r);
    return VOUCH_OK;
}

/* bytea as text input: \x and hex digits. Caller frees. */
static char *bytea_hex(const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *out = xmalloc(2 * n + 3);
    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < n; i++) {
        out[2 + 2 * i] = digits[p[i] >> 4];
        out[3 + 2 * i] = digits[p[i] & 15];
    }
    out[2 * n + 2] = '\0';
    return out;
}

static unsigned char *col_bytea(const PGresult *r, int row, int col, size_t *n)
{
    *n = 0;
    if (PQgetisnull(r, row, col))
        return NULL;
    size_t len = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &len);
    if (!raw)
        abort(); /* out of memory */
    unsigned char *copy = xmalloc(len ? len : 1);
    memcpy(copy, raw, len);
    PQfreemem(raw);
    *n = len;
    return copy;
}

vexit pgs_approval_insert(pg_store *st, const approval_record *a, verr *e)
{
    char *sig = bytea_hex(a->signature, a->signature_len);
    char *tsr = a->tsr ? bytea_hex(a->tsr, a->tsr_len) : NULL;
    pg_params p = {0};
    pgp_int(&p, a->id);
    pgp_int(&p, a->run_id);
    /* as given: the statement is signed byte for byte, and vouch made it valid UTF-8 */
    pgp_raw(&p, a->statement);
    pgp_raw(&p, sig);
    pgp_raw(&p, tsr);
    pgp_raw(&p, a->signer);
    pgp_raw(&p, a->fingerprint);
    pgp_raw(&p, a->approved_at);
    pgp_raw(&p, a->note);
    pgp_int(&p, a->chain_pos);
    pgp_raw(&p, a->prev_digest);
    pgp_raw(&p, a->digest);
    vexit rc = pgq(st, NULL,
                   "INSERT INTO vouch.approvals (id, run_id, statement, signature, tsr, signer,"
                   " fingerprint, approved_at, note, chain_pos, prev_digest, digest)"
                   " VALUES ($1, $2, $3, $4::bytea, $5::bytea, $6, $7, $8, $9, $10, $11, $12)",
                   &p, "record an approval", e);
    free(sig);
    free(tsr);
    return rc;
}

/* The run must be there and sealed (the trigger says so too, in fewer words). */
static vexit check_run(pg_store *st, int64_t run_id, verr *e)
{
    pg_params p = {0};
    pgp_int(&p, run_id);
    PGresult *r;
    vexit rc = pgq(st, &r, "SELECT digest IS NOT NULL FROM vouch.runs WHERE id = $1", &p,
                   "read a run", e);
    if (rc)
        return rc;
    bool there = PQntuples(r) == 1, sealed = there && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (!there)
        return verr_set(e, VOUCH_USAGE, "store \"%s\" has no run %lld", st->shown,
                        (long long)run_id);
    if (!sealed)
        return verr_set(e, VOUCH_USAGE, "run %lld in store \"%s\" is not sealed: only a sealed"
                        " run can be approved", (long long)run_id, st->shown);
    return VOUCH_OK;
}

static vexit seal(pg_store *st, approval_record *a, verr *e)
{
    vexit rc = pgx(st, "SELECT pg_advisory_xact_lock(1987014499, 3)", "lock the approval chain",
                   e);
    int64_t head;
    char *prev;
    if (rc || (rc = check_run(st, a->run_id, e)) || (rc = pgs_approval_head(st, &head, &prev, e)))
        return rc;
    a->chain_pos = head + 1;
    free(a->prev_digest);
    a->prev_digest = prev;
    /* the id it will have, so that the digest can cover it before the row is written */
    PGresult *r;
    if ((rc = pgq(st, &r, "SELECT coalesce(max(id), 0) + 1 FROM vouch.approvals", NULL,
                  "number an approval", e)))
        return rc;
    a->id = pg_int(r, 0, 0);
    PQclear(r);
    char digest[DIGEST_HEX_LEN + 1];
    approval_digest(a, a->prev_digest, digest);
    free(a->digest);
    a->digest = xstrdup(digest);
    return pgs_approval_insert(st, a, e);
}

vexit pgs_approval_add(pg_store *st, approval_record *a, verr *e)
{
    if (st->mode == STORE_READ)
        return verr_set(e, VOUCH_ABORTED, "store \"%s\" was opened read-only", st->shown);
    vexit rc = pgx(st, PG_BEGIN, "begin a transaction", e);
    if (rc)
        return rc;
    if ((rc = seal(st, a, e)) || (rc = pgx(st, "COMMIT", "commit an approval", e)))
        pg_rollback(st);
    return rc;
}

vexit pgs_approvals(pg_store *st, int64_t run_id, approval_list *out, verr *e)
{
    *out = (approval_list){0};
    if (st->schema < PG_SCHEMA_APPROVALS)
        return VOUCH_OK;
    pg_params p = {0};
    pgp_int(&p, run_id);
    PGresult *r;
    vexit rc = pgq(st, &r,
                   "SELECT id, run_id, statement, signature, tsr, signer, fingerprint,"
                   " approved_at, note, chain_pos, prev_digest, digest FROM vouch.approvals"
                   " WHERE $1 = 0 OR run_id = $1 ORDER BY chain_pos",
                   &p, "read approvals", e);
    if (rc)
        return rc;
    size_t cap = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        approval_record *a = xcalloc(1, sizeof *a);
        a->id = pg_int(r, i, 0);
        a->run_id = pg_int(r, i, 1);
        a->statement = pg_col(r, i, 2);
        a->signature = col_bytea(r, i, 3, &a->signature_len);
        a->tsr = col_bytea(r, i, 4, &a->tsr_len);
        a->signer = pg_col(r, i, 5);
        a->fingerprint = pg_col(r, i, 6);
        a->approved_at = pg_col(r, i, 7);
        a->note = pg_col(r, i, 8);
        a->chain_pos = pg_int(r, i, 9);
        a->prev_digest = pg_col(r, i, 10);
        a->digest = pg_col(r, i, 11);
        grow((void **)&out->v, &cap, out->n + 1, sizeof *out->v);
        out->v[out->n++] = a;
    }
    PQclear(r);
    return VOUCH_OK;
}

vexit pgs_verify_approvals(pg_store *st, store_verdict *v, verr *e)
{
    approval_list l;
    vexit rc = pgs_approvals(st, 0, &l, e);
    if (rc)
        return rc;
    char prev[DIGEST_HEX_LEN + 1] = "";
    for (size_t i = 0; i < l.n && v->ok && !rc; i++) {
        const approval_record *a = l.v[i];
        run_record *run;
        rc = pgs_load_run(st, a->run_id, &run, e);
        if (rc == VOUCH_USAGE) { /* the run is gone: the approval cannot hold */
            verr_clear(e);
            rc = VOUCH_OK;
            broken(v, "approval %lld approves run %lld, which the store does not have",
                   (long long)a->id, (long long)a->run_id);
            break;
        }
        if (rc)
            break;
        char why[512];
        if (!approval_check(a, (int64_t)i + 1, prev, run, why, sizeof why))
            broken(v, "%s", why);
        else
            v->approvals_checked++;
        run_record_free(run);
        snprintf(prev, sizeof prev, "%s", a->digest ? a->digest : "");
    }
    approval_list_release(&l);
    return rc;
}
