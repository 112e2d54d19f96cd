#include "evidence/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "evidence/atomic_write.h"
#include "evidence/manifest.h"
#include "src/util.h"

/* A signature file is small (a few certificates); anything bigger is not ours. */
#define SIG_FILE_MAX (1024 * 1024)

/* CMS_BINARY: the bytes as they are, no MIME line-ending translation.
 * CMS_NOSMIMECAP: no S/MIME capabilities attribute, which says nothing here. */
#define SIGN_FLAGS (CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP)

/* Sign what data holds. OpenSSL adds the signing time and message digest as signed
 * attributes. The digest is the key's default (SHA-256 for ECDSA P-256 and RSA);
 * Ed25519 in CMS needs SHA-512 (RFC 8419), which OpenSSL 3.0 cannot do: the caller
 * learns that from signer_check. */
static CMS_ContentInfo *cms_sign_detached(const signer *s, BIO *data)
{
    const EVP_MD *md = EVP_PKEY_is_a(s->key, "ED25519") ? EVP_sha512() : NULL;
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, s->extra, NULL, SIGN_FLAGS | CMS_PARTIAL);
    if (cms && CMS_add1_signer(cms, s->cert, s->key, md, SIGN_FLAGS) &&
        CMS_final(cms, data, NULL, SIGN_FLAGS))
        return cms;
    CMS_ContentInfo_free(cms);
    return NULL;
}

vexit signer_check(const signer *s, verr *e)
{
    static const char probe[] = "vouch";
    BIO *in = BIO_new_mem_buf(probe, (int)sizeof probe - 1);
    CMS_ContentInfo *cms = cms_sign_detached(s, in);
    BIO_free(in);
    in = BIO_new_mem_buf(probe, (int)sizeof probe - 1);
    bool ok = cms && CMS_verify(cms, NULL, NULL, in, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
    BIO_free(in);
    CMS_ContentInfo_free(cms);
    if (ok)
        return VOUCH_OK;
    char why[256];
    openssl_error(why, sizeof why);
    if (EVP_PKEY_is_a(s->key, "ED25519") || EVP_PKEY_is_a(s->key, "ED448")) {
        verr_set(e, VOUCH_USAGE, "%s keys cannot make CMS signatures with %s",
                 EVP_PKEY_get0_type_name(s->key), OpenSSL_version(OPENSSL_VERSION));
        verr_hint(e, "This OpenSSL lacks CMS with EdDSA (RFC 8419). Use ECDSA P-256, the "
                     "default of 'vouch keygen', or an ECDSA or RSA key from your CA.");
        return e->code;
    }
    return verr_set(e, VOUCH_USAGE, "key \"%s\" cannot make a CMS signature: %s",
                    s->key_path ? s->key_path : "(new)", why);
}

vexit sign_file(const signer *s, const char *path, verr *e)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return verr_set(e, VOUCH_USAGE, "could not sign \"%s\": %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return verr_set(e, VOUCH_USAGE, "could not sign \"%s\": not a regular file", path);
    BIO *in = BIO_new_file(path, "rb");
    if (!in)
        return verr_set(e, VOUCH_USAGE, "could not read \"%s\": %s", path, strerror(errno));
    CMS_ContentInfo *cms = cms_sign_detached(s, in);
    BIO_free(in);
    unsigned char *der = NULL;
    int len = cms ? i2d_CMS_ContentInfo(cms, &der) : -1;
    CMS_ContentInfo_free(cms);
    if (len <= 0) {
        char why[256];
        return verr_set(e, VOUCH_ABORTED, "could not sign \"%s\": %s", path,
                        openssl_error(why, sizeof why));
    }
    char *out = xasprintf("%s%s", path, SIGN_SUFFIX);
    char *tsr = xasprintf("%s%s", path, TSR_SUFFIX);
    /* a token of an older signature would not match the new one */
    if (unlink(tsr) != 0 && errno != ENOENT) {
        vexit rc = verr_set(e, VOUCH_ABORTED, "could not remove the old \"%s\": %s", tsr,
                            strerror(errno));
        OPENSSL_free(der);
        free(out);
        free(tsr);
        return rc;
    }
    vexit rc = atomic_write(out, der, (size_t)len, 0644, true, e);
    if (!rc && s->tsa.url) {
        unsigned char *resp = NULL;
        size_t resp_len = 0;
        verr te;
        verr_clear(&te);
        vexit trc = tsa_stamp(&s->tsa, der, (size_t)len, &resp, &resp_len, &te);
        if (!trc)
            trc = atomic_write(tsr, resp, resp_len, 0644, true, &te);
        free(resp);
        if (trc && s->tsa.required) {
            unlink(out); /* [signing] tsa_required: no signature without its time */
            rc = verr_set(e, VOUCH_FAILED, "could not timestamp the signature of \"%s\": %s", path,
                          te.msg);
            verr_hint(e, "[signing] tsa_required is set: nothing is signed until the TSA answers.");
        } else if (trc) {
            fprintf(s->warn ? s->warn : stderr,
                    "vouch: warning: %s signed without a trusted time: %s\n", path, te.msg);
        }
    }
    OPENSSL_free(der);
    free(out);
    free(tsr);
    return rc;
}

