#include "evidence/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "evidence/atomic_write.h"
#include "evidence/sign.h"
#include "src/util.h"

/* A private key file is at most this big; anything larger is not a PEM key. */
#define KEY_FILE_MAX (64 * 1024)
#define PASSPHRASE_MAX 1024

const char *openssl_error(char *buf, size_t size)
{
    unsigned long code = ERR_peek_last_error();
    if (!code)
        snprintf(buf, size, "no detail from OpenSSL");
    else
        ERR_error_string_n(code, buf, size);
    ERR_clear_error();
    return buf;
}

bool key_algorithm_parse(const char *name, key_algorithm *out)
{
    if (strcmp(name, "ecdsa-p256") == 0)
        *out = KEY_ECDSA_P256;
    else if (strcmp(name, "ed25519") == 0)
        *out = KEY_ED25519;
    else
        return false;
    return true;
}

key_source key_source_from(const signing_settings *s)
{
    return (key_source){s->key_path, s->cert_path, s->passphrase_env, s->passphrase_file};
}

vexit key_mode_check(const char *path, mode_t mode, verr *e)
{
    if (!(mode & (S_IRWXG | S_IRWXO)))
        return VOUCH_OK;
    verr_set(e, VOUCH_USAGE,
             "private key \"%s\" is open to group or others (mode %04o): run chmod 600 %s", path,
             (unsigned)(mode & 07777), path);
    verr_hint(e, "A signing key must be readable by its owner only; vouch will not use it "
                 "until it is.");
    return e->code;
}

/* ---- distinguished names ---- */

typedef struct rdn_part {
    char *type;
    char *value;
} rdn_part;

/* Split text at unescaped sep into "TYPE=VALUE" parts, unescaping "\X" to X. */
static vexit dn_split(const char *text, char sep, rdn_part **parts, size_t *n, verr *e)
{
    size_t cap = 0, len = strlen(text);
    char *buf = xmalloc(len + 1);
    *parts = NULL;
    *n = 0;
    const char *p = text;
    vexit rc = VOUCH_OK;
    while (!rc) {
        size_t used = 0;
        char *eq = NULL;
        while (*p && *p != sep) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '=' && !eq)
                eq = buf + used;
            buf[used++] = *p++;
        }
        buf[used] = '\0';
        if (!eq) {
            rc = verr_set(e, VOUCH_USAGE, "subject \"%s\": \"%s\" is not TYPE=VALUE", text, trim(buf));
            break;
        }
        *eq = '\0';
        char *type = trim(buf), *value = trim(eq + 1);
        if (!*type || !*value) {
            rc = verr_set(e, VOUCH_USAGE, "subject \"%s\": empty %s in \"%s=%s\"", text,
                          *type ? "value" : "type", type, value);
            break;
        }
        grow((void **)parts, &cap, *n + 1, sizeof **parts);
        (*parts)[(*n)++] = (rdn_part){xstrdup(type), xstrdup(value)};
        if (!*p)
            break;
        p++;
    }
    free(buf);
    return rc;
}

vexit dn_parse(const char *text, X509_NAME **out, verr *e)
{
    *out = NULL;
    /* "/C=AU/O=.../CN=..." (openssl req -subj) lists the most general part first;
     * "CN=...,O=...,C=AU" (RFC 4514) the most specific. */
    bool slashes = text[0] == '/';
    const char *body = slashes ? text + 1 : text;
    if (!body[strspn(body, " \t")])
        return verr_set(e, VOUCH_USAGE, "subject is empty: write it as \"CN=Name,O=Organisation,C=AU\"");
    rdn_part *parts;
    size_t n;
    vexit rc = dn_split(body, slashes ? '/' : ',', &parts, &n, e);
    X509_NAME *name = rc ? NULL : X509_NAME_new();
    for (size_t k = 0; !rc && k < n; k++) {
        const rdn_part *part = &parts[slashes ? k : n - 1 - k];
        if (OBJ_txt2nid(part->type) == NID_undef) {
            rc = verr_set(e, VOUCH_USAGE, "subject \"%s\": unknown attribute type \"%s\"", text,
                          part->type);
            verr_hint(e, "Use CN, O, OU, L, ST, C or emailAddress.");
        } else if (!X509_NAME_add_entry_by_txt(name, part->type, MBSTRING_UTF8,
                                               (const unsigned char *)part->value, -1, -1, 0)) {
            char why[256];
            rc = verr_set(e, VOUCH_USAGE, "subject \"%s\": %s=%s is not valid: %s", text,
                          part->type, part->value, openssl_error(why, sizeof why));
            if (strcmp(part->type, "C") == 0)
                verr_hint(e, "C is a two-letter country code such as AU.");
        }
    }
    for (size_t k = 0; k < n; k++) {
        free(parts[k].type);
        free(parts[k].value);
    }
    free(parts);
    if (rc) {
        X509_NAME_free(name);
        return rc;
    }
    *out = name;
    return VOUCH_OK;
}

