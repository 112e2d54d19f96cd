/* query: the team's own regression queries. [query] sql is one read-only statement
 * that vouch wraps in its own query, "... FROM (SQL) AS vouch_q", and runs in the
 * run's snapshot with the run's statement timeout; expect says what its result must
 * be. Two guards keep the text a statement of its own kind: a lexical one when the
 * configuration is read (src/sql_expr.h, statement mode), and the server's parse of
 * the wrapped query (a prepared statement in a savepoint) before it runs. Only the
 * SQL text, a row count, a digest and a single number are ever stored: no row. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checker.h"
#include "checks/query.h"
#include "src/sql_expr.h"
#include "src/util.h"

#define SUBJECT_MAX 60

/* Required keys are checked by configure, not flagged CONF_REQUIRED: the configuration is
 * validated for every checker, also those without a section. */
static const conf_key query_keys[] = {
    {"sql", 0, "STATEMENT",
     "One read-only SELECT, WITH, VALUES or TABLE statement that returns rows; no comments."},
    {"expect", 0, "true | baseline | at-least N | tolerance N%",
     "What the result must be: one true boolean; the rows as at the baseline (count and"
     " digest); or a single number at least N, or within N% of the baseline's."},
    {NULL, 0, NULL, NULL},
};

typedef struct settings {
    char *sql;   /* without a final ';' */
    char *at;    /* "FILE:LINE" of the sql key */
    char *subject;
    query_expect expect;
} settings;

static void release(void *p)
{
    settings *s = p;
    if (!s)
        return;
    free(s->sql);
    free(s->at);
    free(s->subject);
    free(s);
}

static vexit configure(const conf *c, void **out, verr *e)
{
    const conf_section *sec = conf_find_section(c, "query");
    const conf_entry *sql = conf_get(c, "query", "sql"), *ex = conf_get(c, "query", "expect");
    const char *missing = !sql ? "sql" : !ex ? "expect" : NULL;
    if (missing)
        return verr_set(e, VOUCH_USAGE, "%s:%d: [query] is missing required key '%s'", c->path,
                        sec ? sec->line : 0, missing);
    char why[256];
    settings *s = xcalloc(1, sizeof *s);
    if (!(s->sql = sql_stmt_lex_check(sql->value, why, sizeof why)) ||
        !query_kind_ok(s->sql, why, sizeof why)) {
        release(s);
        conf_error(e, c, sql, "%s", why);
        verr_hint(e, "Give one read-only SELECT, WITH, VALUES or TABLE statement without"
                     " comments; vouch runs it inside its own read-only query.");
        return e->code;
    }
    if (!query_expect_parse(ex->value, &s->expect, why, sizeof why)) {
        release(s);
        return conf_error(e, c, ex, "%s", why);
    }
    s->at = xasprintf("%s:%d", c->path, sql->line);
    s->subject = query_display(s->sql, SUBJECT_MAX);
    *out = s;
    return VOUCH_OK;
}

/* ------------------------------------------------------------------ running */

/* What one run of the query gave. */
typedef struct outcome {
    char why[1024];     /* "" when it ran; else why not (the server's words) */
    bool refused;       /* the server would not parse it (nothing ran) */
    int64_t rows;       /* baseline: the row count */
    char digest[65];    /* baseline: sha256 hex of the rows' text in order */
    int ntuples;        /* true / numbers: rows returned (at most 2) */
    char *value;        /* true / numbers: the one value's text, NULL for SQL NULL */
    char shape[128];    /* true / numbers: "" or what is wrong with the columns */
    char *type;         /* true / numbers: the one column's type name */
} outcome;

static char *wrapped_sql(const settings *s)
{
    if (s->expect.kind == QUERY_EXPECT_BASELINE)
        return xasprintf("SELECT pg_catalog.count(*), pg_catalog.encode(pg_catalog.sha256("
                         "pg_catalog.convert_to(coalesce(pg_catalog.string_agg(vouch_h.h,"
                         " E'\\n' ORDER BY vouch_h.h COLLATE \"C\"), ''), 'UTF8')), 'hex')"
                         " FROM (SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to("
                         "ROW(vouch_q.*)::text, 'UTF8')), 'hex') AS h FROM (%s) AS vouch_q)"
                         " AS vouch_h",
                         s->sql);
    return xasprintf("SELECT vouch_q.* FROM (%s) AS vouch_q LIMIT 2", s->sql);
}

