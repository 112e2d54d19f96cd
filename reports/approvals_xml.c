#include "reports/approvals_xml.h"

#include <stdlib.h>
#include <string.h>

#include "reports/xml_build.h"
#include "src/util.h"

static bool approval_met(size_t distinct, const char *status, int required)
{
    return !status || strcmp(status, "passed") != 0 || distinct >= (size_t)required;
}

void report_approvals_xml(xmlNodePtr parent, const approval_list *l, int64_t run_id,
                          const char *run_status, int required)
{
    size_t distinct = approval_distinct_signers(l, run_id);
    xmlNodePtr sec = rx_child(parent, "approvals", NULL);
    rx_attr_int(sec, "required", required);
    rx_attr_int(sec, "distinct", (int64_t)distinct);
    rx_attr_bool(sec, "met", approval_met(distinct, run_status, required));
    for (size_t i = 0; i < l->n; i++) {
        const approval_record *a = l->v[i];
        if (a->run_id != run_id)
            continue;
        xmlNodePtr n = rx_child(sec, "approval", a->note ? a->note : "");
        rx_attr_int(n, "id", a->id);
        rx_attr(n, "signer", a->signer);
        rx_attr(n, "fingerprint", a->fingerprint);
        rx_attr(n, "at", a->approved_at);
        rx_attr_int(n, "chain-position", a->chain_pos);
        rx_attr(n, "digest", a->digest);
        rx_attr_bool(n, "timestamped", a->tsr != NULL);
    }
}

static xmlNodePtr child_named(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0)
            return c;
    return NULL;
}

void report_approvals_period(xmlNodePtr root, const approval_list *l, int required)
{
    xmlNodePtr gates = child_named(root, "gates");
    if (!gates)
        return;
    int64_t unapproved = 0;
    for (xmlNodePtr g = gates->children; g; g = g->next) {
        if (g->type != XML_ELEMENT_NODE || xmlStrcmp(g->name, BAD_CAST "gate") != 0)
            continue;
        xmlChar *run = xmlGetProp(g, BAD_CAST "run");
        xmlChar *kind = xmlGetProp(g, BAD_CAST "kind");
        xmlChar *status = xmlGetProp(g, BAD_CAST "status");
        int64_t id = 0;
        if (run && parse_int64((const char *)run, &id)) {
            size_t distinct = approval_distinct_signers(l, id);
            rx_attr_int(g, "approvals", (int64_t)distinct);
            /* only gates let people back in; a check run is not asked for approvals */
            bool gate = kind && xmlStrcmp(kind, BAD_CAST "gate") == 0;
            if (gate && !approval_met(distinct, (const char *)status, required)) {
                rx_attr_bool(g, "unapproved", 1);
                unapproved++;
            }
        }
        xmlFree(run);
        xmlFree(kind);
        xmlFree(status);
    }
    rx_attr_int(gates, "approvals-required", required);
    rx_attr_int(gates, "unapproved", unapproved);
}
