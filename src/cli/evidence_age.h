/* How old each target's last proof is: its newest sealed gate, and its newest gate that
 * passed, judged against [objectives] evidence_valid (vouch runs, vouch metrics). Silence
 * must not read as healthy: a target whose gates stopped, or stopped passing, expires. */
#ifndef VOUCH_EVIDENCE_AGE_H
#define VOUCH_EVIDENCE_AGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/store/store.h"
#include "src/verr.h"

typedef struct evidence_age {
    char *target;            /* owned: as the runs store it */
    int64_t last_gate;       /* the newest sealed gate's id */
    int64_t last_gate_ms;    /* when it finished */
    int64_t last_passed;     /* the newest passed gate's id; 0: none */
    int64_t last_passed_ms;  /* when it finished */
    bool expired;            /* evidence_valid is set and no passed gate within it */
} evidence_age;

/* Every target with a sealed gate, newest gate first, judged at now_ms against valid_ms
 * (0: never expires). Free with evidence_ages_free. */
vexit evidence_ages(store *st, int64_t now_ms, int64_t valid_ms, evidence_age **out, size_t *n,
                    verr *e);
void evidence_ages_free(evidence_age *a, size_t n);

/* "expired: the last passed gate of TARGET (run 12) is 41 days old (evidence_valid 30d)",
 * or the same for a target that never passed; the target shown escaped. Caller frees. */
char *evidence_age_line(const evidence_age *a, int64_t now_ms, int64_t valid_ms);

#endif
