/* What the store's back ends share (evidence/store/shared.h). */
#include "evidence/store/shared.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/chain.h"
#include "src/redact.h"
#include "src/utf8.h"
#include "src/util.h"

/* A run whose process died stored none of its results (they are written when it is
 * sealed): every check it was to run that has none is not evaluated. */
void store_not_evaluated_all(run_record *r)
{
    size_t cap = r->n_results, had = r->n_results;
    char *list = xstrdup(r->checks ? r->checks : "");
    for (char *p = list, *next; p && *p; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        bool reported = false;
        for (size_t i = 0; i < had && !reported; i++)
            reported = strcmp(r->results[i].check, p) == 0;
        if (reported)
            continue;
        grow((void **)&r->results, &cap, r->n_results + 1, sizeof *r->results);
        r->results[r->n_results++] = (result_row){
            .check = xstrdup(p),
            .subject = xstrdup("(not evaluated)"),
            .status = RESULT_NOT_EVALUATED,
            .reason = xstrdup("not evaluated: the vouch process ended before the run finished"),
        };
    }
    free(list);
}

void store_run_abandoned(run_record *r)
{
    free(r->status);
    r->status = xstrdup("aborted");
    free(r->error);
    r->error = xstrdup("the vouch process ended before the run finished");
    store_not_evaluated_all(r);
    char now[40];
    utc_now(now, sizeof now);
    free(r->finished_at);
    r->finished_at = xstrdup(now);
}

/* The RESULT_NOT_EVALUATED rows of r as runs.not_evaluated holds them: a JSON array of
 * {"check", "reason"} in their order, or NULL when there are none. Caller frees. */
char *store_not_evaluated_text(const run_record *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (x->status != RESULT_NOT_EVALUATED)
            continue;
        /* the reason may quote the error that stopped the run: masked as runs.error is */
        char *masked = redact_clean(x->reason ? x->reason : "");
        char *check = utf8_escape_invalid(x->check ? x->check : "");
        char *reason = utf8_escape_invalid(masked);
        free(masked);
        json_array_append_new(list, json_pack("{s:s, s:s}", "check", check, "reason", reason));
        free(check);
        free(reason);
    }
    char *text = json_array_size(list) ? canonical_dump(list, "list of checks not evaluated")
                                       : NULL;
    if (!text)
        json_decref(list);
    return text;
}

/* The rows runs.not_evaluated describes, appended to r->results. Text that does not parse
 * (an edited store) still yields one row, so a report never shows less than was stored;
 * verify names the edit. */
void store_not_evaluated_rows(run_record *r, size_t *cap)
{
    if (!r->not_evaluated)
        return;
    json_t *list = json_loads(r->not_evaluated, 0, NULL);
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    for (size_t i = 0; i < (n ? n : 1); i++) {
        json_t *o = n ? json_array_get(list, i) : NULL;
        const char *check = json_string_value(json_object_get(o, "check"));
        const char *reason = json_string_value(json_object_get(o, "reason"));
        grow((void **)&r->results, cap, r->n_results + 1, sizeof *r->results);
        r->results[r->n_results++] = (result_row){
            .check = xstrdup(check ? check : "(unknown)"),
            .subject = xstrdup("(not evaluated)"),
            .status = RESULT_NOT_EVALUATED,
            .reason = xstrdup(reason ? reason : r->not_evaluated),
        };
    }
    json_decref(list);
}

/* The canonical form a sealed run's digest was made over: the current one, or
 * vouch-run/1 for a run sealed before host and pid were covered. Trying both is sound:
 * the stored digest commits to one canonical text, and a run that matches neither is
 * left at the current form for verify to name. */
int store_sealed_version(run_record *r)
{
    char digest[DIGEST_HEX_LEN + 1];
    for (int v = RUN_CANON_CURRENT; v >= 1; v--) {
        r->canon_version = v;
        run_digest(r, r->prev_digest, digest);
        if (strcmp(digest, r->digest) == 0)
            return v;
    }
    return RUN_CANON_CURRENT;
}

static void hex_of(const unsigned char *md, char out[DIGEST_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[DIGEST_HEX_LEN] = '\0';
}

static baseline_doc *doc_of(run_record *r, const char *check, size_t *cap)
{
    for (size_t i = 0; i < r->n_baselines; i++)
        if (strcmp(r->baselines[i].check, check) == 0)
            return &r->baselines[i];
    grow((void **)&r->baselines, cap, r->n_baselines + 1, sizeof *r->baselines);
    r->baselines[r->n_baselines] = (baseline_doc){xstrdup(check), xstrdup(""), 0, NULL};
    return &r->baselines[r->n_baselines++];
}

/* Close the digest of doc's parts, when it has any. */
static void finish(baseline_doc *doc, EVP_MD_CTX *md)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!doc || !doc->n_parts)
        return;
    EVP_DigestFinal_ex(md, out, &n);
    doc->parts_sha256 = xmalloc(DIGEST_HEX_LEN + 1);
    hex_of(out, doc->parts_sha256);
}


struct parts_fold {
    run_record *r;
    EVP_MD_CTX *md;
    EVP_MD *sha256;
    baseline_doc *doc;
    size_t cap;
};

vexit parts_fold_begin(parts_fold **out, run_record *r, verr *e)
{
    parts_fold *f = xcalloc(1, sizeof *f);
    f->r = r;
    f->cap = r->n_baselines;
    f->md = EVP_MD_CTX_new();
    f->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    *out = f;
    if (!f->md || !f->sha256) {
        EVP_MD_free(f->sha256);
        EVP_MD_CTX_free(f->md);
        free(f);
        *out = NULL;
        return verr_set(e, VOUCH_ABORTED, "could not set up SHA-256 (OpenSSL)");
    }
    return VOUCH_OK;
}

void parts_fold_add(parts_fold *f, const char *check, const void *text, size_t len)
{
    if (!check)
        check = "";
    if (!f->doc || strcmp(f->doc->check, check) != 0) {
        /* a baseline index, not a pointer: doc_of may move the array */
        finish(f->doc, f->md);
        f->doc = doc_of(f->r, check, &f->cap);
        EVP_DigestInit_ex2(f->md, f->sha256, NULL);
    }
    /* Each part's own digest, then a newline: one part cannot pass for two. */
    unsigned char part[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(text ? text : "", len, part, &n, f->sha256, NULL);
    char hex[DIGEST_HEX_LEN + 2];
    hex_of(part, hex);
    hex[DIGEST_HEX_LEN] = '\n';
    EVP_DigestUpdate(f->md, hex, DIGEST_HEX_LEN + 1);
    f->doc->n_parts++;
}

void parts_fold_end(parts_fold *f)
{
    if (!f)
        return;
    finish(f->doc, f->md);
    EVP_MD_free(f->sha256);
    EVP_MD_CTX_free(f->md);
    free(f);
}

void store_this_host(char *buf, size_t size)
{
    if (gethostname(buf, size) != 0)
        snprintf(buf, size, "unknown");
    buf[size - 1] = '\0';
}

bool store_process_gone(int64_t pid)
{
    if (pid <= 0 || pid > INT_MAX)
        return true; /* no process ever had it: the row was not written by vouch */
    if ((pid_t)pid == getpid())
        return false;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}