/* The name of a type, as format_type writes it; NULL when it cannot be read. */
static char *type_name(pg_session *db, Oid t)
{
    char oid[16];
    snprintf(oid, sizeof oid, "%u", t);
    const char *params[] = {oid};
    PGresult *r;
    verr ignored;
    verr_clear(&ignored);
    if (pg_query(db, &r, "SELECT pg_catalog.format_type($1::pg_catalog.oid, NULL)", 1, params,
                 &ignored))
        return NULL;
    char *name = PQntuples(r) == 1 ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return name;
}

/* bool 16; int8 20, int2 21, int4 23, float4 700, float8 701, numeric 1700. */
static void judge_shape(const settings *s, const PGresult *r, outcome *o)
{
    bool want_bool = s->expect.kind == QUERY_EXPECT_TRUE;
    const char *what = want_bool ? "one boolean column" : "one number column";
    if (PQnfields(r) != 1) {
        snprintf(o->shape, sizeof o->shape, "the query returns %d columns, not %s",
                 PQnfields(r), what);
        return;
    }
    Oid t = PQftype(r, 0);
    bool ok = want_bool ? t == 16
                        : t == 20 || t == 21 || t == 23 || t == 700 || t == 701 || t == 1700;
    if (!ok)
        snprintf(o->shape, sizeof o->shape, "the query's column is %s, not %s",
                 o->type ? o->type : "of another type", want_bool ? "boolean" : "a number");
}

/* The text forms a digest is over, fixed for the savepoint (SET LOCAL ends with its
 * ROLLBACK TO): the same rows give the same digest whatever time zone or date style the
 * server, the database, the role or PGTZ would give the session. */
vexit query_fix_text_forms(pg_session *db, verr *e)
{
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT pg_catalog.set_config('TimeZone', 'UTC', true),"
                        " pg_catalog.set_config('DateStyle', 'ISO, YMD', true),"
                        " pg_catalog.set_config('IntervalStyle', 'postgres', true),"
                        " pg_catalog.set_config('extra_float_digits', '1', true),"
                        " pg_catalog.set_config('bytea_output', 'hex', true)",
                        0, NULL, e);
    if (!rc)
        PQclear(r);
    return rc;
}

/* The query's steps inside the savepoint: the server parses the wrapped query first,
 * so that a refusal runs nothing, then it runs. */
