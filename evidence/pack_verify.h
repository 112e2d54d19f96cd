/* Verifying an evidence pack: the MANIFEST's signature, then every listed file's
 * size and SHA-256, then that no listed file is missing and nothing unlisted is
 * present. Every problem is printed, one line each naming the file; the first one
 * becomes the error. */
#ifndef VOUCH_PACK_VERIFY_H
#define VOUCH_PACK_VERIFY_H

#include <stdio.h>

#include "src/verr.h"

/* Verify the pack in dir, pinning the signer to pinned_cert (a PEM file, or NULL: then
 * only integrity is proven, and the output says so). Prints what was verified to out.
 * VOUCH_OK, VOUCH_FAILED (a problem), VOUCH_USAGE (dir or the certificate unreadable). */
vexit pack_verify(const char *dir, const char *pinned_cert, const char *tsa_ca, FILE *out,
                  verr *e);

#endif
