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

/* utf8_show: keep '\n' (a format where a newline is a newline: a detail block, an XML text). */
#define UTF8_SHOW_NEWLINE 1u

/* A copy of s that is safe to show on a terminal, in a CI log, in TAP or in XML: a text
 * from the database can neither move the cursor, recolour, conceal or clear the screen,
 * forge a line, nor make an XML file unparseable. Shown as an escape, visibly, never
 * dropped:
 *   a byte that is not UTF-8, a C0 control (but '\n' with UTF8_SHOW_NEWLINE), DEL  -> \xHH
 *   a C1 control (U+0080..U+009F), U+FFFE, U+FFFF (not XML characters), and the
 *   bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069)          -> \u{HHHH}
 * Everything else is unchanged. NULL stays NULL; caller frees. */
char *utf8_show(const char *s, unsigned flags);

/* The number of code points in s (what a terminal column counts, near enough). */
size_t utf8_width(const char *s);

/* A copy of s cut to at most max code points, the last of them '…' when it was cut (max is
 * at least 1). Caller frees. */
char *utf8_cut(const char *s, size_t max);

/* s broken into lines of at most width code points (width at least 1) for a column of a
 * table: at blanks, never inside a word. A word longer than width is the only thing cut:
 * after the last '.', '_', '-' or '/' that leaves a line of it, else at width. The blanks
 * where a line breaks are dropped. Returns a NULL-terminated array of at least one line;
 * the caller frees each line and the array (utf8_lines_free). */
char **utf8_wrap(const char *s, size_t width);
void utf8_lines_free(char **lines);

#endif
