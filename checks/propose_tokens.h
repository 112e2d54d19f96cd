/* The pure part of proposing [share_tokens]: what format sampled values show. */
#ifndef VOUCH_PROPOSE_TOKENS_H
#define VOUCH_PROPOSE_TOKENS_H

#include <stddef.h>

/* The share_tokens format one value has ("sha256-hex", "bcrypt", ...), or NULL. */
const char *token_value_format(const char *v);
/* The one format every non-empty value shares; "plaintext" when some value has none or
 * they differ; NULL when no value is non-empty. *non_empty counts those values. */
const char *token_sample_format(const char *const *values, size_t n, size_t *non_empty);

#endif
