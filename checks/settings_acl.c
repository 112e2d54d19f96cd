/* Database ACL and default privileges for the settings check.
 *
 * Names come back from the server through quote_ident, so the captured keys are already
 * SQL and the statements in the findings need no quoting on the client. */
#include "checks/settings_acl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/settings_diff.h"
#include "src/util.h"

/* The database's ACL as it is in effect: a NULL datacl means the hard-wired defaults
 * (PUBLIC CONNECT and TEMPORARY). The owner's own privileges are left out: the owner is
 * compared as such, and another owner would only repeat that finding. */
static const char db_acl_sql[] =
    "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
    "  ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END,"
    " a.privilege_type, a.is_grantable"
    " FROM pg_catalog.pg_database d"
    " CROSS JOIN LATERAL pg_catalog.aclexplode("
    "   COALESCE(d.datacl, pg_catalog.acldefault('d', d.datdba))) AS a"
    " WHERE d.datname = pg_catalog.current_database() AND a.grantee <> d.datdba";

/* Default privileges as the difference from what PostgreSQL would do without them: a
 * global entry (no schema) replaces the hard-wired defaults, so what it grants beyond
 * them is "granted" and what it takes away "revoked"; an entry for a schema only adds. */
static const char default_acl_sql[] =
    "WITH e AS ("
    " SELECT da.defaclrole AS role, da.defaclnamespace AS nsp, da.defaclobjtype AS kind,"
    "  da.defaclacl AS acl,"
    "  pg_catalog.acldefault(CASE da.defaclobjtype WHEN 'S' THEN 's'::\"char\""
    "   ELSE da.defaclobjtype END, da.defaclrole) AS hard"
    " FROM pg_catalog.pg_default_acl da)"
    " SELECT 'FOR ROLE ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(e.role))"
    "  || CASE WHEN e.nsp = 0 THEN '' ELSE ' IN SCHEMA ' || pg_catalog.quote_ident(n.nspname) END"
    "  || ' ON ' || CASE e.kind WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'"
    "   WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS'"
    "   ELSE 'KIND ' || e.kind::text END,"
    "  g.privilege_type || ' TO ' || CASE WHEN g.grantee = 0 THEN 'PUBLIC'"
    "   ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(g.grantee)) END,"
    "  g.state"
    " FROM e LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.nsp"
    " CROSS JOIN LATERAL ("
    "  SELECT x.grantee, x.privilege_type,"
    "   CASE WHEN x.is_grantable THEN 'granted with grant option' ELSE 'granted' END AS state"
    "  FROM pg_catalog.aclexplode(e.acl) AS x"
    "  WHERE e.nsp <> 0 OR NOT EXISTS (SELECT FROM pg_catalog.aclexplode(e.hard) AS y"
    "   WHERE y.grantee = x.grantee AND y.privilege_type = x.privilege_type"
    "   AND y.is_grantable = x.is_grantable)"
    "  UNION ALL"
    "  SELECT y.grantee, y.privilege_type, 'revoked'"
    "  FROM pg_catalog.aclexplode(e.hard) AS y"
    "  WHERE e.nsp = 0 AND NOT EXISTS (SELECT FROM pg_catalog.aclexplode(e.acl) AS x"
    "   WHERE x.grantee = y.grantee AND x.privilege_type = y.privilege_type)) AS g";

static void put(json_t *part, const char *object, const char *attr, const char *value)
{
    json_t *o = json_object_get(part, object);
    if (!o) {
        o = json_object();
        json_object_set_new(part, object, o);
    }
    json_object_set_new(o, attr, json_string(value));
}

