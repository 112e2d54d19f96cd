/* query: the pure parts of the [query] section (see query.h). */
#include "checks/query.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

/* A finite, non-negative decimal number that is all of s (blanks around allowed). */
static bool parse_number(const char *s, double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s) && *s != '.')
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return false;
    *out = v;
    return true;
}

bool query_expect_parse(const char *text, query_expect *out, char *why, size_t why_size)
{
    char *t = xstrdup(text), *s = trim(t);
    bool ok = true;
    *out = (query_expect){QUERY_EXPECT_TRUE, 0};
    if (strcmp(s, "true") == 0) {
        out->kind = QUERY_EXPECT_TRUE;
    } else if (strcmp(s, "baseline") == 0) {
        out->kind = QUERY_EXPECT_BASELINE;
    } else if (strncmp(s, "at-least", 8) == 0 && (s[8] == ' ' || s[8] == '\t')) {
        out->kind = QUERY_EXPECT_AT_LEAST;
        if (!parse_number(s + 8, &out->n)) {
            snprintf(why, why_size, "expected a number after at-least, found \"%s\"",
                     trim(s + 8));
            ok = false;
        }
    } else if (strncmp(s, "tolerance", 9) == 0 && (s[9] == ' ' || s[9] == '\t')) {
        out->kind = QUERY_EXPECT_TOLERANCE;
        char *pct = trim(s + 9);
        size_t len = strlen(pct);
        if (!len || pct[len - 1] != '%') {
            snprintf(why, why_size, "expected a percentage after tolerance (such as 5%%),"
                                    " found \"%s\"", pct);
            ok = false;
        } else {
            pct[len - 1] = '\0';
            if (!parse_number(pct, &out->n)) {
                snprintf(why, why_size, "expected a percentage after tolerance (such as 5%%),"
                                        " found \"%s%%\"", pct);
                ok = false;
            }
        }
    } else {
        snprintf(why, why_size,
                 "unknown expectation \"%s\": use true, baseline, at-least N or tolerance N%%",
                 s);
        ok = false;
    }
    if (ok && why_size)
        why[0] = '\0';
    free(t);
    return ok;
}

void query_expect_format(const query_expect *x, char *buf, size_t size)
{
    switch (x->kind) {
    case QUERY_EXPECT_TRUE: snprintf(buf, size, "true"); break;
    case QUERY_EXPECT_BASELINE: snprintf(buf, size, "baseline"); break;
    case QUERY_EXPECT_AT_LEAST: snprintf(buf, size, "at-least %g", x->n); break;
    case QUERY_EXPECT_TOLERANCE: snprintf(buf, size, "tolerance %g%%", x->n); break;
    }
}

bool query_kind_ok(const char *stmt, char *why, size_t why_size)
{
    const char *p = stmt;
    while (*p == '(' || isspace((unsigned char)*p))
        p++;
    const char *w = p;
    while (isalpha((unsigned char)*p))
        p++;
    size_t len = (size_t)(p - w);
    static const char *const kinds[] = {"select", "with", "values", "table"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (len == strlen(kinds[i]) && strncasecmp(w, kinds[i], len) == 0)
            return true;
    snprintf(why, why_size,
             "the query starts with \"%.*s\": give one SELECT, WITH, VALUES or TABLE statement"
             " that returns rows",
             (int)(len ? len : 1), len ? w : p);
    return false;
}

char *query_display(const char *stmt, size_t max)
{
    textbuf t = {0};
    bool blank = false;
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)stmt;
    while (*p) {
        if (isspace(*p)) {
            blank = true;
            p++;
            continue;
        }
        size_t len = utf8_seq(p);
        if (!len)
            len = 1;
        if (n + (blank && n ? 1 : 0) + len > max) {
            textbuf_add(&t, "...");
            break;
        }
        if (blank && n) {
            textbuf_add(&t, " ");
            n++;
        }
        blank = false;
        textbuf_add(&t, "%.*s", (int)len, (const char *)p);
        n += len;
        p += len;
    }
    return t.p ? t.p : xstrdup("");
}

bool query_number_ok(const query_expect *x, double observed, double base)
{
    if (x->kind == QUERY_EXPECT_AT_LEAST)
        return observed >= x->n;
    if (base == 0)
        return observed == 0;
    return fabs(observed - base) * 100.0 <= x->n * fabs(base);
}
