/* Several connections reading the same snapshot, as pg_dump -j does: the leader
 * exports its snapshot and workers adopt it, so every query of a run sees one
 * instant. Used for independent heavy queries such as exact counts. */
#ifndef VOUCH_PG_POOL_H
#define VOUCH_PG_POOL_H

#include <stddef.h>

#include "src/pg.h"

typedef struct pg_pool pg_pool;

/* jobs is the number of connections to use at most, the leader included (1: leader only).
 * Workers are opened on first need. The pool borrows leader and options. */
pg_pool *pg_pool_new(pg_session *leader, const pg_options *o, int jobs);
void pg_pool_free(pg_pool *p);

/* Run n independent queries without parameters; on success res[i] is sqls[i]'s result
 * (the caller PQclears each). On failure no result is left and e carries the first
 * error; failed_index (if not NULL) names the query that failed: the server refused it,
 * its connection broke while it ran, or it was the only one running when the run was
 * interrupted. It is PG_POOL_NO_QUERY when no one query is to blame (an interrupt while
 * several ran, a failed poll). */
#define PG_POOL_NO_QUERY ((size_t)-1)
vexit pg_pool_run(pg_pool *p, const char *const *sqls, size_t n, PGresult **res,
                  size_t *failed_index, verr *e);

/* Open the workers for up to wanted queries at once (no more than jobs - 1 of them) and
 * say how many connections that gives, leader included. */
int pg_pool_open(pg_pool *p, size_t wanted);

/* Called with each message of part's COPY data as it arrives (a row; the header rides
 * with the first). data is libpq's buffer, valid during the call only. */
typedef void (*pg_copy_fn)(void *user, size_t part, const unsigned char *data, size_t len);

/* Run n COPY ... TO STDOUT statements at once, each on its own connection of the pool in
 * the run's snapshot (more than the connections wait for a free one), each inside a
 * savepoint rolled back once its data is in, handing every message to fn as it arrives.
 * Errors, failed_index and the workers' fate as pg_pool_run; on failure the leader's
 * savepoint is rolled back too, so it can run the statements again by itself. */
vexit pg_pool_copy(pg_pool *p, const char *const *sqls, size_t n, pg_copy_fn fn, void *user,
                   size_t *failed_index, verr *e);

/* fn (NULL: none) is called after each query of the next runs finishes, with how many
 * have, for a progress line. */
void pg_pool_on_done(pg_pool *p, void (*fn)(void *user, size_t done), void *user);

/* Lend one worker (opened now if need be) to another thread, which runs its own checks on
 * it: NULL when none can be had. The pool counts it as its own but does not use it until
 * it is handed back with pg_pool_adopt. */
pg_session *pg_pool_lend(pg_pool *p);
/* Hand a lent worker back, idle and outside any savepoint: the only call another thread
 * may make on the pool. A COPY run under way takes it for its parts still to come; else
 * the next run does. */
void pg_pool_adopt(pg_pool *p, pg_session *s);
/* How many lent connections may still join the runs to come. */
int pg_pool_later(const pg_pool *p);

/* Start counting what one check uses: pg_pool_width then says the most connections that
 * really ran one of its queries or COPY parts in one run since, leader included (at
 * least 1). */
void pg_pool_mark(pg_pool *p);
int pg_pool_width(const pg_pool *p);

#endif
