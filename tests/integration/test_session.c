/* The Postgres session against a real server (PG* from the sandbox):
 * read-only, one snapshot shared with workers, identity recorded. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "src/pg.h"
#include "src/pg_pool.h"

static const pg_options opts = {"", 5, 10000};

static void exec_other(const char *sql)
{
    PGconn *c = PQconnectdb("");
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, sql);
    assert_true(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
    PQclear(r);
    PQfinish(c);
}

static void session_cannot_write(void **state)
{
    (void)state;
    exec_other("DROP TABLE IF EXISTS session_probe; CREATE TABLE session_probe (x int)");
    pg_session *s;
    verr e;
    verr_clear(&e);
    assert_int_equal(pg_session_open(&s, &opts, NULL, &e), VOUCH_OK);
    vexit rc = pg_exec(s, "INSERT INTO public.session_probe VALUES (1)", &e);
    assert_int_equal(rc, VOUCH_FAILED);
    assert_string_equal(e.msg, "cannot execute INSERT in a read-only transaction");
    pg_session_close(s);

    assert_int_equal(pg_session_open(&s, &opts, NULL, &e), VOUCH_OK);
    rc = pg_exec(s, "CREATE TABLE public.session_probe2 (x int)", &e);
    assert_int_equal(rc, VOUCH_FAILED);
    assert_string_equal(e.msg, "cannot execute CREATE TABLE in a read-only transaction");
    pg_session_close(s);
}

static void session_records_identity(void **state)
{
    (void)state;
    pg_session *s;
    verr e;
    char *target = NULL;
    assert_int_equal(pg_session_open(&s, &opts, &target, &e), VOUCH_OK);
    assert_non_null(s->id.server_version);
    assert_true(s->id.server_version_num >= 130000);
    assert_non_null(s->id.system_identifier);
    assert_non_null(s->id.timeline);
    assert_non_null(s->id.lsn);
    assert_non_null(strchr(s->id.lsn, '/'));
    assert_non_null(s->id.snapshot_time);
    assert_int_equal(strlen(s->id.snapshot_time), strlen("2026-01-01T00:00:00.000Z"));
    assert_non_null(strstr(target, "dbname="));
    assert_null(strstr(target, "password"));
    PGresult *r;
    assert_int_equal(pg_query(s, &r,
                              "SELECT current_setting('transaction_isolation'),"
                              " current_setting('transaction_read_only'),"
                              " current_setting('application_name')",
                              0, NULL, &e),
                     VOUCH_OK);
    assert_string_equal(PQgetvalue(r, 0, 0), "repeatable read");
    assert_string_equal(PQgetvalue(r, 0, 1), "on");
    assert_string_equal(PQgetvalue(r, 0, 2), "vouch");
    PQclear(r);
    free(target);
    pg_session_close(s);
}

static int64_t count_probe(pg_session *s)
{
    PGresult *r;
    verr e;
    assert_int_equal(pg_query(s, &r, "SELECT count(*) FROM public.snap_probe", 0, NULL, &e), VOUCH_OK);
    int64_t n = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

static void workers_share_the_snapshot(void **state)
{
    (void)state;
    exec_other("DROP TABLE IF EXISTS snap_probe; CREATE TABLE snap_probe (x int);"
               " INSERT INTO snap_probe SELECT generate_series(1, 10)");
    pg_session *leader, *worker;
    verr e;
    assert_int_equal(pg_session_open(&leader, &opts, NULL, &e), VOUCH_OK);
    const char *id;
    assert_int_equal(pg_session_export_snapshot(leader, &id, &e), VOUCH_OK);
    assert_true(strlen(id) > 0);
    exec_other("INSERT INTO snap_probe SELECT generate_series(11, 15)");
    assert_int_equal(pg_session_open_worker(&worker, leader, &opts, &e), VOUCH_OK);
    assert_int_equal(count_probe(leader), 10);
    assert_int_equal(count_probe(worker), 10);
    pg_session_close(worker);
    pg_session_close(leader);
}

static void unreachable_server_is_aborted_without_password(void **state)
{
    (void)state;
    pg_options bad = {"host=/nonexistent-dir port=1 dbname=x password=hunter2hunter2", 2, 0};
    pg_session *s;
    verr e;
    char *target = NULL;
    assert_int_equal(pg_session_open(&s, &bad, &target, &e), VOUCH_ABORTED);
    assert_null(s);
    assert_non_null(strstr(e.msg, "could not connect to \"host=/nonexistent-dir port=1 dbname=x"));
    assert_null(strstr(e.msg, "hunter2"));
    assert_null(strstr(target, "hunter2"));
    free(target);
}

static void describe_drops_secrets(void **state)
{
    (void)state;
    char *d = pg_dsn_describe("host=db.example port=6543 dbname=portal user=ops password=s3cret sslmode=require");
    assert_string_equal(d, "host=db.example port=6543 dbname=portal user=ops sslmode=require");
    free(d);
    d = pg_dsn_describe("postgresql://ops:s3cret@db.example:6543/portal?sslmode=require");
    assert_null(strstr(d, "s3cret"));
    assert_string_equal(d, "host=db.example port=6543 dbname=portal user=ops sslmode=require");
    free(d);
}

/* Code of the target that changes vouch's settings: a kept change is named and aborts;
 * inside pg_query_contained and the pool's queries it is undone. */
