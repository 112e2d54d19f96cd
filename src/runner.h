/* The runner: runs checkers inside one snapshot, stores what they found and
 * decides the outcome. The only writer of runs into the store. */
#ifndef VOUCH_RUNNER_H
#define VOUCH_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/run_record.h"
#include "evidence/store/store.h"
#include "src/config.h"
#include "src/pg.h"
#include "src/progress.h"
#include "src/settings.h"
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
    /* MAY be set: the live progress line, told each check as it begins and what it has done. */
    progress *meter;
    /* MAY be set: given each check's duration as it finishes; free with run_times_release. */
    run_times *times;
    /* gate: after the checks, run each against its baseline perturbed in memory and require
     * it to fail (docs/negative-control.md); one NEGCTL_SUBJECT result per check */
    bool negative_control;
} run_request;

/* The subject of a negative control's result: one per check of a gate that ran it. */
#define NEGCTL_SUBJECT "(negative control)"

/* Run and store. *run_id gets the stored run's id (0 when nothing was stored,
 * e.g. a configuration error found before the run began). Returns:
 *   VOUCH_OK      every check passed (baseline: captured)
 *   VOUCH_FAILED  a check failed or could not decide
 *   VOUCH_USAGE   configuration or usage error (e says where), found before anything is stored
 *   VOUCH_ABORTED the run could not finish and is stored as aborted (e says why): also when
 *                 the target lacks what a baseline is to capture (a configured table) */
vexit runner_run(const run_request *rq, int64_t *run_id, verr *e);

/* vouch check-config: configure every configured check, connect, and have each checker
 * look up the objects its section names (validate_target), reading catalogs only: nothing
 * runs and the store is not touched. problem is told one line per missing object and
 * *n_problems counts them. VOUCH_OK (with or without problems), VOUCH_USAGE for a bad
 * configuration, VOUCH_ABORTED when the target cannot be reached or read. */
vexit runner_check_target(const run_request *rq, void (*problem)(void *user, const char *line),
                          void *user, size_t *n_problems, verr *e);

/* The sections the checks read, in registry order, into out[0..max); returns how many
 * there are (at most RUNNER_MAX_SECTIONS). For settings_read. */
#define RUNNER_MAX_SECTIONS 32
size_t runner_sections(section_kind *out, size_t max);

/* Configure (and release) every configured checker: a configuration error each one finds
 * (a table given twice, a bad rule) with FILE:LINE, before anything opens the store. */
vexit runner_validate(const conf *cf, verr *e);

/* One configured section of a checker: a bare [share_tokens] or a named instance
 * [share_tokens "invitations"]. Its results and baseline are stored under name. */
typedef struct check_unit {
    const struct checker *ck;
    char *name;       /* "share_tokens" or "share_tokens/invitations" (owned) */
    const conf *cf;   /* what its configure reads: the run's configuration or view */
    conf *view;       /* owned: the instance's view (conf_instance_view), NULL when bare */
} check_unit;

/* What a request selects, in registry order and, within a checker, in file order; n_out
 * receives the count. A name in only is a check ("share_tokens": every instance of it) or
 * one instance ("share_tokens/invitations"). Fills e (VOUCH_USAGE) for an unknown or
 * unconfigured name, or when nothing is configured. Free with check_units_free. */
vexit runner_select(const conf *cf, const char *const *only, size_t n_only, check_unit **out,
                    size_t *n_out, verr *e);
void check_units_free(check_unit *u, size_t n);

/* A unit's configure: the checker's on its view; a message that names the bare section
 * ("[share_tokens] is missing ...") is made to name the instance's header. */
vexit check_unit_configure(const check_unit *u, void **settings, verr *e);

#endif