void sig_report_print_stamp(FILE *out, const sig_report *r)
{
    if (!r->stamped)
        fprintf(out, "  timestamp    none: the signing time is the signer's own clock\n");
    else
        fprintf(out, "  timestamp    %s by %s (RFC 3161, %s), TSA %s\n", r->stamp.gen_time,
                r->stamp.tsa, r->tsr_path,
                r->stamp.pinned ? "pinned" : "NOT PINNED: give --tsa-ca FILE or set [signing] tsa_ca");
}

void sig_report_release(sig_report *r)
{
    free(r->file);
    free(r->sig_path);
    free(r->signer);
    free(r->issuer);
    free(r->pinned_path);
    free(r->tsr_path);
    tsa_report_release(&r->stamp);
    memset(r, 0, sizeof *r);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* One DER element at *p (before end): its tag, class and content; *p moves to the
 * content. False for anything but a definite-length element inside end. */
static bool der_next(const unsigned char **p, const unsigned char *end, int *tag, int *cls,
                     long *len)
{
    const unsigned char *q = *p;
    int r = ASN1_get_object(&q, len, tag, cls, end - *p);
    if ((r & 0x80) || r == 0x21 || *len > end - q)
        return false;
    *p = q;
    return true;
}

/* Enter an element of the given universal or context tag; *end becomes its end. */
static bool der_enter(const unsigned char **p, const unsigned char **end, int tag, int cls)
{
    int t, c;
    long len;
    if (!der_next(p, *end, &t, &c, &len) || t != tag || c != cls)
        return false;
    *end = *p + len;
    return true;
}

static bool der_integer_one(const unsigned char **p, const unsigned char *end)
{
    int t, c;
    long len;
    if (!der_next(p, end, &t, &c, &len) || t != V_ASN1_INTEGER || c != V_ASN1_UNIVERSAL ||
        len != 1 || (*p)[0] != 1)
        return false;
    *p += 1;
    return true;
}

/* The two version numbers of the signature, which no verifier checks (the signature
 * does not cover them): RFC 5652 fixes both at 1 for what vouch signs (SignedData of
 * id-data without attribute certificates; a SignerInfo naming its certificate by
 * issuer and serial number). OpenSSL parses them but offers no way to read them, so
 * the DER is walked with its ASN1_get_object. */
static bool versions_ok(const unsigned char *der, long len)
{
    const unsigned char *p = der, *end = der + len;
    int t, c;
    long n;
    /* ContentInfo { contentType OID, [0] EXPLICIT SignedData { version, ... } } */
    if (!der_enter(&p, &end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL) ||
        !der_next(&p, end, &t, &c, &n) || t != V_ASN1_OBJECT)
        return false;
    p += n;
    if (!der_enter(&p, &end, 0, V_ASN1_CONTEXT_SPECIFIC) ||
        !der_enter(&p, &end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL) || !der_integer_one(&p, end))
        return false;
    /* digestAlgorithms, encapContentInfo, [0] certificates, [1] crls: skipped up to the
     * last element, signerInfos SET { SignerInfo { version, ... } } */
    while (p < end) {
        const unsigned char *start = p;
        if (!der_next(&p, end, &t, &c, &n))
            return false;
        if (p + n == end) {
            p = start;
            return der_enter(&p, &end, V_ASN1_SET, V_ASN1_UNIVERSAL) &&
                   der_enter(&p, &end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL) &&
                   der_integer_one(&p, end);
        }
        p += n;
    }
    return false;
}

/* The signature algorithm named in the SignerInfo is the one its key makes with the
 * named digest. OpenSSL verifies with the algorithm of the key and never looks at the
 * name, so a changed name would go unnoticed. */
static vexit check_algorithm(const sig_report *r, CMS_SignerInfo *si, verr *e)
{
    EVP_PKEY *key = NULL;
    X509_ALGOR *dig = NULL, *sig = NULL;
    CMS_SignerInfo_get0_algs(si, &key, NULL, &dig, &sig);
    int sig_nid = sig ? OBJ_obj2nid(sig->algorithm) : NID_undef;
    int dig_nid = dig ? OBJ_obj2nid(dig->algorithm) : NID_undef;
    int base = key ? EVP_PKEY_get_base_id(key) : NID_undef;
    int md, pk;
    bool ok = sig_nid != NID_undef &&
              (sig_nid == base /* rsaEncryption, as CMS writes PKCS#1 v1.5 */ ||
               (sig_nid == NID_rsassaPss && base == EVP_PKEY_RSA) ||
               (OBJ_find_sigid_algs(sig_nid, &md, &pk) && pk == base &&
                (md == dig_nid || md == NID_undef /* EdDSA: the digest is the scheme's */)));
    if (ok)
        return VOUCH_OK;
    return verr_set(e, VOUCH_FAILED, "%s: %s is damaged: its signature algorithm is not one "
                    "the signer's key makes", r->file, r->sig_path);
}

/* The signature as DER, refusing trailing bytes: every byte of the file is part of it. */
static vexit read_signature(sig_report *r, CMS_ContentInfo **out, verr *e)
{
    *out = NULL;
    /* O_NONBLOCK: a FIFO in place of the signature is refused, not waited on. */
    int fd = open(r->sig_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return verr_set(e, VOUCH_FAILED, "%s: not signed: %s does not exist", r->file,
                            r->sig_path);
        return verr_set(e, VOUCH_USAGE, "could not read \"%s\": %s", r->sig_path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return verr_set(e, VOUCH_FAILED, "%s: %s is not a regular file", r->file, r->sig_path);
    }
    unsigned char *buf = xmalloc(SIG_FILE_MAX + 1);
    size_t len = 0;
    bool bad = false;
    while (len < SIG_FILE_MAX + 1) {
        ssize_t got = read(fd, buf + len, SIG_FILE_MAX + 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            bad = got < 0;
            break;
        }
        len += (size_t)got;
    }
    close(fd);
    vexit rc = VOUCH_OK;
    if (bad)
        rc = verr_set(e, VOUCH_USAGE, "could not read \"%s\"", r->sig_path);
    else if (len > SIG_FILE_MAX)
        rc = verr_set(e, VOUCH_FAILED, "%s: %s is too large to be a signature", r->file, r->sig_path);
    if (!rc) {
        const unsigned char *p = buf;
        *out = d2i_CMS_ContentInfo(NULL, &p, (long)len);
        if (!*out || p != buf + len) {
            CMS_ContentInfo_free(*out);
            *out = NULL;
            ERR_clear_error();
            rc = verr_set(e, VOUCH_FAILED, "%s: %s is damaged: not a DER CMS signature%s", r->file,
                          r->sig_path, p != buf + len && p != buf ? " (bytes after its end)" : "");
        } else if (!versions_ok(buf, (long)len)) {
            CMS_ContentInfo_free(*out);
            *out = NULL;
            rc = verr_set(e, VOUCH_FAILED, "%s: %s is damaged: a version number in it is not "
                          "the one CMS requires of this signature", r->file, r->sig_path);
        }
    }
    free(buf);
    return rc;
}

static vexit check_shape(const sig_report *r, CMS_ContentInfo *cms, verr *e)
{
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
        return verr_set(e, VOUCH_FAILED, "%s: %s is not a CMS signed-data signature", r->file,
                        r->sig_path);
    if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data)
        return verr_set(e, VOUCH_FAILED, "%s: %s does not sign plain data (damaged?)", r->file,
                        r->sig_path);
    if (!CMS_is_detached(cms))
        return verr_set(e, VOUCH_FAILED, "%s: %s carries its own content instead of signing the file",
                        r->file, r->sig_path);
    int n = sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms));
    if (n != 1)
        return verr_set(e, VOUCH_FAILED, "%s: %s has %d signers, not one", r->file, r->sig_path, n);
    return VOUCH_OK;
}

