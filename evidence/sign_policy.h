/* When vouch signs what it writes: reports are signed whenever a signing key is
 * configured ([signing] key, or the default key file in the working folder), unless
 * --no-sign; --sign makes a missing key an error. Packs always sign their MANIFEST. */
#ifndef VOUCH_SIGN_POLICY_H
#define VOUCH_SIGN_POLICY_H

#include <stdbool.h>

#include "evidence/keys.h"
#include "src/settings.h"
#include "src/verr.h"

typedef enum sign_mode {
    SIGN_AUTO,     /* sign when a key is configured */
    SIGN_NEVER,    /* --no-sign */
    SIGN_ALWAYS    /* --sign: no key is an error */
} sign_mode;

/* Whether [signing] names a key or the default key file exists. */
bool signing_configured(const signing_settings *cfg);

/* The configured signer; VOUCH_USAGE with a hint to run 'vouch keygen' when no key is
 * configured, and signer_load's errors otherwise. */
vexit signer_from_settings(const signing_settings *cfg, signer **out, verr *e);
/* Timestamp every signature s makes as [signing] tsa, tsa_ca and tsa_required say. */
void signer_use_tsa(signer *s, const signing_settings *cfg);

/* Whether mode asks for a signature with this configuration (--sign always does:
 * loading the signer then says what is missing). */
bool sign_wanted(const signing_settings *cfg, sign_mode mode);

#endif
