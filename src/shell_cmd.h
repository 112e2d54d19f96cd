/* Run a command a person wrote (a restore script, a pg_restore pipeline) through
 * /bin/sh -c, timed by the caller, stoppable by SIGINT/SIGTERM. */
#ifndef VOUCH_SHELL_CMD_H
#define VOUCH_SHELL_CMD_H

#include <stdbool.h>
#include <stdint.h>

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

/* What a captured command wrote (stdout and stderr as one stream). */
typedef struct shell_output {
    char sha256[65];   /* SHA-256 of every byte, lowercase hex */
    uint64_t bytes;
} shell_output;

/* As shell_run, with environment envp (NULL: ours) and its stdout and stderr through a pipe:
 * every byte is digested into out->sha256 and passed on to our stderr as it comes, never
 * held, so output of any size costs no memory. what names the command in messages
 * ("smoke test"). What a process it left in the background writes after it ended is not
 * waited for. */
vexit shell_run_captured(const char *cmd, const char *what, char *const envp[],
                         shell_output *out, int *status, verr *e);

/* The end of what a command wrote on its stdout. */
#define SHELL_TAIL_MAX 8192
typedef struct shell_tail {
    char data[SHELL_TAIL_MAX];  /* its last len bytes (not NUL-terminated) */
    size_t len;
    uint64_t bytes;             /* how many it wrote in all */
} shell_tail;

/* As shell_run, with the command's stdout read into tail instead of shown (its stderr is
 * still on ours): for a restore command that prints what it restored. */
vexit shell_run_tail(const char *cmd, shell_tail *tail, int *status, verr *e);

/* One word of a command as /bin/sh splits it before any expansion. */
typedef struct shell_word {
    size_t start, end;  /* its bytes in the command: [start, end) */
    char *value;        /* with quotes and backslashes removed; owned */
    bool op;            /* an operator (; & | < > ( ) and their doubles, a newline) */
} shell_word;

typedef struct shell_words {
    shell_word *v;
    size_t n, cap;
} shell_words;

/* Split cmd into words the way sh's token recognition does: blanks separate words,
 * '...' and "..." quote (inside "...", a backslash quotes $ ` " \ and newline), a
 * backslash outside quotes quotes the next byte, # at the start of a word comments to the
 * end of the line, operators are words of their own. $VAR, $(...) and `...` are kept
 * as written inside the word they are part of (a $(...) with its blanks and parentheses),
 * not expanded. false (and *out empty) when
 * a quote is not closed or a backslash ends the command. Release with shell_words_release. */
bool shell_split(const char *cmd, shell_words *out);
void shell_words_release(shell_words *w);

#endif
