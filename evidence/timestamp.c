#include "evidence/timestamp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "evidence/keys.h"
#include "src/util.h"

/* A time-stamp response is a few kilobytes (a token and the TSA's certificates). */
#define TSR_MAX (256 * 1024)

static void sha256(const unsigned char *data, size_t len, unsigned char md[32])
{
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
}

static TS_REQ *make_request(const unsigned char md[32])
{
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    unsigned char nonce_bytes[8];
    BIGNUM *bn = NULL;
    ASN1_INTEGER *nonce = NULL;
    bool ok = req && mi && alg && TS_REQ_set_version(req, 1) &&
              X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) &&
              TS_MSG_IMPRINT_set_algo(mi, alg) && TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)md, 32) &&
              TS_REQ_set_msg_imprint(req, mi) && RAND_bytes(nonce_bytes, sizeof nonce_bytes) == 1 &&
              (bn = BN_bin2bn(nonce_bytes, sizeof nonce_bytes, NULL)) &&
              (nonce = BN_to_ASN1_INTEGER(bn, NULL)) && TS_REQ_set_nonce(req, nonce) &&
              TS_REQ_set_cert_req(req, 1);
    ASN1_INTEGER_free(nonce);
    BN_free(bn);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    if (!ok) {
        TS_REQ_free(req);
        return NULL;
    }
    return req;
}

typedef struct body {
    unsigned char *p;
    size_t len;
    bool too_big;
} body;

static size_t collect(char *data, size_t size, size_t n, void *user)
{
    body *b = user;
    size_t add = size * n;
    if (b->len + add > TSR_MAX) {
        b->too_big = true;
        return 0;
    }
    b->p = xrealloc(b->p, b->len + add);
    memcpy(b->p + b->len, data, add);
    b->len += add;
    return add;
}

/* POST the request; the answer's body into *b. Only http and https, no redirects. */
static vexit post(const tsa_settings *t, const unsigned char *req, size_t req_len, body *b,
                  verr *e)
{
    static bool curl_ready;
    if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
        curl_ready = true;
    CURL *c = curl_easy_init();
    if (!c)
        return verr_set(e, VOUCH_FAILED, "could not start an HTTP request to the TSA");
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/timestamp-query");
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, t->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)req);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)req_len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(t->timeout_s > 0 ? t->timeout_s : 10));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    if (b->too_big)
        return verr_set(e, VOUCH_FAILED, "the TSA at %s answered with more than %d bytes", t->url,
                        TSR_MAX);
    if (cc != CURLE_OK)
        return verr_set(e, VOUCH_FAILED, "could not reach the TSA at %s: %s", t->url,
                        curl_err[0] ? curl_err : curl_easy_strerror(cc));
    if (status != 200)
        return verr_set(e, VOUCH_FAILED, "the TSA at %s answered HTTP %ld", t->url, status);
    return VOUCH_OK;
}

static X509_STORE *load_store(const char *ca_path, verr *e)
{
    X509_STORE *st = X509_STORE_new();
    if (!st || X509_STORE_load_file(st, ca_path) != 1) {
        X509_STORE_free(st);
        char why[256];
        verr_set(e, VOUCH_USAGE, "could not read the TSA certificate \"%s\": %s", ca_path,
                 openssl_error(why, sizeof why));
        return NULL;
    }
    return st;
}

/* Whether the response is granted, and verify it with ctx (which it consumes). Without a
 * store the token's signature is checked under the certificate it carries. */
static vexit check_response(TS_RESP *resp, TS_VERIFY_CTX *ctx, bool pinned, const char *what,
                            verr *e)
{
    char why[256];
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp)));
    if (status != 0 && status != 1) {
        TS_VERIFY_CTX_free(ctx);
        return verr_set(e, VOUCH_FAILED, "%s: the TSA refused to stamp (status %ld)", what, status);
    }
    int flags = TS_VFY_VERSION | TS_VFY_IMPRINT | (pinned ? TS_VFY_SIGNATURE : 0);
    TS_VERIFY_CTX_add_flags(ctx, flags);
    int ok = TS_RESP_verify_response(ctx, resp);
    TS_VERIFY_CTX_free(ctx);
    if (ok != 1)
        return verr_set(e, VOUCH_FAILED, "%s: the time-stamp token does not verify: %s", what,
                        openssl_error(why, sizeof why));
    /* Without a pinned TSA, the signature is still checked under the certificate the
     * token carries (its chain is not): an edited token fails either way. */
    if (!pinned) {
        PKCS7 *token = TS_RESP_get_token(resp);
        BIO *sink = BIO_new(BIO_s_null());
        ok = token && sink && PKCS7_verify(token, NULL, NULL, NULL, sink, PKCS7_NOVERIFY) == 1;
        BIO_free(sink);
        if (!ok)
            return verr_set(e, VOUCH_FAILED, "%s: the time-stamp token's signature does not "
                            "verify: %s", what, openssl_error(why, sizeof why));
    }
    return VOUCH_OK;
}

