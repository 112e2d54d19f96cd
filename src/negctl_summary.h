/* What a gate's negative control showed (docs/negative-control.md), read back from its
 * results: for the human output's line and the reports' <negative-control>. */
#ifndef VOUCH_NEGCTL_SUMMARY_H
#define VOUCH_NEGCTL_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "evidence/run_record.h"

typedef struct negctl_summary {
    size_t checks;     /* negative-control results: one per check */
    /* "a, b": the checks of each outcome, NULL when none (owned) */
    char *able;        /* failed against the perturbation */
    char *na;          /* not applicable */
    char *unable;      /* passed against it: cannot fail */
    char *undecided;   /* could not decide */
} negctl_summary;

/* false (and *s empty) when r ran no negative control. Release with negctl_summary_release. */
bool negctl_summarize(const run_record *r, negctl_summary *s);
/* "every check shown able to fail (...)" or "not every check shown able to fail: ...".
 * Caller frees. */
char *negctl_summary_text(const negctl_summary *s);
void negctl_summary_release(negctl_summary *s);

#endif
