/* share_tokens: a table of hashed tokens (share links, sessions, API keys) still holds
 * hashes of the configured format, no plaintext, no duplicates, sane expiries, and the
 * same (id, hash, expiry, revoked) as the baseline.
 *
 * Everything is scanned in the server, in one pass: per range of ids a count, a digest
 * and FILTER aggregates for the format, plaintext and expiry rules. Only ranges whose
 * digest differs from the baseline's are read again, row by row, to say which links
 * changed and how. No token and no token hash ever leaves the server: a row is known to
 * the client by its id, its times and the first 16 hex digits of sha256(hash).
 *
 * The baseline document holds each range's count and digest; the row lines of each range
 * are a baseline part of their own (checker.h), put into the store as they are read and
 * read back in range order only as far as a changed range needs: memory stays flat
 * however many tokens the table holds. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checker.h"
#include "checks/target.h"
#include "checks/token_rules.h"
#include "src/ident.h"
#include "src/sql_expr.h"
#include "src/util.h"

#define DEFAULT_RANGE 4096
#define SHOWN_IDS 5        /* ids named in a reason */
#define DETAIL_LINES 20    /* rows listed in a detail */
#define BUCKETS_PER_QUERY 32
#define SPLIT_MIN_ROWS 20000 /* from here the scan is split over two connections */

/* Required keys are checked by configure, not flagged CONF_REQUIRED: the configuration is
 * validated for every checker, also those without a section. */
static const conf_key share_tokens_keys[] = {
    {"table", 0, "SCHEMA.TABLE",
     "The table of hashed tokens (share links, sessions, API keys)."},
    {"id", 0, "COLUMN[, COLUMN...]",
     "The column (or columns, e.g. tenant_id, id) that identify a row (default id); findings"
     " name rows by it."},
    {"hash", 0, "COLUMN", "The column holding the hash of each token (text, or bytea as hex)."},
    {"format", 0,
     "sha256-hex | sha256-base64 | sha256-base64url | sha512-hex | bcrypt | argon2id |"
     " regex:PATTERN | plaintext",
     "What every value of the hash column must look like."},
    {"plaintext", CONF_REPEATABLE, "COLUMN",
     "A column that must hold no token: NULL or empty in every row; repeatable."},
    {"expires", 0, "COLUMN", "When each token stops working, if the table says."},
    {"created", 0, "COLUMN", "When each token was made, if the table says."},
    {"lifetime", 0, "DURATION",
     "With created and no expires: every token expires this long after its creation."},
    {"revoked", 0, "COLUMN | COLUMN in (VALUE, ...)",
     "How a revoked token is marked: a time or boolean column, or a column's values."},
    {"where", 0, "SQL expression", "Only rows for which this condition holds are judged."},
    {"expiry_required", 0, "yes | no",
     "Fail every token without an expiry, not only one that lost it (default: no, yes"
     " with max_lifetime)."},
    {"plaintext_status", 0, "warn | fail",
     "With format = plaintext: how the unhashed tokens are reported (default warn)."},
    {"max_lifetime", 0, "DURATION",
     "The longest a token may live from creation to expiry: 30d, 720h, 2w (default: no limit)."},
    {"range", 0, "N", "Ids per range digest in the baseline (default 4096)."},
    {NULL, 0, NULL, NULL},
};

/* How a revoked token is marked. */
typedef enum { REV_NONE, REV_COLUMN, REV_VALUES } rev_kind;

typedef struct tok_settings {
    qname table;
    char **ids;            /* the id columns, one or more */
    size_t n_ids;
    char *id;              /* as findings name it: "id", "tenant_id, id" */
    char *hash, *format, *expires, *created, *revoked;
    rev_kind rev;
    char **rev_values;     /* REV_VALUES: the values that mean revoked */
    size_t n_rev_values;
    char *rev_array;       /* the values as a text[] literal, a query parameter */
    char *where, *where_at;
    token_format fmt;      /* regex may point into format */
    bool expiry_required, plaintext_fails;
    char **plaintext;
    size_t n_plaintext, cap_plaintext;
    int64_t max_lifetime_s; /* 0: no limit */
    int64_t lifetime_s;     /* 0: none; else expiry is created + lifetime */
    int64_t range;
} tok_settings;

static void release(void *p)
{
    tok_settings *s = p;
    if (!s)
        return;
    qname_release(&s->table);
    token_list_free(s->ids, s->n_ids);
    free(s->id);
    free(s->hash);
    free(s->format);
    free(s->expires);
    free(s->created);
    free(s->revoked);
    token_list_free(s->rev_values, s->n_rev_values);
    free(s->rev_array);
    free(s->where);
    free(s->where_at);
    for (size_t i = 0; i < s->n_plaintext; i++)
        free(s->plaintext[i]);
    free(s->plaintext);
    free(s);
}

/* "FILE:LINE: [share_tokens] is missing required key 'KEY'", as for any section. */
static vexit missing(const conf *c, const char *key, verr *e)
{
    const conf_section *sec = conf_find_section(c, "share_tokens");
    return verr_set(e, VOUCH_USAGE, "%s:%d: [share_tokens] is missing required key '%s'", c->path,
                    sec ? sec->line : 0, key);
}

/* id = COLUMN[, COLUMN...]: each a name as SQL reads it, none twice. */
static vexit configure_ids(const conf *c, tok_settings *s, verr *e)
{
    const conf_entry *ent = conf_get(c, "share_tokens", "id");
    if (!ent) {
        s->ids = xcalloc(1, sizeof *s->ids);
        s->ids[s->n_ids++] = xstrdup("id");
        s->id = xstrdup("id");
        return VOUCH_OK;
    }
    char why[256], **raw;
    size_t n_raw;
    if (!token_list_split(ent->value, &raw, &n_raw, why, sizeof why))
        return conf_error(e, c, ent, "%s", why);
    s->ids = xcalloc(n_raw, sizeof *s->ids);
    textbuf shown = {0};
    vexit rc = VOUCH_OK;
    for (size_t i = 0; i < n_raw && !rc; i++) {
        char *col;
        if (!ident_parse(raw[i], &col, why, sizeof why)) {
            rc = conf_error(e, c, ent, "%s", why);
            break;
        }
        for (size_t k = 0; k < s->n_ids && !rc; k++)
            if (strcmp(s->ids[k], col) == 0)
                rc = conf_error(e, c, ent, "column %s given twice", col);
        if (rc) {
            free(col);
            break;
        }
        textbuf_add(&shown, "%s%s", i ? ", " : "", col);
        s->ids[s->n_ids++] = col;
    }
    token_list_free(raw, n_raw);
    s->id = shown.p ? shown.p : xstrdup("");
    return rc;
}

/* The values as one text[] literal: each element double-quoted, \ and " escaped. */
static char *text_array(char **v, size_t n)
{
    textbuf b = {0};
    textbuf_add(&b, "{");
    for (size_t i = 0; i < n; i++) {
        textbuf_add(&b, "%s\"", i ? "," : "");
        for (const char *p = v[i]; *p; p++)
            textbuf_add(&b, "%s%c", *p == '"' || *p == '\\' ? "\\" : "", *p);
        textbuf_add(&b, "\"");
    }
    textbuf_add(&b, "}");
    return b.p;
}

/* revoked = COLUMN, or COLUMN in (VALUE, ...): the values reach SQL as a parameter. */
static vexit configure_revoked(const conf *c, tok_settings *s, verr *e)
{
    const conf_entry *ent = conf_get(c, "share_tokens", "revoked");
    if (!ent)
        return VOUCH_OK;
    char why[256], *col_text;
    if (!token_revoked_parse(ent->value, &col_text, &s->rev_values, &s->n_rev_values, why,
                             sizeof why))
        return conf_error(e, c, ent, "%s", why);
    bool ok = ident_parse(col_text, &s->revoked, why, sizeof why);
    free(col_text);
    if (!ok)
        return conf_error(e, c, ent, "%s", why);
    s->rev = s->n_rev_values ? REV_VALUES : REV_COLUMN;
    if (s->n_rev_values)
        s->rev_array = text_array(s->rev_values, s->n_rev_values);
    return VOUCH_OK;
}

/* where = EXPR: one SQL expression that cannot leave its parentheses (src/sql_expr.h);
 * the server parses it before any query uses it. */
static vexit configure_where(const conf *c, tok_settings *s, verr *e)
{
    const conf_entry *ent = conf_get(c, "share_tokens", "where");
    if (!ent)
        return VOUCH_OK;
    char why[256];
    if (!sql_expr_lex_check(ent->value, why, sizeof why)) {
        conf_error(e, c, ent, "%s", why);
        verr_hint(e, "Give one SQL condition over the table's columns; vouch puts it in"
                     " parentheses inside its own read-only queries.");
        return e->code;
    }
    s->where = xstrdup(trim(ent->value));
    s->where_at = xasprintf("%s:%d", c->path, ent->line);
    return VOUCH_OK;
}

