/* evidence/drill_record and evidence/store_drill: what a drill measures, its place in
 * the drill chain, and the store keeping drills append-only and tamper-evident.
 *
 * Store tests each work in their own folder under /tmp, removed afterwards, and
 * tamper with the file through a second SQLite connection as someone with the file would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evidence/drill_record.h"
#include "src/objectives.h"
#include "evidence/store/store.h"
#include "evidence/store/drill.h"
#include "src/cli/drill_output.h"
#include "src/shell_cmd.h"
#include "src/util.h"

/* ------------------------------------------------------------ pure rules */

static void test_duration_format(void **state)
{
    (void)state;
    static const struct {
        int64_t ms;
        const char *text;
    } cases[] = {
        {0, "0 ms"},
        {850, "850 ms"},
        {1000, "1.0 s"},
        {12345, "12.3 s"},
        {59999, "59.9 s"},
        {60000, "1 min"},
        {245000, "4 min 05 s"},
        {OBJECTIVE_RTO_TARGET_MS, "45 min"},
        {OBJECTIVE_RTO_MS, "1 h"},
        {3600000 + 5000, "1 h 00 min 05 s"},
        {3600000 + 120000, "1 h 02 min"},
        {OBJECTIVE_RPO_MS, "24 h"},
        {-1500, "-1.5 s"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        drill_format_duration(cases[i].ms, buf, sizeof buf);
        if (strcmp(buf, cases[i].text) != 0)
            fail_msg("%lld ms: got \"%s\", want \"%s\"", (long long)cases[i].ms, buf,
                     cases[i].text);
    }
}

static void test_rto_judged_against_target_and_limit(void **state)
{
    (void)state;
    assert_int_equal(drill_judge_rto(0, OBJECTIVE_RTO_TARGET_MS, OBJECTIVE_RTO_MS), RTO_WITHIN_TARGET);
    assert_int_equal(drill_judge_rto(OBJECTIVE_RTO_TARGET_MS, OBJECTIVE_RTO_TARGET_MS, OBJECTIVE_RTO_MS),
                     RTO_WITHIN_TARGET);
    assert_int_equal(drill_judge_rto(OBJECTIVE_RTO_TARGET_MS + 1, OBJECTIVE_RTO_TARGET_MS,
                                     OBJECTIVE_RTO_MS),
                     RTO_WITHIN_LIMIT);
    assert_int_equal(drill_judge_rto(OBJECTIVE_RTO_MS, OBJECTIVE_RTO_TARGET_MS, OBJECTIVE_RTO_MS),
                     RTO_WITHIN_LIMIT);
    assert_int_equal(drill_judge_rto(OBJECTIVE_RTO_MS + 1, OBJECTIVE_RTO_TARGET_MS,
                                     OBJECTIVE_RTO_MS),
                     RTO_OVER_LIMIT);
}

static result_row finding(const char *check, const char *subject, const char *observed)
{
    return (result_row){xstrdup(check), xstrdup(subject), RESULT_PASS, NULL, xstrdup(observed),
                        xstrdup("reason"), NULL, NULL, NULL};
}

static void test_restore_point_from_audit_log_finding(void **state)
{
    (void)state;
    run_record *r = xcalloc(1, sizeof *r);
    r->n_results = 4;
    r->results = xcalloc(4, sizeof *r->results);
    /* other checks and subjects, and values that are not times, are passed over */
    r->results[0] = finding("rowcount", "newest row", "2026-01-01T00:00:00Z");
    r->results[1] = finding("audit_log", "public.audit_log chain", "2026-01-01T00:00:00Z");
    r->results[2] = finding("audit_log", "Newest event", "5 rows");
    r->results[3] = finding("audit_log", "public.audit_log newest event", "2026-10-01 01:30+10:00");
    int64_t ms = 0, want = 0;
    assert_true(drill_restore_point_from_run(r, &ms));
    assert_true(time_parse_iso("2026-09-30T15:30:00Z", &want));
    assert_int_equal(ms, want);
    result_row_release(&r->results[3]);
    r->n_results = 3;
    assert_false(drill_restore_point_from_run(r, &ms));
    assert_false(drill_restore_point_from_run(NULL, &ms));
    run_record_free(r);
}

/* Several audit logs (named instances): the latest newest event of them all; a check whose
 * name only starts with audit_log is not one of them. */
static void test_restore_point_from_several_audit_logs(void **state)
{
    (void)state;
    run_record *r = xcalloc(1, sizeof *r);
    r->n_results = 4;
    r->results = xcalloc(4, sizeof *r->results);
    r->results[0] = finding("audit_log/app", "public.app_log newest event", "2026-09-30T10:00:00Z");
    r->results[1] = finding("audit_log/service", "svc.log newest event", "2026-09-30T15:30:00Z");
    r->results[2] = finding("audit_log", "public.activity newest event", "2026-09-29T08:00:00Z");
    r->results[3] = finding("audit_logger", "x newest event", "2026-12-31T00:00:00Z");
    int64_t ms = 0, want = 0;
    assert_true(drill_restore_point_from_run(r, &ms));
    assert_true(time_parse_iso("2026-09-30T15:30:00Z", &want));
    assert_int_equal(ms, want);
    run_record_free(r);
}

static drill_record *sealed_drill(void)
{
    drill_record *d = xcalloc(1, sizeof *d);
    d->id = 2;
    d->scenario = xstrdup("restore portal from the nightly snapshot");
    d->operator_name = xstrdup("alice");
    d->incident_at = xstrdup("2026-09-30T16:00:00.000Z");
    d->started_at = xstrdup("2026-10-01T01:00:00.000Z");
    d->finished_at = xstrdup("2026-10-01T01:31:00.000Z");
    d->status = xstrdup("finished");
    d->restore_cmd = xstrdup("pg_restore -d portal nightly.dump");
    d->has_restore_exit = true;
    d->gate_run_id = 7;
    d->gate_digest = xstrdup("ab");
    d->has_rto = true;
    d->rto_ms = 31 * 60 * 1000;
    d->rto_target_ms = OBJECTIVE_RTO_TARGET_MS;
    d->rto_limit_ms = OBJECTIVE_RTO_MS;
    d->rpo_ms = OBJECTIVE_RPO_MS;
    d->clock = xstrdup("monotonic");
    d->vouch_version = xstrdup("0.1.0");
    d->host = xstrdup("ops-1");
    d->pid = 4242;
    d->chain_pos = 2;
    d->n_phases = 2;
    d->phases = xcalloc(2, sizeof *d->phases);
    d->phases[0] = (drill_phase){xstrdup("restore started"), xstrdup("2026-10-01T01:00:00.010Z"),
                                 10, NULL};
    d->phases[1] = (drill_phase){xstrdup("restore finished"), xstrdup("2026-10-01T01:29:00.000Z"),
                                 29 * 60 * 1000, xstrdup("slow disk")};
    return d;
}

static void set(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

static void test_drill_digest_covers_every_part(void **state)
{
    (void)state;
    drill_record *d = sealed_drill();
    char base[DIGEST_HEX_LEN + 1], again[DIGEST_HEX_LEN + 1], other[DIGEST_HEX_LEN + 1];
    drill_digest(d, "", base);
    drill_digest(d, NULL, again);
    assert_string_equal(base, again);
    set(&d->digest, "not covered");
    drill_digest(d, "", again);
    assert_string_equal(base, again);
    drill_digest(d, "00", other);
    assert_string_not_equal(base, other);

    char *canon = drill_canonical(d);
    assert_non_null(strstr(canon, "\"format\":\"vouch-drill/1\""));
    assert_non_null(strstr(canon, "\"rto_ms\":1860000"));
    assert_non_null(strstr(canon, "\"data_loss_ms\":null"));
    /* fields added later are in the canonical form only when set: old drills keep digests */
    assert_null(strstr(canon, "drill_every"));
    assert_null(strstr(canon, "approved_by"));
    assert_null(strstr(canon, "smoke"));
    free(canon);

    /* each of these edits must move the digest */
    for (int i = 0; i < 11; i++) {
        drill_record *x = sealed_drill();
        switch (i) {
        case 0: x->rto_ms++; break;
        case 1: set(&x->phases[1].note, "fast disk"); break;
        case 2: x->phases[0].elapsed_ms = 11; break;
        case 3: set(&x->status, "failed"); break;
        case 4: x->has_data_loss = true; break;
        case 5: set(&x->gate_digest, "ac"); break;
        case 6: drill_phase_release(&x->phases[1]); x->n_phases = 1; break;
        case 7: set(&x->incident_at, "2026-09-30T16:00:00.001Z"); break;
        case 8: set(&x->drill_every, "quarterly"); break;
        case 9: set(&x->approved_by, "carol"); break;
        case 10: set(&x->smoke_cmd, "npx playwright test"); break;
        }
        drill_digest(x, "", other);
        if (strcmp(base, other) == 0)
            fail_msg("edit %d left the digest unchanged", i);
        drill_record_free(x);
    }
    drill_record_free(d);
}

static void test_verdict_lines(void **state)
{
    (void)state;
    char buf[512];
    drill_record *d = sealed_drill();
    drill_verdict(d, buf, sizeof buf);
    /* a data-loss window not measured is said so: never "objectives met" by silence */
    assert_string_equal(buf, "drill 2 finished: RTO 31 min, within the 45 min drill target; "
                             "data loss NOT MEASURED (no restore point)");
    d->has_data_loss = true;
    d->data_loss_ms = 5 * 60 * 1000;
    drill_verdict(d, buf, sizeof buf);
    assert_string_equal(buf, "drill 2 finished: RTO 31 min, within the 45 min drill target; "
                             "data loss 5 min, within the 24 h RPO");
    d->data_loss_ms = 25 * 3600 * 1000LL;
    d->rto_ms = 50 * 60 * 1000;
    drill_verdict(d, buf, sizeof buf);
    assert_string_equal(buf, "drill 2 finished: RTO 50 min, over the drill target, within the 1 h "
                             "RTO; data loss 25 h, OVER the 24 h RPO");
    d->has_data_loss = false;
    d->rto_ms = 61 * 60 * 1000;
    drill_verdict(d, buf, sizeof buf);
    assert_string_equal(buf, "drill 2 finished: RTO 1 h 01 min, OVER the 1 h RTO; "
                             "data loss NOT MEASURED (no restore point)");
    set(&d->status, "failed");
    set(&d->error, "the restore command exited with status 1");
    drill_verdict(d, buf, sizeof buf);
    assert_string_equal(buf, "drill 2 FAILED: the restore command exited with status 1");
    drill_record_free(d);
}

static void test_shell_run_reports_exit_status(void **state)
{
    (void)state;
    verr e;
    verr_clear(&e);
    int status = -1;
    assert_int_equal(shell_run("true", &status, &e), VOUCH_OK);
    assert_int_equal(status, 0);
    assert_int_equal(shell_run("echo to stderr; exit 7", &status, &e), VOUCH_OK);
    assert_int_equal(status, 7);
    assert_int_equal(shell_run("kill -TERM $$", &status, &e), VOUCH_OK);
    assert_int_equal(status, 128 + 15);
    /* stdin is /dev/null: a command that reads gets end of file at once */
    assert_int_equal(shell_run("read line; test -z \"$line\"", &status, &e), VOUCH_OK);
    assert_int_equal(status, 0);
}

/* ------------------------------------------------------------------ store */

typedef struct fixture {
    char dir[64];
    char path[128];
} fixture;

static int store_setup(void **state)
{
    fixture *fx = xcalloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/vouch-unit-XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/vouch.db", fx->dir);
    *state = fx;
    return 0;
}

static int store_teardown(void **state)
{
    fixture *fx = *state;
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".head"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char *p = xasprintf("%s%s", fx->path, suffixes[i]);
        unlink(p);
        free(p);
    }
    int rc = rmdir(fx->dir);
    free(fx);
    return rc;
}

static store *open_store(const fixture *fx)
{
    store *st = NULL;
    verr e;
    verr_clear(&e);
    if (store_open(&st, fx->path, true, &e) != VOUCH_OK)
        fail_msg("store_open: %s", e.msg);
    return st;
}

/* SQL through a second connection; NULL on success or the error (caller frees). */
static char *sql(const fixture *fx, const char *text)
{
    sqlite3 *db = NULL;
    char *msg = NULL, *out = NULL;
    if (sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        out = xstrdup("cannot open");
    else if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
        out = xstrdup(msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    sqlite3_close(db);
    return out;
}

static void sql_ok(const fixture *fx, const char *text)
{
    char *err = sql(fx, text);
    if (err) {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", err);
        free(err);
        fail_msg("%s: %s", text, copy);
    }
}

static void sql_refused(const fixture *fx, const char *text)
{
    char *err = sql(fx, text);
    if (!err)
        fail_msg("\"%s\" was allowed", text);
    bool append_only = strstr(err, "append-only") != NULL;
    free(err);
    assert_true(append_only);
}

static char *sql_text(const fixture *fx, const char *text)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    if (sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, text, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
        sqlite3_column_text(s, 0))
        v = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static drill_record *start_record(const char *scenario, int64_t pid)
{
    drill_record *d = xcalloc(1, sizeof *d);
    d->scenario = xstrdup(scenario);
    d->operator_name = xstrdup("alice");
    d->incident_at = xstrdup("2026-09-30T16:00:00.000Z");
    d->started_at = xstrdup("2026-10-01T01:00:00.000Z");
    d->rto_target_ms = OBJECTIVE_RTO_TARGET_MS;
    d->rto_limit_ms = OBJECTIVE_RTO_MS;
    d->rpo_ms = OBJECTIVE_RPO_MS;
    d->pid = pid;
    return d;
}

static int64_t begin(store *st, const char *scenario, int64_t pid)
{
    drill_record *d = start_record(scenario, pid);
    verr e;
    verr_clear(&e);
    int64_t id = 0;
    if (store_drill_begin(st, d, &id, &e) != VOUCH_OK)
        fail_msg("store_drill_begin: %s", e.msg);
    drill_record_free(d);
    return id;
}

static void mark(store *st, int64_t id, const char *name, int64_t elapsed)
{
    drill_phase p = {(char *)name, (char *)"2026-10-01T01:10:00.000Z", elapsed, NULL};
    verr e;
    verr_clear(&e);
    if (store_drill_mark(st, id, &p, &e) != VOUCH_OK)
        fail_msg("store_drill_mark: %s", e.msg);
}

static void finish(store *st, int64_t id, int64_t rto_ms)
{
    verr e;
    verr_clear(&e);
    drill_record *d;
    assert_int_equal(store_load_drill(st, id, &d, &e), VOUCH_OK);
    set(&d->status, "finished");
    d->finished_at = xstrdup("2026-10-01T01:31:00.000Z");
    d->has_rto = true;
    d->rto_ms = rto_ms;
    d->clock = xstrdup("realtime");
    if (store_drill_finish(st, d, &e) != VOUCH_OK)
        fail_msg("store_drill_finish: %s", e.msg);
    assert_non_null(d->digest);
    drill_record_free(d);
}

static store_verdict verify(store *st)
{
    store_verdict v;
    verr e;
    verr_clear(&e);
    if (store_verify(st, &v, &e) != VOUCH_OK)
        fail_msg("store_verify: %s", e.msg);
    return v;
}

static void test_drill_lifecycle_and_chain(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    int64_t id = begin(st, "first", 0);
    mark(st, id, "restore started", 10);
    mark(st, id, "restore finished", 20);

    /* one open drill at a time, and the refusal names it */
    drill_record *d = start_record("second", 0);
    verr e;
    verr_clear(&e);
    int64_t other;
    assert_int_equal(store_drill_begin(st, d, &other, &e), VOUCH_USAGE);
    assert_non_null(strstr(e.msg, "drill 1 (\"first\", started 2026-10-01T01:00:00.000Z) is still open"));
    drill_record_free(d);

    int64_t open_id;
    assert_int_equal(store_open_drill(st, &open_id, &e), VOUCH_OK);
    assert_int_equal(open_id, id);
    finish(st, id, 1860000);
    assert_int_equal(store_open_drill(st, &open_id, &e), VOUCH_OK);
    assert_int_equal(open_id, 0);

    int64_t id2 = begin(st, "second", 0);
    finish(st, id2, 5);
    assert_int_equal(store_load_drill(st, id, &d, &e), VOUCH_OK);
    assert_int_equal(d->n_phases, 2);
    assert_string_equal(d->phases[0].name, "restore started");
    assert_string_equal(d->phases[1].name, "restore finished");
    assert_int_equal(d->chain_pos, 1);
    assert_null(d->prev_digest);
    char first_digest[DIGEST_HEX_LEN + 1];
    snprintf(first_digest, sizeof first_digest, "%s", d->digest);
    drill_record_free(d);
    assert_int_equal(store_load_drill(st, id2, &d, &e), VOUCH_OK);
    assert_int_equal(d->chain_pos, 2);
    assert_string_equal(d->prev_digest, first_digest);
    drill_record_free(d);

    store_verdict v = verify(st);
    assert_true(v.ok);
    assert_int_equal(v.drills_checked, 2);

    /* sealed: no phase, no change, no delete */
    drill_phase p = {(char *)"late", (char *)"2026-10-01T02:00:00.000Z", 1, NULL};
    assert_int_not_equal(store_drill_mark(st, id, &p, &e), VOUCH_OK);
    sql_refused(fx, "UPDATE drills SET rto_ms = 1 WHERE id = 1");
    sql_refused(fx, "DELETE FROM drills WHERE id = 2");
    sql_refused(fx, "UPDATE drill_phases SET name = 'x' WHERE drill_id = 1");
    sql_refused(fx, "DELETE FROM drill_phases WHERE drill_id = 1");
    store_close(st);
}

static void test_open_drill_keeps_its_start(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    begin(st, "open", 0);
    sql_refused(fx, "UPDATE drills SET incident_at = '2026-01-01T00:00:00.000Z' WHERE id = 1");
    sql_refused(fx, "UPDATE drills SET scenario = 'other' WHERE id = 1");
    store_close(st);
}

static void test_verify_names_a_tampered_phase(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    finish(st, begin(st, "one", 0), 100);
    int64_t id = begin(st, "two", 0);
    mark(st, id, "restore started", 10);
    finish(st, id, 200);
    sql_ok(fx, "DROP TRIGGER drill_phases_append_only_update;"
               "UPDATE drill_phases SET elapsed_ms = 5 WHERE drill_id = 2");
    store_verdict v = verify(st);
    assert_false(v.ok);
    assert_int_equal(v.broken_drill, 2);
    assert_non_null(strstr(v.problem, "drill 2 does not match its digest"));
    store_close(st);
}

static void test_verify_names_a_deleted_drill(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    for (int i = 0; i < 3; i++)
        finish(st, begin(st, "drill", 0), 100);
    sql_ok(fx, "DROP TRIGGER drills_append_only_delete; DELETE FROM drills WHERE id = 2");
    store_verdict v = verify(st);
    assert_false(v.ok);
    assert_int_equal(v.broken_drill, 3);
    assert_non_null(strstr(v.problem, "a drill before it is missing"));
    store_close(st);
}

static void test_verify_names_an_unsealed_ended_drill(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    begin(st, "drill", 0);
    sql_ok(fx, "UPDATE drills SET status = 'finished' WHERE id = 1");
    store_verdict v = verify(st);
    assert_false(v.ok);
    assert_non_null(strstr(v.problem, "drill 1 has ended but is not sealed"));
    store_close(st);
}

static pid_t dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    assert_true(pid > 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return pid;
}

static void test_orphaned_drill_run_is_sealed_interrupted(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    int64_t run = begin(st, "drill run that died", dead_pid());
    store_close(st);
    st = open_store(fx);
    drill_record *d;
    verr e;
    verr_clear(&e);
    assert_int_equal(store_load_drill(st, run, &d, &e), VOUCH_OK);
    assert_string_equal(d->status, "interrupted");
    assert_string_equal(d->error, "the vouch process ended before the drill finished");
    assert_non_null(d->digest);
    drill_record_free(d);

    /* a drill by hand has no process: it stays open between commands */
    int64_t by_hand = begin(st, "by hand", 0);
    store_close(st);
    st = open_store(fx);
    int64_t open_id;
    assert_int_equal(store_open_drill(st, &open_id, &e), VOUCH_OK);
    assert_int_equal(open_id, by_hand);
    store_close(st);
}

/* A store made before drills existed (schema 1) migrates without touching its runs. */
static void test_migration_keeps_run_digests(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    verr e;
    verr_clear(&e);
    int64_t id;
    assert_int_equal(store_run_begin(st, RUN_BASELINE, "host=db", 0, "rowcount", &id, &e), VOUCH_OK);
    run_record *r = xcalloc(1, sizeof *r);
    r->id = id;
    r->status = xstrdup("captured");
    r->target = xstrdup("host=db");
    r->finished_at = xstrdup("2026-03-01T02:00:03.250Z");
    assert_int_equal(store_run_finish(st, r, &e), VOUCH_OK);
    run_record_free(r);
    store_close(st);
    /* back to schema 1 as an older vouch left it */
    sql_ok(fx, "DROP TABLE approvals; DROP TABLE baseline_parts; DROP TABLE drill_phases; DROP TABLE drills;"
               " ALTER TABLE runs DROP COLUMN incident_at; ALTER TABLE runs DROP COLUMN started_by;"
               " ALTER TABLE runs DROP COLUMN ci_job; ALTER TABLE runs DROP COLUMN not_evaluated;"
               " ALTER TABLE results DROP COLUMN facts; ALTER TABLE runs DROP COLUMN drill_id;"
               " ALTER TABLE runs DROP COLUMN waivers;"
               " ALTER TABLE results DROP COLUMN waiver; PRAGMA user_version = 1");
    char *before = sql_text(fx, "SELECT digest FROM runs WHERE id = 1");
    assert_non_null(before);

    st = open_store(fx);
    char *after = sql_text(fx, "SELECT digest FROM runs WHERE id = 1");
    char *version = sql_text(fx, "PRAGMA user_version");
    assert_string_equal(before, after);
    char want[16];
    snprintf(want, sizeof want, "%d", STORE_SCHEMA_VERSION);
    assert_string_equal(version, want);
    store_verdict v = verify(st);
    assert_true(v.ok);
    assert_int_equal(v.runs_checked, 1);
    assert_int_equal(v.drills_checked, 0);
    free(before);
    free(after);
    free(version);
    store_close(st);
}

int main(void)
{
#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_format),
        cmocka_unit_test(test_rto_judged_against_target_and_limit),
        cmocka_unit_test(test_restore_point_from_audit_log_finding),
        cmocka_unit_test(test_restore_point_from_several_audit_logs),
        cmocka_unit_test(test_drill_digest_covers_every_part),
        cmocka_unit_test(test_verdict_lines),
        cmocka_unit_test(test_shell_run_reports_exit_status),
        STORE_TEST(test_drill_lifecycle_and_chain),
        STORE_TEST(test_open_drill_keeps_its_start),
        STORE_TEST(test_verify_names_a_tampered_phase),
        STORE_TEST(test_verify_names_a_deleted_drill),
        STORE_TEST(test_verify_names_an_unsealed_ended_drill),
        STORE_TEST(test_orphaned_drill_run_is_sealed_interrupted),
        STORE_TEST(test_migration_keeps_run_digests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
