/* Approvals of runs (docs/approvals.md): a named person's signed statement that people may
 * be let back in on the evidence of one sealed run.
 *
 * What is signed is the approval's statement: compact JSON with sorted keys
 * ("vouch-approval/1") naming the run by id, its chain digest and the SHA-256 of its
 * canonical form (evidence/chain.h), with the note, the time and the signer. The digest
 * covers the canonical form and the run's place in the chain, so the signature binds
 * exactly the run approved; an edit of the run changes both and no longer matches.
 *
 * The store keeps each approval in its own chain (the approval chain), sealed like runs
 * and drills: SHA-256 over "vouch-approval-chain/1\n" PREV "\n" CANONICAL. */
#ifndef VOUCH_APPROVAL_H
#define VOUCH_APPROVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/chain.h"
#include "evidence/run_record.h"

#define APPROVAL_FORMAT "vouch-approval/1"
/* How long a note may be: one paragraph, not a document. */
#define APPROVAL_NOTE_MAX 2000

/* One approval as the store holds it. All strings and buffers owned. */
typedef struct approval_record {
    int64_t id;
    int64_t run_id;
    char *statement;            /* the signed text (APPROVAL_FORMAT) */
    unsigned char *signature;   /* detached CMS over statement, DER */
    size_t signature_len;
    unsigned char *tsr;         /* RFC 3161 response over signature, DER; NULL: none */
    size_t tsr_len;
    char *signer;               /* the signer's subject, "CN=...,O=..." */
    char *fingerprint;          /* SHA-256 of the signer's certificate, "AB:CD:..." */
    char *approved_at;          /* UTC, as in the statement */
    char *note;
    int64_t chain_pos;          /* 0 until sealed */
    char *prev_digest;
    char *digest;
} approval_record;

void approval_record_free(approval_record *a);

/* A list of approvals (store_approvals), oldest first. */
typedef struct approval_list {
    approval_record **v;
    size_t n;
} approval_list;
void approval_list_release(approval_list *l);

/* Whether a run can be approved: sealed, and a gate or check run that passed or failed.
 * When not, *why (static text) says what it is instead. */
bool approval_run_approvable(const run_record *r, const char **why);

/* The statement approving sealed run r: compact JSON, sorted keys. Caller frees. */
char *approval_statement(const run_record *r, const char *note, const char *approved_at,
                         const char *signer, const char *fingerprint);

/* What a statement says, read back (pointers into *doc's strings: keep doc until done,
 * then json_decref it). False when text is not a statement of APPROVAL_FORMAT with every
 * field of the right type. */
typedef struct approval_claim {
    int64_t run_id;
    const char *run_digest;
    const char *run_canonical_sha256;
    const char *note;
    const char *approved_at;
    const char *signer;
    const char *fingerprint;
} approval_claim;
struct json_t;
bool approval_statement_read(const char *text, approval_claim *out, struct json_t **doc);

/* Whether statement text approves exactly run r (id, digest, SHA-256 of its canonical form);
 * when not, *why (static text) says which. */
bool approval_matches_run(const approval_claim *c, const run_record *r, const char **why);

/* The canonical form of a's row (everything but its own digest) and its chain digest. */
char *approval_canonical(const approval_record *a);
void approval_digest(const approval_record *a, const char *prev, char out[DIGEST_HEX_LEN + 1]);

/* One sealed approval as every back end's verify judges it (evidence/approval_check.c):
 * at chain position want_pos, linked to prev, matching its digest, its signature holding
 * over its statement, made by the certificate its row names, the statement saying what
 * its row says and approving run (loaded by the caller: a->run_id) as it is sealed. False
 * with *why (the caller's buffer of size n) saying what is wrong. */
bool approval_check(const approval_record *a, int64_t want_pos, const char *prev,
                    const run_record *run, char *why, size_t n);

/* How many distinct signers (by certificate fingerprint) l's approvals of run_id have. */
size_t approval_distinct_signers(const approval_list *l, int64_t run_id);

#endif
