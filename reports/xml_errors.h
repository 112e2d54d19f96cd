/* Collects the first message libxml2 or libxslt reports while one operation
 * runs, so that it reaches the user as one line of a verr instead of being
 * printed by the library. */
#ifndef VOUCH_XML_ERRORS_H
#define VOUCH_XML_ERRORS_H

#include <libxml/xmlerror.h>

typedef struct xml_errors {
    char first[512];  /* the first message, one line, "" when none */
    int line;         /* its line when known, else 0 */
    int count;
} xml_errors;

/* Route libxml2's and libxslt's generic error output into errs until
 * xml_errors_stop. */
void xml_errors_start(xml_errors *errs);
void xml_errors_stop(void);

/* Error callbacks, for APIs that take their own (RELAX NG, transform contexts). */
void xml_errors_generic(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xml_errors_structured(void *ctx, xmlErrorPtr err);

#endif
