/* rls: read RLS flags, owners, policies, grants, role attributes and memberships
 * from the catalog as JSON documents (see rls_diff.h). The server builds the JSON:
 * policy expressions come as pg_get_expr deparses them, privileges as aclexplode
 * spells them, so the baseline and the gate compare the same text. */
#include <stdlib.h>
#include <string.h>

#include "checks/rls.h"
#include "src/util.h"

bool rls_qnames_has(const rls_qnames *l, const char *schema, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].schema, schema) == 0 && strcmp(l->v[i].name, name) == 0)
            return true;
    return false;
}

bool rls_covered(const rls_settings *s, const char *schema, const char *name)
{
    if (rls_qnames_has(&s->tables, schema, name) || rls_qnames_has(&s->force, schema, name))
        return true;
    if (rls_qnames_has(&s->excludes, schema, name))
        return false;
    for (size_t i = 0; i < s->schemas.n; i++)
        if (strcmp(s->schemas.v[i], schema) == 0)
            return true;
    return false;
}

/* The grants one ACL gives to the application roles and to PUBLIC, as
 * "PRIV TO grantee[ WITH GRANT OPTION]", one per privilege and grantee whoever
 * granted it. ACL and OWNER are SQL expressions of the row; ROLES the parameter
 * holding the application roles as a JSON array. */
#define GRANTS_OF(ACL, KIND, OWNER, ROLES)                                                              \
    "(SELECT coalesce(json_agg(g.txt ORDER BY g.txt COLLATE \"C\"), '[]'::json) FROM ("           \
    " SELECT a.privilege_type || ' TO ' || CASE WHEN a.grantee = 0 THEN 'PUBLIC'"                 \
    "  ELSE pg_catalog.pg_get_userbyid(a.grantee) END"                                           \
    "  || CASE WHEN bool_or(a.is_grantable) THEN ' WITH GRANT OPTION' ELSE '' END AS txt"         \
    " FROM pg_catalog.aclexplode(coalesce(" ACL ", pg_catalog.acldefault('" KIND "', " OWNER      \
    "))) a WHERE a.grantee = 0 OR pg_catalog.pg_get_userbyid(a.grantee) IN"                       \
    "  (SELECT pg_catalog.jsonb_array_elements_text(" ROLES "::jsonb))"                           \
    " GROUP BY a.privilege_type, a.grantee) g)"

static const char tables_sql[] =
    "SELECT pg_catalog.json_build_object("
    " 'schema', n.nspname, 'table', c.relname,"
    " 'rls', c.relrowsecurity, 'force', c.relforcerowsecurity,"
    " 'owner', pg_catalog.pg_get_userbyid(c.relowner),"
    " 'policies', (SELECT coalesce(json_agg(pg_catalog.json_build_object("
    "    'name', p.polname,"
    "    'cmd', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'"
    "           WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,"
    "    'permissive', p.polpermissive,"
    "    'roles', (SELECT json_agg(x.name ORDER BY x.name COLLATE \"C\") FROM"
    "              (SELECT CASE WHEN r.oid = 0 THEN 'PUBLIC'"
    "                      ELSE pg_catalog.pg_get_userbyid(r.oid) END AS name"
    "                 FROM unnest(p.polroles) AS r(oid)) x),"
    "    'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),"
    "    'check', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))"
    "   ORDER BY p.polname COLLATE \"C\"), '[]'::json)"
    "   FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid),"
    " 'grants', " GRANTS_OF("c.relacl", "r", "c.relowner", "$3") ")::text"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p')"
    " AND (n.nspname IN (SELECT pg_catalog.jsonb_array_elements_text($1::jsonb))"
    "      OR EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements($2::jsonb) t"
    "                  WHERE t->>0 = n.nspname AND t->>1 = c.relname))"
    " ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\"";

/* $1: schemas; $2: application roles. */
static const char schemas_sql[] =
    "SELECT pg_catalog.json_build_object("
    " 'schema', n.nspname, 'owner', pg_catalog.pg_get_userbyid(n.nspowner),"
    " 'grants', " GRANTS_OF("n.nspacl", "n", "n.nspowner", "$2") ")::text"
    " FROM pg_catalog.pg_namespace n"
    " WHERE n.nspname IN (SELECT pg_catalog.jsonb_array_elements_text($1::jsonb))"
    " ORDER BY n.nspname COLLATE \"C\"";

