/* Building an evidence pack (docs/auditor.md describes what is in one): what goes in;
 * evidence/pack_dir.h holds the folder it goes into.
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
#include "src/progress.h"
#include "src/settings.h"
#include "evidence/store/store.h"
#include "reports/evidence_head.h"
#include "evidence/pack_dir.h"
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

/* Where a pack's contents come from. */
typedef struct pack_source {
    store *st;                        /* opened read-only */
    const vouch_settings *settings;   /* [report] templates and organisation */
    const char *templates;            /* --templates DIR, or NULL */
    const evidence_head *head;        /* leave NULL: pack_build verifies the store and sets it
                                         on its own copy */
    progress *meter;                  /* MAY be set: the progress line, a run or drill at a time */
} pack_source;

/* Build the pack of period p from the source's store into dir (which must not exist or be
 * empty), signing its MANIFEST with s. */
vexit pack_build(const pack_source *from, const report_period *p, const char *dir, const signer *s,
                 pack_summary *sum, verr *e);

#endif
