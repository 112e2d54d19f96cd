/* vouch init, [rls]: the schemas with row-level security, the tables that force it, the
 * roles its policies and grants name, and a probe suggestion per tenant-filtered table. */
#include <stdlib.h>
#include <string.h>

#include "checks/propose.h"
#include "src/ident.h"

static const char schemas_sql[] =
    "SELECT n.nspname, count(*)::text, count(*) FILTER (WHERE c.relrowsecurity)::text,"
    "       (SELECT count(*) FROM pg_policy p JOIN pg_class pc ON pc.oid = p.polrelid"
    "         WHERE pc.relnamespace = n.oid)::text"
    "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
    " GROUP BY n.oid, n.nspname HAVING bool_or(c.relrowsecurity)"
    " ORDER BY 1";

static const char force_sql[] =
    "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND c.relforcerowsecurity"
    " ORDER BY 1, 2";

/* Roles that policies name or that hold grants on the tables with RLS, and the roles that
 * are members of those (a login role that can SET ROLE to the application's); not
 * superusers (which RLS never applies to), not the tables' owners. */
static const char roles_sql[] =
    "WITH RECURSIVE t AS (SELECT c.oid, c.relowner, c.relacl FROM pg_class c"
    "             JOIN pg_namespace n ON n.oid = c.relnamespace"
    "            WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p')"
    "              AND c.relrowsecurity),"
    "     direct AS (SELECT unnest(p.polroles) AS role, 'policy' AS why FROM pg_policy p"
    "                 WHERE p.polrelid IN (SELECT oid FROM t)"
    "                UNION ALL"
    "                SELECT x.grantee, 'grant' FROM t, aclexplode(t.relacl) x"
    "                 WHERE x.grantee <> t.relowner),"
    "     members(role, why) AS (SELECT m.member, 'member'::text FROM pg_auth_members m"
    "                  WHERE m.roleid IN (SELECT role FROM direct)"
    "                 UNION"
    "                 SELECT m.member, 'member' FROM pg_auth_members m JOIN members ON"
    "                        m.roleid = members.role),"
    "     named AS (SELECT * FROM direct UNION ALL SELECT * FROM members)"
    "SELECT r.rolname, r.rolbypassrls, bool_or(named.why = 'policy'), bool_or(named.why = 'grant'),"
    "       bool_or(named.why = 'member')"
    "  FROM named JOIN pg_roles r ON r.oid = named.role"
    " WHERE NOT r.rolsuper AND r.oid NOT IN (SELECT relowner FROM t)"
    " GROUP BY r.rolname, r.rolbypassrls ORDER BY 1";

/* Tables whose policy compares a column with a setting (current_setting('app.x')). */
static const char probes_sql[] =
    "SELECT DISTINCT ON (n.nspname, c.relname) n.nspname, c.relname,"
    "       substring(pg_get_expr(p.polqual, p.polrelid)"
    "                 FROM '^\\(*([a-z_][a-z0-9_]*) = ')," 
    "       substring(pg_get_expr(p.polqual, p.polrelid)"
    "                 FROM 'current_setting\\(''([A-Za-z0-9_.]+)'''),"
    "       (SELECT r.rolname FROM pg_roles r WHERE r.oid = ANY (p.polroles) ORDER BY 1 LIMIT 1)"
    "  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid"
    "  JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY ($1::text[]) AND p.polqual IS NOT NULL"
    "   AND pg_get_expr(p.polqual, p.polrelid) ~ 'current_setting\\('"
    " ORDER BY n.nspname, c.relname, p.polname";

vexit propose_rls(propose_ctx *p, verr *e)
{
    PGresult *r;
    vexit rc = propose_query(p, &r, schemas_sql, 0, NULL, e);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        textbuf_add(&p->out, "\n");
        propose_comment(p, "[rls]: no table in the schemas looked at has row-level security on");
        return VOUCH_OK;
    }
    propose_section(p, "rls", "Row-level security as at the baseline: RLS on, policies, owners, "
                              "grants; a new table in these schemas must have RLS.");
    for (int i = 0; i < PQntuples(r); i++) {
        char *s = ident_display(PQgetvalue(r, i, 0));
        propose_key(p, false, "schema", s, "%s of %s tables with RLS on, %s policies",
                    PQgetvalue(r, i, 2), PQgetvalue(r, i, 1), PQgetvalue(r, i, 3));
        free(s);
    }
    PQclear(r);

    if ((rc = propose_query(p, &r, force_sql, 0, NULL, e)))
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        char *q = qname_display(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
        propose_key(p, false, "force", q, "FORCE ROW LEVEL SECURITY: its owner is held to the "
                                          "policies too");
        free(q);
    }
    PQclear(r);

    if ((rc = propose_query(p, &r, roles_sql, 0, NULL, e)))
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        bool bypass = PQgetvalue(r, i, 1)[0] == 't';
        bool policy = PQgetvalue(r, i, 2)[0] == 't', grant = PQgetvalue(r, i, 3)[0] == 't';
        bool member = PQgetvalue(r, i, 4)[0] == 't';
        char *role = ident_display(PQgetvalue(r, i, 0));
        const char *why = policy && grant ? "named in policies and holds grants on tables with RLS"
                          : policy        ? "named in policies"
                          : grant         ? "holds grants on tables with RLS"
                          : member        ? "a member of a role that policies or grants name"
                                          : "";
        propose_key(p, false, "role", role, "%s; %s", why,
                    bypass ? "it has BYPASSRLS now: is that intended? (the baseline records it)"
                           : "must keep NOBYPASSRLS");
        free(role);
    }
    PQclear(r);

    if ((rc = propose_query(p, &r, probes_sql, 0, NULL, e)))
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        if (PQgetisnull(r, i, 2) || PQgetisnull(r, i, 3))
            continue;
        char *q = qname_display(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
        char *role = PQgetisnull(r, i, 4) ? xstrdup("APP_ROLE") : ident_display(PQgetvalue(r, i, 4));
        char *v = xasprintf("%s %s %s=TENANT %s=TENANT", role, q, PQgetvalue(r, i, 2),
                            PQgetvalue(r, i, 3));
        free(role);
        propose_commented(p, "probe", v, "guess: %s filters rows on %s by the setting %s; as the "
                          "application role, one tenant must see its own rows only. Fill in a "
                          "tenant's value (and the role, if need be), then uncomment:", q, PQgetvalue(r, i, 2),
                          PQgetvalue(r, i, 3));
        free(v);
        free(q);
    }
    PQclear(r);
    return VOUCH_OK;
}
