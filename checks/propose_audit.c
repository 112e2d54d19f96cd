/* vouch init, [audit_log]: one named instance per table that looks like an audit log. */
#include <stdlib.h>
#include <string.h>

#include "checks/audit_layout.h"
#include "checks/propose.h"
#include "src/ident.h"

/* A table looks like an audit log when its name says so and it has one id column and a
 * time column; the evidence that it is append-only is reported with it. */
static const char candidates_sql[] =
    "SELECT n.nspname, c.relname, c.oid::text,"
    "       (SELECT a.attname FROM pg_attribute a"
    "         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
    "           AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype)"
    "         ORDER BY (a.attname ~ '(occurred|happened|event|logged|recorded)') DESC,"
    "                  (a.attname ~ '(created|_at$|time)') DESC, a.attnum LIMIT 1),"
    "       (SELECT a.attname FROM pg_index i JOIN pg_attribute a"
    "            ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
    "         WHERE i.indrelid = c.oid AND i.indisprimary AND i.indnatts = 1),"
    "       (SELECT format_type(a.atttypid, NULL) FROM pg_index i JOIN pg_attribute a"
    "            ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
    "         WHERE i.indrelid = c.oid AND i.indisprimary AND i.indnatts = 1),"
    "       EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal"
    "                  AND (t.tgtype & 24) <> 0),"
    "       NOT EXISTS (SELECT 1 FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x"
    "                    WHERE x.grantee <> c.relowner"
    "                      AND x.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')),"
    "       (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0"
    "           AND NOT a.attisdropped AND a.atttypid = 'bytea'::regtype"
    "           AND a.attname ~ '^(row_?)?hash$' LIMIT 1),"
    "       (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0"
    "           AND NOT a.attisdropped AND a.atttypid = 'bytea'::regtype"
    "           AND a.attname ~ '^prev(ious)?_?(row_?)?hash$' LIMIT 1),"
    "       greatest(c.reltuples, 0)::bigint::text"
    "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
    "   AND c.relname ~* '(audit|event|history|journal|activity|(^|_)logs?($|_))'"
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
    "                      AND d.objid = c.oid AND d.deptype = 'e')"
    " ORDER BY 1, 2";

/* Functions that insert into the table (their text names it after an INSERT INTO), and
 * the triggers on other tables that call them or a function that calls them. */
static const char feeders_sql[] =
    "WITH w AS (SELECT p.oid, n.nspname, p.proname FROM pg_proc p"
    "             JOIN pg_namespace n ON n.oid = p.pronamespace"
    "            WHERE n.nspname = ANY ($1::text[]) AND p.prokind = 'f'"
    "              AND p.prosrc ~* 'insert[[:space:]]+into'"
    "              AND position(lower($2) IN lower(p.prosrc)) > 0),"
    "     c AS (SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
    "            WHERE n.nspname = ANY ($1::text[]) AND p.prokind = 'f'"
    "              AND EXISTS (SELECT 1 FROM w WHERE position(lower(w.proname) IN"
    "                                                   lower(p.prosrc)) > 0))"
    "SELECT 'f', nspname, proname, NULL FROM w"
    " UNION"
    " SELECT 't', tn.nspname, tc.relname, t.tgname FROM pg_trigger t"
    "   JOIN pg_class tc ON tc.oid = t.tgrelid JOIN pg_namespace tn ON tn.oid = tc.relnamespace"
    "  WHERE NOT t.tgisinternal AND t.tgrelid <> $3::oid"
    "    AND (t.tgfoid IN (SELECT oid FROM w) OR t.tgfoid IN (SELECT oid FROM c))"
    " ORDER BY 1, 2, 3, 4";

/* A function named like *row_bytes* whose arguments are all columns of the table, by
 * name: the chain's row bytes as the call the writer makes; and those columns as a
 * row_layout, each with the encoding its type takes (the rule of layout_type_fits in
 * checks/audit_layout.c), NULL when a column's type takes none. */
