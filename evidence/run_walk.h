/* evidence/run_walk: the run chain as every back end's verify judges it, one sealed run at
 * a time in chain order (the back end finds and loads them): each at its position, linked
 * to the run before it, matching its digest, compared with a baseline sealed before it. */
#ifndef VOUCH_RUN_WALK_H
#define VOUCH_RUN_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/chain.h"
#include "evidence/run_record.h"

typedef struct run_walk {
    int64_t from; /* the chain position it starts at; 1 is the chain's beginning */
    size_t seen;  /* runs judged */
    char prev[DIGEST_HEX_LEN + 1];
    /* The captured baselines met so far: a run compares with one of them or with none
     * (known only when the walk starts at the chain's beginning). */
    int64_t *bases;
    size_t n_bases, cap_bases;
    int64_t first_current; /* position of the first run in the current canonical form, or 0 */
} run_walk;

/* A walk from chain position from: the run there links to whatever its prev_digest names. */
void run_walk_begin(run_walk *w, int64_t from);
/* Judge r, the walk's next run. False with why (the caller's buffer of size n) saying
 * what is wrong; either way the walk moves on past r. */
bool run_walk_step(run_walk *w, const run_record *r, char *why, size_t n);
void run_walk_end(run_walk *w);

#endif
