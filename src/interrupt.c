#include "src/interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>

/* More than a run's connections (jobs is at most 16, plus the leader). */
#define WATCHED_MAX 32

/* Set by the handler, read by every thread of a run: a lock-free atomic is both
 * async-signal-safe and free of a data race. */
static atomic_int requested;
/* The watched connections and their cancel handles. Changed only while the signals are
 * blocked, so the handler never sees a freed handle or a half-written slot. */
static struct {
    PGconn *conn;
    PGcancel *cancel;
} watched[WATCHED_MAX];

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&requested, 1);
    for (size_t i = 0; i < WATCHED_MAX; i++)
        if (watched[i].cancel) {
            char buf[256];
            PQcancel(watched[i].cancel, buf, sizeof buf); /* safe in a signal handler */
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
    return atomic_load(&requested) != 0;
}

static void block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void interrupt_watch(PGconn *conn)
{
    if (!conn)
        return;
    PGcancel *c = PQgetCancel(conn);
    if (!c)
        return;
    sigset_t old;
    block(&old);
    size_t free_slot = WATCHED_MAX;
    for (size_t i = 0; i < WATCHED_MAX; i++) {
        if (watched[i].conn == conn) {
            free_slot = WATCHED_MAX; /* watched already */
            break;
        }
        if (!watched[i].conn && free_slot == WATCHED_MAX)
            free_slot = i;
    }
    if (free_slot < WATCHED_MAX) {
        watched[free_slot].conn = conn;
        watched[free_slot].cancel = c;
        c = NULL;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    /* Already watched, or no slot left (the pool also cancels its own on an interrupt). */
    if (c)
        PQfreeCancel(c);
}

void interrupt_forget(PGconn *conn)
{
    if (!conn)
        return;
    PGcancel *gone = NULL;
    sigset_t old;
    block(&old);
    for (size_t i = 0; i < WATCHED_MAX; i++)
        if (watched[i].conn == conn) {
            gone = watched[i].cancel;
            watched[i].conn = NULL;
            watched[i].cancel = NULL;
        }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (gone)
        PQfreeCancel(gone);
}
