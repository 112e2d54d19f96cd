#include "src/shell_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/interrupt.h"
#include "src/util.h"

extern char **environ;

static void nap(long ms)
{
    struct timespec t = {0, ms * 1000000L};
    nanosleep(&t, NULL); /* a signal cuts it short, which is what we want */
}

/* After SIGTERM to the group: up to 5 s to go, then SIGKILL. */
static void stop_group(pid_t pid, int *wstatus)
{
    kill(-pid, SIGTERM);
    kill(-pid, SIGCONT);
    for (int i = 0; i < 250; i++) {
        if (waitpid(pid, wstatus, WNOHANG) == pid)
            return;
        nap(20);
    }
    kill(-pid, SIGKILL);
    while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
        ;
}

typedef enum pump_state { PUMP_DONE, PUMP_IDLE, PUMP_MORE } pump_state;

/* Read what is waiting on fd (non-blocking) into the digest and on to our stderr, at most
 * 1 MiB a call so that a command writing without pause still lets its caller see an
 * interrupt: PUMP_MORE when it stopped there, PUMP_IDLE when nothing more was waiting,
 * PUMP_DONE at end of file or on an error. */
static void keep_tail(shell_tail *t, const char *buf, size_t got)
{
    if (got >= SHELL_TAIL_MAX) {
        memcpy(t->data, buf + got - SHELL_TAIL_MAX, SHELL_TAIL_MAX);
        t->len = SHELL_TAIL_MAX;
        return;
    }
    if (t->len + got > SHELL_TAIL_MAX) {
        size_t drop = t->len + got - SHELL_TAIL_MAX;
        memmove(t->data, t->data + drop, t->len - drop);
        t->len -= drop;
    }
    memcpy(t->data + t->len, buf, got);
    t->len += got;
}

static pump_state pump(int fd, EVP_MD_CTX *md, uint64_t *bytes, shell_tail *tail)
{
    char buf[65536];
    for (int round = 0; round < 16; round++) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got > 0) {
            EVP_DigestUpdate(md, buf, (size_t)got);
            *bytes += (uint64_t)got;
            if (tail) {  /* held, never shown: it may be a connection string with a password */
                keep_tail(tail, buf, (size_t)got);
                continue;
            }
            /* shown as it comes, never held: memory stays flat whatever it prints */
            for (ssize_t done = 0; done < got;) {
                ssize_t w = write(STDERR_FILENO, buf + done, (size_t)(got - done));
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    break;
                done += w;
            }
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? PUMP_IDLE : PUMP_DONE;
    }
    return PUMP_MORE;
}

/* Run cmd; with out, its output goes through a pipe that is digested (see shell_run_captured),
 * else straight to our stderr; with tail (and out), only its stdout goes through the pipe,
 * into tail. envp NULL: our environment. what names it in messages. */
