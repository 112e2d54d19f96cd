/* vouch init, [settings], and the sections that need what the database cannot say
 * (residency, backups), commented out with the keys to fill in. */
#include <stdlib.h>
#include <string.h>

#include "checks/propose.h"
#include "src/ident.h"

static const char definer_sql[] =
    "SELECT n.nspname, count(*)::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
    " WHERE n.nspname = ANY ($1::text[]) AND p.prosecdef"
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
    "                      AND d.objid = p.oid AND d.deptype = 'e')"
    " GROUP BY n.nspname ORDER BY 1";

static const char found_sql[] =
    "SELECT (SELECT string_agg(DISTINCT coalesce(r.rolname, 'every role'), ', ')"
    "          FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole"
    "         WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database"
    "                                     WHERE datname = current_database()))),"
    "       (SELECT string_agg(extname || ' ' || extversion, ', ' ORDER BY extname)"
    "          FROM pg_extension WHERE extname <> 'plpgsql')";

vexit propose_settings(propose_ctx *p, verr *e)
{
    PGresult *r;
    vexit rc = propose_query(p, &r, definer_sql, 0, NULL, e);
    if (rc)
        return rc;
    PGresult *f;
    if ((rc = pg_query(p->db, &f, found_sql, 0, NULL, e))) {
        PQclear(r);
        return rc;
    }
    propose_section(p, "settings", "Database and role settings, extensions, the database's owner "
                                   "and grants as at the baseline%s.",
                    PQntuples(r) ? ", and the SECURITY DEFINER functions of these schemas" : "");
    if (!PQgetisnull(f, 0, 0))
        propose_comment(p, "settings found for: %s", PQgetvalue(f, 0, 0));
    if (!PQgetisnull(f, 0, 1))
        propose_comment(p, "extensions found: %s", PQgetvalue(f, 0, 1));
    for (int i = 0; i < PQntuples(r); i++) {
        char *s = ident_display(PQgetvalue(r, i, 0));
        propose_key(p, false, "schema", s, "%s SECURITY DEFINER function%s: owner and search_path "
                    "pinned as at the baseline", PQgetvalue(r, i, 1),
                    strcmp(PQgetvalue(r, i, 1), "1") == 0 ? "" : "s");
        free(s);
    }
    PQclear(f);
    PQclear(r);
    return VOUCH_OK;
}

vexit propose_unmeasured(propose_ctx *p, verr *e)
{
    (void)e;
    textbuf_add(&p->out, "\n");
    propose_comment(p, "[residency]: where tenant data may live, from a table of attestations "
                       "(docs/checks/residency.md).");
    propose_comment(p, "Fill in and uncomment:");
    propose_comment(p, "[residency]");
    propose_commented(p, "table", "SCHEMA.TABLE", "one row per month and region");
    propose_commented(p, "regions", "REGION1, REGION2", "the regions allowed");
    propose_commented(p, "periods", "12", "the months before the incident that must be covered");
    propose_commented(p, "host", "*.REGION.example.com", "where the server may run");
    textbuf_add(&p->out, "\n");
    propose_comment(p, "[backups]: the backup inventory meets its schedule and RPO "
                       "(docs/checks/backups.md). Fill in and uncomment:");
    propose_comment(p, "[backups]");
    propose_commented(p, "inventory", "backups.csv", "a CSV, or 'pgbackrest info --output=json'");
    propose_commented(p, "timezone", "UTC", "the zone the schedule is written in");
    propose_commented(p, "rpo", "24h", "the recovery point objective");
    propose_commented(p, "policy", "nightly daily 02:00 keep 30d", "one line per schedule");
    return VOUCH_OK;
}
