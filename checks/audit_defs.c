/* checks/audit_defs: the definitions of the functions the audit log depends on — the
 * ones the configured row_bytes and digest expressions call, the configured `function`
 * entries, the configured triggers' functions, and, read from the bodies of SQL and
 * PL/pgSQL functions among those, the functions they call in turn. A function that
 * computes the chain's bytes or writes the log can be replaced by one that lies or does
 * nothing while every row and link still verifies, so the baseline records each one's
 * definition (a SHA-256 of pg_get_functiondef), owner, volatility, SECURITY DEFINER
 * and pinned settings, and the gate fails when one differs or is gone. Catalog reads
 * only, every operator and function qualified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_log.h"
#include "src/sql_expr.h"
#include "src/util.h"

#define DEFS_MAX 256 /* functions followed at most */

/* $1 schema (NULL: any schema but the system's), $2 name, $3 oid (instead of both),
 * $4 identity arguments (NULL: every overload). */
static const char defs_sql[] =
    "SELECT p.oid::pg_catalog.text, n.nspname::pg_catalog.text, p.proname::pg_catalog.text,"
    " pg_catalog.pg_get_function_identity_arguments(p.oid),"
    " pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(d.def, 'UTF8')), 'hex'),"
    " pg_catalog.pg_get_userbyid(p.proowner)::pg_catalog.text, p.provolatile::pg_catalog.text,"
    " p.prosecdef, COALESCE(pg_catalog.array_to_string(p.proconfig, ', '), ''),"
    " l.lanname::pg_catalog.text, d.def"
    " FROM pg_catalog.pg_proc p"
    " CROSS JOIN LATERAL (SELECT CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'a'::\"char\""
    "  THEN (SELECT a::pg_catalog.text FROM pg_catalog.pg_aggregate a"
    "   WHERE a.aggfnoid::pg_catalog.oid OPERATOR(pg_catalog.=) p.oid)"
    "  ELSE pg_catalog.pg_get_functiondef(p.oid) END AS def) d"
    " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace"
    " JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang"
    " WHERE CASE WHEN $3::pg_catalog.oid IS NOT NULL"
    "  THEN p.oid OPERATOR(pg_catalog.=) $3::pg_catalog.oid"
    "  WHEN $1::pg_catalog.name IS NULL"
    "  THEN p.proname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
    "   AND n.nspname OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.name"
    "   AND n.nspname OPERATOR(pg_catalog.<>) 'information_schema'::pg_catalog.name"
    "  ELSE p.proname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
    "   AND n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name END"
    " AND ($4::pg_catalog.text IS NULL OR pg_catalog.pg_get_function_identity_arguments(p.oid)"
    "  OPERATOR(pg_catalog.=) $4::pg_catalog.text)"
    " ORDER BY 2, 3, 4";

enum { C_OID, C_SCHEMA, C_NAME, C_ARGS, C_DEF, C_OWNER, C_VOLATILE, C_SECDEF, C_CONFIG,
       C_LANG, C_SRC };

/* The functions found so far, and the names already looked up. */
typedef struct defs_walk {
    pg_session *db;
    json_t *list;  /* one object per function */
    json_t *seen;  /* oid -> true */
    json_t *asked; /* "schema.name" or "*.name" -> true */
    bool truncated;
} defs_walk;

static json_t *entry_of(PGresult *r, int i, const char *why)
{
    char *schema_name = qname_display(PQgetvalue(r, i, C_SCHEMA), PQgetvalue(r, i, C_NAME));
    char *fn = xasprintf("%s(%s)", schema_name, PQgetvalue(r, i, C_ARGS));
    free(schema_name);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "function", fn,
                          "schema", PQgetvalue(r, i, C_SCHEMA), "name", PQgetvalue(r, i, C_NAME),
                          "args", PQgetvalue(r, i, C_ARGS), "definition",
                          PQgetvalue(r, i, C_DEF), "owner", PQgetvalue(r, i, C_OWNER),
                          "volatility", PQgetvalue(r, i, C_VOLATILE), "security_definer",
                          PQgetvalue(r, i, C_SECDEF)[0] == 't', "config",
                          PQgetvalue(r, i, C_CONFIG), "why", why);
    free(fn);
    return o;
}

