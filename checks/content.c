/* content: chosen tables hold the same rows as at the baseline, not only as many.
 *
 * Each table is cut into ranges by its key: ids / range for a single integer key,
 * buckets of a hash of the key otherwise. Per range the server computes the row count
 * and sums over the md5 of each row's digested text that are both the range's digest
 * and what narrows a changed range to its rows (checks/content_diff.h); the ranges of a
 * table are split over the run's connections. The baseline holds only those figures and the names of the key and
 * the columns: never a row's values. At the gate a range whose figures differ is read
 * again row by row (only that range, only hashes and its keys) to name the keys added,
 * removed or changed and the columns that changed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checker.h"
#include "checks/target.h"
#include "checks/content_diff.h"
#include "src/ident.h"
#include "src/util.h"

#define DEFAULT_RANGE 10000
#define DEFAULT_BUCKETS 256
#define SLICES 4
#define SLICE_MIN_ROWS 100000  /* smaller tables are one query */
#define NARROW_RANGES 20       /* changed ranges read again row by row, at most */
#define NARROW_MAX_ROWS 100000 /* a range with more rows than this is not read again */
/* The two 64-bit halves of a row's md5 (hex text vouch_m). */
#define HALF1 "('x' || pg_catalog.substr(vouch_m, 1, 16))::bit(64)::bigint"
#define HALF2 "('x' || pg_catalog.substr(vouch_m, 17, 16))::bit(64)::bigint"
#define LISTED 10              /* keys named in the one-line reason and per range */

static const conf_key content_keys[] = {
    {"table", CONF_REPEATABLE, "SCHEMA.TABLE",
     "A table whose rows are digested range by range; repeat for more tables."},
    {"columns", CONF_REPEATABLE, "SCHEMA.TABLE: COLUMN, ...",
     "The columns digested for that table (default every column); once per table."},
    {"key", CONF_REPEATABLE, "SCHEMA.TABLE: COLUMN, ...",
     "The key that names a row (default the primary key; required without one)."},
    {"range", 0, "N", "Ids per range for a single integer key (default 10000)."},
    {"buckets", 0, "N", "Hash buckets for any other key (default 256)."},
    {NULL, 0, NULL, NULL},
};

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static void names_add(names *x, const char *s)
{
    grow((void **)&x->v, &x->cap, x->n + 1, sizeof *x->v);
    x->v[x->n++] = xstrdup(s);
}

static void names_release(names *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->v[i]);
    free(x->v);
    *x = (names){0};
}

static bool names_has(const names *x, const char *s)
{
    for (size_t i = 0; i < x->n; i++)
        if (strcmp(x->v[i], s) == 0)
            return true;
    return false;
}

typedef struct table_conf {
    qname q;
    names columns; /* empty: every column */
    names key;     /* empty: the primary key */
} table_conf;

typedef struct settings {
    table_conf *tables;
    size_t n_tables, cap_tables;
    int64_t range, buckets;
} settings;

static void release(void *p)
{
    settings *s = p;
    if (!s)
        return;
    for (size_t i = 0; i < s->n_tables; i++) {
        qname_release(&s->tables[i].q);
        names_release(&s->tables[i].columns);
        names_release(&s->tables[i].key);
    }
    free(s->tables);
    free(s);
}

/* ---------------------------------------------------------------- config */

/* "SCHEMA.TABLE: a, "B c", d" into q and the names; false with why. */
static bool parse_table_names(const char *text, qname *q, names *out, char *why, size_t size)
{
    const char *colon = NULL;
    bool quoted = false;
    for (const char *p = text; *p && !colon; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == ':' && !quoted)
            colon = p;
    }
    if (!colon) {
        snprintf(why, size, "expected SCHEMA.TABLE: COLUMN, ...");
        return false;
    }
    char *left = xstrndup(text, (size_t)(colon - text));
    const char *rest;
    bool ok = qname_parse(left, "public", q, &rest, why, size);
    if (ok && *rest) {
        snprintf(why, size, "unexpected \"%s\" after the table name", rest);
        qname_release(q);
        ok = false;
    }
    free(left);
    if (!ok)
        return false;
    const char *start = colon + 1;
    quoted = false;
    for (const char *p = start;; p++) {
        if (*p == '"')
            quoted = !quoted;
        if (*p && (quoted || *p != ','))
            continue;
        char *part = xstrndup(start, (size_t)(p - start)), *name;
        bool one = ident_parse(part, &name, why, size);
        free(part);
        if (!one)
            break;
        if (names_has(out, name)) {
            snprintf(why, size, "column %s named twice", name);
            free(name);
            one = false;
            break;
        }
        names_add(out, name);
        free(name);
        if (!*p)
            return true;
        start = p + 1;
    }
    qname_release(q);
    names_release(out);
    return false;
}

static table_conf *find_table(settings *s, const qname *q)
{
    for (size_t i = 0; i < s->n_tables; i++)
        if (strcmp(s->tables[i].q.schema, q->schema) == 0 &&
            strcmp(s->tables[i].q.name, q->name) == 0)
            return &s->tables[i];
    return NULL;
}

