/* Detached CMS (PKCS#7) signatures: FILE is signed into FILE.p7s (DER), carrying the
 * signer's certificate (and any chain from its certificate file) and the signing time
 * as a signed attribute, so that stock 'openssl cms -verify' checks it too
 * (docs/signing.md gives the command). */
#ifndef VOUCH_SIGN_H
#define VOUCH_SIGN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "evidence/keys.h"
#include "evidence/timestamp.h"
#include "src/verr.h"

#define SIGN_SUFFIX ".p7s"

/* Sign path into path.p7s, written atomically (replacing an older signature). */
vexit sign_file(const signer *s, const char *path, verr *e);

/* Sign len bytes of data in memory (an approval's statement): *der is the detached CMS
 * signature (DER), the caller's to free(). With s->tsa.url, *tsr is a time-stamp token
 * over *der (NULL, with a warning, when the TSA could not stamp and it is not required;
 * VOUCH_FAILED when it is). what names the data in messages. */
vexit sign_buffer(const signer *s, const void *data, size_t len, const char *what,
                  unsigned char **der, size_t *der_len, unsigned char **tsr, size_t *tsr_len,
                  verr *e);

/* Whether this OpenSSL can make, and verify again, a CMS signature with the signer's
 * key (it cannot for Ed25519 before RFC 8419 support): an in-memory trial. */
vexit signer_check(const signer *s, verr *e);

/* What a verified signature says. */
typedef struct sig_report {
    char *file;              /* the signed file */
    char *sig_path;          /* its signature */
    uint64_t size;
    char sha256[65];         /* of the file, hex */
    char *signer;            /* the signer's subject, most specific first */
    char *issuer;
    char fingerprint[100];   /* SHA-256 of the signer's certificate, "AB:CD:..." */
    char signing_time[32];   /* "2026-11-25T21:40:00Z", or "" when the signature has none */
    bool pinned;             /* the signer is, or is issued by, a pinned certificate */
    char *pinned_path;
    bool stamped;            /* FILE.tsr holds a verified RFC 3161 token over FILE.p7s */
    char *tsr_path;
    tsa_report stamp;
} sig_report;

void sig_report_release(sig_report *r);
/* The "  timestamp ..." line of a verified signature: its time, TSA and trust, or that it
 * has none (the signing time is then the signer's own clock). */
void sig_report_print_stamp(FILE *out, const sig_report *r);

/* Verify path against path.p7s (path may also name the .p7s). With pinned_cert
 * (a PEM file: the signer's own certificate or a CA's), the signer must be one of its
 * certificates or be issued by one, judged at the signing time; without it only the
 * file's integrity under the included certificate's key is proven.
 * VOUCH_OK with *r filled; VOUCH_FAILED when the signature does not verify (e says
 * why, naming the file); VOUCH_USAGE when the file or pinned certificate cannot be
 * read. Release *r in every case. */
vexit verify_file(const char *path, const char *pinned_cert, sig_report *r, verr *e);
/* verify_file, and the time-stamp token FILE.tsr when there is one: it must be over
 * FILE.p7s and, with tsa_ca, signed by a TSA that chains to it (evidence/timestamp.h);
 * with tsa_ca a missing token fails too. */
vexit verify_file_stamped(const char *path, const char *pinned_cert, const char *tsa_ca,
                          sig_report *r, verr *e);

/* Verify der as a detached CMS signature over data in memory, as verify_file does a
 * file's (without a pin: the signer's own certificate, carried in the signature, is
 * checked as the key that signed); r->signer, issuer, fingerprint and signing_time are
 * filled. what names the data in messages. VOUCH_FAILED when it does not hold. Release
 * *r in every case. */
vexit verify_buffer(const void *data, size_t len, const unsigned char *der, size_t der_len,
                    const char *what, sig_report *r, verr *e);

#endif
