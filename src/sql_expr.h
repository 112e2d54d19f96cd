/* SQL expressions taken from the configuration ([audit_log] digest, row_bytes).
 *
 * vouch pastes such an expression into its own SQL inside parentheses, "(EXPR)". Two
 * guards keep it there. sql_expr_lex_check reads the text as PostgreSQL's lexer does
 * and refuses anything that could end the parentheses or the statement early: a
 * comment, a ';' outside quotes, a ')' that closes a parenthesis the text did not
 * open, an unclosed parenthesis or quote. sql_expr_probe then has the server parse
 * (not run) a statement built around the expression, so that what is not exactly one
 * expression over the table is refused before any query uses it.
 *
 * The lexer knows '...' (with ''), E'...' (backslash escapes), $tag$...$tag$ and
 * "..." identifiers. It refuses what it could read differently from the server: a
 * backslash in a plain '...' string (its meaning hangs on standard_conforming_strings;
 * write E'...'), a quote or '$' glued to a name or number other than the E, B, X
 * and N prefixes, and parameter references ($1). */
#ifndef VOUCH_SQL_EXPR_H
#define VOUCH_SQL_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "src/pg.h"
#include "src/verr.h"

/* True when text may stand inside "( ... )" as one expression; false with why (a
 * phrase such as "a comment (--) is not allowed") otherwise. Pure. */
bool sql_expr_lex_check(const char *text, char *why, size_t why_size);

/* Statement mode, for a whole configured query that vouch wraps as "... FROM (SQL) AS
 * q": the same rules, with one ';' allowed at the very end. Returns the statement
 * without that ';' and without surrounding blanks (caller frees), or NULL with why. */
char *sql_stmt_lex_check(const char *text, char *why, size_t why_size);

/* Have the server parse and analyse sql (one statement) without running it: an
 * unnamed prepared statement, inside a savepoint of its own so that a refusal leaves
 * the snapshot usable. VOUCH_OK with why "" when it parses, VOUCH_OK with the server's
 * message in why when it does not; VOUCH_ABORTED in e when the connection is gone or
 * the run was interrupted. */
/* The functions text calls: each name, qualified or not, that a '(' follows, as the
 * server folds it ("public.f", "Odd"."g" as Odd.g, lower case unless quoted), in order,
 * each once. Tolerant: comments, strings and quoted names are skipped, and text the
 * guards above would refuse (a function body, ';' and all) is read as well as it can
 * be. Keywords that take parentheses (coalesce, cast) come back too; callers resolve
 * the names. *n gets the count; the caller frees the array and each name. Pure. */
typedef struct sql_call {
    char *schema; /* NULL when the name is not qualified */
    char *name;
} sql_call;
sql_call *sql_expr_calls(const char *text, size_t *n);
void sql_calls_free(sql_call *calls, size_t n);

vexit sql_expr_probe(pg_session *s, const char *sql, char *why, size_t why_size, verr *e);

#endif