static vexit walk_name(defs_walk *w, const char *schema, const char *name, const char *oid,
                       const char *why, verr *e);

/* Follow what a function's definition calls: SQL (either kind of body) and PL/pgSQL
 * are code vouch can read; the names are looked up wherever they may resolve. */
static vexit walk_body(defs_walk *w, const char *lang, const char *src, const char *caller,
                       verr *e)
{
    if (strcmp(lang, "sql") != 0 && strcmp(lang, "plpgsql") != 0)
        return VOUCH_OK;
    size_t n;
    sql_call *calls = sql_expr_calls(src, &n);
    char *why = xasprintf("called by %s", caller);
    vexit rc = VOUCH_OK;
    for (size_t i = 0; !rc && i < n; i++)
        if (!calls[i].schema || strcmp(calls[i].schema, "pg_catalog") != 0)
            rc = walk_name(w, calls[i].schema, calls[i].name, NULL, why, e);
    free(why);
    sql_calls_free(calls, n);
    return rc;
}

/* Look up schema.name (any schema but the system's when schema is NULL), or the
 * function with that oid, record what is new and follow its body. */
static vexit walk_name(defs_walk *w, const char *schema, const char *name, const char *oid,
                       const char *why, verr *e)
{
    char *key = oid ? xasprintf("#%s", oid) : xasprintf("%s.%s", schema ? schema : "*", name);
    bool asked = json_object_get(w->asked, key) != NULL;
    if (!asked)
        json_object_set_new(w->asked, key, json_true());
    free(key);
    if (asked)
        return VOUCH_OK;
    const char *params[] = {schema, name, oid, NULL};
    PGresult *r;
    vexit rc = pg_query(w->db, &r, defs_sql, 4, params, e);
    if (rc)
        return rc;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        const char *o = PQgetvalue(r, i, C_OID);
        if (json_object_get(w->seen, o))
            continue;
        if (json_array_size(w->list) >= DEFS_MAX) {
            w->truncated = true;
            break;
        }
        json_object_set_new(w->seen, o, json_true());
        json_t *ent = entry_of(r, i, why);
        json_array_append_new(w->list, ent);
        char *caller = xstrdup(json_string_value(json_object_get(ent, "function")));
        rc = walk_body(w, PQgetvalue(r, i, C_LANG), PQgetvalue(r, i, C_SRC), caller, e);
        free(caller);
    }
    PQclear(r);
    return rc;
}

/* The configured triggers' functions, by the oid their triggers name. */
static vexit trigger_functions(defs_walk *w, const audit_settings *s, verr *e)
{
    vexit rc = VOUCH_OK;
    for (size_t i = 0; !rc && i < s->n_triggers; i++) {
        const audit_trigger *t = &s->triggers[i];
        const char *params[] = {t->table.schema, t->table.name, t->name};
        PGresult *r;
        rc = pg_query(w->db, &r,
                      "SELECT t.tgfoid::pg_catalog.text FROM pg_catalog.pg_trigger t"
                      " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid"
                      " JOIN pg_catalog.pg_namespace n"
                      "  ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
                      " WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name"
                      " AND c.relname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
                      " AND t.tgname OPERATOR(pg_catalog.=) $3::pg_catalog.name",
                      3, params, e);
        if (rc)
            break;
        char *why = xasprintf("trigger %s", t->name);
        if (PQntuples(r))
            rc = walk_name(w, NULL, NULL, PQgetvalue(r, 0, 0), why, e);
        free(why);
        PQclear(r);
    }
    return rc;
}