/* columns = / key = entries: each names a listed table, once. */
static vexit read_lists(const conf *c, settings *s, const char *key, verr *e)
{
    char why[256];
    conf_seen seen = {0};
    vexit rc = VOUCH_OK;
    for (const conf_entry *ent = NULL; !rc && (ent = conf_next(c, "content", key, ent));) {
        qname q;
        names list = {0};
        if (!parse_table_names(ent->value, &q, &list, why, sizeof why)) {
            rc = conf_error(e, c, ent, "%s", why);
            break;
        }
        char *shown = qname_display(q.schema, q.name);
        table_conf *t = find_table(s, &q);
        if (!t)
            rc = conf_error(e, c, ent, "%s is not a listed table: add 'table = %s'", shown, shown);
        else
            rc = conf_seen_add(&seen, c, ent, shown, e);
        free(shown);
        qname_release(&q);
        if (!rc) {
            names *dst = strcmp(key, "key") == 0 ? &t->key : &t->columns;
            *dst = list;
        } else {
            names_release(&list);
        }
    }
    conf_seen_release(&seen);
    return rc;
}

static vexit configure(const conf *c, void **out, verr *e)
{
    settings *s = xcalloc(1, sizeof *s);
    s->range = DEFAULT_RANGE;
    s->buckets = DEFAULT_BUCKETS;
    vexit rc = VOUCH_OK;
    const conf_entry *ent;
    if ((ent = conf_get(c, "content", "range")))
        rc = conf_int(c, ent, 1, INT64_C(1) << 40, &s->range, e);
    if (!rc && (ent = conf_get(c, "content", "buckets")))
        rc = conf_int(c, ent, 1, 1000000, &s->buckets, e);
    conf_seen seen = {0};
    for (ent = NULL; !rc && (ent = conf_next(c, "content", "table", ent));) {
        qname q;
        if ((rc = conf_qname_once(c, ent, "table", &seen, &q, e)))
            break;
        grow((void **)&s->tables, &s->cap_tables, s->n_tables + 1, sizeof *s->tables);
        s->tables[s->n_tables++] = (table_conf){.q = q};
    }
    conf_seen_release(&seen);
    if (!rc)
        rc = read_lists(c, s, "columns", e);
    if (!rc)
        rc = read_lists(c, s, "key", e);
    if (!rc && !s->n_tables) {
        const conf_section *sec = conf_find_section(c, "content");
        rc = verr_set(e, VOUCH_USAGE, "%s:%d: [content] names no table: add 'table ='", c->path,
                      sec ? sec->line : 0);
    }
    if (rc) {
        release(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}

/* ---------------------------------------------------------------- the table */

/* What a table is now: its key and digested columns (names and types) and the SQL
 * pieces built from them, every name quoted. */
typedef struct shape {
    bool exists;
    char *display, *from;    /* "public.projects", quoted schema.table */
    names key, key_types, cols, col_types;
    bool integer_key;
    double reltuples;
    char *problem;           /* why the table cannot be digested, or NULL */
    content_cut cut;
    char *inner;             /* SELECT b, g, m, c0.. FROM t (no WHERE) */
    char *bucket;            /* the bucket of a row, over the table's columns */
    char *key_text;          /* the key's text, "(3,42)" */
    char *targets;           /* the select list of inner */
} shape;

static void shape_release(shape *x)
{
    free(x->display);
    free(x->from);
    names_release(&x->key);
    names_release(&x->key_types);
    names_release(&x->cols);
    names_release(&x->col_types);
    free(x->problem);
    free(x->inner);
    free(x->bucket);
    free(x->key_text);
    free(x->targets);
}

static bool is_int_type(const char *t)
{
    return strcmp(t, "bigint") == 0 || strcmp(t, "integer") == 0 || strcmp(t, "smallint") == 0;
}

/* A column's text as the digest reads it, independent of the session's TimeZone and
 * bytea_output (a restore may lose the database's own settings). */
static char *text_of(pg_session *db, const char *col, const char *type)
{
    char *q = pg_quote_ident(db, col), *sql;
    if (strcmp(type, "timestamp with time zone") == 0)
        sql = xasprintf("(%s AT TIME ZONE 'UTC')::text", q);
    else if (strcmp(type, "bytea") == 0)
        sql = xasprintf("pg_catalog.encode(%s, 'hex')", q);
    else
        sql = xasprintf("(%s)::text", q);
    PQfreemem(q);
    return sql;
}

static void build_inner(pg_session *db, shape *x)
{
    textbuf row = {0}, keyt = {0}, cols = {0};
    for (size_t i = 0; i < x->key.n; i++) {
        char *t = text_of(db, x->key.v[i], x->key_types.v[i]);
        textbuf_add(&keyt, "%s%s", i ? ", " : "", t);
        textbuf_add(&row, "%s%s", i ? ", " : "", t);
        free(t);
    }
    for (size_t j = 0; j < x->cols.n; j++) {
        char *t = text_of(db, x->cols.v[j], x->col_types.v[j]);
        textbuf_add(&row, ", %s", t);
        textbuf_add(&cols, ", pg_catalog.hashtextextended(%s, 0)", t);
        free(t);
    }
    char *g;
    if (x->integer_key) {
        char *k = pg_quote_ident(db, x->key.v[0]);
        g = xasprintf("(%s)::bigint", k);
        x->bucket = xasprintf("(%s)::bigint / %lld", k, (long long)x->cut.width);
        PQfreemem(k);
    } else {
        g = xasprintf("('x' || pg_catalog.substr(pg_catalog.md5(ROW(%s)::text), 1, 15))::bit(60)::bigint",
                      keyt.p);
        x->bucket = xasprintf("%s %% %lld", g, (long long)x->cut.buckets);
    }
    /* The outer queries add WHERE and OFFSET 0: the fence keeps each expression computed
     * once a row (a flattened subquery would compute the row's md5 once per use). */
    x->targets = xasprintf("%s AS vouch_g, %s AS vouch_b, pg_catalog.md5(ROW(%s)::text)"
                           " AS vouch_m%s", g, x->bucket, row.p, cols.p ? cols.p : "");
    x->inner = xasprintf("SELECT %s FROM %s", x->targets, x->from);
    x->key_text = xasprintf("ROW(%s)::text", keyt.p);
    free(g);
    free(row.p);
    free(keyt.p);
    free(cols.p);
}

/* Read the table's columns and primary key and settle what is digested. */
static vexit describe(pg_session *db, const settings *s, const table_conf *tc, shape *x, verr *e)
{
    memset(x, 0, sizeof *x);
    x->display = qname_display(tc->q.schema, tc->q.name);
    char *qs = pg_quote_ident(db, tc->q.schema), *qt = pg_quote_ident(db, tc->q.name);
    x->from = xasprintf("%s.%s", qs, qt);
    PQfreemem(qs);
    PQfreemem(qt);
    const char *params[] = {tc->q.schema, tc->q.name};
    PGresult *r;
    vexit rc = pg_query(
        db, &r,
        "SELECT a.attname, a.atttypid::pg_catalog.regtype::text,"
        "       (SELECT k.n FROM pg_catalog.pg_index i,"
        "               unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n)"
        "         WHERE i.indrelid = c.oid AND i.indisprimary AND k.att = a.attnum),"
        "       c.reltuples"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
        "  AND NOT a.attisdropped"
        " WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')"
        " ORDER BY a.attnum",
        2, params, e);
    if (rc)
        return rc;
    int nt = PQntuples(r);
    x->exists = nt > 0;
    if (!x->exists) {
        PQclear(r);
        return VOUCH_OK;
    }
    x->reltuples = strtod(PQgetvalue(r, 0, 3), NULL);
    /* The key: configured, else the primary key in its index order. */
    if (tc->key.n) {
        for (size_t i = 0; i < tc->key.n && !x->problem; i++) {
            int row = -1;
            for (int k = 0; k < nt && row < 0; k++)
                if (strcmp(PQgetvalue(r, k, 0), tc->key.v[i]) == 0)
                    row = k;
            if (row < 0) {
                x->problem = xasprintf("has no column %s (named in key)", tc->key.v[i]);
                break;
            }
            names_add(&x->key, tc->key.v[i]);
            names_add(&x->key_types, PQgetvalue(r, row, 1));
        }
    } else {
        int64_t at;
        for (int pos = 1; pos <= nt; pos++)
            for (int k = 0; k < nt; k++)
                if (!PQgetisnull(r, k, 2) && parse_int64(PQgetvalue(r, k, 2), &at) && at == pos) {
                    names_add(&x->key, PQgetvalue(r, k, 0));
                    names_add(&x->key_types, PQgetvalue(r, k, 1));
                }
        if (!x->key.n)
            x->problem = xasprintf("has no primary key: name one with 'key = %s: COLUMN, ...'",
                                   x->display);
    }
    /* The digested columns: configured, else every column but the key's. */
    if (tc->columns.n) {
        for (size_t j = 0; j < tc->columns.n && !x->problem; j++) {
            int row = -1;
            for (int k = 0; k < nt && row < 0; k++)
                if (strcmp(PQgetvalue(r, k, 0), tc->columns.v[j]) == 0)
                    row = k;
            if (row < 0) {
                x->problem = xasprintf("has no column %s (named in columns)", tc->columns.v[j]);
                break;
            }
            if (names_has(&x->key, tc->columns.v[j]))
                continue; /* the key is always digested */
            names_add(&x->cols, tc->columns.v[j]);
            names_add(&x->col_types, PQgetvalue(r, row, 1));
        }
    } else {
        for (int k = 0; k < nt; k++)
            if (!names_has(&x->key, PQgetvalue(r, k, 0))) {
                names_add(&x->cols, PQgetvalue(r, k, 0));
                names_add(&x->col_types, PQgetvalue(r, k, 1));
            }
    }
    PQclear(r);
    x->integer_key = x->key.n == 1 && is_int_type(x->key_types.v[0]);
    x->cut = x->integer_key ? (content_cut){s->range, 0} : (content_cut){0, s->buckets};
    if (!x->problem)
        build_inner(db, x);
    return VOUCH_OK;
}

/* A configured key must name one row each: no NULL, no two rows alike. */
static vexit key_is_unique(pg_session *db, const shape *x, char **problem, verr *e)
{
    textbuf keys = {0}, nulls = {0};
    for (size_t i = 0; i < x->key.n; i++) {
        char *q = pg_quote_ident(db, x->key.v[i]);
        textbuf_add(&keys, "%s%s", i ? ", " : "", q);
        textbuf_add(&nulls, "%s%s IS NULL", i ? " OR " : "", q);
        PQfreemem(q);
    }
    char *sql = xasprintf("SELECT (SELECT count(*) FROM (SELECT 1 FROM %s GROUP BY %s"
                          " HAVING count(*) > 1) d), (SELECT count(*) FROM %s WHERE %s)",
                          x->from, keys.p, x->from, nulls.p);
    PGresult *r;
    vexit rc = pg_query(db, &r, sql, 0, NULL, e);
    free(sql);
    free(keys.p);
    free(nulls.p);
    if (rc)
        return rc;
    int64_t dup = 0, nul = 0;
    parse_int64(PQgetvalue(r, 0, 0), &dup);
    parse_int64(PQgetvalue(r, 0, 1), &nul);
    PQclear(r);
    if (dup)
        *problem = xasprintf("key does not name one row: %lld values are held by more than one row",
                             (long long)dup);
    else if (nul)
        *problem = xasprintf("key does not name one row: %lld rows have a NULL in it", (long long)nul);
    return VOUCH_OK;
}

/* The keys of buckets first..last of an integer key: ids / width truncates, so bucket 0
 * holds -(width-1)..width-1. A condition on the key itself, so that its index serves. */
static char *key_span_where(pg_session *db, const shape *x, int64_t first, int64_t last)
{
    int64_t w = x->cut.width, lo, hi;
    lo = first > 0 ? first * w : first == 0 ? -(w - 1) : first * w - (w - 1);
    hi = last >= 0 ? (last > INT64_MAX / w - 1 ? INT64_MAX : last * w + (w - 1)) : last * w;
    char *k = pg_quote_ident(db, x->key.v[0]);
    char *sql = xasprintf("%s BETWEEN %lld AND %lld", k, (long long)lo, (long long)hi);
    PQfreemem(k);
    return sql;
}

/* The aggregate query of one slice of the table's buckets (where: a condition on the
 * table's columns, or NULL for all). */
static char *ranges_sql(const shape *x, const char *where)
{
    textbuf cols = {0}, names_list = {0};
    textbuf_add(&names_list, "vouch_g, vouch_b, vouch_m");
    for (size_t j = 0; j < x->cols.n; j++) {
        textbuf_add(&cols, ", COALESCE(sum(vouch_c%zu), 0)::text", j);
        textbuf_add(&names_list, ", vouch_c%zu", j);
    }
    /* Two fences (OFFSET 0) keep the md5 and its halves computed once a row. */
    char *sql = xasprintf(
        "SELECT vouch_b, count(*),"
        " COALESCE(sum(vouch_h1), 0)::text, COALESCE(sum(vouch_g::numeric * vouch_h1), 0)::text,"
        " COALESCE(sum(vouch_h2), 0)::text, COALESCE(sum(vouch_g::numeric * vouch_h2), 0)::text%s"
        " FROM (SELECT *, " HALF1 " AS vouch_h1, " HALF2 " AS vouch_h2"
        " FROM (%s%s%s OFFSET 0) AS vouch_t(%s) OFFSET 0) AS vouch_r GROUP BY 1 ORDER BY 1",
        cols.p ? cols.p : "", x->inner, where ? " WHERE " : "", where ? where : "",
        names_list.p);
    free(cols.p);
    free(names_list.p);
    return sql;
}

/* The rows one bucket holds now: key text, g, h1, h2, c... */
static char *rows_sql(pg_session *db, const shape *x, int64_t bucket)
{
    char *where = x->integer_key ? key_span_where(db, x, bucket, bucket)
                                 : xasprintf("%s = %lld", x->bucket, (long long)bucket);
    textbuf names_list = {0}, cols = {0};
    textbuf_add(&names_list, "vouch_k, vouch_g, vouch_b, vouch_m");
    for (size_t j = 0; j < x->cols.n; j++) {
        textbuf_add(&names_list, ", vouch_c%zu", j);
        textbuf_add(&cols, ", vouch_c%zu", j);
    }
    char *sql = xasprintf("SELECT vouch_k, vouch_g, " HALF1 ", " HALF2 "%s"
                          " FROM (SELECT %s AS vouch_k, %s FROM %s WHERE %s OFFSET 0) AS vouch_t(%s)"
                          " ORDER BY vouch_g LIMIT %d",
                          cols.p ? cols.p : "", x->key_text, x->targets, x->from, where,
                          names_list.p, NARROW_MAX_ROWS + 1);
    free(where);
    free(names_list.p);
    free(cols.p);
    return sql;
}

typedef struct ranges {
    content_range *v;
    size_t n, cap;
    int64_t rows;
} ranges;

static void ranges_release(ranges *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        content_range_release(&rs->v[i]);
    free(rs->v);
    *rs = (ranges){0};
}

static void ranges_add_result(ranges *rs, const PGresult *r, size_t n_cols)
{
    for (int row = 0; row < PQntuples(r); row++) {
        grow((void **)&rs->v, &rs->cap, rs->n + 1, sizeof *rs->v);
        content_range *x = &rs->v[rs->n++];
        memset(x, 0, sizeof *x);
        parse_int64(PQgetvalue(r, row, 0), &x->bucket);
        parse_int64(PQgetvalue(r, row, 1), &x->rows);
        for (int i = 0; i < CONTENT_SUMS; i++)
            x->sums[i] = xstrdup(PQgetvalue(r, row, 2 + i));
        x->n_cols = n_cols;
        x->cols = xcalloc(n_cols + 1, sizeof *x->cols);
        for (size_t j = 0; j < n_cols; j++)
            x->cols[j] = xstrdup(PQgetvalue(r, row, 2 + CONTENT_SUMS + (int)j));
        rs->rows += x->rows;
    }
}

static int cmp_range(const void *a, const void *b)
{
    const content_range *x = a, *y = b;
    return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

/* The queries of every table: one per slice. which[k] is the table of query k. */
static vexit digest_tables(check_ctx *ctx, shape *shapes, size_t n, ranges *out, verr *e)
{
    pg_session *db = check_db(ctx);
    char **sqls = NULL;
    size_t *which = NULL, n_sql = 0, cap = 0, cap_w = 0;
    vexit rc = VOUCH_OK;
    for (size_t t = 0; t < n && !rc; t++) {
        shape *x = &shapes[t];
        if (!x->exists || x->problem)
            continue;
        size_t slices = x->reltuples > SLICE_MIN_ROWS ? SLICES : 1;
        int64_t lo = 0, hi = 0;
        if (slices > 1 && x->integer_key) {
            /* Slices of the key's span, range-aligned; min and max come from the key's index. */
            char *k = pg_quote_ident(db, x->key.v[0]);
            char *sql = xasprintf("SELECT (min(%s)::bigint / %lld)::text, (max(%s)::bigint / %lld)::text FROM %s",
                                  k, (long long)x->cut.width, k, (long long)x->cut.width, x->from);
            PQfreemem(k);
            PGresult *r;
            rc = pg_query(db, &r, sql, 0, NULL, e);
            free(sql);
            if (rc)
                break;
            if (PQgetisnull(r, 0, 0))
                slices = 1;
            else {
                parse_int64(PQgetvalue(r, 0, 0), &lo);
                parse_int64(PQgetvalue(r, 0, 1), &hi);
            }
            PQclear(r);
        }
        for (size_t sl = 0; sl < slices; sl++) {
            char *where = NULL;
            if (slices > 1 && x->integer_key) {
                int64_t span = (hi - lo) / (int64_t)slices + 1;
                int64_t a = lo + (int64_t)sl * span, b = a + span - 1;
                where = key_span_where(db, x, a, sl + 1 < slices ? b : hi);
            } else if (slices > 1) {
                where = xasprintf("%s %% %zu = %zu", x->bucket, slices, sl);
            }
            grow((void **)&sqls, &cap, n_sql + 1, sizeof *sqls);
            grow((void **)&which, &cap_w, n_sql + 1, sizeof *which);
            sqls[n_sql] = ranges_sql(x, where);
            which[n_sql++] = t;
            free(where);
        }
    }
    PGresult **res = xcalloc(n_sql + 1, sizeof *res);
    size_t failed = 0;
    if (!rc && n_sql &&
        (rc = check_query_many(ctx, (const char *const *)sqls, n_sql, res, &failed, e)) &&
        failed < n_sql)
        verr_prefix(e, "could not digest %s", shapes[which[failed]].display);
    for (size_t k = 0; k < n_sql; k++) {
        if (!rc)
            ranges_add_result(&out[which[k]], res[k], shapes[which[k]].cols.n);
        PQclear(res[k]);
        free(sqls[k]);
    }
    for (size_t t = 0; t < n; t++)
        if (out[t].n > 1)
            qsort(out[t].v, out[t].n, sizeof *out[t].v, cmp_range);
    free(res);
    free(sqls);
    free(which);
    return rc;
}

/* ---------------------------------------------------------------- baseline */

static json_t *names_json(const names *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->n; i++)
        json_array_append_new(a, json_string(x->v[i]));
    return a;
}

static vexit capture(check_ctx *ctx, void *p, json_t **out, verr *e)
{
    settings *s = p;
    pg_session *db = check_db(ctx);
    shape *shapes = xcalloc(s->n_tables + 1, sizeof *shapes);
    ranges *rs = xcalloc(s->n_tables + 1, sizeof *rs);
    vexit rc = VOUCH_OK;
    for (size_t t = 0; t < s->n_tables && !rc; t++) {
        if ((rc = describe(db, s, &s->tables[t], &shapes[t], e)))
            break;
        shape *x = &shapes[t];
        if (!x->exists) {
            rc = verr_set(e, VOUCH_USAGE, "table %s does not exist", x->display);
            verr_hint(e, "Check [content] table in the configuration, and that the baseline runs"
                         " against the healthy database.");
        } else if (!x->problem && s->tables[t].key.n &&
                   (rc = key_is_unique(db, x, &x->problem, e))) {
            break;
        }
        if (!rc && x->problem) {
            rc = verr_set(e, VOUCH_USAGE, "[content] table %s %s", x->display, x->problem);
            verr_hint(e, "A row must be named by its key: digests of a table without one cannot"
                         " say which row changed.");
        }
    }
    if (!rc)
        rc = digest_tables(ctx, shapes, s->n_tables, rs, e);
    json_t *tables = json_array();
    for (size_t t = 0; !rc && t < s->n_tables; t++) {
        const shape *x = &shapes[t];
        json_t *jr = json_array();
        for (size_t i = 0; i < rs[t].n; i++) {
            const content_range *r = &rs[t].v[i];
            json_t *sums = json_array(), *cols = json_array();
            for (int k = 0; k < CONTENT_SUMS; k++)
                json_array_append_new(sums, json_string(r->sums[k]));
            for (size_t j = 0; j < r->n_cols; j++)
                json_array_append_new(cols, json_string(r->cols[j]));
            json_array_append_new(jr, json_pack("{s:I, s:I, s:o, s:o}", "bucket",
                                                (json_int_t)r->bucket, "rows", (json_int_t)r->rows,
                                                "sums", sums, "columns", cols));
        }
        json_array_append_new(
            tables, json_pack("{s:s, s:s, s:o, s:o, s:s, s:I, s:I, s:o}", "schema",
                              s->tables[t].q.schema, "table", s->tables[t].q.name, "key",
                              names_json(&x->key), "columns", names_json(&x->cols), "cut",
                              x->integer_key ? "range" : "buckets", "per",
                              (json_int_t)(x->integer_key ? x->cut.width : x->cut.buckets), "rows",
                              (json_int_t)rs[t].rows, "ranges", jr));
    }
    for (size_t t = 0; t < s->n_tables; t++) {
        shape_release(&shapes[t]);
        ranges_release(&rs[t]);
    }
    free(shapes);
    free(rs);
    if (rc) {
        json_decref(tables);
        return rc;
    }
    *out = json_pack("{s:o}", "tables", tables);
    return VOUCH_OK;
}

/* ---------------------------------------------------------------- gate */

static bool names_equal_json(const names *x, const json_t *a)
{
    if (!json_is_array(a) || json_array_size(a) != x->n)
        return false;
    for (size_t i = 0; i < x->n; i++) {
        const char *v = json_string_value(json_array_get(a, i));
        if (!v || strcmp(v, x->v[i]) != 0)
            return false;
    }
    return true;
}

static char *names_text(const json_t *a)
{
    textbuf t = {0};
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) textbuf_add(&t, "%s%s", i ? ", " : "", json_string_value(v));
    return t.p ? t.p : xstrdup("");
}

/* The baseline's ranges of one table; false when malformed. */
static bool ranges_from_json(const json_t *a, size_t n_cols, ranges *rs)
{
    size_t i;
    const json_t *r;
    json_array_foreach(a, i, r) {
        const json_t *sums = json_object_get(r, "sums"), *cols = json_object_get(r, "columns");
        if (!json_is_integer(json_object_get(r, "bucket")) ||
            !json_is_integer(json_object_get(r, "rows")) ||
            json_array_size(sums) != CONTENT_SUMS || json_array_size(cols) != n_cols)
            return false;
        grow((void **)&rs->v, &rs->cap, rs->n + 1, sizeof *rs->v);
        content_range *x = &rs->v[rs->n++];
        memset(x, 0, sizeof *x);
        x->bucket = json_integer_value(json_object_get(r, "bucket"));
        x->rows = json_integer_value(json_object_get(r, "rows"));
        for (int k = 0; k < CONTENT_SUMS; k++)
            x->sums[k] = xstrdup(json_string_value(json_array_get(sums, (size_t)k)));
        x->n_cols = n_cols;
        x->cols = xcalloc(n_cols + 1, sizeof *x->cols);
        for (size_t j = 0; j < n_cols; j++)
            x->cols[j] = xstrdup(json_string_value(json_array_get(cols, j)));
        rs->rows += x->rows;
    }
    return true;
}

/* What one table's comparison found, for the result's reason and detail. */
typedef struct findings {
    textbuf detail;
    textbuf brief; /* the first few, for the reason */
    size_t n_brief;
    bool more; /* the detail says more than the reason */
    int64_t changed, added, removed;
    size_t ranges_differ;
    names columns; /* columns that changed anywhere */
} findings;

static void note(findings *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(findings *f, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    textbuf_add(&f->detail, "%s\n", line);
    if (f->n_brief++ < 3)
        textbuf_add(&f->brief, "%s%s", f->n_brief > 1 ? "; " : "", line);
    else
        f->more = true;
}

static char *range_label(const shape *x, int64_t bucket)
{
    if (x->integer_key) {
        int64_t w = x->cut.width;
        if (bucket == 0)
            return xasprintf("%s %lld to %lld", x->key.v[0], (long long)(1 - w), (long long)(w - 1));
        int64_t a = bucket * w, b = bucket > 0 ? a + w - 1 : a - w + 1;
        if (b < a) {
            int64_t t = a;
            a = b;
            b = t;
        }
        return xasprintf("%s %lld to %lld", x->key.v[0], (long long)a, (long long)b);
    }
    return xasprintf("key bucket %lld of %lld", (long long)bucket, (long long)x->cut.buckets);
}

/* "id 42" or "(tenant_id, id) (3,42)": the key names a row; that is all that is shown of it. */
static char *key_label(const shape *x, const char *key_text)
{
    if (x->key.n == 1) {
        /* ROW(v)::text is "(v)" */
        size_t len = strlen(key_text);
        char *v = len >= 2 ? xstrndup(key_text + 1, len - 2) : xstrdup(key_text);
        char *l = xasprintf("%s %s", x->key.v[0], v);
        free(v);
        return l;
    }
    textbuf t = {0};
    for (size_t i = 0; i < x->key.n; i++)
        textbuf_add(&t, "%s%s", i ? ", " : "", x->key.v[i]);
    char *l = xasprintf("(%s) %s", t.p, key_text);
    free(t.p);
    return l;
}

static char *changed_columns(const shape *x, const bool *flags, findings *f)
{
    textbuf t = {0};
    for (size_t j = 0; j < x->cols.n; j++)
        if (flags[j]) {
            textbuf_add(&t, "%s%s", t.p ? ", " : "", x->cols.v[j]);
            if (!names_has(&f->columns, x->cols.v[j]))
                names_add(&f->columns, x->cols.v[j]);
        }
    return t.p ? t.p : xstrdup("no digested column (the key's text)");
}

typedef struct bucket_rows {
    content_row *v;
    char **keys;
    size_t n;
} bucket_rows;

static void bucket_rows_release(bucket_rows *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].c);
        free(b->v[i].has_c);
        free(b->keys[i]);
    }
    free(b->v);
    free(b->keys);
}