/* Memberships of one role, grouped so that grants by several grantors count once. */
#define MEMBERSHIPS(WHO, OTHER, FILTER)                                                          \
    "(SELECT coalesce(json_agg(x.txt ORDER BY x.txt COLLATE \"C\"), '[]'::json) FROM ("          \
    " SELECT o.rolname || CASE WHEN bool_or(m.admin_option) THEN ' WITH ADMIN OPTION'"          \
    "  ELSE '' END AS txt"                                                                       \
    " FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles o ON o.oid = m." OTHER         \
    " WHERE m." WHO " = a.oid" FILTER " GROUP BY o.rolname) x)"

static const char roles_sql[] =
    "SELECT pg_catalog.json_build_object("
    " 'role', r.name, 'exists', a.oid IS NOT NULL,"
    " 'superuser', coalesce(a.rolsuper, false), 'bypassrls', coalesce(a.rolbypassrls, false),"
    " 'createrole', coalesce(a.rolcreaterole, false), 'createdb', coalesce(a.rolcreatedb, false),"
    " 'replication', coalesce(a.rolreplication, false), 'login', coalesce(a.rolcanlogin, false),"
    " 'inherit', coalesce(a.rolinherit, false),"
    " 'member_of', " MEMBERSHIPS("member", "roleid", "") ","
    " 'members', " MEMBERSHIPS("roleid", "member",
                               " AND o.rolname NOT IN"
                               " (SELECT pg_catalog.jsonb_array_elements_text($1::jsonb))") ")::text"
    " FROM pg_catalog.jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS r(name, ord)"
    " LEFT JOIN pg_catalog.pg_roles a ON a.rolname = r.name"
    " ORDER BY r.ord";

/* The views and materialized views (outside the system schemas) that read a protected
 * table, directly or through other views, with what decides whether they let a reader
 * past its RLS. $1: the protected tables as [[schema, table, display], ...];
 * $2: the application roles. A view's rewrite rule depends on every relation its query
 * reads (pg_depend), so the closure of those edges reaches the tables under nested views.
 * "bypass" says why one of the views on the way (itself or one it reads) reads a protected
 * table past RLS when it is not security_invoker: its owner is a superuser, has BYPASSRLS, or
 * owns the table without FORCE. "readers" are the application roles (and PUBLIC) that may
 * SELECT from it, schema USAGE included; the role names are checked to exist before the
 * privilege functions see them. */
