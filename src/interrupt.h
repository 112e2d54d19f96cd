/* SIGINT/SIGTERM: remember the request and cancel the queries running on every
 * watched connection, so the run ends through the normal path and is stored as
 * aborted. */
#ifndef VOUCH_INTERRUPT_H
#define VOUCH_INTERRUPT_H

#include <libpq-fe.h>
#include <stdbool.h>

void interrupt_install(void);
bool interrupt_requested(void);
/* Cancel this connection's query on a signal, as long as it is open: the leader and
 * each worker of a run are watched at once. A connection watched twice is watched once. */
void interrupt_watch(PGconn *conn);
/* Stop watching conn (before PQfinish); the other connections stay watched. NULL and a
 * connection not watched are fine. */
void interrupt_forget(PGconn *conn);

#endif
