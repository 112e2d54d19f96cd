/* src/sql_expr: configured SQL expressions, read lexically and parsed by the server
 * (see the header). */
#include "src/sql_expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

static bool refuse(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool refuse(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return false;
}

/* PostgreSQL's ident_start and ident_cont (src/backend/parser/scan.l), bytewise. */
static bool ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool ident_cont(unsigned char c)
{
    return ident_start(c) || is_digit(c) || c == '$';
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A '...' string at *p (on its opening quote): '' is a quote; with backslashes, E'...'
 * reads \x as one escaped byte. *p ends after the closing quote. */
static bool skip_string(const char **p, bool escapes, char *why, size_t size)
{
    const char *q = *p + 1;
    for (;;) {
        if (!*q)
            return refuse(why, size, "a string constant is not closed");
        if (*q == '\\') {
            if (!escapes)
                return refuse(why, size,
                              "a backslash in a '...' string is not allowed: write E'...' for"
                              " backslash escapes");
            if (!q[1])
                return refuse(why, size, "a string constant is not closed");
            q += 2;
        } else if (*q == '\'') {
            if (q[1] != '\'')
                break;
            q += 2;
        } else {
            q++;
        }
    }
    *p = q + 1;
    return true;
}

/* A "..." identifier at *p; "" is a double quote. */
static bool skip_quoted_ident(const char **p, char *why, size_t size)
{
    const char *q = *p + 1;
    for (;;) {
        if (!*q)
            return refuse(why, size, "a quoted identifier is not closed");
        if (*q == '"') {
            if (q[1] != '"')
                break;
            q += 2;
        } else {
            q++;
        }
    }
    *p = q + 1;
    return true;
}

/* The length of the $tag$ delimiter at p ("$$" or "$name$"), or 0 when p starts none. */
static size_t dollar_delimiter(const char *p)
{
    size_t n = 1;
    if (ident_start((unsigned char)p[n]))
        while (ident_start((unsigned char)p[n]) || is_digit((unsigned char)p[n]))
            n++;
    return p[n] == '$' ? n + 1 : 0;
}

/* A $tag$...$tag$ string at *p: the body ends at the first "$tag$" after the opening,
 * as the server's lexer ends it. */
static bool skip_dollar_string(const char **p, char *why, size_t size)
{
    const char *open = *p;
    size_t len = dollar_delimiter(open);
    if (!len) {
        if (is_digit((unsigned char)open[1]))
            return refuse(why, size, "a parameter reference ($%c) is not allowed", open[1]);
        return refuse(why, size, "a '$' that does not start a $tag$ quote is not allowed");
    }
    for (const char *q = open + len; *q; q++)
        if (*q == '$' && strncmp(q, open, len) == 0) {
            *p = q + len;
            return true;
        }
    return refuse(why, size, "a %.*s quote is not closed", (int)len, open);
}

/* A name or keyword at *p, and a string constant that a prefix (E, B, X, N) glues to it. */
static bool skip_word(const char **p, char *why, size_t size)
{
    const char *w = *p, *q = w;
    while (ident_cont((unsigned char)*q))
        q++;
    size_t len = (size_t)(q - w);
    *p = q;
    if (*q != '\'')
        return true;
    if (len == 1 && (*w == 'e' || *w == 'E'))
        return skip_string(p, true, why, size);
    if (len == 1 && strchr("bBxXnN", *w))
        return skip_string(p, false, why, size);
    return refuse(why, size, "a quote right after \"%.*s\" is not allowed: put a space between",
                  (int)len, w);
}

/* A number at *p: digits, '.', exponents; nothing may be glued to it that the server
 * would read as the start of a quote. */
static bool skip_number(const char **p, char *why, size_t size)
{
    const char *w = *p, *q = w;
    while (ident_cont((unsigned char)*q) || *q == '.')
        q++;
    *p = q;
    if (*q == '\'' || memchr(w, '$', (size_t)(q - w)))
        return refuse(why, size, "a quote or '$' right after the number \"%.*s\" is not allowed",
                      (int)(q - w), w);
    return true;
}

/* The lexer of both modes: an expression, or one statement (stmt) which says so in its
 * messages. */
static bool lex_check(const char *text, bool stmt, char *why, size_t why_size)
{
    const char *p = text;
    long depth = 0;
    bool any = false;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (is_space(c)) {
            p++;
            continue;
        }
        any = true;
        bool ok = true;
        if (c == '\'')
            ok = skip_string(&p, false, why, why_size);
        else if (c == '"')
            ok = skip_quoted_ident(&p, why, why_size);
        else if (c == '$')
            ok = skip_dollar_string(&p, why, why_size);
        else if (ident_start(c))
            ok = skip_word(&p, why, why_size);
        else if (is_digit(c) || (c == '.' && is_digit((unsigned char)p[1])))
            ok = skip_number(&p, why, why_size);
        else if (c == '-' && p[1] == '-')
            return refuse(why, why_size, "a comment (--) is not allowed");
        else if (c == '/' && p[1] == '*')
            return refuse(why, why_size, "a comment (/* */) is not allowed");
        else if (c == ';')
            return refuse(why, why_size, "a ';' outside quotes is not allowed: give one %s",
                          stmt ? "statement" : "expression");
        else if (c == ')' && depth == 0)
            return refuse(why, why_size, "a ')' closes a parenthesis the %s did not open",
                          stmt ? "statement" : "expression");
        else {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            p++;
        }
        if (!ok)
            return false;
    }
    if (!any)
        return refuse(why, why_size, "expected an SQL %s", stmt ? "statement" : "expression");
    if (depth > 0)
        return refuse(why, why_size, "%ld '(' %s not closed", depth, depth == 1 ? "is" : "are");
    if (why_size)
        why[0] = '\0';
    return true;
}

bool sql_expr_lex_check(const char *text, char *why, size_t why_size)
{
    return lex_check(text, false, why, why_size);
}

char *sql_stmt_lex_check(const char *text, char *why, size_t why_size)
{
    size_t len = strlen(text);
    while (len && is_space((unsigned char)text[len - 1]))
        len--;
    /* One ';' at the very end ends the statement. Were it inside a quote, the quote
     * would not be closed without it, and the rest is refused for that. */
    if (len && text[len - 1] == ';')
        len--;
    while (len && is_space((unsigned char)text[len - 1]))
        len--;
    size_t start = 0;
    while (start < len && is_space((unsigned char)text[start]))
        start++;
    char *stmt = xstrndup(text + start, len - start);
    if (!lex_check(stmt, true, why, why_size)) {
        free(stmt);
        return NULL;
    }
    return stmt;
}

vexit sql_expr_probe(pg_session *s, const char *sql, char *why, size_t why_size, verr *e)
{
    if (why_size)
        why[0] = '\0';
    if (pg_exec(s, "SAVEPOINT vouch_probe", e))
        return e->code = VOUCH_ABORTED;
    PGresult *r = PQprepare(s->conn, "", sql, 0, NULL);
    if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
        PQclear(r);
        return pg_exec(s, "RELEASE SAVEPOINT vouch_probe", e) ? (e->code = VOUCH_ABORTED)
                                                               : VOUCH_OK;
    }
    verr refused;
    verr_clear(&refused);
    vexit rc = pg_result_error(s, r, &refused);
    PQclear(r);
    if (rc == VOUCH_ABORTED) {
        *e = refused;
        return VOUCH_ABORTED;
    }
    snprintf(why, why_size, "%s", refused.msg);
    if (pg_exec(s, "ROLLBACK TO SAVEPOINT vouch_probe", e) ||
        pg_exec(s, "RELEASE SAVEPOINT vouch_probe", e))
        return e->code = VOUCH_ABORTED;
    return VOUCH_OK;
}

