/* vouch init, [rowcount] and [content]: every table of the schemas, counted; content
 * digests suggested (commented out) for the largest tenant tables, from the same read. */
#include <stdlib.h>
#include <string.h>

#include "checks/propose.h"
#include "src/ident.h"

static const char tables_sql[] =
    "SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::bigint::text, c.relrowsecurity,"
    "       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)::text,"
    "       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.o)"
    "          FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(attnum, o), pg_attribute a"
    "         WHERE i.indrelid = c.oid AND i.indisprimary AND a.attrelid = c.oid"
    "           AND a.attnum = k.attnum),"
    "       c.relkind::text"
    "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
    "                      AND d.objid = c.oid AND d.deptype = 'e')"
    " ORDER BY 1, 2";

static const char *rows_text(const char *reltuples, char *buf, size_t size)
{
    /* reltuples is -1 (shown as 0 here) before the first VACUUM or ANALYZE */
    if (strcmp(reltuples, "0") == 0)
        return "rows not yet estimated";
    snprintf(buf, size, "about %s rows", reltuples);
    return buf;
}

/* [content], commented out, from the tables rowcount read. */
static void propose_content(propose_ctx *p, const PGresult *r)
{
    /* the three largest tables with policies and a primary key: tenant data worth a
     * key-by-key digest, which reads every row (so proposed commented out) */
    int best[3] = {-1, -1, -1};
    for (int i = 0; i < PQntuples(r); i++) {
        if (PQgetvalue(r, i, 3)[0] != 't' || strcmp(PQgetvalue(r, i, 4), "0") == 0 ||
            PQgetisnull(r, i, 5) || propose_is_audit(p, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1)))
            continue;
        long long rows = strtoll(PQgetvalue(r, i, 2), NULL, 10);
        for (int k = 0; k < 3; k++) {
            if (best[k] < 0 || rows > strtoll(PQgetvalue(r, best[k], 2), NULL, 10)) {
                for (int m = 2; m > k; m--)
                    best[m] = best[m - 1];
                best[k] = i;
                break;
            }
        }
    }
    if (best[0] >= 0) {
        textbuf_add(&p->out, "\n");
        propose_comment(p, "[content]: the rows themselves, key by key (a row moved to another "
                           "tenant is named). It reads every row of each table: uncomment for the "
                           "tables that matter most.");
        propose_comment(p, "[content]");
        for (int k = 0; k < 3 && best[k] >= 0; k++) {
            char *q = qname_display(PQgetvalue(r, best[k], 0), PQgetvalue(r, best[k], 1));
            char rows[64];
            propose_commented(p, "table", q, "%s, tenant data under RLS",
                              rows_text(PQgetvalue(r, best[k], 2), rows, sizeof rows));
            free(q);
        }
    }
}

vexit propose_rowcount(propose_ctx *p, verr *e)
{
    PGresult *r;
    vexit rc = propose_query(p, &r, tables_sql, 0, NULL, e);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        textbuf_add(&p->out, "\n");
        propose_comment(p, "[rowcount]: no tables in the schemas looked at");
        PQclear(r);
        return VOUCH_OK;
    }
    propose_section(p, "rowcount", "Every table keeps its rows: an exact count unless said "
                                   "otherwise (%d tables).", PQntuples(r));
    for (int i = 0; i < PQntuples(r); i++) {
        const char *schema = PQgetvalue(r, i, 0), *name = PQgetvalue(r, i, 1);
        char rows[64];
        bool rls = PQgetvalue(r, i, 3)[0] == 't';
        const char *pol = PQgetvalue(r, i, 4);
        char *q = qname_display(schema, name);
        bool audit = propose_is_audit(p, schema, name);
        char *value = audit ? xasprintf("%s at-least", q) : xstrdup(q);
        char *why = xasprintf("%s%s%s%s%s%s", rows_text(PQgetvalue(r, i, 2), rows, sizeof rows),
                 PQgetvalue(r, i, 6)[0] == 'p' ? ", partitioned (counts every partition)" : "",
                 rls ? ", RLS on, " : "", rls ? pol : "",
                 rls ? (strcmp(pol, "1") == 0 ? " policy" : " policies") : "",
                 audit ? "; append-only: the restore may have grown since the baseline" : "");
        propose_key(p, false, "table", value, "%s", why);
        free(why);
        free(value);
        free(q);
    }
    propose_content(p, r);
    PQclear(r);
    return VOUCH_OK;
}

