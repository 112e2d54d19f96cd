#include "reports/evidence_head.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/xml_build.h"

/* The heads of both chains as the store states them; after store_verify they are the
 * runs_checked-th run and the drills_checked-th drill. */
static vexit read_heads(store *st, evidence_head *h, verr *e)
{
    store_heads sh;
    vexit rc = store_head(st, &sh, e);
    if (rc)
        return rc;
    h->run_pos = sh.run_pos;
    snprintf(h->run_digest, sizeof h->run_digest, "%s", sh.run_digest);
    h->drill_pos = sh.drill_pos;
    snprintf(h->drill_digest, sizeof h->drill_digest, "%s", sh.drill_digest);
    return VOUCH_OK;
}

vexit evidence_check(store *st, evidence_head *h, verr *e)
{
    memset(h, 0, sizeof *h);
    store_verdict v;
    vexit rc = store_verify(st, &v, e);
    if (rc)
        return rc;
    if (!v.ok) {
        verr_set(e, VOUCH_FAILED, "store %s: the chain is broken: %s", store_path(st), v.problem);
        verr_hint(e, "Nothing is reported or packed from a broken store. 'vouch verify' shows "
                     "the break; restore the store from a copy made before it.");
        return e->code;
    }
    return read_heads(st, h, e);
}

void evidence_head_xml(xmlDocPtr doc, const evidence_head *h)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root)
        return;
    xmlNodePtr head = xmlNewChild(root, root->ns, BAD_CAST "store-head", NULL);
    rx_attr_int(head, "run-position", h->run_pos);
    if (h->run_pos)
        rx_attr(head, "run-digest", h->run_digest);
    rx_attr_int(head, "drill-position", h->drill_pos);
    if (h->drill_pos)
        rx_attr(head, "drill-digest", h->drill_digest);
}

json_t *evidence_head_json(const evidence_head *h)
{
    return json_pack("{s:I, s:o, s:I, s:o}", "run_chain_pos", (json_int_t)h->run_pos, "run_digest",
                     h->run_pos ? json_string(h->run_digest) : json_null(), "drill_chain_pos",
                     (json_int_t)h->drill_pos, "drill_digest",
                     h->drill_pos ? json_string(h->drill_digest) : json_null());
}