static const char row_bytes_sql[] =
    "SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname),"
    "       (SELECT string_agg(quote_ident(u.a), ', ' ORDER BY u.o)"
    "          FROM unnest(p.proargnames) WITH ORDINALITY u(a, o)),"
    "       (SELECT CASE WHEN bool_and(e.enc IS NOT NULL)"
    "               THEN string_agg(quote_ident(u.a) || ':' || e.enc, ', ' ORDER BY u.o) END"
    "          FROM unnest(p.proargnames) WITH ORDINALITY u(a, o)"
    "          JOIN pg_attribute x ON x.attrelid = $2::oid AND x.attname = u.a"
    "           AND x.attnum > 0 AND NOT x.attisdropped"
    "         CROSS JOIN LATERAL (SELECT CASE format_type(x.atttypid, NULL)"
    "             WHEN 'bigint' THEN 'int8' WHEN 'integer' THEN 'int8' WHEN 'smallint' THEN 'int8'"
    "             WHEN 'timestamp with time zone' THEN 'epoch_us'"
    "             WHEN 'timestamp without time zone' THEN 'epoch_us'"
    "             WHEN 'text' THEN 'text' WHEN 'character varying' THEN 'text'"
    "             WHEN 'jsonb' THEN 'jsonb' END AS enc) e)"
    "  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
    " WHERE n.nspname = ANY ($1::text[]) AND p.proname ~* 'row_?bytes'"
    "   AND p.prorettype = 'bytea'::regtype AND p.proargnames IS NOT NULL"
    "   AND p.pronargs = array_length(p.proargnames, 1)"
    "   AND NOT EXISTS (SELECT 1 FROM unnest(p.proargnames) a(name)"
    "                    WHERE NOT EXISTS (SELECT 1 FROM pg_attribute x"
    "                                       WHERE x.attrelid = $2::oid AND x.attname = a.name"
    "                                         AND x.attnum > 0 AND NOT x.attisdropped))"
    " ORDER BY position(lower($3) IN lower(p.proname)) > 0 DESC, 1, 2 LIMIT 1";

static vexit feeders(propose_ctx *p, const char *name, const char *oid, verr *e)
{
    PGresult *r;
    const char *params[] = {name, oid};
    vexit rc = propose_query(p, &r, feeders_sql, 2, params, e);
    if (rc)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *schema = PQgetvalue(r, i, 1), *obj = PQgetvalue(r, i, 2);
        char *q = qname_display(schema, obj);
        if (PQgetvalue(r, i, 0)[0] == 'f') {
            propose_key(p, true, "function", q, "its text inserts into %s", name);
        } else {
            char *tg = ident_display(PQgetvalue(r, i, 3));
            char *v = xasprintf("%s %s", q, tg);
            propose_key(p, true, "trigger", v, "fires a function that writes %s", name);
            free(v);
            free(tg);
        }
        free(q);
    }
    PQclear(r);
    return VOUCH_OK;
}

static vexit chain(propose_ctx *p, const char *name, const char *oid, const char *row_hash,
                   const char *prev_hash, verr *e)
{
    PGresult *r;
    const char *params[] = {oid, name};
    vexit rc = propose_query(p, &r, row_bytes_sql, 2, params, e);
    if (rc)
        return rc;
    char *rh = ident_display(row_hash), *ph = ident_display(prev_hash);
    if (PQntuples(r) == 1) {
        /* quoted by the server's quote_ident: keywords too, as SQL needs */
        const char *fn = PQgetvalue(r, 0, 0);
        textbuf call = {0};
        textbuf_add(&call, "%s(%s)", fn, PQgetvalue(r, 0, 1));
        propose_key(p, false, "row_hash_column", rh, "a bytea column named like a row hash");
        propose_key(p, false, "prev_hash_column", ph, "a bytea column named like the previous hash");
        propose_key(p, true, "chain_algorithm", "sha256", "the only chain vouch verifies");
        propose_key(p, true, "row_bytes", call.p,
                    "%s takes the table's columns by name and returns bytea: the bytes each "
                    "row hash covers after the previous hash", fn);
        free(call.p);
        /* Only a guess that the function joins them with '|' as row_layout does: the gate
         * compares the two on a sample and says where they differ. */
        row_layout l;
        char why[256];
        if (!PQgetisnull(r, 0, 2) && row_layout_parse(PQgetvalue(r, 0, 2), &l, why, sizeof why)) {
            propose_key(p, true, "row_layout", PQgetvalue(r, 0, 2),
                        "the same columns with the encodings their types take, if %s joins them"
                        " with '|': vouch then builds the bytes itself, and compares them with"
                        " row_bytes on a sample", fn);
            row_layout_release(&l);
        }
    } else {
        propose_comment(p, "guess: %s and %s look like a hash chain; to verify it, say what each "
                           "row hash covers:", row_hash, prev_hash);
        propose_commented(p, "row_hash_column", rh, "the row-hash column");
        propose_commented(p, "prev_hash_column", ph, "the previous-hash column");
        propose_commented(p, "row_bytes", "SCHEMA.FUNCTION(COLUMN, ...)",
                          "the bytes hashed after the previous hash (docs/checks/audit_log.md)");
    }
    free(rh);
    free(ph);
    PQclear(r);
    return VOUCH_OK;
}

