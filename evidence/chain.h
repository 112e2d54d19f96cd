/* The store's hash chain: each finished run's digest covers its canonical
 * content and the digest of the run finished before it. */
#ifndef VOUCH_CHAIN_H
#define VOUCH_CHAIN_H

#include <jansson.h>

#include "evidence/run_record.h"

#define DIGEST_HEX_LEN 64

/* The canonical form of a run (everything but its own digest): compact JSON with
 * sorted keys. r->canon_version picks the format, each fixed forever:
 *   1 (and 0): "vouch-run/1", what vouch sealed before the head file existed; it leaves
 *      out the host and pid that ran the run.
 *   2: "vouch-run/2", vouch-run/1 with "host" and "pid" added; every run sealed now.
 * Fields added since (incident_at, started_by, ci_job, not_evaluated, waivers; a result's facts and waiver; a
 * baseline's parts and parts_sha256) appear in either form only when set, so no digest
 * sealed without them moves.
 * Caller frees. */
#define RUN_CANON_CURRENT 2
char *run_canonical(const run_record *r);

/* SHA-256 over "vouch-chain/1\n" PREV "\n" CANONICAL, as lowercase hex.
 * prev is NULL or "" for the first run of the chain. */
void run_digest(const run_record *r, const char *prev, char out[DIGEST_HEX_LEN + 1]);

/* For canonical forms (runs, drills): a JSON string of s, or null, or where s is not
 * UTF-8 (which JSON cannot hold, and jansson would refuse to write) {"hex": its bytes}; and doc as compact JSON with sorted keys, doc
 * released, the text the caller's to free. Out of memory aborts: a digest cannot be
 * left half made. */
json_t *canon_str(const char *s);
char *canonical_dump(json_t *doc, const char *what);

/* SHA-256 of a buffer as lowercase hex (OpenSSL). */
void sha256_hex(const void *data, size_t len, char out[DIGEST_HEX_LEN + 1]);

#endif