static vexit run_cmd(const char *cmd, const char *what, char *const envp[], shell_output *out,
                     shell_tail *tail, int *status, verr *e)
{
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&fa);
    /* Its own process group, so that an interrupt reaches everything it started. */
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t dflt;
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    int pipe_fd[2] = {-1, -1};
    if (out) {
        if (pipe(pipe_fd) != 0) {
            posix_spawn_file_actions_destroy(&fa);
            posix_spawnattr_destroy(&attr);
            return verr_set(e, VOUCH_FAILED, "could not make a pipe for the %s: %s", what,
                            strerror(errno));
        }
        /* neither end is left open in the command beyond its stdout and stderr */
        fcntl(pipe_fd[0], F_SETFD, FD_CLOEXEC);
        fcntl(pipe_fd[1], F_SETFD, FD_CLOEXEC);
        posix_spawn_file_actions_adddup2(&fa, pipe_fd[1], STDOUT_FILENO);
        if (!tail)
            posix_spawn_file_actions_adddup2(&fa, pipe_fd[1], STDERR_FILENO);
    } else {
        posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    }

    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    pid_t pid;
    int err = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, envp ? envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (out)
        close(pipe_fd[1]);
    if (err) {
        if (out)
            close(pipe_fd[0]);
        return verr_set(e, VOUCH_FAILED, "could not start /bin/sh for the %s: %s", what,
                        strerror(err));
    }
    EVP_MD_CTX *md = NULL;
    uint64_t bytes = 0;
    bool open_pipe = false;
    if (out) {
        fcntl(pipe_fd[0], F_SETFL, fcntl(pipe_fd[0], F_GETFL) | O_NONBLOCK);
        md = EVP_MD_CTX_new();
        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        open_pipe = true;
    }

    vexit rc = VOUCH_OK;
    int ws = 0;
    for (;;) {
        pid_t got = waitpid(pid, &ws, WNOHANG | WUNTRACED);
        if (got == pid && WIFSTOPPED(ws)) {
            stop_group(pid, &ws);
            verr_set(e, VOUCH_FAILED, "the %s stopped (signal %d), most likely"
                     " reading from the terminal, and was ended", what, WSTOPSIG(ws));
            verr_hint(e, "It runs without a terminal: give passwords through ~/.pgpass or"
                         " PGPASSFILE, never a prompt.");
            rc = e->code;
            break;
        }
        if (got == pid)
            break;
        if (got < 0 && errno != EINTR) {
            rc = verr_set(e, VOUCH_FAILED, "could not wait for the %s: %s", what,
                          strerror(errno));
            break;
        }
        if (interrupt_requested()) {
            stop_group(pid, &ws);
            rc = verr_set(e, VOUCH_ABORTED, "interrupted during the %s", what);
            break;
        }
        if (open_pipe) {
            struct pollfd p = {pipe_fd[0], POLLIN, 0};
            if (poll(&p, 1, 20) > 0)
                open_pipe = pump(pipe_fd[0], md, &bytes, tail) != PUMP_DONE;
        } else {
            nap(20);
        }
    }
    if (out) {
        /* What it wrote before it ended. A process it left behind that keeps writing is read
         * until an interrupt, then its group is ended; one that holds the pipe silent is not
         * waited for. */
        while (open_pipe && pump(pipe_fd[0], md, &bytes, tail) == PUMP_MORE)
            if (interrupt_requested()) {
                kill(-pid, SIGTERM);
                if (rc == VOUCH_OK)
                    rc = verr_set(e, VOUCH_ABORTED, "interrupted during the %s", what);
                break;
            }
        close(pipe_fd[0]);
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(md, d, &n);
        EVP_MD_CTX_free(md);
        for (unsigned int i = 0; i < n && i < 32; i++)
            snprintf(out->sha256 + 2 * i, 3, "%02x", d[i]);
        out->bytes = bytes;
    }
    if (rc == VOUCH_OK)
        *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : 255;
    return rc;
}

vexit shell_run(const char *cmd, int *status, verr *e)
{
    return run_cmd(cmd, "restore command", NULL, NULL, NULL, status, e);
}

vexit shell_run_tail(const char *cmd, shell_tail *tail, int *status, verr *e)
{
    shell_output out = {{0}, 0};
    tail->len = 0;
    vexit rc = run_cmd(cmd, "restore command", NULL, &out, tail, status, e);
    tail->bytes = out.bytes;
    return rc;
}

