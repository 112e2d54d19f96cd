/* Where a run is shown: --format NAME[:FILE] given once or several times, and --out FILE
 * (alias --output) for the one format given without a FILE. One run, many outputs: the
 * format without a FILE goes to standard output (or --out), each other to its FILE, which
 * is written whole and atomically (evidence/atomic_write.h) once the command is done. */
#ifndef VOUCH_OUT_SINKS_H
#define VOUCH_OUT_SINKS_H

#include <stdbool.h>
#include <stdio.h>

#include "src/output.h"
#include "src/verr.h"

#define OUT_MAX_FORMATS 8

typedef struct out_sink {
    const output_writer *writer;
    const char *path;   /* NULL: standard output */
    FILE *f;            /* stdout, or a memory stream into buf/len for path */
    char *buf;
    size_t len;
} out_sink;

typedef struct out_sinks {
    out_sink s[OUT_MAX_FORMATS];
    size_t n;
    size_t primary;     /* the one on standard output, else the first */
} out_sinks;

/* Split "NAME[:FILE]" values (formats[0..n), none: human) and --out (NULL when not given)
 * into sinks, each file's folder checked writable now, before anything runs. VOUCH_USAGE
 * for an unknown format, two formats for standard output, one FILE named twice, or --out
 * with no format left to take it. Release with out_sinks_close. */
vexit out_sinks_open(out_sinks *o, const char *const *formats, size_t n, const char *out,
                     verr *e);

/* Whether any format value names a FILE ("junit:gate.xml"). */
bool out_formats_name_files(const char *const *formats, size_t n);

/* Write each FILE that something was written to (an error before the run leaves the old
 * file as it was), atomically, and free the sinks. The first failure goes to e; returns
 * VOUCH_ABORTED if any file could not be written. */
vexit out_sinks_close(out_sinks *o, verr *e);

#endif