char *dn_format(const X509_NAME *name)
{
    BIO *b = BIO_new(BIO_s_mem());
    /* RFC 2253 order and escaping, but UTF-8 left as it is. */
    X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *data;
    long len = BIO_get_mem_data(b, &data);
    char *s = xstrndup(data, len > 0 ? (size_t)len : 0);
    BIO_free(b);
    return s;
}

void cert_fingerprint(X509 *cert, char *out, size_t size)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    out[0] = '\0';
    if (!X509_digest(cert, EVP_sha256(), md, &len))
        return;
    size_t used = 0;
    for (unsigned int i = 0; i < len && used + 4 <= size; i++)
        used += (size_t)snprintf(out + used, size - used, i ? ":%02X" : "%02X", md[i]);
}

/* ---- passphrases ---- */

static vexit passphrase_get(const key_source *src, char **out, verr *e)
{
    *out = NULL;
    if (src->passphrase_env) {
        const char *v = getenv(src->passphrase_env);
        if (!v)
            return verr_set(e, VOUCH_USAGE, "passphrase variable %s is not set", src->passphrase_env);
        if (!*v)
            return verr_set(e, VOUCH_USAGE, "passphrase variable %s is empty", src->passphrase_env);
        *out = xstrdup(v);
        return VOUCH_OK;
    }
    if (!src->passphrase_file)
        return VOUCH_OK;
    FILE *f = fopen(src->passphrase_file, "r");
    if (!f)
        return verr_set(e, VOUCH_USAGE, "could not read passphrase file \"%s\": %s",
                        src->passphrase_file, strerror(errno));
    char line[PASSPHRASE_MAX + 2];
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (!got || !line[0]) {
        OPENSSL_cleanse(line, sizeof line);
        return verr_set(e, VOUCH_USAGE, "passphrase file \"%s\" is empty", src->passphrase_file);
    }
    *out = xstrdup(line);
    OPENSSL_cleanse(line, sizeof line);
    return VOUCH_OK;
}

static void passphrase_free(char *p)
{
    if (p) {
        OPENSSL_cleanse(p, strlen(p));
        free(p);
    }
}

typedef struct pass_state {
    const char *pass;
    bool asked;
} pass_state;

static int pass_cb(char *buf, int size, int rwflag, void *user)
{
    (void)rwflag;
    pass_state *ps = user;
    ps->asked = true;
    if (!ps->pass)
        return -1;
    size_t len = strlen(ps->pass);
    if (len > (size_t)size)
        return -1;
    memcpy(buf, ps->pass, len);
    return (int)len;
}

/* ---- loading ---- */

static vexit read_key_file(const char *path, unsigned char **data, size_t *len, verr *e)
{
    *data = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        verr_set(e, VOUCH_USAGE, "could not open private key \"%s\": %s", path, strerror(errno));
        if (errno == ENOENT)
            verr_hint(e, "Make one with 'vouch keygen', or set [signing] key in vouch.conf.");
        return e->code;
    }
    struct stat st;
    vexit rc = VOUCH_OK;
    if (fstat(fd, &st) != 0)
        rc = verr_set(e, VOUCH_USAGE, "could not read private key \"%s\": %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = verr_set(e, VOUCH_USAGE, "private key \"%s\" is not a regular file", path);
    else if (st.st_size > KEY_FILE_MAX)
        rc = verr_set(e, VOUCH_USAGE, "private key \"%s\" is too large to be a PEM key", path);
    else
        rc = key_mode_check(path, st.st_mode, e);
    if (!rc) {
        *data = xmalloc((size_t)st.st_size + 1);
        ssize_t got = read(fd, *data, (size_t)st.st_size);
        if (got < 0)
            rc = verr_set(e, VOUCH_USAGE, "could not read private key \"%s\": %s", path,
                          strerror(errno));
        *len = got > 0 ? (size_t)got : 0;
    }
    close(fd);
    return rc;
}

