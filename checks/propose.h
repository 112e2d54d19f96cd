/* vouch init: a complete, commented configuration proposed from the live database.
 *
 * Each checker that can propose its section has a proposer here (checks/propose_*.c),
 * run in registry order inside one read-only snapshot. A proposer reads the catalog
 * (never a full scan of a table: samples are LIMITed or TABLESAMPLEd) and writes its
 * section through the functions below, which keep the file readable by vouch's own
 * parser whatever the database's names hold: every proposed line carries a comment
 * saying why, a guess says it is one, and a name that cannot be written as a config
 * value (a newline, a ';' after a space) is left out with a comment saying so. */
#ifndef VOUCH_PROPOSE_H
#define VOUCH_PROPOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "src/pg.h"
#include "src/util.h"
#include "src/verr.h"

/* A table the proposers found to be an audit log (append-only, time-ordered events),
 * which rowcount counts with at-least and share_tokens leaves to audit_log. */
typedef struct propose_audit_table {
    char *schema, *name;
} propose_audit_table;

typedef struct propose_ctx {
    pg_session *db;
    const char *schemas;          /* text[] literal of the schemas to look at ("{public}") */
    bool schemas_given;           /* --schema was given (else: every user schema) */
    propose_audit_table *audit;   /* found by the audit_log proposer, which runs first */
    size_t n_audit, cap_audit;
    textbuf out;                  /* the configuration being written */
    size_t lines;                 /* key lines proposed (not comments) */
    size_t guesses;               /* of which marked as a guess */
    size_t skipped;               /* names left out because they cannot be written */
} propose_ctx;

/* "\n[name]\n" preceded by a comment line (printf format; NULL for none). */
void propose_section(propose_ctx *p, const char *header, const char *why, ...)
    __attribute__((format(printf, 3, 4)));
/* "# text": a comment; any text from the database in it is shown escaped (utf8_show),
 * so that it can never end the comment and start a line of its own. */
void propose_comment(propose_ctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "# why" then "key = value". guess: the why starts with "guess: ". Returns false (and
 * writes a comment saying what was left out) when value cannot be read back as written. */
bool propose_key(propose_ctx *p, bool guess, const char *key, const char *value,
                 const char *why, ...) __attribute__((format(printf, 5, 6)));
/* "# key = value" with a comment: a line for the reviewer to fill in and uncomment. */
void propose_commented(propose_ctx *p, const char *key, const char *value, const char *why, ...)
    __attribute__((format(printf, 4, 5)));

/* Whether value reads back from vouch.conf as written: no control character, no ';'
 * after a space or tab (libinih starts a comment there), no space at either end. */
bool propose_value_ok(const char *value);

/* Run a catalog query with the schemas array as $1 (and more params after it). */
vexit propose_query(propose_ctx *p, PGresult **res, const char *sql, int nparams,
                    const char *const *params, verr *e);

/* An instance name ([NAME "INSTANCE"]) from a table name: letters, digits, '_' and '-'
 * kept, anything else '_', unique among used[0..n_used) ("log", "log-2"). Caller frees. */
char *propose_instance_name(const char *table, char *const *used, size_t n_used);

bool propose_is_audit(const propose_ctx *p, const char *schema, const char *name);

/* The proposers, each writing its section (or a comment saying why there is none). */
vexit propose_audit_log(propose_ctx *p, verr *e);
vexit propose_rowcount(propose_ctx *p, verr *e); /* and [content], commented out */
vexit propose_rls(propose_ctx *p, verr *e);
vexit propose_share_tokens(propose_ctx *p, verr *e);
vexit propose_settings(propose_ctx *p, verr *e);
vexit propose_unmeasured(propose_ctx *p, verr *e); /* residency, backups: to fill in */

/* Options of vouch init. */
typedef struct propose_opts {
    const char *const *schemas;   /* --schema S ...; NULL: every schema with tables */
    size_t n_schemas;
    const char *dsn_line;         /* the [target] dsn to write (no password), or NULL */
    const char *source;           /* the target as shown (password-free), for the heading */
} propose_opts;

/* The whole configuration into *text (caller frees), with counts in *lines / *guesses. */
vexit propose_config(pg_session *db, const propose_opts *o, char **text, size_t *lines,
                     size_t *guesses, verr *e);

#endif
