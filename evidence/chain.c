#include "evidence/chain.h"

#include <jansson.h>
#include <stdbool.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

/* Text in the canonical form is valid UTF-8, so that json_dumps cannot fail on it: the store
 * lets in nothing else (store_bind_text), but a store written by an older vouch may hold
 * invalid bytes, and reaping or verifying such a run must not stop on them. Valid text is
 * kept byte for byte, so no digest of a valid run moves. */
json_t *canon_str(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s);
    /* UTF-8, as nearly every value is: the string itself (so no digest of such a value changes). */
    json_t *v = json_stringn(s, n);
    if (v)
        return v;
    /* Not UTF-8 (a name in another encoding, a stray byte on the command line): a JSON string
     * cannot hold it, and dropping or replacing a byte would let an edit of it go unseen, so
     * the bytes are kept whole as {"hex": "..."}, which no string value can be taken for. */
    static const char digits[] = "0123456789abcdef";
    char *hex = xmalloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[(unsigned char)s[i] >> 4];
        hex[2 * i + 1] = digits[(unsigned char)s[i] & 15];
    }
    hex[2 * n] = '\0';
    v = json_pack("{s:s}", "hex", hex);
    free(hex);
    return v;
}

char *canonical_dump(json_t *doc, const char *what)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(doc);
    if (!text) {
        /* every string in doc is valid UTF-8 (canon_str): only memory can run out here */
        fprintf(stderr, "vouch: out of memory (canonical %s)\n", what);
        abort();
    }
    /* jansson allocates with malloc by default; the text is one free() accepts. */
    return text;
}

char *run_canonical(const run_record *r)
{
    json_t *doc = json_object();
    bool v2 = r->canon_version >= 2;
    json_object_set_new(doc, "format", json_string(v2 ? "vouch-run/2" : "vouch-run/1"));
    if (v2) {
        json_object_set_new(doc, "host", canon_str(r->host));
        json_object_set_new(doc, "pid", json_integer(r->pid));
    }
    json_object_set_new(doc, "id", json_integer(r->id));
    json_object_set_new(doc, "kind", canon_str(r->kind));
    json_object_set_new(doc, "status", canon_str(r->status));
    json_object_set_new(doc, "started_at", canon_str(r->started_at));
    json_object_set_new(doc, "finished_at", canon_str(r->finished_at));
    json_object_set_new(doc, "target", canon_str(r->target));
    json_object_set_new(doc, "baseline_id", json_integer(r->baseline_id));
    json_object_set_new(doc, "checks", canon_str(r->checks));
    json_object_set_new(doc, "error", canon_str(r->error));
    json_object_set_new(doc, "vouch_version", canon_str(r->vouch_version));
    json_object_set_new(doc, "server_version", canon_str(r->server_version));
    json_object_set_new(doc, "system_identifier", canon_str(r->system_identifier));
    json_object_set_new(doc, "timeline", canon_str(r->timeline));
    json_object_set_new(doc, "lsn", canon_str(r->lsn));
    json_object_set_new(doc, "snapshot_time", canon_str(r->snapshot_time));
    json_object_set_new(doc, "database", canon_str(r->database));
    json_object_set_new(doc, "chain_pos", json_integer(r->chain_pos));
    json_object_set_new(doc, "prev_digest", canon_str(r->prev_digest));
    /* Added later (store migration 3): each only when set, so the canonical form (and the
     * digest) of every run stored without them is what it always was. */
    const char *optional[][2] = {{"incident_at", r->incident_at},
                                 {"started_by", r->started_by},
                                 {"ci_job", r->ci_job},
                                 {"not_evaluated", r->not_evaluated},
                                 {"waivers", r->waivers},
                                 {"target_name", r->target_name}};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
        if (optional[i][1])
            json_object_set_new(doc, optional[i][0], canon_str(optional[i][1]));
    if (r->drill_id) /* store migration 4, likewise */
        json_object_set_new(doc, "drill_id", json_integer(r->drill_id));

    json_t *results = json_array();
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (x->status == RESULT_NOT_EVALUATED) /* covered by "not_evaluated" above */
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "check", canon_str(x->check));
        json_object_set_new(o, "subject", canon_str(x->subject));
        json_object_set_new(o, "status", json_string(result_status_name(x->status)));
        json_object_set_new(o, "expected", canon_str(x->expected));
        json_object_set_new(o, "observed", canon_str(x->observed));
        json_object_set_new(o, "reason", canon_str(x->reason));
        json_object_set_new(o, "detail", canon_str(x->detail));
        if (x->facts) /* only when set, as above */
            json_object_set_new(o, "facts", canon_str(x->facts));
        if (x->waiver) /* likewise (store migration SCHEMA_WAIVERS) */
            json_object_set_new(o, "waiver", canon_str(x->waiver));
        json_array_append_new(results, o);
    }
    json_object_set_new(doc, "results", results);

    json_t *baselines = json_array();
    for (size_t i = 0; i < r->n_baselines; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "check", canon_str(r->baselines[i].check));
        json_object_set_new(o, "content", canon_str(r->baselines[i].content));
        if (r->baselines[i].n_parts) { /* only when set, as above */
            json_object_set_new(o, "parts", json_integer(r->baselines[i].n_parts));
            json_object_set_new(o, "parts_sha256", canon_str(r->baselines[i].parts_sha256));
        }
        json_array_append_new(baselines, o);
    }
    json_object_set_new(doc, "baselines", baselines);

    return canonical_dump(doc, "run");
}

void sha256_hex(const void *data, size_t len, char out[DIGEST_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    static const char hex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < n && i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[DIGEST_HEX_LEN] = '\0';
}

void run_digest(const run_record *r, const char *prev, char out[DIGEST_HEX_LEN + 1])
{
    char *canon = run_canonical(r);
    char *input = xasprintf("vouch-chain/1\n%s\n%s", prev ? prev : "", canon);
    sha256_hex(input, strlen(input), out);
    free(input);
    free(canon);
}
