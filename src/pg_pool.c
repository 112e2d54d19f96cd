#include "src/pg_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/interrupt.h"
#include "src/util.h"

struct pg_pool {
    pg_session *leader;
    pg_options opts;
    int jobs;
    pg_session **workers;
    int n_workers;
    size_t cap_workers;
    bool opened; /* no more workers: one could not connect, or a run failed */
    int width;
    void (*on_done)(void *user, size_t done); /* MAY be set: each query finished */
    void *on_done_user;
    /* Lending (pg_pool_lend): lent is how many workers another thread holds; those it
     * handed back wait in back until the pool's own thread takes them in. Only back and
     * n_back are shared, under mu; a byte on wake[1] wakes a COPY run's poll. */
    int lent;
    pthread_mutex_t mu;
    pg_session **back;
    size_t n_back, cap_back;
    int wake[2];
};

void pg_pool_on_done(pg_pool *p, void (*fn)(void *user, size_t done), void *user)
{
    p->on_done = fn;
    p->on_done_user = user;
}

pg_pool *pg_pool_new(pg_session *leader, const pg_options *o, int jobs)
{
    pg_pool *p = xcalloc(1, sizeof *p);
    p->leader = leader;
    p->opts = *o;
    p->jobs = jobs < 1 ? 1 : jobs;
    p->width = 1;
    pthread_mutex_init(&p->mu, NULL);
    p->wake[0] = p->wake[1] = -1;
    return p;
}

void pg_pool_free(pg_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_workers; i++)
        pg_session_close(p->workers[i]);
    for (size_t i = 0; i < p->n_back; i++)
        pg_session_close(p->back[i]);
    free(p->workers);
    free(p->back);
    for (int i = 0; i < 2; i++)
        if (p->wake[i] >= 0)
            close(p->wake[i]);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* The workers handed back since, made the pool's own again (the pool's thread only). */
static void take_back(pg_pool *p)
{
    if (!p->lent)
        return;
    pthread_mutex_lock(&p->mu);
    if (p->n_back) {
        grow((void **)&p->workers, &p->cap_workers, (size_t)p->n_workers + p->n_back,
             sizeof *p->workers);
        for (size_t i = 0; i < p->n_back; i++)
            p->workers[p->n_workers++] = p->back[i];
        p->lent -= (int)p->n_back;
        p->n_back = 0;
    }
    pthread_mutex_unlock(&p->mu);
    char buf[16];
    while (p->wake[0] >= 0 && read(p->wake[0], buf, sizeof buf) > 0)
        ;
}

void pg_pool_mark(pg_pool *p)
{
    p->width = 1;
}

int pg_pool_width(const pg_pool *p)
{
    return p->width;
}

/* Open workers as the queries at hand need them, up to jobs - 1. A worker that cannot
 * connect (max_connections, say) is simply not used, nor tried again: the leader alone
 * still gives the right answer, only slower. */
static void open_workers(pg_pool *p, size_t wanted)
{
    size_t n = p->jobs > 1 ? (size_t)p->jobs - 1 : 0;
    if (wanted < 1)
        wanted = 1;
    if (n > wanted - 1)
        n = wanted - 1;
    take_back(p);
    /* a lent worker counts: it comes back */
    if (p->opened || (size_t)(p->n_workers + p->lent) >= n)
        return;
    if (!p->leader->snapshot)
        return; /* the runner exports it before any savepoint; without it, no workers */
    verr e;
    grow((void **)&p->workers, &p->cap_workers, n, sizeof *p->workers);
    for (size_t i = (size_t)(p->n_workers + p->lent); i < n; i++) {
        pg_session *w;
        if (pg_session_open_worker(&w, p->leader, &p->opts, &e)) {
            p->opened = true;
            break;
        }
        interrupt_watch(w->conn); /* a signal cancels the workers' queries too */
        p->workers[p->n_workers++] = w;
    }
}

int pg_pool_open(pg_pool *p, size_t wanted)
{
    open_workers(p, wanted);
    return 1 + p->n_workers;
}