vexit propose_audit_log(propose_ctx *p, verr *e)
{
    PGresult *r;
    vexit rc = propose_query(p, &r, candidates_sql, 0, NULL, e);
    if (rc)
        return rc;
    char **used = NULL;
    size_t n_used = 0, cap_used = 0;
    for (int i = 0; i < PQntuples(r) && !rc; i++) {
        const char *schema = PQgetvalue(r, i, 0), *name = PQgetvalue(r, i, 1),
                   *oid = PQgetvalue(r, i, 2), *time_col = PQgetvalue(r, i, 3),
                   *id_col = PQgetvalue(r, i, 4), *id_type = PQgetvalue(r, i, 5);
        bool guarded = PQgetvalue(r, i, 6)[0] == 't', no_grants = PQgetvalue(r, i, 7)[0] == 't';
        bool has_chain = !PQgetisnull(r, i, 8) && !PQgetisnull(r, i, 9);
        if (PQgetisnull(r, i, 3) || PQgetisnull(r, i, 4))
            continue; /* no time column or no single-column key: not an event log */
        bool uuid = strcmp(id_type, "uuid") == 0;
        bool integer = strcmp(id_type, "bigint") == 0 || strcmp(id_type, "integer") == 0;
        if (!uuid && !integer)
            continue;
        char *q = qname_display(schema, name);
        if (!propose_value_ok(q)) {
            propose_key(p, false, "table", q, "left out");
            free(q);
            continue;
        }
        char *inst = propose_instance_name(name, used, n_used);
        grow((void **)&used, &cap_used, n_used + 1, sizeof *used);
        used[n_used++] = inst;
        char *header = xasprintf("audit_log \"%s\"", inst);
        propose_section(p, header, "guess: %s looks like an audit log (%s rows; %s%s)", q,
                        PQgetvalue(r, i, 10),
                        guarded ? "a trigger guards UPDATE or DELETE"
                                : no_grants ? "no role but its owner may UPDATE or DELETE"
                                            : "UPDATE or DELETE is granted: is it append-only?",
                        has_chain ? ", hash-chained" : "");
        free(header);
        propose_key(p, false, "table", q, "events with an id and a time");
        char *idc = ident_display(id_col), *tc = ident_display(time_col);
        if (strcmp(id_col, "id") != 0)
            propose_key(p, false, "id_column", idc, "its primary key");
        propose_key(p, false, "time_column", tc, "its time column named most like an event time");
        if (uuid)
            propose_key(p, false, "ids", "unordered", "uuid ids: anchored per time bucket");
        else
            propose_comment(p, "%s ids: anchored per range of ids, gaps matter (ids = sequential)",
                            id_type);
        free(idc);
        free(tc);
        if (has_chain && integer)
            rc = chain(p, name, oid, PQgetvalue(r, i, 8), PQgetvalue(r, i, 9), e);
        if (!rc)
            propose_key(p, true, "rpo", "24h", "the newest event within a day of the incident");
        if (!rc)
            rc = feeders(p, name, oid, e);
        grow((void **)&p->audit, &p->cap_audit, p->n_audit + 1, sizeof *p->audit);
        p->audit[p->n_audit++] = (propose_audit_table){xstrdup(schema), xstrdup(name)};
        free(q);
    }
    if (!n_used && !rc) {
        textbuf_add(&p->out, "\n");
        propose_comment(p, "[audit_log]: no table looks like an audit log (a name such as "
                           "audit_log or events, an id and a time column)");
    }
    for (size_t i = 0; i < n_used; i++)
        free(used[i]);
    free(used);
    PQclear(r);
    return rc;
}