static vexit read_bucket(pg_session *db, const shape *x, int64_t bucket, bucket_rows *out,
                         bool *too_many, verr *e)
{
    char *sql = rows_sql(db, x, bucket);
    PGresult *r;
    vexit rc = pg_query(db, &r, sql, 0, NULL, e);
    free(sql);
    if (rc)
        return rc;
    size_t n = (size_t)PQntuples(r);
    *too_many = n > NARROW_MAX_ROWS;
    memset(out, 0, sizeof *out);
    if (!*too_many) {
        out->v = xcalloc(n + 1, sizeof *out->v);
        out->keys = xcalloc(n + 1, sizeof *out->keys);
        out->n = n;
        for (size_t i = 0; i < n; i++) {
            content_row *row = &out->v[i];
            out->keys[i] = xstrdup(PQgetvalue(r, (int)i, 0));
            parse_int64(PQgetvalue(r, (int)i, 1), &row->g);
            parse_int64(PQgetvalue(r, (int)i, 2), &row->h1);
            parse_int64(PQgetvalue(r, (int)i, 3), &row->h2);
            row->c = xcalloc(x->cols.n + 1, sizeof *row->c);
            row->has_c = xcalloc(x->cols.n + 1, sizeof *row->has_c);
            for (size_t j = 0; j < x->cols.n; j++)
                if ((row->has_c[j] = !PQgetisnull(r, (int)i, 4 + (int)j)))
                    parse_int64(PQgetvalue(r, (int)i, 4 + (int)j), &row->c[j]);
        }
    }
    PQclear(r);
    return VOUCH_OK;
}

