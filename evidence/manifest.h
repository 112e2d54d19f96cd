/* The MANIFEST of an evidence pack: one line per file, sorted by path (bytewise),
 *
 *     SHA256  SIZE  PATH\n
 *
 * the SHA-256 in lowercase hex, the size in bytes in decimal, two spaces between
 * fields, the path relative to the pack with '/' between folders. Dropping the size
 * column leaves exactly what 'sha256sum -c' reads (docs/auditor.md), so an auditor
 * needs no vouch. Paths are restricted to letters, digits and "._-/" so that no
 * shell, sha256sum escape or line break can make a line mean two things. */
#ifndef VOUCH_MANIFEST_H
#define VOUCH_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "evidence/chain.h"
#include "src/verr.h"

#define MANIFEST_NAME "MANIFEST"
#define MANIFEST_SIG_NAME "MANIFEST.p7s"
#define MANIFEST_TSR_NAME "MANIFEST.tsr"   /* its RFC 3161 token, when a TSA is set */

typedef struct manifest_entry {
    char *path;
    uint64_t size;
    char sha256[DIGEST_HEX_LEN + 1];
} manifest_entry;

typedef struct manifest {
    manifest_entry *entries;
    size_t n, cap;
} manifest;

/* A path a MANIFEST may list: relative, made of [A-Za-z0-9._-] names joined by
 * single '/', no name "." or "..", and not MANIFEST or MANIFEST.p7s themselves. */
bool manifest_path_ok(const char *path);

/* Add an entry (path copied). The caller keeps paths valid and distinct. */
void manifest_add(manifest *m, const char *path, uint64_t size, const char *sha256);

/* The text of the MANIFEST, entries sorted by path. Caller frees; *len its length. */
char *manifest_format(manifest *m, size_t *len);

/* Parse MANIFEST text into *m (empty on entry). Every line must have the form above,
 * end with a newline and name a valid path after the previous line's (sorted
 * bytewise, no repeats: what the auditor's 'LC_ALL=C sort | diff' step accepts); the
 * first line that does not is reported with its number (VOUCH_FAILED: a damaged
 * manifest is a failed check). */
vexit manifest_parse(const char *text, size_t len, manifest *m, verr *e);

/* The entry listing path, or NULL. */
const manifest_entry *manifest_find(const manifest *m, const char *path);

void manifest_release(manifest *m);

/* Size and SHA-256 of a regular file, read in blocks (a symbolic link, a FIFO or
 * any other kind of file is refused, without waiting on it). VOUCH_FAILED with a
 * message naming the file when it cannot be read. */
vexit file_sha256(const char *path, uint64_t *size, char hex[DIGEST_HEX_LEN + 1], verr *e);

/* Open path for reading only if it is a regular file, never following a symbolic
 * link and never waiting on a FIFO (O_NONBLOCK | O_NOFOLLOW, then fstat). The
 * descriptor, or -1 with *why saying what the path is instead ("a FIFO, not a
 * regular file") or the system's error. */
int file_open_regular(const char *path, const char **why);

/* The whole of the regular file path (as file_open_regular opens it), at most max
 * bytes, NUL-terminated (caller frees *out). VOUCH_FAILED naming the file otherwise. */
vexit file_read_regular(const char *path, size_t max, char **out, size_t *len, verr *e);

/* What kind of file mode says, for messages: "file", "folder", "symbolic link",
 * "FIFO", "socket", "device". */
const char *file_kind(mode_t mode);

#endif
