/* audit_log: every audit event the baseline saw, up to the restored log's head,
 * is still there and unaltered; what is newer than the head is the point-in-time
 * loss, judged against the RPO; ids have no new gaps, timestamps never go back,
 * the hash chain verifies, and what feeds the log still exists and is enabled.
 *
 * Counts and narrow digests per range are computed by the server; the chain is
 * streamed as binary COPY and verified on the client row by row. Nothing is held
 * but one range's ids when a changed range is narrowed down. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_anchor.h"
#include "checks/audit_chain.h"
#include "checks/audit_log.h"
#include "checks/audit_rpo.h"
#include "src/util.h"

#define GAPS_KEPT 10000     /* baseline gaps stored; more are marked truncated */
#define GAPS_READ 100000    /* gaps read at the gate */
#define RANGES_REPORTED 10  /* changed ranges reported one by one; the rest are summed up */
#define SPANS_LISTED 12

static const conf_key audit_log_keys[] = {
    {"table", 0, "SCHEMA.TABLE", "The audit table (required)."},
    {"id_column", 0, "COLUMN", "Its id column (default id)."},
    {"time_column", 0, "COLUMN", "The column with each event's time (required)."},
    {"ids", 0, "sequential | unordered",
     "sequential (bigserial: ranges of ids, gaps matter; the default) or unordered (uuid, text:"
     " time buckets)."},
    {"range", 0, "N", "Ids per anchored range for sequential ids (default 10000)."},
    {"bucket", 0, "DURATION", "Width of a time bucket for unordered ids (default 1h)."},
    {"digest", 0, "SQL expression",
     "What the server digests per row (default: the row hash column with a chain, else the"
     " whole row's text)."},
    {"row_hash_column", 0, "COLUMN", "The hash chain's row-hash column (bytea); turns the chain on."},
    {"prev_hash_column", 0, "COLUMN", "The chain's previous-hash column (bytea)."},
    {"chain_algorithm", 0, "sha256", "The chain's hash (sha256, the default and only one)."},
    {"row_bytes", 0, "SQL expression", "The bytes each row hash covers after the previous hash."},
    {"rpo", 0, "DURATION", "The recovery point objective (default 24h)."},
    {"trigger", CONF_REPEATABLE, "SCHEMA.TABLE TRIGGER",
     "A trigger that writes the log; must exist and be enabled. Repeatable."},
    {"function", CONF_REPEATABLE, "SCHEMA.NAME",
     "A function that writes the log; must exist. Repeatable."},
    {NULL, 0, NULL, NULL},
};

static void release(void *p)
{
    audit_settings *s = p;
    if (!s)
        return;
    qname_release(&s->table);
    free(s->id_column);
    free(s->time_column);
    free(s->digest);
    free(s->row_hash_column);
    free(s->prev_hash_column);
    free(s->row_bytes);
    for (size_t i = 0; i < s->n_triggers; i++) {
        qname_release(&s->triggers[i].table);
        free(s->triggers[i].name);
    }
    free(s->triggers);
    for (size_t i = 0; i < s->n_functions; i++)
        qname_release(&s->functions[i]);
    free(s->functions);
    free(s);
}

/* An optional single identifier key into *out (default def when absent). */
static vexit ident_key(const conf *c, const char *key, const char *def, char **out, verr *e)
{
    const conf_entry *ent = conf_get(c, "audit_log", key);
    char why[256];
    if (!ent) {
        *out = xstrdup(def);
        return VOUCH_OK;
    }
    if (!ident_parse(ent->value, out, why, sizeof why))
        return conf_error(e, c, ent, "%s", why);
    return VOUCH_OK;
}

static vexit configure_feeders(const conf *c, audit_settings *s, verr *e)
{
    char why[256];
    const conf_entry *ent;
    for (ent = NULL; (ent = conf_next(c, "audit_log", "trigger", ent));) {
        audit_trigger t = {0};
        const char *rest;
        if (!qname_parse(ent->value, "public", &t.table, &rest, why, sizeof why))
            return conf_error(e, c, ent, "%s", why);
        while (*rest == ' ' || *rest == '\t')
            rest++;
        if (!*rest || !ident_parse(rest, &t.name, why, sizeof why)) {
            qname_release(&t.table);
            return conf_error(e, c, ent, "expected SCHEMA.TABLE TRIGGER, not \"%s\"", ent->value);
        }
        grow((void **)&s->triggers, &s->cap_triggers, s->n_triggers + 1, sizeof *s->triggers);
        s->triggers[s->n_triggers++] = t;
    }
    for (ent = NULL; (ent = conf_next(c, "audit_log", "function", ent));) {
        qname q;
        const char *rest;
        if (!qname_parse(ent->value, "public", &q, &rest, why, sizeof why))
            return conf_error(e, c, ent, "%s", why);
        if (*rest) {
            qname_release(&q);
            return conf_error(e, c, ent, "unexpected \"%s\" after the function name", rest);
        }
        grow((void **)&s->functions, &s->cap_functions, s->n_functions + 1,
             sizeof *s->functions);
        s->functions[s->n_functions++] = q;
    }
    return VOUCH_OK;
}

