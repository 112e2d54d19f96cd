/* The evidence store: one SQLite file holding runs, their results and baselines.
 *
 * Append-only: triggers refuse UPDATE and DELETE of anything sealed, and each
 * finished run is sealed with a digest chained to the run finished before it.
 * Only the runner writes here; reports and packs only read. */
#ifndef VOUCH_STORE_H
#define VOUCH_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "evidence/run_record.h"
#include "src/verr.h"

#define STORE_DEFAULT_PATH "vouch.db"
#define STORE_SCHEMA_VERSION 2

typedef struct store store;

/* Open (creating and migrating when create is true). Runs left "running" by a
 * process of this host that no longer exists are sealed as aborted. */
vexit store_open(store **out, const char *path, bool create, verr *e);
void store_close(store *st);
const char *store_path(const store *st);

/* Record that a run has started; the run stays "running" until store_run_finish. */
vexit store_run_begin(store *st, run_kind kind, const char *target, int64_t baseline_id,
                      const char *checks, int64_t *id, verr *e);

/* Seal a run in one transaction: its results and baselines, final status, server
 * identity, position in the chain and digest. r->id names the run; r->chain_pos,
 * r->prev_digest and r->digest are filled in. */
vexit store_run_finish(store *st, run_record *r, verr *e);

/* Load one run with its results and baselines. Caller frees with run_record_free. */
vexit store_load_run(store *st, int64_t id, run_record **out, verr *e);

/* Newest runs first, at most limit (0: all). Caller frees *ids. */
vexit store_list_runs(store *st, int64_t limit, int64_t **ids, size_t *n, verr *e);

/* The newest captured baseline, or VOUCH_USAGE when there is none. */
vexit store_latest_baseline(store *st, int64_t *id, verr *e);
/* Check that id is a captured baseline. */
vexit store_check_baseline(store *st, int64_t id, verr *e);

typedef struct store_verdict {
    bool ok;
    int64_t runs_checked;
    int64_t drills_checked;
    int64_t broken_run;     /* 0 when ok or the problem is not one run */
    int64_t broken_drill;   /* 0 when ok or the problem is not one drill */
    char problem[512];      /* what is wrong, when !ok */
} store_verdict;

/* Recompute the chain from the first sealed run to the last, then the drill chain
 * (evidence/store_drill.h). */
vexit store_verify(store *st, store_verdict *v, verr *e);

#endif
