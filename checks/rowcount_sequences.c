/* The sequence part of rowcount: see rowcount_sequences.h.
 *
 * Where a column's maximum comes from matters on a big table: only a column that a valid,
 * non-partial btree index leads with is read, and then max(col) is an index scan of one
 * entry (the planner's min/max rewrite). A column without one is reported as not checked
 * rather than scanned. Names come back through quote_ident, so SQL is built from them as
 * they stand. The sequences themselves are read directly (last_value, is_called): they are
 * not transactional, so what is read is their state now, which is what the next INSERT
 * gets. */
#include "checks/rowcount_sequences.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

bool seq_behind(int64_t last_value, bool is_called, int64_t increment, int64_t extreme)
{
    if (increment >= 0)
        return is_called ? last_value < extreme : last_value <= extreme;
    return is_called ? last_value > extreme : last_value >= extreme;
}

char *seq_setval_sql(const char *sequence, int64_t value)
{
    size_t n = strlen(sequence);
    char *lit = xmalloc(2 * n + 1), *o = lit;
    for (const char *c = sequence; *c; c++) {
        if (*c == '\'')
            *o++ = '\'';
        *o++ = *c;
    }
    *o = '\0';
    char *sql = xasprintf("SELECT pg_catalog.setval('%s', %lld)", lit, (long long)value);
    free(lit);
    return sql;
}

/* Every (sequence, column) pair of the given tables, a sequence's pairs together. */
static const char uses_sql[] =
    "WITH t AS ("
    " SELECT c.oid, n.nspname, c.relname"
    " FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS u(s, r)"
    " JOIN pg_catalog.pg_namespace n ON n.nspname = u.s"
    " JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = u.r),"
    " uses AS ("
    " SELECT d.objid AS seq, d.refobjid AS tab, d.refobjsubid AS att FROM pg_catalog.pg_depend d"
    "  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "  AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 AND d.refobjid IN (SELECT oid FROM t)"
    " UNION"
    " SELECT d.refobjid, ad.adrelid, ad.adnum FROM pg_catalog.pg_attrdef ad"
    "  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
    "  AND d.objid = ad.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "  WHERE ad.adrelid IN (SELECT oid FROM t))"
    " SELECT pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(s.relname),"
    "  pg_catalog.quote_ident(t.nspname) || '.' || pg_catalog.quote_ident(t.relname),"
    "  pg_catalog.quote_ident(a.attname), sq.seqincrement,"
    "  pg_catalog.has_sequence_privilege(s.oid, 'SELECT'),"
    "  EXISTS (SELECT FROM pg_catalog.pg_index i"
    "   JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
    "   JOIN pg_catalog.pg_am am ON am.oid = ic.relam"
    "   WHERE i.indrelid = u.tab AND i.indkey[0] = u.att AND am.amname = 'btree'"
    "   AND i.indpred IS NULL AND i.indisvalid),"
    "  a.atttypid IN ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype,"
    "   'pg_catalog.int8'::pg_catalog.regtype)"
    " FROM uses u"
    " JOIN pg_catalog.pg_class s ON s.oid = u.seq AND s.relkind = 'S'"
    " JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace"
    " JOIN pg_catalog.pg_sequence sq ON sq.seqrelid = s.oid"
    " JOIN t ON t.oid = u.tab"
    " JOIN pg_catalog.pg_attribute a ON a.attrelid = u.tab AND a.attnum = u.att"
    "  AND NOT a.attisdropped"
    " ORDER BY sn.nspname COLLATE \"C\", s.relname COLLATE \"C\", t.nspname COLLATE \"C\","
    "  t.relname COLLATE \"C\", a.attname COLLATE \"C\"";

enum { U_SEQ, U_TABLE, U_COLUMN, U_INCREMENT, U_READABLE, U_INDEXED, U_INTEGER };

