/* query: the team's own regression queries. The pure parts (the expectation, the
 * statement's kind, the subject shown) are in query_expect.c; the checker that runs
 * the query inside the run's snapshot is query.c. */
#ifndef VOUCH_QUERY_H
#define VOUCH_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "src/pg.h"

typedef enum query_expect_kind {
    QUERY_EXPECT_TRUE,      /* one row, one boolean column, true */
    QUERY_EXPECT_BASELINE,  /* row count and digest as at the baseline */
    QUERY_EXPECT_AT_LEAST,  /* one number, at least n */
    QUERY_EXPECT_TOLERANCE, /* one number, within n % of the baseline's */
} query_expect_kind;

typedef struct query_expect {
    query_expect_kind kind;
    double n;
} query_expect;

/* "true", "baseline", "at-least N" or "tolerance N%" into *out; false with why. */
bool query_expect_parse(const char *text, query_expect *out, char *why, size_t why_size);

/* The expectation as written back ("at-least 10", "tolerance 5%"). Into buf. */
void query_expect_format(const query_expect *x, char *buf, size_t size);

/* True when stmt (lexically checked already) starts with SELECT, WITH, VALUES or TABLE,
 * after any opening parentheses; false with why otherwise. */
bool query_kind_ok(const char *stmt, char *why, size_t why_size);

/* The statement on one line, blanks collapsed, cut to at most max bytes with "..."
 * (never inside a UTF-8 sequence). Caller frees. */
char *query_display(const char *stmt, size_t max);

/* Does observed meet the number expectation (at-least, or tolerance of base)? */
bool query_number_ok(const query_expect *x, double observed, double base);

/* Fix the text forms a server-side digest is over (TimeZone UTC, DateStyle ISO,
 * IntervalStyle postgres, extra_float_digits 1, bytea_output hex) with SET LOCAL: call it
 * inside a savepoint that is rolled back. Shared with the rls probe's digest. */
vexit query_fix_text_forms(pg_session *db, verr *e);

#endif
