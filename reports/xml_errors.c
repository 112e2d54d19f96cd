#include "reports/xml_errors.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libxslt/xsltutils.h>

/* libxslt reports a runtime error in two messages: where ("runtime error: file F
 * line N element E"), then what. Both make the one line kept. */
static bool only_where(const char *first)
{
    return strncmp(first, "runtime error:", 14) == 0 || strncmp(first, "compilation error:", 18) == 0;
}

static void keep(xml_errors *errs, const char *msg, int line)
{
    if (!msg)
        return;
    size_t used = strlen(errs->first);
    if (errs->count++ > 0 && !(errs->count == 2 && only_where(errs->first)))
        return;
    if (used && used + 2 < sizeof errs->first) {
        memcpy(errs->first + used, ": ", 3);
        used += 2;
    }
    /* one line: drop the newline libxml2 ends its messages with */
    size_t n = strcspn(msg, "\n");
    if (n >= sizeof errs->first - used)
        n = sizeof errs->first - used - 1;
    memcpy(errs->first + used, msg, n);
    errs->first[used + n] = '\0';
    if (!errs->line)
        errs->line = line;
}

void xml_errors_generic(void *ctx, const char *fmt, ...)
{
    xml_errors *errs = ctx;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* libxml2 sends some messages in pieces; an empty piece says nothing */
    if (buf[0] && strcmp(buf, "\n") != 0)
        keep(errs, buf, 0);
}

void xml_errors_structured(void *ctx, xmlErrorPtr err)
{
    if (err && err->level >= XML_ERR_ERROR)
        keep(ctx, err->message, err->line);
}

void xml_errors_start(xml_errors *errs)
{
    memset(errs, 0, sizeof *errs);
    xmlSetGenericErrorFunc(errs, xml_errors_generic);
    xmlSetStructuredErrorFunc(errs, xml_errors_structured);
    xsltSetGenericErrorFunc(errs, xml_errors_generic);
}

void xml_errors_stop(void)
{
    xmlSetGenericErrorFunc(NULL, NULL);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xsltSetGenericErrorFunc(NULL, NULL);
}
