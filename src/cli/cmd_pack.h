/* 'vouch pack --period P --out DIR' (an evidence pack, docs/auditor.md), 'vouch verify
 * DIR', and the options of signed reports (--sign, --no-sign). main declares the
 * options with PACK_LONG_OPTIONS and hands each one to pack_cli_option. */
#ifndef VOUCH_CMD_PACK_H
#define VOUCH_CMD_PACK_H

#include <getopt.h>
#include <stdio.h>

#include "evidence/sign_policy.h"
#include "src/cli/cmd_report.h"
#include "src/progress.h"
#include "src/verr.h"

enum pack_opt { PACK_OPT_PERIOD, PACK_OPT_SIGN, PACK_OPT_NO_SIGN, PACK_OPT_COUNT };

#define PACK_LONG_OPTIONS(base)                                        \
    {"period", required_argument, NULL, (base) + PACK_OPT_PERIOD},     \
    {"sign", no_argument, NULL, (base) + PACK_OPT_SIGN},               \
    {"no-sign", no_argument, NULL, (base) + PACK_OPT_NO_SIGN}

typedef struct pack_cli {
    const char *opt[PACK_OPT_COUNT];   /* the values given; "" for flags */
} pack_cli;

/* Record option 'which' for command (NULL: before any command); refuses options that
 * do not apply to it. */
vexit pack_cli_option(pack_cli *o, const char *command, int which, const char *value, verr *e);

/* The option lines of 'vouch pack --help' and 'vouch report --help'. */
void pack_cli_usage(FILE *f, const char *command);

/* --sign, --no-sign or neither. */
sign_mode pack_cli_sign_mode(const pack_cli *o);

/* 'vouch pack': rq carries the store, settings and templates; out_dir is --out; meter (MAY
 * be NULL) is told each run and drill as it is read. */
vexit cmd_pack(const report_request *rq, const pack_cli *o, const char *out_dir, FILE *out,
               progress *meter, verr *e);

#endif
