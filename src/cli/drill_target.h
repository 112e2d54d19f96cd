/* drill run --target-from-output: the connection string a restore command printed
 * (docs/drills.md). Its output is treated as hostile: nothing of it is shown but what
 * libpq parsed, without secrets. */
#ifndef VOUCH_DRILL_TARGET_H
#define VOUCH_DRILL_TARGET_H

#include "src/shell_cmd.h"
#include "src/verr.h"

/* The longest connection string taken from a restore command's output, in bytes. */
#define DRILL_TARGET_MAX 4096

/* The last non-empty line of t (a trailing CR dropped) as a connection string libpq parses,
 * its secrets remembered for masking (*dsn, caller frees); VOUCH_FAILED with one line
 * saying why when there is none, it is too long, holds control bytes, or does not parse. */
vexit drill_target_from_output(const shell_tail *t, char **dsn, verr *e);

#endif