static vexit configure_chain(const conf *c, audit_settings *s, verr *e)
{
    const conf_entry *rh = conf_get(c, "audit_log", "row_hash_column");
    const conf_entry *ph = conf_get(c, "audit_log", "prev_hash_column");
    const conf_entry *rb = conf_get(c, "audit_log", "row_bytes");
    const conf_entry *alg = conf_get(c, "audit_log", "chain_algorithm");
    char why[256];
    if (alg && strcmp(alg->value, "sha256") != 0)
        return conf_error(e, c, alg, "unknown algorithm \"%s\": only sha256 is supported",
                          alg->value);
    if (!rh && !ph && !rb) {
        if (alg)
            return conf_error(e, c, alg, "a chain needs row_hash_column, prev_hash_column and"
                                         " row_bytes");
        return VOUCH_OK;
    }
    const conf_entry *any = rh ? rh : ph ? ph : rb;
    if (!rh || !ph || !rb)
        return conf_error(e, c, any, "a chain needs all of row_hash_column, prev_hash_column and"
                                     " row_bytes");
    if (s->unordered)
        return conf_error(e, c, any, "a hash chain needs ids = sequential: the chain runs in id"
                                     " order");
    if (!ident_parse(rh->value, &s->row_hash_column, why, sizeof why))
        return conf_error(e, c, rh, "%s", why);
    if (!ident_parse(ph->value, &s->prev_hash_column, why, sizeof why))
        return conf_error(e, c, ph, "%s", why);
    if (!*trim(rb->value))
        return conf_error(e, c, rb, "expected an SQL expression");
    s->row_bytes = xstrdup(rb->value);
    return VOUCH_OK;
}

static vexit configure(const conf *c, void **out, verr *e)
{
    audit_settings *s = xcalloc(1, sizeof *s);
    s->range = 10000;
    s->bucket_ms = 3600000;
    s->rpo_ms = 24 * 3600000LL;
    char why[256];
    vexit rc = VOUCH_OK;
    const conf_entry *ent = conf_get(c, "audit_log", "table");
    const char *rest = "";
    if (ent && !qname_parse(ent->value, "public", &s->table, &rest, why, sizeof why))
        rc = conf_error(e, c, ent, "%s", why);
    else if (ent && *rest)
        rc = conf_error(e, c, ent, "unexpected \"%s\" after the table name", rest);
    /* Checked here, not with CONF_REQUIRED: the section may be absent altogether. */
    const conf_section *sec = conf_find_section(c, "audit_log");
    const char *required = !ent ? "table" : !conf_get(c, "audit_log", "time_column") ? "time_column"
                                                                                    : NULL;
    if (!rc && required)
        rc = verr_set(e, VOUCH_USAGE, "%s:%d: [audit_log] is missing required key '%s'", c->path,
                      sec ? sec->line : 0, required);
    if (!rc)
        rc = ident_key(c, "id_column", "id", &s->id_column, e);
    if (!rc)
        rc = ident_key(c, "time_column", "", &s->time_column, e);
    if (!rc && (ent = conf_get(c, "audit_log", "ids"))) {
        if (strcmp(ent->value, "unordered") == 0)
            s->unordered = true;
        else if (strcmp(ent->value, "sequential") != 0)
            rc = conf_error(e, c, ent, "expected sequential or unordered, not \"%s\"", ent->value);
    }
    if (!rc && (ent = conf_get(c, "audit_log", "range"))) {
        if (s->unordered)
            rc = conf_error(e, c, ent, "range is for sequential ids: use bucket with ids ="
                                       " unordered");
        else
            rc = conf_int(c, ent, 1, 1000000000, &s->range, e);
    }
    if (!rc && (ent = conf_get(c, "audit_log", "bucket"))) {
        if (!s->unordered)
            rc = conf_error(e, c, ent, "bucket is for ids = unordered: use range with sequential"
                                       " ids");
        else if (!(rc = conf_duration_ms(c, ent, &s->bucket_ms, e)) && s->bucket_ms < 1000)
            rc = conf_error(e, c, ent, "a bucket must be at least 1s");
    }
    if (!rc && (ent = conf_get(c, "audit_log", "digest"))) {
        if (!*trim(ent->value))
            rc = conf_error(e, c, ent, "expected an SQL expression");
        else
            s->digest = xstrdup(ent->value);
    }
    if (!rc && (ent = conf_get(c, "audit_log", "rpo")) &&
        !(rc = conf_duration_ms(c, ent, &s->rpo_ms, e)) && s->rpo_ms <= 0)
        rc = conf_error(e, c, ent, "the RPO must be longer than zero");
    if (!rc)
        rc = configure_chain(c, s, e);
    if (!rc)
        rc = configure_feeders(c, s, e);
    if (rc) {
        release(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}

/* ------------------------------------------------------------- SQL pieces */

/* Quoted names a run builds its SQL from. */
typedef struct names {
    char *table;  /* "schema"."name" */
    char *id, *time, *row_hash, *prev_hash;
    char *display;  /* schema.name for people */
} names;

static void names_make(pg_session *db, const audit_settings *s, names *n)
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
        char *a = pg_quote_ident(db, s->row_hash_column), *b = pg_quote_ident(db, s->prev_hash_column);
        n->row_hash = xstrdup(a);
        n->prev_hash = xstrdup(b);
        PQfreemem(a);
        PQfreemem(b);
    }
    n->display = qname_display(s->table.schema, s->table.name);
}

static void names_release(names *n)
{
    free(n->table);
    free(n->id);
    free(n->time);
    free(n->row_hash);
    free(n->prev_hash);
    free(n->display);
}

/* What the digest covers, as stored in the baseline so a changed setting is noticed. */
static const char *digest_kind(const audit_settings *s)
{
    return s->digest ? s->digest : s->row_hash_column ? "row hash" : "row text";
}

