/* A reporting period as people name it: a quarter ("2026-Q3"), a month ("2026-10")
 * or dates from and to, both included ("2026-07-01..2026-09-30"). Periods are in UTC:
 * a run belongs to the period its start falls in.
 *
 * Kept on its own so that packs and the compliance report share one parser. */
#ifndef VOUCH_PERIOD_H
#define VOUCH_PERIOD_H

#include <stdbool.h>
#include <stdint.h>

#include "src/verr.h"

typedef struct period {
    int64_t from_ms;   /* first millisecond in the period (UTC) */
    int64_t to_ms;     /* first millisecond after it */
    char label[32];    /* as given: "2026-Q3", "2026-10", "2026-07-01..2026-09-30" */
    char first[11];    /* its first day, "2026-07-01" */
    char last[11];     /* its last day, "2026-09-30" */
} period;

/* Parse text into *out; VOUCH_USAGE saying what is wrong otherwise. */
vexit period_parse(const char *text, period *out, verr *e);

/* Whether ms since the epoch falls in p. */
bool period_contains(const period *p, int64_t ms);

#endif