/* ------------------------------------------------------------ called names */

/* One name part at *p (a word or a "quoted" name), folded as the server folds it; NULL
 * when there is none. */
static char *name_part(const char **p)
{
    const char *q = *p;
    if (*q == '"') {
        char *out = xmalloc(strlen(q) + 1), *w = out;
        for (q++; *q; q++) {
            if (*q == '"' && q[1] != '"')
                break;
            if (*q == '"')
                q++;
            *w++ = *q;
        }
        *w = '\0';
        *p = *q ? q + 1 : q;
        return out;
    }
    if (!ident_start((unsigned char)*q))
        return NULL;
    while (ident_cont((unsigned char)*q))
        q++;
    char *out = xstrndup(*p, (size_t)(q - *p));
    for (char *c = out; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    *p = q;
    return out;
}

static void skip_blanks(const char **p)
{
    while (is_space((unsigned char)**p))
        (*p)++;
}

static void add_call(sql_call **calls, size_t *n, size_t *cap, char *schema, char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*calls)[i].name, name) == 0 &&
            (schema ? (*calls)[i].schema && strcmp((*calls)[i].schema, schema) == 0
                    : !(*calls)[i].schema)) {
            free(schema);
            free(name);
            return;
        }
    grow((void **)calls, cap, *n + 1, sizeof **calls);
    (*calls)[(*n)++] = (sql_call){schema, name};
}

sql_call *sql_expr_calls(const char *text, size_t *n)
{
    sql_call *calls = NULL;
    size_t cap = 0;
    *n = 0;
    const char *p = text;
    char why[8];
    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (c == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (c == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else if (c == '\'') {
            if (!skip_string(&p, p > text && (p[-1] == 'e' || p[-1] == 'E'), why, sizeof why))
                break;
        } else if (c == '$' && dollar_delimiter(p)) {
            /* A function body in $$...$$ is code: its calls are read as well. */
            size_t len = dollar_delimiter(p);
            p += len;
        } else if (ident_start(c) || c == '"') {
            char *parts[3] = {NULL, NULL, NULL};
            int np = 0;
            for (;;) {
                char *part = name_part(&p);
                if (!part)
                    break;
                if (np < 3)
                    parts[np++] = part;
                else
                    free(part);
                if (*p != '.' || !(ident_start((unsigned char)p[1]) || p[1] == '"'))
                    break;
                p++;
            }
            const char *after = p;
            skip_blanks(&after);
            if (np && *after == '(') {
                /* schema.name, or db.schema.name: the last two parts */
                char *name = parts[np - 1], *schema = np > 1 ? parts[np - 2] : NULL;
                parts[np - 1] = NULL;
                if (np > 1)
                    parts[np - 2] = NULL;
                add_call(&calls, n, &cap, schema, name);
            }
            for (int i = 0; i < np; i++)
                free(parts[i]);
        } else {
            p++;
        }
    }
    return calls;
}

void sql_calls_free(sql_call *calls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(calls[i].schema);
        free(calls[i].name);
    }
    free(calls);
}