static vexit load_key(const key_source *src, const char *path, EVP_PKEY **out, verr *e)
{
    *out = NULL;
    unsigned char *data;
    size_t len;
    vexit rc = read_key_file(path, &data, &len, e);
    if (rc) {
        free(data);
        return rc;
    }
    char *pass = NULL;
    if ((rc = passphrase_get(src, &pass, e))) {
        OPENSSL_cleanse(data, len);
        free(data);
        return rc;
    }
    pass_state ps = {pass, false};
    BIO *b = BIO_new_mem_buf(data, (int)len);
    *out = PEM_read_bio_PrivateKey(b, NULL, pass_cb, &ps);
    BIO_free(b);
    OPENSSL_cleanse(data, len);
    free(data);
    passphrase_free(pass);
    if (*out)
        return VOUCH_OK;
    char why[256];
    openssl_error(why, sizeof why);
    if (ps.asked && !ps.pass) {
        verr_set(e, VOUCH_USAGE, "private key \"%s\" is encrypted and no passphrase was given", path);
        verr_hint(e, "Give --passphrase-env VAR or --passphrase-file FILE, or set [signing] "
                     "passphrase_env or passphrase_file.");
    } else if (ps.asked) {
        verr_set(e, VOUCH_USAGE, "could not decrypt private key \"%s\": wrong passphrase", path);
    } else {
        verr_set(e, VOUCH_USAGE, "could not read private key \"%s\": not a PEM private key (%s)",
                 path, why);
    }
    return e->code;
}

/* Every certificate of a PEM file, the first first. */
vexit certs_load(const char *path, STACK_OF(X509) **out, verr *e)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        verr_set(e, VOUCH_USAGE, "could not open certificate \"%s\": %s", path, strerror(errno));
        return e->code;
    }
    STACK_OF(X509) *certs = sk_X509_new_null();
    X509 *x;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)))
        sk_X509_push(certs, x);
    fclose(f);
    /* The loop ends on "no start line" at the end of the file: expected. */
    unsigned long last = ERR_peek_last_error();
    bool at_end = ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
    char why[256];
    openssl_error(why, sizeof why);
    if (!sk_X509_num(certs) || (last && !at_end)) {
        sk_X509_pop_free(certs, X509_free);
        return verr_set(e, VOUCH_USAGE, "could not read certificate \"%s\": %s", path,
                        last && !at_end ? why : "no PEM certificate in it");
    }
    *out = certs;
    return VOUCH_OK;
}

static void time_text(const ASN1_TIME *t, char *buf, size_t size)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(t, &tm))
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(buf, size, "?");
}

static vexit check_validity(const signer *s, verr *e)
{
    char when[32];
    if (X509_cmp_current_time(X509_get0_notAfter(s->cert)) <= 0) {
        time_text(X509_get0_notAfter(s->cert), when, sizeof when);
        verr_set(e, VOUCH_USAGE, "certificate \"%s\" expired on %s", s->cert_path, when);
        verr_hint(e, "Make a new key with 'vouch keygen --force', or renew the certificate with "
                     "your CA.");
        return e->code;
    }
    if (X509_cmp_current_time(X509_get0_notBefore(s->cert)) >= 0) {
        time_text(X509_get0_notBefore(s->cert), when, sizeof when);
        return verr_set(e, VOUCH_USAGE, "certificate \"%s\" is not valid before %s", s->cert_path,
                        when);
    }
    return VOUCH_OK;
}

