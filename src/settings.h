/* The [target], [store], [report], [signing], [gate] and [objectives] sections, and the check that every section of the
 * configuration is one vouch knows. */
#ifndef VOUCH_SETTINGS_H
#define VOUCH_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/config.h"
#include "src/objectives.h"
#include "src/verr.h"

extern const conf_key target_keys[];
extern const conf_key store_keys[];
extern const conf_key report_keys[];
extern const conf_key signing_keys[];
extern const conf_key gate_keys[];

#define DEFAULT_CONNECT_TIMEOUT_S 10
#define DEFAULT_STATEMENT_TIMEOUT_MS (15 * 60 * 1000)
#define DEFAULT_JOBS 2

/* Where the signing key and certificate are ([signing]); paths owned, NULL when not set. */
typedef struct signing_settings {
    char *key_path;
    char *cert_path;
    const char *passphrase_env;    /* borrowed from the conf */
    char *passphrase_file;
    const char *tsa_url;           /* borrowed; NULL: no trusted timestamps */
    char *tsa_ca;                  /* resolved like key_path; NULL: TSA not pinned */
    bool tsa_required;
} signing_settings;

/* [gate] negative_control: when a gate also runs the negative control. */
typedef enum negctl_when {
    NEGCTL_NEVER,   /* only with --negative-control (the default) */
    NEGCTL_WEEKLY,  /* when the last one that passed is older than NEGCTL_WEEK_MS, or none */
    NEGCTL_ALWAYS,
} negctl_when;
#define NEGCTL_WEEK_MS (7LL * 86400000)

typedef struct vouch_settings {
    const char *dsn;               /* borrowed from the conf; NULL: libpq defaults */
    int connect_timeout_s;
    int64_t statement_timeout_ms;
    int jobs;
    char *store_path;              /* owned; relative paths resolved against the config file */
    char *store_anchor;            /* owned, resolved likewise; NULL: STORE.head beside it */
    char *report_templates;        /* owned, resolved like store_path; NULL: not configured */
    const char *report_organisation; /* borrowed; NULL: not configured */
    signing_settings signing;      /* likewise resolved */
    objectives objectives;         /* [objectives], defaults where not set */
    negctl_when negative_control;  /* [gate] negative_control */
    int gate_approvals;            /* [gate] approvals: signed approvals from distinct signers
                                    * a passed gate needs (docs/approvals.md); 0: none asked */
} vouch_settings;

/* A section the configuration may hold besides vouch's own: a check's, as the runner
 * describes it (runner_sections). */
typedef struct section_kind {
    const char *name;
    const conf_key *keys;   /* ends with {NULL} */
    bool instances;         /* [name "INSTANCE"] allowed */
} section_kind;

/* Validate every section (vouch's own and kinds[0..n_kinds)) and read [target], [store],
 * [report] and [signing]. */
vexit settings_read(const conf *c, const section_kind *kinds, size_t n_kinds, vouch_settings *s,
                    verr *e);
void settings_release(vouch_settings *s);

#endif
