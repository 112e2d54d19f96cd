/* vouch gate --all: every named target of the configuration (docs/fleet.md), each in a
 * process of its own (this binary again, with --target-name), at most parallel at a time.
 * Each child opens its own connection and snapshot and seals its own run into the shared
 * store; this process prints one line per target as it finishes and returns the worst
 * outcome. */
#ifndef VOUCH_FLEET_H
#define VOUCH_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "src/verr.h"

typedef struct fleet_request {
    const char *command;            /* "gate", "baseline" or "check" */
    char **args;                    /* check's NAME...; n_args of them */
    int n_args;
    const char *config_path;        /* the configuration as this process read it */
    const char *store_path;         /* --store as given, or NULL */
    const char *incident_at;        /* --incident-at as UTC text, or NULL */
    bool negative_control;          /* --negative-control, passed on */
    const char *const *names;       /* the targets, in file order */
    size_t n_names;
    int parallel;                   /* at least 1 */
    FILE *out;                      /* the lines go here */
} fleet_request;

/* Run every target. Returns the worst of the targets' exit statuses, ranked
 * VOUCH_ABORTED > VOUCH_USAGE > VOUCH_FAILED > VOUCH_OK (a child that could not start or
 * was killed counts as VOUCH_ABORTED); e says how many did not pass. */
vexit fleet_run(const fleet_request *rq, verr *e);

/* The rank of an exit status in that order (0 for VOUCH_OK). */
int fleet_rank(vexit rc);

#endif
