/* Writing a whole file so that readers see the old file or the new one, never half. */
#ifndef VOUCH_ATOMIC_WRITE_H
#define VOUCH_ATOMIC_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "src/verr.h"

/* Write data to a new file beside path (created with O_EXCL and the given mode,
 * never widened after), flush it to disk, then move it into place. When replace is
 * false an existing path is left alone and reported (VOUCH_USAGE, hint: --force). */
vexit atomic_write(const char *path, const void *data, size_t len, mode_t mode, bool replace,
                   verr *e);

#endif
