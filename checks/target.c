#include "checks/target.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

static const char sql_relation[] =
    "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
    " ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2";
static const char sql_column[] =
    "SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1"
    " AND c.relname = $2 AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped";
static const char sql_schema[] = "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1";
static const char sql_role[] = "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1";
static const char sql_function[] =
    "SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n"
    " ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2";
static const char sql_trigger[] =
    "SELECT 1 FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1"
    " AND c.relname = $2 AND t.tgname = $3";

static vexit exists(check_ctx *ctx, const char *sql, int n, const char *const *params,
                    bool *found, verr *e)
{
    PGresult *r;
    vexit rc = pg_query(check_db(ctx), &r, sql, n, params, e);
    if (rc)
        return VOUCH_ABORTED; /* a catalog read that fails is not a finding */
    *found = PQntuples(r) > 0;
    PQclear(r);
    return VOUCH_OK;
}

vexit target_relation_exists(check_ctx *ctx, const qname *q, bool *found, verr *e)
{
    const char *p[] = {q->schema, q->name};
    return exists(ctx, sql_relation, 2, p, found, e);
}

/* The name at *p (blanks before it skipped): "quoted" as written, else up to a blank or one
 * of ",=():" and folded; *p moves past it. False when there is none. */
static bool take_name(const char **p, char **out)
{
    const char *s = *p;
    while (isspace((unsigned char)*s))
        s++;
    const char *t = s;
    if (*t == '"') {
        for (t++; *t; t++)
            if (*t == '"' && *++t != '"')
                break;
    } else {
        while (*t && !isspace((unsigned char)*t) && !strchr(",=():", *t))
            t++;
    }
    if (t == s)
        return false;
    char *token = xstrndup(s, (size_t)(t - s)), why[128];
    bool ok = ident_parse(token, out, why, sizeof why);
    free(token);
    *p = t;
    return ok;
}

static char *shown_qname(const qname *q)
{
    return qname_display(q->schema, q->name);
}

static vexit check_table(check_ctx *ctx, const conf *c, const conf_entry *ent, const qname *q,
                         bool *found, verr *e)
{
    vexit rc = target_relation_exists(ctx, q, found, e);
    if (!rc && !*found) {
        char *t = shown_qname(q);
        check_config_problem(ctx, c, ent, "table %s does not exist in the target", t);
        free(t);
    }
    return rc;
}

static vexit check_column(check_ctx *ctx, const conf *c, const conf_entry *ent, const qname *t,
                          const char *column, const char *why, verr *e)
{
    const char *p[] = {t->schema, t->name, column};
    bool found;
    vexit rc = exists(ctx, sql_column, 3, p, &found, e);
    if (!rc && !found) {
        char *tn = shown_qname(t), *col = ident_display(column);
        check_config_problem(ctx, c, ent, "table %s has no column %s%s", tn, col, why);
        free(tn);
        free(col);
    }
    return rc;
}

/* Each comma-separated name of text a column of t. */
static vexit check_columns(check_ctx *ctx, const conf *c, const conf_entry *ent, const qname *t,
                           const char *text, const char *why, verr *e)
{
    const char *p = text;
    vexit rc = VOUCH_OK;
    char *col;
    while (!rc && take_name(&p, &col)) {
        rc = check_column(ctx, c, ent, t, col, why, e);
        free(col);
        while (isspace((unsigned char)*p))
            p++;
        if (*p != ',')
            break;
        p++;
    }
    return rc;
}

static vexit check_one_name(check_ctx *ctx, const conf *c, const conf_entry *ent, bool role,
                            verr *e)
{
    const char *p = ent->value;
    char *name;
    if (!take_name(&p, &name))
        return VOUCH_OK;
    bool found;
    vexit rc = exists(ctx, role ? sql_role : sql_schema, 1, (const char *const *)&name, &found, e);
    if (!rc && !found) {
        char *shown = ident_display(name);
        check_config_problem(ctx, c, ent, "%s %s does not exist in the target",
                             role ? "role" : "schema", shown);
        free(shown);
    }
    free(name);
    return rc;
}

