/* checks/audit_sql: the SQL audit_log sends: quoted names, the range anchors, the
 * head, gaps and time order queries, and the look at the table and its columns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_log.h"
#include "src/sql_expr.h"
#include "src/util.h"

void audit_names_make(pg_session *db, const audit_settings *s, audit_names *n)
{
    char *qs = pg_quote_ident(db, s->table.schema), *qt = pg_quote_ident(db, s->table.name);
    char *qi = pg_quote_ident(db, s->id_column), *qm = pg_quote_ident(db, s->time_column);
    n->table = xasprintf("%s.%s", qs, qt);
    n->id = xstrdup(qi);
    n->time = xstrdup(qm);
    PQfreemem(qs);
    PQfreemem(qt);
    PQfreemem(qi);
    PQfreemem(qm);
    n->row_hash = n->prev_hash = NULL;
    if (s->row_hash_column) {
        char *a = pg_quote_ident(db, s->row_hash_column),
             *b = pg_quote_ident(db, s->prev_hash_column);
        n->row_hash = xstrdup(a);
        n->prev_hash = xstrdup(b);
        PQfreemem(a);
        PQfreemem(b);
    }
    n->display = qname_display(s->table.schema, s->table.name);
    n->stream_time = xstrdup(n->time);
    audit_layout_names(db, s, n);
}

void audit_names_release(audit_names *n)
{
    free(n->table);
    free(n->id);
    free(n->time);
    free(n->row_hash);
    free(n->prev_hash);
    free(n->display);
    free(n->stream_time);
    for (int i = 0; i < n->n_layout; i++)
        free(n->layout[i]);
    free(n->layout);
}

/* What the digest covers, as stored in the baseline so a changed setting is noticed. */
const char *audit_digest_kind(const audit_settings *s)
{
    return s->digest ? s->digest : s->row_hash_column ? "row hash" : "row text";
}

/* The per-row bytes the range digest folds. The configured expressions are SQL from
 * the operator's configuration, run in the read-only snapshot. */
static char *digest_sql(const audit_settings *s, const audit_names *n)
{
    if (s->digest)
        return xasprintf("pg_catalog.decode(pg_catalog.md5((%s)::text), 'hex')", s->digest);
    if (n->row_hash)
        return xasprintf("(%s)::bytea", n->row_hash);
    return xstrdup("pg_catalog.decode(pg_catalog.md5(vouch_row::text), 'hex')");
}

/* One row per range: key, rows, first id, last id, digest. limit_sql restricts the rows. */
char *audit_anchors_sql(const audit_settings *s, const audit_names *n, const char *limit_sql)
{
    char *d = digest_sql(s, n), *sql;
    if (s->unordered)
        sql = xasprintf("SELECT pg_catalog.floor(extract(epoch FROM %s) * 1000 / %lld)::bigint,"
                        " pg_catalog.count(*), 0, 0, pg_catalog.encode(pg_catalog.sha256("
                        "pg_catalog.string_agg(%s, ''::bytea ORDER BY %s)), 'hex')"
                        " FROM %s AS vouch_row WHERE %s IS NOT NULL%s GROUP BY 1 ORDER BY 1",
                        n->time, (long long)s->bucket_ms, d, n->id, n->table, n->time, limit_sql);
    else
        sql = xasprintf("SELECT %s::bigint / %lld, pg_catalog.count(*), pg_catalog.min(%s)::bigint,"
                        " pg_catalog.max(%s)::bigint, pg_catalog.encode(pg_catalog.sha256("
                        "pg_catalog.string_agg(%s, ''::bytea ORDER BY %s)), 'hex')"
                        " FROM %s AS vouch_row WHERE true%s GROUP BY 1 ORDER BY 1",
                        n->id, (long long)s->range, n->id, n->id, d, n->id, n->table, limit_sql);
    free(d);
    return sql;
}

/* The head: id, time in µs since the epoch, row hash (hex or NULL). */
char *audit_head_sql(const audit_settings *s, const audit_names *n)
{
    const char *rh = n->row_hash ? n->row_hash : "NULL::bytea";
    if (s->unordered)
        return xasprintf("SELECT %s::text, (extract(epoch FROM %s) * 1000000)::bigint,"
                         " pg_catalog.encode(%s, 'hex') FROM %s AS vouch_row WHERE %s IS NOT NULL"
                         " ORDER BY vouch_row.%s DESC, vouch_row.%s DESC LIMIT 1",
                         n->id, n->time, rh, n->table, n->time, n->time, n->id);
    return xasprintf("SELECT %s::text, (extract(epoch FROM %s) * 1000000)::bigint,"
                     " pg_catalog.encode(%s, 'hex') FROM %s AS vouch_row"
                     " ORDER BY vouch_row.%s DESC LIMIT 1",
                     n->id, n->time, rh, n->table, n->id);
}