/* A text[] literal of the values: {"a","b"} with '"' and '\' escaped. Caller frees. */
static char *text_array(const seq_table *tables, size_t n, bool names)
{
    char *acc = xstrdup("{");
    for (size_t i = 0; i < n; i++) {
        const char *v = names ? tables[i].name : tables[i].schema;
        size_t len = strlen(v);
        char *q = xmalloc(2 * len + 1), *o = q;
        for (const char *c = v; *c; c++) {
            if (*c == '"' || *c == '\\')
                *o++ = '\\';
            *o++ = *c;
        }
        *o = '\0';
        char *next = xasprintf("%s%s\"%s\"", acc, i ? "," : "", q);
        free(q);
        free(acc);
        acc = next;
    }
    char *done = xasprintf("%s}", acc);
    free(acc);
    return done;
}

/* The findings for one sequence, its pairs rows [from, to) of uses; values[k] is the
 * extreme of pair k (has[k] false: the column is empty), unchecked[k] says why pair k was
 * not read (NULL: it was). */
static void judge(check_ctx *ctx, PGresult *uses, int from, int to, const char *last,
                  bool is_called, const char *const *values, const bool *has,
                  const char *const *unchecked, bool baseline)
{
    const char *seq = PQgetvalue(uses, from, U_SEQ);
    int64_t inc = 1, last_value = 0, worst = 0;
    parse_int64(PQgetvalue(uses, from, U_INCREMENT), &inc);
    bool readable = last && parse_int64(last, &last_value);
    int worst_at = -1;
    for (int k = from; k < to; k++) {
        int64_t v;
        if (unchecked[k - from] || !has[k - from] || !parse_int64(values[k - from], &v))
            continue;
        if (worst_at < 0 || (inc >= 0 ? v > worst : v < worst)) {
            worst = v;
            worst_at = k;
        }
    }
    char *subject = xasprintf("sequence %s", seq);
    if (readable && worst_at >= 0 && seq_behind(last_value, is_called, inc, worst)) {
        char *column = xasprintf("%s.%s", PQgetvalue(uses, worst_at, U_TABLE),
                                 PQgetvalue(uses, worst_at, U_COLUMN));
        char *fix = seq_setval_sql(seq, worst);
        char expected[96], observed[96];
        int64_t next = last_value;
        if (is_called && __builtin_add_overflow(last_value, inc, &next))
            next = last_value;
        snprintf(expected, sizeof expected, "%s %lld", inc >= 0 ? "past" : "below",
                 (long long)worst);
        snprintf(observed, sizeof observed, "%lld%s", (long long)last_value,
                 is_called ? "" : " (not yet called)");
        check_report(ctx, baseline ? RESULT_WARN : RESULT_FAIL, subject, expected, observed,
                     "%s hands out %lld next, but %s already holds %s %lld (a data-only or"
                     " selective restore leaves sequences behind): the next INSERT fails on a"
                     " duplicate key%s; run %s",
                     seq, (long long)next, column,
                     inc >= 0 ? "up to" : "down to", (long long)worst,
                     baseline ? " (the healthy database has this too)" : "", fix);
        free(fix);
        free(column);
    } else {
        for (int k = from; k < to; k++) {
            const char *why = unchecked[k - from];
            if (!why && !readable)
                why = "vouch may not read the sequence (grant SELECT on it to vouch's role)";
            if (!why)
                continue;
            char *column = xasprintf("%s.%s", PQgetvalue(uses, k, U_TABLE),
                                     PQgetvalue(uses, k, U_COLUMN));
            char *index = xasprintf("CREATE INDEX ON %s (%s)", PQgetvalue(uses, k, U_TABLE),
                                    PQgetvalue(uses, k, U_COLUMN));
            bool no_index = strcmp(why, "no index") == 0;
            char detail[512];
            if (no_index)
                snprintf(detail, sizeof detail,
                         "no btree index leads with %s, and vouch does not scan a whole table"
                         " for its maximum: run %s to have it checked",
                         column, index);
            else
                snprintf(detail, sizeof detail, "%s", why);
            check_report(ctx, RESULT_WARN, subject, "checked", "not checked",
                         "%s was not checked against %s: %s", seq, column, detail);
            free(index);
            free(column);
            break; /* one warning per sequence */
        }
    }
    free(subject);
}

