/* What every store back end (evidence/store/sqlite*.c, postgres*.c) does the same way with
 * the records it reads and writes, whatever holds them. Nothing outside evidence/store/
 * includes this. */
#ifndef VOUCH_STORE_SHARED_H
#define VOUCH_STORE_SHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/run_record.h"
#include "src/verr.h"

/* A run whose process died stored none of its results (they are written when it is
 * sealed): every check it was to run that has none is added as not evaluated. */
void store_not_evaluated_all(run_record *r);
/* A run whose process died, made ready to be sealed by whoever reaps it: aborted now, with
 * that said as its error and every check it had not stored not evaluated. */
void store_run_abandoned(run_record *r);
/* The RESULT_NOT_EVALUATED rows of r as runs.not_evaluated holds them: a JSON array of
 * {"check", "reason"} in their order, or NULL when there are none. Caller frees. */
char *store_not_evaluated_text(const run_record *r);
/* The rows runs.not_evaluated describes, appended to r->results (*cap its capacity). */
void store_not_evaluated_rows(run_record *r, size_t *cap);
/* The canonical form (evidence/chain.h) a sealed run's digest was made over. */
int store_sealed_version(run_record *r);

/* The digest of a run's baseline parts, folded a part at a time as they are read in
 * (check_name, seq) order: each baseline of r gains n_parts and parts_sha256; a part of a
 * check with no document adds one with an empty content, which no sealed digest matches. */
typedef struct parts_fold parts_fold;
vexit parts_fold_begin(parts_fold **out, run_record *r, verr *e);
void parts_fold_add(parts_fold *f, const char *check, const void *text, size_t len);
/* Finish the last baseline's digest and free f. */
void parts_fold_end(parts_fold *f);

/* This machine's name, for telling whose orphaned runs and drills may be reaped. */
void store_this_host(char *buf, size_t size);
/* Whether no process of this host has pid (the run or drill it began was abandoned);
 * a pid no process can have counts as gone. */
bool store_process_gone(int64_t pid);

#endif
