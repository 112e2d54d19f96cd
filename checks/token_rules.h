/* The pure logic of the share_tokens check: what a token-hash format looks like as a
 * PostgreSQL regular expression, how a maximum lifetime is written, and how one link's
 * state in the baseline compares with its state now. No database, no I/O. */
#ifndef VOUCH_TOKEN_RULES_H
#define VOUCH_TOKEN_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a stored value of a format looks like: an exact length (after any trailing "="
 * padding, of which at most padding characters may follow) and a regular expression
 * (PostgreSQL ARE, matched with ~). The length is checked apart because PostgreSQL's
 * regex engine is slow with counted repetitions: ^[0-9a-f]{64}$ costs ~10 us a row,
 * length() plus ^[0-9a-f]+$ a tenth of that. length 0: no length rule. */
typedef struct token_format {
    const char *regex;
    int length;
    int padding;
    bool plaintext;  /* "plaintext": the values are tokens as issued, no format rule */
} token_format;

/* The format named by spec: "sha256-hex", "sha256-base64", "sha256-base64url",
 * "sha512-hex", "bcrypt", "argon2id", "regex:PATTERN" (PATTERN as given; regex points
 * into spec) or "plaintext" (regex NULL: tokens stored as issued, held to the baseline
 * only). False with why filled for an unknown or empty format. */
bool token_format_lookup(const char *spec, token_format *out, char *why, size_t why_size);

/* The length rule of f applied to value (as the server applies it). */
bool token_format_length_ok(const token_format *f, const char *value);

/* A lifetime as written in vouch.conf: a whole number and a unit, "30d", "30 days",
 * "720h", "2w", "90min", "45s" (units s, sec, second(s), min, minute(s), h, hour(s),
 * d, day(s), w, week(s)); at most 100 years. Seconds into *seconds. */
bool token_lifetime_parse(const char *text, int64_t *seconds);
/* "30 days", "36 hours", "90 minutes", "45 seconds": the largest unit that divides. */
void token_lifetime_format(int64_t seconds, char *buf, size_t size);

/* One link as the baseline records it and the server prints it:
 * "ID \t EXPIRY \t REVOKED \t HASHDIGEST" where EXPIRY and REVOKED are microseconds
 * since the epoch, "infinity" / "-infinity", or empty for NULL, and HASHDIGEST is a
 * short digest of the stored hash (never the hash). The fields point into the line,
 * which token_line_split cuts in place. */
typedef struct token_line {
    const char *id, *expiry, *revoked, *digest;
} token_line;

bool token_line_split(char *line, token_line *out);

/* How a link changed between the baseline and now (a set of flags). */
enum {
    TOKEN_HASH_CHANGED = 1 << 0,
    TOKEN_EXPIRY_EXTENDED = 1 << 1,   /* later, or no longer set */
    TOKEN_EXPIRY_SHORTENED = 1 << 2,  /* earlier, or set where it was not */
    TOKEN_REVIVED = 1 << 3,           /* revoked in the baseline, not revoked now */
    TOKEN_REVOKED_MOVED = 1 << 4,     /* revoked both times, at another time */
    TOKEN_REVOKED_NOW = 1 << 5,       /* revoked since the baseline: what revocation does */
};
unsigned token_compare(const token_line *base, const token_line *now);

/* A time field as a person reads it: "2026-10-01T00:00:00.000Z", "infinity", "NULL". */
void token_time_display(const char *field, char *buf, size_t size);

/* Split a comma-separated list ("tenant_id, id", "revoked, 'used up'") into trimmed
 * items, commas inside double or single quotes kept. *items (n of them) and each item are
 * the caller's (token_list_free). False with why for an empty list or item. */
bool token_list_split(const char *text, char ***items, size_t *n, char *why, size_t why_size);
void token_list_free(char **items, size_t n);

/* A revoked key as written: "COLUMN" or "COLUMN in (VALUE, ...)". *column is the text
 * before " in (" (trimmed, still to be read as a name), *values the values (a value
 * may be single-quoted, '' for a quote; n 0 without "in"). Caller frees both
 * (free, token_list_free). False with why when the list is empty or unclosed. */
bool token_revoked_parse(const char *text, char **column, char ***values, size_t *n,
                         char *why, size_t why_size);

#endif
