/* vouch drill start|mark|finish|fail|run and vouch drills: restore drills
 * (docs/drills.md). main owns the command line; this file owns what the commands do. */
#ifndef VOUCH_CMD_DRILL_H
#define VOUCH_CMD_DRILL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "evidence/store/store.h"
#include "src/config.h"
#include "src/progress.h"
#include "src/settings.h"
#include "src/verr.h"

/* The drill commands' own options, filled by drill_option. */
typedef struct drill_opts {
    const char *scenario;
    const char *operator_name;
    const char *note;
    const char *restore_cmd;
    const char *approved_by;
    const char *smoke_cmd;
    bool target_from_output;  /* gate the DSN the restore command prints */
    bool has_restore_point;
    int64_t restore_point_ms;
    unsigned given;   /* 1 << DRILL_OPT_* for each option given */
} drill_opts;

enum {
    DRILL_OPT_SCENARIO,
    DRILL_OPT_OPERATOR,
    DRILL_OPT_NOTE,
    DRILL_OPT_RESTORE_CMD,
    DRILL_OPT_RESTORE_POINT,
    DRILL_OPT_APPROVED_BY,
    DRILL_OPT_SMOKE_CMD,
    DRILL_OPT_TARGET_FROM_OUTPUT,
    DRILL_OPT_COUNT
};

/* getopt_long entries for main's table; option values are base + DRILL_OPT_*. */
#define DRILL_LONG_OPTIONS(base)                                                                \
    {"scenario", required_argument, NULL, (base) + DRILL_OPT_SCENARIO},                       \
    {"operator", required_argument, NULL, (base) + DRILL_OPT_OPERATOR},                       \
    {"note", required_argument, NULL, (base) + DRILL_OPT_NOTE},                               \
    {"restore-cmd", required_argument, NULL, (base) + DRILL_OPT_RESTORE_CMD},                 \
    {"restore-point", required_argument, NULL, (base) + DRILL_OPT_RESTORE_POINT},             \
    {"approved-by", required_argument, NULL, (base) + DRILL_OPT_APPROVED_BY},                 \
    {"smoke-cmd", required_argument, NULL, (base) + DRILL_OPT_SMOKE_CMD},                     \
    {"target-from-output", no_argument, NULL, (base) + DRILL_OPT_TARGET_FROM_OUTPUT}

/* Take one drill option (which: DRILL_OPT_*); VOUCH_USAGE for a bad value. */
vexit drill_option(drill_opts *o, int which, const char *value, verr *e);

/* "scenario" for DRILL_OPT_SCENARIO, and so on. */
const char *drill_option_name(int which);

/* The drill options' lines for 'vouch drill --help'. */
void drill_usage(FILE *f);

/* What main has set up for a drill command. */
typedef struct drill_env {
    char **args;                /* after the command name: SUBCOMMAND ARGS... or [ID] */
    int n_args;
    const drill_opts *opts;
    int64_t incident_at_ms;     /* 0: not given */
    const char *target;         /* --target, or NULL for [target] dsn */
    const char *target_name;    /* --target-name (or the one named target), or NULL */
    const conf *cf;
    const vouch_settings *settings;
    store *st;
    FILE *out;
    const char *format;         /* NULL: human */
    int verbosity;
    int64_t limit;
    bool color;
    progress *meter;            /* MAY be set: the progress line of drill run's gate */
} drill_env;

vexit drill_command(const drill_env *env, verr *e);   /* vouch drill SUBCOMMAND ... */
vexit drills_command(const drill_env *env, verr *e);  /* vouch drills [ID] */

#endif