/* The signing-time attribute, as text and time_t; false when absent. */
static bool signing_time(CMS_SignerInfo *si, sig_report *r, time_t *when)
{
    int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    X509_ATTRIBUTE *attr = idx >= 0 ? CMS_signed_get_attr(si, idx) : NULL;
    ASN1_TYPE *t = attr ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
    struct tm tm;
    if (!t || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME) ||
        !ASN1_TIME_to_tm(t->value.utctime, &tm))
        return false;
    strftime(r->signing_time, sizeof r->signing_time, "%Y-%m-%dT%H:%M:%SZ", &tm);
    *when = timegm(&tm);
    return true;
}

/* The signer chains to one of the pinned certificates (itself pinned counts), judged
 * at the signing time so that evidence outlives its certificate. */
static vexit check_pinned(sig_report *r, X509 *cert, CMS_ContentInfo *cms,
                          STACK_OF(X509) *pinned, bool have_time, time_t when, verr *e)
{
    X509_STORE *store = X509_STORE_new();
    for (int i = 0; i < sk_X509_num(pinned); i++)
        X509_STORE_add_cert(store, sk_X509_value(pinned, i));
    /* Partial chains: a pinned certificate is an anchor even when not self-signed. */
    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
    X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
    STACK_OF(X509) *included = CMS_get1_certs(cms);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    bool ok = ctx && X509_STORE_CTX_init(ctx, store, cert, included);
    if (ok && have_time)
        X509_STORE_CTX_set_time(ctx, 0, when);
    int verdict = ok ? X509_verify_cert(ctx) : -1;
    int err = ctx ? X509_STORE_CTX_get_error(ctx) : X509_V_ERR_UNSPECIFIED;
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(included, X509_free);
    X509_STORE_free(store);
    ERR_clear_error();
    if (verdict == 1) {
        r->pinned = true;
        return VOUCH_OK;
    }
    verr_set(e, VOUCH_FAILED,
             "%s: signed by %s (SHA-256 %s), which is not the pinned certificate %s nor issued by "
             "it: %s",
             r->file, r->signer, r->fingerprint, r->pinned_path, X509_verify_cert_error_string(err));
    return e->code;
}

