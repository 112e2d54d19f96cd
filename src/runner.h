/* The runner: runs checkers inside one snapshot, stores what they found and
 * decides the outcome. The only writer of runs into the store. */
#ifndef VOUCH_RUNNER_H
#define VOUCH_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/run_record.h"
#include "evidence/store.h"
#include "src/config.h"
#include "src/pg.h"
#include "src/verr.h"

struct checker;

typedef struct run_request {
    run_kind kind;
    const conf *cf;           /* already validated by settings_read */
    const char *const *only;  /* check NAME...: names to run, or NULL for every configured one */
    size_t n_only;
    int64_t baseline_id;      /* gate/check: 0 for the newest baseline */
    int64_t incident_at_ms;   /* --incident-at, ms since the epoch; 0 when not given */
    pg_options pg;
    int jobs;                 /* connections for independent queries, leader included */
    store *st;
    /* MAY be set: told what the run is doing, one line at a time (main prints it with -v). */
    void (*progress)(void *user, const char *line);
    void *progress_user;
} run_request;

/* Run and store. *run_id gets the stored run's id (0 when nothing was stored,
 * e.g. a configuration error found before the run began). Returns:
 *   VOUCH_OK      every check passed (baseline: captured)
 *   VOUCH_FAILED  a check failed or could not decide
 *   VOUCH_USAGE   configuration or usage error (e says where), found before anything is stored
 *   VOUCH_ABORTED the run could not finish and is stored as aborted (e says why): also when
 *                 the target lacks what a baseline is to capture (a configured table) */
vexit runner_run(const run_request *rq, int64_t *run_id, verr *e);

/* Configure (and release) every configured checker: a configuration error each one finds
 * (a table given twice, a bad rule) with FILE:LINE, before anything opens the store. */
vexit runner_validate(const conf *cf, verr *e);

/* The checkers a request selects, in registry order; n_out receives the count.
 * Fills e (VOUCH_USAGE) for an unknown or unconfigured name. Caller frees the array. */
vexit runner_select(const conf *cf, const char *const *only, size_t n_only,
                    const struct checker ***out, size_t *n_out, verr *e);

#endif