static vexit run_steps(pg_session *db, const settings *s, const char *sql, outcome *o, verr *e)
{
    vexit rc = sql_expr_probe(db, sql, o->why, sizeof o->why, e);
    if (rc || *o->why) {
        o->refused = !rc;
        return rc;
    }
    PGresult *r;
    verr step;
    verr_clear(&step);
    if (s->expect.kind == QUERY_EXPECT_BASELINE && (rc = query_fix_text_forms(db, e)))
        return rc;
    if ((rc = pg_query(db, &r, sql, 0, NULL, &step))) {
        if (rc == VOUCH_ABORTED) {
            *e = step;
            return rc;
        }
        snprintf(o->why, sizeof o->why, "%s", step.msg);
        return VOUCH_OK;
    }
    if (s->expect.kind == QUERY_EXPECT_BASELINE) {
        if (!parse_int64(PQgetvalue(r, 0, 0), &o->rows))
            snprintf(o->why, sizeof o->why, "count(*) returned \"%s\"", PQgetvalue(r, 0, 0));
        snprintf(o->digest, sizeof o->digest, "%s", PQgetvalue(r, 0, 1));
    } else {
        if (PQnfields(r) == 1)
            o->type = type_name(db, PQftype(r, 0));
        judge_shape(s, r, o);
        o->ntuples = PQntuples(r);
        if (o->ntuples >= 1 && !PQgetisnull(r, 0, 0))
            o->value = xstrdup(PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return VOUCH_OK;
}

/* Run the query in a savepoint of its own: a failure (a write refused by the read-only
 * transaction, the statement timeout) is an outcome, and the snapshot stays usable. An
 * error return means the session is gone. */
static vexit run_query(check_ctx *ctx, const settings *s, outcome *o, verr *e)
{
    pg_session *db = check_db(ctx);
    char *sql = wrapped_sql(s);
    vexit rc = pg_exec(db, "SAVEPOINT vouch_query", e);
    if (!rc)
        rc = run_steps(db, s, sql, o, e);
    free(sql);
    if (rc)
        return e->code = VOUCH_ABORTED;
    if ((rc = pg_exec(db, "ROLLBACK TO SAVEPOINT vouch_query", e)) ||
        (rc = pg_exec(db, "RELEASE SAVEPOINT vouch_query", e)))
        return e->code = VOUCH_ABORTED;
    /* The query is the target's code: what it set with set_config is undone by the
     * rollback, and the session is checked before anything else reads through it. */
    return pg_session_guard(db, e);
}

/* The single number of a true/number outcome, or why there is none. */
static bool single_value(const outcome *o, bool number, double *v, char *why, size_t size)
{
    if (*o->shape) {
        snprintf(why, size, "%s", o->shape);
        return false;
    }
    if (o->ntuples != 1) {
        snprintf(why, size, "the query returns %s rows, not one", o->ntuples ? "several" : "no");
        return false;
    }
    if (!o->value) {
        snprintf(why, size, "the query returns NULL");
        return false;
    }
    if (number) {
        char *end;
        errno = 0;
        *v = strtod(o->value, &end);
        if (errno || *end || !isfinite(*v)) {
            snprintf(why, size, "the query's number \"%s\" is out of range", o->value);
            return false;
        }
    }
    return true;
}

static void outcome_release(outcome *o)
{
    free(o->value);
    free(o->type);
}

/* ------------------------------------------------------------------ capture */

static vexit capture(check_ctx *ctx, void *p, json_t **out, verr *e)
{
    settings *s = p;
    outcome o = {0};
    vexit rc = run_query(ctx, s, &o, e);
    if (rc)
        return rc;
    char why[256] = "";
    double v = 0;
    if (*o.why) {
        rc = verr_set(e, VOUCH_USAGE, "%s: [query] sql: %s: %s", s->at,
                      o.refused ? "the server refuses the query" : "the query could not run",
                      o.why);
        verr_hint(e, "Give one read-only statement that runs in the baseline's snapshot;"
                     " nothing was captured.");
    } else if (s->expect.kind != QUERY_EXPECT_BASELINE &&
               !single_value(&o, s->expect.kind != QUERY_EXPECT_TRUE, &v, why, sizeof why)) {
        char ex[64];
        query_expect_format(&s->expect, ex, sizeof ex);
        rc = verr_set(e, VOUCH_USAGE, "%s: [query] sql: %s, as expect = %s needs", s->at, why,
                      ex);
    }
    if (rc) {
        outcome_release(&o);
        return rc;
    }
    char ex[64];
    query_expect_format(&s->expect, ex, sizeof ex);
    json_t *doc = json_pack("{s:s, s:s}", "sql", s->sql, "expect", ex);
    if (s->expect.kind == QUERY_EXPECT_BASELINE) {
        json_object_set_new(doc, "rows", json_integer(o.rows));
        json_object_set_new(doc, "digest", json_string(o.digest));
    } else if (s->expect.kind == QUERY_EXPECT_TOLERANCE) {
        json_object_set_new(doc, "value", json_real(v));
    }
    outcome_release(&o);
    *out = doc;
    return VOUCH_OK;
}

/* ------------------------------------------------------------------- check */

static void short_digest(const char *d, char *buf, size_t size)
{
    snprintf(buf, size, "%.12s", d ? d : "?");
}

static void judge_baseline(check_ctx *ctx, const settings *s, const outcome *o,
                           const json_t *base)
{
    int64_t brows = json_integer_value(json_object_get(base, "rows"));
    const char *bdigest = json_string_value(json_object_get(base, "digest"));
    char bd[16], od[16], expected[64], observed[64];
    short_digest(bdigest, bd, sizeof bd);
    short_digest(o->digest, od, sizeof od);
    snprintf(expected, sizeof expected, "%lld rows, digest %s", (long long)brows, bd);
    snprintf(observed, sizeof observed, "%lld rows, digest %s", (long long)o->rows, od);
    if (brows == o->rows && bdigest && strcmp(bdigest, o->digest) == 0)
        check_report(ctx, RESULT_PASS, s->subject, expected, observed,
                     "the query's %lld row%s equal the baseline's", (long long)o->rows,
                     o->rows == 1 ? "" : "s");
    else if (brows != o->rows)
        check_report(ctx, RESULT_FAIL, s->subject, expected, observed,
                     "the query returns %lld rows, %lld at the baseline (%s)", (long long)o->rows,
                     (long long)brows, s->at);
    else
        check_report(ctx, RESULT_FAIL, s->subject, expected, observed,
                     "the query returns as many rows as at the baseline but not the same ones:"
                     " the digest differs (%s)", s->at);
}

static void judge_single(check_ctx *ctx, const settings *s, const outcome *o, const json_t *base)
{
    bool number = s->expect.kind != QUERY_EXPECT_TRUE;
    char why[256], expected[64];
    double v = 0, b = 0;
    if (s->expect.kind == QUERY_EXPECT_TRUE)
        snprintf(expected, sizeof expected, "true");
    else if (s->expect.kind == QUERY_EXPECT_AT_LEAST)
        snprintf(expected, sizeof expected, "at least %g", s->expect.n);
    else {
        b = json_number_value(json_object_get(base, "value"));
        snprintf(expected, sizeof expected, "%g ± %g%%", b, s->expect.n);
    }
    if (!single_value(o, number, &v, why, sizeof why)) {
        check_report(ctx, RESULT_FAIL, s->subject, expected,
                     o->ntuples == 1 && !o->value ? "NULL" : "-", "%s (%s)", why, s->at);
        return;
    }
    if (!number) {
        if (strcmp(o->value, "t") == 0)
            check_report(ctx, RESULT_PASS, s->subject, expected, "true", "the query returns true");
        else
            check_report(ctx, RESULT_FAIL, s->subject, expected, "false",
                         "the query returns false (%s)", s->at);
        return;
    }
    bool ok = query_number_ok(&s->expect, v, b);
    if (ok)
        check_report(ctx, RESULT_PASS, s->subject, expected, o->value,
                     "the query returns %s, %s", o->value,
                     s->expect.kind == QUERY_EXPECT_AT_LEAST ? "at least the minimum"
                                                             : "within the tolerance");
    else if (s->expect.kind == QUERY_EXPECT_AT_LEAST)
        check_report(ctx, RESULT_FAIL, s->subject, expected, o->value,
                     "the query returns %s, below the minimum %g (%s)", o->value, s->expect.n,
                     s->at);
    else
        check_report(ctx, RESULT_FAIL, s->subject, expected, o->value,
                     "the query returns %s, more than %g%% away from %g at the baseline (%s)",
                     o->value, s->expect.n, b, s->at);
}

/* A baseline part that this query can be compared with, or why not. */
static const char *baseline_unusable(const settings *s, const json_t *base)
{
    if (s->expect.kind != QUERY_EXPECT_BASELINE && s->expect.kind != QUERY_EXPECT_TOLERANCE)
        return NULL;
    const char *bsql = json_string_value(json_object_get(base, "sql"));
    if (!bsql || strcmp(bsql, s->sql) != 0)
        return "the query's SQL changed since the baseline; take a new baseline";
    const char *need = s->expect.kind == QUERY_EXPECT_BASELINE ? "digest" : "value";
    if (!json_object_get(base, need))
        return s->expect.kind == QUERY_EXPECT_BASELINE
                   ? "the baseline holds no digest for this query (its expect changed since);"
                     " take a new baseline"
                   : "the baseline holds no number for this query (its expect changed since);"
                     " take a new baseline";
    return NULL;
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    settings *s = p;
    const char *unusable = baseline_unusable(s, baseline);
    if (unusable) {
        check_report(ctx, RESULT_ERROR, s->subject, NULL, NULL, "%s (%s)", unusable, s->at);
        const char *bsql = json_string_value(json_object_get(baseline, "sql"));
        if (bsql && strcmp(bsql, s->sql) != 0) {
            char *detail = xasprintf("at the baseline: %s\nnow: %s", bsql, s->sql);
            check_detail(ctx, detail);
            free(detail);
        }
        return VOUCH_OK;
    }
    outcome o = {0};
    vexit rc = run_query(ctx, s, &o, e);
    if (rc)
        return rc;
    if (*o.why)
        check_report(ctx, RESULT_ERROR, s->subject, NULL, NULL, "%s (%s): %s",
                     o.refused ? "the server refuses the query" : "the query could not run",
                     s->at, o.why);
    else if (s->expect.kind == QUERY_EXPECT_BASELINE)
        judge_baseline(ctx, s, &o, baseline);
    else
        judge_single(ctx, s, &o, baseline);
    outcome_release(&o);
    return VOUCH_OK;
}

/* check-config: the server parses the query (and finds every table, column and function
 * it names) without running it. */
static vexit validate_target(check_ctx *ctx, const conf *c, void *p, verr *e)
{
    settings *s = p;
    char *sql = wrapped_sql(s), why[1024];
    vexit rc = sql_expr_probe(check_db(ctx), sql, why, sizeof why, e);
    free(sql);
    const conf_entry *ent = conf_get(c, "query", "sql");
    if (!rc && *why && ent)
        check_config_problem(ctx, c, ent, "the target refuses the query: %s", why);
    return rc;
}

const checker checker_query = {
    .name = "query",
    .summary = "the team's own read-only regression queries return what they should: true, the"
               " rows as at the baseline, or a number in range",
    .keys = query_keys,
    .configure = configure,
    .release = release,
    .capture = capture,
    .check = check,
    .validate_target = validate_target,
    .flags = CHECKER_INSTANCES,
};
