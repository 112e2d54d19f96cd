#include "src/verr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void verr_clear(verr *e)
{
    e->code = VOUCH_OK;
    e->msg[0] = '\0';
    e->hint[0] = '\0';
}

vexit verr_set(verr *e, vexit code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->code = code;
    e->hint[0] = '\0';
    return code;
}

void verr_hint(verr *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof e->hint, fmt, ap);
    va_end(ap);
}

void verr_prefix(verr *e, const char *fmt, ...)
{
    char prefix[256];
    char old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    /* Truncate the old message rather than the context, which names where it happened. */
    size_t n = strlen(prefix);
    if (n > sizeof e->msg - 3)
        n = sizeof e->msg - 3;
    memcpy(e->msg, prefix, n);
    memcpy(e->msg + n, ": ", 2);
    size_t room = sizeof e->msg - n - 3, len = strnlen(old, room);
    memcpy(e->msg + n + 2, old, len);
    e->msg[n + 2 + len] = '\0';
}
