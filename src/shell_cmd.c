#include "src/shell_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/interrupt.h"

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

vexit shell_run(const char *cmd, int *status, verr *e)
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
    posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);

    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    pid_t pid;
    int err = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (err)
        return verr_set(e, VOUCH_FAILED, "could not start /bin/sh for the restore command: %s",
                        strerror(err));

    int ws = 0;
    for (;;) {
        pid_t got = waitpid(pid, &ws, WNOHANG | WUNTRACED);
        if (got == pid && WIFSTOPPED(ws)) {
            stop_group(pid, &ws);
            verr_set(e, VOUCH_FAILED, "the restore command stopped (signal %d), most likely"
                     " reading from the terminal, and was ended", WSTOPSIG(ws));
            verr_hint(e, "It runs without a terminal: give passwords through ~/.pgpass or"
                         " PGPASSFILE, never a prompt.");
            return e->code;
        }
        if (got == pid)
            break;
        if (got < 0 && errno != EINTR)
            return verr_set(e, VOUCH_FAILED, "could not wait for the restore command: %s",
                            strerror(errno));
        if (interrupt_requested()) {
            stop_group(pid, &ws);
            return verr_set(e, VOUCH_ABORTED, "interrupted during the restore command");
        }
        nap(20);
    }
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : 255;
    return VOUCH_OK;
}
