/* rowcount: key tables hold the rows they should — exact counts against the
 * baseline under a per-table rule. Counting is left to the server. */
#include <stdlib.h>
#include <string.h>

#include "checks/checker.h"
#include "checks/target.h"
#include "checks/count_rule.h"
#include "checks/rowcount_sequences.h"
#include "src/ident.h"
#include "src/util.h"

static const conf_key rowcount_keys[] = {
    {"table", CONF_REPEATABLE, "SCHEMA.TABLE [RULE]",
     "A table to count, optionally followed by its own rule; repeat for more tables."},
    {"schema", CONF_REPEATABLE, "SCHEMA",
     "Count every table (ordinary or partitioned) in this schema; repeatable."},
    {"exclude", CONF_REPEATABLE, "SCHEMA.TABLE", "A table left out of the schemas matched."},
    {"rule", 0, "exact | at-least | tolerance N%",
     "The rule for tables that name none (default exact)."},
    {NULL, 0, NULL, NULL},
};

typedef struct listed_table {
    qname q;
    count_rule rule;
    bool has_rule;
} listed_table;

typedef struct settings {
    listed_table *tables;
    size_t n_tables, cap_tables;
    char **schemas;
    size_t n_schemas, cap_schemas;
    qname *excludes;
    size_t n_excludes, cap_excludes;
    count_rule rule;
} settings;

/* A table this run looks at. */
typedef struct subject {
    char *schema, *name;
    count_rule rule;
    bool in_baseline;
    int64_t baseline_rows;
} subject;

typedef struct subjects {
    subject *v;
    size_t n, cap;
} subjects;

static void release(void *p)
{
    settings *s = p;
    if (!s)
        return;
    for (size_t i = 0; i < s->n_tables; i++)
        qname_release(&s->tables[i].q);
    for (size_t i = 0; i < s->n_schemas; i++)
        free(s->schemas[i]);
    for (size_t i = 0; i < s->n_excludes; i++)
        qname_release(&s->excludes[i]);
    free(s->tables);
    free(s->schemas);
    free(s->excludes);
    free(s);
}