/* The per-row bytes the range digest folds. The configured expressions are SQL from
 * the operator's configuration, run in the read-only snapshot. */
static char *digest_sql(const audit_settings *s, const names *n)
{
    if (s->digest)
        return xasprintf("decode(md5((%s)::text), 'hex')", s->digest);
    if (n->row_hash)
        return xasprintf("(%s)::bytea", n->row_hash);
    return xstrdup("decode(md5(vouch_row::text), 'hex')");
}

/* One row per range: key, rows, first id, last id, digest. limit_sql restricts the rows. */
static char *anchors_sql(const audit_settings *s, const names *n, const char *limit_sql)
{
    char *d = digest_sql(s, n), *sql;
    if (s->unordered)
        sql = xasprintf("SELECT floor(extract(epoch FROM %s) * 1000 / %lld)::bigint, count(*),"
                        " 0, 0, encode(sha256(string_agg(%s, ''::bytea ORDER BY %s)), 'hex')"
                        " FROM %s AS vouch_row WHERE %s IS NOT NULL%s GROUP BY 1 ORDER BY 1",
                        n->time, (long long)s->bucket_ms, d, n->id, n->table, n->time, limit_sql);
    else
        sql = xasprintf("SELECT %s::bigint / %lld, count(*), min(%s)::bigint, max(%s)::bigint,"
                        " encode(sha256(string_agg(%s, ''::bytea ORDER BY %s)), 'hex')"
                        " FROM %s AS vouch_row WHERE true%s GROUP BY 1 ORDER BY 1",
                        n->id, (long long)s->range, n->id, n->id, d, n->id, n->table, limit_sql);
    free(d);
    return sql;
}

/* The head: id, time in µs since the epoch, row hash (hex or NULL). */
static char *head_sql(const audit_settings *s, const names *n)
{
    const char *rh = n->row_hash ? n->row_hash : "NULL::bytea";
    if (s->unordered)
        return xasprintf("SELECT %s::text, (extract(epoch FROM %s) * 1000000)::bigint,"
                         " encode(%s, 'hex') FROM %s AS vouch_row WHERE %s IS NOT NULL"
                         " ORDER BY vouch_row.%s DESC, vouch_row.%s DESC LIMIT 1",
                         n->id, n->time, rh, n->table, n->time, n->time, n->id);
    return xasprintf("SELECT %s::text, (extract(epoch FROM %s) * 1000000)::bigint,"
                     " encode(%s, 'hex') FROM %s AS vouch_row ORDER BY vouch_row.%s DESC LIMIT 1",
                     n->id, n->time, rh, n->table, n->id);
}

/* Rows and the newest event time (µs). */
static char *stats_sql(const names *n)
{
    return xasprintf("SELECT count(*), (extract(epoch FROM max(%s)) * 1000000)::bigint FROM %s",
                     n->time, n->table);
}

/* The first row: id and prev_hash (hex or NULL). */
static char *first_sql(const names *n)
{
    return xasprintf("SELECT %s::bigint, encode(%s, 'hex') FROM %s AS vouch_row"
                     " ORDER BY vouch_row.%s LIMIT 1", n->id,
                     n->prev_hash ? n->prev_hash : "NULL::bytea", n->table, n->id);
}

/* Gaps between consecutive ids. */
static char *gaps_sql(const names *n, int limit)
{
    return xasprintf("SELECT a, b FROM (SELECT %s::bigint + 1 AS a,"
                     " lead(%s::bigint) OVER (ORDER BY %s) - 1 AS b FROM %s) g"
                     " WHERE b >= a ORDER BY a LIMIT %d",
                     n->id, n->id, n->id, n->table, limit);
}

/* Where the time goes back along id order: id, its time, the previous time (µs), how many. */
static char *order_sql(const names *n)
{
    return xasprintf("SELECT id, (extract(epoch FROM t) * 1000000)::bigint,"
                     " (extract(epoch FROM p) * 1000000)::bigint, count(*) OVER ()"
                     " FROM (SELECT %s::bigint AS id, %s AS t, lag(%s) OVER (ORDER BY %s) AS p"
                     " FROM %s) o WHERE t < p ORDER BY id LIMIT %d",
                     n->id, n->time, n->time, n->id, n->table, SPANS_LISTED);
}

static int64_t int_at(const PGresult *r, int row, int col)
{
    int64_t v = 0;
    if (!PQgetisnull(r, row, col))
        parse_int64(PQgetvalue(r, row, col), &v);
    return v;
}

/* ------------------------------------------------------- table and columns */

/* Does the table exist, with both columns; is the id column an integer? */
static vexit describe_table(pg_session *db, const audit_settings *s, bool *exists, char **problem,
                            verr *e)
{
    const char *params[] = {s->table.schema, s->table.name, s->id_column, s->time_column};
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT (SELECT a.atttypid::pg_catalog.regtype::text FROM pg_catalog.pg_attribute a"
                        "         WHERE a.attrelid = c.oid AND a.attname = $3 AND a.attnum > 0"
                        "         AND NOT a.attisdropped),"
                        "       (SELECT a.atttypid::pg_catalog.regtype::text FROM pg_catalog.pg_attribute a"
                        "         WHERE a.attrelid = c.oid AND a.attname = $4 AND a.attnum > 0"
                        "         AND NOT a.attisdropped)"
                        " FROM pg_catalog.pg_class c"
                        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
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
    }
    PQclear(r);
    return VOUCH_OK;
}

