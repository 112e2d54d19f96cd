/* checks/audit_chain: verify an audit log's SHA-256 hash chain link by link as
 * the rows stream in over binary COPY; nothing is kept but the previous row's hash.
 *
 * The rows come from copy_stream (audit_copy.h). Each link is checkable on its own: row_hash = SHA-256(prev_hash || row bytes),
 * and prev_hash = the row_hash of the row before it in id order. */
#ifndef VOUCH_AUDIT_CHAIN_H
#define VOUCH_AUDIT_CHAIN_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#include "checks/audit_copy.h"
#include "src/pg.h"
#include "src/verr.h"

#define CHAIN_HASH_LEN 32
#define CHAIN_LISTED 20 /* broken links kept for the report; the rest are counted */

typedef struct chain_break {
    int64_t id;
    char what[112];
} chain_break;

typedef struct chain_verifier {
    EVP_MD_CTX *md;
    EVP_MD *sha256; /* fetched once: looking it up per row costs more than the hashing */
    /* The first row's prev_hash must be this when its id is genesis_id (the baseline's
     * first row): the start of the chain is anchored too. */
    bool have_genesis;
    int64_t genesis_id;
    unsigned char genesis_prev[CHAIN_HASH_LEN];
    bool have_prev;
    int64_t prev_id;
    unsigned char prev_hash[CHAIN_HASH_LEN];
    int64_t rows, broken;
    const char *null_bytes; /* what a row without bytes is reported as */
    chain_break breaks[CHAIN_LISTED];
    size_t n_breaks;
} chain_verifier;

void chain_init(chain_verifier *v);
void chain_release(chain_verifier *v);
/* Check one row (in id order): its own hash, and its link to the row before. */
void chain_step(chain_verifier *v, int64_t id, const copy_field *prev_hash,
                const copy_field *row_hash, const copy_field *row_bytes);
/* The row just before a part of the stream: its row hash is what the part's first row
 * must link to. Not counted. */
void chain_prime(chain_verifier *v, int64_t id, const copy_field *row_hash);
/* Append the part that follows v in id order (primed with v's last row). */
void chain_join(chain_verifier *v, const chain_verifier *next);

#endif
