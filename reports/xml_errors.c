#include "reports/xml_errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxslt/xsltutils.h>

static void keep(xml_errors *errs, const char *msg, int line)
{
    if (errs->count++ > 0 || !msg)
        return;
    /* one line: drop the newline libxml2 ends its messages with */
    size_t n = strcspn(msg, "\n");
    if (n >= sizeof errs->first)
        n = sizeof errs->first - 1;
    memcpy(errs->first, msg, n);
    errs->first[n] = '\0';
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