vexit shell_run_captured(const char *cmd, const char *what, char *const envp[],
                         shell_output *out, int *status, verr *e)
{
    *out = (shell_output){{0}, 0};
    return run_cmd(cmd, what, envp, out, NULL, status, e);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_op(char c)
{
    return c && strchr(";&|<>()\n", c) != NULL;
}

/* The operator at p is one byte, or two: && || ;; >> << >& <& >| <> */
static size_t op_len(const char *p)
{
    static const char *const two[] = {"&&", "||", ";;", ">>", "<<", ">&", "<&", ">|", "<>"};
    for (size_t k = 0; k < sizeof two / sizeof two[0]; k++)
        if (strncmp(p, two[k], 2) == 0)
            return 2;
    return 1;
}

/* Where the $(...) or `...` at cmd[i] ends (one past its close), or 0 when it does not:
 * kept whole inside the word it is part of, as sh does before it runs it. */
static size_t substitution_end(const char *cmd, size_t i)
{
    if (cmd[i] == '`') {
        for (size_t j = i + 1; cmd[j]; j++) {
            if (cmd[j] == '\\' && cmd[j + 1])
                j++;
            else if (cmd[j] == '`')
                return j + 1;
        }
        return 0;
    }
    int depth = 0;
    for (size_t j = i + 1; cmd[j]; j++) {
        char c = cmd[j];
        if (c == '\\' && cmd[j + 1]) {
            j++;
        } else if (c == '\'') {
            const char *close = strchr(cmd + j + 1, '\'');
            if (!close)
                return 0;
            j = (size_t)(close - cmd);
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && --depth == 0) {
            return j + 1;
        }
    }
    return 0;
}

static void add_word(shell_words *w, size_t start, size_t end, textbuf *value, bool op)
{
    grow((void **)&w->v, &w->cap, w->n + 1, sizeof *w->v);
    w->v[w->n++] = (shell_word){start, end, value->p ? value->p : xstrdup(""), op};
    *value = (textbuf){0};
}

static void add_byte(textbuf *t, char c)
{
    textbuf_add(t, "%c", c);
}

bool shell_split(const char *cmd, shell_words *out)
{
    *out = (shell_words){0};
    size_t i = 0;
    textbuf value = {0};
    while (cmd[i]) {
        if (is_blank(cmd[i])) {
            i++;
            continue;
        }
        size_t start = i;
        if (cmd[i] == '#') { /* a comment runs to the end of the line */
            while (cmd[i] && cmd[i] != '\n')
                i++;
            continue;
        }
        if (is_op(cmd[i])) {
            size_t n = op_len(cmd + i);
            for (size_t k = 0; k < n; k++)
                add_byte(&value, cmd[i + k]);
            i += n;
            add_word(out, start, i, &value, true);
            continue;
        }
        while (cmd[i] && !is_blank(cmd[i]) && !is_op(cmd[i])) {
            char c = cmd[i];
            if (c == '\\') {
                if (!cmd[i + 1])
                    goto unclosed;
                if (cmd[i + 1] != '\n') /* backslash-newline joins lines */
                    add_byte(&value, cmd[i + 1]);
                i += 2;
            } else if (c == '\'') {
                const char *close = strchr(cmd + i + 1, '\'');
                if (!close)
                    goto unclosed;
                for (const char *p = cmd + i + 1; p < close; p++)
                    add_byte(&value, *p);
                i = (size_t)(close - cmd) + 1;
            } else if (c == '"') {
                i++;
                while (cmd[i] != '"') {
                    if (!cmd[i])
                        goto unclosed;
                    if (cmd[i] == '\\' && cmd[i + 1] && strchr("$`\"\\\n", cmd[i + 1])) {
                        if (cmd[i + 1] != '\n')
                            add_byte(&value, cmd[i + 1]);
                        i += 2;
                        continue;
                    }
                    add_byte(&value, cmd[i++]);
                }
                i++;
            } else if ((c == '$' && cmd[i + 1] == '(') || c == '`') {
                size_t end = substitution_end(cmd, i);
                if (!end)
                    goto unclosed;
                for (; i < end; i++)
                    add_byte(&value, cmd[i]);
            } else {
                add_byte(&value, c);
                i++;
            }
        }
        add_word(out, start, i, &value, false);
    }
    return true;
unclosed:
    free(value.p);
    shell_words_release(out);
    return false;
}

void shell_words_release(shell_words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i].value);
    free(w->v);
    *w = (shell_words){0};
}
