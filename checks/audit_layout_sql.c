/* checks/audit_layout_sql: the SQL of a declared [audit_log] row_layout — the raw columns
 * the stream carries instead of the row_bytes expression, the row_bytes sample they are
 * compared with when both are configured, and the look at the declared columns' types. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_log.h"
#include "src/util.h"

char *audit_layout_columns_sql(const audit_settings *s, const audit_names *n,
                               const audit_stream_fields *f)
{
    char *sql = xstrdup("");
    for (int i = 0; i < s->layout.n; i++) {
        if (f->layout_src[i] < f->layout)
            continue; /* read from the id or the time field */
        /* A smallint or integer is streamed as bigint: the same decimal text, one width.
         * The other encodings read the column's own binary form, uncast. */
        char *next = xasprintf("%s, vouch_row.%s%s", sql, n->layout[i],
                               s->layout.cols[i].enc == ENC_INT8 ? "::bigint" : "");
        free(sql);
        sql = next;
    }
    return sql;
}

/* The rows sampled: every id that is a multiple of LAYOUT_SAMPLE_EVERY, and the log's
 * first LAYOUT_SAMPLE_FIRST rows (up to the 8th smallest id, or the largest when there are
 * fewer), both computed once per statement in the run's one snapshot, so that every part of
 * a split stream samples the same rows one stream samples. No arithmetic on the ids:
 * nothing to overflow. */
static char *sampled_sql(const audit_names *n)
{
    return xasprintf("vouch_row.%s %% %d = 0 OR vouch_row.%s <= COALESCE((SELECT"
                     " vouch_first.%s FROM %s AS vouch_first ORDER BY vouch_first.%s"
                     " OFFSET %d LIMIT 1), (SELECT pg_catalog.max(vouch_first.%s) FROM %s AS"
                     " vouch_first))",
                     n->id, LAYOUT_SAMPLE_EVERY, n->id, n->id, n->table, n->id,
                     LAYOUT_SAMPLE_FIRST - 1, n->id, n->table);
}

/* row_bytes as the sample field carries it: "\x00" for NULL, else "\x01" and the bytes. */
static char *tagged_row_bytes(const audit_settings *s)
{
    return xasprintf("COALESCE('\\x01'::bytea OPERATOR(pg_catalog.||) (%s)::bytea,"
                     " '\\x00'::bytea)",
                     s->row_bytes);
}

char *audit_layout_sample_sql(const audit_settings *s, const audit_names *n)
{
    char *when = sampled_sql(n), *rb = tagged_row_bytes(s);
    char *sql = xasprintf(", CASE WHEN %s THEN %s END", when, rb);
    free(when);
    free(rb);
    return sql;
}

vexit audit_layout_agree(pg_session *db, const audit_settings *s, const audit_names *n,
                         layout_stream *ls, verr *e)
{
    audit_stream_fields all = {.layout = 1}; /* every declared column a field of its own */
    for (int i = 0; i < s->layout.n; i++)
        all.layout_src[i] = 1 + i;
    char *cols = audit_layout_columns_sql(s, n, &all), *when = sampled_sql(n),
         *rb = tagged_row_bytes(s);
    char *sql = xasprintf("SELECT vouch_row.%s::bigint%s, %s FROM %s AS vouch_row WHERE %s"
                          " ORDER BY vouch_row.%s",
                          n->id, cols, rb, n->table, when, n->id);
    free(cols);
    free(when);
    free(rb);
    /* row_bytes is the target's code: in a savepoint, as the stream runs it. Binary
     * results: each field in the form binary COPY sends it. */
    if (pg_contain_begin(db, e)) {
        free(sql);
        return VOUCH_ABORTED;
    }
    PGresult *r = PQexecParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 1);
    free(sql);
    verr step;
    verr_clear(&step);
    vexit rc = VOUCH_OK;
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK)
        rc = pg_result_error(db, r, &step);
    for (int row = 0; !rc && row < PQntuples(r); row++) {
        copy_field f[LAYOUT_MAX_COLUMNS + 2];
        for (int i = 0; i < s->layout.n + 2; i++)
            f[i] = (copy_field){PQgetisnull(r, row, i) ? NULL
                                                       : (const unsigned char *)PQgetvalue(r, row, i),
                                PQgetisnull(r, row, i) ? -1 : PQgetlength(r, row, i)};
        if (f[0].len != 8)
            continue; /* a NULL id is no row of the sample */
        layout_stream_row(ls, &s->layout, copy_int64(f[0].data), &f[1], &f[s->layout.n + 1]);
    }
    PQclear(r);
    vexit end = pg_contain_end(db, e);
    if (end)
        return end;
    if (rc)
        *e = step;
    return rc;
}

void audit_layout_names(pg_session *db, const audit_settings *s, audit_names *n)
{
    n->layout = s->layout.n ? xcalloc((size_t)s->layout.n, sizeof *n->layout) : NULL;
    for (int i = 0; i < s->layout.n; i++) {
        char *q = pg_quote_ident(db, s->layout.cols[i].name);
        n->layout[i] = xstrdup(q);
        PQfreemem(q);
    }
    n->n_layout = s->layout.n;
}

vexit audit_layout_describe(pg_session *db, const audit_settings *s, char **problem, verr *e)
{
    *problem = NULL;
    for (int i = 0; i < s->layout.n && !*problem; i++) {
        const layout_column *col = &s->layout.cols[i];
        const char *params[] = {s->table.schema, s->table.name, col->name};
        PGresult *r;
        vexit rc = pg_query(
            db, &r,
            "SELECT pg_catalog.format_type(a.atttypid, NULL) FROM pg_catalog.pg_attribute a"
            " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid"
            " JOIN pg_catalog.pg_namespace ns ON ns.oid OPERATOR(pg_catalog.=) c.relnamespace"
            " WHERE ns.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name"
            " AND c.relname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
            " AND a.attname OPERATOR(pg_catalog.=) $3::pg_catalog.name AND a.attnum > 0"
            " AND NOT a.attisdropped",
            3, params, e);
        if (rc)
            return rc;
        char *shown = ident_display(col->name), *table = qname_display(s->table.schema,
                                                                       s->table.name);
        if (PQntuples(r) == 0)
            *problem = xasprintf("table %s has no column %s", table, shown);
        else if (!layout_type_fits(col->enc, PQgetvalue(r, 0, 0)))
            *problem = xasprintf("column %s is %s, row_layout declares %s (which reads %s)",
                                 shown, PQgetvalue(r, 0, 0), layout_enc_name(col->enc),
                                 layout_enc_takes(col->enc));
        free(shown);
        free(table);
        PQclear(r);
    }
    return VOUCH_OK;
}
