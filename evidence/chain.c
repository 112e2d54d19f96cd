#include "evidence/chain.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

static json_t *str_or_null(const char *s)
{
    /* The canonical form is hashed, never parsed back, so bytes are taken as they are. */
    return s ? json_stringn_nocheck(s, strlen(s)) : json_null();
}

char *run_canonical(const run_record *r)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string("vouch-run/1"));
    json_object_set_new(doc, "id", json_integer(r->id));
    json_object_set_new(doc, "kind", str_or_null(r->kind));
    json_object_set_new(doc, "status", str_or_null(r->status));
    json_object_set_new(doc, "started_at", str_or_null(r->started_at));
    json_object_set_new(doc, "finished_at", str_or_null(r->finished_at));
    json_object_set_new(doc, "target", str_or_null(r->target));
    json_object_set_new(doc, "baseline_id", json_integer(r->baseline_id));
    json_object_set_new(doc, "checks", str_or_null(r->checks));
    json_object_set_new(doc, "error", str_or_null(r->error));
    json_object_set_new(doc, "vouch_version", str_or_null(r->vouch_version));
    json_object_set_new(doc, "server_version", str_or_null(r->server_version));
    json_object_set_new(doc, "system_identifier", str_or_null(r->system_identifier));
    json_object_set_new(doc, "timeline", str_or_null(r->timeline));
    json_object_set_new(doc, "lsn", str_or_null(r->lsn));
    json_object_set_new(doc, "snapshot_time", str_or_null(r->snapshot_time));
    json_object_set_new(doc, "database", str_or_null(r->database));
    json_object_set_new(doc, "chain_pos", json_integer(r->chain_pos));
    json_object_set_new(doc, "prev_digest", str_or_null(r->prev_digest));

    json_t *results = json_array();
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        json_t *o = json_object();
        json_object_set_new(o, "check", str_or_null(x->check));
        json_object_set_new(o, "subject", str_or_null(x->subject));
        json_object_set_new(o, "status", json_string(result_status_name(x->status)));
        json_object_set_new(o, "expected", str_or_null(x->expected));
        json_object_set_new(o, "observed", str_or_null(x->observed));
        json_object_set_new(o, "reason", str_or_null(x->reason));
        json_object_set_new(o, "detail", str_or_null(x->detail));
        json_array_append_new(results, o);
    }
    json_object_set_new(doc, "results", results);

    json_t *baselines = json_array();
    for (size_t i = 0; i < r->n_baselines; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "check", str_or_null(r->baselines[i].check));
        json_object_set_new(o, "content", str_or_null(r->baselines[i].content));
        json_array_append_new(baselines, o);
    }
    json_object_set_new(doc, "baselines", baselines);

    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(doc);
    if (!text) {
        fprintf(stderr, "vouch: out of memory (canonical run)\n");
        abort();
    }
    /* jansson allocates with malloc by default; hand back a string free() accepts. */
    return text;
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