static vexit configure(const conf *c, void **out, verr *e)
{
    tok_settings *s = xcalloc(1, sizeof *s);
    s->range = DEFAULT_RANGE;
    char why[256];
    vexit rc = VOUCH_OK;
    const conf_entry *ent = conf_get(c, "share_tokens", "table");
    if (!ent)
        rc = missing(c, "table", e);
    else
        rc = conf_qname(c, ent, "table", &s->table, e);
    if (!rc)
        rc = configure_ids(c, s, e);
    if (!rc && !(rc = conf_ident_key(c, "share_tokens", "hash", NULL, &s->hash, e)) && !s->hash)
        rc = missing(c, "hash", e);
    if (!rc)
        rc = conf_ident_key(c, "share_tokens", "expires", NULL, &s->expires, e);
    if (!rc)
        rc = conf_ident_key(c, "share_tokens", "created", NULL, &s->created, e);
    if (!rc)
        rc = configure_revoked(c, s, e);
    if (!rc)
        rc = configure_where(c, s, e);
    /* Rows are named by their id in findings and in the baseline: an id that is the token
     * (a session table keyed by its token) would put tokens in the store. */
    for (size_t i = 0; !rc && i < s->n_ids; i++)
        if (strcmp(s->ids[i], s->hash) == 0) {
            rc = conf_error(e, c, conf_get(c, "share_tokens", "hash"),
                            "column %s is also the id: findings and the baseline name rows by their"
                            " id, so the id must not be the token",
                            s->ids[i]);
            verr_hint(e, "Give a column that identifies the row without being the token; a"
                         " table keyed by the token itself cannot be checked.");
        }
    if (!rc && !(ent = conf_get(c, "share_tokens", "format")))
        rc = missing(c, "format", e);
    if (!rc) {
        s->format = xstrdup(ent->value);
        if (!token_format_lookup(s->format, &s->fmt, why, sizeof why))
            rc = conf_error(e, c, ent, "%s", why);
    }
    if (!rc && (ent = conf_get(c, "share_tokens", "max_lifetime")) &&
        !token_lifetime_parse(ent->value, &s->max_lifetime_s))
        rc = conf_error(e, c, ent, "\"%s\" is not a lifetime: write 30d, 720h, 2w or 90min",
                        ent->value);
    if (!rc && (ent = conf_get(c, "share_tokens", "lifetime"))) {
        if (!token_lifetime_parse(ent->value, &s->lifetime_s))
            rc = conf_error(e, c, ent, "\"%s\" is not a lifetime: write 24h, 30d, 2w or 90min",
                            ent->value);
        else if (s->expires)
            rc = conf_error(e, c, ent, "give lifetime or expires, not both: lifetime is for a"
                                       " table whose tokens expire a fixed time after created");
        else if (!s->created)
            rc = conf_error(e, c, ent, "lifetime needs created: the column a token's expiry"
                                       " is counted from");
    }
    if (!rc && s->max_lifetime_s && !(s->expires && s->created))
        rc = conf_error(e, c, conf_get(c, "share_tokens", "max_lifetime"),
                        "max_lifetime needs both expires and created");
    if (!rc && (ent = conf_get(c, "share_tokens", "expiry_required"))) {
        if (!(rc = conf_bool(c, ent, &s->expiry_required, e)) && s->expiry_required &&
            !s->expires)
            rc = conf_error(e, c, ent, "expiry_required needs expires");
    }
    if (!rc && s->max_lifetime_s)
        s->expiry_required = true;
    if (!rc && (ent = conf_get(c, "share_tokens", "plaintext_status"))) {
        if (strcmp(ent->value, "fail") == 0)
            s->plaintext_fails = true;
        else if (strcmp(ent->value, "warn") != 0)
            rc = conf_error(e, c, ent, "\"%s\" is not warn or fail", ent->value);
        else if (!s->fmt.plaintext)
            rc = conf_error(e, c, ent, "plaintext_status applies to format = plaintext only");
    }
    if (!rc && (ent = conf_get(c, "share_tokens", "range")))
        rc = conf_int(c, ent, 16, 1 << 24, &s->range, e);
    conf_seen seen = {0};
    for (ent = NULL; !rc && (ent = conf_next(c, "share_tokens", "plaintext", ent));) {
        char *col;
        if ((rc = conf_ident(c, ent, &col, e)))
            break;
        if ((rc = conf_seen_add(&seen, c, ent, col, e))) {
            free(col);
            break;
        }
        for (size_t i = 0; !rc && i < s->n_ids; i++)
            if (strcmp(s->ids[i], col) == 0)
                rc = conf_error(e, c, ent, "column %s is also the id: the id must not be a token",
                                col);
        if (rc) {
            free(col);
            break;
        }
        grow((void **)&s->plaintext, &s->cap_plaintext, s->n_plaintext + 1, sizeof *s->plaintext);
        s->plaintext[s->n_plaintext++] = col;
    }
    conf_seen_release(&seen);
    if (rc) {
        release(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}

/* ------------------------------------------------------------------ SQL text */


/* Query parameters, numbered in the order they are added. */
typedef struct params {
    const char *v[8];
    char num[8][32];
    int n;
} qparams;

static int param_text(qparams *p, const char *value)
{
    p->v[p->n] = value;
    return ++p->n;
}

static int param_int(qparams *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)x);
    p->v[p->n] = p->num[p->n];
    return ++p->n;
}

/* The table as this run finds it: SQL for its columns and what the catalog says. */
typedef struct shape {
    bool exists, int_ids;
    bool hashed;        /* ranges by a hash of the id, not by its value */
    bool bytea_hash;    /* the hash column is bytea: judged and digested as hex */
    bool rev_time;      /* REV_COLUMN: a time column (else a boolean) */
    char *missing;      /* the first configured column the table lacks, or NULL */
    char *not_time;     /* a column of the wrong type, "COL (TYPE)", or NULL */
    char *unique_index; /* a valid unique index on the hash column alone, or NULL */
    char *qtable, *qid, *qhash, *qcreated, *qrevoked;
    char *idtext;       /* the id as text: "id"::text, or a JSON array for several columns */
    char *htext;        /* the hash as text: "h"::text, or encode("h", 'hex') */
    char *qexp;         /* the expiry: a column, created + lifetime, or NULL */
    char *tok;          /* true when the row holds a token (hash neither NULL nor empty) */
    char *where;        /* " WHERE (configured condition)", or "" */
    char **qplain;
    size_t n_plain;
} shape;

static void shape_release(shape *sh)
{
    free(sh->missing);
    free(sh->not_time);
    free(sh->unique_index);
    free(sh->qtable);
    free(sh->qid);
    PQfreemem(sh->qhash);
    free(sh->qexp);
    PQfreemem(sh->qcreated);
    PQfreemem(sh->qrevoked);
    free(sh->idtext);
    free(sh->htext);
    free(sh->tok);
    free(sh->where);
    for (size_t i = 0; i < sh->n_plain; i++)
        PQfreemem(sh->qplain[i]);
    free(sh->qplain);
}

static const char *column_type(PGresult *r, const char *name)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, 0), name) == 0)
            return PQgetvalue(r, i, 1);
    return NULL;
}

static bool is_time_type(const char *t)
{
    return strcmp(t, "timestamptz") == 0 || strcmp(t, "timestamp") == 0 || strcmp(t, "date") == 0;
}