static char *removed_label(const shape *x, int64_t g)
{
    if (x->integer_key)
        return xasprintf("%s %lld", x->key.v[0], (long long)g);
    return xasprintf("a row whose key is no longer present (key hash %lld)", (long long)g);
}

/* One range that differs: narrow it to its rows where it can be read again. */
static vexit narrow(pg_session *db, const shape *x, const content_range *b, const content_range *n,
                    size_t *narrowed, findings *f, verr *e)
{
    int64_t bucket = b ? b->bucket : n->bucket;
    char *where = range_label(x, bucket);
    f->ranges_differ++;
    if (!n) {
        char what[64];
        snprintf(what, sizeof what, "all %lld rows removed", (long long)b->rows);
        note(f, "%s: %s", where, what);
        f->removed += b->rows;
        free(where);
        return VOUCH_OK;
    }
    bucket_rows rows = {0};
    bool too_many = false;
    vexit rc = VOUCH_OK;
    bool read = *narrowed < NARROW_RANGES;
    if (read) {
        (*narrowed)++;
        if ((rc = read_bucket(db, x, bucket, &rows, &too_many, e))) {
            free(where);
            return rc;
        }
    }
    if (!b) {
        textbuf keys = {0};
        for (size_t i = 0; i < rows.n && i < LISTED; i++) {
            char *k = key_label(x, rows.keys[i]);
            textbuf_add(&keys, "%s%s", i ? ", " : "", k);
            free(k);
        }
        if (rows.n > LISTED)
            textbuf_add(&keys, " and %zu more", rows.n - LISTED);
        char what[64];
        snprintf(what, sizeof what, "%lld rows added", (long long)n->rows);
        note(f, "%s: %s", where, what);
        if (keys.p) {
            textbuf_add(&f->detail, "  added: %s\n", keys.p);
            f->more = true;
            free(keys.p);
        }
        f->added += n->rows;
    } else {
        content_explained ex;
        content_explain(&x->cut, b, n, rows.v, rows.n, &ex);
        if (read && !too_many && ex.explained) {
            if (ex.changed_row >= 0) {
                char *k = key_label(x, rows.keys[ex.changed_row]);
                char *cols = changed_columns(x, ex.cols_changed, f);
                note(f, "%s changed in %s", k, cols);
                free(k);
                free(cols);
                f->changed++;
            }
            if (ex.removed) {
                char *k = removed_label(x, ex.removed_g);
                note(f, "%s removed", k);
                free(k);
                f->removed++;
            }
            if (ex.added_row >= 0) {
                char *k = key_label(x, rows.keys[ex.added_row]);
                note(f, "%s added", k);
                free(k);
                f->added++;
            }
        } else {
            char *cols = changed_columns(x, ex.cols_changed, f);
            char what[160];
            snprintf(what, sizeof what, "%lld rows at the baseline, %lld now; several rows differ",
                     (long long)b->rows, (long long)n->rows);
            note(f, "%s: %s", where, what);
            textbuf_add(&f->detail, "  columns that changed: %s\n", cols);
            f->more = true;
            free(cols);
            if (n->rows > b->rows)
                f->added += n->rows - b->rows;
            else
                f->removed += b->rows - n->rows;
        }
        free(ex.cols_changed);
    }
    bucket_rows_release(&rows);
    free(where);
    return rc;
}