vexit signer_load(signer **out, const key_source *src, verr *e)
{
    *out = NULL;
    signer *s = xcalloc(1, sizeof *s);
    s->key_path = xstrdup(src->key_path ? src->key_path : KEYS_DEFAULT_KEY);
    s->cert_path = xstrdup(src->cert_path ? src->cert_path : KEYS_DEFAULT_CERT);
    vexit rc = load_key(src, s->key_path, &s->key, e);
    if (!rc)
        rc = certs_load(s->cert_path, &s->extra, e);
    if (!rc) {
        s->cert = sk_X509_shift(s->extra);
        if (X509_check_private_key(s->cert, s->key) != 1) {
            ERR_clear_error();
            char *subject = dn_format(X509_get_subject_name(s->cert));
            rc = verr_set(e, VOUCH_USAGE,
                          "private key \"%s\" does not belong to certificate \"%s\" (%s)",
                          s->key_path, s->cert_path, subject);
            verr_hint(e, "The certificate file must start with the certificate of this key; "
                         "further certificates (its CA chain) may follow.");
            free(subject);
        }
    }
    if (!rc)
        rc = check_validity(s, e);
    if (!rc)
        rc = signer_check(s, e);
    if (rc) {
        signer_free(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}

void signer_free(signer *s)
{
    if (!s)
        return;
    EVP_PKEY_free(s->key);
    X509_free(s->cert);
    sk_X509_pop_free(s->extra, X509_free);
    free(s->key_path);
    free(s->cert_path);
    free(s);
}

/* ---- making a key ---- */

static bool add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    bool ok = ext && X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static bool random_serial(X509 *x)
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return false;
    bytes[0] &= 0x7f;   /* positive */
    bytes[0] |= 0x40;   /* and the full 16 bytes long */
    BIGNUM *bn = BN_bin2bn(bytes, sizeof bytes, NULL);
    bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    return ok;
}

static X509 *self_signed(EVP_PKEY *key, X509_NAME *name, int days)
{
    X509 *x = X509_new();
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    /* Ed25519 signs the certificate without a separate digest. */
    const EVP_MD *md = EVP_PKEY_is_a(key, "ED25519") ? NULL : EVP_sha256();
    bool ok = x && X509_set_version(x, X509_VERSION_3) && random_serial(x) &&
              X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
              X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) &&
              X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
              X509_set_pubkey(x, key) &&
              /* A signer, not a CA: what openssl cms -verify accepts as a leaf and, given
               * with -CAfile, as its own trust anchor. No extendedKeyUsage, so that no
               * verifier's purpose check refuses it. */
              add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
              add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
              add_ext(x, &ctx, NID_subject_key_identifier, "hash") &&
              add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") &&
              X509_sign(x, key, md) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static vexit pem_key(EVP_PKEY *key, const char *pass, BIO **out, verr *e)
{
    BIO *b = BIO_new(BIO_s_mem());
    /* PKCS#8; encrypted with AES-256-CBC (PBKDF2) when there is a passphrase. */
    int ok = PEM_write_bio_PKCS8PrivateKey(b, key, pass ? EVP_aes_256_cbc() : NULL, (char *)pass,
                                           pass ? (int)strlen(pass) : 0, NULL, NULL);
    if (!ok) {
        char why[256];
        BIO_free(b);
        return verr_set(e, VOUCH_ABORTED, "could not encode the private key: %s",
                        openssl_error(why, sizeof why));
    }
    *out = b;
    return VOUCH_OK;
}

static vexit write_pair(const keygen_request *rq, const signer *s, const char *pass, verr *e)
{
    BIO *kb;
    vexit rc = pem_key(s->key, pass, &kb, e);
    if (rc)
        return rc;
    BIO *cb = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cb, s->cert);
    char *kdata, *cdata;
    long klen = BIO_get_mem_data(kb, &kdata), clen = BIO_get_mem_data(cb, &cdata);
    rc = atomic_write(s->key_path, kdata, (size_t)klen, 0600, rq->force, e);
    if (!rc && (rc = atomic_write(s->cert_path, cdata, (size_t)clen, 0644, rq->force, e)))
        unlink(s->key_path);   /* no key without its certificate */
    OPENSSL_cleanse(kdata, (size_t)klen);
    BIO_free(kb);
    BIO_free(cb);
    return rc;
}

vexit keygen(const keygen_request *rq, verr *e)
{
    signer s = {0};
    s.key_path = (char *)(rq->out.key_path ? rq->out.key_path : KEYS_DEFAULT_KEY);
    s.cert_path = (char *)(rq->out.cert_path ? rq->out.cert_path : KEYS_DEFAULT_CERT);
    if (strcmp(s.key_path, s.cert_path) == 0)
        return verr_set(e, VOUCH_USAGE, "key and certificate would both be \"%s\"", s.key_path);
    struct stat st;
    if (!rq->force) {
        /* Say so before any work; the final link() still refuses a file that appears. */
        const char *exists = lstat(s.key_path, &st) == 0    ? s.key_path
                             : lstat(s.cert_path, &st) == 0 ? s.cert_path
                                                            : NULL;
        if (exists) {
            verr_set(e, VOUCH_USAGE, "\"%s\" already exists", exists);
            verr_hint(e, "Give --force to replace the key and certificate, or choose others with "
                         "--key and --cert.");
            return e->code;
        }
    }
    char *pass = NULL;
    vexit rc = passphrase_get(&rq->out, &pass, e);
    if (rc)
        return rc;
    X509_NAME *name = NULL;
    if (rq->subject)
        rc = dn_parse(rq->subject, &name, e);
    else if (!(name = X509_NAME_new()) ||
             !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                         (const unsigned char *)KEYS_DEFAULT_CN, -1, -1, 0))
        rc = verr_set(e, VOUCH_ABORTED, "could not make the certificate's subject");
    if (!rc) {
        s.key = rq->algorithm == KEY_ED25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                                             : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        s.cert = s.key ? self_signed(s.key, name, rq->days) : NULL;
        if (!s.cert) {
            char why[256];
            rc = verr_set(e, VOUCH_ABORTED, "could not make the key and certificate: %s",
                          openssl_error(why, sizeof why));
        }
    }
    /* Make sure it can sign before anything is written. */
    if (!rc)
        rc = signer_check(&s, e);
    if (!rc)
        rc = write_pair(rq, &s, pass, e);
    passphrase_free(pass);
    X509_NAME_free(name);
    EVP_PKEY_free(s.key);
    X509_free(s.cert);
    return rc;
}
