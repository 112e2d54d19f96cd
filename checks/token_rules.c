#include "checks/token_rules.h"

#include <ctype.h>
#include <stdio.h>
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
    {"sha256-hex", {"^[0-9a-fA-F]+$", 64, 0}},
    {"sha512-hex", {"^[0-9a-fA-F]+$", 128, 0}},
    {"sha256-base64", {"^[A-Za-z0-9+/]+[AEIMQUYcgkosw048]=?$", 43, 1}},
    {"sha256-base64url", {"^[A-Za-z0-9_-]+[AEIMQUYcgkosw048]=?$", 43, 1}},
    {"bcrypt", {"^\\$2[abxy]\\$[0-9][0-9]\\$[./A-Za-z0-9]+$", 60, 0}},
    {"argon2id", {"^\\$argon2id(\\$v=[0-9]+)?\\$m=[0-9]+,t=[0-9]+,p=[0-9]+(,[a-z]+=[^$,]*)*"
                  "\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+$",
                  0, 0}},
};

bool token_format_lookup(const char *spec, token_format *out, char *why, size_t why_size)
{
    if (strncmp(spec, "regex:", 6) == 0) {
        if (!spec[6]) {
            snprintf(why, why_size, "regex: needs a pattern, e.g. regex:^tok_[0-9a-f]+$");
            return false;
        }
        *out = (token_format){spec + 6, 0, 0};
        return true;
    }
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(spec, formats[i].name) == 0) {
            *out = formats[i].f;
            return true;
        }
    snprintf(why, why_size,
             "unknown format \"%s\": use sha256-hex, sha256-base64, sha256-base64url, sha512-hex,"
             " bcrypt, argon2id or regex:PATTERN",
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
    if (time_rank(field, &us) != 0) {
        snprintf(buf, size, "%s", field);
        return;
    }
    /* Whole milliseconds, rounded toward the past. */
    int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
    utc_format_ms(ms, buf, size);
}