/* ------------------------------------------------------------------ capture */

static json_t *anchors_json(const PGresult *r)
{
    json_t *a = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(a, json_pack("[I, I, I, I, s]", (json_int_t)int_at(r, i, 0),
                                           (json_int_t)int_at(r, i, 1), (json_int_t)int_at(r, i, 2),
                                           (json_int_t)int_at(r, i, 3), PQgetvalue(r, i, 4)));
    return a;
}

static vexit capture(check_ctx *ctx, void *p, json_t **out, verr *e)
{
    audit_settings *s = p;
    pg_session *db = check_db(ctx);
    bool exists;
    char *problem;
    vexit rc = describe_table(db, s, &exists, &problem, e);
    if (rc)
        return rc;
    names n;
    names_make(db, s, &n);
    if (!exists || problem) {
        rc = verr_set(e, VOUCH_USAGE, "audit_log: table %s %s", n.display,
                      problem ? problem : "does not exist");
        verr_hint(e, "Check [audit_log] in the configuration, and that the baseline runs against"
                     " the healthy database.");
        free(problem);
        names_release(&n);
        return rc;
    }
    char *sqls[5];
    size_t nq = 0;
    sqls[nq++] = anchors_sql(s, &n, "");
    sqls[nq++] = head_sql(s, &n);
    sqls[nq++] = stats_sql(&n);
    if (!s->unordered) {
        sqls[nq++] = first_sql(&n);
        sqls[nq++] = gaps_sql(&n, GAPS_KEPT + 1);
    }
    PGresult *res[5] = {0};
    size_t failed = 0;
    rc = check_query_many(ctx, (const char *const *)sqls, nq, res, &failed, e);
    if (rc)
        verr_prefix(e, "audit_log: could not read %s", n.display);
    json_t *feeders = NULL;
    if (!rc && PQntuples(res[1]) == 0) {
        rc = verr_set(e, VOUCH_USAGE, "audit_log: %s is empty: there is nothing to anchor",
                      n.display);
    }
    if (!rc)
        rc = audit_feeders_capture(ctx, s, &feeders, e);
    if (!rc) {
        json_t *doc = json_pack(
            "{s:s, s:s, s:s, s:I, s:I, s:o, s:I, s:{s:s, s:I, s:s?}, s:o}", "table", n.display,
            "ids", s->unordered ? "unordered" : "sequential", "digest", digest_kind(s), "range",
            (json_int_t)(s->unordered ? s->bucket_ms : s->range), "rows",
            (json_int_t)int_at(res[2], 0, 0), "ranges", anchors_json(res[0]), "newest_us",
            (json_int_t)int_at(res[2], 0, 1), "head", "id", PQgetvalue(res[1], 0, 0), "at_us",
            (json_int_t)int_at(res[1], 0, 1), "row_hash",
            PQgetisnull(res[1], 0, 2) ? NULL : PQgetvalue(res[1], 0, 2), "feeders", feeders);
        if (!s->unordered) {
            json_t *gaps = json_array();
            int ng = PQntuples(res[4]);
            for (int i = 0; i < ng && i < GAPS_KEPT; i++)
                json_array_append_new(gaps, json_pack("[I, I]", (json_int_t)int_at(res[4], i, 0),
                                                      (json_int_t)int_at(res[4], i, 1)));
            json_object_set_new(doc, "gaps", gaps);
            json_object_set_new(doc, "gaps_truncated", json_boolean(ng > GAPS_KEPT));
            json_object_set_new(doc, "first",
                                json_pack("{s:I, s:s?}", "id", (json_int_t)int_at(res[3], 0, 0),
                                          "prev_hash",
                                          PQgetisnull(res[3], 0, 1) ? NULL
                                                                    : PQgetvalue(res[3], 0, 1)));
        }
        *out = doc;
    }
    for (size_t i = 0; i < nq; i++) {
        PQclear(res[i]);
        free(sqls[i]);
    }
    names_release(&n);
    return rc;
}

/* -------------------------------------------------------------------- gate */

/* What the gate reads from the baseline document. */
typedef struct base_view {
    anchor *ranges;
    size_t n_ranges;
    id_spans gaps;
    bool gaps_truncated;
    int64_t range;  /* ids per range, or bucket ms */
    int64_t head_id, head_us, first_id, rows;
    const char *head_text, *first_prev;
} base_view;

static void base_release(base_view *b)
{
    free(b->ranges);
    spans_release(&b->gaps);
}

static bool hex_ok(const char *h)
{
    return h && strlen(h) < sizeof ((anchor *)0)->digest;
}

