/* SIGINT/SIGTERM: remember the request and cancel the running query, so the
 * run ends through the normal path and is stored as aborted. */
#ifndef VOUCH_INTERRUPT_H
#define VOUCH_INTERRUPT_H

#include <libpq-fe.h>
#include <stdbool.h>

void interrupt_install(void);
bool interrupt_requested(void);
/* Cancel this connection's query on a signal; NULL stops watching. */
void interrupt_watch(PGconn *conn);

#endif