/* Without a pin there is no anchor; still refuse a certificate that says it signed
 * itself (same issuer and subject, or authority key id = its own key id) but whose
 * signature no longer holds: one changed inside the signature file. */
static vexit check_self_signed(const sig_report *r, X509 *cert, verr *e)
{
    const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id(cert);
    const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(cert);
    bool says_self = X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(cert)) == 0 ||
                     (akid && skid && ASN1_OCTET_STRING_cmp(akid, skid) == 0);
    if (!says_self)
        return VOUCH_OK;
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    if (pub && X509_verify(cert, pub) == 1)
        return VOUCH_OK;
    ERR_clear_error();
    return verr_set(e, VOUCH_FAILED, "%s: the signer's certificate in %s is damaged: its "
                    "self-signature does not verify", r->file, r->sig_path);
}

/* The signature over the file's bytes, computing the file's SHA-256 and size as the
 * same read passes. */
static vexit check_content(sig_report *r, CMS_ContentInfo *cms, verr *e)
{
    BIO *file = BIO_new_file(r->file, "rb");
    if (!file)
        return verr_set(e, VOUCH_USAGE, "could not read \"%s\": %s", r->file, strerror(errno));
    BIO *md = BIO_new(BIO_f_md());
    BIO_set_md(md, EVP_sha256());
    BIO_push(md, file);
    /* The signer's certificate must be the one inside the signature (as for openssl
     * cms -verify); a pinned one is an anchor for it, never a stand-in. */
    int ok = CMS_verify(cms, NULL, NULL, md, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY);
    unsigned long last = ERR_peek_last_error();
    char why[256];
    openssl_error(why, sizeof why);
    unsigned char digest[EVP_MAX_MD_SIZE];
    int dlen = BIO_gets(md, (char *)digest, sizeof digest);
    for (int i = 0; i < dlen && i < 32; i++)
        snprintf(r->sha256 + 2 * i, 3, "%02x", digest[i]);
    r->size = BIO_number_read(file);
    BIO_free_all(md);
    if (ok == 1)
        return VOUCH_OK;
    const char *reason = why;
    if (ERR_GET_LIB(last) == ERR_LIB_CMS) {
        switch (ERR_GET_REASON(last)) {
        case CMS_R_CONTENT_VERIFY_ERROR:
            reason = "the file's contents changed since it was signed";
            break;
        case CMS_R_VERIFICATION_FAILURE:
            reason = "the signature is damaged or was not made by its certificate's key";
            break;
        case CMS_R_SIGNER_CERTIFICATE_NOT_FOUND:
            reason = "the signer's certificate is not in the signature";
            break;
        }
    }
    return verr_set(e, VOUCH_FAILED, "%s: signature does not verify: %s", r->file, reason);
}

