/* 'vouch init': a complete, commented configuration proposed from the live database
 * (docs/init.md). main declares the options with INIT_LONG_OPTIONS and hands each one
 * to init_cli_option. */
#ifndef VOUCH_CMD_INIT_H
#define VOUCH_CMD_INIT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "src/pg.h"
#include "src/verr.h"

enum init_opt { INIT_OPT_SCHEMA, INIT_OPT_FORCE, INIT_OPT_PRINT, INIT_OPT_COUNT };

/* --force is keygen's too: getopt knows it once, as SIGN_LONG_OPTIONS declares it, and main
 * hands it here for init. */
#define INIT_LONG_OPTIONS(base)                                        \
    {"schema", required_argument, NULL, (base) + INIT_OPT_SCHEMA},     \
    {"print", no_argument, NULL, (base) + INIT_OPT_PRINT}

typedef struct init_cli {
    const char **schemas;   /* --schema, in order (owned array, borrowed strings) */
    size_t n_schemas;
    bool force, print;
} init_cli;

/* Record option 'which' for command (NULL: before any command). */
vexit init_cli_option(init_cli *o, const char *command, int which, const char *value, verr *e);
void init_cli_release(init_cli *o);

/* The option lines of 'vouch init --help'. */
void init_cli_usage(FILE *f, const char *command);

/* 'vouch init': connect with pg (dsn as given, or libpq's defaults), propose, and write
 * the configuration to out_path (NULL: vouch.conf; "-" or --print: standard output).
 * A summary line goes to err. */
vexit cmd_init(const init_cli *o, const pg_options *pg, const char *out_path, FILE *err,
               verr *e);

/* dsn with every password left out, as a conninfo string vouch.conf can hold; NULL when
 * dsn is NULL or empty. VOUCH_USAGE when libpq cannot parse it. */
vexit init_dsn_without_password(const char *dsn, char **out, verr *e);

#endif