/* Rows and the newest event time (µs). */
char *audit_stats_sql(const audit_names *n)
{
    return xasprintf("SELECT pg_catalog.count(*),"
                     " (extract(epoch FROM pg_catalog.max(%s)) * 1000000)::bigint FROM %s",
                     n->time, n->table);
}

/* The first row: id and prev_hash (hex or NULL). */
char *audit_first_sql(const audit_names *n)
{
    return xasprintf("SELECT %s::bigint, pg_catalog.encode(%s, 'hex') FROM %s AS vouch_row"
                     " ORDER BY vouch_row.%s LIMIT 1",
                     n->id, n->prev_hash ? n->prev_hash : "NULL::bytea", n->table, n->id);
}

/* Gaps between consecutive ids. */
char *audit_gaps_sql(const audit_names *n, int limit)
{
    return xasprintf("SELECT a, b FROM (SELECT %s::bigint + 1 AS a,"
                     " pg_catalog.lead(%s::bigint) OVER (ORDER BY %s) - 1 AS b FROM %s) g"
                     " WHERE b >= a ORDER BY a LIMIT %d",
                     n->id, n->id, n->id, n->table, limit);
}

/* Where the time goes back along id order: id, its time, the previous time (µs), how many. */
void audit_stream_layout(const audit_settings *s, audit_stream_fields *f)
{
    bool chained = s->row_hash_column != NULL;
    /* With a chain and no digest of its own, the row hash is the digested value. */
    bool own_digest = !chained || s->digest;
    f->digest = own_digest ? 2 : 3;
    f->chain = chained ? (own_digest ? 3 : 2) : -1;
    f->count = 2 + (own_digest ? 1 : 0) + (chained ? 3 : 0);
    f->layout = f->sample = -1;
    if (chained && s->layout.n) {
        f->layout = f->chain + 2; /* the declared columns in place of the row bytes */
        f->count--;
        for (int i = 0; i < s->layout.n; i++) {
            const layout_column *c = &s->layout.cols[i];
            /* The id goes as bigint and the time as timestamptz, whose binary values are
             * those of the column itself for every type these encodings read. */
            if (c->enc == ENC_INT8 && strcmp(c->name, s->id_column) == 0)
                f->layout_src[i] = 0;
            else if (c->enc == ENC_EPOCH_US && strcmp(c->name, s->time_column) == 0)
                f->layout_src[i] = 1;
            else
                f->layout_src[i] = f->count++;
        }
        if (s->row_bytes)
            f->sample = f->count++;
    }
}

/* The WHERE clause of one part; "" for the whole log. */
static char *part_where(const audit_names *n, const audit_part *p)
{
    if (!p || (!p->has_from && !p->has_to))
        return xstrdup("");
    /* The row before from leads the part: the seam's other end. COALESCE is syntax, not a
     * function: it cannot be schema-qualified. */
    char *from = p->has_from ? xasprintf("vouch_row.%s >= COALESCE((SELECT"
                                         " pg_catalog.max(vouch_prev.%s) FROM %s AS vouch_prev"
                                         " WHERE vouch_prev.%s < %lld), %lld)",
                                         n->id, n->id, n->table, n->id, (long long)p->from,
                                         (long long)p->from)
                             : NULL;
    char *to = p->has_to ? xasprintf("vouch_row.%s < %lld", n->id, (long long)p->to) : NULL;
    char *sql;
    if (from && to)
        sql = xasprintf(" WHERE %s AND %s", from, to);
    else if (from)
        sql = xasprintf(" WHERE %s", from);
    else
        sql = xasprintf(" WHERE %s", to);
    free(from);
    free(to);
    return sql;
}

char *audit_null_ids_sql(const audit_names *n)
{
    return xasprintf("SELECT pg_catalog.count(*) FROM %s AS vouch_row WHERE vouch_row.%s IS NULL",
                     n->table, n->id);
}

char *audit_stream_sql(const audit_settings *s, const audit_names *n, const audit_part *part,
                       bool table_order)
{
    audit_stream_fields f;
    audit_stream_layout(s, &f);
    char *digest = f.digest == 2 ? digest_sql(s, n) : NULL;
    char *chain = NULL;
    if (f.layout >= 0) {
        char *cols = audit_layout_columns_sql(s, n, &f);
        char *sample = f.sample >= 0 ? audit_layout_sample_sql(s, n) : xstrdup("");
        chain = xasprintf(", %s, %s%s%s", n->prev_hash, n->row_hash, cols, sample);
        free(cols);
        free(sample);
    } else if (f.chain >= 0) {
        chain = xasprintf(", %s, %s, (%s)::bytea", n->prev_hash, n->row_hash, s->row_bytes);
    }
    char *where = part_where(n, part);
    char *order = table_order ? xstrdup("") : xasprintf(" ORDER BY vouch_row.%s", n->id);
    char *sql = xasprintf("COPY (SELECT %s::bigint, %s%s%s%s FROM %s AS vouch_row%s%s)"
                          " TO STDOUT (FORMAT binary)",
                          n->id, n->stream_time, digest ? ", " : "", digest ? digest : "",
                          chain ? chain : "", n->table, where, order);
    free(order);
    free(digest);
    free(chain);
    free(where);
    return sql;
}