pg_session *pg_pool_lend(pg_pool *p)
{
    if (p->wake[0] < 0) {
        if (pipe(p->wake) != 0) {
            p->wake[0] = p->wake[1] = -1;
            return NULL;
        }
        for (int i = 0; i < 2; i++)
            fcntl(p->wake[i], F_SETFL, fcntl(p->wake[i], F_GETFL) | O_NONBLOCK);
    }
    open_workers(p, (size_t)(p->n_workers + p->lent) + 2);
    if (!p->n_workers)
        return NULL;
    pg_session *w = p->workers[--p->n_workers];
    p->lent++;
    /* The checks it runs read the server's facts from their session: the leader's. */
    pg_session_share_identity(w, p->leader);
    return w;
}

void pg_pool_adopt(pg_pool *p, pg_session *s)
{
    pthread_mutex_lock(&p->mu);
    grow((void **)&p->back, &p->cap_back, p->n_back + 1, sizeof *p->back);
    p->back[p->n_back++] = s;
    pthread_mutex_unlock(&p->mu);
    if (p->wake[1] >= 0 && write(p->wake[1], "", 1) < 0) {
        /* full or closed: the COPY run's poll times out soon and takes it all the same */
    }
}

int pg_pool_later(const pg_pool *p)
{
    return p->lent;
}

/* Each query runs in a savepoint rolled back once its rows are in (pg_contain_begin and
 * _end in src/pg.h): a setting that code of the target changes while it runs is undone
 * before the connection's next query. A slot walks through the steps one by one. */
enum step { STEP_SAVEPOINT, STEP_QUERY, STEP_ROLLBACK, STEP_RELEASE };

typedef struct slot {
    pg_session *s;
    long query;      /* index being run, or -1 */
    const char *sql; /* its text */
    enum step step;
    PGresult *first; /* the current step's result, until the NULL that ends it */
    PGresult *rows;  /* the query's result, kept through the rollback */
} slot;

