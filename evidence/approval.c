#include "evidence/approval.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

void approval_record_free(approval_record *a)
{
    if (!a)
        return;
    free(a->statement);
    free(a->signature);
    free(a->tsr);
    free(a->signer);
    free(a->fingerprint);
    free(a->approved_at);
    free(a->note);
    free(a->prev_digest);
    free(a->digest);
    free(a);
}

void approval_list_release(approval_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        approval_record_free(l->v[i]);
    free(l->v);
    *l = (approval_list){0};
}

bool approval_run_approvable(const run_record *r, const char **why)
{
    if (!r->chain_pos || !r->digest) {
        *why = "it is not sealed (still running, or never finished)";
        return false;
    }
    if (strcmp(r->kind, "gate") != 0) {
        *why = strcmp(r->kind, "baseline") == 0 ? "it is a baseline, not a gate"
                                                 : "it is a check run, not a gate";
        return false;
    }
    if (strcmp(r->status, "passed") != 0 && strcmp(r->status, "failed") != 0) {
        *why = "it did not finish: a gate that aborted proves nothing to approve";
        return false;
    }
    return true;
}

static void canonical_sha256(const run_record *r, char out[DIGEST_HEX_LEN + 1])
{
    char *canon = run_canonical(r);
    sha256_hex(canon, strlen(canon), out);
    free(canon);
}

char *approval_statement(const run_record *r, const char *note, const char *approved_at,
                         const char *signer, const char *fingerprint)
{
    char sha[DIGEST_HEX_LEN + 1];
    canonical_sha256(r, sha);
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string(APPROVAL_FORMAT));
    json_object_set_new(doc, "approves", json_string("reopening on the evidence of this run"));
    json_object_set_new(doc, "run_id", json_integer(r->id));
    json_object_set_new(doc, "run_kind", canon_str(r->kind));
    json_object_set_new(doc, "run_status", canon_str(r->status));
    json_object_set_new(doc, "run_target", canon_str(r->target));
    json_object_set_new(doc, "run_chain_pos", json_integer(r->chain_pos));
    json_object_set_new(doc, "run_digest", canon_str(r->digest));
    json_object_set_new(doc, "run_canonical_sha256", json_string(sha));
    json_object_set_new(doc, "note", canon_str(note));
    json_object_set_new(doc, "approved_at", canon_str(approved_at));
    json_object_set_new(doc, "signer", canon_str(signer));
    json_object_set_new(doc, "signer_fingerprint", canon_str(fingerprint));
    return canonical_dump(doc, "approval statement");
}

bool approval_statement_read(const char *text, approval_claim *out, json_t **doc)
{
    *out = (approval_claim){0};
    *doc = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (!json_is_object(*doc))
        return false;
    const char *format = json_string_value(json_object_get(*doc, "format"));
    json_t *id = json_object_get(*doc, "run_id");
    out->run_id = json_is_integer(id) ? json_integer_value(id) : 0;
    out->run_digest = json_string_value(json_object_get(*doc, "run_digest"));
    out->run_canonical_sha256 = json_string_value(json_object_get(*doc, "run_canonical_sha256"));
    out->note = json_string_value(json_object_get(*doc, "note"));
    out->approved_at = json_string_value(json_object_get(*doc, "approved_at"));
    out->signer = json_string_value(json_object_get(*doc, "signer"));
    out->fingerprint = json_string_value(json_object_get(*doc, "signer_fingerprint"));
    return format && strcmp(format, APPROVAL_FORMAT) == 0 && out->run_id > 0 && out->run_digest &&
           out->run_canonical_sha256 && out->note && out->approved_at && out->signer &&
           out->fingerprint;
}

bool approval_matches_run(const approval_claim *c, const run_record *r, const char **why)
{
    if (c->run_id != r->id) {
        *why = "it approves another run";
        return false;
    }
    if (!r->digest || strcmp(c->run_digest, r->digest) != 0) {
        *why = "the run's digest is not the one approved: the run changed, or the approval was"
               " made over another";
        return false;
    }
    char sha[DIGEST_HEX_LEN + 1];
    canonical_sha256(r, sha);
    if (strcmp(c->run_canonical_sha256, sha) != 0) {
        *why = "the run's canonical form is not the one approved";
        return false;
    }
    return true;
}

static json_t *hex_or_null(const unsigned char *data, size_t len)
{
    if (!data)
        return json_null();
    char sha[DIGEST_HEX_LEN + 1];
    sha256_hex(data, len, sha);
    return json_string(sha);
}

char *approval_canonical(const approval_record *a)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string("vouch-approval-row/1"));
    json_object_set_new(doc, "id", json_integer(a->id));
    json_object_set_new(doc, "run_id", json_integer(a->run_id));
    json_object_set_new(doc, "statement", canon_str(a->statement));
    json_object_set_new(doc, "signature_sha256", hex_or_null(a->signature, a->signature_len));
    if (a->tsr) /* only when there is one */
        json_object_set_new(doc, "tsr_sha256", hex_or_null(a->tsr, a->tsr_len));
    json_object_set_new(doc, "signer", canon_str(a->signer));
    json_object_set_new(doc, "fingerprint", canon_str(a->fingerprint));
    json_object_set_new(doc, "approved_at", canon_str(a->approved_at));
    json_object_set_new(doc, "note", canon_str(a->note));
    json_object_set_new(doc, "chain_pos", json_integer(a->chain_pos));
    json_object_set_new(doc, "prev_digest", canon_str(a->prev_digest));
    return canonical_dump(doc, "approval");
}

void approval_digest(const approval_record *a, const char *prev, char out[DIGEST_HEX_LEN + 1])
{
    char *canon = approval_canonical(a);
    char *input = xasprintf("vouch-approval-chain/1\n%s\n%s", prev ? prev : "", canon);
    sha256_hex(input, strlen(input), out);
    free(input);
    free(canon);
}

size_t approval_distinct_signers(const approval_list *l, int64_t run_id)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const approval_record *a = l->v[i];
        if (a->run_id != run_id || !a->fingerprint)
            continue;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = l->v[k]->run_id == run_id && l->v[k]->fingerprint &&
                   strcmp(l->v[k]->fingerprint, a->fingerprint) == 0;
        n += !seen;
    }
    return n;
}
