/* Small helpers over libxml2's tree API for building report documents: every
 * element goes into the report namespace, every string is made valid XML text
 * (UTF-8, no control characters) before libxml2 escapes it. */
#ifndef VOUCH_XML_BUILD_H
#define VOUCH_XML_BUILD_H

#include <stdint.h>

#include <libxml/tree.h>

/* A new document whose root element is named root, in the report namespace,
 * with version and a <generator> child naming this vouch. Caller frees with
 * xmlFreeDoc. */
xmlDocPtr rx_new_report(const char *root);

/* A child element of parent (in parent's namespace); with text when text is not
 * NULL. */
xmlNodePtr rx_child(xmlNodePtr parent, const char *name, const char *text);
/* The same, but nothing is added when text is NULL. Returns the child or NULL. */
xmlNodePtr rx_child_opt(xmlNodePtr parent, const char *name, const char *text);

/* Attributes: nothing is set when value is NULL. */
void rx_attr(xmlNodePtr node, const char *name, const char *value);
void rx_attr_int(xmlNodePtr node, const char *name, int64_t value);
void rx_attr_bool(xmlNodePtr node, const char *name, int value);

/* A copy of s that XML 1.0 accepts: invalid UTF-8 bytes and control characters
 * other than tab, newline and carriage return become '?'. NULL stays NULL. */
char *rx_clean(const char *s);

#endif
