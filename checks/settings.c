/* settings: what lives outside the tables and a restore silently drops or changes —
 * database- and role-level settings (pg_db_role_setting), the owner, SECURITY DEFINER
 * flag and pinned settings of the functions in the watched schemas, the installed
 * extensions and the database owner — equal the baseline.
 *
 * The baseline is usually taken on one database and the gate run on a restored copy
 * under another name, so nothing is keyed by the database's name: "the database" is
 * always the one vouch is connected to. Only catalogs are read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checker.h"
#include "checks/target.h"
#include "checks/settings_acl.h"
#include "checks/settings_diff.h"
#include "src/ident.h"
#include "src/util.h"

static const conf_key settings_keys[] = {
    {"schema", CONF_REPEATABLE, "SCHEMA",
     "Watch the functions of this schema (default public); repeatable."},
    {"ignore_role", CONF_REPEATABLE, "ROLE",
     "Leave out the role-level settings of this role; repeatable."},
    {"ignore_setting", CONF_REPEATABLE, "NAME",
     "Leave out this setting wherever it is set (database, roles, functions); repeatable."},
    {NULL, 0, NULL, NULL},
};

typedef struct names {
    char **v;
    size_t n, cap;
} names;

typedef struct watch {
    names schemas, ignore_roles, ignore_settings;
} watch;

static void names_release(names *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
}

static bool names_has(const names *ns, const char *name)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], name) == 0)
            return true;
    return false;
}

static void release(void *p)
{
    watch *w = p;
    if (!w)
        return;
    names_release(&w->schemas);
    names_release(&w->ignore_roles);
    names_release(&w->ignore_settings);
    free(w);
}

/* Every value of a repeatable key, each one name (quoted or folded as SQL does). */
static vexit read_names(const conf *c, const char *key, names *ns, verr *e)
{
    conf_seen seen = {0};
    vexit rc = VOUCH_OK;
    for (const conf_entry *ent = NULL; !rc && (ent = conf_next(c, "settings", key, ent));) {
        char *name;
        if ((rc = conf_ident(c, ent, &name, e)))
            break;
        if ((rc = conf_seen_add(&seen, c, ent, name, e))) {
            free(name);
            break;
        }
        grow((void **)&ns->v, &ns->cap, ns->n + 1, sizeof *ns->v);
        ns->v[ns->n++] = name;
    }
    conf_seen_release(&seen);
    return rc;
}

static vexit configure(const conf *c, void **out, verr *e)
{
    watch *w = xcalloc(1, sizeof *w);
    vexit rc = read_names(c, "schema", &w->schemas, e);
    if (!rc)
        rc = read_names(c, "ignore_role", &w->ignore_roles, e);
    if (!rc)
        rc = read_names(c, "ignore_setting", &w->ignore_settings, e);
    if (rc) {
        release(w);
        return rc;
    }
    if (!w->schemas.n) {
        grow((void **)&w->schemas.v, &w->schemas.cap, 1, sizeof *w->schemas.v);
        w->schemas.v[w->schemas.n++] = xstrdup("public");
    }
    *out = w;
    return VOUCH_OK;
}

/* ------------------------------------------------------------------ capture */

/* The categories of a capture, in the order findings are reported. */
static const char *const categories[] = {"database", "roles", "functions", "extensions"};
enum { K_DATABASE, K_ROLES, K_FUNCTIONS, K_EXTENSIONS, K_N };

static void put(json_t *category, const char *object, const char *attr, const char *value)
{
    json_t *o = json_object_get(category, object);
    if (!o) {
        o = json_object();
        json_object_set_new(category, object, o);
    }
    json_object_set_new(o, attr, json_string(value));
}

/* A "name=value" entry of pg_db_role_setting or proconfig as attribute "set name". */
static void put_setting(const watch *w, json_t *category, const char *object, const char *entry)
{
    char *copy = xstrdup(entry);
    const char *name, *value;
    if (sdiff_split_setting(copy, &name, &value) && !names_has(&w->ignore_settings, name)) {
        char *attr = xasprintf("set %s", name);
        put(category, object, attr, value);
        free(attr);
    }
    free(copy);
}

#define THIS_DB                                                                                  \
    "(SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())"

