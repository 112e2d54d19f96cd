/* The evidence store: runs, their results and baselines, behind one interface whose back
 * end (evidence/store/backend.h; SQLite, one file, today) is chosen by the location's scheme.
 *
 * Append-only: triggers refuse UPDATE and DELETE of anything sealed, and each
 * finished run is sealed with a digest chained to the run finished before it.
 * Only the runner writes here; reports and packs only read. */
#ifndef VOUCH_STORE_H
#define VOUCH_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "evidence/approval.h"
#include "evidence/run_record.h"
#include "src/verr.h"

#define STORE_DEFAULT_PATH "vouch.db"
#define STORE_SCHEMA_VERSION 8

typedef struct store store;

/* How a store is opened. */
typedef enum store_mode {
    STORE_WRITE = 0,   /* an existing store, to write: migrated, orphans reaped */
    STORE_CREATE = 1,  /* likewise, created when missing */
    STORE_READ = 2,    /* an existing store, only read: no journal change, no migration, no
                        * reaping, nothing written (works on read-only media) */
} store_mode;

/* Open a store at path: a file path or sqlite:PATH (the SQLite back end); postgresql://...
 * and postgres://... are refused with VOUCH_USAGE until that back end is built, as is any
 * other scheme://. anchor is its head file (docs/store.md); NULL: PATH.head beside
 * it. Writing opens create the head file when it is missing and append one line to it
 * for every run and drill they seal. Runs and drills left running by a process of this
 * host that no longer exists are sealed as aborted (interrupted) when writing. */
vexit store_open_at(store **out, const char *path, const char *anchor, store_mode mode, verr *e);
/* Whether a store is at path (named as for store_open_at); VOUCH_USAGE when no back end
 * built here opens such a location. */
vexit store_exists(const char *path, bool *exists, verr *e);
/* store_open_at(out, path, NULL, create ? STORE_CREATE : STORE_WRITE, e). */
vexit store_open(store **out, const char *path, bool create, verr *e);
void store_close(store *st);
const char *store_path(const store *st);
/* The head file's path (never NULL). */
const char *store_anchor(const store *st);
/* Why the last seal could not be recorded in the head file ("" when it was): the run or
 * drill is sealed in the store all the same, and vouch verify names it as not anchored. */
const char *store_anchor_problem(const store *st);

#define STORE_DIGEST_LEN 64

/* The newest sealed position and digest of each chain; pos 0 and "" for an empty one. */
typedef struct store_heads {
    int64_t run_pos;
    char run_digest[STORE_DIGEST_LEN + 1];
    int64_t drill_pos;
    char drill_digest[STORE_DIGEST_LEN + 1];
    int64_t approval_pos;
    char approval_digest[STORE_DIGEST_LEN + 1];
} store_heads;

/* The heads of the run chain and the drill chain, as they stand, for printing
 * ("run chain 12:DIGEST"); vouch verify --head 12:DIGEST checks one later. */
vexit store_head(store *st, store_heads *out, verr *e);

/* Record that a run has started; the run stays "running" until store_run_finish. */
vexit store_run_begin(store *st, run_kind kind, const char *target, int64_t baseline_id,
                      const char *checks, int64_t *id, verr *e);
/* What else a run starts with; each MAY be NULL (not given, not known). */
typedef struct run_start {
    const char *incident_at;  /* --incident-at as UTC text */
    const char *started_by;   /* the OS user */
    const char *ci_job;       /* the CI job's URL or id */
    const char *target_name;  /* the named target ([target "NAME"]); NULL for the bare one */
} run_start;
/* store_run_begin, with how (NULL: nothing more) stored beside it. */
vexit store_run_begin_with(store *st, run_kind kind, const char *target, int64_t baseline_id,
                           const char *checks, const run_start *how, int64_t *id, verr *e);

/* Seal a run in one transaction: its results and baselines, final status, server
 * identity, position in the chain and digest. r->id names the run; r->chain_pos,
 * r->prev_digest and r->digest are filled in. */
vexit store_run_finish(store *st, run_record *r, verr *e);

/* Load one run with its results and baselines. Caller frees with run_record_free. */
vexit store_load_run(store *st, int64_t id, run_record **out, verr *e);

/* Newest runs first, at most limit (0: all); with target_name, only the runs of that named
 * target (NULL: every run). Caller frees *ids. */
vexit store_list_runs(store *st, int64_t limit, const char *target_name, int64_t **ids,
                      size_t *n, verr *e);