/* Read the baseline; false with why when it does not fit the configuration. */
static bool base_read(const json_t *doc, const audit_settings *s, const names *n, base_view *b,
                      char *why, size_t size)
{
    memset(b, 0, sizeof *b);
    const char *table = json_string_value(json_object_get(doc, "table"));
    const char *ids = json_string_value(json_object_get(doc, "ids"));
    const char *digest = json_string_value(json_object_get(doc, "digest"));
    const json_t *head = json_object_get(doc, "head");
    const json_t *ranges = json_object_get(doc, "ranges");
    b->range = json_integer_value(json_object_get(doc, "range"));
    b->rows = json_integer_value(json_object_get(doc, "rows"));
    b->head_text = json_string_value(json_object_get(head, "id"));
    b->head_us = json_integer_value(json_object_get(head, "at_us"));
    if (!table || !ids || !digest || !b->head_text || b->range <= 0 || !json_is_array(ranges)) {
        snprintf(why, size, "the baseline's audit_log document is malformed");
        return false;
    }
    if (strcmp(table, n->display) != 0 ||
        strcmp(ids, s->unordered ? "unordered" : "sequential") != 0 ||
        strcmp(digest, digest_kind(s)) != 0) {
        snprintf(why, size,
                 "the baseline anchored %s (%s ids, digest of %s) but the configuration now"
                 " differs: run 'vouch baseline'",
                 table, ids, digest);
        return false;
    }
    if (!s->unordered && !parse_int64(b->head_text, &b->head_id)) {
        snprintf(why, size, "the baseline's head id \"%s\" is not an integer", b->head_text);
        return false;
    }
    b->ranges = xcalloc(json_array_size(ranges) + 1, sizeof *b->ranges);
    size_t i;
    const json_t *r;
    json_array_foreach(ranges, i, r) {
        const char *h = json_string_value(json_array_get(r, 4));
        if (!hex_ok(h)) {
            snprintf(why, size, "the baseline's audit_log ranges are malformed");
            return false;
        }
        anchor *a = &b->ranges[b->n_ranges++];
        a->key = json_integer_value(json_array_get(r, 0));
        a->rows = json_integer_value(json_array_get(r, 1));
        a->first = json_integer_value(json_array_get(r, 2));
        a->last = json_integer_value(json_array_get(r, 3));
        snprintf(a->digest, sizeof a->digest, "%s", h);
    }
    json_array_foreach(json_object_get(doc, "gaps"), i, r)
        spans_add(&b->gaps, json_integer_value(json_array_get(r, 0)),
                  json_integer_value(json_array_get(r, 1)));
    b->gaps_truncated = json_is_true(json_object_get(doc, "gaps_truncated"));
    const json_t *first = json_object_get(doc, "first");
    b->first_id = json_integer_value(json_object_get(first, "id"));
    b->first_prev = json_string_value(json_object_get(first, "prev_hash"));
    return true;
}

static anchor *anchors_read(const PGresult *r, size_t *n)
{
    *n = (size_t)PQntuples(r);
    anchor *v = xcalloc(*n + 1, sizeof *v);
    for (size_t i = 0; i < *n; i++) {
        v[i].key = int_at(r, (int)i, 0);
        v[i].rows = int_at(r, (int)i, 1);
        v[i].first = int_at(r, (int)i, 2);
        v[i].last = int_at(r, (int)i, 3);
        snprintf(v[i].digest, sizeof v[i].digest, "%s", PQgetvalue(r, (int)i, 4));
    }
    return v;
}

static void us_format(int64_t us, char *buf, size_t size)
{
    char t[32];
    utc_format_ms(floor_div(us, 1000), t, sizeof t);
    /* Minutes are what people compare; the store keeps the exact figures. */
    snprintf(buf, size, "%.16sZ", t);
}

/* The chain breaks that fall in first..last, one per line, for a range's detail. */
static char *breaks_in(const chain_verifier *cv, int64_t first, int64_t last)
{
    char *text = xstrdup("");
    for (size_t i = 0; cv && i < cv->n_breaks; i++) {
        if (cv->breaks[i].id < first || cv->breaks[i].id > last)
            continue;
        char *more = xasprintf("%sid %lld: %s\n", text, (long long)cv->breaks[i].id,
                               cv->breaks[i].what);
        free(text);
        text = more;
    }
    return text;
}

static const chain_break *first_break_in(const chain_verifier *cv, int64_t first, int64_t last)
{
    for (size_t i = 0; cv && i < cv->n_breaks; i++)
        if (cv->breaks[i].id >= first && cv->breaks[i].id <= last)
            return &cv->breaks[i];
    return NULL;
}

/* A changed range of sequential ids, narrowed in the server to the ids that differ. */
static vexit report_id_range(check_ctx *ctx, const names *n, const base_view *b,
                             const range_diff *d, const chain_verifier *cv, verr *e)
{
    int64_t first = d->base ? d->base->first : d->now->first;
    int64_t last = d->base ? d->base->last : d->now->last;
    char lo[24], hi[24];
    snprintf(lo, sizeof lo, "%lld", (long long)first);
    snprintf(hi, sizeof hi, "%lld", (long long)last);
    const char *params[] = {lo, hi};
    char *sql = xasprintf("SELECT %s::bigint FROM %s WHERE %s BETWEEN $1 AND $2 ORDER BY 1",
                          n->id, n->table, n->id);
    PGresult *r;
    vexit rc = pg_query(check_db(ctx), &r, sql, 2, params, e);
    free(sql);
    if (rc)
        return rc;
    size_t np = (size_t)PQntuples(r);
    int64_t *ids = xcalloc(np + 1, sizeof *ids);
    for (size_t i = 0; i < np; i++)
        ids[i] = int_at(r, (int)i, 0);
    PQclear(r);
    id_spans missing = {0}, extra = {0};
    ids_narrow(first, last, &b->gaps, ids, np, &missing, &extra);
    free(ids);

    char subject[96], expected[40], observed[40];
    snprintf(subject, sizeof subject, "%s ids %lld-%lld", n->display, (long long)first,
             (long long)last);
    snprintf(expected, sizeof expected, "%lld rows", (long long)(d->base ? d->base->rows : 0));
    snprintf(observed, sizeof observed, "%lld rows", (long long)(d->now ? d->now->rows : 0));
    char *ms = spans_describe(&missing, SPANS_LISTED), *xs = spans_describe(&extra, SPANS_LISTED);
    char *chain = breaks_in(cv, first, last);
    const chain_break *brk = first_break_in(cv, first, last);
    int64_t nm = spans_ids(&missing), nx = spans_ids(&extra);
    if (nm && nx)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld rows missing (ids %s) and %lld not in the baseline (ids %s): restore"
                     " the log from a backup",
                     (long long)nm, ms, (long long)nx, xs);
    else if (nm)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld rows missing: ids %s; restore them from a backup", (long long)nm, ms);
    else if (nx)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld rows not in the baseline: ids %s were added after the fact",
                     (long long)nx, xs);
    else if (brk)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "rows altered in ids %lld-%lld (same ids, digest differs); the chain breaks"
                     " first at id %lld: %s",
                     (long long)first, (long long)last, (long long)brk->id, brk->what);
    else
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "rows altered in ids %lld-%lld (same ids, digest differs): restore the log"
                     " from a backup; lower range = to narrow further",
                     (long long)first, (long long)last);
    if (*chain) {
        char *detail = xasprintf("chain breaks in this range:\n%s", chain);
        check_detail(ctx, detail);
        free(detail);
    }
    free(chain);
    free(ms);
    free(xs);
    spans_release(&missing);
    spans_release(&extra);
    return VOUCH_OK;
}