static vexit collect(pg_session *db, const watch *w, json_t **out, verr *e)
{
    json_t *doc = json_object();
    json_t *cat[K_N];
    for (int k = 0; k < K_N; k++) {
        cat[k] = json_object();
        json_object_set_new(doc, categories[k], cat[k]);
    }
    PGresult *r = NULL;
    vexit rc = pg_query(db, &r,
                        "SELECT pg_catalog.pg_get_userbyid(d.datdba) FROM pg_catalog.pg_database d"
                        " WHERE d.datname = pg_catalog.current_database()",
                        0, NULL, e);
    if (!rc) {
        put(cat[K_DATABASE], "database", "owner", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
        PQclear(r);
        rc = pg_query(db, &r,
                      "SELECT c FROM pg_catalog.pg_db_role_setting s"
                      " CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) AS c"
                      " WHERE s.setrole = 0 AND s.setdatabase = " THIS_DB,
                      0, NULL, e);
    }
    if (!rc) {
        for (int i = 0; i < PQntuples(r); i++)
            put_setting(w, cat[K_DATABASE], "database", PQgetvalue(r, i, 0));
        PQclear(r);
        rc = pg_query(db, &r,
                      "SELECT o.rolname, s.setdatabase = 0, c FROM pg_catalog.pg_db_role_setting s"
                      " JOIN pg_catalog.pg_roles o ON o.oid = s.setrole"
                      " CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) AS c"
                      " WHERE s.setrole <> 0 AND (s.setdatabase = 0 OR s.setdatabase = " THIS_DB ")",
                      0, NULL, e);
    }
    if (!rc) {
        for (int i = 0; i < PQntuples(r); i++) {
            const char *role = PQgetvalue(r, i, 0);
            if (names_has(&w->ignore_roles, role))
                continue;
            char *object = xasprintf("role %s%s", role,
                                     PQgetvalue(r, i, 1)[0] == 't' ? " (every database)" : "");
            put_setting(w, cat[K_ROLES], object, PQgetvalue(r, i, 2));
            free(object);
        }
        PQclear(r);
        r = NULL;
    }
    /* Functions that belong to an extension are the extension's: its version covers them. */
    for (size_t sc = 0; !rc && sc < w->schemas.n; sc++) {
        const char *params[] = {w->schemas.v[sc]};
        if ((rc = pg_query(db, &r,
                           "SELECT p.oid::pg_catalog.regprocedure::text,"
                           " pg_catalog.pg_get_userbyid(p.proowner), p.prosecdef, c"
                           " FROM pg_catalog.pg_proc p"
                           " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                           " LEFT JOIN LATERAL pg_catalog.unnest(p.proconfig) AS c ON true"
                           " WHERE n.nspname = $1 AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
                           "   WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
                           "   AND d.objid = p.oid AND d.deptype = 'e')",
                           1, params, e)))
            break;
        for (int i = 0; i < PQntuples(r); i++) {
            char *object = xasprintf("function %s", PQgetvalue(r, i, 0));
            put(cat[K_FUNCTIONS], object, "owner", PQgetvalue(r, i, 1));
            put(cat[K_FUNCTIONS], object, "security",
                PQgetvalue(r, i, 2)[0] == 't' ? "definer" : "invoker");
            if (!PQgetisnull(r, i, 3))
                put_setting(w, cat[K_FUNCTIONS], object, PQgetvalue(r, i, 3));
            free(object);
        }
        PQclear(r);
        r = NULL;
    }
    if (!rc && !(rc = pg_query(db, &r,
                               "SELECT e.extname, e.extversion, n.nspname"
                               " FROM pg_catalog.pg_extension e"
                               " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace",
                               0, NULL, e))) {
        for (int i = 0; i < PQntuples(r); i++) {
            char *object = xasprintf("extension %s", PQgetvalue(r, i, 0));
            put(cat[K_EXTENSIONS], object, "version", PQgetvalue(r, i, 1));
            put(cat[K_EXTENSIONS], object, "schema", PQgetvalue(r, i, 2));
            free(object);
        }
        PQclear(r);
    }
    if (!rc)
        rc = settings_acl_collect(db, doc, e);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return VOUCH_OK;
}

static vexit capture(check_ctx *ctx, void *p, json_t **out, verr *e)
{
    json_t *doc;
    vexit rc = collect(check_db(ctx), p, &doc, e);
    if (rc)
        return rc;
    /* 2: with the database's ACL and default privileges (a 1 lacks them: warned, not failed) */
    json_object_set_new(doc, "version", json_integer(2));
    *out = doc;
    return VOUCH_OK;
}

/* ------------------------------------------------------------------ check */

/* A baseline document this version cannot read. */
static vexit malformed(verr *e)
{
    verr_set(e, VOUCH_FAILED, "the baseline's settings document is malformed");
    verr_hint(e, "Run 'vouch baseline' again: it may come from another version of vouch.");
    return e->code;
}

/* How a value is written after SET name = in SQL, for the hints: search_path-like
 * lists as stored, anything else as a literal. */
static char *sql_value(const char *name, const char *value)
{
    if (strcmp(name, "search_path") == 0)
        return xstrdup(value);
    size_t n = strlen(value);
    char *q = xmalloc(2 * n + 3), *o = q;
    *o++ = '\'';
    for (const char *c = value; *c; c++) {
        if (*c == '\'')
            *o++ = '\'';
        *o++ = *c;
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

/* The SQL that scopes a setting: "ALTER DATABASE x", "ALTER ROLE r IN DATABASE x",
 * "ALTER ROLE r", "ALTER FUNCTION f". */
static char *alter_of(int k, const char *object, const char *dbname)
{
    if (k == K_DATABASE)
        return xasprintf("ALTER DATABASE %s", dbname);
    if (k == K_ROLES) {
        const char *role = object + strlen("role ");
        const char *every = strstr(role, " (every database)");
        if (every)
            return xasprintf("ALTER ROLE %.*s", (int)(every - role), role);
        return xasprintf("ALTER ROLE %s IN DATABASE %s", role, dbname);
    }
    return xasprintf("ALTER FUNCTION %s", object + strlen("function "));
}

/* A string member of o, or "" when it has none. */
static const char *jstr(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static const char *shown(const char *v)
{
    return !v ? "(not set)" : *v ? v : "''";
}

/* One finding for a difference of an attribute; now_obj is the object now, for context. */
static void report_attr(check_ctx *ctx, int k, const sdiff *d, const json_t *now_obj,
                        const char *dbname)
{
    bool is_set = strncmp(d->attr, "set ", 4) == 0;
    const char *name = is_set ? d->attr + 4 : d->attr;
    char *subject = xasprintf("%s %s", d->object, name);
    char *alter = alter_of(k, d->object, dbname);
    const char *before = shown(d->before), *after = shown(d->after);
    char reason[1024];
    if (is_set) {
        char *put_back = d->before ? sql_value(name, d->before) : NULL;
        const char *where = k == K_DATABASE ? "the database" : d->object;
        bool definer = k == K_FUNCTIONS && strcmp(jstr(now_obj, "security"), "definer") == 0;
        const char *risk = definer && strcmp(name, "search_path") == 0
                               ? " (a SECURITY DEFINER function without a pinned search_path can"
                                 " be hijacked)"
                               : k == K_DATABASE && d->kind == SDIFF_LOST
                                     ? " (a restore without --create drops database settings)"
                                     : "";
        if (d->kind == SDIFF_LOST)
            snprintf(reason, sizeof reason, "%s lost SET %s%s: run %s SET %s = %s", where, name,
                     risk, alter, name, put_back);
        else if (d->kind == SDIFF_ADDED)
            snprintf(reason, sizeof reason,
                     "%s gained SET %s = %s%s: if not intended, run %s RESET %s", where, name,
                     d->after, k == K_ROLES ? ", which every session of that role gets" : "",
                     alter, name);
        else
            snprintf(reason, sizeof reason, "%s has another %s%s: run %s SET %s = %s", where, name,
                     risk, alter, name, put_back);
        free(put_back);
    } else if (strcmp(name, "owner") == 0) {
        bool definer = strcmp(jstr(now_obj, "security"), "definer") == 0;
        snprintf(reason, sizeof reason, "%s is owned by %s instead of %s%s: run %s OWNER TO %s",
                 k == K_DATABASE ? "the database" : d->object, after, before,
                 definer ? " and runs with that role's rights (SECURITY DEFINER)" : "", alter,
                 before);
    } else if (strcmp(name, "security") == 0) {
        const char *want = strcmp(before, "definer") == 0 ? "DEFINER" : "INVOKER";
        snprintf(reason, sizeof reason, "%s is SECURITY %s instead of %s: run %s SECURITY %s",
                 d->object, strcmp(after, "definer") == 0 ? "DEFINER" : "INVOKER", want, alter,
                 want);
    } else if (strcmp(name, "version") == 0) {
        snprintf(reason, sizeof reason,
                 "%s is at version %s, the baseline had %s: install that version and run ALTER"
                 " EXTENSION %s UPDATE TO '%s'",
                 d->object, after, before, d->object + strlen("extension "), before);
    } else if (strcmp(name, "schema") == 0) {
        snprintf(reason, sizeof reason, "%s is in schema %s, the baseline's in %s: run ALTER"
                 " EXTENSION %s SET SCHEMA %s",
                 d->object, after, before, d->object + strlen("extension "), before);
    } else {
        snprintf(reason, sizeof reason, "%s %s changed from %s to %s", d->object, name, before,
                 after);
    }
    check_report(ctx, RESULT_FAIL, subject, before, after, "%s", reason);
    char *detail = xasprintf("%s %s\n  baseline: %s\n  now:      %s", d->object, name, before,
                             after);
    check_detail(ctx, detail);
    free(detail);
    free(alter);
    free(subject);
}

/* "owner app, security definer, set search_path=..." for whole objects. */
static char *describe(const json_t *o)
{
    char *acc = xstrdup("");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) {
        char *next = xasprintf("%s%s%s %s", acc, *acc ? "\n  " : "  ", k,
                               json_string_value(v) ? json_string_value(v) : "");
        free(acc);
        acc = next;
    }
    return acc;
}

static void report_object(check_ctx *ctx, int k, const sdiff *d, const json_t *o)
{
    bool lost = d->kind == SDIFF_OBJECT_LOST;
    const char *thing = k == K_FUNCTIONS ? "function" : "extension";
    const char *name = d->object + strlen(thing) + 1;
    char reason[1024];
    if (k == K_EXTENSIONS && lost)
        snprintf(reason, sizeof reason,
                 "%s %s is missing: run CREATE EXTENSION %s VERSION '%s' SCHEMA %s", d->object,
                 jstr(o, "version"), name,
                 jstr(o, "version"),
                 jstr(o, "schema"));
    else if (lost)
        snprintf(reason, sizeof reason,
                 "%s is gone: restore it from the schema of the healthy database", d->object);
    else
        snprintf(reason, sizeof reason,
                 "%s is new since the baseline: check who made it and why, then run 'vouch"
                 " baseline' again if it belongs",
                 d->object);
    check_report(ctx, RESULT_FAIL, d->object, lost ? "present" : "absent",
                 lost ? "missing" : "present", "%s", reason);
    char *what = describe(o);
    char *detail = xasprintf("%s %s:\n%s", lost ? "in the baseline" : "now", d->object, what);
    check_detail(ctx, detail);
    free(detail);
    free(what);
}

/* Is this difference about something the configuration now leaves out? (A baseline taken
 * before an ignore_ key was added still holds it.) */
static bool ignored(const watch *w, int k, const sdiff *d)
{
    if (d->attr && strncmp(d->attr, "set ", 4) == 0 && names_has(&w->ignore_settings, d->attr + 4))
        return true;
    if (k != K_ROLES)
        return false;
    const char *role = d->object + strlen("role ");
    const char *every = strstr(role, " (every database)");
    size_t len = every ? (size_t)(every - role) : strlen(role);
    for (size_t i = 0; i < w->ignore_roles.n; i++)
        if (strlen(w->ignore_roles.v[i]) == len && strncmp(w->ignore_roles.v[i], role, len) == 0)
            return true;
    return false;
}

static void report_category(check_ctx *ctx, const watch *w, int k, const json_t *was,
                            const json_t *now, const char *dbname)
{
    sdiff *ds;
    size_t n = sdiff_compare(was, now, &ds), reported = 0;
    for (size_t i = 0; i < n; i++) {
        const sdiff *d = &ds[i];
        if (ignored(w, k, d))
            continue;
        reported++;
        bool object = d->kind == SDIFF_OBJECT_ADDED || d->kind == SDIFF_OBJECT_LOST;
        const json_t *o = json_object_get(d->kind == SDIFF_OBJECT_LOST ? was : now, d->object);
        if (object && (k == K_DATABASE || k == K_ROLES)) {
            /* A role with no setting left (or a first one) is a setting lost (added). */
            const char *attr;
            json_t *v;
            json_object_foreach((json_t *)o, attr, v) {
                bool lost = d->kind == SDIFF_OBJECT_LOST;
                sdiff one = {lost ? SDIFF_LOST : SDIFF_ADDED, d->object, attr,
                             lost ? json_string_value(v) : NULL, lost ? NULL : json_string_value(v)};
                if (!ignored(w, k, &one))
                    report_attr(ctx, k, &one, o, dbname);
            }
        } else if (object) {
            report_object(ctx, k, d, o);
        } else {
            report_attr(ctx, k, d, json_object_get(now, d->object), dbname);
        }
    }
    if (!reported) {
        static const char *const subjects[K_N] = {"database", "role settings", "functions",
                                                  "extensions"};
        size_t count = json_object_size(now);
        char expected[64], subject[128];
        if (k == K_DATABASE)
            snprintf(expected, sizeof expected, "owner, %zu setting%s",
                     json_object_size(json_object_get(now, "database")) - 1,
                     json_object_size(json_object_get(now, "database")) == 2 ? "" : "s");
        else
            snprintf(expected, sizeof expected, "%zu %s%s", count,
                     k == K_ROLES ? "role" : k == K_FUNCTIONS ? "function" : "extension",
                     count == 1 ? "" : "s");
        if (k == K_FUNCTIONS) {
            char *list = xstrdup("");
            for (size_t i = 0; i < w->schemas.n; i++) {
                char *next = xasprintf("%s%s%s", list, i ? ", " : "", w->schemas.v[i]);
                free(list);
                list = next;
            }
            snprintf(subject, sizeof subject, "functions in %s", list);
            free(list);
        } else {
            snprintf(subject, sizeof subject, "%s", subjects[k]);
        }
        check_report(ctx, RESULT_PASS, subject, expected, "same", "as in the baseline");
    }
    free(ds);
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    watch *w = p;
    pg_session *db = check_db(ctx);
    for (int k = 0; k < K_N; k++)
        if (!json_is_object(json_object_get(baseline, categories[k])))
            return malformed(e);
    json_t *now;
    vexit rc = collect(db, w, &now, e);
    if (rc)
        return rc;
    /* The name as the statements in the findings write it, quoted where SQL needs it. */
    PGresult *r;
    if ((rc = pg_query(db, &r, "SELECT pg_catalog.quote_ident(pg_catalog.current_database())", 0,
                       NULL, e))) {
        json_decref(now);
        return rc;
    }
    char *dbname = xstrdup(PQntuples(r) ? PQgetvalue(r, 0, 0) : db->id.database);
    PQclear(r);
    for (int k = 0; k < K_N; k++)
        report_category(ctx, w, k, json_object_get(baseline, categories[k]),
                        json_object_get(now, categories[k]), dbname);
    settings_acl_check(ctx, baseline, now, dbname);
    free(dbname);
    json_decref(now);
    return VOUCH_OK;
}

/* check-config: the objects [settings] names exist in the target. */
static const target_key target_keys[] = {
    {"schema", TARGET_SCHEMA, NULL},
    {"ignore_role", TARGET_ROLE, NULL},
    {NULL, TARGET_TABLE, NULL},
};

static vexit validate_target(check_ctx *ctx, const conf *c, void *p, verr *e)
{
    (void)p;
    return target_check_keys(ctx, c, "settings", target_keys, e);
}

const checker checker_settings = {
    .name = "settings",
    .summary = "database, role and function settings, database and default privileges,"
               " extensions and owner as in the baseline",
    .keys = settings_keys,
    .configure = configure,
    .release = release,
    .capture = capture,
    .check = check,
    .validate_target = validate_target,
};
