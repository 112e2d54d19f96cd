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
    vexit rc = signer_load(out, &src, e);
    if (!rc)
        signer_use_tsa(*out, cfg);
    return rc;
}

void signer_use_tsa(signer *s, const signing_settings *cfg)
{
    s->tsa = (tsa_settings){cfg->tsa_url, cfg->tsa_ca, cfg->tsa_required, 10};
}

bool sign_wanted(const signing_settings *cfg, sign_mode mode)
{
    return mode == SIGN_ALWAYS || (mode == SIGN_AUTO && signing_configured(cfg));
}
