/* Trusted timestamps (RFC 3161): a signature proves who signed, not when, since the
 * signing time inside it is the signer's own clock. With [signing] tsa = URL, every
 * signature FILE.p7s gets a time-stamp token from that authority over its bytes,
 * stored beside it as FILE.tsr (the TimeStampResp, DER), which stock
 * 'openssl ts -verify -data FILE.p7s -in FILE.tsr -CAfile TSA-CA' checks too
 * (docs/signing.md). The request is made with OpenSSL's TS API and sent with libcurl. */
#ifndef VOUCH_TIMESTAMP_H
#define VOUCH_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>

#include "src/verr.h"

#define TSR_SUFFIX ".tsr"

typedef struct tsa_settings {
    const char *url;        /* NULL: no timestamps */
    const char *ca_path;    /* PEM: the TSA's certificate or its CA; NULL: not pinned */
    bool required;          /* a TSA that cannot stamp fails the signing */
    int timeout_s;          /* the whole exchange (default 10) */
} tsa_settings;

/* A time-stamp response for data from the TSA, checked before it is returned: granted,
 * over SHA-256 of data, with the nonce sent, and (with ca_path) signed by a TSA that
 * chains to it. *resp (DER, *len bytes) is the caller's (free). VOUCH_FAILED when the
 * TSA cannot be reached or its answer does not hold (e says which). */
vexit tsa_stamp(const tsa_settings *t, const unsigned char *data, size_t len, unsigned char **resp,
                size_t *resp_len, verr *e);

/* What a verified token says. */
typedef struct tsa_report {
    char gen_time[32];      /* "2026-12-02T07:30:00Z" */
    char *tsa;              /* the TSA's subject, or "(not named)" */
    bool pinned;            /* checked against a TSA certificate given (ca_path) */
} tsa_report;
void tsa_report_release(tsa_report *r);

/* Verify the response in tsr_path against data. With ca_path the token's signature must
 * chain to it; without, only that it is a well-formed, granted token over data with its
 * signature intact under the certificate it carries. VOUCH_FAILED when it does not hold,
 * VOUCH_USAGE when a file cannot be read. */
vexit tsa_verify_file(const char *tsr_path, const unsigned char *data, size_t len,
                      const char *ca_path, tsa_report *r, verr *e);

#endif