vexit audit_defs_capture(check_ctx *ctx, const audit_settings *s, json_t **out, verr *e)
{
    defs_walk w = {check_db(ctx), json_array(), json_object(), json_object(), false};
    vexit rc = VOUCH_OK;
    const char *exprs[] = {s->row_bytes, s->digest};
    const char *keys[] = {"row_bytes", "digest"};
    for (size_t k = 0; !rc && k < 2; k++) {
        if (!exprs[k])
            continue;
        size_t n;
        sql_call *calls = sql_expr_calls(exprs[k], &n);
        /* Unqualified names resolve in pg_catalog: vouch's search_path has nothing else. */
        for (size_t i = 0; !rc && i < n; i++)
            if (calls[i].schema && strcmp(calls[i].schema, "pg_catalog") != 0)
                rc = walk_name(&w, calls[i].schema, calls[i].name, NULL, keys[k], e);
        sql_calls_free(calls, n);
    }
    for (size_t i = 0; !rc && i < s->n_functions; i++)
        rc = walk_name(&w, s->functions[i].schema, s->functions[i].name, NULL, "function", e);
    if (!rc)
        rc = trigger_functions(&w, s, e);
    json_decref(w.seen);
    json_decref(w.asked);
    if (rc) {
        json_decref(w.list);
        return rc;
    }
    *out = json_pack("{s:o, s:b}", "functions", w.list, "truncated", w.truncated);
    return VOUCH_OK;
}

/* What differs between the baseline's entry and the function now, as a phrase. */
static void differences(const json_t *b, PGresult *r, char *out, size_t size)
{
    struct {
        const char *key, *words;
        int col;
    } fields[] = {{"definition", "definition", C_DEF},
                  {"owner", "owner", C_OWNER},
                  {"volatility", "volatility", C_VOLATILE},
                  {"config", "pinned settings", C_CONFIG}};
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        const char *was = json_string_value(json_object_get(b, fields[i].key));
        if (was && strcmp(was, PQgetvalue(r, 0, fields[i].col)) == 0)
            continue;
        used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%s",
                                 used ? ", " : "", fields[i].words);
    }
    bool sd = PQgetvalue(r, 0, C_SECDEF)[0] == 't';
    if (json_is_true(json_object_get(b, "security_definer")) != sd)
        snprintf(out + used, used < size ? size - used : 0, "%sSECURITY DEFINER", used ? ", " : "");
}

vexit audit_defs_check(check_ctx *ctx, const audit_settings *s, const json_t *baseline, verr *e)
{
    pg_session *db = check_db(ctx);
    const json_t *list = json_object_get(baseline, "functions");
    if (!json_is_array(list)) {
        bool any = s->row_bytes || s->digest || s->n_functions || s->n_triggers;
        if (any)
            check_report(ctx, RESULT_WARN, "function definitions", "recorded",
                         "not in the baseline",
                         "the baseline predates the recording of the audit functions' definitions,"
                         " so a function replaced since is not noticed: take a new baseline");
        return VOUCH_OK;
    }
    size_t i;
    const json_t *b;
    vexit rc = VOUCH_OK;
    json_array_foreach(list, i, b)
    {
        const char *fn = json_string_value(json_object_get(b, "function"));
        const char *params[] = {json_string_value(json_object_get(b, "schema")),
                                json_string_value(json_object_get(b, "name")), NULL,
                                json_string_value(json_object_get(b, "args"))};
        const char *why = json_string_value(json_object_get(b, "why"));
        if (!fn || !params[0] || !params[1] || !params[3])
            continue;
        PGresult *r;
        if ((rc = pg_query(db, &r, defs_sql, 4, params, e)))
            break;
        char *subject = xasprintf("definition of %s", fn);
        char *name = qname_display(params[0], params[1]);
        char diff[160] = "";
        if (PQntuples(r))
            differences(b, r, diff, sizeof diff);
        if (!PQntuples(r)) {
            check_report(ctx, RESULT_FAIL, subject, "as in the baseline", "missing",
                         "function %s (%s) is gone: recreate it from the schema before reopening",
                         name, why ? why : "audit");
        } else if (*diff) {
            check_report(ctx, RESULT_FAIL, subject, "as in the baseline", "changed",
                         "function %s (%s) changed since the baseline (%s): the audit log it"
                         " writes or verifies can no longer be trusted; restore it from the"
                         " schema",
                         name, why ? why : "audit", diff);
        } else {
            check_report(ctx, RESULT_PASS, subject, "as in the baseline", "unchanged",
                         "function %s (%s) is as in the baseline", name, why ? why : "audit");
        }
        free(name);
        free(subject);
        PQclear(r);
    }
    return rc;
}
