/* checks/content_diff: narrowing a changed range to its rows (see the header). */
#include "checks/content_diff.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "src/util.h"

void content_range_release(content_range *r)
{
    for (int i = 0; i < CONTENT_SUMS; i++)
        free(r->sums[i]);
    for (size_t j = 0; j < r->n_cols; j++)
        free(r->cols[j]);
    free(r->cols);
    memset(r, 0, sizeof *r);
}

bool content_range_same(const content_range *a, const content_range *b)
{
    if (a->rows != b->rows)
        return false;
    for (int i = 0; i < CONTENT_SUMS; i++)
        if (strcmp(a->sums[i] ? a->sums[i] : "", b->sums[i] ? b->sums[i] : "") != 0)
            return false;
    return true;
}

int64_t content_bucket(const content_cut *cut, int64_t g)
{
    if (cut->width > 0)
        return g / cut->width; /* truncating, as the server's integer division does */
    return g % cut->buckets;
}

/* Big integers: OpenSSL's BIGNUM; allocation failure ends the process as xmalloc does. */
static BIGNUM *bn_new(void)
{
    BIGNUM *b = BN_new();
    if (!b)
        abort();
    return b;
}

static BIGNUM *bn_dec(const char *s)
{
    BIGNUM *b = NULL;
    if (!s || !*s || (size_t)BN_dec2bn(&b, s) != strlen(s)) {
        BN_free(b);
        b = bn_new(); /* a malformed sum reads as 0: the range then stays unexplained */
    }
    return b;
}

static BIGNUM *bn_i64(int64_t v)
{
    BIGNUM *b = bn_new();
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (!BN_set_word(b, mag))
        abort();
    BN_set_negative(b, v < 0);
    return b;
}

static bool bn_to_i64(const BIGNUM *b, int64_t *out)
{
    char *s = BN_bn2dec(b);
    bool ok = s && parse_int64(s, out);
    OPENSSL_free(s);
    return ok;
}

/* The differences now - base of the four sums. */
typedef struct deltas {
    BIGNUM *d[CONTENT_SUMS];
} deltas;

static void deltas_make(const content_range *base, const content_range *now, deltas *x)
{
    for (int i = 0; i < CONTENT_SUMS; i++) {
        BIGNUM *a = bn_dec(now->sums[i]), *b = bn_dec(base->sums[i]);
        x->d[i] = bn_new();
        if (!BN_sub(x->d[i], a, b))
            abort();
        BN_free(a);
        BN_free(b);
    }
}

static void deltas_release(deltas *x)
{
    for (int i = 0; i < CONTENT_SUMS; i++)
        BN_free(x->d[i]);
}

/* The rows only the baseline holds sum to sb = extra_s - dS and gb = extra_g - dG in
 * each family, where extra is what the rows only now holds contribute (the candidate
 * row r, or nothing). *none when the baseline holds nothing else; else *g gets the key
 * of the one row that explains both families, and true is returned. */
static bool solve(const deltas *x, const content_row *r, BN_CTX *ctx, bool *none, int64_t *g)
{
    bool ok = true, all_zero = true;
    int64_t found[2] = {0, 0};
    for (int fam = 0; fam < 2 && ok; fam++) {
        BIGNUM *sb = bn_new(), *gb = bn_new(), *q = bn_new(), *rem = bn_new();
        if (r) {
            BIGNUM *h = bn_i64(fam ? r->h2 : r->h1), *gr = bn_i64(r->g), *gh = bn_new();
            if (!BN_mul(gh, gr, h, ctx) || !BN_sub(sb, h, x->d[2 * fam]) ||
                !BN_sub(gb, gh, x->d[2 * fam + 1]))
                abort();
            BN_free(h);
            BN_free(gr);
            BN_free(gh);
        } else {
            if (!BN_sub(sb, sb, x->d[2 * fam]) || !BN_sub(gb, gb, x->d[2 * fam + 1]))
                abort();
        }
        if (!BN_is_zero(sb) || !BN_is_zero(gb))
            all_zero = false;
        if (BN_is_zero(sb) || !BN_div(q, rem, gb, sb, ctx) || !BN_is_zero(rem) ||
            !bn_to_i64(q, &found[fam]))
            ok = false;
        BN_free(sb);
        BN_free(gb);
        BN_free(q);
        BN_free(rem);
    }
    *none = all_zero;
    if (all_zero)
        return false;
    if (!ok || found[0] != found[1])
        return false;
    *g = found[0];
    return true;
}

void content_explain(const content_cut *cut, const content_range *base, const content_range *now,
                     const content_row *rows, size_t n_rows, content_explained *out)
{
    memset(out, 0, sizeof *out);
    out->changed_row = out->added_row = -1;
    size_t n_cols = base->n_cols < now->n_cols ? base->n_cols : now->n_cols;
    out->cols_changed = xcalloc(n_cols + 1, sizeof *out->cols_changed);
    for (size_t j = 0; j < n_cols; j++) {
        BIGNUM *a = bn_dec(base->cols[j]), *b = bn_dec(now->cols[j]);
        out->cols_changed[j] = BN_cmp(a, b) != 0;
        BN_free(a);
        BN_free(b);
    }
    BN_CTX *ctx = BN_CTX_new();
    if (!ctx)
        abort();
    deltas x;
    deltas_make(base, now, &x);
    int64_t drows = now->rows - base->rows, g;
    bool none;
    /* One row removed, nothing added. */
    if (drows == -1 && solve(&x, NULL, ctx, &none, &g) && content_bucket(cut, g) == base->bucket) {
        out->explained = true;
        out->removed = true;
        out->removed_g = g;
    }
    /* One row only now: added, changed in place, or added while another was removed. */
    for (size_t i = 0; !out->explained && i < n_rows && (drows == 0 || drows == 1); i++) {
        bool found = solve(&x, &rows[i], ctx, &none, &g);
        if (drows == 1 && none) {
            out->explained = true;
            out->added_row = (int)i;
        } else if (drows == 0 && found && content_bucket(cut, g) == base->bucket) {
            out->explained = true;
            if (g == rows[i].g) {
                out->changed_row = (int)i;
            } else {
                out->added_row = (int)i;
                out->removed = true;
                out->removed_g = g;
            }
        }
    }
    deltas_release(&x);
    BN_CTX_free(ctx);
}
