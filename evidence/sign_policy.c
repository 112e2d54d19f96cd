#include "evidence/sign_policy.h"

#include <unistd.h>


bool signing_configured(const signing_settings *cfg)
{
    return cfg->key_path || access(KEYS_DEFAULT_KEY, F_OK) == 0;
}

vexit signer_from_settings(const signing_settings *cfg, signer **out, verr *e)
{
    *out = NULL;
    if (!signing_configured(cfg)) {
        verr_set(e, VOUCH_USAGE, "no signing key: [signing] key is not set and there is no %s here",
                 KEYS_DEFAULT_KEY);
        verr_hint(e, "Make one with 'vouch keygen', or set [signing] key and certificate "
                     "(docs/signing.md).");
        return e->code;
    }
    key_source src = key_source_from(cfg);
    return signer_load(out, &src, e);
}

bool sign_wanted(const signing_settings *cfg, sign_mode mode)
{
    return mode == SIGN_ALWAYS || (mode == SIGN_AUTO && signing_configured(cfg));
}