static void report_bucket(check_ctx *ctx, const names *n, const base_view *b, const range_diff *d)
{
    int64_t key = d->base ? d->base->key : d->now->key;
    char from[32], to[32], subject[96], expected[40], observed[40];
    us_format(key * b->range * 1000, from, sizeof from);
    us_format((key + 1) * b->range * 1000, to, sizeof to);
    snprintf(subject, sizeof subject, "%s %s", n->display, from);
    int64_t had = d->base ? d->base->rows : 0, has = d->now ? d->now->rows : 0;
    snprintf(expected, sizeof expected, "%lld rows", (long long)had);
    snprintf(observed, sizeof observed, "%lld rows", (long long)has);
    if (has < had)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld events missing between %s and %s: restore them from a backup",
                     (long long)(had - has), from, to);
    else if (has > had)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld events between %s and %s are not in the baseline: added after the fact",
                     (long long)(has - had), from, to);
    else
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "events between %s and %s were altered (same count, digest differs): restore"
                     " the log from a backup",
                     from, to);
}

static vexit report_ranges(check_ctx *ctx, const audit_settings *s, const names *n,
                           const base_view *b, const range_diff *diffs, size_t nd,
                           const anchor_summary *sum, const chain_verifier *cv, verr *e)
{
    size_t reported = 0;
    int64_t more_rows = 0;
    for (size_t i = 0; i < nd; i++) {
        if (diffs[i].verdict != RANGE_CHANGED && diffs[i].verdict != RANGE_NEW)
            continue;
        if (reported == RANGES_REPORTED) {
            more_rows++;
            continue;
        }
        reported++;
        if (s->unordered)
            report_bucket(ctx, n, b, &diffs[i]);
        else {
            vexit rc = report_id_range(ctx, n, b, &diffs[i], cv, e);
            if (rc)
                return rc;
        }
    }
    char expected[40], observed[40];
    size_t compared = sum->same + sum->changed + sum->added;
    snprintf(expected, sizeof expected, "%zu ranges", compared);
    if (more_rows) {
        snprintf(observed, sizeof observed, "%zu differ", sum->changed + sum->added);
        check_report(ctx, RESULT_FAIL, n->display, expected, observed,
                     "%lld more ranges differ from the baseline than are listed above",
                     (long long)more_rows);
    } else if (!reported) {
        snprintf(observed, sizeof observed, "%zu match", sum->same);
        check_report(ctx, RESULT_PASS, n->display, expected, observed,
                     "every %s up to the restored head has the baseline's count and digest",
                     s->unordered ? "time bucket" : "id range");
    }
    return VOUCH_OK;
}

static void report_loss(check_ctx *ctx, const audit_settings *s, const names *n,
                        const base_view *b, bool cut, const char *head_text, int64_t head_us,
                        const anchor_summary *sum)
{
    char subject[96], expected[48], observed[48], from[32], to[32], span[48];
    snprintf(subject, sizeof subject, "%s head", n->display);
    if (s->unordered) {
        us_format(b->head_us, expected, sizeof expected);
        us_format(head_us, observed, sizeof observed);
    } else {
        snprintf(expected, sizeof expected, "id %s", b->head_text);
        snprintf(observed, sizeof observed, "id %s", head_text);
    }
    if (!cut) {
        check_report(ctx, RESULT_PASS, subject, expected, observed,
                     "the restored log reaches the baseline's newest event");
        return;
    }
    us_format(head_us, from, sizeof from);
    us_format(b->head_us, to, sizeof to);
    duration_format(floor_div(b->head_us - head_us, 1000), span, sizeof span);
    check_report(ctx, RESULT_WARN, subject, expected, observed,
                 "%lld baseline events after the restored head are lost: the point-in-time loss"
                 " from %s to %s (%s); the RPO row judges it",
                 (long long)sum->lost_rows, from, to, span);
}

