/* checks/audit_chain: streamed hash-chain verification (see the header). */
#include "checks/audit_chain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

void chain_init(chain_verifier *v)
{
    memset(v, 0, sizeof *v);
    v->md = EVP_MD_CTX_new();
    v->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    v->null_bytes = "the row bytes expression gave NULL";
    if (!v->md || !v->sha256)
        abort(); /* out of memory, as xmalloc treats it, or a library without SHA-256 */
}

void chain_release(chain_verifier *v)
{
    EVP_MD_CTX_free(v->md);
    EVP_MD_free(v->sha256);
    v->md = NULL;
    v->sha256 = NULL;
}

static void broken(chain_verifier *v, int64_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void broken(chain_verifier *v, int64_t id, const char *fmt, ...)
{
    v->broken++;
    if (v->n_breaks == CHAIN_LISTED)
        return;
    chain_break *b = &v->breaks[v->n_breaks++];
    b->id = id;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->what, sizeof b->what, fmt, ap);
    va_end(ap);
}

void chain_step(chain_verifier *v, int64_t id, const copy_field *prev_hash,
                const copy_field *row_hash, const copy_field *row_bytes)
{
    v->rows++;
    bool row_ok = row_hash->len == CHAIN_HASH_LEN;
    if (!row_ok)
        broken(v, id, "row_hash is %s, not %d bytes", row_hash->len < 0 ? "NULL" : "malformed",
               CHAIN_HASH_LEN);
    if (prev_hash->len != CHAIN_HASH_LEN) {
        broken(v, id, "prev_hash is %s, not %d bytes", prev_hash->len < 0 ? "NULL" : "malformed",
               CHAIN_HASH_LEN);
    } else if (v->have_prev) {
        if (memcmp(prev_hash->data, v->prev_hash, CHAIN_HASH_LEN) != 0)
            broken(v, id, "prev_hash is not the row_hash of id %lld", (long long)v->prev_id);
    } else if (v->have_genesis && id == v->genesis_id &&
               memcmp(prev_hash->data, v->genesis_prev, CHAIN_HASH_LEN) != 0) {
        broken(v, id, "prev_hash of the first row differs from the baseline's");
    }
    if (row_bytes->len < 0) {
        broken(v, id, "%s", v->null_bytes);
    } else if (row_ok && prev_hash->len == CHAIN_HASH_LEN) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        if (!EVP_DigestInit_ex2(v->md, v->sha256, NULL) ||
            !EVP_DigestUpdate(v->md, prev_hash->data, CHAIN_HASH_LEN) ||
            !EVP_DigestUpdate(v->md, row_bytes->data, (size_t)row_bytes->len) ||
            !EVP_DigestFinal_ex(v->md, md, &md_len))
            abort(); /* SHA-256 on memory does not fail short of a broken library */
        if (md_len != CHAIN_HASH_LEN || memcmp(md, row_hash->data, CHAIN_HASH_LEN) != 0)
            broken(v, id, "row_hash is not sha256(prev_hash || row bytes): the row was altered");
    }
    v->have_prev = row_ok;
    v->prev_id = id;
    if (row_ok)
        memcpy(v->prev_hash, row_hash->data, CHAIN_HASH_LEN);
}

void chain_prime(chain_verifier *v, int64_t id, const copy_field *row_hash)
{
    v->have_prev = row_hash->len == CHAIN_HASH_LEN;
    v->prev_id = id;
    if (v->have_prev)
        memcpy(v->prev_hash, row_hash->data, CHAIN_HASH_LEN);
}

void chain_join(chain_verifier *v, const chain_verifier *next)
{
    if (!next->rows)
        return;
    for (size_t i = 0; i < next->n_breaks && v->n_breaks < CHAIN_LISTED; i++)
        v->breaks[v->n_breaks++] = next->breaks[i];
    v->broken += next->broken;
    v->rows += next->rows;
    v->have_prev = next->have_prev;
    v->prev_id = next->prev_id;
    memcpy(v->prev_hash, next->prev_hash, CHAIN_HASH_LEN);
}