static bool send_step(slot *sl)
{
    static const char *const fixed[] = {
        [STEP_SAVEPOINT] = "SAVEPOINT vouch_contain",
        [STEP_ROLLBACK] = "ROLLBACK TO SAVEPOINT vouch_contain",
        [STEP_RELEASE] = "RELEASE SAVEPOINT vouch_contain",
    };
    sl->first = NULL;
    const char *sql = sl->step == STEP_QUERY ? sl->sql : fixed[sl->step];
    return PQsendQueryParams(sl->s->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
}

/* Start query index on the slot; false when libpq could not send it. */
static bool send_query(slot *sl, const char *sql, long index)
{
    sl->sql = sql;
    sl->step = STEP_SAVEPOINT;
    sl->rows = NULL;
    if (!send_step(sl))
        return false;
    sl->query = index;
    return true;
}

static void cancel_all(slot *slots, int n)
{
    for (int i = 0; i < n; i++) {
        if (slots[i].query >= 0)
            pg_cancel(slots[i].s->conn);
    }
}

/* Open the workers for n statements and say how many connections run them at once
 * (leader included), counted toward what the check has used since pg_pool_mark. */
static int open_width(pg_pool *p, size_t n)
{
    open_workers(p, n);
    int width = 1 + p->n_workers;
    if ((size_t)width > n)
        width = n ? (int)n : 1;
    if (width > p->width)
        p->width = width;
    return width;
}

vexit pg_pool_run(pg_pool *p, const char *const *sqls, size_t n, PGresult **res,
                  size_t *failed_index, verr *e)
{
    memset(res, 0, n * sizeof *res);
    if (failed_index)
        *failed_index = PG_POOL_NO_QUERY;
    int width = open_width(p, n);
    slot *slots = xcalloc((size_t)width, sizeof *slots);
    slots[0].s = p->leader;
    for (int i = 1; i < width; i++)
        slots[i].s = p->workers[i - 1];

    size_t next = 0, done = 0;
    vexit rc = VOUCH_OK;
    long failed = -1;
    int failed_slot = 0;
    PGresult *failed_result = NULL;
    for (int i = 0; i < width; i++)
        slots[i].query = -1;
    /* A query that could not be sent, or whose connection broke, failed like one the
     * server refused: failed names it, failed_result is NULL and the message is libpq's. */
    for (int i = 0; i < width && next < n && failed < 0; i++, next++)
        if (!send_query(&slots[i], sqls[next], (long)next)) {
            failed = (long)next;
            failed_slot = i;
        }
    struct pollfd *fds = xcalloc((size_t)width, sizeof *fds);
    while (!rc && failed < 0 && done < n) {
        int busy = 0;
        for (int i = 0; i < width; i++) {
            fds[i].fd = slots[i].query >= 0 ? PQsocket(slots[i].s->conn) : -1;
            fds[i].events = POLLIN;
            fds[i].revents = 0;
            busy += slots[i].query >= 0;
        }
        if (!busy)
            break;
        if (poll(fds, (nfds_t)width, 200) < 0 && errno != EINTR) {
            rc = verr_set(e, VOUCH_ABORTED, "could not wait for the server: %s", strerror(errno));
            break;
        }
        if (interrupt_requested()) {
            /* The query interrupted is named only when it was the one running. */
            long running = -1;
            int n_running = 0;
            for (int i = 0; i < width; i++)
                if (slots[i].query >= 0) {
                    running = slots[i].query;
                    n_running++;
                }
            cancel_all(slots, width);
            rc = verr_set(e, VOUCH_ABORTED, "interrupted");
            if (n_running == 1 && failed_index)
                *failed_index = (size_t)running;
            break;
        }
        for (int i = 0; i < width && !rc; i++) {
            slot *sl = &slots[i];
            if (sl->query < 0 || !(fds[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            if (!PQconsumeInput(sl->s->conn)) {
                /* The server's last word (a FATAL), else libpq's own message. */
                failed = sl->query;
                failed_slot = i;
                failed_result = sl->first ? sl->first : PQgetResult(sl->s->conn);
                sl->first = NULL;
                sl->query = -1;
                break;
            }
            while (!PQisBusy(sl->s->conn)) {
                PGresult *r = PQgetResult(sl->s->conn);
                if (r) {
                    if (!sl->first)
                        sl->first = r;
                    else
                        PQclear(r);
                    continue;
                }
                /* The step is finished. */
                PGresult *got = sl->first;
                long q = sl->query;
                sl->first = NULL;
                ExecStatusType want =
                    sl->step == STEP_QUERY ? PGRES_TUPLES_OK : PGRES_COMMAND_OK;
                if (!got || PQresultStatus(got) != want) {
                    sl->query = -1;
                    done++;
                    failed = q;
                    failed_slot = i;
                    failed_result = got;
                    break;
                }
                if (sl->step == STEP_QUERY)
                    sl->rows = got;
                else
                    PQclear(got);
                if (sl->step != STEP_RELEASE) {
                    sl->step++;
                    if (!send_step(sl)) {
                        sl->query = -1;
                        done++;
                        failed = q;
                        failed_slot = i;
                    }
                    break;
                }
                sl->query = -1;
                done++;
                res[q] = sl->rows;
                sl->rows = NULL;
                if (p->on_done)
                    p->on_done(p->on_done_user, done);
                if (next < n && failed < 0) {
                    if (!send_query(sl, sqls[next], (long)next)) {
                        failed = (long)next;
                        failed_slot = i;
                    }
                    next++;
                }
                break;
            }
            if (failed >= 0)
                break;
        }
        if (failed >= 0)
            break;
    }
    if (failed >= 0) {
        rc = pg_result_error(slots[failed_slot].s, failed_result, e);
        if (pg_session_broken(slots[failed_slot].s) && !interrupt_requested())
            verr_prefix(e, "lost the connection");
        /* A broken worker is not the run's loss: the leader can go on. */
        if (rc == VOUCH_ABORTED && failed_slot > 0 && !pg_session_broken(p->leader) &&
            !interrupt_requested())
            rc = e->code = VOUCH_FAILED;
        PQclear(failed_result);
        if (failed_index)
            *failed_index = (size_t)failed;
    }
    if (rc) {
        /* Drain what is still running so every connection is idle again. */
        cancel_all(slots, width);
        for (int i = 0; i < width; i++) {
            if (slots[i].query < 0 && !slots[i].first)
                continue;
            PGresult *r;
            while ((r = PQgetResult(slots[i].s->conn)))
                PQclear(r);
            if (slots[i].first && slots[i].query >= 0)
                PQclear(slots[i].first);
        }
        for (int i = 0; i < width; i++)
            PQclear(slots[i].rows);
        for (size_t i = 0; i < n; i++) {
            PQclear(res[i]);
            res[i] = NULL;
        }
        /* A worker whose transaction failed is no use for later queries. */
        for (int i = 0; i < p->n_workers; i++)
            pg_session_close(p->workers[i]);
        p->n_workers = 0;
        p->opened = true;
    }
    free(fds);
    free(slots);
    /* Rolled back, the leader's settings are as before; the check says so or aborts. */
    if (!rc && (rc = pg_session_guard(p->leader, e)))
        for (size_t i = 0; i < n; i++) {
            PQclear(res[i]);
            res[i] = NULL;
        }
    return rc;
}

/* ------------------------------------------------------------ COPY streams */

/* One connection streaming one part: the savepoint is taken synchronously, the COPY is
 * read as it arrives, and the rollback is synchronous again once its result is in. */
typedef struct copy_slot {
    pg_session *s;
    long part;       /* index being streamed, or -1 */
    bool contained;  /* inside its savepoint */
    bool copying;    /* between the COPY_OUT result and the end of the data */
    bool data_done;  /* the data has ended: the command's result follows */
    PGresult *error; /* the first result that says the part failed */
    bool streamed;   /* was sent a part: counted in pg_pool_width */
} copy_slot;

enum copy_progress { COPY_WAIT, COPY_DONE, COPY_FAILED };

/* Read whatever is left on a connection, copy data included, so that it is idle. */
static void copy_drain(PGconn *c)
{
    PGresult *r;
    while ((r = PQgetResult(c))) {
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_COPY_OUT) {
            char *buf;
            while (PQgetCopyData(c, &buf, 0) > 0)
                PQfreemem(buf);
        }
    }
}

static bool copy_send(copy_slot *sl, const char *sql, long part, verr *e)
{
    sl->part = part;
    sl->streamed = true;
    sl->copying = sl->data_done = false;
    sl->error = NULL;
    if (pg_contain_begin(sl->s, e))
        return false;
    sl->contained = true;
    if (!PQsendQueryParams(sl->s->conn, sql, 0, NULL, NULL, NULL, NULL, 0)) {
        pg_result_error(sl->s, NULL, e);
        return false;
    }
    return true;
}

/* Take in what the connection has read: hand on each message, note the end. */
static enum copy_progress copy_read(copy_slot *sl, pg_copy_fn fn, void *user)
{
    PGconn *c = sl->s->conn;
    for (;;) {
        if (sl->copying) {
            char *buf;
            int len;
            while ((len = PQgetCopyData(c, &buf, 1)) > 0) {
                fn(user, (size_t)sl->part, (const unsigned char *)buf, (size_t)len);
                PQfreemem(buf);
            }
            if (len == 0)
                return COPY_WAIT;
            /* -1 is the end of the data, -2 an error: the result that follows says which. */
            sl->copying = false;
            sl->data_done = true;
            continue;
        }
        if (PQisBusy(c))
            return COPY_WAIT;
        PGresult *r = PQgetResult(c);
        if (!r)
            return sl->error || !sl->data_done ? COPY_FAILED : COPY_DONE;
        ExecStatusType st = PQresultStatus(r);
        if (!sl->data_done && st == PGRES_COPY_OUT) {
            PQclear(r);
            sl->copying = true;
        } else if (st != PGRES_COMMAND_OK && !sl->error) {
            sl->error = r;
        } else {
            PQclear(r);
        }
    }
}

vexit pg_pool_copy(pg_pool *p, const char *const *sqls, size_t n, pg_copy_fn fn, void *user,
                   size_t *failed_index, verr *e)
{
    if (failed_index)
        *failed_index = PG_POOL_NO_QUERY;
    open_workers(p, n);
    int width = 1 + p->n_workers;
    if ((size_t)width > n)
        width = n ? (int)n : 1;
    /* fds[width] is the wake pipe: a lent worker handed back joins for the parts to come */
    copy_slot *slots = xcalloc((size_t)width, sizeof *slots);
    struct pollfd *fds = xcalloc((size_t)width + 1, sizeof *fds);
    for (int i = 0; i < width; i++) {
        slots[i].s = i ? p->workers[i - 1] : p->leader;
        slots[i].part = -1;
    }
    vexit rc = VOUCH_OK;
    int failed_slot = -1;
    size_t next = 0, done = 0;
    for (int i = 0; i < width && next < n && failed_slot < 0; i++, next++)
        if (!copy_send(&slots[i], sqls[next], (long)next, e))
            failed_slot = i;
    while (failed_slot < 0 && !rc && done < n) {
        if (p->lent && next < n) {
            take_back(p);
            if (1 + p->n_workers > width) {
                int more = 1 + p->n_workers;
                slots = xrealloc(slots, (size_t)more * sizeof *slots);
                fds = xrealloc(fds, ((size_t)more + 1) * sizeof *fds);
                for (int i = width; i < more; i++) {
                    slots[i] = (copy_slot){.s = p->workers[i - 1], .part = -1};
                    if (next >= n || failed_slot >= 0)
                        continue;
                    if (!copy_send(&slots[i], sqls[next], (long)next, e))
                        failed_slot = i;
                    next++;
                }
                width = more;
                if (failed_slot >= 0)
                    break;
            }
        }
        for (int i = 0; i < width; i++) {
            fds[i].fd = slots[i].part >= 0 ? PQsocket(slots[i].s->conn) : -1;
            fds[i].events = POLLIN;
            fds[i].revents = 0;
        }
        fds[width].fd = p->lent && next < n ? p->wake[0] : -1;
        fds[width].events = POLLIN;
        fds[width].revents = 0;
        if (poll(fds, (nfds_t)width + 1, 200) < 0 && errno != EINTR) {
            rc = verr_set(e, VOUCH_ABORTED, "could not wait for the server: %s", strerror(errno));
            break;
        }
        if (interrupt_requested()) {
            int running = 0;
            long part = -1;
            for (int i = 0; i < width; i++)
                if (slots[i].part >= 0) {
                    running++;
                    part = slots[i].part;
                }
            rc = verr_set(e, VOUCH_ABORTED, "interrupted");
            if (running == 1 && failed_index)
                *failed_index = (size_t)part;
            break;
        }
        for (int i = 0; i < width && failed_slot < 0; i++) {
            copy_slot *sl = &slots[i];
            if (sl->part < 0 || !(fds[i].revents & (POLLIN | POLLERR | POLLHUP)))
                continue;
            enum copy_progress got = PQconsumeInput(sl->s->conn) ? copy_read(sl, fn, user)
                                                                 : COPY_FAILED;
            if (got == COPY_WAIT)
                continue;
            if (got == COPY_FAILED) {
                PGresult *r = sl->error ? sl->error : PQgetResult(sl->s->conn);
                sl->error = NULL;
                pg_result_error(sl->s, r, e);
                PQclear(r);
                failed_slot = i;
                break;
            }
            done++;
            sl->part = -1;
            sl->contained = false;
            if (pg_contain_end(sl->s, e)) {
                failed_slot = i;
                break;
            }
            if (next < n) {
                if (!copy_send(sl, sqls[next], (long)next, e))
                    failed_slot = i;
                next++;
            }
        }
    }
    if (failed_slot >= 0) {
        copy_slot *sl = &slots[failed_slot];
        rc = e->code ? e->code : VOUCH_FAILED;
        if (pg_session_broken(sl->s) && !interrupt_requested()) {
            verr_prefix(e, "lost the connection");
            rc = e->code = VOUCH_ABORTED;
        }
        /* A broken worker is not the run's loss: the leader can go on. */
        if (rc == VOUCH_ABORTED && failed_slot > 0 && !pg_session_broken(p->leader) &&
            !interrupt_requested())
            rc = e->code = VOUCH_FAILED;
        if (failed_index && sl->part >= 0)
            *failed_index = (size_t)sl->part;
    }
    if (rc) {
        /* Stop and drain the others, so that every connection is idle again. */
        for (int i = 0; i < width; i++) {
            if (slots[i].part >= 0 && i != failed_slot)
                pg_cancel(slots[i].s->conn);
        }
        for (int i = 0; i < width; i++) {
            PQclear(slots[i].error);
            copy_drain(slots[i].s->conn);
        }
        /* The leader leaves its savepoint, so that it can stream the parts by itself. */
        verr end;
        verr_clear(&end);
        if (slots[0].contained && !pg_session_broken(p->leader) &&
            pg_contain_end(p->leader, &end))
            rc = e->code = VOUCH_ABORTED;
        for (int i = 0; i < p->n_workers; i++)
            pg_session_close(p->workers[i]);
        p->n_workers = 0;
        p->opened = true;
    }
    int used = 0;
    for (int i = 0; i < width; i++)
        used += slots[i].streamed;
    if (used > p->width)
        p->width = used;
    free(fds);
    free(slots);
    return rc;
}
