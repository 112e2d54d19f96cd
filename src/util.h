/* Small allocation and string helpers. Allocation failure ends the process
 * (as git's xmalloc does): there is nothing useful to record without memory. */
#ifndef VOUCH_UTIL_H
#define VOUCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);            /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
/* Caller frees the result. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *v (of *cap elements of size sz) so that it holds at least need elements. */
void grow(void **v, size_t *cap, size_t need, size_t sz);

/* Strict integer parsing: the whole string, no sign games, range-checked. */
bool parse_int64(const char *s, int64_t *out);

/* Trim ASCII whitespace in place; returns s. */
char *trim(char *s);

/* Length of the valid UTF-8 sequence at p (1 to 4 bytes; 1 for NUL), or 0 when p does not
 * start one: a stray or cut-off byte, an overlong form, a surrogate, beyond U+10FFFF. */
size_t utf8_seq(const unsigned char *p);

/* A copy of s in which every byte that is not part of valid UTF-8 is replaced by '?',
 * for writers whose formats demand UTF-8 (JSON, XML). NULL stays NULL; caller frees. */
char *utf8_scrub(const char *s);

/* Milliseconds since the epoch of a time written by utc_now ("...T...:SS.mmmZ"). */
bool utc_parse_ms(const char *iso, int64_t *ms);

/* A growing string: start from {0}; p stays NULL until something is added and is
 * always NUL-terminated after; the owner frees p. */
typedef struct textbuf {
    char *p;
    size_t len, cap;
} textbuf;
void textbuf_add(textbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A time as a person writes it on a command line: "YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]"
 * followed by "Z", "+HH:MM", "+HHMM" or "+HH" (or "-"); the offset is required so
 * that no time is read in the wrong zone. Milliseconds since the epoch into *ms. */
bool time_parse_iso(const char *s, int64_t *ms);

/* A duration for people, in its largest units: "250 ms", "45 s", "45 min", "2 h 5 min",
 * "30 h", "3 d 4 h" (the sign is dropped). */
void duration_format(int64_t ms, char *buf, size_t size);

/* ms since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least 32 bytes). */
void utc_format_ms(int64_t ms, char *buf, size_t size);

/* UTC time now as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least 32 bytes). */
void utc_now(char *buf, size_t size);

#endif