/* One configured expression, parsed by the server as the runs use it: one value a row,
 * cast as the run casts it. Inside an aggregate, so that an aggregate, a window function
 * or a set-returning function in the expression is refused as well. */
static vexit probe_one(pg_session *db, const audit_names *n, const char *key, const char *at,
                       const char *expr, const char *type, char *why, size_t size, verr *e)
{
    char *sql = xasprintf("SELECT pg_catalog.count((%s)::%s) FROM %s AS vouch_row", expr, type,
                          n->table);
    char server[sizeof e->msg];
    vexit rc = sql_expr_probe(db, sql, server, sizeof server, e);
    free(sql);
    if (!rc && *server)
        snprintf(why, size, "%s: [audit_log] %s: not usable as one %s value per row of %s: %s",
                 at, key, type, n->display, server);
    return rc;
}

vexit audit_probe_expressions(pg_session *db, const audit_settings *s, const audit_names *n,
                              const char **key, char *why, size_t size, verr *e)
{
    why[0] = '\0';
    *key = NULL;
    vexit rc = VOUCH_OK;
    if (s->digest && !(rc = probe_one(db, n, "digest", s->digest_at, s->digest, "text", why,
                                      size, e)) && *why)
        *key = "digest";
    if (!rc && !*why && s->row_bytes &&
        !(rc = probe_one(db, n, "row_bytes", s->row_bytes_at, s->row_bytes, "bytea", why, size,
                         e)) && *why)
        *key = "row_bytes";
    return rc;
}

int64_t audit_int(const PGresult *r, int row, int col)
{
    int64_t v = 0;
    if (!PQgetisnull(r, row, col))
        parse_int64(PQgetvalue(r, row, col), &v);
    return v;
}

/* ------------------------------------------------------- table and columns */

/* Does the table exist, with both columns; is the id column an integer? */
vexit audit_describe_table(pg_session *db, const audit_settings *s, audit_names *n, bool *exists,
                           char **problem, verr *e)
{
    const char *params[] = {s->table.schema, s->table.name, s->id_column, s->time_column};
    PGresult *r;
    vexit rc = pg_query(
        db, &r,
        "SELECT (SELECT a.atttypid::pg_catalog.regtype::text FROM pg_catalog.pg_attribute a"
        "         WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid"
        "         AND a.attname OPERATOR(pg_catalog.=) $3::pg_catalog.name AND a.attnum > 0"
        "         AND NOT a.attisdropped),"
        "       (SELECT a.atttypid::pg_catalog.regtype::text FROM pg_catalog.pg_attribute a"
        "         WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid"
        "         AND a.attname OPERATOR(pg_catalog.=) $4::pg_catalog.name AND a.attnum > 0"
        "         AND NOT a.attisdropped)"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name"
        " AND c.relname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
        " AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::\"char\"[])",
        4, params, e);
    if (rc)
        return rc;
    *exists = PQntuples(r) > 0;
    *problem = NULL;
    if (*exists) {
        const char *idt = PQgetvalue(r, 0, 0);
        if (PQgetisnull(r, 0, 0))
            *problem = xasprintf("has no column %s", s->id_column);
        else if (PQgetisnull(r, 0, 1))
            *problem = xasprintf("has no column %s", s->time_column);
        else if (!s->unordered && strcmp(idt, "bigint") != 0 && strcmp(idt, "integer") != 0 &&
                 strcmp(idt, "smallint") != 0)
            *problem = xasprintf("has %s ids, not integers: set ids = unordered", idt);
        /* The stream reads times as timestamptz; a zone-less timestamp is taken as UTC,
         * as extract(epoch ...) takes it in the other queries. */
        const char *tt = PQgetvalue(r, 0, 1);
        free(n->stream_time);
        if (strcmp(tt, "timestamp with time zone") == 0)
            n->stream_time = xstrdup(n->time);
        else if (strcmp(tt, "timestamp without time zone") == 0)
            n->stream_time = xasprintf("(%s AT TIME ZONE 'UTC')", n->time);
        else
            n->stream_time = xasprintf("(%s)::timestamptz", n->time);
    }
    PQclear(r);
    return VOUCH_OK;
}