static vexit compare(check_ctx *ctx, const shape *x, const ranges *base, const ranges *now,
                     const char *display, verr *e)
{
    pg_session *db = check_db(ctx);
    findings f = {0};
    size_t i = 0, j = 0, narrowed = 0;
    vexit rc = VOUCH_OK;
    while (!rc && (i < base->n || j < now->n)) {
        const content_range *b = NULL, *n = NULL;
        if (j >= now->n || (i < base->n && base->v[i].bucket < now->v[j].bucket))
            b = &base->v[i++];
        else if (i >= base->n || now->v[j].bucket < base->v[i].bucket)
            n = &now->v[j++];
        else {
            b = &base->v[i++];
            n = &now->v[j++];
            if (content_range_same(b, n))
                continue;
        }
        rc = narrow(db, x, b, n, &narrowed, &f, e);
    }
    char expected[96], observed[96];
    snprintf(expected, sizeof expected, "%lld rows as at the baseline", (long long)base->rows);
    if (rc && (rc == VOUCH_ABORTED || pg_session_broken(db))) {
        /* The run cannot go on: the runner records it as aborted. */
    } else if (rc) {
        check_report(ctx, RESULT_ERROR, display, expected, NULL,
                     "could not narrow the ranges of %s that differ: %s", display, e->msg);
        rc = VOUCH_OK;
    } else if (!f.ranges_differ) {
        snprintf(observed, sizeof observed, "%lld rows, %zu range%s equal", (long long)now->rows,
                 now->n, now->n == 1 ? "" : "s");
        check_report(ctx, RESULT_PASS, display, expected, observed,
                     "%s holds the rows of the baseline (%zu range%s by %s)", display, now->n,
                     now->n == 1 ? "" : "s", x->integer_key ? "key range" : "key hash");
    } else {
        snprintf(observed, sizeof observed, "%zu of %zu ranges differ", f.ranges_differ,
                 base->n > now->n ? base->n : now->n);
        check_report(ctx, RESULT_FAIL, display, expected, observed,
                     "content of %s differs from the baseline: %s%s", display, f.brief.p,
                     f.n_brief > 3 ? "; ..." : "");
        if (f.more)
            check_detail(ctx, f.detail.p);
    }
    free(f.detail.p);
    free(f.brief.p);
    names_release(&f.columns);
    return rc;
}