static vexit check_entry(check_ctx *ctx, const conf *c, const conf_entry *ent, const target_key *k,
                         const qname *table, bool table_there, verr *e)
{
    char why[128];
    qname q;
    const char *rest;
    bool found = false;
    vexit rc = VOUCH_OK;
    switch (k->kind) {
    case TARGET_SCHEMA:
    case TARGET_ROLE:
        return check_one_name(ctx, c, ent, k->kind == TARGET_ROLE, e);
    case TARGET_COLUMN:
    case TARGET_COLUMNS: {
        if (!table || !table_there)
            return VOUCH_OK; /* no table, or one already reported missing */
        if (k->kind == TARGET_COLUMNS)
            return check_columns(ctx, c, ent, table, ent->value, "", e);
        const char *p = ent->value;
        char *col;
        if (!take_name(&p, &col))
            return VOUCH_OK;
        rc = check_column(ctx, c, ent, table, col, "", e);
        free(col);
        return rc;
    }
    case TARGET_PROBE: {
        const char *p = ent->value;
        char *role;
        if (!take_name(&p, &role))
            return VOUCH_OK;
        conf_entry as_role = *ent;
        as_role.value = role;
        rc = check_one_name(ctx, c, &as_role, true, e);
        free(role);
        if (rc || !qname_parse(p + strspn(p, " \t"), "public", &q, &rest, why, sizeof why))
            return rc;
        if (!(rc = check_table(ctx, c, ent, &q, &found, e)) && found) {
            char *col;
            if (take_name(&rest, &col)) {
                rc = check_column(ctx, c, ent, &q, col, "", e);
                free(col);
            }
        }
        qname_release(&q);
        return rc;
    }
    default:
        break;
    }
    if (!qname_parse(ent->value, "public", &q, &rest, why, sizeof why))
        return VOUCH_OK;
    if (k->kind == TARGET_TABLE || k->kind == TARGET_TABLE_COLUMNS || k->kind == TARGET_TRIGGER)
        rc = check_table(ctx, c, ent, &q, &found, e);
    if (!rc && found && k->kind == TARGET_TABLE_COLUMNS) {
        rest += strspn(rest, " \t");
        if (*rest == ':')
            rc = check_columns(ctx, c, ent, &q, rest + 1, "", e);
    } else if (!rc && found && k->kind == TARGET_TRIGGER) {
        char *trigger;
        if (take_name(&rest, &trigger)) {
            const char *p[] = {q.schema, q.name, trigger};
            if (!(rc = exists(ctx, sql_trigger, 3, p, &found, e)) && !found) {
                char *t = shown_qname(&q), *tg = ident_display(trigger);
                check_config_problem(ctx, c, ent, "table %s has no trigger %s", t, tg);
                free(t);
                free(tg);
            }
            free(trigger);
        }
    } else if (!rc && k->kind == TARGET_FUNCTION) {
        const char *p[] = {q.schema, q.name};
        if (!(rc = exists(ctx, sql_function, 2, p, &found, e)) && !found) {
            char *f = shown_qname(&q);
            check_config_problem(ctx, c, ent, "function %s does not exist in the target", f);
            free(f);
        }
    }
    qname_release(&q);
    return rc;
}

vexit target_check_keys(check_ctx *ctx, const conf *c, const char *section,
                        const target_key *keys, verr *e)
{
    /* The section's own table, which its column keys name columns of. */
    const conf_entry *tent = conf_get(c, section, "table");
    qname table = {0};
    bool have_table = false, table_there = false;
    char why[128];
    const char *rest;
    vexit rc = VOUCH_OK;
    if (tent && qname_parse(tent->value, "public", &table, &rest, why, sizeof why)) {
        have_table = true;
        rc = target_relation_exists(ctx, &table, &table_there, e);
    }
    for (const target_key *k = keys; k->key && !rc; k++) {
        bool given = false;
        for (const conf_entry *ent = conf_next(c, section, k->key, NULL); ent && !rc;
             ent = conf_next(c, section, k->key, ent)) {
            given = true;
            rc = check_entry(ctx, c, ent, k, have_table ? &table : NULL, table_there, e);
        }
        if (!rc && !given && k->def && have_table && table_there) {
            char *because = xasprintf(" (the default of %s)", k->key);
            rc = k->kind == TARGET_COLUMNS
                     ? check_columns(ctx, c, tent, &table, k->def, because, e)
                     : check_column(ctx, c, tent, &table, k->def, because, e);
            free(because);
        }
    }
    if (have_table)
        qname_release(&table);
    return rc;
}