static void report_gaps(check_ctx *ctx, const names *n, const base_view *b, const PGresult *r,
                        int64_t now_first, int64_t upto)
{
    id_spans now = {0}, fresh = {0};
    /* Ids gone from the start of the log are a gap too. */
    if (now_first > b->first_id)
        spans_add(&now, b->first_id, now_first - 1);
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t a = int_at(r, i, 0), z = int_at(r, i, 1);
        if (!now.n || a > now.v[now.n - 1].to)
            spans_add(&now, a, z);
    }
    int64_t hi = upto;
    if (b->gaps_truncated && b->gaps.n && b->gaps.v[b->gaps.n - 1].to < hi)
        hi = b->gaps.v[b->gaps.n - 1].to; /* beyond the kept gaps nothing is known */
    spans_subtract(&now, &b->gaps, b->first_id, hi, &fresh);
    char subject[96], expected[40], observed[40];
    snprintf(subject, sizeof subject, "%s gaps", n->display);
    snprintf(expected, sizeof expected, "%zu gaps", b->gaps.n);
    snprintf(observed, sizeof observed, "%zu new", fresh.n);
    if (!fresh.n) {
        check_report(ctx, RESULT_PASS, subject, expected, observed,
                     "no id gap that the baseline did not have, up to id %lld", (long long)hi);
    } else {
        char *list = spans_describe(&fresh, SPANS_LISTED);
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld ids missing in %zu new gaps: %s; restore them from a backup",
                     (long long)spans_ids(&fresh), fresh.n, list);
        free(list);
    }
    spans_release(&now);
    spans_release(&fresh);
}

static void report_order(check_ctx *ctx, const names *n, const PGresult *r)
{
    char subject[96];
    snprintf(subject, sizeof subject, "%s order", n->display);
    int rows = PQntuples(r);
    if (!rows) {
        check_report(ctx, RESULT_PASS, subject, "time never back", "never back",
                     "event times never go backwards along the id order");
        return;
    }
    char at[32], before[32], observed[40];
    us_format(int_at(r, 0, 1), at, sizeof at);
    us_format(int_at(r, 0, 2), before, sizeof before);
    snprintf(observed, sizeof observed, "%lld go back", (long long)int_at(r, 0, 3));
    check_report(ctx, RESULT_FAIL, subject, "time never back", observed,
                 "event time goes backwards at id %lld (%s after %s): rows were moved or"
                 " re-inserted",
                 (long long)int_at(r, 0, 0), at, before);
    char *detail = xstrdup("");
    for (int i = 0; i < rows; i++) {
        us_format(int_at(r, i, 1), at, sizeof at);
        us_format(int_at(r, i, 2), before, sizeof before);
        char *more = xasprintf("%sid %lld at %s, after %s\n", detail, (long long)int_at(r, i, 0),
                               at, before);
        free(detail);
        detail = more;
    }
    check_detail(ctx, detail);
    free(detail);
}

static void report_chain(check_ctx *ctx, const names *n, const chain_verifier *cv)
{
    char subject[96], observed[40];
    snprintf(subject, sizeof subject, "%s chain", n->display);
    if (!cv->broken) {
        snprintf(observed, sizeof observed, "%lld links ok", (long long)cv->rows);
        check_report(ctx, RESULT_PASS, subject, "every link", observed,
                     "every row hash is sha256(prev_hash || row bytes) and links to the row"
                     " before");
        return;
    }
    snprintf(observed, sizeof observed, "%lld broken", (long long)cv->broken);
    check_report(ctx, RESULT_FAIL, subject, "every link", observed,
                 "%lld of %lld links broken, first at id %lld: %s", (long long)cv->broken,
                 (long long)cv->rows, (long long)cv->breaks[0].id, cv->breaks[0].what);
    char *detail = xstrdup("");
    for (size_t i = 0; i < cv->n_breaks; i++) {
        char *more = xasprintf("%sid %lld: %s\n", detail, (long long)cv->breaks[i].id,
                               cv->breaks[i].what);
        free(detail);
        detail = more;
    }
    if (cv->broken > (int64_t)cv->n_breaks) {
        char *more = xasprintf("%s... and %lld more\n", detail,
                               (long long)(cv->broken - (int64_t)cv->n_breaks));
        free(detail);
        detail = more;
    }
    check_detail(ctx, detail);
    free(detail);
}

static void report_rpo(check_ctx *ctx, const audit_settings *s, const names *n, int64_t newest_us)
{
    int64_t incident = 0;
    bool have = check_incident_at(ctx, &incident);
    rpo_verdict v = rpo_judge(have, incident, floor_div(newest_us, 1000), s->rpo_ms);
    char subject[96], expected[64], observed[48];
    snprintf(subject, sizeof subject, "%s rpo", n->display);
    duration_format(s->rpo_ms, observed, sizeof observed);
    snprintf(expected, sizeof expected, "<= %s", observed);
    if (have)
        duration_format(v.lost_ms, observed, sizeof observed);
    else
        snprintf(observed, sizeof observed, "not judged");
    check_report(ctx, v.status, subject, expected, observed, "%s", v.reason);
}

