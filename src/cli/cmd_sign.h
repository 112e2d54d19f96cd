/* The commands around signatures: 'vouch keygen', 'vouch sign FILE...' and
 * 'vouch verify PATH'. main declares their options with SIGN_LONG_OPTIONS and hands
 * each one to sign_cli_option. */
#ifndef VOUCH_CMD_SIGN_H
#define VOUCH_CMD_SIGN_H

#include <getopt.h>
#include <stdio.h>

#include "src/settings.h"
#include "src/verr.h"

enum sign_opt {
    SIGN_OPT_ALGORITHM,
    SIGN_OPT_SUBJECT,
    SIGN_OPT_DAYS,
    SIGN_OPT_KEY,
    SIGN_OPT_CERT,
    SIGN_OPT_PASSPHRASE_ENV,
    SIGN_OPT_PASSPHRASE_FILE,
    SIGN_OPT_FORCE,
    SIGN_OPT_TSA_CA,
    SIGN_OPT_COUNT
};

/* getopt_long entries, numbered from base. */
#define SIGN_LONG_OPTIONS(base)                                                          \
    {"algorithm", required_argument, NULL, (base) + SIGN_OPT_ALGORITHM},                 \
    {"subject", required_argument, NULL, (base) + SIGN_OPT_SUBJECT},                     \
    {"days", required_argument, NULL, (base) + SIGN_OPT_DAYS},                           \
    {"key", required_argument, NULL, (base) + SIGN_OPT_KEY},                             \
    {"cert", required_argument, NULL, (base) + SIGN_OPT_CERT},                           \
    {"passphrase-env", required_argument, NULL, (base) + SIGN_OPT_PASSPHRASE_ENV},       \
    {"passphrase-file", required_argument, NULL, (base) + SIGN_OPT_PASSPHRASE_FILE},     \
    {"force", no_argument, NULL, (base) + SIGN_OPT_FORCE},                               \
    {"tsa-ca", required_argument, NULL, (base) + SIGN_OPT_TSA_CA}

typedef struct sign_cli {
    const char *opt[SIGN_OPT_COUNT];   /* the values given; "" for --force */
} sign_cli;

/* Record option 'which' of command 'command' (NULL: before any command); refuses
 * options that do not apply to the command. */
vexit sign_cli_option(sign_cli *o, const char *command, int which, const char *value, verr *e);

/* The option lines of 'vouch COMMAND --help' (nothing for other commands). */
void sign_cli_usage(FILE *f, const char *command);

vexit sign_cmd_keygen(const sign_cli *o, const signing_settings *cfg, int n_args, FILE *out,
                      verr *e);
vexit sign_cmd_sign(const sign_cli *o, const signing_settings *cfg, char **args, int n_args,
                    FILE *out, verr *e);
/* 'vouch verify PATH': a signed file (or its .p7s), or an evidence pack's folder
 * (evidence/pack_verify.h). */
vexit sign_cmd_verify(const sign_cli *o, const signing_settings *cfg, char **args, int n_args,
                      FILE *out, verr *e);

#endif
