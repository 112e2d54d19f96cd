/* Run a command a person wrote (a restore script, a pg_restore pipeline) through
 * /bin/sh -c, timed by the caller, stoppable by SIGINT/SIGTERM. */
#ifndef VOUCH_SHELL_CMD_H
#define VOUCH_SHELL_CMD_H

#include <stdbool.h>

#include "src/verr.h"

/* Run cmd in its own process group with stdin from /dev/null and its stdout and
 * stderr on our stderr, and wait for it. Returns:
 *   VOUCH_OK       it ran to its end; *status is its exit status (128 + N when
 *                  signal N killed it)
 *   VOUCH_ABORTED  vouch was interrupted (interrupt_requested()): the command's process
 *                  group was sent SIGTERM, then SIGKILL after 5 s, and reaped
 *   VOUCH_FAILED   it could not be started, or it stopped (it tried to read from the
 *                  terminal) and was killed; e says why */
vexit shell_run(const char *cmd, int *status, verr *e);

#endif
