/* Restore drills in the store (docs/drills.md, docs/store.md).
 *
 * A drill is inserted "running" when it starts, gains phases while it is open, and
 * is sealed once when it ends: its end, its measures and its place in the drill
 * chain, in one transaction. At most one drill is open per store. */
#ifndef VOUCH_STORE_DRILL_H
#define VOUCH_STORE_DRILL_H

#include <stdint.h>

#include "evidence/drill_record.h"
#include "evidence/store/store.h"
#include "src/verr.h"

/* The open drill's id into *id, 0 when none is open. */
vexit store_open_drill(store *st, int64_t *id, verr *e);

/* Record that a drill has started, from d's scenario, operator_name, incident_at,
 * started_at, restore_cmd, pid and the three objectives. VOUCH_USAGE naming the open
 * drill when one is already open. */
vexit store_drill_begin(store *st, const drill_record *d, int64_t *id, verr *e);

/* Append a phase to an open drill. */
vexit store_drill_mark(store *st, int64_t drill_id, const drill_phase *p, verr *e);

/* Seal d (d->id, still running) with its end: finished_at, status, note, error,
 * restore_exit, gate_run_id, restore point, rto, data loss and clock. The gate run's
 * digest is copied in; chain_pos, prev_digest and digest are filled in. */
vexit store_drill_finish(store *st, drill_record *d, verr *e);

/* One drill with its phases. Caller frees with drill_record_free. */
vexit store_load_drill(store *st, int64_t id, drill_record **out, verr *e);

/* Newest drills first, at most limit (0: all). Caller frees *ids. */
vexit store_list_drills(store *st, int64_t limit, int64_t **ids, size_t *n, verr *e);

/* The gate and check runs started while drill drill_id was open (runs.drill_id), oldest
 * first; none in a store from before the link. Caller frees *ids. */
vexit store_drill_runs(store *st, int64_t drill_id, int64_t **ids, size_t *n, verr *e);

/* Drills left open by a drill run process of this host that no longer exists are
 * sealed as interrupted (drills by hand have no process and stay open). */
vexit store_reap_drills(store *st, verr *e);

/* Walk the drill chain: positions, links, digests, each sealed drill's gate run
 * digest against the run, and ended drills outside the chain. Fills v as store_verify. */
vexit store_verify_drills(store *st, store_verdict *v, verr *e);

#endif