vexit tsa_stamp(const tsa_settings *t, const unsigned char *data, size_t len, unsigned char **resp,
                size_t *resp_len, verr *e)
{
    *resp = NULL;
    *resp_len = 0;
    unsigned char md[32];
    sha256(data, len, md);
    TS_REQ *req = make_request(md);
    unsigned char *der = NULL;
    int der_len = req ? i2d_TS_REQ(req, &der) : -1;
    if (der_len <= 0) {
        TS_REQ_free(req);
        char why[256];
        return verr_set(e, VOUCH_FAILED, "could not make a time-stamp request: %s",
                        openssl_error(why, sizeof why));
    }
    body b = {0};
    vexit rc = post(t, der, (size_t)der_len, &b, e);
    OPENSSL_free(der);
    TS_RESP *r = NULL;
    if (!rc) {
        const unsigned char *p = b.p;
        r = d2i_TS_RESP(NULL, &p, (long)b.len);
        if (!r || p != b.p + b.len)
            rc = verr_set(e, VOUCH_FAILED, "the TSA at %s answered with something that is not a "
                                           "time-stamp response", t->url);
    }
    if (!rc) {
        TS_VERIFY_CTX *ctx = TS_REQ_to_TS_VERIFY_CTX(req, NULL);
        X509_STORE *st = NULL;
        if (t->ca_path && !(st = load_store(t->ca_path, e))) {
            TS_VERIFY_CTX_free(ctx);
            rc = e->code;
        } else {
            if (st)
                TS_VERIFY_CTX_set_store(ctx, st);
            /* the nonce sent must come back: the answer is to this request */
            TS_VERIFY_CTX_add_flags(ctx, TS_VFY_NONCE);
            char *what = xasprintf("the TSA at %s", t->url);
            rc = check_response(r, ctx, st != NULL, what, e);
            free(what);
        }
    }
    TS_RESP_free(r);
    TS_REQ_free(req);
    if (rc) {
        free(b.p);
        return rc;
    }
    *resp = b.p;
    *resp_len = b.len;
    return VOUCH_OK;
}

void tsa_report_release(tsa_report *r)
{
    free(r->tsa);
    memset(r, 0, sizeof *r);
}

static void describe(TS_RESP *resp, tsa_report *r)
{
    TS_TST_INFO *tst = TS_RESP_get_tst_info(resp);
    const ASN1_GENERALIZEDTIME *gt = tst ? TS_TST_INFO_get_time(tst) : NULL;
    struct tm tm;
    if (gt && ASN1_TIME_to_tm(gt, &tm) == 1)
        strftime(r->gen_time, sizeof r->gen_time, "%Y-%m-%dT%H:%M:%SZ", &tm);
    PKCS7 *token = TS_RESP_get_token(resp);
    STACK_OF(X509) *signers = token ? PKCS7_get0_signers(token, NULL, 0) : NULL;
    if (signers && sk_X509_num(signers) == 1)
        r->tsa = dn_format(X509_get_subject_name(sk_X509_value(signers, 0)));
    sk_X509_free(signers);
    if (!r->tsa)
        r->tsa = xstrdup("(not named)");
}

vexit tsa_verify_file(const char *tsr_path, const unsigned char *data, size_t len,
                      const char *ca_path, tsa_report *r, verr *e)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(tsr_path, "rb");
    if (!f)
        return verr_set(e, VOUCH_USAGE, "could not read \"%s\": %s", tsr_path, strerror(errno));
    unsigned char *buf = xmalloc(TSR_MAX + 1);
    size_t n = fread(buf, 1, TSR_MAX + 1, f);
    fclose(f);
    if (n > TSR_MAX) {
        free(buf);
        return verr_set(e, VOUCH_FAILED, "%s is larger than any time-stamp response", tsr_path);
    }
    const unsigned char *p = buf;
    TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)n);
    if (!resp || p != buf + n) {
        TS_RESP_free(resp);
        free(buf);
        return verr_set(e, VOUCH_FAILED, "%s is not a time-stamp response", tsr_path);
    }
    free(buf);
    TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
    unsigned char *md = OPENSSL_malloc(32);
    sha256(data, len, md);
    TS_VERIFY_CTX_set_imprint(ctx, md, 32);
    X509_STORE *st = NULL;
    vexit rc = VOUCH_OK;
    if (ca_path && !(st = load_store(ca_path, e))) {
        TS_VERIFY_CTX_free(ctx);
        TS_RESP_free(resp);
        return e->code;
    }
    if (st)
        TS_VERIFY_CTX_set_store(ctx, st);
    rc = check_response(resp, ctx, st != NULL, tsr_path, e);
    if (!rc) {
        describe(resp, r);
        r->pinned = st != NULL;
    }
    TS_RESP_free(resp);
    return rc;
}