static const json_t *baseline_table(const json_t *baseline, const qname *q)
{
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(baseline, "tables"), i, t) {
        const char *schema = json_string_value(json_object_get(t, "schema"));
        const char *name = json_string_value(json_object_get(t, "table"));
        if (schema && name && strcmp(schema, q->schema) == 0 && strcmp(name, q->name) == 0)
            return t;
    }
    return NULL;
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    settings *s = p;
    pg_session *db = check_db(ctx);
    shape *shapes = xcalloc(s->n_tables + 1, sizeof *shapes);
    ranges *now = xcalloc(s->n_tables + 1, sizeof *now);
    bool *skip = xcalloc(s->n_tables + 1, sizeof *skip);
    vexit rc = VOUCH_OK;
    size_t described = 0;
    for (size_t t = 0; t < s->n_tables && !rc; t++) {
        rc = describe(db, s, &s->tables[t], &shapes[t], e);
        described = t + 1;
        if (rc)
            break;
        shape *x = &shapes[t];
        const json_t *bt = baseline_table(baseline, &s->tables[t].q);
        if (!x->exists) {
            check_report(ctx, RESULT_FAIL, x->display, bt ? "as at the baseline" : NULL, "missing",
                         "table %s does not exist", x->display);
            skip[t] = true;
        } else if (x->problem) {
            check_report(ctx, RESULT_ERROR, x->display, NULL, NULL, "table %s %s", x->display,
                         x->problem);
            skip[t] = true;
        } else if (!bt) {
            check_report(ctx, RESULT_ERROR, x->display, NULL, NULL,
                         "%s is not in the baseline; run 'vouch baseline' to capture it",
                         x->display);
            skip[t] = true;
        } else {
            const char *cut = json_string_value(json_object_get(bt, "cut"));
            json_int_t per = json_integer_value(json_object_get(bt, "per"));
            bool same_key = names_equal_json(&x->key, json_object_get(bt, "key"));
            bool same_cols = names_equal_json(&x->cols, json_object_get(bt, "columns"));
            bool same_cut = cut && strcmp(cut, x->integer_key ? "range" : "buckets") == 0 &&
                            per == (x->integer_key ? x->cut.width : x->cut.buckets);
            if (!same_key || !same_cols || !same_cut) {
                char *bk = names_text(json_object_get(bt, "key"));
                char *bc = names_text(json_object_get(bt, "columns"));
                check_report(ctx, RESULT_ERROR, x->display, NULL, NULL,
                             "the baseline digests %s by key (%s), columns (%s), %s %lld; the"
                             " configuration or the table differs: run 'vouch baseline'",
                             x->display, bk, bc, cut ? cut : "?", (long long)per);
                free(bk);
                free(bc);
                skip[t] = true;
            }
        }
        if (skip[t])
            x->exists = false; /* not digested */
    }
    if (!rc)
        rc = digest_tables(ctx, shapes, s->n_tables, now, e);
    for (size_t t = 0; !rc && t < s->n_tables; t++) {
        if (skip[t])
            continue;
        const json_t *bt = baseline_table(baseline, &s->tables[t].q);
        ranges base = {0};
        if (!ranges_from_json(json_object_get(bt, "ranges"), shapes[t].cols.n, &base))
            rc = verr_set(e, VOUCH_FAILED, "the baseline's content document for %s is malformed",
                          shapes[t].display);
        else
            rc = compare(ctx, &shapes[t], &base, &now[t], shapes[t].display, e);
        ranges_release(&base);
    }
    for (size_t t = 0; t < described; t++)
        shape_release(&shapes[t]);
    for (size_t t = 0; t < s->n_tables; t++)
        ranges_release(&now[t]);
    free(shapes);
    free(now);
    free(skip);
    return rc;
}

/* check-config: the objects [content] names exist in the target. */
static const target_key target_keys[] = {
    {"table", TARGET_TABLE, NULL},
    {"columns", TARGET_TABLE_COLUMNS, NULL},
    {"key", TARGET_TABLE_COLUMNS, NULL},
    {NULL, TARGET_TABLE, NULL},
};

static vexit validate_target(check_ctx *ctx, const conf *c, void *p, verr *e)
{
    (void)p;
    return target_check_keys(ctx, c, "content", target_keys, e);
}

const checker checker_content = {
    .name = "content",
    .summary = "chosen tables hold the same rows as at the baseline, key by key (range digests)",
    .keys = content_keys,
    .configure = configure,
    .release = release,
    .capture = capture,
    .check = check,
    .validate_target = validate_target,
    .flags = CHECKER_INSTANCES,
};