/* The time-stamp token beside the signature, when there is one (or tsa_ca asks for one). */
static vexit check_timestamp(sig_report *r, const char *tsa_ca, verr *e)
{
    char *tsr = xasprintf("%s%s", r->file, TSR_SUFFIX);
    struct stat st;
    vexit rc = VOUCH_OK;
    if (lstat(tsr, &st) != 0) {
        if (tsa_ca)
            rc = verr_set(e, VOUCH_FAILED, "%s: no time-stamp token (%s), and a TSA was given to "
                          "check one against", r->file, tsr);
        free(tsr);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = verr_set(e, VOUCH_FAILED, "%s: not a regular file", tsr);
        free(tsr);
        return rc;
    }
    char *sig = NULL;
    size_t len = 0;
    if (!(rc = file_read_regular(r->sig_path, SIG_FILE_MAX, &sig, &len, e))) {
        rc = tsa_verify_file(tsr, (const unsigned char *)sig, len, tsa_ca, &r->stamp, e);
        if (!rc) {
            r->stamped = true;
            r->tsr_path = tsr;
            tsr = NULL;
        }
    }
    free(sig);
    free(tsr);
    return rc;
}

vexit verify_file(const char *path, const char *pinned_cert, sig_report *r, verr *e)
{
    return verify_file_stamped(path, pinned_cert, NULL, r, e);
}

vexit verify_file_stamped(const char *path, const char *pinned_cert, const char *tsa_ca,
                          sig_report *r, verr *e)
{
    memset(r, 0, sizeof *r);
    if (ends_with(path, SIGN_SUFFIX)) {
        r->file = xstrndup(path, strlen(path) - strlen(SIGN_SUFFIX));
        r->sig_path = xstrdup(path);
    } else {
        r->file = xstrdup(path);
        r->sig_path = xasprintf("%s%s", path, SIGN_SUFFIX);
    }
    struct stat st;
    if (stat(r->file, &st) != 0)
        return verr_set(e, VOUCH_USAGE, "could not verify \"%s\": %s", r->file, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return verr_set(e, VOUCH_USAGE, "could not verify \"%s\": not a regular file", r->file);
    STACK_OF(X509) *pinned = NULL;
    vexit rc = VOUCH_OK;
    if (pinned_cert) {
        r->pinned_path = xstrdup(pinned_cert);
        if ((rc = certs_load(pinned_cert, &pinned, e)))
            return rc;
    }
    CMS_ContentInfo *cms = NULL;
    if (!(rc = read_signature(r, &cms, e)) && !(rc = check_shape(r, cms, e)))
        rc = check_content(r, cms, e);
    if (!rc) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
        X509 *cert = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, &cert, NULL, NULL);
        if (!cert) {
            rc = verr_set(e, VOUCH_FAILED, "%s: the signer's certificate is not in the signature",
                          r->file);
        } else if (!(rc = check_algorithm(r, si, e))) {
            r->signer = dn_format(X509_get_subject_name(cert));
            r->issuer = dn_format(X509_get_issuer_name(cert));
            cert_fingerprint(cert, r->fingerprint, sizeof r->fingerprint);
            time_t when = 0;
            bool have_time = signing_time(si, r, &when);
            rc = pinned ? check_pinned(r, cert, cms, pinned, have_time, when, e)
                        : check_self_signed(r, cert, e);
        }
    }
    CMS_ContentInfo_free(cms);
    sk_X509_pop_free(pinned, X509_free);
    if (!rc)
        rc = check_timestamp(r, tsa_ca, e);
    return rc;
}