static const char views_sql[] =
    "WITH RECURSIVE prot AS ("
    " SELECT c.oid, c.relowner, c.relforcerowsecurity AS force, t->>2 AS name"
    " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_catalog.jsonb_array_elements($1::jsonb) t"
    "  ON t->>0 = n.nspname AND t->>1 = c.relname),"
    " edge AS ("
    " SELECT DISTINCT r.ev_class AS v, d.refobjid AS ref FROM pg_catalog.pg_rewrite r"
    " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
    "  AND d.objid = r.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "  AND d.refobjid <> r.ev_class),"
    " reach(v, ref) AS (SELECT e.v, e.ref FROM edge e"
    "  UNION SELECT e.v, r.ref FROM edge e JOIN reach r ON r.v = e.ref),"
    " rel AS ("
    " SELECT c.oid, c.relkind, c.relowner, c.relnamespace, c.relname, c.relacl,"
    "  coalesce((SELECT o.option_value FROM pg_catalog.pg_options_to_table(c.reloptions) o"
    "            WHERE o.option_name = 'security_invoker'), 'false')::boolean AS invoker"
    " FROM pg_catalog.pg_class c WHERE c.relkind IN ('v', 'm'))"
    " SELECT pg_catalog.json_build_object("
    " 'schema', n.nspname, 'view', v.relname,"
    " 'kind', CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END,"
    " 'owner', pg_catalog.pg_get_userbyid(v.relowner),"
    " 'invoker', v.invoker,"
    " 'chain_invoker', v.relkind = 'v' AND v.invoker AND NOT EXISTS (SELECT 1 FROM reach r"
    "   JOIN rel w ON w.oid = r.ref WHERE r.v = v.oid AND (w.relkind = 'm' OR NOT w.invoker)),"
    " 'tables', (SELECT json_agg(p.name ORDER BY p.name COLLATE \"C\") FROM prot p"
    "   WHERE p.oid IN (SELECT r.ref FROM reach r WHERE r.v = v.oid)),"
    " 'bypass', (SELECT CASE WHEN o.rolsuper THEN 'its owner ' || o.rolname || ' is a superuser'"
    "   WHEN o.rolbypassrls THEN 'its owner ' || o.rolname || ' has BYPASSRLS'"
    "   ELSE 'its owner ' || o.rolname || ' owns ' || p.name || ' without FORCE ROW LEVEL"
    " SECURITY' END"
    "   FROM rel u JOIN pg_catalog.pg_roles o ON o.oid = u.relowner, prot p"
    "   WHERE (u.oid = v.oid OR u.oid IN (SELECT r.ref FROM reach r WHERE r.v = v.oid))"
    "   AND (u.relkind = 'm' OR NOT u.invoker)"
    "   AND p.oid IN (SELECT r.ref FROM reach r WHERE r.v = v.oid)"
    "   AND (o.rolsuper OR o.rolbypassrls OR (u.relowner = p.relowner AND NOT p.force))"
    "   ORDER BY u.oid <> v.oid, NOT o.rolsuper, NOT o.rolbypassrls, p.name COLLATE \"C\""
    "   LIMIT 1),"
    " 'readers', (SELECT coalesce(json_agg(CASE WHEN x.name = 'public' THEN 'PUBLIC' ELSE x.name"
    "   END ORDER BY x.ord), '[]'::json)"
    "   FROM pg_catalog.jsonb_array_elements_text($2::jsonb || '[\"public\"]'::jsonb)"
    "    WITH ORDINALITY AS x(name, ord)"
    "   WHERE CASE WHEN x.name = 'public' OR EXISTS"
    "    (SELECT 1 FROM pg_catalog.pg_roles a WHERE a.rolname = x.name)"
    "    THEN pg_catalog.has_schema_privilege(x.name::name, n.oid, 'USAGE')"
    "     AND pg_catalog.has_any_column_privilege(x.name::name, v.oid, 'SELECT')"
    "    ELSE false END),"
    " 'grants', " GRANTS_OF("v.relacl", "r", "v.relowner", "$2") ","
    " 'definition', pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to("
    "   pg_catalog.pg_get_viewdef(v.oid), 'UTF8')), 'hex'))::text"
    " FROM rel v JOIN pg_catalog.pg_namespace n ON n.oid = v.relnamespace"
    " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND EXISTS (SELECT 1 FROM reach r JOIN prot p ON p.oid = r.ref WHERE r.v = v.oid)"
    " ORDER BY n.nspname COLLATE \"C\", v.relname COLLATE \"C\"";

static json_t *names_json(const rls_names *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

static void add_qnames(json_t *a, const rls_qnames *l)
{
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_pack("[s, s]", l->v[i].schema, l->v[i].name));
}

static void add_unique(json_t *a, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        if (strcmp(json_string_value(v), s) == 0)
            return;
    }
    json_array_append_new(a, json_string(s));
}

/* Run sql and parse each row's one JSON column into an array. */
static vexit rows_of(pg_session *db, const char *what, const char *sql, int nparams,
                     const char *const *params, json_t **out, verr *e)
{
    PGresult *r;
    vexit rc = pg_query(db, &r, sql, nparams, params, e);
    if (rc) {
        verr_prefix(e, "could not read %s", what);
        return rc;
    }
    json_t *a = json_array();
    for (int i = 0; i < PQntuples(r) && !rc; i++) {
        json_error_t je;
        json_t *doc = json_loads(PQgetvalue(r, i, 0), 0, &je);
        if (!doc)
            rc = verr_set(e, VOUCH_FAILED, "the server's %s document does not parse: %s", what,
                          je.text);
        else
            json_array_append_new(a, doc);
    }
    PQclear(r);
    if (rc) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return VOUCH_OK;
}

/* The views over the protected tables, as an object keyed by the view's display name
 * (an object, so that the baseline's summary still counts tables, schemas and roles). */