static vexit configure(const conf *c, void **out, verr *e)
{
    settings *s = xcalloc(1, sizeof *s);
    s->rule = (count_rule){RULE_EXACT, 0};
    char why[256];
    vexit rc = VOUCH_OK;
    conf_seen seen = {0};
    const conf_entry *ent = conf_get(c, "rowcount", "rule");
    if (ent && !count_rule_parse(ent->value, &s->rule))
        rc = conf_error(e, c, ent, "unknown rule \"%s\": use exact, at-least or tolerance N%%",
                        ent->value);
    for (ent = NULL; !rc && (ent = conf_next(c, "rowcount", "table", ent));) {
        listed_table t = {0};
        const char *rest;
        if (!qname_parse(ent->value, "public", &t.q, &rest, why, sizeof why)) {
            rc = conf_error(e, c, ent, "%s", why);
            break;
        }
        t.rule = s->rule;
        if (*rest) {
            if (!count_rule_parse(rest, &t.rule)) {
                qname_release(&t.q);
                rc = conf_error(e, c, ent,
                                "unknown rule \"%s\": use exact, at-least or tolerance N%%", rest);
                break;
            }
            t.has_rule = true;
        }
        char *shown = qname_display(t.q.schema, t.q.name);
        rc = conf_seen_add(&seen, c, ent, shown, e);
        free(shown);
        if (rc) {
            qname_release(&t.q);
            break;
        }
        grow((void **)&s->tables, &s->cap_tables, s->n_tables + 1, sizeof *s->tables);
        s->tables[s->n_tables++] = t;
    }
    conf_seen_release(&seen);
    for (ent = NULL; !rc && (ent = conf_next(c, "rowcount", "schema", ent));) {
        char *schema;
        if ((rc = conf_ident(c, ent, &schema, e)))
            break;
        if ((rc = conf_seen_add(&seen, c, ent, schema, e))) {
            free(schema);
            break;
        }
        grow((void **)&s->schemas, &s->cap_schemas, s->n_schemas + 1, sizeof *s->schemas);
        s->schemas[s->n_schemas++] = schema;
    }
    conf_seen_release(&seen);
    for (ent = NULL; !rc && (ent = conf_next(c, "rowcount", "exclude", ent));) {
        qname q;
        if ((rc = conf_qname_once(c, ent, "table", &seen, &q, e)))
            break;
        grow((void **)&s->excludes, &s->cap_excludes, s->n_excludes + 1, sizeof *s->excludes);
        s->excludes[s->n_excludes++] = q;
    }
    conf_seen_release(&seen);
    if (!rc && !s->n_tables && !s->n_schemas) {
        const conf_section *sec = conf_find_section(c, "rowcount");
        rc = verr_set(e, VOUCH_USAGE, "%s:%d: [rowcount] names no table: add 'table =' or 'schema ='",
                      c->path, sec ? sec->line : 0);
    }
    if (rc) {
        release(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}

static bool same(const char *schema, const char *name, const qname *q)
{
    return strcmp(schema, q->schema) == 0 && strcmp(name, q->name) == 0;
}

static subject *find_subject(subjects *ss, const char *schema, const char *name)
{
    for (size_t i = 0; i < ss->n; i++)
        if (strcmp(ss->v[i].schema, schema) == 0 && strcmp(ss->v[i].name, name) == 0)
            return &ss->v[i];
    return NULL;
}

static subject *add_subject(subjects *ss, const char *schema, const char *name, count_rule rule)
{
    subject *found = find_subject(ss, schema, name);
    if (found)
        return found;
    grow((void **)&ss->v, &ss->cap, ss->n + 1, sizeof *ss->v);
    subject *x = &ss->v[ss->n++];
    *x = (subject){xstrdup(schema), xstrdup(name), rule, false, 0};
    return x;
}

static void subjects_release(subjects *ss)
{
    for (size_t i = 0; i < ss->n; i++) {
        free(ss->v[i].schema);
        free(ss->v[i].name);
    }
    free(ss->v);
}

/* Does the configuration cover this table (listed, or in a schema and not excluded)? */
static bool covered(const settings *s, const char *schema, const char *name, count_rule *rule)
{
    for (size_t i = 0; i < s->n_tables; i++)
        if (same(schema, name, &s->tables[i].q)) {
            *rule = s->tables[i].rule;
            return true;
        }
    for (size_t i = 0; i < s->n_excludes; i++)
        if (same(schema, name, &s->excludes[i]))
            return false;
    for (size_t i = 0; i < s->n_schemas; i++)
        if (strcmp(s->schemas[i], schema) == 0) {
            *rule = s->rule;
            return true;
        }
    return false;
}

/* The tables the configuration names that exist now, in configuration order. */
static vexit resolve(check_ctx *ctx, const settings *s, subjects *ss, verr *e)
{
    pg_session *db = check_db(ctx);
    for (size_t i = 0; i < s->n_tables; i++)
        add_subject(ss, s->tables[i].q.schema, s->tables[i].q.name, s->tables[i].rule);
    for (size_t i = 0; i < s->n_schemas; i++) {
        const char *params[] = {s->schemas[i]};
        PGresult *r;
        vexit rc = pg_query(db, &r,
                            "SELECT c.relname FROM pg_catalog.pg_class c"
                            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                            " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')"
                            " AND NOT c.relispartition ORDER BY c.relname COLLATE \"C\"",
                            1, params, e);
        if (rc)
            return rc;
        for (int row = 0; row < PQntuples(r); row++) {
            count_rule rule;
            const char *name = PQgetvalue(r, row, 0);
            if (covered(s, s->schemas[i], name, &rule))
                add_subject(ss, s->schemas[i], name, rule);
        }
        PQclear(r);
    }
    return VOUCH_OK;
}

static vexit table_exists(pg_session *db, const char *schema, const char *name, bool *exists,
                          verr *e)
{
    const char *params[] = {schema, name};
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT 1 FROM pg_catalog.pg_class c"
                        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = $1 AND c.relname = $2"
                        " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                        2, params, e);
    if (rc)
        return rc;
    *exists = PQntuples(r) > 0;
    PQclear(r);
    return VOUCH_OK;
}

/* Which subjects exist, and the exact row count of each that does. The counts run
 * at once over the run's connections, all in the run's snapshot. */
static vexit count_tables(check_ctx *ctx, const subjects *ss, bool *exists, int64_t *rows,
                          verr *e)
{
    pg_session *db = check_db(ctx);
    char **sqls = xcalloc(ss->n + 1, sizeof *sqls);
    size_t *which = xcalloc(ss->n + 1, sizeof *which);
    size_t n = 0;
    vexit rc = VOUCH_OK;
    for (size_t i = 0; i < ss->n && !rc; i++) {
        rows[i] = 0;
        if ((rc = table_exists(db, ss->v[i].schema, ss->v[i].name, &exists[i], e)) || !exists[i])
            continue;
        char *qs = pg_quote_ident(db, ss->v[i].schema), *qn = pg_quote_ident(db, ss->v[i].name);
        sqls[n] = xasprintf("SELECT count(*) FROM %s.%s", qs, qn);
        which[n++] = i;
        PQfreemem(qs);
        PQfreemem(qn);
    }
    PGresult **res = xcalloc(n + 1, sizeof *res);
    size_t failed = 0;
    if (!rc && n && (rc = check_query_many(ctx, (const char *const *)sqls, n, res, &failed, e)) &&
        failed < n) {
        char *d = qname_display(ss->v[which[failed]].schema, ss->v[which[failed]].name);
        verr_prefix(e, "could not count %s", d);
        free(d);
    }
    for (size_t k = 0; k < n; k++) {
        if (!rc && !parse_int64(PQgetvalue(res[k], 0, 0), &rows[which[k]]))
            rc = verr_set(e, VOUCH_FAILED, "count(*) returned \"%s\"", PQgetvalue(res[k], 0, 0));
        PQclear(res[k]);
        free(sqls[k]);
    }
    free(res);
    free(sqls);
    free(which);
    return rc;
}

/* The sequences feeding the tables that exist (rowcount_sequences.h); at baseline a
 * sequence behind its column warns, at the gate it fails. */
static vexit check_sequences(check_ctx *ctx, const subjects *ss, const bool *exists,
                             bool baseline, verr *e)
{
    seq_table *ts = xcalloc(ss->n + 1, sizeof *ts);
    size_t n = 0;
    for (size_t i = 0; i < ss->n; i++)
        if (exists[i])
            ts[n++] = (seq_table){ss->v[i].schema, ss->v[i].name};
    vexit rc = rowcount_sequences(ctx, ts, n, baseline, e);
    free(ts);
    return rc;
}

static vexit capture(check_ctx *ctx, void *p, json_t **out, verr *e)
{
    settings *s = p;
    subjects ss = {0};
    vexit rc = resolve(ctx, s, &ss, e);
    json_t *tables = json_array();
    bool *exists = xcalloc(ss.n + 1, sizeof *exists);
    int64_t *rows = xcalloc(ss.n + 1, sizeof *rows);
    if (!rc)
        rc = count_tables(ctx, &ss, exists, rows, e);
    for (size_t i = 0; !rc && i < ss.n; i++) {
        subject *x = &ss.v[i];
        if (!exists[i]) {
            char *d = qname_display(x->schema, x->name);
            rc = verr_set(e, VOUCH_USAGE, "table %s does not exist", d);
            verr_hint(e, "Check [rowcount] table in the configuration, and that the baseline runs"
                         " against the healthy database.");
            free(d);
            break;
        }
        json_array_append_new(tables, json_pack("{s:s, s:s, s:I}", "schema", x->schema, "table",
                                                x->name, "rows", (json_int_t)rows[i]));
    }
    if (!rc)
        rc = check_sequences(ctx, &ss, exists, true, e);
    free(exists);
    free(rows);
    subjects_release(&ss);
    if (rc) {
        json_decref(tables);
        return rc;
    }
    if (json_array_size(tables) == 0) {
        json_decref(tables);
        return verr_set(e, VOUCH_USAGE, "the configured schemas hold no table to count");
    }
    *out = json_pack("{s:o}", "tables", tables);
    return VOUCH_OK;
}

static void judge(check_ctx *ctx, const subject *x, bool exists, int64_t rows, bool listed)
{
    char *d = qname_display(x->schema, x->name);
    char expected[64], observed[32], reason[256];
    if (!exists) {
        if (x->in_baseline) {
            snprintf(expected, sizeof expected, "%lld", (long long)x->baseline_rows);
            check_report(ctx, RESULT_FAIL, d, expected, "missing",
                         "table %s does not exist; the baseline had %lld rows", d,
                         (long long)x->baseline_rows);
        } else {
            check_report(ctx, RESULT_FAIL, d, NULL, "missing", "table %s does not exist", d);
        }
    } else if (!x->in_baseline) {
        snprintf(observed, sizeof observed, "%lld", (long long)rows);
        if (listed)
            check_report(ctx, RESULT_ERROR, d, NULL, observed,
                         "%s is not in the baseline; run 'vouch baseline' to capture it", d);
        else
            check_report(ctx, RESULT_WARN, d, NULL, observed, "%s is new since the baseline", d);
    } else {
        snprintf(observed, sizeof observed, "%lld", (long long)rows);
        count_rule_expected(&x->rule, x->baseline_rows, expected, sizeof expected);
        result_status st = count_rule_judge(&x->rule, x->baseline_rows, rows, reason, sizeof reason);
        check_report(ctx, st, d, expected, observed, "%s", reason);
        check_fact(ctx, "baseline_rows", json_integer(x->baseline_rows));
    }
    if (exists)
        check_fact(ctx, "rows", json_integer(rows));
    free(d);
}

static bool is_listed(const settings *s, const char *schema, const char *name)
{
    for (size_t i = 0; i < s->n_tables; i++)
        if (same(schema, name, &s->tables[i].q))
            return true;
    return false;
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    settings *s = p;
    subjects ss = {0};
    vexit rc = VOUCH_OK;

    /* Baseline tables first (the tables that must still be there), then what is new. */
    const json_t *tables = json_object_get(baseline, "tables");
    size_t i;
    const json_t *t;
    json_array_foreach(tables, i, t) {
        const char *schema = json_string_value(json_object_get(t, "schema"));
        const char *name = json_string_value(json_object_get(t, "table"));
        const json_t *rows = json_object_get(t, "rows");
        count_rule rule;
        if (!schema || !name || !json_is_integer(rows)) {
            subjects_release(&ss);
            return verr_set(e, VOUCH_FAILED, "the baseline's rowcount document is malformed");
        }
        if (!covered(s, schema, name, &rule))
            continue; /* no longer configured */
        subject *x = add_subject(&ss, schema, name, rule);
        x->in_baseline = true;
        x->baseline_rows = json_integer_value(rows);
    }
    if ((rc = resolve(ctx, s, &ss, e))) {
        subjects_release(&ss);
        return rc;
    }
    bool *exists = xcalloc(ss.n + 1, sizeof *exists);
    int64_t *rows = xcalloc(ss.n + 1, sizeof *rows);
    if (!(rc = count_tables(ctx, &ss, exists, rows, e))) {
        for (i = 0; i < ss.n; i++)
            judge(ctx, &ss.v[i], exists[i], rows[i], is_listed(s, ss.v[i].schema, ss.v[i].name));
        rc = check_sequences(ctx, &ss, exists, false, e);
    }
    free(exists);
    free(rows);
    if (!rc && ss.n == 0)
        check_report(ctx, RESULT_FAIL, "(no table)", "at least one table", "none",
                     "the configured tables and schemas matched no table");
    subjects_release(&ss);
    return rc;
}

/* check-config: the objects [rowcount] names exist in the target. */
static const target_key target_keys[] = {
    {"table", TARGET_TABLE, NULL},
    {"schema", TARGET_SCHEMA, NULL},
    {"exclude", TARGET_TABLE, NULL},
    {NULL, TARGET_TABLE, NULL},
};

static vexit validate_target(check_ctx *ctx, const conf *c, void *p, verr *e)
{
    (void)p;
    return target_check_keys(ctx, c, "rowcount", target_keys, e);
}

const checker checker_rowcount = {
    .name = "rowcount",
    .summary = "key tables hold the rows they should (exact, at-least or tolerance %)",
    .keys = rowcount_keys,
    .configure = configure,
    .release = release,
    .capture = capture,
    .check = check,
    .validate_target = validate_target,
};