vexit rowcount_sequences(check_ctx *ctx, const seq_table *tables, size_t n, bool baseline,
                         verr *e)
{
    if (!n)
        return VOUCH_OK;
    pg_session *db = check_db(ctx);
    char *schemas = text_array(tables, n, false), *names = text_array(tables, n, true);
    const char *params[] = {schemas, names};
    PGresult *uses;
    vexit rc = pg_query(db, &uses, uses_sql, 2, params, e);
    free(schemas);
    free(names);
    if (rc)
        return rc;
    int rows = PQntuples(uses);
    if (!rows) {
        PQclear(uses);
        return VOUCH_OK;
    }
    /* One query per readable sequence and per indexed integer column, all at once. */
    size_t cap = 2 * (size_t)rows;
    char **sqls = xcalloc(cap, sizeof *sqls);
    int *seq_q = xcalloc((size_t)rows, sizeof *seq_q), *max_q = xcalloc((size_t)rows, sizeof *max_q);
    const char **unchecked = xcalloc((size_t)rows, sizeof *unchecked);
    size_t nq = 0;
    for (int i = 0; i < rows; i++) {
        seq_q[i] = max_q[i] = -1;
        bool first = i == 0 || strcmp(PQgetvalue(uses, i, U_SEQ), PQgetvalue(uses, i - 1, U_SEQ));
        if (first && PQgetvalue(uses, i, U_READABLE)[0] == 't') {
            seq_q[i] = (int)nq;
            sqls[nq++] = xasprintf("SELECT last_value::text, is_called FROM %s",
                                   PQgetvalue(uses, i, U_SEQ));
        } else if (!first) {
            seq_q[i] = seq_q[i - 1];
        }
        if (PQgetvalue(uses, i, U_INTEGER)[0] != 't')
            unchecked[i] = "the column is not of an integer type";
        else if (PQgetvalue(uses, i, U_INDEXED)[0] != 't')
            unchecked[i] = "no index";
        else {
            int64_t inc = 1;
            parse_int64(PQgetvalue(uses, i, U_INCREMENT), &inc);
            max_q[i] = (int)nq;
            sqls[nq++] = xasprintf("SELECT %s(%s)::text FROM %s", inc >= 0 ? "max" : "min",
                                   PQgetvalue(uses, i, U_COLUMN), PQgetvalue(uses, i, U_TABLE));
        }
    }
    PGresult **res = xcalloc(nq + 1, sizeof *res);
    size_t failed = 0;
    if (nq && (rc = check_query_many(ctx, (const char *const *)sqls, nq, res, &failed, e)) &&
        failed < nq)
        verr_prefix(e, "could not read for the sequence check (%s)", sqls[failed]);
    const char **values = xcalloc((size_t)rows, sizeof *values);
    bool *has = xcalloc((size_t)rows, sizeof *has);
    for (int from = 0; !rc && from < rows;) {
        int to = from + 1;
        while (to < rows && strcmp(PQgetvalue(uses, to, U_SEQ), PQgetvalue(uses, from, U_SEQ)) == 0)
            to++;
        const char *last = NULL;
        bool is_called = false;
        if (seq_q[from] >= 0 && PQntuples(res[seq_q[from]]) == 1) {
            last = PQgetvalue(res[seq_q[from]], 0, 0);
            is_called = PQgetvalue(res[seq_q[from]], 0, 1)[0] == 't';
        }
        for (int k = from; k < to; k++) {
            PGresult *m = max_q[k] >= 0 ? res[max_q[k]] : NULL;
            has[k - from] = m && PQntuples(m) == 1 && !PQgetisnull(m, 0, 0);
            values[k - from] = has[k - from] ? PQgetvalue(m, 0, 0) : NULL;
        }
        judge(ctx, uses, from, to, last, is_called, values, has, unchecked + from, baseline);
        from = to;
    }
    for (size_t k = 0; k < nq; k++) {
        PQclear(res[k]);
        free(sqls[k]);
    }
    free(values);
    free(has);
    free(res);
    free(sqls);
    free(seq_q);
    free(max_q);
    free(unchecked);
    PQclear(uses);
    return rc;
}
