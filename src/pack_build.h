/* Building an evidence pack (docs/auditor.md describes what is in one): what goes in;
 * src/pack_dir.h holds the folder it goes into.
 *
 * Everything is written into a new folder beside the destination, which is renamed
 * into place only when the pack is whole and its MANIFEST signed: a failed or
 * interrupted pack leaves nothing half-made under the destination's name. Nothing in
 * a pack depends on when it was built except the signing time inside MANIFEST.p7s,
 * so two packs of the same store and period differ only there. */
#ifndef VOUCH_PACK_BUILD_H
#define VOUCH_PACK_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/keys.h"
#include "reports/period.h"
#include "src/cmd_report.h"
#include "src/pack_dir.h"
#include "src/verr.h"

#define PACK_INFO_NAME "pack.json"

typedef struct pack_summary {
    size_t gate_runs;   /* gate and check runs, each with its reports */
    size_t baselines;   /* in the chain only */
    size_t drills;
    size_t files;       /* listed in MANIFEST */
    uint64_t bytes;     /* their total size */
    size_t stale;       /* folders of killed packs removed beside the destination */
} pack_summary;

/* Build the pack of period p from rq's store into dir (which must not exist or be
 * empty), signing its MANIFEST with s. */
vexit pack_build(const report_request *rq, const report_period *p, const char *dir, const signer *s,
                 pack_summary *sum, verr *e);

#endif
