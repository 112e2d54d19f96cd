#include "reports/evidence_head.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/drill_record.h"
#include "evidence/store_drill.h"
#include "reports/xml_build.h"

/* TODO(store_head): evidence/store.h is gaining store_head() (the heads of both chains
 * in one query); when it is on this branch, read_heads becomes a call to it. Until then
 * the heads are found among the newest runs and drills: after store_verify the chain
 * positions are 1..runs_checked without holes, so the head is the sealed run at
 * position runs_checked, one of the first few listed newest first. */
static vexit run_head(store *st, int64_t pos, evidence_head *h, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = store_list_runs(st, 0, &ids, &n, e);
    if (rc)
        return rc;
    bool found = false;
    for (size_t i = 0; i < n && !found && !rc; i++) {
        run_record *r;
        if ((rc = store_load_run(st, ids[i], &r, e)))
            break;
        if (r->chain_pos == pos && r->digest) {
            snprintf(h->run_digest, sizeof h->run_digest, "%s", r->digest);
            found = true;
        }
        run_record_free(r);
    }
    free(ids);
    if (!rc && !found)
        rc = verr_set(e, VOUCH_ABORTED, "store %s: no run at chain position %lld, the head",
                      store_path(st), (long long)pos);
    return rc;
}

static vexit drill_head(store *st, int64_t pos, evidence_head *h, verr *e)
{
    int64_t *ids;
    size_t n;
    vexit rc = store_list_drills(st, 0, &ids, &n, e);
    if (rc)
        return rc;
    bool found = false;
    for (size_t i = 0; i < n && !found && !rc; i++) {
        drill_record *d;
        if ((rc = store_load_drill(st, ids[i], &d, e)))
            break;
        if (d->chain_pos == pos && d->digest) {
            snprintf(h->drill_digest, sizeof h->drill_digest, "%s", d->digest);
            found = true;
        }
        drill_record_free(d);
    }
    free(ids);
    if (!rc && !found)
        rc = verr_set(e, VOUCH_ABORTED, "store %s: no drill at drill chain position %lld, the head",
                      store_path(st), (long long)pos);
    return rc;
}

static vexit read_heads(store *st, const store_verdict *v, evidence_head *h, verr *e)
{
    h->run_pos = v->runs_checked;
    h->drill_pos = v->drills_checked;
    vexit rc = VOUCH_OK;
    if (h->run_pos)
        rc = run_head(st, h->run_pos, h, e);
    if (!rc && h->drill_pos)
        rc = drill_head(st, h->drill_pos, h, e);
    return rc;
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
    return read_heads(st, &v, h, e);
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
