/* rls: comparing what the catalog held at the baseline with what it holds now.
 * Pure logic over the JSON documents checks/rls_catalog.c reads, so that every
 * classification can be tested without a database.
 *
 * A table document:  {"schema", "table", "rls": bool, "force": bool, "owner",
 *                     "policies": [{"name", "cmd", "permissive": bool, "roles": [..],
 *                                   "using": text|null, "check": text|null}],
 *                     "grants": ["SELECT TO portal_app", "INSERT TO PUBLIC WITH GRANT OPTION"]}
 * A schema document: {"schema", "owner", "grants": [..]}
 * A role document:   {"role", "exists": bool, "superuser", "bypassrls", "createrole",
 *                     "createdb", "replication", "login", "inherit" (all bool),
 *                     "member_of": ["portal_app", "x WITH ADMIN OPTION"],
 *                     "members": [..]}  (members that are not application roles) */
#ifndef VOUCH_RLS_DIFF_H
#define VOUCH_RLS_DIFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "checks/finding.h"

/* How bad one difference is. */
typedef enum rls_sev {
    RLS_SAME = 0,
    RLS_NOTICE,    /* looks harmless (a policy renamed, text identical): warn */
    RLS_CHANGED,   /* differs, narrows access or its effect cannot be told: fail */
    RLS_CRITICAL   /* access control lost or widened: fail */
} rls_sev;

/* Every difference found for one subject. */
typedef struct rls_findings {
    rls_sev worst;
    size_t n;        /* differences recorded */
    char *reason;    /* the first difference of the worst severity, one line */
    char *detail;    /* one block per difference; NULL when there is none */
} rls_findings;

/* What the configuration demands of a table beyond "as at the baseline". */
typedef struct rls_rules {
    bool must_rls;     /* listed by name: RLS must be on whatever the baseline says */
    bool must_force;   /* listed under force: FORCE ROW LEVEL SECURITY must be on */
} rls_rules;

/* Findings (rls_render.c). */
void rls_findings_init(rls_findings *f);
void rls_findings_release(rls_findings *f);
/* Record one difference: reason is one line; more (may be NULL) is a block of
 * lines shown indented under it in the detail. */
void rls_findings_add(rls_findings *f, rls_sev sev, const char *reason, const char *more);
/* The result status for the worst severity found. */
result_status rls_status(rls_sev worst);
const char *rls_sev_name(rls_sev s);

/* Rendering (rls_render.c). */
/* A name as SQL needs it written: quoted unless plain lower case. Caller frees. */
char *rls_quoted(const char *name);
/* "a, b, c" of a string array; "(none)" when empty. Caller frees. */
char *rls_join(const json_t *arr);
/* "- USING (old)\n+ USING (new)\n" with a caret line under the first difference;
 * a NULL side reads "(no USING)". Caller frees. */
char *rls_expr_diff(const char *clause, const char *old_expr, const char *new_expr);
/* "AS PERMISSIVE FOR ALL TO a, b USING (...) WITH CHECK (...)". Caller frees. */
char *rls_policy_describe(const json_t *policy);
/* "RLS+FORCE, 2 policies", "RLS off, 0 policies", for the expected/observed columns. */
void rls_table_summary(const json_t *table, char *buf, size_t size);
void rls_role_summary(const json_t *role, char *buf, size_t size);
void rls_schema_summary(const json_t *schema, char *buf, size_t size);

/* Contrast (rls_contrast.c). When the summaries of a subject that differs read the same
 * ("RLS, 1 policy" twice), rewrite both to show what differs: the first policy clause, owner, grant, attribute or
 * membership ("tenant: USING (true)"). Left as they are when they differ already, when a
 * side is missing or when nothing shown differs. */
#define RLS_SUMMARY_SIZE 160
void rls_table_contrast(const json_t *base, const json_t *now, char *exp, size_t esize,
                        char *obs, size_t osize);
void rls_role_contrast(const json_t *base, const json_t *now, char *exp, size_t esize,
                       char *obs, size_t osize);
/* Schemas and views: owner, definition, grants. Buffers of RLS_SUMMARY_SIZE hold any
 * summary; a longer text ends in "…", cut on a whole UTF-8 character. */
void rls_other_contrast(const json_t *base, const json_t *now, char *exp, size_t esize,
                        char *obs, size_t osize);

/* Comparing (rls_diff.c). */
/* Compare one table. base NULL: the table is new since the baseline; now NULL: it is
 * gone. absent_roles lists role names the baseline's policies or grants name that no
 * longer exist (may be NULL). name is the display name used in reasons. */
void rls_compare_table(const char *name, const json_t *base, const json_t *now,
                       const rls_rules *rules, const json_t *absent_roles, rls_findings *out);
void rls_compare_schema(const char *name, const json_t *base, const json_t *now,
                        const json_t *absent_roles, rls_findings *out);
void rls_compare_role(const char *name, const json_t *base, const json_t *now,
                      rls_findings *out);
/* Compare one view or materialized view over protected tables. A view document:
 * {"schema", "view", "kind": "view"|"materialized view", "owner", "invoker": bool,
 *  "chain_invoker": bool (it and every view under it security_invoker, no materialized view),
 *  "tables": [display names of the protected tables it reads, nested views included],
 *  "bypass": why a non-invoker view on the way reads past RLS (its owner is a superuser,
 *            has BYPASSRLS, or owns the table without FORCE) | null,
 *  "readers": [application roles and PUBLIC that may SELECT from it],
 *  "grants": [..], "definition": SHA-256 of pg_get_viewdef}.
 * base NULL: new since the baseline (nothing is recorded when no application role can read
 * it); now NULL: gone, or no longer over a protected table. */
void rls_compare_view(const char *name, const json_t *base, const json_t *now,
                      const json_t *absent, rls_findings *out);
/* Can an application role (or PUBLIC) read it? */
bool rls_view_readable(const json_t *view);
void rls_view_summary(const json_t *view, char *buf, size_t size);

#endif