static vexit read_views(pg_session *db, const json_t *tables, const rls_names *roles,
                        json_t **out, verr *e)
{
    json_t *prot = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(tables, i, t) {
        const char *schema = json_string_value(json_object_get(t, "schema"));
        const char *name = json_string_value(json_object_get(t, "table"));
        char *d = qname_display(schema, name);
        json_array_append_new(prot, json_pack("[s, s, s]", schema, name, d));
        free(d);
    }
    json_t *rnames = names_json(roles);
    char *p1 = json_dumps(prot, JSON_COMPACT), *p2 = json_dumps(rnames, JSON_COMPACT);
    const char *params[] = {p1, p2};
    json_t *rows = NULL;
    vexit rc = rows_of(db, "views over the protected tables", views_sql, 2, params, &rows, e);
    free(p1);
    free(p2);
    json_decref(prot);
    json_decref(rnames);
    if (rc)
        return rc;
    json_t *views = json_object();
    json_array_foreach(rows, i, t) {
        char *d = qname_display(json_string_value(json_object_get(t, "schema")),
                                json_string_value(json_object_get(t, "view")));
        json_object_set(views, d, (json_t *)t);
        free(d);
    }
    json_decref(rows);
    *out = views;
    return VOUCH_OK;
}

vexit rls_catalog_read(pg_session *db, const rls_settings *s, json_t **out, verr *e)
{
    json_t *schemas = names_json(&s->schemas), *listed = json_array();
    json_t *roles = names_json(&s->roles);
    add_qnames(listed, &s->tables);
    add_qnames(listed, &s->force);
    /* The schemas whose grants are compared: the protected ones and those of listed tables. */
    json_t *all_schemas = json_deep_copy(schemas);
    size_t i;
    const json_t *v;
    json_array_foreach(listed, i, v) {
        add_unique(all_schemas, json_string_value(json_array_get(v, 0)));
    }
    char *p1 = json_dumps(schemas, JSON_COMPACT), *p2 = json_dumps(listed, JSON_COMPACT);
    char *p3 = json_dumps(roles, JSON_COMPACT), *p1all = json_dumps(all_schemas, JSON_COMPACT);
    const char *tparams[] = {p1, p2, p3};
    const char *sparams[] = {p1all, p3};
    const char *rparams[] = {p3};
    json_t *tables = NULL, *nsps = NULL, *rols = NULL;
    vexit rc = rows_of(db, "tables and policies", tables_sql, 3, tparams, &tables, e);
    if (!rc)
        rc = rows_of(db, "schemas", schemas_sql, 2, sparams, &nsps, e);
    if (!rc)
        rc = rows_of(db, "roles", roles_sql, 1, rparams, &rols, e);
    free(p1);
    free(p2);
    free(p3);
    free(p1all);
    json_decref(schemas);
    json_decref(listed);
    json_decref(roles);
    json_decref(all_schemas);
    if (rc) {
        json_decref(tables);
        json_decref(nsps);
        json_decref(rols);
        return rc;
    }
    /* Tables of a protected schema that the configuration exempts are left out. */
    for (i = json_array_size(tables); i-- > 0;) {
        const json_t *t = json_array_get(tables, i);
        if (!rls_covered(s, json_string_value(json_object_get(t, "schema")),
                         json_string_value(json_object_get(t, "table"))))
            json_array_remove(tables, i);
    }
    json_t *views = NULL;
    rc = read_views(db, tables, &s->roles, &views, e);
    if (rc) {
        json_decref(tables);
        json_decref(nsps);
        json_decref(rols);
        return rc;
    }
    *out = json_pack("{s:o, s:o, s:o, s:o}", "tables", tables, "schemas", nsps, "roles", rols,
                     "views", views);
    return VOUCH_OK;
}

vexit rls_catalog_absent_roles(pg_session *db, const json_t *names, json_t **absent, verr *e)
{
    char *p = json_dumps(names, JSON_COMPACT);
    const char *params[] = {p};
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT coalesce(json_agg(x.name ORDER BY x.name COLLATE \"C\"), '[]')::text"
                        " FROM pg_catalog.jsonb_array_elements_text($1::jsonb) AS x(name)"
                        " WHERE x.name <> 'PUBLIC' AND NOT EXISTS"
                        " (SELECT 1 FROM pg_catalog.pg_roles a WHERE a.rolname = x.name)",
                        1, params, e);
    free(p);
    if (rc) {
        verr_prefix(e, "could not read roles");
        return rc;
    }
    json_error_t je;
    *absent = json_loads(PQgetvalue(r, 0, 0), 0, &je);
    PQclear(r);
    if (!*absent)
        return verr_set(e, VOUCH_FAILED, "the server's role list does not parse: %s", je.text);
    return VOUCH_OK;
}
