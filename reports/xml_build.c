#include "reports/xml_build.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "reports/report.h"
#include "src/util.h"

#define X(s) ((const xmlChar *)(s))

char *rx_clean(const char *s)
{
    char *out = utf8_scrub(s);
    if (!out)
        return NULL;
    for (unsigned char *p = (unsigned char *)out; *p; p++) {
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            *p = '?';
        else if (*p == 0x7f)
            *p = '?';
        /* U+FFFE and U+FFFF are not XML characters either. */
        else if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
            p[0] = p[1] = p[2] = '?';
    }
    return out;
}

xmlDocPtr rx_new_report(const char *root)
{
    xmlDocPtr doc = xmlNewDoc(X("1.0"));
    xmlNodePtr top = xmlNewDocNode(doc, NULL, X(root), NULL);
    xmlDocSetRootElement(doc, top);
    xmlNsPtr ns = xmlNewNs(top, X(REPORT_NS), NULL);
    xmlSetNs(top, ns);
    rx_attr(top, "version", REPORT_VOCABULARY_VERSION);
    xmlNodePtr gen = rx_child(top, "generator", NULL);
    rx_attr(gen, "tool", "vouch");
    rx_attr(gen, "version", VOUCH_VERSION);
    return doc;
}

xmlNodePtr rx_child(xmlNodePtr parent, const char *name, const char *text)
{
    char *clean = rx_clean(text);
    /* xmlNewTextChild escapes its content; xmlNewChild would read '&' as markup. */
    xmlNodePtr n = xmlNewTextChild(parent, parent->ns, X(name), X(clean));
    free(clean);
    return n;
}

xmlNodePtr rx_child_opt(xmlNodePtr parent, const char *name, const char *text)
{
    return text ? rx_child(parent, name, text) : NULL;
}

void rx_attr(xmlNodePtr node, const char *name, const char *value)
{
    if (!value)
        return;
    char *clean = rx_clean(value);
    xmlNewProp(node, X(name), X(clean));
    free(clean);
}

void rx_attr_int(xmlNodePtr node, const char *name, int64_t value)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, value);
    xmlNewProp(node, X(name), X(buf));
}

void rx_attr_bool(xmlNodePtr node, const char *name, int value)
{
    xmlNewProp(node, X(name), X(value ? "true" : "false"));
}
