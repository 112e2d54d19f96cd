/* Writing a finished report: whole or not at all. */
#ifndef VOUCH_REPORT_FILE_H
#define VOUCH_REPORT_FILE_H

#include <stddef.h>

#include "src/verr.h"

/* Write len bytes to path (NULL or "-": standard output). A file is written
 * beside its final name, flushed to disk and renamed over it, so a reader (or a
 * signer that runs next) never sees half a report. */
vexit report_write_file(const char *path, const char *data, size_t len, verr *e);

#endif
