/* Errors that travel up to main.
 *
 * Reusable code never prints or exits: it fills a verr and returns its code.
 * Only main turns the code into the process exit status. */
#ifndef VOUCH_VERR_H
#define VOUCH_VERR_H

#include <stddef.h>

/* The exit codes of the command-line contract (docs/vouch.1). */
typedef enum vexit {
    VOUCH_OK = 0,        /* every check passed, or the command did what it was asked */
    VOUCH_FAILED = 1,    /* at least one check failed: the gate stays closed */
    VOUCH_USAGE = 2,     /* usage or configuration error */
    VOUCH_ABORTED = 3    /* could not finish: database unreachable, store error, interrupted */
} vexit;

typedef struct verr {
    vexit code;
    char msg[1024];  /* one line, lowercase, no final period */
    char hint[512];  /* optional full sentence with a likely fix, or "" */
} verr;

void verr_clear(verr *e);

/* Set code and message; returns code so callers can write `return verr_set(...)`. */
vexit verr_set(verr *e, vexit code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add a hint to an error already set. */
void verr_hint(verr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the message with context ("rowcount: ...") keeping code and hint. */
void verr_prefix(verr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