/* Stream the chain in id order, up to nothing: every row the restore holds. */
static vexit verify_chain(check_ctx *ctx, const audit_settings *s, const names *n,
                          const base_view *b, chain_verifier *cv, verr *e)
{
    chain_init(cv);
    if (b->first_prev && strlen(b->first_prev) == 2 * CHAIN_HASH_LEN) {
        cv->have_genesis = true;
        cv->genesis_id = b->first_id;
        for (int i = 0; i < CHAIN_HASH_LEN; i++) {
            unsigned int byte;
            if (sscanf(b->first_prev + 2 * i, "%2x", &byte) != 1) {
                cv->have_genesis = false;
                break;
            }
            cv->genesis_prev[i] = (unsigned char)byte;
        }
    }
    char *sql = xasprintf("COPY (SELECT %s::bigint, %s, %s, (%s)::bytea FROM %s AS vouch_row"
                          " ORDER BY vouch_row.%s)"
                          " TO STDOUT (FORMAT binary)",
                          n->id, n->prev_hash, n->row_hash, s->row_bytes, n->table, n->id);
    vexit rc = chain_stream(check_db(ctx), sql, cv, e);
    free(sql);
    if (rc)
        verr_prefix(e, "could not stream the chain of %s", n->display);
    return rc;
}

static vexit check_log(check_ctx *ctx, const audit_settings *s, const names *n,
                       const base_view *b, verr *e)
{
    /* What lies after the baseline's head is new since the baseline: not compared. */
    char *limit;
    if (s->unordered)
        limit = xasprintf(" AND (extract(epoch FROM %s) * 1000000)::bigint <= %lld", n->time,
                          (long long)b->head_us);
    else
        limit = xasprintf(" AND %s <= %lld", n->id, (long long)b->head_id);
    char *sqls[6];
    size_t nq = 0;
    sqls[nq++] = anchors_sql(s, n, limit);
    sqls[nq++] = head_sql(s, n);
    sqls[nq++] = stats_sql(n);
    if (!s->unordered) {
        sqls[nq++] = first_sql(n);
        sqls[nq++] = gaps_sql(n, GAPS_READ);
        sqls[nq++] = order_sql(n);
    }
    free(limit);
    PGresult *res[6] = {0};
    size_t failed = 0;
    vexit rc = check_query_many(ctx, (const char *const *)sqls, nq, res, &failed, e);
    if (rc)
        verr_prefix(e, "could not read %s", n->display);
    chain_verifier cv = {0};
    bool chained = false;
    if (!rc && PQntuples(res[1]) == 0) {
        char expected[32];
        snprintf(expected, sizeof expected, "%lld rows", (long long)b->rows);
        check_report(ctx, RESULT_FAIL, n->display, expected, "0 rows",
                     "the audit log %s is empty: every event is lost; restore it from a backup",
                     n->display);
        goto done;
    }
    if (!rc && s->row_hash_column) {
        rc = verify_chain(ctx, s, n, b, &cv, e);
        chained = true;
    }
    if (!rc) {
        const char *head_text = PQgetvalue(res[1], 0, 0);
        int64_t head_us = int_at(res[1], 0, 1), head_id = 0, head_key;
        bool cut;
        if (s->unordered) {
            cut = head_us < b->head_us;
            head_key = floor_div(floor_div(head_us, 1000), b->range);
        } else {
            parse_int64(head_text, &head_id);
            cut = head_id < b->head_id;
            head_key = head_id / b->range;
        }
        size_t n_now, nd;
        anchor *now = anchors_read(res[0], &n_now);
        range_diff *diffs;
        anchor_summary sum;
        anchors_compare(b->ranges, b->n_ranges, now, n_now, cut, head_key, &diffs, &nd, &sum);
        rc = report_ranges(ctx, s, n, b, diffs, nd, &sum, chained ? &cv : NULL, e);
        if (!rc) {
            report_loss(ctx, s, n, b, cut, head_text, head_us, &sum);
            if (!s->unordered) {
                report_gaps(ctx, n, b, res[4], int_at(res[3], 0, 0),
                            head_id < b->head_id ? head_id : b->head_id);
                report_order(ctx, n, res[5]);
            }
            if (chained)
                report_chain(ctx, n, &cv);
            report_rpo(ctx, s, n, int_at(res[2], 0, 1));
        }
        free(diffs);
        free(now);
    }
done:
    if (chained)
        chain_release(&cv);
    for (size_t i = 0; i < nq; i++) {
        PQclear(res[i]);
        free(sqls[i]);
    }
    return rc;
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    audit_settings *s = p;
    pg_session *db = check_db(ctx);
    names n;
    names_make(db, s, &n);
    bool exists;
    char *problem = NULL;
    base_view b;
    char why[512];
    vexit rc = describe_table(db, s, &exists, &problem, e);
    if (rc) {
        names_release(&n);
        return rc;
    }
    if (!exists) {
        check_report(ctx, RESULT_FAIL, n.display, "present", "missing",
                     "the audit table %s does not exist: restore it before reopening", n.display);
    } else if (problem) {
        check_report(ctx, RESULT_FAIL, n.display, NULL, NULL, "the audit table %s %s", n.display,
                     problem);
    } else if (!base_read(baseline, s, &n, &b, why, sizeof why)) {
        check_report(ctx, RESULT_ERROR, n.display, NULL, NULL, "%s", why);
        base_release(&b);
    } else {
        rc = check_log(ctx, s, &n, &b, e);
        base_release(&b);
    }
    free(problem);
    if (!rc)
        rc = audit_feeders_check(ctx, s, json_object_get(baseline, "feeders"), e);
    names_release(&n);
    return rc;
}

const checker checker_audit_log = {
    .name = "audit_log",
    .summary = "every audit event up to the restored head is there and unaltered, the chain"
               " verifies, the loss is within the RPO",
    .keys = audit_log_keys,
    .configure = configure,
    .release = release,
    .capture = capture,
    .check = check,
};
