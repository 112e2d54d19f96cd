/* Text that enters the store is valid UTF-8: bytes that are not are shown, never dropped.
 *
 * A Latin-1 'é' (0xE9) becomes the four characters \xE9, so that a person reading a result,
 * a report or a pack sees which byte it was, and every JSON and XML writer accepts the
 * text. Valid UTF-8 is returned unchanged, byte for byte: the digests of stored runs whose
 * text was already valid do not move. The escape is for people, not reversible: a backslash
 * already in the text is left as it is. */
#ifndef VOUCH_UTF8_H
#define VOUCH_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when the n bytes at s are valid UTF-8 (no NUL inside is expected). */
bool utf8_valid(const char *s, size_t n);

/* A copy of s that is valid UTF-8: each byte that does not belong to a valid sequence
 * becomes \xHH (upper-case hex). NULL stays NULL; caller frees. */
char *utf8_escape_invalid(const char *s);

#endif
