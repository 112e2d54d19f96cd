/* The finding vocabulary: what a checker can say about one subject. Owned by the
 * checks; the store, outputs and reports record and show it. */
#ifndef VOUCH_FINDING_H
#define VOUCH_FINDING_H

typedef enum result_status {
    RESULT_PASS,
    RESULT_WARN,  /* worth a look; does not close the gate */
    RESULT_FAIL,  /* the gate stays closed */
    RESULT_ERROR, /* the check could not decide: the gate stays closed */
    /* The check did not run: the run stopped (aborted) before it finished. Never a pass:
     * JUnit shows it skipped, TAP "# SKIP", the human table and every report count it.
     * The runner makes these; no checker reports one. */
    RESULT_NOT_EVALUATED,
    /* A failure a [waiver "NAME"] in force covers (src/waiver.h): never a pass, and it
     * does not close the gate. The runner makes these; no checker reports one. */
    RESULT_WAIVED
} result_status;

const char *result_status_name(result_status s);   /* "pass", "warn", ..., "not_evaluated", "waived" */
int result_status_parse(const char *name, result_status *out); /* 0 on success */

#endif
