/* vouch runs, grouped by target (docs/fleet.md): what the listed runs say of each named
 * target, as a short table after the listing. */
#ifndef VOUCH_RUNS_TARGETS_H
#define VOUCH_RUNS_TARGETS_H

#include <stdio.h>

#include "evidence/run_record.h"

typedef struct runs_targets {
    struct runs_target {
        char *name;          /* owned */
        size_t runs;
        int64_t newest_gate; /* 0: no gate listed */
        char *gate_status;   /* owned; the newest gate's status */
        size_t failed_gates;
    } *v;
    size_t n, cap;
    size_t unnamed;          /* runs of the bare [target] listed */
} runs_targets;

/* Count run r (listed newest first). */
void runs_targets_add(runs_targets *t, const run_record *r);
/* The table, when the listing holds runs of at least one named target and of more than one
 * target: "TARGET RUNS NEWEST-GATE FAILED-GATES", names sorted. */
void runs_targets_print(const runs_targets *t, FILE *out);
void runs_targets_release(runs_targets *t);

#endif
