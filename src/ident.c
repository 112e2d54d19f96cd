#include "src/ident.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

/* One part: "quoted ""with"" quotes" or a bare word, folded to lower case as
 * PostgreSQL folds unquoted identifiers. */
static const char *parse_part(const char *p, char **out, char *why, size_t why_size)
{
    if (*p == '"') {
        size_t cap = strlen(p) + 1, n = 0;
        char *buf = xmalloc(cap);
        for (p++;; p++) {
            if (!*p) {
                free(buf);
                snprintf(why, why_size, "unterminated quoted identifier");
                return NULL;
            }
            if (*p == '"') {
                if (p[1] != '"')
                    break;
                p++;
            }
            buf[n++] = *p;
        }
        buf[n] = '\0';
        if (!n) {
            free(buf);
            snprintf(why, why_size, "empty quoted identifier");
            return NULL;
        }
        *out = buf;
        return p + 1;
    }
    const char *start = p;
    while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '$' || (unsigned char)*p >= 0x80))
        p++;
    if (p == start || isdigit((unsigned char)*start)) {
        snprintf(why, why_size, "expected a name, found \"%s\"", start);
        return NULL;
    }
    char *buf = xstrndup(start, (size_t)(p - start));
    for (char *q = buf; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    *out = buf;
    return p;
}

bool qname_parse(const char *text, const char *default_schema, qname *out, const char **rest,
                 char *why, size_t why_size)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    char *first = NULL, *second = NULL;
    if (!(p = parse_part(p, &first, why, why_size)))
        return false;
    if (*p == '.') {
        if (!(p = parse_part(p + 1, &second, why, why_size))) {
            free(first);
            return false;
        }
    }
    if (*p && !isspace((unsigned char)*p)) {
        snprintf(why, why_size, "unexpected \"%s\" after the table name", p);
        free(first);
        free(second);
        return false;
    }
    if (second) {
        out->schema = first;
        out->name = second;
    } else {
        out->schema = xstrdup(default_schema);
        out->name = first;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (rest)
        *rest = p;
    return true;
}

bool ident_parse(const char *text, char **out, char *why, size_t why_size)
{
    while (isspace((unsigned char)*text))
        text++;
    const char *p = parse_part(text, out, why, why_size);
    if (!p)
        return false;
    while (isspace((unsigned char)*p))
        p++;
    if (*p) {
        snprintf(why, why_size, "expected one name, found \"%s\"", text);
        free(*out);
        *out = NULL;
        return false;
    }
    return true;
}

void qname_release(qname *q)
{
    free(q->schema);
    free(q->name);
    q->schema = q->name = NULL;
}

static bool needs_quotes(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return true;
    for (const char *p = s; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
            return true;
    return false;
}

static char *display_part(const char *s)
{
    if (!needs_quotes(s))
        return xstrdup(s);
    char *buf = xmalloc(strlen(s) * 2 + 3), *q = buf;
    *q++ = '"';
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            *q++ = '"';
        *q++ = *p;
    }
    *q++ = '"';
    *q = '\0';
    return buf;
}

char *ident_display(const char *name)
{
    return display_part(name);
}

char *qname_display(const char *schema, const char *name)
{
    char *a = display_part(schema), *b = display_part(name);
    char *out = xasprintf("%s.%s", a, b);
    free(a);
    free(b);
    return out;
}