static vexit resolve(pg_session *db, const tok_settings *s, shape *sh, verr *e)
{
    const char *params[] = {s->table.schema, s->table.name};
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT a.attname, t.typname FROM pg_catalog.pg_attribute a"
                        " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                        " WHERE a.attrelid = (SELECT c.oid FROM pg_catalog.pg_class c"
                        "   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                        "   WHERE n.nspname = $1 AND c.relname = $2"
                        "   AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))"
                        " AND a.attnum > 0 AND NOT a.attisdropped",
                        2, params, e);
    if (rc)
        return rc;
    sh->exists = PQntuples(r) > 0;
    const char *cols[] = {s->hash, s->expires, s->created, s->revoked};
    for (size_t i = 0; sh->exists && i < s->n_ids && !sh->missing; i++)
        if (!column_type(r, s->ids[i]))
            sh->missing = xstrdup(s->ids[i]);
    for (size_t i = 0; sh->exists && i < 4 && !sh->missing; i++)
        if (cols[i] && !column_type(r, cols[i]))
            sh->missing = xstrdup(cols[i]);
    for (size_t i = 0; sh->exists && i < s->n_plaintext && !sh->missing; i++)
        if (!column_type(r, s->plaintext[i]))
            sh->missing = xstrdup(s->plaintext[i]);
    for (size_t i = 1; sh->exists && !sh->missing && i < 3 && !sh->not_time; i++)
        if (cols[i] && !is_time_type(column_type(r, cols[i])))
            sh->not_time = xasprintf("%s (%s)", cols[i], column_type(r, cols[i]));
    if (sh->exists && !sh->missing && !sh->not_time && s->rev == REV_COLUMN) {
        const char *t = column_type(r, s->revoked);
        sh->rev_time = is_time_type(t);
        if (!sh->rev_time && strcmp(t, "bool") != 0)
            sh->not_time = xasprintf("%s (%s)", s->revoked, t);
    }
    if (sh->exists && !sh->missing) {
        const char *t = column_type(r, s->ids[0]);
        sh->int_ids = s->n_ids == 1 && (strcmp(t, "int2") == 0 || strcmp(t, "int4") == 0 ||
                                        strcmp(t, "int8") == 0);
        sh->bytea_hash = strcmp(column_type(r, s->hash), "bytea") == 0;
    }
    PQclear(r);
    /* A valid, whole-column unique index on the hash already rules out duplicates. */
    const char *p3[] = {s->table.schema, s->table.name, s->hash};
    if (sh->exists && !sh->missing &&
        (rc = pg_query(db, &r,
                       "SELECT i.indexrelid::pg_catalog.regclass::text FROM pg_catalog.pg_index i"
                       " JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
                       " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                       " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid"
                       "  AND a.attnum = i.indkey[0]"
                       " WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3"
                       " AND i.indisunique AND i.indisvalid AND i.indisready AND i.indnkeyatts = 1"
                       " AND i.indpred IS NULL AND i.indexprs IS NULL"
                       " ORDER BY 1 LIMIT 1",
                       3, p3, e)))
        return rc;
    if (sh->exists && !sh->missing) {
        if (PQntuples(r))
            sh->unique_index = xstrdup(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    char *qs = pg_quote_ident(db, s->table.schema), *qn = pg_quote_ident(db, s->table.name);
    sh->qtable = xasprintf("%s.%s", qs, qn);
    PQfreemem(qs);
    PQfreemem(qn);
    textbuf idt = {0}, qid = {0};
    for (size_t i = 0; i < s->n_ids; i++) {
        char *q = pg_quote_ident(db, s->ids[i]);
        textbuf_add(&qid, "%s%s", i ? ", " : "", q);
        textbuf_add(&idt, "%s%s::text", i ? ", " : "", q);
        PQfreemem(q);
    }
    sh->qid = qid.p;
    if (s->n_ids == 1) {
        sh->idtext = idt.p;
    } else {
        sh->idtext = xasprintf("pg_catalog.to_json(ARRAY[%s])::text", idt.p);
        free(idt.p);
    }
    sh->qhash = pg_quote_ident(db, s->hash);
    sh->htext = sh->bytea_hash ? xasprintf("pg_catalog.encode(%s, 'hex')", sh->qhash)
                               : xasprintf("%s::text", sh->qhash);
    sh->tok = xasprintf("(%s IS NOT NULL AND %s <> '')", sh->htext, sh->htext);
    sh->qcreated = s->created ? pg_quote_ident(db, s->created) : NULL;
    if (s->expires) {
        char *q = pg_quote_ident(db, s->expires);
        sh->qexp = xstrdup(q);
        PQfreemem(q);
    } else if (s->lifetime_s) {
        /* A number vouch parsed, never the configured text. */
        sh->qexp = xasprintf("(%s + interval '%lld seconds')", sh->qcreated,
                             (long long)s->lifetime_s);
    }
    sh->qrevoked = s->revoked ? pg_quote_ident(db, s->revoked) : NULL;
    sh->where = s->where ? xasprintf(" WHERE (%s)", s->where) : xstrdup("");
    sh->qplain = xcalloc(s->n_plaintext + 1, sizeof *sh->qplain);
    for (size_t i = 0; i < s->n_plaintext; i++)
        sh->qplain[sh->n_plain++] = pg_quote_ident(db, s->plaintext[i]);
    return VOUCH_OK;
}

/* The configured row filter, parsed by the server before any query uses it: why "" when
 * it is one condition over the table's rows, the server's refusal otherwise. */
static vexit probe_where(pg_session *db, const tok_settings *s, const shape *sh, char *why,
                         size_t size, verr *e)
{
    why[0] = '\0';
    if (!s->where)
        return VOUCH_OK;
    char *sql = xasprintf("SELECT pg_catalog.count(*) FROM %s WHERE (%s)::boolean", sh->qtable,
                          s->where);
    char server[sizeof e->msg];
    vexit rc = sql_expr_probe(db, sql, server, sizeof server, e);
    free(sql);
    if (!rc && *server) {
        char *d = qname_display(s->table.schema, s->table.name);
        snprintf(why, size, "%s: [share_tokens] where: not usable as a condition on the rows of"
                            " %s: %.600s",
                 s->where_at, d, server);
        free(d);
    }
    return rc;
}

/* A time column as the line carries it: microseconds since the epoch, "infinity", or ''. */
static void sb_time(textbuf *b, const char *col)
{
    if (!col) {
        textbuf_add(b, "''");
        return;
    }
    textbuf_add(b,
           "CASE WHEN %s IS NULL THEN '' WHEN pg_catalog.isfinite(%s)"
           " THEN pg_catalog.round(pg_catalog.date_part('epoch', %s) * 1000000)::bigint::text"
           " ELSE %s::text END",
           col, col, col, col);
}

/* The revocation as the line carries it: a time, "revoked" for a flag that is set, ''. */
static void sb_revoked(textbuf *b, const tok_settings *s, const shape *sh, const char *values_ref)
{
    if (s->rev == REV_COLUMN && sh->rev_time)
        sb_time(b, sh->qrevoked);
    else if (s->rev == REV_COLUMN)
        textbuf_add(b, "CASE WHEN %s THEN 'revoked' ELSE '' END", sh->qrevoked);
    else if (s->rev == REV_VALUES)
        textbuf_add(b, "CASE WHEN %s::text = ANY (%s::text[]) THEN 'revoked' ELSE '' END",
                    sh->qrevoked, values_ref);
    else
        textbuf_add(b, "''");
}

/* The range of a row: dense integer ids by value (floor division by range_ref ids),
 * others by a stable hash of the id into range_ref ranges. */
static void sb_bucket(textbuf *b, const shape *sh, const char *range_ref)
{
    if (!sh->hashed)
        textbuf_add(b,
               "CASE WHEN %1$s >= 0 THEN %1$s / %2$s::bigint"
               " ELSE (%1$s + 1) / %2$s::bigint - 1 END",
               sh->qid, range_ref);
    else
        textbuf_add(b,
               "(('x' || pg_catalog.left(pg_catalog.md5(%1$s), 7))::bit(28)::int"
               " %% %2$s::int)::bigint",
               sh->idtext, range_ref);
}

/* The select list every query reads rows through: b (the range), k (the order),
 * idt (the id as text), head || short the row's line (see token_rules.h), head || whole
 * what its range's digest covers, created (as a time field) and tok (the row holds a
 * token). */
static void sb_rows(textbuf *b, const tok_settings *s, const shape *sh, const char *range_ref,
                    const char *values_ref)
{
    char *idt = sh->int_ids ? xasprintf("%s::text", sh->qid)
                : s->n_ids == 1 ? xasprintf("pg_catalog.to_json(%s)::text", sh->idtext)
                                : xstrdup(sh->idtext);
    textbuf_add(b, "SELECT ");
    sb_bucket(b, sh, range_ref);
    textbuf_add(b, " AS b,");
    if (sh->int_ids)
        textbuf_add(b, " %s AS k,", sh->qid);
    else
        textbuf_add(b, " %s COLLATE \"C\" AS k,", sh->idtext);
    /* The id and times, then the hash: whole (which only the server digests) and as the
     * first 16 hex digits of its SHA-256 (what may leave the server). */
    textbuf_add(b, " %s AS idt, coalesce(%s, 'NULL') || E'\\t' || ", idt, idt);
    free(idt);
    sb_time(b, sh->qexp);
    textbuf_add(b, " || E'\\t' || ");
    sb_revoked(b, s, sh, values_ref);
    textbuf_add(b,
           " || E'\\t' AS head, coalesce(%1$s, '') AS whole, pg_catalog.left(pg_catalog.encode("
           "pg_catalog.sha256(pg_catalog.convert_to(coalesce(%1$s, ''), 'UTF8')), 'hex'), 16)"
           " AS short, ",
           sh->htext);
    sb_time(b, sh->qcreated);
    textbuf_add(b, " AS created, %s AS tok", sh->tok);
}

/* ------------------------------------------------------- the one-pass scan */

/* A rule every row must meet, counted in the scan. */
typedef struct rule {
    char *cond;        /* SQL: true when the row breaks the rule */
    int64_t count;
    char ids[320];     /* the first few ids, ", "-separated */
    int n_ids;
} rule;

enum { R_HASH, R_EXP_NULL, R_EXP_BEFORE, R_CREATED_NULL, R_LIFETIME, R_PLAIN0 };

typedef struct scan {
    rule *rules;
    size_t n_rules;
    int64_t rows;
    /* One row per range: b, n, digest, then count and ids per rule; from one
     * query, or from two that split the ranges between connections (in b order). */
    PGresult *res[2];
    size_t n_res;
} scan;

static void scan_release(scan *sc)
{
    for (size_t i = 0; i < sc->n_rules; i++)
        free(sc->rules[i].cond);
    free(sc->rules);
    for (size_t i = 0; i < sc->n_res; i++)
        PQclear(sc->res[i]);
}

static int scan_ranges(const scan *sc)
{
    int n = 0;
    for (size_t i = 0; i < sc->n_res; i++)
        n += PQntuples(sc->res[i]);
    return n;
}

/* Field col of the row-th range, counting across the results. */
static const char *scan_value(const scan *sc, int row, int col)
{
    for (size_t i = 0; i < sc->n_res; i++) {
        if (row < PQntuples(sc->res[i]))
            return PQgetvalue(sc->res[i], row, col);
        row -= PQntuples(sc->res[i]);
    }
    return "";
}

/* Count a range's offenders and keep its first ids (", "-separated, as the server
 * joined them) until SHOWN_IDS are kept in all. */
static void add_ids(rule *r, const char *ids, int64_t count)
{
    r->count += count;
    size_t take = 0;
    while (ids[take] && r->n_ids < SHOWN_IDS) {
        const char *sep = strstr(ids + take, ", ");
        take = sep ? (size_t)(sep - ids) : strlen(ids);
        r->n_ids++;
        if (sep && r->n_ids < SHOWN_IDS)
            take += 2;
    }
    if (!take)
        return;
    size_t len = strlen(r->ids);
    snprintf(r->ids + len, sizeof r->ids - len, "%s%.*s", len ? ", " : "", (int)take, ids);
}

/* How the scan's SQL refers to its values: "$n" parameters, or, for a scan split over
 * connections (which take no parameters), literals of values vouch made itself: numbers
 * it computed and the built-in formats' regular expressions, never text from the user. */
typedef struct refs {
    char range[48], life[48], len[48], pad[48], values[48];
    char *regex;  /* "$n", or a literal from PQescapeLiteral (PQfreemem) */
} refs;

static void build_rules(const tok_settings *s, const shape *sh, const refs *rf, scan *sc)
{
    sc->n_rules = R_PLAIN0 + sh->n_plain;
    sc->rules = xcalloc(sc->n_rules, sizeof *sc->rules);
    /* Only rows that hold a token are judged as tokens; a plaintext column in every row. */
    const char *t = sh->tok;
    if (s->fmt.plaintext)
        sc->rules[R_HASH].cond = xstrdup("false");
    /* The built-in formats' expressions accept ASCII only, and "=" only as padding: where
     * one matches, bytes are characters, so octet_length says what length would (and costs
     * no walk over the characters); where it does not, the rule fails either way. Without
     * padding the value holds no "=" to trim. */
    else if (s->fmt.length && !s->fmt.padding)
        sc->rules[R_HASH].cond = xasprintf(
            "%4$s AND NOT coalesce(pg_catalog.octet_length(%1$s) = %2$s::int AND %1$s ~ %3$s,"
            " false)",
            sh->htext, rf->len, rf->regex, t);
    else if (s->fmt.length)
        sc->rules[R_HASH].cond = xasprintf(
            "%5$s AND NOT coalesce(pg_catalog.octet_length(pg_catalog.rtrim(%1$s, '=')) ="
            " %2$s::int AND pg_catalog.octet_length(%1$s) <= %3$s::int AND %1$s ~ %4$s, false)",
            sh->htext, rf->len, rf->pad, rf->regex, t);
    else
        sc->rules[R_HASH].cond = xasprintf("%s AND NOT coalesce(%s ~ %s, false)", t, sh->htext,
                                           rf->regex);
    bool exp_col = s->expires != NULL;
    sc->rules[R_EXP_NULL].cond = exp_col && s->expiry_required
                                     ? xasprintf("%s AND %s IS NULL", t, sh->qexp)
                                     : xstrdup("false");
    sc->rules[R_EXP_BEFORE].cond = exp_col && sh->qcreated
                                       ? xasprintf("%s AND %s < %s", t, sh->qexp, sh->qcreated)
                                       : xstrdup("false");
    sc->rules[R_CREATED_NULL].cond =
        sh->qcreated ? xasprintf("%s AND %s IS NULL", t, sh->qcreated) : xstrdup("false");
    sc->rules[R_LIFETIME].cond =
        s->max_lifetime_s ? xasprintf("%s AND %s > %s + %s::bigint * interval '1 second'", t,
                                      sh->qexp, sh->qcreated, rf->life)
                          : xstrdup("false");
    for (size_t i = 0; i < sh->n_plain; i++)
        sc->rules[R_PLAIN0 + i].cond =
            xasprintf("%s IS NOT NULL AND %s::text <> ''", sh->qplain[i], sh->qplain[i]);
}

/* " WHERE ..." for the configured filter and more (either may be absent). */
static char *where_and(const shape *sh, const char *more)
{
    if (!more || !*more)
        return xstrdup(sh->where);
    if (!*sh->where)
        return xasprintf(" WHERE %s", more);
    return xasprintf("%s AND %s", sh->where, more);
}

/* The scan's SQL; more (may be NULL) restricts it to some ranges. */
static char *scan_sql(const tok_settings *s, const shape *sh, const scan *sc, const refs *rf,
                      const char *more)
{
    /* ORDER BY b, k keeps the row subquery from being pulled up, so each row's fields and
     * rule flags are computed once, not once per aggregate that reads them; unlike OFFSET 0
     * it lets the server run the subquery in parallel workers (its per-row fields are most
     * of the cost) and hands the grouping its rows in order (no second sort). A rule's
     * offending ids are gathered once: their count is the array's length. The range digest covers the
     * whole hashes (cheaper than a SHA-256 a row, and it never leaves the server); the
     * baseline's lines, with the short digests, are read by put_lines. Rows without a token
     * count only for the plaintext columns. */
    textbuf q = {0};
    textbuf_add(&q, "SELECT b, n, coalesce(pg_catalog.encode(pg_catalog.sha256("
                    "pg_catalog.convert_to(wholes, 'UTF8')), 'hex'), '')");
    for (size_t i = 0; i < sc->n_rules; i++)
        textbuf_add(&q,
               ", coalesce(pg_catalog.cardinality(a%zu), 0),"
               " pg_catalog.array_to_string(a%zu[1:%d], ', ')",
               i, i, SHOWN_IDS);
    textbuf_add(&q, " FROM (SELECT b, count(*) FILTER (WHERE tok) AS n,"
               " pg_catalog.string_agg(head || whole, E'\\n' ORDER BY k) FILTER (WHERE tok)"
               " AS wholes");
    for (size_t i = 0; i < sc->n_rules; i++)
        textbuf_add(&q, ", pg_catalog.array_agg(idt ORDER BY k) FILTER (WHERE r%zu) AS a%zu", i, i);
    textbuf_add(&q, " FROM (");
    sb_rows(&q, s, sh, rf->range, rf->values);
    for (size_t i = 0; i < sc->n_rules; i++)
        textbuf_add(&q, ", coalesce(%s, false) AS r%zu", sc->rules[i].cond, i);
    char *w = where_and(sh, more);
    textbuf_add(&q, " FROM %s%s ORDER BY b, k) s GROUP BY b) g ORDER BY b", sh->qtable, w);
    free(w);
    return q.p;
}

/* Add up the rule counts of every range. */
static void scan_tally(scan *sc)
{
    int first = 3;
    for (int row = 0; row < scan_ranges(sc); row++) {
        int64_t n = 0;
        parse_int64(scan_value(sc, row, 1), &n);
        sc->rows += n;
        for (size_t i = 0; i < sc->n_rules; i++) {
            int64_t count = 0;
            parse_int64(scan_value(sc, row, first + 2 * (int)i), &count);
            if (count)
                add_ids(&sc->rules[i], scan_value(sc, row, first + 2 * (int)i + 1), count);
        }
    }
}

/* One pass over the table: per range, count, digest and the rule counts. range is ids per range (value ranges) or the
 * number of ranges (hashed). */
static vexit run_scan(pg_session *db, const tok_settings *s, const shape *sh, int64_t range,
                      scan *sc, verr *e)
{
    qparams p = {0};
    refs rf = {0};
    snprintf(rf.range, sizeof rf.range, "$%d", param_int(&p, range));
    /* An unused parameter has no type the server could infer: none for plaintext. */
    rf.regex = s->fmt.regex ? xasprintf("$%d", param_text(&p, s->fmt.regex)) : xstrdup("NULL");
    if (s->max_lifetime_s)
        snprintf(rf.life, sizeof rf.life, "$%d", param_int(&p, s->max_lifetime_s));
    if (s->fmt.length) {
        snprintf(rf.len, sizeof rf.len, "$%d", param_int(&p, s->fmt.length));
        /* Only a format with padding has a longest length of its own (build_rules). */
        if (s->fmt.padding)
            snprintf(rf.pad, sizeof rf.pad, "$%d",
                     param_int(&p, s->fmt.length + s->fmt.padding));
    }
    if (s->rev == REV_VALUES)
        snprintf(rf.values, sizeof rf.values, "$%d", param_text(&p, s->rev_array));
    build_rules(s, sh, &rf, sc);
    char *q = scan_sql(s, sh, sc, &rf, NULL);
    free(rf.regex);
    /* The where condition may call the target's functions: every query over the token
     * table runs contained (src/pg.h), so a setting they change dies with the statement. */
    vexit rc = pg_query_contained(db, &sc->res[0], q, p.n, p.v, e);
    free(q);
    if (rc)
        return rc;
    sc->n_res = 1;
    scan_tally(sc);
    return VOUCH_OK;
}

/* The same scan split at range split_b into two queries that run at once over the run's
 * connections (all in its snapshot). Only for built-in formats and revocation without
 * values: the split queries carry their values as literals, and a regex: pattern or a
 * revoked value is the user's text. */
static vexit run_scan_split(check_ctx *ctx, const tok_settings *s, const shape *sh,
                            int64_t range, int64_t split_b, scan *sc, verr *e)
{
    pg_session *db = check_db(ctx);
    refs rf = {0};
    snprintf(rf.range, sizeof rf.range, "%lld", (long long)range);
    snprintf(rf.life, sizeof rf.life, "%lld", (long long)s->max_lifetime_s);
    snprintf(rf.len, sizeof rf.len, "%d", s->fmt.length);
    snprintf(rf.pad, sizeof rf.pad, "%d", s->fmt.length + s->fmt.padding);
    const char *regex = s->fmt.regex ? s->fmt.regex : "";
    rf.regex = PQescapeLiteral(db->conn, regex, strlen(regex));
    if (!rf.regex)
        return verr_set(e, VOUCH_FAILED, "could not quote a regular expression: %s",
                        PQerrorMessage(db->conn));
    build_rules(s, sh, &rf, sc);
    textbuf lo = {0}, hi = {0};
    sb_bucket(&lo, sh, rf.range);
    textbuf_add(&lo, " < %lld", (long long)split_b);
    sb_bucket(&hi, sh, rf.range);
    textbuf_add(&hi, " >= %lld", (long long)split_b);
    char *sqls[2] = {scan_sql(s, sh, sc, &rf, lo.p), scan_sql(s, sh, sc, &rf, hi.p)};
    PQfreemem(rf.regex);
    free(lo.p);
    free(hi.p);
    vexit rc = check_query_many(ctx, (const char *const *)sqls, 2, sc->res, NULL, e);
    free(sqls[0]);
    free(sqls[1]);
    if (rc)
        return rc;
    sc->n_res = 2;
    scan_tally(sc);
    return VOUCH_OK;
}

/* Rows sharing one hash, grouped in the server: counted first (a hash aggregate), and
 * only when there are any, the ids of a few. Rows without a token share nothing. */
static vexit run_duplicates(pg_session *db, const tok_settings *s, const shape *sh,
                            int64_t *groups, int64_t *rows, char **ids, verr *e)
{
    char *w = where_and(sh, sh->tok);
    char *dups = xasprintf("SELECT %1$s AS h FROM %2$s%3$s GROUP BY 1 HAVING count(*) > 1",
                           sh->qhash, sh->qtable, w);
    char *q = xasprintf("SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM %s"
                        "%s GROUP BY %s HAVING count(*) > 1) d",
                        sh->qtable, w, sh->qhash);
    PGresult *r;
    vexit rc = pg_query_contained(db, &r, q, 0, NULL, e);
    free(q);
    if (!rc) {
        parse_int64(PQgetvalue(r, 0, 0), groups);
        parse_int64(PQgetvalue(r, 0, 1), rows);
        PQclear(r);
    }
    if (!rc && *groups) {
        textbuf b = {0};
        textbuf_add(&b,
               "SELECT coalesce(pg_catalog.array_to_string((pg_catalog.array_agg(ids ORDER BY first))"
               "[1:%d], '; '), '') FROM (SELECT min(k) AS first, pg_catalog.array_to_string(("
               "pg_catalog.array_agg(idt ORDER BY k))[1:%d], ', ') AS ids FROM (",
               SHOWN_IDS, SHOWN_IDS);
        if (sh->int_ids)
            textbuf_add(&b, "SELECT %1$s AS h, %2$s AS k, %2$s::text AS idt", sh->qhash, sh->qid);
        else
            textbuf_add(&b, "SELECT %1$s AS h, %2$s COLLATE \"C\" AS k, %3$s%2$s%4$s AS idt",
                        sh->qhash, sh->idtext, s->n_ids == 1 ? "pg_catalog.to_json(" : "",
                        s->n_ids == 1 ? ")::text" : "");
        textbuf_add(&b, " FROM %s%s) s WHERE h IN (%s) GROUP BY h) d", sh->qtable, w, dups);
        if (!(rc = pg_query_contained(db, &r, b.p, 0, NULL, e))) {
            *ids = xstrdup(PQgetvalue(r, 0, 0));
            PQclear(r);
        }
        free(b.p);
    }
    if (!rc && !*ids)
        *ids = xstrdup("");
    free(dups);
    free(w);
    return rc;
}

/* ----------------------------------------------------------------- capture */

static const char *pl(int64_t n, const char *one, const char *many);
static void report_rules(check_ctx *ctx, bool at_baseline, const tok_settings *s, const char *t,
                         const scan *sc);
static void report_duplicates(check_ctx *ctx, bool at_baseline, const char *t,
                              const tok_settings *s, const shape *sh, int64_t groups,
                              int64_t rows, const char *ids);

/* The table cannot be judged as configured: missing, or columns missing or mistyped. */
static vexit shape_error(const tok_settings *s, const shape *sh, verr *e)
{
    char *d = qname_display(s->table.schema, s->table.name);
    if (!sh->exists)
        verr_set(e, VOUCH_USAGE, "table %s does not exist", d);
    else if (sh->missing)
        verr_set(e, VOUCH_USAGE, "table %s has no column %s", d, sh->missing);
    else
        verr_set(e, VOUCH_USAGE, "%s: column %s is not a date or timestamp%s", d, sh->not_time,
                 s->rev == REV_COLUMN ? " (nor a boolean, for revoked)" : "");
    free(d);
    verr_hint(e, "Check [share_tokens] in the configuration, and that the baseline runs against"
                 " the healthy database.");
    return e->code;
}

/* Ids that several token rows share, refused at baseline: findings and the comparison
 * with the baseline name a row by its id. */
static vexit unique_ids(pg_session *db, const tok_settings *s, const shape *sh, verr *e)
{
    /* A valid unique index on exactly the id columns (a primary key) already says so. */
    char *cols = text_array(s->ids, s->n_ids);
    const char *p4[] = {s->table.schema, s->table.name, cols};
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT count(*) FROM pg_catalog.pg_index i"
                        " JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
                        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = $1 AND c.relname = $2 AND i.indisunique"
                        " AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL"
                        " AND i.indnkeyatts = pg_catalog.cardinality($3::text[])"
                        " AND (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attname)"
                        "      FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid"
                        "      AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]))"
                        "   = (SELECT pg_catalog.array_agg(x ORDER BY x)"
                        "      FROM pg_catalog.unnest($3::text[]) x)",
                        3, p4, e);
    free(cols);
    if (rc)
        return rc;
    bool indexed = strcmp(PQgetvalue(r, 0, 0), "0") != 0;
    PQclear(r);
    if (indexed)
        return VOUCH_OK;
    char *w = where_and(sh, sh->tok);
    char *idt = sh->int_ids ? xasprintf("%s::text", sh->qid)
                : s->n_ids == 1 ? xasprintf("pg_catalog.to_json(%s)::text", sh->idtext)
                                : xstrdup(sh->idtext);
    char *q = xasprintf("SELECT count(*), coalesce(pg_catalog.array_to_string(("
                        "pg_catalog.array_agg(i ORDER BY i))[1:%d], ', '), '')"
                        " FROM (SELECT %s AS i FROM %s%s"
                        " GROUP BY 1 HAVING count(*) > 1) d",
                        SHOWN_IDS, idt, sh->qtable, w);
    free(idt);
    free(w);
    rc = pg_query_contained(db, &r, q, 0, NULL, e);
    free(q);
    if (rc)
        return rc;
    int64_t n = 0;
    parse_int64(PQgetvalue(r, 0, 0), &n);
    if (n) {
        char *d = qname_display(s->table.schema, s->table.name);
        verr_set(e, VOUCH_USAGE,
                 "%s: %s does not identify a token: %lld %s shared by several rows (%s)", d,
                 s->id, (long long)n, pl(n, "value is", "values are"), PQgetvalue(r, 0, 1));
        verr_hint(e, "Give every column of the key in [share_tokens] id, e.g. id = tenant_id, id;"
                     " nothing was captured.");
        free(d);
        rc = e->code;
    }
    PQclear(r);
    return rc;
}

#define RANGES_PER_FETCH 8

/* The baseline's row lines (token_rules.h), range by range in b order, each put into the
 * store as a part as it arrives: through a cursor a few ranges at a time, in the same
 * snapshot as the scan, so that capture never holds the lines of the whole table. */
static vexit put_lines(check_ctx *ctx, const tok_settings *s, const shape *sh, int64_t range,
                       verr *e)
{
    pg_session *db = check_db(ctx);
    qparams p = {0};
    char range_ref[16], values_ref[16] = "";
    snprintf(range_ref, sizeof range_ref, "$%d", param_int(&p, range));
    if (s->rev == REV_VALUES)
        snprintf(values_ref, sizeof values_ref, "$%d", param_text(&p, s->rev_array));
    textbuf q = {0};
    textbuf_add(&q, "DECLARE vouch_lines NO SCROLL CURSOR FOR SELECT b,"
                    " pg_catalog.string_agg(head || short, E'\\n' ORDER BY k) FROM (");
    sb_rows(&q, s, sh, range_ref, values_ref);
    char *w = where_and(sh, sh->tok);
    textbuf_add(&q, " FROM %s%s OFFSET 0) s GROUP BY b ORDER BY b", sh->qtable, w);
    free(w);
    if (pg_contain_begin(db, e)) {
        free(q.p);
        return e->code = VOUCH_ABORTED;
    }
    /* The where condition may call the target's functions: contained, as every query over
     * the token table (src/pg.h); the cursor dies with the savepoint. */
    verr step;
    verr_clear(&step);
    PGresult *r = NULL;
    vexit rc = pg_query(db, &r, q.p, p.n, p.v, &step);
    free(q.p);
    PQclear(r);
    char fetch[64];
    snprintf(fetch, sizeof fetch, "FETCH %d FROM vouch_lines", RANGES_PER_FETCH);
    for (int got = RANGES_PER_FETCH; !rc && got;) {
        if ((rc = pg_query(db, &r, fetch, 0, NULL, &step)))
            break;
        got = PQntuples(r);
        for (int i = 0; i < got && !rc; i++) {
            int64_t b = 0;
            parse_int64(PQgetvalue(r, i, 0), &b);
            rc = check_baseline_part_put(ctx, json_pack("{s:I, s:s}", "b", (json_int_t)b, "rows",
                                                        PQgetvalue(r, i, 1)), &step);
        }
        PQclear(r);
    }
    vexit end = pg_contain_end(db, e);
    if (end)
        return end;
    if (rc)
        *e = step;
    return rc;
}

static vexit capture(check_ctx *ctx, void *p, json_t **out, verr *e)
{
    tok_settings *s = p;
    pg_session *db = check_db(ctx);
    shape sh = {0};
    scan sc = {0};
    char why[sizeof e->msg];
    vexit rc = resolve(db, s, &sh, e);
    if (!rc && (!sh.exists || sh.missing || sh.not_time))
        rc = shape_error(s, &sh, e);
    if (!rc && !(rc = probe_where(db, s, &sh, why, sizeof why, e)) && *why) {
        rc = verr_set(e, VOUCH_USAGE, "%s", why);
        verr_hint(e, "Give one SQL condition over the table's columns; nothing was captured.");
    }
    if (!rc)
        rc = unique_ids(db, s, &sh, e);
    /* Integer ids that are dense enough are ranged by value, so that a range is read back
     * through the primary key; sparse ones (random or snowflake ids) and other types by a
     * hash of the id, in as many ranges as the table needs now (fixed in the baseline). */
    int64_t range = s->range;
    if (!rc) {
        char *w = where_and(&sh, sh.tok);
        char *q = sh.int_ids ? xasprintf("SELECT count(*), coalesce(max(%1$s) / 2 - min(%1$s) / 2,"
                                         " 0) FROM %2$s%3$s",
                                         sh.qid, sh.qtable, w)
                             : xasprintf("SELECT count(*), 0 FROM %s%s", sh.qtable, w);
        free(w);
        PGresult *r;
        rc = pg_query_contained(db, &r, q, 0, NULL, e);
        free(q);
        if (!rc) {
            int64_t rows = 0, half_span = 0;
            parse_int64(PQgetvalue(r, 0, 0), &rows);
            parse_int64(PQgetvalue(r, 0, 1), &half_span);
            PQclear(r);
            int64_t needed = rows / s->range + 1;
            sh.hashed = !sh.int_ids || half_span / s->range + 1 > 4 * needed;
            if (sh.hashed)
                range = needed;
        }
    }
    if (!rc)
        rc = run_scan(db, s, &sh, range, &sc, e);
    if (!rc)
        rc = put_lines(ctx, s, &sh, range, e);
    /* What the healthy database breaks is said now, not at the first gate. */
    int64_t groups = 0, dup_rows = 0;
    char *dup_ids = NULL;
    if (!rc && !sh.unique_index)
        rc = run_duplicates(db, s, &sh, &groups, &dup_rows, &dup_ids, e);
    if (rc) {
        free(dup_ids);
        scan_release(&sc);
        shape_release(&sh);
        return rc;
    }
    char *t = qname_display(s->table.schema, s->table.name);
    report_rules(ctx, true, s, t, &sc);
    report_duplicates(ctx, true, t, s, &sh, groups, dup_rows, dup_ids);
    free(dup_ids);
    /* Version 2: the document holds each range's count and digest; the rows of a range,
     * which only a changed range needs, are a part of their own, in b order (version 1
     * kept them in the document, which a gate then held whole). */
    json_t *ranges = json_array();
    for (int row = 0; row < scan_ranges(&sc); row++) {
        int64_t b = 0, n = 0;
        parse_int64(scan_value(&sc, row, 0), &b);
        parse_int64(scan_value(&sc, row, 1), &n);
        if (!n)
            continue;   /* rows without a token only */
        json_array_append_new(ranges, json_pack("{s:I, s:I, s:s}", "b", (json_int_t)b, "n",
                                                (json_int_t)n, "digest", scan_value(&sc, row, 2)));
    }
    *out = json_pack("{s:i, s:s, s:s, s:s, s:s, s:I, s:I, s:o}", "version", 2, "table", t,
                     "id_type", sh.int_ids ? "integer" : "other", "ranges_by",
                     sh.hashed ? "hash" : "value", "snapshot_time", db->id.snapshot_time,
                     "range", (json_int_t)range, "rows", (json_int_t)sc.rows, "ranges", ranges);
    free(t);
    scan_release(&sc);
    shape_release(&sh);
    return VOUCH_OK;
}

/* ------------------------------------------------------------------ check */

/* A baseline document this version cannot read. */
static vexit malformed(verr *e)
{
    verr_set(e, VOUCH_FAILED, "the baseline's share_tokens document is malformed");
    verr_hint(e, "Run 'vouch baseline' again: it may come from another version of vouch.");
    return e->code;
}

/* The words after a count: pl(1, "token expires", "tokens expire"). */
static const char *pl(int64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* A finding of a rule; at baseline time only what the healthy database breaks, as a
 * warning, since the first gate would fail on it. */
static void rule_report(check_ctx *ctx, bool at_baseline, result_status st, const char *subject,
                        const char *expected, const char *observed, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static void rule_report(check_ctx *ctx, bool at_baseline, result_status st, const char *subject,
                        const char *expected, const char *observed, const char *fmt, ...)
{
    if (at_baseline && st == RESULT_PASS)
        return;
    char why[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (at_baseline && st == RESULT_FAIL)
        check_report(ctx, RESULT_WARN, subject, expected, observed,
                     "the healthy database breaks this rule, so the first gate will fail: %s",
                     why);
    else
        check_report(ctx, st, subject, expected, observed, "%s", why);
}

static void report_rules(check_ctx *ctx, bool at_baseline, const tok_settings *s, const char *t,
                         const scan *sc)
{
    char expected[64], observed[64];
    const rule *r = &sc->rules[R_HASH];
    char subject[256];
    snprintf(subject, sizeof subject, "%s hashes", t);
    if (s->fmt.plaintext) {
        snprintf(observed, sizeof observed, "%lld in plaintext", (long long)sc->rows);
        rule_report(ctx, at_baseline, s->plaintext_fails ? RESULT_FAIL : RESULT_WARN, subject,
                    "hashed", observed,
                    "the %lld %s in %s %s stored as issued, not hashed: whoever reads the table"
                    " or a backup of it can use %s; they are held to the baseline only (store"
                    " sha256 of each token instead)",
                    (long long)sc->rows, pl(sc->rows, "token", "tokens"), s->hash,
                    pl(sc->rows, "is", "are"), pl(sc->rows, "it", "them"));
    } else if (r->count) {
        snprintf(observed, sizeof observed, "%lld of %lld not", (long long)r->count,
                 (long long)sc->rows);
        rule_report(ctx, at_baseline, RESULT_FAIL, subject, s->format, observed,
                     "%lld %s %s %s not %s (ids %s): plaintext tokens or another format came back;"
                     " revoke these tokens, or restore %s from a backup taken after hashing",
                     (long long)r->count, s->hash, pl(r->count, "value", "values"),
                     pl(r->count, "is", "are"), s->format, r->ids, s->hash);
    } else {
        snprintf(observed, sizeof observed, "all %lld", (long long)sc->rows);
        rule_report(ctx, at_baseline, RESULT_PASS, subject, s->format, observed,
                    "every %s value is %s", s->hash, s->format);
    }
    for (size_t i = 0; i < s->n_plaintext; i++) {
        r = &sc->rules[R_PLAIN0 + i];
        snprintf(subject, sizeof subject, "%s %s", t, s->plaintext[i]);
        if (r->count) {
            snprintf(observed, sizeof observed, "%lld %s data", (long long)r->count,
                     pl(r->count, "row holds", "rows hold"));
            rule_report(ctx, at_baseline, RESULT_FAIL, subject, "NULL or ''", observed,
                         "%lld %s plaintext in %s (ids %s): set it to NULL and revoke"
                         " those tokens, they are exposed",
                         (long long)r->count, pl(r->count, "row holds", "rows hold"),
                         s->plaintext[i], r->ids);
        } else {
            rule_report(ctx, at_baseline, RESULT_PASS, subject, "NULL or ''", "empty",
                         "no row holds data in %s", s->plaintext[i]);
        }
    }
    char life[64] = "";
    if (s->max_lifetime_s)
        token_lifetime_format(s->max_lifetime_s, life, sizeof life);
    snprintf(subject, sizeof subject, "%s expiry", t);
    if (!s->expires && !s->lifetime_s) {
        rule_report(ctx, at_baseline, RESULT_PASS, subject, "not configured", "not checked",
                    "the table gives no expiry: its tokens are held to the baseline (nothing"
                    " added before it, changed or revived)");
        return;
    }
    if (s->lifetime_s)
        token_lifetime_format(s->lifetime_s, life, sizeof life);
    snprintf(expected, sizeof expected, "%s%s",
             life[0] ? (s->lifetime_s ? "created + " : "<= ")
                     : s->expiry_required ? "set" : "as baseline",
             life);
    bool any = false;
    if ((r = &sc->rules[R_EXP_NULL])->count) {
        snprintf(observed, sizeof observed, "%lld NULL", (long long)r->count);
        rule_report(ctx, at_baseline, RESULT_FAIL, subject, expected, observed,
                     "%lld %s, %s is NULL (ids %s): set an expiry or revoke them",
                     (long long)r->count, pl(r->count, "token never expires", "tokens never expire"),
                     s->expires, r->ids);
        any = true;
    }
    if ((r = &sc->rules[R_EXP_BEFORE])->count) {
        snprintf(observed, sizeof observed, "%lld before creation", (long long)r->count);
        rule_report(ctx, at_baseline, RESULT_FAIL, subject, expected, observed,
                     "%lld %s before %s created (ids %s): %s or %s was overwritten;"
                     " restore them from a good backup or revoke the tokens",
                     (long long)r->count, pl(r->count, "token expires", "tokens expire"),
                     pl(r->count, "it was", "they were"), r->ids, s->expires, s->created);
        any = true;
    }
    if ((r = &sc->rules[R_CREATED_NULL])->count) {
        snprintf(observed, sizeof observed, "%lld no creation", (long long)r->count);
        rule_report(ctx, at_baseline, RESULT_FAIL, subject, expected, observed,
                     "%lld %s no creation time, %s is NULL (ids %s): their lifetime"
                     " cannot be judged; restore %s or revoke them",
                     (long long)r->count, pl(r->count, "token has", "tokens have"), s->created, r->ids,
                     s->created);
        any = true;
    }
    if ((r = &sc->rules[R_LIFETIME])->count) {
        snprintf(observed, sizeof observed, "%lld longer", (long long)r->count);
        rule_report(ctx, at_baseline, RESULT_FAIL, subject, expected, observed,
                     "%lld %s more than %s after creation (ids %s): %s extended; put"
                     " back the expiry or revoke them",
                     (long long)r->count, pl(r->count, "token expires", "tokens expire"), life,
                     r->ids, pl(r->count, "it was", "they were"));
        any = true;
    }
    if (!any)
        rule_report(ctx, at_baseline, RESULT_PASS, subject, expected, "all within",
                     "every token %s%s%s", s->lifetime_s ? "expires at its creation + "
                     : s->expiry_required ? "has an expiry after its creation"
                                          : "that has an expiry has it after its creation",
                     life[0] && !s->lifetime_s ? " and at most " : "", life);
}

static void report_duplicates(check_ctx *ctx, bool at_baseline, const char *t,
                              const tok_settings *s, const shape *sh, int64_t groups,
                              int64_t rows, const char *ids)
{
    char subject[256], observed[64];
    snprintf(subject, sizeof subject, "%s duplicates", t);
    if (sh->unique_index) {
        rule_report(ctx, at_baseline, RESULT_PASS, subject, "none", "unique index",
                     "every %s value is unique: unique index %s holds", s->hash, sh->unique_index);
        return;
    }
    if (!groups) {
        rule_report(ctx, at_baseline, RESULT_PASS, subject, "none", "none",
                    "every %s value is unique",
                     s->hash);
        return;
    }
    snprintf(observed, sizeof observed, "%lld rows share %lld", (long long)rows, (long long)groups);
    rule_report(ctx, at_baseline, RESULT_FAIL, subject, "none", observed,
                 "%lld rows share %lld %s (ids %s): one token opens several rows; revoke"
                 " the copies and restore the UNIQUE constraint on %s",
                 (long long)rows, (long long)groups, pl(groups, "hash", "hashes"), ids, s->hash);
}

/* One kind of change against the baseline, with the rows it names. */
typedef struct change {
    const char *what;       /* subject suffix */
    result_status status;
    int64_t count;
    char ids[320];
    int n_ids;
    textbuf detail;
} change;

enum {
    C_VANISHED, C_HASH, C_EXTENDED, C_REVIVED, C_BACKDATED, C_SHORTENED, C_REVOKED_MOVED,
    C_UNDATED,  /* new since the baseline in a table without a creation time */
    C_N
};

static void note(change *c, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note(change *c, const char *id, const char *fmt, ...)
{
    c->count++;
    if (c->n_ids < SHOWN_IDS) {
        size_t len = strlen(c->ids);
        snprintf(c->ids + len, sizeof c->ids - len, "%s%s", len ? ", " : "", id);
        c->n_ids++;
    }
    if (c->count > DETAIL_LINES)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    textbuf_add(&c->detail, "%sid %s: %s", c->detail.len ? "\n" : "", id, line);
}

typedef struct linev {
    token_line *v;
    char **own;        /* the copies the lines point into */
    const char **created;
    size_t n, cap, n_own;
    bool int_ids;
} linev;

static void linev_release(linev *l)
{
    for (size_t i = 0; i < l->n_own; i++)
        free(l->own[i]);
    free(l->own);
    free(l->v);
    free(l->created);
    *l = (linev){.int_ids = l->int_ids};
}

static void linev_push(linev *l, char *copy, const char *created)
{
    token_line t;
    l->own = xrealloc(l->own, (l->n_own + 1) * sizeof *l->own);
    l->own[l->n_own++] = copy;
    if (!token_line_split(copy, &t))
        return;
    size_t cap = l->cap;
    grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    if (l->cap != cap)
        l->created = xrealloc(l->created, l->cap * sizeof *l->created);
    l->v[l->n] = t;
    l->created[l->n++] = created;
}

/* Every line of a baseline range ("rows": lines joined with newlines). */
static void linev_from_text(linev *l, const char *text)
{
    char *all = xstrdup(text);
    l->own = xrealloc(l->own, (l->n_own + 1) * sizeof *l->own);
    l->own[l->n_own++] = all;
    for (char *line = all; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        token_line t;
        if (token_line_split(line, &t)) {
            size_t cap = l->cap;
            grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
            if (l->cap != cap)
                l->created = xrealloc(l->created, l->cap * sizeof *l->created);
            l->v[l->n] = t;
            l->created[l->n++] = NULL;
        }
        line = nl ? nl + 1 : NULL;
    }
}

static int id_cmp(const char *a, const char *b, bool int_ids)
{
    if (int_ids) {
        int64_t x = 0, y = 0;
        parse_int64(a, &x);
        parse_int64(b, &y);
        return x < y ? -1 : x > y;
    }
    return strcmp(a, b);
}

/* Sort by id (an index permutation keeps created with its line). */
static bool sort_int_ids;
static int line_order(const void *a, const void *b)
{
    return id_cmp(((const token_line *)a)->id, ((const token_line *)b)->id, sort_int_ids);
}

static void linev_sort(linev *l)
{
    typedef struct pair {
        token_line t;
        const char *created;
    } pair;
    pair *ps = xcalloc(l->n + 1, sizeof *ps);
    for (size_t i = 0; i < l->n; i++)
        ps[i] = (pair){l->v[i], l->created[i]};
    sort_int_ids = l->int_ids;
    qsort(ps, l->n, sizeof *ps, line_order);
    for (size_t i = 0; i < l->n; i++) {
        l->v[i] = ps[i].t;
        l->created[i] = ps[i].created;
    }
    free(ps);
}

typedef struct diff_state {
    const tok_settings *s;
    change c[C_N];
    int64_t new_rows, revoked_now, cleared;
    int64_t snapshot_us;
    const char *snapshot;
} diff_state;

static void diff_range(diff_state *ds, linev *base, linev *now)
{
    linev_sort(base);
    linev_sort(now);
    char a[40], b[40];
    size_t i = 0, j = 0;
    while (i < base->n || j < now->n) {
        int c = i >= base->n ? 1 : j >= now->n ? -1 : id_cmp(base->v[i].id, now->v[j].id,
                                                              base->int_ids);
        if (c < 0) {
            token_time_display(base->v[i].expiry, a, sizeof a);
            note(&ds->c[C_VANISHED], base->v[i].id, "gone (expiry %s)", a);
            i++;
            continue;
        }
        if (c > 0 && !*now->v[j].digest) {
            j++;   /* a row without a token, not in the baseline: nothing to say */
            continue;
        }
        if (c > 0 && !ds->s->created) {
            note(&ds->c[C_UNDATED], now->v[j].id, "not in the baseline, creation unknown");
            j++;
            continue;
        }
        if (c > 0) {
            const char *created = now->created[j] ? now->created[j] : "";
            int64_t us = 0;
            bool known = *created && parse_int64(created, &us);
            if (!known || us < ds->snapshot_us) {
                token_time_display(created, a, sizeof a);
                note(&ds->c[C_BACKDATED], now->v[j].id, "new, created %s, before the baseline at %s",
                     a, ds->snapshot);
            } else {
                ds->new_rows++;
            }
            j++;
            continue;
        }
        const token_line *x = &base->v[i], *y = &now->v[j];
        if (!*y->digest) {
            /* The row is here and its token was cleared (used, reset): it opens nothing. */
            ds->cleared++;
            i++;
            j++;
            continue;
        }
        unsigned how = token_compare(x, y);
        if (how & TOKEN_HASH_CHANGED)
            note(&ds->c[C_HASH], y->id, "%s is not the hash of the baseline", ds->s->hash);
        if (how & (TOKEN_EXPIRY_EXTENDED | TOKEN_EXPIRY_SHORTENED)) {
            token_time_display(x->expiry, a, sizeof a);
            token_time_display(y->expiry, b, sizeof b);
            note(&ds->c[how & TOKEN_EXPIRY_EXTENDED ? C_EXTENDED : C_SHORTENED], y->id,
                 "expiry moved from %s to %s", a, b);
        }
        if ((how & TOKEN_REVIVED) && ds->s->rev == REV_VALUES) {
            note(&ds->c[C_REVIVED], y->id, "revoked in the baseline, %s no longer one of %s now",
                 ds->s->revoked, ds->s->rev_array);
        } else if ((how & TOKEN_REVIVED) && strcmp(x->revoked, "revoked") == 0) {
            note(&ds->c[C_REVIVED], y->id, "revoked in the baseline, %s is not true now",
                 ds->s->revoked);
        } else if (how & TOKEN_REVIVED) {
            token_time_display(x->revoked, a, sizeof a);
            note(&ds->c[C_REVIVED], y->id, "revoked at %s in the baseline, %s is NULL now", a,
                 ds->s->revoked);
        }
        if (how & TOKEN_REVOKED_MOVED) {
            token_time_display(x->revoked, a, sizeof a);
            token_time_display(y->revoked, b, sizeof b);
            note(&ds->c[C_REVOKED_MOVED], y->id, "revoked at %s in the baseline, at %s now", a, b);
        }
        if (how & TOKEN_REVOKED_NOW)
            ds->revoked_now++;
        i++;
        j++;
    }
}

typedef struct range_sum {
    int64_t b, n;
    const char *digest;
    const char *rows;   /* baseline only */
} range_sum;

/* Read the rows of the given ranges now and compare them with the baseline's. */
/* Version 2: the rows of baseline range b, from the parts read in b order; *cur is the
 * part read last, kept for the next call (which asks for a later b). NULL: none. */
static vexit part_rows(check_ctx *ctx, json_t **cur, int64_t b, const char **rows, verr *e)
{
    *rows = NULL;
    while (!*cur || json_integer_value(json_object_get(*cur, "b")) < b) {
        json_decref(*cur);
        vexit rc = check_baseline_part_next(ctx, cur, e);
        if (rc || !*cur)
            return rc;
    }
    if (json_integer_value(json_object_get(*cur, "b")) == b &&
        !(*rows = json_string_value(json_object_get(*cur, "rows"))))
        return malformed(e);
    return VOUCH_OK;
}

static vexit diff_ranges(check_ctx *ctx, const tok_settings *s, const shape *sh, int64_t range,
                         const range_sum *base, size_t n_base, bool in_parts,
                         const int64_t *which, size_t n_which, diff_state *ds, verr *e)
{
    pg_session *db = check_db(ctx);
    json_t *cur = NULL;
    vexit rc = VOUCH_OK;
    for (size_t at = 0; !rc && at < n_which; at += BUCKETS_PER_QUERY) {
        size_t upto = at + BUCKETS_PER_QUERY < n_which ? at + BUCKETS_PER_QUERY : n_which;
        textbuf arr = {0};
        textbuf_add(&arr, "{");
        for (size_t k = at; k < upto; k++)
            textbuf_add(&arr, "%s%lld", k > at ? "," : "", (long long)which[k]);
        textbuf_add(&arr, "}");
        qparams p = {0};
        int p_range = param_int(&p, range);
        int p_set = param_text(&p, arr.p);
        char range_ref[16], values_ref[16] = "";
        snprintf(range_ref, sizeof range_ref, "$%d", p_range);
        if (s->rev == REV_VALUES)
            snprintf(values_ref, sizeof values_ref, "$%d", param_text(&p, s->rev_array));
        /* Rows without a token come back with an empty digest: a token of the baseline
         * that was cleared since, or nothing. */
        textbuf q = {0};
        textbuf_add(&q, "SELECT s.b, s.head || CASE WHEN s.tok THEN s.short ELSE '' END,"
                        " s.created FROM (");
        sb_rows(&q, s, sh, range_ref, values_ref);
        if (!sh->hashed)
            /* Ranges of integer ids are read through an index on the id, if there is one. */
            textbuf_add(&q,
                   " FROM pg_catalog.unnest($%1$d::bigint[]) AS vouch_w(vouch_b) JOIN %2$s"
                   " ON %3$s >= vouch_w.vouch_b * $%4$d::bigint"
                   " AND %3$s < (vouch_w.vouch_b + 1) * $%4$d::bigint%5$s%6$s%7$s) s"
                   " ORDER BY s.b, s.k",
                   p_set, sh->qtable, sh->qid, p_range, s->where ? " AND (" : "",
                   s->where ? s->where : "", s->where ? ")" : "");
        else
            textbuf_add(&q, " FROM %s%s) s WHERE s.b = ANY ($%d::bigint[]) ORDER BY s.b, s.k",
                   sh->qtable, sh->where, p_set);
        PGresult *r;
        rc = pg_query_contained(db, &r, q.p, p.n, p.v, e);
        free(q.p);
        free(arr.p);
        if (rc)
            break;
        int row = 0, rows = PQntuples(r);
        for (size_t k = at; !rc && k < upto; k++) {
            linev bl = {.int_ids = sh->int_ids}, nl = {.int_ids = sh->int_ids};
            for (size_t m = 0; !in_parts && m < n_base; m++)
                if (base[m].b == which[k])
                    linev_from_text(&bl, base[m].rows);
            const char *part = NULL;
            if (in_parts && !(rc = part_rows(ctx, &cur, which[k], &part, e)) && part)
                linev_from_text(&bl, part);
            for (; row < rows; row++) {
                int64_t b = 0;
                parse_int64(PQgetvalue(r, row, 0), &b);
                if (b != which[k])
                    break;
                linev_push(&nl, xstrdup(PQgetvalue(r, row, 1)), PQgetvalue(r, row, 2));
            }
            if (!rc)
                diff_range(ds, &bl, &nl);
            linev_release(&bl);
            linev_release(&nl);
        }
        PQclear(r);
    }
    json_decref(cur);
    return rc;
}

/* The reason line for one kind of change. */
static void change_reason(int k, int64_t count, const char *ids, char *buf, size_t size)
{
    long long n = (long long)count;
    switch (k) {
    case C_VANISHED:
        snprintf(buf, size,
                 "%lld %s of the baseline %s gone (ids %.320s): the restore lost rows; restore"
                 " them, or take a new baseline if they were deleted on purpose",
                 n, pl(n, "token", "tokens"), pl(n, "is", "are"), ids);
        break;
    case C_HASH:
        snprintf(buf, size,
                 "%lld %s another hash than in the baseline (ids %.320s): the token column was"
                 " overwritten; revoke these tokens",
                 n, pl(n, "token holds", "tokens hold"), ids);
        break;
    case C_EXTENDED:
        snprintf(buf, size,
                 "%lld %s later than in the baseline (ids %.320s): expired or short tokens were"
                 " extended; put back the baseline expiry or revoke them",
                 n, pl(n, "token expires", "tokens expire"), ids);
        break;
    case C_REVIVED:
        snprintf(buf, size,
                 "%lld %s revoked in the baseline %s live again (ids %.320s): revoke %s again"
                 " before reopening",
                 n, pl(n, "token", "tokens"), pl(n, "is", "are"), ids, pl(n, "it", "them"));
        break;
    case C_BACKDATED:
        snprintf(buf, size,
                 "%lld %s that %s created before the baseline (ids %.320s): rows of an older"
                 " backup came back; revoke or delete them",
                 n, pl(n, "token appeared", "tokens appeared"), pl(n, "was", "were"), ids);
        break;
    case C_SHORTENED:
        snprintf(buf, size,
                 "%lld %s earlier than in the baseline (ids %.320s): check that this was"
                 " intended",
                 n, pl(n, "token expires", "tokens expire"), ids);
        break;
    case C_UNDATED:
        snprintf(buf, size,
                 "%lld %s not in the baseline (ids %.320s): the table has no creation time, so"
                 " a token made since cannot be told from one an older backup brought back;"
                 " configure created if the table has one",
                 n, pl(n, "token is", "tokens are"), ids);
        break;
    default:
        snprintf(buf, size, "%lld %s another revocation time than in the baseline (ids %.320s)",
                 n, pl(n, "token shows", "tokens show"), ids);
    }
}

static vexit check_baseline(check_ctx *ctx, const tok_settings *s, const shape *sh, const char *t,
                            const json_t *baseline, const scan *sc, verr *e)
{
    const json_t *ranges = json_object_get(baseline, "ranges");
    const char *id_type = json_string_value(json_object_get(baseline, "id_type"));
    const char *snapshot = json_string_value(json_object_get(baseline, "snapshot_time"));
    int64_t range = json_integer_value(json_object_get(baseline, "range"));
    int64_t base_rows = json_integer_value(json_object_get(baseline, "rows"));
    char subject[256];
    snprintf(subject, sizeof subject, "%s baseline", t);
    if (!json_is_array(ranges) || !id_type || !snapshot || range <= 0)
        return malformed(e);
    const char *now_type = sh->int_ids ? "integer" : "other";
    if (strcmp(id_type, now_type) != 0) {
        check_report(ctx, RESULT_FAIL, subject, id_type, now_type,
                     "the type of %s changed since the baseline: check the restore, then run"
                     " 'vouch baseline' again",
                     s->id);
        return VOUCH_OK;
    }
    size_t n_base = json_array_size(ranges);
    bool in_parts = json_integer_value(json_object_get(baseline, "version")) >= 2;
    range_sum *base = xcalloc(n_base + 1, sizeof *base);
    for (size_t i = 0; i < n_base; i++) {
        const json_t *x = json_array_get(ranges, i);
        base[i] = (range_sum){json_integer_value(json_object_get(x, "b")),
                              json_integer_value(json_object_get(x, "n")),
                              json_string_value(json_object_get(x, "digest")),
                              json_string_value(json_object_get(x, "rows"))};
        if (!base[i].digest || (!in_parts && !base[i].rows)) {
            free(base);
            return malformed(e);
        }
    }
    /* Ranges whose digest differs, or that only one side has (both sides are in b order). */
    int64_t *which = xcalloc(n_base + (size_t)scan_ranges(sc) + 1, sizeof *which);
    size_t n_which = 0, i = 0;
    int j = 0, rows_now = scan_ranges(sc);
    while (i < n_base || j < rows_now) {
        int64_t bn = 0;
        if (j < rows_now)
            parse_int64(scan_value(sc, j, 0), &bn);
        if (j >= rows_now || (i < n_base && base[i].b < bn)) {
            which[n_which++] = base[i++].b;
        } else if (i >= n_base || bn < base[i].b) {
            if (strcmp(scan_value(sc, j, 1), "0") != 0)
                which[n_which++] = bn;   /* a range of rows without a token only: none */
            j++;
        } else {
            if (strcmp(base[i].digest, scan_value(sc, j, 2)) != 0)
                which[n_which++] = bn;
            i++;
            j++;
        }
    }
    diff_state ds = {.s = s, .snapshot = snapshot};
    int64_t snapshot_ms = 0;
    utc_parse_ms(snapshot, &snapshot_ms);
    ds.snapshot_us = snapshot_ms * 1000;
    static const char *const what[C_N] = {"vanished",  "hash changed", "expiry moved",
                                          "revived",   "backdated",    "expiry shortened",
                                          "revocation moved", "new tokens"};
    static const result_status status[C_N] = {RESULT_FAIL, RESULT_FAIL, RESULT_FAIL, RESULT_FAIL,
                                              RESULT_FAIL, RESULT_WARN, RESULT_WARN, RESULT_WARN};
    vexit rc = diff_ranges(ctx, s, sh, range, base, n_base, in_parts, which, n_which, &ds, e);
    bool any = false;
    for (int k = 0; !rc && k < C_N; k++) {
        change *c = &ds.c[k];
        if (!c->count)
            continue;
        char sub[256], observed[64], reason[1024];
        snprintf(sub, sizeof sub, "%s %s", t, what[k]);
        snprintf(observed, sizeof observed, "%lld %s", (long long)c->count,
                 pl(c->count, "token", "tokens"));
        change_reason(k, c->count, c->ids, reason, sizeof reason);
        check_report(ctx, status[k], sub, "as baseline", observed, "%s", reason);
        if (c->count > DETAIL_LINES)
            textbuf_add(&c->detail, "\n... and %lld more", (long long)(c->count - DETAIL_LINES));
        check_detail(ctx, c->detail.p);
        any = any || status[k] == RESULT_FAIL;
    }
    if (!rc && !any) {
        char expected[64], observed[64];
        snprintf(expected, sizeof expected, "%lld tokens", (long long)base_rows);
        snprintf(observed, sizeof observed, "same, %lld new",
                 (long long)(ds.new_rows + ds.c[C_UNDATED].count));
        char cleared[96] = "";
        if (ds.cleared)
            snprintf(cleared, sizeof cleared, ", %lld cleared since: used or reset, they open"
                     " nothing", (long long)ds.cleared);
        check_report(ctx, RESULT_PASS, subject, expected, observed,
                     "every token of the baseline is here with its hash, expiry and revocation"
                     " (%lld revoked since%s)",
                     (long long)ds.revoked_now, cleared);
    }
    for (int k = 0; k < C_N; k++)
        free(ds.c[k].detail.p);
    free(which);
    free(base);
    return rc;
}

/* Where to split the gate's scan so that each half holds about half the baseline's
 * rows: false when the table is small, the format is the user's pattern, or there is
 * only one range. */
static bool split_point(const tok_settings *s, const json_t *baseline, int64_t *split_b)
{
    const json_t *ranges = json_object_get(baseline, "ranges");
    int64_t rows = json_integer_value(json_object_get(baseline, "rows")), seen = 0;
    if (rows < SPLIT_MIN_ROWS || strncmp(s->format, "regex:", 6) == 0 || s->rev == REV_VALUES ||
        json_array_size(ranges) < 2)
        return false;
    size_t i;
    const json_t *x;
    json_array_foreach(ranges, i, x) {
        seen += json_integer_value(json_object_get(x, "n"));
        if (seen * 2 >= rows && i + 1 < json_array_size(ranges)) {
            *split_b = json_integer_value(json_object_get(json_array_get(ranges, i + 1), "b"));
            return true;
        }
    }
    return false;
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    tok_settings *s = p;
    pg_session *db = check_db(ctx);
    /* Judge nothing against a baseline that cannot be read. */
    if (!json_is_array(json_object_get(baseline, "ranges")) ||
        !json_is_string(json_object_get(baseline, "id_type")) ||
        !json_is_string(json_object_get(baseline, "snapshot_time")) ||
        json_integer_value(json_object_get(baseline, "range")) <= 0)
        return malformed(e);
    char *t = qname_display(s->table.schema, s->table.name);
    shape sh = {0};
    scan sc = {0};
    char refused[sizeof e->msg];
    vexit rc = resolve(db, s, &sh, e);
    if (!rc && !sh.exists) {
        check_report(ctx, RESULT_FAIL, t, "a table", "missing",
                     "table %s does not exist: the restore lost it", t);
    } else if (!rc && sh.missing) {
        check_report(ctx, RESULT_FAIL, t, s->format, "no column",
                     "table %s has no column %s: the restore changed the table", t, sh.missing);
    } else if (!rc && sh.not_time) {
        check_report(ctx, RESULT_FAIL, t, "a timestamp", sh.not_time,
                     "column %s is not a date or timestamp: the restore changed the table",
                     sh.not_time);
    } else if (!rc && s->where &&
               (rc = probe_where(db, s, &sh, refused, sizeof refused, e)) == VOUCH_OK &&
               *refused) {
        check_report(ctx, RESULT_ERROR, t, NULL, NULL, "nothing checked: %s", refused);
    } else if (!rc) {
        int64_t range = json_integer_value(json_object_get(baseline, "range"));
        const char *by = json_string_value(json_object_get(baseline, "ranges_by"));
        /* Ranges as the baseline cut them; by hash whenever value ranges cannot apply. */
        sh.hashed = !sh.int_ids || (by && strcmp(by, "hash") == 0);
        int64_t groups = 0, dup_rows = 0;
        char *dup_ids = NULL;
        int64_t split_b;
        /* Split only over connections that can run the halves at once: on one, the halves
         * would run one after the other, each a scan of the whole table. */
        if (split_point(s, baseline, &split_b) &&
            (check_connections(ctx, 2) >= 2 || check_connections_later(ctx) > 0))
            rc = run_scan_split(ctx, s, &sh, range, split_b, &sc, e);
        else
            rc = run_scan(db, s, &sh, range, &sc, e);
        if (!rc && !sh.unique_index)
            rc = run_duplicates(db, s, &sh, &groups, &dup_rows, &dup_ids, e);
        if (!rc) {
            report_rules(ctx, false, s, t, &sc);
            report_duplicates(ctx, false, t, s, &sh, groups, dup_rows, dup_ids);
            rc = check_baseline(ctx, s, &sh, t, baseline, &sc, e);
        }
        free(dup_ids);
    }
    scan_release(&sc);
    shape_release(&sh);
    free(t);
    return rc;
}

/* check-config: the objects [share_tokens] names exist in the target. */
static const target_key target_keys[] = {
    {"table", TARGET_TABLE, NULL},
    {"id", TARGET_COLUMNS, "id"},
    {"hash", TARGET_COLUMN, NULL},
    {"plaintext", TARGET_COLUMN, NULL},
    {"expires", TARGET_COLUMN, NULL},
    {"created", TARGET_COLUMN, NULL},
    {"revoked", TARGET_COLUMN, NULL},
    {NULL, TARGET_TABLE, NULL},
};

static vexit validate_target(check_ctx *ctx, const conf *c, void *p, verr *e)
{
    (void)p;
    return target_check_keys(ctx, c, "share_tokens", target_keys, e);
}

const checker checker_share_tokens = {
    .name = "share_tokens",
    .summary = "tokens stored hashed and unique, expiring in time, unchanged since the baseline",
    .keys = share_tokens_keys,
    .configure = configure,
    .release = release,
    .capture = capture,
    .check = check,
    .validate_target = validate_target,
    .flags = CHECKER_INSTANCES,
};
