#include "checks/token_rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

typedef struct named_format {
    const char *name;
    token_format f;
} named_format;

/* Anchored, so a value with anything around the hash fails. Hex accepts either case:
 * both are a hash, neither is a token. Base64 of 32 bytes is 43 characters, the last of
 * which carries 2 zero bits, then one optional "=". bcrypt is the modular crypt format
 * ($2a$, $2b$, $2x$, $2y$; two-digit cost; 22 characters of salt and 31 of hash, 60 in
 * all); argon2id the PHC string format ($argon2id$v=19$m=..,t=..,p=..$salt$hash, salt and
 * hash unpadded base64). */
static const named_format formats[] = {
    {"sha256-hex", {"^[0-9a-fA-F]+$", 64, 0, false}},
    {"sha512-hex", {"^[0-9a-fA-F]+$", 128, 0, false}},
    {"sha256-base64", {"^[A-Za-z0-9+/]+[AEIMQUYcgkosw048]=?$", 43, 1, false}},
    {"sha256-base64url", {"^[A-Za-z0-9_-]+[AEIMQUYcgkosw048]=?$", 43, 1, false}},
    {"bcrypt", {"^\\$2[abxy]\\$[0-9][0-9]\\$[./A-Za-z0-9]+$", 60, 0, false}},
    {"argon2id", {"^\\$argon2id(\\$v=[0-9]+)?\\$m=[0-9]+,t=[0-9]+,p=[0-9]+(,[a-z]+=[^$,]*)*"
                  "\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+$",
                  0, 0, false}},
};

bool token_format_lookup(const char *spec, token_format *out, char *why, size_t why_size)
{
    if (strncmp(spec, "regex:", 6) == 0) {
        if (!spec[6]) {
            snprintf(why, why_size, "regex: needs a pattern, e.g. regex:^tok_[0-9a-f]+$");
            return false;
        }
        *out = (token_format){spec + 6, 0, 0, false};
        return true;
    }
    if (strcmp(spec, "plaintext") == 0) {
        *out = (token_format){NULL, 0, 0, true};
        return true;
    }
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(spec, formats[i].name) == 0) {
            *out = formats[i].f;
            return true;
        }
    snprintf(why, why_size,
             "unknown format \"%s\": use sha256-hex, sha256-base64, sha256-base64url, sha512-hex,"
             " bcrypt, argon2id, regex:PATTERN or plaintext",
             spec);
    return false;
}

bool token_format_length_ok(const token_format *f, const char *value)
{
    if (!f->length)
        return true;
    size_t n = strlen(value), bare = n;
    while (bare && value[bare - 1] == '=')
        bare--;
    return bare == (size_t)f->length && n - bare <= (size_t)f->padding;
}

typedef struct unit {
    const char *name;
    int64_t seconds;
} unit;

static const unit units[] = {
    {"s", 1},         {"sec", 1},       {"second", 1},    {"seconds", 1},
    {"min", 60},      {"minute", 60},   {"minutes", 60},  {"h", 3600},
    {"hour", 3600},   {"hours", 3600},  {"d", 86400},     {"day", 86400},
    {"days", 86400},  {"w", 604800},    {"week", 604800}, {"weeks", 604800},
};

#define LIFETIME_MAX_S (100LL * 366 * 86400)

bool token_lifetime_parse(const char *text, int64_t *seconds)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    int64_t n = 0;
    while (isdigit((unsigned char)*p)) {
        n = n * 10 + (*p++ - '0');
        if (n > LIFETIME_MAX_S)
            return false;
    }
    while (isspace((unsigned char)*p))
        p++;
    size_t len = 0;
    while (isalpha((unsigned char)p[len]))
        len++;
    const char *rest = p + len;
    while (isspace((unsigned char)*rest))
        rest++;
    if (!len || *rest || n == 0)
        return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].name) != len || strncmp(units[i].name, p, len) != 0)
            continue;
        if (n > LIFETIME_MAX_S / units[i].seconds)
            return false;
        *seconds = n * units[i].seconds;
        return true;
    }
    return false;
}

void token_lifetime_format(int64_t seconds, char *buf, size_t size)
{
    static const unit shown[] = {{"day", 86400}, {"hour", 3600}, {"minute", 60}, {"second", 1}};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        if (seconds % shown[i].seconds)
            continue;
        int64_t n = seconds / shown[i].seconds;
        snprintf(buf, size, "%lld %s%s", (long long)n, shown[i].name, n == 1 ? "" : "s");
        return;
    }
}

bool token_line_split(char *line, token_line *out)
{
    const char **fields[] = {&out->id, &out->expiry, &out->revoked, &out->digest};
    char *p = line;
    for (size_t i = 0; i < 4; i++) {
        *fields[i] = p;
        char *tab = strchr(p, '\t');
        if (i < 3) {
            if (!tab)
                return false;
            *tab = '\0';
            p = tab + 1;
        } else if (tab) {
            return false;
        }
    }
    return *out->id != '\0';
}

/* Order of time fields: -infinity < any time < infinity; NULL is treated by the caller. */
static int time_rank(const char *f, int64_t *us)
{
    if (strcmp(f, "-infinity") == 0)
        return -1;
    if (strcmp(f, "infinity") == 0)
        return 1;
    *us = 0;
    if (*f == '-') {
        if (!parse_int64(f + 1, us))
            return 0;
        *us = -*us;
        return 0;
    }
    parse_int64(f, us);
    return 0;
}