/* The newest sealed gate and the newest sealed baseline of each target (its name, else
 * its connection as stored), newest first
 * (vouch metrics). Caller frees *ids. */
vexit store_latest_runs(store *st, int64_t **ids, size_t *n, verr *e);
/* The newest sealed gate that passed, of each target, newest first (how old the last proof
 * is: vouch runs, vouch metrics). Caller frees *ids. */
vexit store_latest_passed_runs(store *st, int64_t **ids, size_t *n, verr *e);
/* The newest sealed gate that ran the negative control with every check shown able to fail
 * (results with subject "(negative control)", each a pass), into *id; 0 when none. Of the
 * named target target_name (NULL: the bare [target]), or of any target when any_target. */
vexit store_last_negative_control(store *st, const char *target_name, bool any_target,
                                  int64_t *id, verr *e);

/* A check's baseline beyond its document: parts put while the baseline runs (seq 1, 2, ...,
 * read back in that order), so that none is held whole; an aborted baseline keeps none. */
vexit store_baseline_part_add(store *st, int64_t run_id, const char *check, int64_t seq,
                              const char *content, verr *e);
typedef struct store_parts store_parts;
/* The parts of run_id's baseline of check, in order (none in a store from before parts). */
vexit store_parts_open(store *st, int64_t run_id, const char *check, store_parts **out, verr *e);
/* The next part into *content (the caller frees), NULL after the last. */
vexit store_parts_next(store_parts *p, char **content, verr *e);
void store_parts_close(store_parts *p);

/* The newest captured baseline of target_name (a named target), or with NULL of the bare
 * [target] (runs with no target name); VOUCH_USAGE when there is none. */
vexit store_latest_baseline(store *st, const char *target_name, int64_t *id, verr *e);
/* Check that id is a captured baseline. */
vexit store_check_baseline(store *st, int64_t id, verr *e);

typedef struct store_verdict {
    bool ok;
    int64_t runs_checked;
    int64_t drills_checked;
    int64_t broken_run;     /* 0 when ok or the problem is not one run */
    int64_t broken_drill;   /* 0 when ok or the problem is not one drill */
    char problem[512];      /* what is wrong, when !ok */
    char note[1024];        /* when ok: what the head file does not cover, or ""; several
                             * notes are one per line */
    int64_t anchored_runs;  /* lines of the head file checked against the store */
    int64_t anchored_drills;
    int64_t approvals_checked;  /* sealed approvals whose chain link, digest, signature and
                                 * run all hold */
    int64_t anchored_approvals;
    bool anchor_missing;    /* !ok only because the head file is not there */
} store_verdict;

/* Recompute the chain from the first sealed run to the last, then the drill chain
 * (evidence/store/drill.h), then the approval chain (each approval's link and digest, its
 * signature over its statement, and that the statement approves the run as it is sealed),
 * then check the schema (tables, indexes, triggers) is the
 * one vouch's migrations made, then every line of the head file against the chains
 * and that neither chain ends before the head file's newest line. */
vexit store_verify(store *st, store_verdict *v, verr *e);

/* What a gate trusts before comparing with baseline run_id: the run chain recomputed
 * from that run to its head (runs before it cannot change the verdict), the schema, and
 * the head file's lines against the store. Costs the runs since the baseline, not the
 * whole store. Fills v as store_verify. */
vexit store_verify_since(store *st, int64_t run_id, store_verdict *v, verr *e);

/* After store_verify: the run at chain position pos still has digest (a head printed
 * earlier, e.g. by a gate into a CI log). Proves the runs up to pos are there and
 * unchanged; says nothing of runs after it. Fills v as store_verify. */
vexit store_verify_head(store *st, int64_t pos, const char *digest, store_verdict *v, verr *e);

/* Seal an approval (evidence/approval.h) of a sealed run into the approval chain: from
 * a's run_id, statement, signature, tsr, signer, fingerprint, approved_at and note; id,
 * chain_pos, prev_digest and digest are filled in, and a line "approval POS DIGEST" goes
 * to the head file. VOUCH_USAGE when the run is not there or not sealed. */
vexit store_approval_add(store *st, approval_record *a, verr *e);
/* The approvals of run run_id (0: of every run), in chain order, into *out (release it
 * with approval_list_release); none in a store from before approvals. */
vexit store_approvals(store *st, int64_t run_id, approval_list *out, verr *e);

#endif
