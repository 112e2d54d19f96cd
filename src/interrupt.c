#include "src/interrupt.h"

#include <signal.h>
#include <stddef.h>

static volatile sig_atomic_t requested;
/* Swapped only while signals are blocked, so the handler never sees a freed object. */
static PGcancel *volatile cancel;

static void on_signal(int sig)
{
    (void)sig;
    requested = 1;
    if (cancel) {
        char buf[256];
        PQcancel(cancel, buf, sizeof buf); /* documented as safe in a signal handler */
    }
}

void interrupt_install(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool interrupt_requested(void)
{
    return requested != 0;
}

void interrupt_watch(PGconn *conn)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    PGcancel *prev = cancel;
    cancel = conn ? PQgetCancel(conn) : NULL;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (prev)
        PQfreeCancel(prev);
}