static void setting_changes_are_caught_or_undone(void **state)
{
    (void)state;
    pg_session *s;
    verr e;
    verr_clear(&e);
    assert_int_equal(pg_session_open(&s, &opts, NULL, &e), VOUCH_OK);
    assert_int_equal(pg_session_guard(s, &e), VOUCH_OK);
    PGresult *r;
    const char *leak = "SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', false)";
    assert_int_equal(pg_query_contained(s, &r, leak, 0, NULL, &e), VOUCH_OK);
    assert_string_equal(PQgetvalue(r, 0, 0), "public, pg_catalog");
    PQclear(r);
    assert_int_equal(pg_session_guard(s, &e), VOUCH_OK);

    pg_pool *p = pg_pool_new(s, &opts, 1);
    const char *sqls[] = {"SELECT pg_catalog.set_config('row_security', 'on', false)"};
    PGresult *res[1];
    assert_int_equal(pg_pool_run(p, sqls, 1, res, NULL, &e), VOUCH_OK);
    assert_string_equal(PQgetvalue(res[0], 0, 0), "on");
    PQclear(res[0]);
    pg_pool_free(p);
    assert_int_equal(pg_session_guard(s, &e), VOUCH_OK);

    assert_int_equal(pg_exec(s, "SELECT pg_catalog.set_config('standard_conforming_strings',"
                                " 'off', false)", &e), VOUCH_OK);
    assert_int_equal(pg_session_guard(s, &e), VOUCH_ABORTED);
    assert_string_equal(e.msg, "the target changed vouch's session setting"
                               " standard_conforming_strings from \"on\" to \"off\"");
    pg_session_close(s);
}

/* The pids of the backends that streamed each part, as the parts' COPY data says. */
typedef struct part_pids {
    int pid[4];
} part_pids;

static void on_pid(void *user, size_t part, const unsigned char *data, size_t len)
{
    part_pids *pp = user;
    char buf[32];
    snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf - 1 ? len : sizeof buf - 1),
             (const char *)data);
    pp->pid[part] = atoi(buf);
}

typedef struct handover {
    pg_pool *pool;
    pg_session *worker;
} handover;

static void *hand_back_later(void *arg)
{
    handover *h = arg;
    struct timespec wait = {0, 150 * 1000 * 1000};
    nanosleep(&wait, NULL);
    pg_pool_adopt(h->pool, h->worker);
    return NULL;
}

/* A worker lent to another thread has the leader's identity and snapshot; handed back
 * while a COPY run streams on the leader alone, it takes the parts still waiting. */
static void lent_worker_joins_a_running_stream(void **state)
{
    (void)state;
    exec_other("DROP TABLE IF EXISTS snap_probe; CREATE TABLE snap_probe (x int);"
               " INSERT INTO snap_probe SELECT generate_series(1, 10)");
    pg_session *leader;
    verr e;
    verr_clear(&e);
    assert_int_equal(pg_session_open(&leader, &opts, NULL, &e), VOUCH_OK);
    const char *id;
    assert_int_equal(pg_session_export_snapshot(leader, &id, &e), VOUCH_OK);
    exec_other("INSERT INTO snap_probe SELECT generate_series(11, 15)");
    pg_pool *p = pg_pool_new(leader, &opts, 2);
    pg_session *w = pg_pool_lend(p);
    assert_non_null(w);
    assert_int_equal(pg_pool_later(p), 1);
    assert_int_equal(pg_pool_open(p, 4), 1); /* lent: not the pool's to use, nor replaced */
    assert_string_equal(w->id.snapshot_time, leader->id.snapshot_time);
    assert_string_equal(w->id.server_version, leader->id.server_version);
    assert_string_equal(w->id.database, leader->id.database);
    assert_int_equal(count_probe(w), 10);
    int worker_pid = PQbackendPID(w->conn);

    /* Each part takes 0.4 s: the leader is on its first when the worker comes back. */
    const char *part = "COPY (SELECT pg_catalog.pg_backend_pid() FROM pg_catalog.pg_sleep(0.4))"
                       " TO STDOUT";
    const char *sqls[] = {part, part, part, part};
    part_pids pp = {{0}};
    handover h = {p, w};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, hand_back_later, &h), 0);
    pg_pool_mark(p);
    assert_int_equal(pg_pool_copy(p, sqls, 4, on_pid, &pp, NULL, &e), VOUCH_OK);
    pthread_join(th, NULL);
    assert_int_equal(pp.pid[0], PQbackendPID(leader->conn));
    int by_worker = 0;
    for (int i = 0; i < 4; i++) {
        assert_true(pp.pid[i] == PQbackendPID(leader->conn) || pp.pid[i] == worker_pid);
        by_worker += pp.pid[i] == worker_pid;
    }
    assert_true(by_worker >= 1);
    assert_int_equal(pg_pool_width(p), 2);
    assert_int_equal(pg_pool_later(p), 0);
    assert_int_equal(pg_pool_open(p, 4), 2); /* the pool's own again */
    pg_pool_free(p);
    pg_session_close(leader);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(session_cannot_write),
        cmocka_unit_test(session_records_identity),
        cmocka_unit_test(workers_share_the_snapshot),
        cmocka_unit_test(unreachable_server_is_aborted_without_password),
        cmocka_unit_test(describe_drops_secrets),
        cmocka_unit_test(setting_changes_are_caught_or_undone),
        cmocka_unit_test(lent_worker_joins_a_running_stream),
    };
    return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
