/* What 'vouch check-config' asks of the target for a checker: does each object its section
 * names exist? A checker's validate_target lists its keys and what each names; these
 * helpers parse the values as the configuration writes them, look each object up in the
 * catalogs (names as parameters, never pasted) and record one check_config_problem per
 * missing object, at the line of the key that names it. */
#ifndef VOUCH_TARGET_H
#define VOUCH_TARGET_H

#include "checks/checker.h"
#include "src/ident.h"

typedef enum target_kind {
    TARGET_TABLE,         /* SCHEMA.TABLE, and whatever follows it (a rule) ignored */
    TARGET_SCHEMA,        /* one name */
    TARGET_ROLE,          /* one name */
    TARGET_FUNCTION,      /* SCHEMA.NAME: some overload of it */
    TARGET_TRIGGER,       /* SCHEMA.TABLE TRIGGER */
    TARGET_COLUMN,        /* a column of the section's table (its 'table' key): the value's
                           * first name ("revoked_at", "status in ('x')") */
    TARGET_COLUMNS,       /* columns of the section's table, separated by commas */
    TARGET_TABLE_COLUMNS, /* SCHEMA.TABLE: COLUMN, ... */
    TARGET_PROBE,         /* ROLE SCHEMA.TABLE COLUMN=VALUE ...: the role, table and column */
} target_kind;

typedef struct target_key {
    const char *key;
    target_kind kind;
    /* TARGET_COLUMN(S): the column the checker reads when the key is absent, or NULL. A
     * missing default is reported at the line of the section's 'table' key. */
    const char *def;
} target_key;

/* Check every entry of section's keys (a table ending with {NULL}) against the target.
 * A value that does not parse is left alone (configure reported it). */
vexit target_check_keys(check_ctx *ctx, const conf *c, const char *section,
                        const target_key *keys, verr *e);

/* Whether the relation q exists; for a checker's own lookups. */
vexit target_relation_exists(check_ctx *ctx, const qname *q, bool *found, verr *e);

#endif