vexit sign_buffer(const signer *s, const void *data, size_t len, const char *what,
                  unsigned char **der, size_t *der_len, unsigned char **tsr, size_t *tsr_len,
                  verr *e)
{
    *der = *tsr = NULL;
    *der_len = *tsr_len = 0;
    if (len > INT_MAX)
        return verr_set(e, VOUCH_USAGE, "could not sign %s: too large", what);
    BIO *in = BIO_new_mem_buf(data, (int)len);
    CMS_ContentInfo *cms = in ? cms_sign_detached(s, in) : NULL;
    BIO_free(in);
    unsigned char *made = NULL;
    int n = cms ? i2d_CMS_ContentInfo(cms, &made) : -1;
    CMS_ContentInfo_free(cms);
    if (n <= 0) {
        char why[256];
        return verr_set(e, VOUCH_ABORTED, "could not sign %s: %s", what,
                        openssl_error(why, sizeof why));
    }
    /* into memory the caller frees with free(), not OPENSSL_free */
    *der = xmalloc((size_t)n);
    memcpy(*der, made, (size_t)n);
    *der_len = (size_t)n;
    OPENSSL_free(made);
    if (!s->tsa.url)
        return VOUCH_OK;
    verr te;
    verr_clear(&te);
    if (!tsa_stamp(&s->tsa, *der, *der_len, tsr, tsr_len, &te))
        return VOUCH_OK;
    *tsr = NULL;
    *tsr_len = 0;
    if (s->tsa.required) {
        free(*der);
        *der = NULL;
        *der_len = 0;
        verr_set(e, VOUCH_FAILED, "could not timestamp the signature of %s: %s", what, te.msg);
        verr_hint(e, "[signing] tsa_required is set: nothing is signed until the TSA answers.");
        return e->code;
    }
    fprintf(s->warn ? s->warn : stderr, "vouch: warning: %s signed without a trusted time: %s\n",
            what, te.msg);
    return VOUCH_OK;
}

vexit verify_buffer(const void *data, size_t len, const unsigned char *der, size_t der_len,
                    const char *what, sig_report *r, verr *e)
{
    memset(r, 0, sizeof *r);
    r->file = xstrdup(what);
    r->sig_path = xasprintf("the signature of %s", what);
    if (len > INT_MAX || der_len > SIG_FILE_MAX || !der)
        return verr_set(e, VOUCH_FAILED, "%s: %s is missing or too large", r->file, r->sig_path);
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
    vexit rc = VOUCH_OK;
    if (!cms || p != der + der_len || !versions_ok(der, (long)der_len)) {
        ERR_clear_error();
        rc = verr_set(e, VOUCH_FAILED, "%s: %s is damaged: not a DER CMS signature", r->file,
                      r->sig_path);
    }
    if (!rc)
        rc = check_shape(r, cms, e);
    if (!rc) {
        BIO *in = BIO_new_mem_buf(data, (int)len);
        int ok = in ? CMS_verify(cms, NULL, NULL, in, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY)
                    : 0;
        BIO_free(in);
        char why[256];
        openssl_error(why, sizeof why);
        if (ok != 1)
            rc = verr_set(e, VOUCH_FAILED, "%s: signature does not verify: the signed text "
                          "changed, or the signature was not made over it", r->file);
    }
    if (!rc) {
        CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
        X509 *cert = NULL;
        CMS_SignerInfo_get0_algs(si, NULL, &cert, NULL, NULL);
        if (!cert)
            rc = verr_set(e, VOUCH_FAILED, "%s: the signer's certificate is not in the signature",
                          r->file);
        else if (!(rc = check_algorithm(r, si, e))) {
            r->signer = dn_format(X509_get_subject_name(cert));
            r->issuer = dn_format(X509_get_issuer_name(cert));
            cert_fingerprint(cert, r->fingerprint, sizeof r->fingerprint);
            time_t when = 0;
            signing_time(si, r, &when);
            rc = check_self_signed(r, cert, e);
        }
    }
    CMS_ContentInfo_free(cms);
    return rc;
}
