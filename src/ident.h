/* Qualified table names as written in the configuration: schema.table, where
 * either part may be double-quoted ("Odd Name"."a; drop table b"). */
#ifndef VOUCH_IDENT_H
#define VOUCH_IDENT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct qname {
    char *schema;
    char *name;
} qname;

/* Parse a qualified name at the start of text; an unqualified name gets
 * default_schema. *rest (if not NULL) points after the name. Returns false with
 * a reason in why on a malformed name. On success the caller frees with qname_release. */
bool qname_parse(const char *text, const char *default_schema, qname *out, const char **rest,
                 char *why, size_t why_size);
void qname_release(qname *q);
/* Parse text that must be exactly one identifier (a schema, a role). Caller frees *out. */
bool ident_parse(const char *text, char **out, char *why, size_t why_size);
/* One identifier as the configuration reads it: quoted only where it needs it. Caller frees. */
char *ident_display(const char *name);
/* "public.tasks", quoting a part only where it needs it. Caller frees. */
char *qname_display(const char *schema, const char *name);
/* One name (a column, a role) the same way: quoted only where it needs it. Caller frees. */
char *ident_display(const char *name);

#endif