vexit settings_acl_collect(pg_session *db, json_t *doc, verr *e)
{
    PGresult *r;
    vexit rc = pg_query(db, &r, db_acl_sql, 0, NULL, e);
    if (rc)
        return rc;
    json_t *part = json_object();
    json_object_set_new(doc, SETTINGS_DB_PRIVS, part);
    for (int i = 0; i < PQntuples(r); i++)
        put(part, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
            PQgetvalue(r, i, 2)[0] == 't' ? SDIFF_GRANTABLE : SDIFF_GRANTED);
    PQclear(r);
    if ((rc = pg_query(db, &r, default_acl_sql, 0, NULL, e)))
        return rc;
    part = json_object();
    json_object_set_new(doc, SETTINGS_DEFAULT_PRIVS, part);
    for (int i = 0; i < PQntuples(r); i++)
        put(part, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
    PQclear(r);
    return VOUCH_OK;
}

/* How a state is shown: no state is "(not granted)" on the database, "(default)" for a
 * default privilege. */
static const char *shown(const char *state, bool defaults)
{
    return state ? state : defaults ? "(default)" : "(not granted)";
}

/* One finding for one privilege that differs. */
static void report_one(check_ctx *ctx, const char *db, const char *object, const char *attr,
                       const char *was, const char *now)
{
    bool defaults = db == NULL;
    char *sql = sdiff_privilege_sql(db, object, attr, was, now);
    char *subject, *what;
    if (defaults) {
        const char *on = object, *to = strstr(attr, " TO ");
        for (const char *p = strstr(object, " ON "); p; p = strstr(p + 1, " ON "))
            on = p + 4;
        subject = xasprintf("default privileges %.*s: %.*s ON %s TO %s",
                            (int)(on - object - 4), object, (int)(to - attr), attr, on, to + 4);
        what = xasprintf("the default privileges %s", object);
    } else {
        subject = xasprintf("database grant %s to %s", attr, object);
        what = xasprintf("%s", object);
    }
    char reason[1024];
    const char *why = defaults ? " (a restore with --no-privileges, or of only some schemas,"
                                 " loses default privileges, and every object made later gets"
                                 " other rights)"
                               : " (a restore into a new database without --create resets the"
                                 " database's privileges to the defaults)";
    if (defaults && !was)
        snprintf(reason, sizeof reason, "%s %s %s, which the baseline did not: if not intended,"
                 " run %s", what, now && strcmp(now, SDIFF_REVOKED) == 0 ? "withhold the default" : "add",
                 attr, sql ? sql : "(no statement)");
    else if (defaults)
        snprintf(reason, sizeof reason, "%s no longer %s %s%s: run %s", what,
                 strcmp(was, SDIFF_REVOKED) == 0 ? "withhold the default" : "give", attr,
                 now ? "" : why, sql ? sql : "(no statement)");
    else if (!was)
        snprintf(reason, sizeof reason, "%s gained %s on the database%s: if not intended, run %s",
                 what, attr, strcmp(object, "PUBLIC") == 0 ? why : "", sql ? sql : "");
    else if (!now)
        snprintf(reason, sizeof reason, "%s lost %s on the database%s: run %s", what, attr, why,
                 sql ? sql : "");
    else
        snprintf(reason, sizeof reason, "%s holds %s on the database %s, the baseline %s: run %s",
                 what, attr, now, was, sql ? sql : "");
    check_report(ctx, RESULT_FAIL, subject, shown(was, defaults), shown(now, defaults), "%s",
                 reason);
    free(sql);
    free(what);
    free(subject);
}

static void check_part(check_ctx *ctx, const char *member, const json_t *was, const json_t *now,
                       const char *db)
{
    bool defaults = strcmp(member, SETTINGS_DEFAULT_PRIVS) == 0;
    const char *label = defaults ? "default privileges" : "database privileges";
    if (!json_is_object(was)) {
        check_report(ctx, RESULT_WARN, label, "in the baseline", "not in the baseline",
                     "the baseline holds no %s (it was taken by an older vouch): run 'vouch"
                     " baseline' on the healthy database to check them",
                     label);
        return;
    }
    sdiff *ds;
    size_t n = sdiff_compare(was, now, &ds);
    const char *qdb = defaults ? NULL : db;
    for (size_t i = 0; i < n; i++) {
        const sdiff *d = &ds[i];
        if (d->attr) {
            report_one(ctx, qdb, d->object, d->attr, d->before, d->after);
            continue;
        }
        /* A grantee (scope) only one side has: each of its privileges. */
        bool lost = d->kind == SDIFF_OBJECT_LOST;
        const json_t *o = json_object_get(lost ? was : now, d->object);
        const char *attr;
        json_t *v;
        json_object_foreach((json_t *)o, attr, v) {
            const char *s = json_string_value(v);
            report_one(ctx, qdb, d->object, attr, lost ? s : NULL, lost ? NULL : s);
        }
    }
    if (!n) {
        size_t count = 0;
        const char *k;
        json_t *o;
        json_object_foreach((json_t *)now, k, o) count += json_object_size(o);
        char expected[64];
        snprintf(expected, sizeof expected, "%zu %s%s", count,
                 defaults ? "default privilege" : "grant", count == 1 ? "" : "s");
        check_report(ctx, RESULT_PASS, label, expected, "same", "as in the baseline");
    }
    free(ds);
}

void settings_acl_check(check_ctx *ctx, const json_t *baseline, const json_t *now,
                        const char *db)
{
    check_part(ctx, SETTINGS_DB_PRIVS, json_object_get(baseline, SETTINGS_DB_PRIVS),
               json_object_get(now, SETTINGS_DB_PRIVS), db);
    check_part(ctx, SETTINGS_DEFAULT_PRIVS, json_object_get(baseline, SETTINGS_DEFAULT_PRIVS),
               json_object_get(now, SETTINGS_DEFAULT_PRIVS), db);
}