/* <0, 0, >0 as a is earlier, equal or later than b; NULL (empty) counts as never. */
static int time_cmp(const char *a, const char *b)
{
    bool an = !*a, bn = !*b;
    if (an || bn)
        return an == bn ? 0 : an ? 1 : -1;
    int64_t ua, ub;
    int ra = time_rank(a, &ua), rb = time_rank(b, &ub);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    if (ra)
        return 0;
    return ua < ub ? -1 : ua > ub ? 1 : 0;
}

unsigned token_compare(const token_line *base, const token_line *now)
{
    unsigned how = 0;
    if (strcmp(base->digest, now->digest) != 0)
        how |= TOKEN_HASH_CHANGED;
    int c = time_cmp(now->expiry, base->expiry);
    if (c > 0)
        how |= TOKEN_EXPIRY_EXTENDED;
    else if (c < 0)
        how |= TOKEN_EXPIRY_SHORTENED;
    bool was = *base->revoked, is = *now->revoked;
    if (was && !is)
        how |= TOKEN_REVIVED;
    else if (!was && is)
        how |= TOKEN_REVOKED_NOW;
    else if (was && time_cmp(base->revoked, now->revoked) != 0)
        how |= TOKEN_REVOKED_MOVED;
    return how;
}

void token_time_display(const char *field, char *buf, size_t size)
{
    if (!*field) {
        snprintf(buf, size, "NULL");
        return;
    }
    int64_t us;
    const char *digits = *field == '-' ? field + 1 : field;
    if (time_rank(field, &us) != 0 || !parse_int64(digits, &us)) {
        /* infinity, -infinity, or a flag's mark ("revoked") */
        snprintf(buf, size, "%s", field);
        return;
    }
    time_rank(field, &us);
    /* Whole milliseconds, rounded toward the past. */
    int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
    utc_format_ms(ms, buf, size);
}

static char *trimmed_copy(const char *from, const char *to)
{
    while (from < to && isspace((unsigned char)*from))
        from++;
    while (to > from && isspace((unsigned char)to[-1]))
        to--;
    char *out = xcalloc((size_t)(to - from) + 1, 1);
    memcpy(out, from, (size_t)(to - from));
    return out;
}

void token_list_free(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

bool token_list_split(const char *text, char ***items, size_t *n, char *why, size_t why_size)
{
    *items = NULL;
    *n = 0;
    size_t cap = 0;
    const char *start = text;
    char quote = 0;
    for (const char *p = text;; p++) {
        if (quote) {
            if (!*p) {
                snprintf(why, why_size, "unclosed %c in \"%s\"", quote, text);
                token_list_free(*items, *n);
                *items = NULL;
                *n = 0;
                return false;
            }
            if (*p == quote)
                quote = 0;
            continue;
        }
        if (*p == '"' || *p == '\'') {
            quote = *p;
            continue;
        }
        if (*p && *p != ',')
            continue;
        char *item = trimmed_copy(start, p);
        if (!*item) {
            free(item);
            snprintf(why, why_size, "an empty item in \"%s\"", text);
            token_list_free(*items, *n);
            *items = NULL;
            *n = 0;
            return false;
        }
        grow((void **)items, &cap, *n + 1, sizeof **items);
        (*items)[(*n)++] = item;
        if (!*p)
            return true;
        start = p + 1;
    }
}

/* 'it''s' -> it's; a bare word as it is. */
static char *unquote_value(const char *v)
{
    size_t len = strlen(v);
    if (len < 2 || v[0] != '\'' || v[len - 1] != '\'')
        return xstrdup(v);
    char *out = xcalloc(len, 1), *o = out;
    for (size_t i = 1; i + 1 < len; i++) {
        *o++ = v[i];
        if (v[i] == '\'' && v[i + 1] == '\'')
            i++;
    }
    return out;
}

bool token_revoked_parse(const char *text, char **column, char ***values, size_t *n,
                         char *why, size_t why_size)
{
    *column = NULL;
    *values = NULL;
    *n = 0;
    /* " in (" outside double quotes: the column is the text before it. */
    bool quoted = false;
    const char *in = NULL;
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        if (quoted || !isspace((unsigned char)*p) || (p[1] != 'i' && p[1] != 'I') ||
            (p[2] != 'n' && p[2] != 'N'))
            continue;
        const char *q = p + 3;
        while (isspace((unsigned char)*q))
            q++;
        if (*q == '(') {
            in = p;
            break;
        }
    }
    if (!in) {
        *column = trimmed_copy(text, text + strlen(text));
        return true;
    }
    const char *open = strchr(in, '(');
    const char *close = strrchr(open, ')');
    const char *after = close ? close + 1 : open;
    while (*after && isspace((unsigned char)*after))
        after++;
    if (!close || *after) {
        snprintf(why, why_size, "write COLUMN in (VALUE, ...), e.g. status in (revoked, used)");
        return false;
    }
    char *inside = trimmed_copy(open + 1, close);
    char **raw;
    size_t n_raw;
    bool ok = token_list_split(inside, &raw, &n_raw, why, why_size);
    free(inside);
    if (!ok)
        return false;
    *values = xcalloc(n_raw + 1, sizeof **values);
    for (size_t i = 0; i < n_raw; i++)
        (*values)[i] = unquote_value(raw[i]);
    *n = n_raw;
    token_list_free(raw, n_raw);
    *column = trimmed_copy(text, in);
    return true;
}
