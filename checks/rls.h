/* rls: the settings of the [rls] section, shared by the checker (rls.c), the
 * catalog reader (rls_catalog.c) and the behavioural probe (rls_probe.c). */
#ifndef VOUCH_RLS_H
#define VOUCH_RLS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "checks/checker.h"
#include "src/ident.h"

/* probe = ROLE SCHEMA.TABLE COLUMN=VALUE [SETTING=VALUE ...] */
typedef struct rls_probe_conf {
    char *role;
    qname table;
    char *column;   /* the tenant column */
    char *value;    /* the tenant the settings select */
    char **names;   /* session settings set with set_config(name, value, true) */
    char **values;
    size_t n_settings;
    char *text;     /* as written, for the subject and messages */
} rls_probe_conf;

typedef struct rls_qnames {
    qname *v;
    size_t n, cap;
} rls_qnames;

typedef struct rls_names {
    char **v;
    size_t n, cap;
} rls_names;

typedef struct rls_settings {
    rls_qnames tables;    /* listed: RLS must be on */
    rls_qnames force;     /* listed: FORCE must be on too */
    rls_qnames excludes;  /* left out of the schemas */
    rls_names schemas;    /* every table in them is protected */
    rls_names roles;      /* the application roles */
    rls_probe_conf *probes;
    size_t n_probes, cap_probes;
} rls_settings;

bool rls_qnames_has(const rls_qnames *l, const char *schema, const char *name);
/* Is this table protected by the configuration (listed, or in a schema and not excluded)? */
bool rls_covered(const rls_settings *s, const char *schema, const char *name);

/* Read what the catalog holds now for the configured tables, schemas and roles:
 * {"tables": [...], "schemas": [...], "roles": [...]} in the form rls_diff.h
 * describes. *out is the caller's. */
vexit rls_catalog_read(pg_session *db, const rls_settings *s, json_t **out, verr *e);
/* Of the role names given (a JSON array), those that do not exist now. */
vexit rls_catalog_absent_roles(pg_session *db, const json_t *names, json_t **absent, verr *e);

/* Run one probe in its own savepoint and report its finding, held to its entry in
 * the baseline's "probes" object (base_probes; NULL for a baseline without one, taken by
 * an older vouch). An error return means the session is gone. */
vexit rls_probe_run(check_ctx *ctx, const rls_probe_conf *p, const json_t *base_probes,
                    verr *e);
/* Run one probe at the baseline: *out is {"role", "table", "seen", "other", "tenant_rows",
 * "ids", "key"}, or {"role", "table", "error"} when it could not run (the caller's). No row
 * is kept, only counts and the digest of the visible rows' keys. An error return means
 * the session is gone. */
vexit rls_probe_capture(check_ctx *ctx, const rls_probe_conf *p, json_t **out, verr *e);

#endif
