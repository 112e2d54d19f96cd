/* What a report or a pack states about the store it was made from: that its chains
 * were verified whole when it was made, and their heads then (the chain position and
 * digest of the newest sealed run, and of the newest sealed drill). Nothing is made
 * from a store whose chain is broken: an edited result would be signed as evidence. */
#ifndef VOUCH_EVIDENCE_HEAD_H
#define VOUCH_EVIDENCE_HEAD_H

#include <stdint.h>

#include <jansson.h>
#include <libxml/tree.h>

#include "evidence/chain.h"
#include "evidence/store/store.h"
#include "src/verr.h"

typedef struct evidence_head {
    int64_t run_pos;                          /* 0: no sealed run */
    char run_digest[DIGEST_HEX_LEN + 1];      /* "" when run_pos is 0 */
    int64_t drill_pos;                        /* 0: no sealed drill */
    char drill_digest[DIGEST_HEX_LEN + 1];
} evidence_head;

/* Verify the store's run and drill chains (store_verify), then read their heads into
 * *h. A broken chain is VOUCH_FAILED: "store PATH: the chain is broken: run 3 does not
 * match its digest: ...", with a hint; a store that cannot be read, VOUCH_ABORTED. */
vexit evidence_check(store *st, evidence_head *h, verr *e);

/* <store-head run-position= run-digest= drill-position= drill-digest=/> as the last
 * element of the report (templates/report.rng): the verdict stays first. */
void evidence_head_xml(xmlDocPtr doc, const evidence_head *h);

/* {"run_chain_pos", "run_digest", "drill_chain_pos", "drill_digest"} (digests null
 * when the chain is empty), for pack.json. */
json_t *evidence_head_json(const evidence_head *h);

#endif
