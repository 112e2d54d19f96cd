/* Signing keys and certificates: made by 'vouch keygen', or an organisation's own
 * key and certificate from its CA, loaded the same way.
 *
 * A private key file is written mode 0600 (created so, never chmod-ed after) and
 * refused on loading when its group or others may read it. */
#ifndef VOUCH_KEYS_H
#define VOUCH_KEYS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "evidence/timestamp.h"
#include "src/settings.h"
#include "src/verr.h"

#define KEYS_DEFAULT_KEY "vouch-signing.key"
#define KEYS_DEFAULT_CERT "vouch-signing.crt"
#define KEYS_DEFAULT_DAYS 825
#define KEYS_DEFAULT_CN "vouch evidence signing"

typedef enum key_algorithm { KEY_ECDSA_P256, KEY_ED25519 } key_algorithm;

/* "ecdsa-p256" or "ed25519"; false for anything else. */
bool key_algorithm_parse(const char *name, key_algorithm *out);

/* A key, its certificate, and any further certificates of the certificate file
 * (an organisation's chain), which signatures carry along. */
typedef struct signer {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) *extra;
    char *key_path;
    char *cert_path;
    tsa_settings tsa;   /* borrowed from the settings; tsa.url NULL: no timestamps */
    FILE *warn;         /* where a warning goes (a TSA that could not stamp); NULL: stderr */
} signer;

/* Where a signer is read from; NULL paths take the defaults above. */
typedef struct key_source {
    const char *key_path;
    const char *cert_path;
    const char *passphrase_env;    /* name of an environment variable, or NULL */
    const char *passphrase_file;   /* or a file whose first line is the passphrase */
} key_source;

/* The source named by [signing]. */
key_source key_source_from(const signing_settings *s);

/* Load and check a signer: the key file's mode, the passphrase, the key matching
 * the certificate, and that this OpenSSL can make a CMS signature with it.
 * Caller frees *out with signer_free. */
vexit signer_load(signer **out, const key_source *src, verr *e);
void signer_free(signer *s);

typedef struct keygen_request {
    key_algorithm algorithm;
    const char *subject;      /* "CN=...,O=...,C=AU"; NULL for KEYS_DEFAULT_CN */
    int days;
    key_source out;           /* where to write, and the passphrase that encrypts the key */
    bool force;               /* replace existing files */
} keygen_request;

/* Make a key and a self-signed certificate and write both. */
vexit keygen(const keygen_request *rq, verr *e);

/* Parse a distinguished name written as "CN=Portal DR,O=Example Agency,C=AU" (most
 * specific first, as RFC 4514 writes it; "\," escapes a comma). Caller frees *out. */
vexit dn_parse(const char *text, X509_NAME **out, verr *e);

/* A name as one line, most specific first ("CN=Portal DR,O=Example Agency,C=AU").
 * Caller frees. */
char *dn_format(const X509_NAME *name);

/* The SHA-256 fingerprint of a certificate as openssl prints it ("AB:CD:..."); out
 * holds at least 96 bytes. */
void cert_fingerprint(X509 *cert, char *out, size_t size);

/* Every certificate of a PEM file, in file order. Caller frees with
 * sk_X509_pop_free(*out, X509_free). */
vexit certs_load(const char *path, STACK_OF(X509) **out, verr *e);

/* Refuse a private key whose mode lets group or others read or write it. */
vexit key_mode_check(const char *path, mode_t mode, verr *e);

/* The text of OpenSSL's most recent error (emptying its queue), for messages. */
const char *openssl_error(char *buf, size_t size);

#endif
