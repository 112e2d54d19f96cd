/* evidence/chain and evidence/store: the hash chain over sealed runs, and the
 * SQLite store that keeps runs append-only and notices tampering.
 *
 * Store tests each work in their own folder under /tmp, removed afterwards, and
 * tamper with the file through a second SQLite connection as an attacker would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evidence/chain.h"
#include "evidence/run_record.h"
#include "evidence/store/store.h"
#include "src/util.h"

/* ---------------------------------------------------------------- helpers */

static result_row row(const char *check, const char *subject, result_status status,
                      const char *expected, const char *observed, const char *reason,
                      const char *detail)
{
    return (result_row){xstrdup(check),    xstrdup(subject), status, xstrdup(expected),
                        xstrdup(observed), xstrdup(reason),  xstrdup(detail), NULL, NULL};
}

/* A complete record, every field set, as the chain functions see a sealed run. */
static run_record *full_record(void)
{
    run_record *r = xcalloc(1, sizeof *r);
    r->id = 4;
    r->kind = xstrdup("gate");
    r->status = xstrdup("failed");
    r->started_at = xstrdup("2026-03-01T02:00:00.000Z");
    r->finished_at = xstrdup("2026-03-01T02:00:03.250Z");
    r->target = xstrdup("host=restore-1 dbname=portal");
    r->baseline_id = 2;
    r->checks = xstrdup("rowcount");
    r->error = xstrdup("none really");
    r->vouch_version = xstrdup("0.1.0");
    r->server_version = xstrdup("15.6");
    r->system_identifier = xstrdup("7312345678901234567");
    r->timeline = xstrdup("3");
    r->lsn = xstrdup("0/3000060");
    r->snapshot_time = xstrdup("2026-03-01T01:59:59.900Z");
    r->database = xstrdup("portal");
    r->chain_pos = 3;
    r->prev_digest = xstrdup("0000000000000000000000000000000000000000000000000000000000000000");
    r->n_results = 2;
    r->results = xcalloc(2, sizeof *r->results);
    r->results[0] = row("rowcount", "public.projects", RESULT_PASS, "120", "120",
                        "same row count as the baseline; rule exact", NULL);
    r->results[1] = row("rowcount", "public.tasks", RESULT_FAIL, "1000", "990",
                        "10 rows missing (-1.00%); rule exact allows no difference", "ids 1-10");
    r->n_baselines = 1;
    r->baselines = xcalloc(1, sizeof *r->baselines);
    r->baselines[0] = (baseline_doc){.check = xstrdup("rowcount"), .content = xstrdup("{\"tables\":[]}")};
    return r;
}

/* Replace an owned string field. */
static void set(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

/* ------------------------------------------------------------- sha256_hex */

static void test_sha256_known_vectors(void **state)
{
    (void)state;
    char hex[DIGEST_HEX_LEN + 1];
    sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assert_int_equal(strlen(hex), DIGEST_HEX_LEN);
}

/* ---------------------------------------------------------- run_canonical */

static void test_canonical_golden(void **state)
{
    (void)state;
    /* The canonical form is what every stored digest was computed over: it must
     * never change for format vouch-run/1, or every existing chain breaks. */
    run_record *r = xcalloc(1, sizeof *r);
    r->id = 1;
    r->kind = xstrdup("gate");
    r->status = xstrdup("passed");
    r->started_at = xstrdup("2026-01-02T03:04:05.000Z");
    r->finished_at = xstrdup("2026-01-02T03:04:06.000Z");
    r->target = xstrdup("host=db dbname=app");
    r->checks = xstrdup("rowcount");
    r->vouch_version = xstrdup("0.1.0");
    r->chain_pos = 1;
    r->digest = xstrdup("not part of the canonical form");
    r->n_results = 1;
    r->results = xcalloc(1, sizeof *r->results);
    r->results[0] = row("rowcount", "public.tasks", RESULT_PASS, "1000 \xc2\xb1 2%", "1000",
                        "same row count as the baseline; rule tolerance 2%", NULL);
    char *canon = run_canonical(r);
    assert_string_equal(
        canon,
        "{\"baseline_id\":0,\"baselines\":[],\"chain_pos\":1,\"checks\":\"rowcount\","
        "\"database\":null,\"error\":null,\"finished_at\":\"2026-01-02T03:04:06.000Z\","
        "\"format\":\"vouch-run/1\",\"id\":1,\"kind\":\"gate\",\"lsn\":null,\"prev_digest\":null,"
        "\"results\":[{\"check\":\"rowcount\",\"detail\":null,\"expected\":\"1000 \\u00B1 2%\","
        "\"observed\":\"1000\",\"reason\":\"same row count as the baseline; rule tolerance 2%\","
        "\"status\":\"pass\",\"subject\":\"public.tasks\"}],\"server_version\":null,"
        "\"snapshot_time\":null,\"started_at\":\"2026-01-02T03:04:05.000Z\",\"status\":\"passed\","
        "\"system_identifier\":null,\"target\":\"host=db dbname=app\",\"timeline\":null,"
        "\"vouch_version\":\"0.1.0\"}");
    free(canon);
    run_record_free(r);
}

static void test_canonical_is_stable(void **state)
{
    (void)state;
    run_record *a = full_record(), *b = full_record();
    char *ca1 = run_canonical(a), *ca2 = run_canonical(a), *cb = run_canonical(b);
    assert_string_equal(ca1, ca2);
    assert_string_equal(ca1, cb);
    /* The run's own digest is not part of what it covers. */
    set(&a->digest, "ffff");
    char *ca3 = run_canonical(a);
    assert_string_equal(ca1, ca3);
    free(ca1);
    free(ca2);
    free(ca3);
    free(cb);
    run_record_free(a);
    run_record_free(b);
}

/* Change one thing in a fresh full record and check the canonical form moved. */
typedef void (*mutation)(run_record *r);

static void m_id(run_record *r) { r->id++; }
static void m_kind(run_record *r) { set(&r->kind, "check"); }
static void m_status(run_record *r) { set(&r->status, "passed"); }
static void m_started(run_record *r) { set(&r->started_at, "2026-03-01T02:00:00.001Z"); }
static void m_finished(run_record *r) { set(&r->finished_at, "2026-03-01T02:00:03.251Z"); }
static void m_target(run_record *r) { set(&r->target, "host=restore-2 dbname=portal"); }
static void m_baseline(run_record *r) { r->baseline_id = 1; }
static void m_checks(run_record *r) { set(&r->checks, "rowcount,rls"); }
static void m_error(run_record *r) { free(r->error); r->error = NULL; }
static void m_version(run_record *r) { set(&r->vouch_version, "0.1.1"); }
static void m_server(run_record *r) { set(&r->server_version, "15.7"); }
static void m_sysid(run_record *r) { set(&r->system_identifier, "7312345678901234568"); }
static void m_timeline(run_record *r) { set(&r->timeline, "4"); }
static void m_lsn(run_record *r) { set(&r->lsn, "0/3000061"); }
static void m_snapshot(run_record *r) { set(&r->snapshot_time, "2026-03-01T01:59:59.901Z"); }
static void m_database(run_record *r) { set(&r->database, "portal2"); }
static void m_chain_pos(run_record *r) { r->chain_pos = 2; }
static void m_prev(run_record *r) { r->prev_digest[63] = '1'; }
static void m_r_check(run_record *r) { set(&r->results[1].check, "rls"); }
static void m_r_subject(run_record *r) { set(&r->results[1].subject, "public.task"); }
static void m_r_status(run_record *r) { r->results[1].status = RESULT_PASS; }
static void m_r_expected(run_record *r) { set(&r->results[1].expected, "1001"); }
static void m_r_observed(run_record *r) { set(&r->results[1].observed, "1000"); }
static void m_r_reason(run_record *r) { set(&r->results[1].reason, "fine"); }
static void m_r_detail(run_record *r) { set(&r->results[1].detail, "ids 1-11"); }
static void m_r_null(run_record *r) { set(&r->results[0].detail, ""); }  /* NULL vs "" */
static void m_r_order(run_record *r)
{
    result_row t = r->results[0];
    r->results[0] = r->results[1];
    r->results[1] = t;
}
static void m_r_drop(run_record *r)
{
    result_row_release(&r->results[1]);
    r->n_results = 1;
}
static void m_incident(run_record *r) { set(&r->incident_at, "2026-03-01T01:00:00.000Z"); }
static void m_started_by(run_record *r) { set(&r->started_by, "alice"); }
static void m_ci_job(run_record *r) { set(&r->ci_job, "https://ci.example/job/1"); }
static void m_not_evaluated(run_record *r) { set(&r->not_evaluated, "[{\"check\":\"rls\"}]"); }
static void m_r_facts(run_record *r) { set(&r->results[1].facts, "{\"missing\":10}"); }
static void m_waivers(run_record *r) { set(&r->waivers, "[{\"name\":\"w\"}]"); }
static void m_target_name(run_record *r) { set(&r->target_name, "portal-au"); }
static void m_r_waiver(run_record *r)
{
    r->results[1].status = RESULT_WAIVED;
    set(&r->results[1].waiver, "w");
}
static void m_b_check(run_record *r) { set(&r->baselines[0].check, "rls"); }
static void m_b_content(run_record *r) { set(&r->baselines[0].content, "{\"tables\":[1]}"); }

/* A baseline's parts are named in the canonical form only when it has some: a run sealed
 * before parts existed keeps its text (and digest); one with parts commits to their digest. */
static void test_canonical_parts_only_when_set(void **state)
{
    (void)state;
    run_record *r = full_record();
    char *plain = run_canonical(r);
    assert_null(strstr(plain, "parts"));
    r->baselines[0].n_parts = 2;
    r->baselines[0].parts_sha256 = xstrdup("ab");
    char *with = run_canonical(r);
    assert_non_null(strstr(with, "\"content\":\"{\\\"tables\\\":[]}\",\"parts\":2,\"parts_sha256\":\"ab\"}"));
    set(&r->baselines[0].parts_sha256, "ac");
    char *other = run_canonical(r);
    assert_string_not_equal(with, other);
    r->baselines[0].n_parts = 3;
    set(&r->baselines[0].parts_sha256, "ab");
    char *more = run_canonical(r);
    assert_string_not_equal(with, more);
    free(plain);
    free(with);
    free(other);
    free(more);
    run_record_free(r);
}

static void test_canonical_changes_with_every_field(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        mutation change;
    } cases[] = {
        {"id", m_id},
        {"kind", m_kind},
        {"status", m_status},
        {"started_at", m_started},
        {"finished_at", m_finished},
        {"target", m_target},
        {"baseline_id", m_baseline},
        {"checks", m_checks},
        {"error", m_error},
        {"vouch_version", m_version},
        {"server_version", m_server},
        {"system_identifier", m_sysid},
        {"timeline", m_timeline},
        {"lsn", m_lsn},
        {"snapshot_time", m_snapshot},
        {"database", m_database},
        {"chain_pos", m_chain_pos},
        {"prev_digest", m_prev},
        {"result check", m_r_check},
        {"result subject", m_r_subject},
        {"result status", m_r_status},
        {"result expected", m_r_expected},
        {"result observed", m_r_observed},
        {"result reason", m_r_reason},
        {"result detail", m_r_detail},
        {"result detail NULL to empty", m_r_null},
        {"result order", m_r_order},
        {"a result removed", m_r_drop},
        {"incident_at set", m_incident},
        {"started_by set", m_started_by},
        {"ci_job set", m_ci_job},
        {"not_evaluated set", m_not_evaluated},
        {"result facts set", m_r_facts},
        {"waivers set", m_waivers},
        {"target_name set", m_target_name},
        {"result waived", m_r_waiver},
        {"baseline check", m_b_check},
        {"baseline content", m_b_content},
    };
    run_record *orig = full_record();
    char *base = run_canonical(orig);
    char base_digest[DIGEST_HEX_LEN + 1];
    run_digest(orig, orig->prev_digest, base_digest);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_record *r = full_record();
        cases[i].change(r);
        char *canon = run_canonical(r);
        char digest[DIGEST_HEX_LEN + 1];
        run_digest(r, orig->prev_digest, digest);
        bool same = strcmp(canon, base) == 0, same_digest = strcmp(digest, base_digest) == 0;
        free(canon);
        run_record_free(r);
        if (same || same_digest) {
            free(base);
            run_record_free(orig);
            fail_msg("changing the %s left the canonical form or digest unchanged", cases[i].what);
        }
    }
    free(base);
    run_record_free(orig);
}

static void test_canonical_escapes_control_characters(void **state)
{
    (void)state;
    /* A reason with a newline or quote cannot forge structure in the canonical form. */
    run_record *r = full_record();
    set(&r->results[0].reason, "a\"b\nc");
    char *canon = run_canonical(r);
    assert_non_null(strstr(canon, "\"reason\":\"a\\\"b\\nc\""));
    assert_null(strchr(canon, '\n'));
    free(canon);
    run_record_free(r);
}

/* Found by tests/fuzz/fuzz_canonical (corpus not-utf8): a value that is not UTF-8 (here
 * from --target or a drill's --scenario) made jansson refuse to write the canonical form,
 * and vouch abort with "out of memory" while sealing. Now its bytes are kept as hex, and a
 * different byte gives a different digest. */
static void test_canonical_keeps_bytes_that_are_not_utf8(void **state)
{
    (void)state;
    run_record *r = full_record();
    set(&r->target, "dbname=\x87");
    set(&r->results[0].subject, "caf\xe9");
    char *canon = run_canonical(r);
    assert_non_null(strstr(canon, "\"target\":{\"hex\":\"64626e616d653d87\"}"));
    assert_non_null(strstr(canon, "\"subject\":{\"hex\":\"636166e9\"}"));
    json_error_t je;
    json_t *doc = json_loads(canon, 0, &je);
    assert_non_null(doc);
    json_decref(doc);
    char d1[DIGEST_HEX_LEN + 1], d2[DIGEST_HEX_LEN + 1];
    run_digest(r, NULL, d1);
    set(&r->target, "dbname=\x88");
    run_digest(r, NULL, d2);
    assert_string_not_equal(d1, d2);
    /* UTF-8 stays a plain string. */
    set(&r->target, "dbname=caf\xc3\xa9");
    free(canon);
    canon = run_canonical(r);
    assert_non_null(strstr(canon, "\"target\":\"dbname=caf\\u00E9\""));
    free(canon);
    run_record_free(r);
}

/* ------------------------------------------------------------- run_digest */

static void test_digest_formula(void **state)
{
    (void)state;
    run_record *r = full_record();
    const char *prev = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    char *canon = run_canonical(r);
    char *input = xasprintf("vouch-chain/1\n%s\n%s", prev, canon);
    char want[DIGEST_HEX_LEN + 1], got[DIGEST_HEX_LEN + 1];
    sha256_hex(input, strlen(input), want);
    run_digest(r, prev, got);
    assert_string_equal(got, want);
    free(input);
    free(canon);
    run_record_free(r);
}

static void test_digest_depends_on_prev(void **state)
{
    (void)state;
    run_record *r = full_record();
    char d_null[DIGEST_HEX_LEN + 1], d_empty[DIGEST_HEX_LEN + 1], d_a[DIGEST_HEX_LEN + 1],
        d_b[DIGEST_HEX_LEN + 1], d_a2[DIGEST_HEX_LEN + 1];
    run_digest(r, NULL, d_null);
    run_digest(r, "", d_empty);
    run_digest(r, "aaaa", d_a);
    run_digest(r, "aaab", d_b);
    run_digest(r, "aaaa", d_a2);
    /* The first run of a chain: NULL and "" are the same. */
    assert_string_equal(d_null, d_empty);
    assert_string_not_equal(d_a, d_empty);
    assert_string_not_equal(d_a, d_b);
    assert_string_equal(d_a, d_a2);
    assert_int_equal(strspn(d_a, "0123456789abcdef"), DIGEST_HEX_LEN);
    run_record_free(r);
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

/* Run SQL on the store file through its own connection, as someone with the file
 * would. Returns NULL on success or the error message (caller frees). */
static char *sql(const fixture *fx, const char *text)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        char *m = xstrdup(db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return m;
    }
    char *msg = NULL;
    char *out = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
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

static void sql_refused(const fixture *fx, const char *text, const char *message)
{
    char *err = sql(fx, text);
    if (!err)
        fail_msg("\"%s\" was allowed", text);
    char copy[512];
    snprintf(copy, sizeof copy, "%s", err);
    free(err);
    assert_non_null(strstr(copy, "append-only"));
    assert_string_equal(copy, message);
}

/* One integer from a query on the store file. */
static int64_t sql_int(const fixture *fx, const char *text)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int64_t v = -1;
    if (sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, text, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/* Begin a run and seal it with the given status and results (taken over). */
static int64_t add_run(store *st, run_kind kind, const char *status, result_row *results,
                       size_t n_results, baseline_doc *docs, size_t n_docs)
{
    verr e;
    verr_clear(&e);
    int64_t id = 0;
    if (store_run_begin(st, kind, "host=db dbname=app", kind == RUN_BASELINE ? 0 : 1,
                        "rowcount", &id, &e) != VOUCH_OK)
        fail_msg("store_run_begin: %s", e.msg);
    run_record *r = xcalloc(1, sizeof *r);
    r->id = id;
    r->status = xstrdup(status);
    r->target = xstrdup("host=db dbname=app");
    r->finished_at = xstrdup("2026-03-01T02:00:03.250Z");
    r->server_version = xstrdup("15.6");
    r->results = results;
    r->n_results = n_results;
    r->baselines = docs;
    r->n_baselines = n_docs;
    vexit rc = store_run_finish(st, r, &e);
    run_record_free(r);
    if (rc != VOUCH_OK)
        fail_msg("store_run_finish: %s", e.msg);
    return id;
}

static int64_t add_baseline(store *st)
{
    baseline_doc *d = xcalloc(1, sizeof *d);
    d[0] = (baseline_doc){.check = xstrdup("rowcount"), .content = xstrdup("{\"tables\":[[\"public\",\"tasks\",1000]]}")};
    return add_run(st, RUN_BASELINE, "captured", NULL, 0, d, 1);
}

static int64_t add_gate(store *st, const char *observed)
{
    result_row *rows = xcalloc(2, sizeof *rows);
    rows[0] = row("rowcount", "public.projects", RESULT_PASS, "120", "120",
                  "same row count as the baseline; rule exact", NULL);
    bool same = strcmp(observed, "1000") == 0;
    rows[1] = row("rowcount", "public.tasks", same ? RESULT_PASS : RESULT_FAIL, "1000", observed,
                  same ? "same row count as the baseline; rule exact" : "rows missing", NULL);
    return add_run(st, RUN_GATE, same ? "passed" : "failed", rows, 2, NULL, 0);
}

static void expect_verify_ok(store *st, int64_t runs)
{
    store_verdict v;
    verr e;
    verr_clear(&e);
    assert_int_equal(store_verify(st, &v, &e), VOUCH_OK);
    if (!v.ok)
        fail_msg("store_verify: %s", v.problem);
    assert_int_equal(v.runs_checked, runs);
    assert_int_equal(v.broken_run, 0);
}

/* Reopen the store (as the next vouch process would) and verify it. */
static store_verdict reverify(const fixture *fx)
{
    store *st = open_store(fx);
    store_verdict v;
    verr e;
    verr_clear(&e);
    vexit rc = store_verify(st, &v, &e);
    store_close(st);
    if (rc != VOUCH_OK)
        fail_msg("store_verify: %s", e.msg);
    return v;
}

static void test_store_open_creates_and_migrates(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    assert_string_equal(store_path(st), fx->path);
    store_close(st);

    struct stat sb;
    assert_int_equal(stat(fx->path, &sb), 0);
    assert_int_equal(sql_int(fx, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                 " AND name IN ('runs', 'results', 'baselines')"),
                     3);
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                                 " AND tbl_name IN ('runs', 'results', 'baselines')"
                                 " AND (name LIKE '%append_only%' OR name LIKE '%open_run')"),
                     8);

    /* Opening again (without create) neither fails nor migrates twice. */
    verr e;
    verr_clear(&e);
    assert_int_equal(store_open(&st, fx->path, false, &e), VOUCH_OK);
    store_close(st);
    assert_int_equal(sql_int(fx, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM runs"), 0);
}

static void test_store_open_missing(void **state)
{
    fixture *fx = *state;
    store *st = (store *)fx;  /* anything not NULL */
    verr e;
    verr_clear(&e);
    assert_int_equal(store_open(&st, fx->path, false, &e), VOUCH_USAGE);
    assert_null(st);
    char *want = xasprintf("no store at \"%s\"", fx->path);
    assert_string_equal(e.msg, want);
    free(want);
    assert_int_equal(access(fx->path, F_OK), -1);
}

static void test_store_newer_schema_refused(void **state)
{
    fixture *fx = *state;
    store_close(open_store(fx));
    char *newer = xasprintf("PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
    sql_ok(fx, newer);
    free(newer);
    store *st = NULL;
    verr e;
    verr_clear(&e);
    assert_int_equal(store_open(&st, fx->path, true, &e), VOUCH_ABORTED);
    assert_null(st);
    char *want = xasprintf("store \"%s\" has schema version %d; this vouch knows up to %d",
                           fx->path, STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
    assert_string_equal(e.msg, want);
    free(want);
}

static void test_run_begin_records_a_running_run(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    verr e;
    verr_clear(&e);
    int64_t id = 0;
    assert_int_equal(store_run_begin(st, RUN_GATE, "host=db dbname=app", 0, "rowcount,rls", &id, &e),
                     VOUCH_OK);
    assert_int_equal(id, 1);
    run_record *r = NULL;
    assert_int_equal(store_load_run(st, id, &r, &e), VOUCH_OK);
    assert_int_equal(r->id, 1);
    assert_string_equal(r->kind, "gate");
    assert_string_equal(r->status, "running");
    assert_string_equal(r->target, "host=db dbname=app");
    assert_string_equal(r->checks, "rowcount,rls");
    assert_string_equal(r->vouch_version, VOUCH_VERSION);
    assert_int_equal(r->baseline_id, 0);
    assert_non_null(r->started_at);
    assert_int_equal(strlen(r->started_at), strlen("2026-03-01T02:00:03.250Z"));
    assert_int_equal(r->started_at[strlen(r->started_at) - 1], 'Z');
    assert_null(r->finished_at);
    assert_int_equal(r->chain_pos, 0);
    assert_null(r->prev_digest);
    assert_null(r->digest);
    assert_int_equal(r->n_results, 0);
    run_record_free(r);

    /* A running run is not part of the chain yet: the chain is intact and empty. */
    expect_verify_ok(st, 0);
    store_close(st);
}

static void test_finish_seals_runs_into_a_chain(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    int64_t b = add_baseline(st), g1 = add_gate(st, "990"), g2 = add_gate(st, "1000");
    assert_int_equal(b, 1);
    assert_int_equal(g1, 2);
    assert_int_equal(g2, 3);

    verr e;
    verr_clear(&e);
    run_record *r[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_load_run(st, i + 1, &r[i], &e), VOUCH_OK);

    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i]->chain_pos, i + 1);
        assert_non_null(r[i]->digest);
        assert_int_equal(strlen(r[i]->digest), DIGEST_HEX_LEN);
        assert_int_equal(strspn(r[i]->digest, "0123456789abcdef"), DIGEST_HEX_LEN);
        /* The stored digest is the one anybody can recompute. */
        char digest[DIGEST_HEX_LEN + 1];
        run_digest(r[i], i ? r[i - 1]->digest : NULL, digest);
        assert_string_equal(r[i]->digest, digest);
    }
    assert_null(r[0]->prev_digest);
    assert_string_equal(r[1]->prev_digest, r[0]->digest);
    assert_string_equal(r[2]->prev_digest, r[1]->digest);
    assert_string_not_equal(r[0]->digest, r[1]->digest);
    assert_string_not_equal(r[1]->digest, r[2]->digest);

    /* What was sealed is what comes back. */
    assert_string_equal(r[0]->kind, "baseline");
    assert_string_equal(r[0]->status, "captured");
    assert_int_equal(r[0]->n_baselines, 1);
    assert_string_equal(r[0]->baselines[0].check, "rowcount");
    assert_string_equal(r[0]->baselines[0].content, "{\"tables\":[[\"public\",\"tasks\",1000]]}");
    assert_string_equal(r[1]->status, "failed");
    assert_int_equal(r[1]->baseline_id, 1);
    assert_string_equal(r[1]->finished_at, "2026-03-01T02:00:03.250Z");
    assert_string_equal(r[1]->server_version, "15.6");
    assert_int_equal(r[1]->n_results, 2);
    assert_string_equal(r[1]->results[1].subject, "public.tasks");
    assert_int_equal(r[1]->results[1].status, RESULT_FAIL);
    assert_string_equal(r[1]->results[1].expected, "1000");
    assert_string_equal(r[1]->results[1].observed, "990");
    assert_string_equal(r[1]->results[1].reason, "rows missing");
    assert_null(r[1]->results[1].detail);
    assert_string_equal(r[2]->status, "passed");
    for (int i = 0; i < 3; i++)
        run_record_free(r[i]);

    expect_verify_ok(st, 3);

    int64_t *ids = NULL;
    size_t n = 0;
    assert_int_equal(store_list_runs(st, 0, NULL, &ids, &n, &e), VOUCH_OK);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[2], 1);
    free(ids);
    assert_int_equal(store_list_runs(st, 2, NULL, &ids, &n, &e), VOUCH_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 2);
    free(ids);
    store_close(st);
}

static void test_finish_hands_back_the_seal(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    verr e;
    verr_clear(&e);
    int64_t id;
    assert_int_equal(store_run_begin(st, RUN_GATE, "t", 1, "rowcount", &id, &e), VOUCH_OK);
    run_record *r = xcalloc(1, sizeof *r);
    r->id = id;
    r->status = xstrdup("passed");
    r->target = xstrdup("t");
    r->finished_at = xstrdup("2026-03-01T02:00:03.250Z");
    assert_int_equal(store_run_finish(st, r, &e), VOUCH_OK);
    assert_int_equal(r->chain_pos, 2);
    run_record *first;
    assert_int_equal(store_load_run(st, 1, &first, &e), VOUCH_OK);
    assert_string_equal(r->prev_digest, first->digest);
    run_record_free(first);
    run_record *stored;
    assert_int_equal(store_load_run(st, id, &stored, &e), VOUCH_OK);
    assert_string_equal(r->digest, stored->digest);
    run_record_free(stored);

    /* Sealing the same run again is refused and changes nothing. */
    char *want = xasprintf("store \"%s\": run %lld is not running", fx->path, (long long)id);
    assert_int_equal(store_run_finish(st, r, &e), VOUCH_ABORTED);
    assert_string_equal(e.msg, want);
    free(want);
    run_record_free(r);
    expect_verify_ok(st, 2);
    store_close(st);
}

static void test_load_missing_run(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    run_record *r = (run_record *)fx;
    verr e;
    verr_clear(&e);
    assert_int_equal(store_load_run(st, 999, &r, &e), VOUCH_USAGE);
    assert_null(r);
    char *want = xasprintf("store \"%s\" has no run 999", fx->path);
    assert_string_equal(e.msg, want);
    free(want);
    store_close(st);
}

static void test_triggers_refuse_changes(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    add_gate(st, "990");
    store_close(st);

    sql_refused(fx, "UPDATE results SET observed = '1000' WHERE run_id = 2 AND seq = 2",
                "the vouch store is append-only: results cannot change");
    sql_refused(fx, "DELETE FROM results WHERE run_id = 2",
                "the vouch store is append-only: results cannot be deleted");
    sql_refused(fx, "UPDATE runs SET status = 'passed' WHERE id = 2",
                "the vouch store is append-only: this run is sealed");
    sql_refused(fx, "DELETE FROM runs WHERE id = 2",
                "the vouch store is append-only: runs cannot be deleted");
    sql_refused(fx,
                "INSERT INTO results (run_id, seq, check_name, subject, status, reason)"
                " VALUES (2, 3, 'rowcount', 'public.extra', 'pass', 'x')",
                "the vouch store is append-only: this run is sealed");
    sql_refused(fx, "UPDATE baselines SET content = '{}'",
                "the vouch store is append-only: baselines cannot change");
    sql_refused(fx, "DELETE FROM baselines",
                "the vouch store is append-only: baselines cannot be deleted");
    sql_refused(fx, "INSERT INTO baselines (run_id, check_name, content) VALUES (1, 'rls', '{}')",
                "the vouch store is append-only: this run is sealed");

    /* Nothing got through. */
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM results WHERE run_id = 2"), 2);
    assert_int_equal(sql_int(fx, "SELECT observed FROM results WHERE run_id = 2 AND seq = 2"), 990);
    store_verdict v = reverify(fx);
    assert_true(v.ok);
    assert_int_equal(v.runs_checked, 2);
}

static void test_verify_detects_edited_result(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    int64_t bad = add_gate(st, "990");
    add_gate(st, "1000");
    store_close(st);

    /* Someone with the file removes the guard and makes the failed count look right. */
    sql_ok(fx, "DROP TRIGGER results_append_only_update;"
               "UPDATE results SET observed = '1000' WHERE run_id = 2 AND seq = 2");
    store_verdict v = reverify(fx);
    assert_false(v.ok);
    assert_int_equal(v.broken_run, bad);
    assert_int_equal(v.runs_checked, 1);
    assert_string_equal(v.problem, "run 2 does not match its digest: its content was changed"
                                   " after it was sealed");
}

/* What migration 3 added (incident_at, started_by, ci_job, not_evaluated, a result's
 * facts) is stored, read back and sealed: an edit of any of them behind the triggers is
 * named by verify, and undoing the edit makes the chain whole again. */
static void test_new_run_fields_are_sealed(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    verr e;
    verr_clear(&e);
    run_start how = {"2026-03-01T01:00:00.000Z", "alice", "https://ci.example/job/7", NULL};
    int64_t id;
    assert_int_equal(store_run_begin_with(st, RUN_GATE, "t", 1, "rowcount,rls", &how, &id, &e),
                     VOUCH_OK);
    run_record *r = xcalloc(1, sizeof *r);
    r->id = id;
    r->status = xstrdup("aborted");
    r->error = xstrdup("connection lost");
    r->target = xstrdup("t");
    r->finished_at = xstrdup("2026-03-01T02:00:03.250Z");
    r->n_results = 2;
    r->results = xcalloc(2, sizeof *r->results);
    r->results[0] = row("rowcount", "public.tasks", RESULT_PASS, "1000", "1000", "same", NULL);
    r->results[0].facts = xstrdup("{\"rows\":1000}");
    r->results[1] = row("rls", "(not evaluated)", RESULT_NOT_EVALUATED, NULL, NULL,
                        "not evaluated: the run stopped while this check ran: connection lost",
                        NULL);
    assert_int_equal(store_run_finish(st, r, &e), VOUCH_OK);
    run_record_free(r);

    assert_int_equal(store_load_run(st, id, &r, &e), VOUCH_OK);
    assert_string_equal(r->incident_at, "2026-03-01T01:00:00.000Z");
    assert_string_equal(r->started_by, "alice");
    assert_string_equal(r->ci_job, "https://ci.example/job/7");
    assert_int_equal(r->n_results, 2);
    assert_string_equal(r->results[0].facts, "{\"rows\":1000}");
    assert_int_equal(r->results[1].status, RESULT_NOT_EVALUATED);
    assert_string_equal(r->results[1].check, "rls");
    assert_string_equal(r->results[1].reason,
                        "not evaluated: the run stopped while this check ran: connection lost");
    run_record_free(r);
    /* the not-evaluated row is the run's, not a result row of the table */
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM results WHERE run_id = 2"), 1);
    expect_verify_ok(st, 2);
    store_close(st);

    sql_ok(fx, "DROP TRIGGER runs_append_only_update; DROP TRIGGER results_append_only_update");
    static const char *const edits[][2] = {
        {"UPDATE runs SET incident_at = '2026-03-01T02:00:00.000Z' WHERE id = 2",
         "UPDATE runs SET incident_at = '2026-03-01T01:00:00.000Z' WHERE id = 2"},
        {"UPDATE runs SET incident_at = NULL WHERE id = 2",
         "UPDATE runs SET incident_at = '2026-03-01T01:00:00.000Z' WHERE id = 2"},
        {"UPDATE runs SET started_by = 'bob' WHERE id = 2",
         "UPDATE runs SET started_by = 'alice' WHERE id = 2"},
        {"UPDATE runs SET ci_job = 'https://ci.example/job/8' WHERE id = 2",
         "UPDATE runs SET ci_job = 'https://ci.example/job/7' WHERE id = 2"},
        {"UPDATE runs SET not_evaluated = NULL WHERE id = 2", NULL},
        {"UPDATE results SET facts = '{\"rows\":999}' WHERE run_id = 2",
         "UPDATE results SET facts = '{\"rows\":1000}' WHERE run_id = 2"},
        {"UPDATE results SET facts = NULL WHERE run_id = 2",
         "UPDATE results SET facts = '{\"rows\":1000}' WHERE run_id = 2"},
    };
    char *kept = NULL;
    {
        sqlite3 *db = NULL;
        sqlite3_stmt *q = NULL;
        assert_int_equal(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT not_evaluated FROM runs WHERE id = 2", -1,
                                            &q, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        kept = xstrdup((const char *)sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        sql_ok(fx, edits[i][0]);
        store_verdict v = reverify(fx);
        if (v.ok)
            fail_msg("verify did not notice: %s", edits[i][0]);
        assert_int_equal(v.broken_run, 2);
        assert_string_equal(v.problem, "run 2 does not match its digest: its content was changed"
                                       " after it was sealed");
        char *undo = edits[i][1] ? xstrdup(edits[i][1])
                                 : xasprintf("UPDATE runs SET not_evaluated = '%s' WHERE id = 2", kept);
        sql_ok(fx, undo);
        free(undo);
    }
    free(kept);
}

static void test_verify_detects_edited_run(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    add_gate(st, "990");
    store_close(st);

    sql_ok(fx, "DROP TRIGGER runs_append_only_update;"
               "UPDATE runs SET status = 'passed' WHERE id = 2");
    store_verdict v = reverify(fx);
    assert_false(v.ok);
    assert_int_equal(v.broken_run, 2);
    assert_string_equal(v.problem, "run 2 does not match its digest: its content was changed"
                                   " after it was sealed");
}

static void test_verify_detects_deleted_middle_run(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    add_gate(st, "990");
    int64_t last = add_gate(st, "1000");
    store_close(st);

    sql_ok(fx, "DROP TRIGGER runs_append_only_delete;"
               "DROP TRIGGER results_append_only_delete;"
               "DELETE FROM results WHERE run_id = 2;"
               "DELETE FROM runs WHERE id = 2");
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM runs"), 2);
    store_verdict v = reverify(fx);
    assert_false(v.ok);
    assert_int_equal(v.broken_run, last);
    assert_int_equal(v.runs_checked, 1);
    assert_string_equal(v.problem, "run 3 sits at chain position 3 where 2 was expected:"
                                   " a run before it is missing");
}

static void test_verify_detects_relinked_chain(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    add_gate(st, "990");
    add_gate(st, "1000");
    store_close(st);

    /* Deleting the middle run and closing the gap in positions still breaks the links. */
    sql_ok(fx, "DROP TRIGGER runs_append_only_delete;"
               "DROP TRIGGER results_append_only_delete;"
               "DROP TRIGGER runs_append_only_update;"
               "DELETE FROM results WHERE run_id = 2;"
               "DELETE FROM runs WHERE id = 2;"
               "UPDATE runs SET chain_pos = 2 WHERE id = 3");
    store_verdict v = reverify(fx);
    assert_false(v.ok);
    assert_int_equal(v.broken_run, 3);
    assert_string_equal(v.problem, "run 3 does not link to the run sealed before it");
}

static void test_verify_detects_missing_trigger(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    store_close(st);

    sql_ok(fx, "DROP TRIGGER results_append_only_delete");
    store_verdict v = reverify(fx);
    assert_false(v.ok);
    assert_int_equal(v.broken_run, 0);
    assert_string_equal(v.problem, "append-only trigger results_append_only_delete is missing:"
                                   " the store has been altered");
}

static void test_verify_detects_unsealed_finished_run(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    verr e;
    verr_clear(&e);
    int64_t id;
    assert_int_equal(store_run_begin(st, RUN_GATE, "t", 1, "rowcount", &id, &e), VOUCH_OK);
    store_close(st);

    /* A running run may still change; marking it passed by hand skips the seal. */
    char *q = xasprintf("UPDATE runs SET status = 'passed' WHERE id = %lld", (long long)id);
    sql_ok(fx, q);
    free(q);
    store_verdict v = reverify(fx);
    assert_false(v.ok);
    assert_int_equal(v.broken_run, id);
    assert_int_equal(v.runs_checked, 1);
    assert_string_equal(v.problem, "run 2 is finished but not sealed into the chain");
}

/* Named targets (docs/fleet.md): a run carries its target's name, sealed with it; the
 * newest baseline is per target (NULL: the bare [target]); a listing filters by it. */
static void test_target_names(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    verr e;
    verr_clear(&e);
    int64_t bare = add_baseline(st), au = 0, id = 0;
    run_start how = {NULL, NULL, NULL, "portal-au"};
    assert_int_equal(store_run_begin_with(st, RUN_BASELINE, "host=au", 0, "rowcount", &how, &au,
                                          &e),
                     VOUCH_OK);
    run_record *r = xcalloc(1, sizeof *r);
    r->id = au;
    r->status = xstrdup("captured");
    r->target = xstrdup("host=au");
    r->finished_at = xstrdup("2026-03-01T02:00:03.250Z");
    assert_int_equal(store_run_finish(st, r, &e), VOUCH_OK);
    run_record_free(r);
    add_gate(st, "1000");

    assert_int_equal(store_latest_baseline(st, NULL, &id, &e), VOUCH_OK);
    assert_int_equal(id, bare);
    assert_int_equal(store_latest_baseline(st, "portal-au", &id, &e), VOUCH_OK);
    assert_int_equal(id, au);
    assert_int_equal(store_latest_baseline(st, "portal-nz", &id, &e), VOUCH_USAGE);
    char *want = xasprintf("store \"%s\" holds no baseline of target portal-nz", fx->path);
    assert_string_equal(e.msg, want);
    free(want);

    int64_t *ids;
    size_t n;
    assert_int_equal(store_list_runs(st, 0, "portal-au", &ids, &n, &e), VOUCH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], au);
    free(ids);
    assert_int_equal(store_list_runs(st, 0, NULL, &ids, &n, &e), VOUCH_OK);
    assert_int_equal(n, 3);
    free(ids);

    assert_int_equal(store_load_run(st, au, &r, &e), VOUCH_OK);
    assert_string_equal(r->target_name, "portal-au");
    char *canon = run_canonical(r);
    assert_non_null(strstr(canon, "\"target_name\":\"portal-au\""));
    free(canon);
    run_record_free(r);
    assert_int_equal(store_load_run(st, bare, &r, &e), VOUCH_OK);
    assert_null(r->target_name);
    canon = run_canonical(r);
    assert_null(strstr(canon, "target_name")); /* a run without one keeps its old form */
    free(canon);
    run_record_free(r);
    expect_verify_ok(st, 3);
    assert_int_equal(sql_int(fx, "select count(*) from runs where target_name = 'portal-au'"), 1);
    store_close(st);
}

static void test_latest_baseline(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    verr e;
    verr_clear(&e);
    int64_t id = -1;
    char *want = xasprintf("store \"%s\" holds no baseline", fx->path);

    assert_int_equal(store_latest_baseline(st, NULL, &id, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, want);
    assert_string_equal(e.hint, "Run 'vouch baseline' against the healthy database first.");
    assert_int_equal(id, -1);

    /* A baseline still running, or one that aborted, is not a baseline. */
    int64_t running;
    assert_int_equal(store_run_begin(st, RUN_BASELINE, "t", 0, "rowcount", &running, &e), VOUCH_OK);
    int64_t aborted = add_run(st, RUN_BASELINE, "aborted", NULL, 0, NULL, 0);
    verr_clear(&e);
    assert_int_equal(store_latest_baseline(st, NULL, &id, &e), VOUCH_USAGE);
    assert_string_equal(e.msg, want);
    free(want);

    int64_t b1 = add_baseline(st);
    assert_int_equal(store_latest_baseline(st, NULL, &id, &e), VOUCH_OK);
    assert_int_equal(id, b1);
    int64_t g = add_gate(st, "1000");
    assert_int_equal(store_latest_baseline(st, NULL, &id, &e), VOUCH_OK);
    assert_int_equal(id, b1);
    int64_t b2 = add_baseline(st);
    assert_int_equal(store_latest_baseline(st, NULL, &id, &e), VOUCH_OK);
    assert_int_equal(id, b2);

    assert_int_equal(store_check_baseline(st, b1, &e), VOUCH_OK);
    assert_int_equal(store_check_baseline(st, g, &e), VOUCH_USAGE);
    want = xasprintf("run %lld in store \"%s\" is not a captured baseline", (long long)g, fx->path);
    assert_string_equal(e.msg, want);
    free(want);
    assert_int_equal(store_check_baseline(st, aborted, &e), VOUCH_USAGE);
    assert_int_equal(store_check_baseline(st, running, &e), VOUCH_USAGE);
    assert_int_equal(store_check_baseline(st, 999, &e), VOUCH_USAGE);
    store_close(st);
}

/* A process id that certainly belonged to a process that has ended. */
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

static void test_interrupted_run_is_sealed_as_aborted(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    verr e;
    verr_clear(&e);
    int64_t id;
    assert_int_equal(store_run_begin(st, RUN_GATE, "host=db dbname=app", 1, "rowcount", &id, &e),
                     VOUCH_OK);
    store_close(st);

    /* The process that began it is gone (killed, power cut) without finishing. */
    char *q = xasprintf("UPDATE runs SET pid = %ld WHERE id = %lld", (long)dead_pid(), (long long)id);
    sql_ok(fx, q);
    free(q);

    st = open_store(fx);
    run_record *r;
    assert_int_equal(store_load_run(st, id, &r, &e), VOUCH_OK);
    assert_string_equal(r->status, "aborted");
    assert_string_equal(r->error, "the vouch process ended before the run finished");
    assert_non_null(r->finished_at);
    assert_string_equal(r->target, "host=db dbname=app");
    assert_int_equal(r->chain_pos, 2);
    assert_non_null(r->digest);
    /* nothing of it was stored: the check it was to run is listed as not evaluated */
    assert_int_equal(r->n_results, 1);
    assert_int_equal(r->results[0].status, RESULT_NOT_EVALUATED);
    assert_string_equal(r->results[0].check, "rowcount");
    assert_string_equal(r->results[0].reason,
                        "not evaluated: the vouch process ended before the run finished");
    assert_string_equal(r->not_evaluated,
                        "[{\"check\":\"rowcount\",\"reason\":\"not evaluated: the vouch process"
                        " ended before the run finished\"}]");
    run_record_counts(r);
    assert_int_equal(run_record_counts(r).not_evaluated, 1);
    run_record_free(r);
    expect_verify_ok(st, 2);
    store_close(st);
}

static void test_live_or_foreign_runs_are_left_running(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    verr e;
    verr_clear(&e);
    int64_t mine, parents, elsewhere;
    assert_int_equal(store_run_begin(st, RUN_GATE, "t", 0, "rowcount", &mine, &e), VOUCH_OK);
    assert_int_equal(store_run_begin(st, RUN_GATE, "t", 0, "rowcount", &parents, &e), VOUCH_OK);
    assert_int_equal(store_run_begin(st, RUN_GATE, "t", 0, "rowcount", &elsewhere, &e), VOUCH_OK);
    store_close(st);

    char *q = xasprintf("UPDATE runs SET pid = %ld WHERE id = %lld;"
                        "UPDATE runs SET pid = %ld, host = 'some-other-host' WHERE id = %lld",
                        (long)getppid(), (long long)parents, (long)dead_pid(), (long long)elsewhere);
    sql_ok(fx, q);
    free(q);

    /* This process, a live process, and a process on another host may still finish. */
    st = open_store(fx);
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM runs WHERE status = 'running'"), 3);
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM runs WHERE digest IS NOT NULL"), 0);
    expect_verify_ok(st, 0);
    store_close(st);
}


/* ---------------------------------------------------------- store and head file */

static void test_canonical_v2_golden(void **state)
{
    (void)state;
    /* vouch-run/2 is vouch-run/1 with host and pid: fixed from now on, like /1. */
    run_record *r = xcalloc(1, sizeof *r);
    r->id = 1;
    r->kind = xstrdup("gate");
    r->status = xstrdup("passed");
    r->started_at = xstrdup("2026-01-02T03:04:05.000Z");
    r->target = xstrdup("host=db dbname=app");
    r->checks = xstrdup("rowcount");
    r->vouch_version = xstrdup("0.1.0");
    r->host = xstrdup("db-gate-1");
    r->pid = 4242;
    r->chain_pos = 1;
    r->canon_version = 2;
    char *canon = run_canonical(r);
    assert_string_equal(
        canon,
        "{\"baseline_id\":0,\"baselines\":[],\"chain_pos\":1,\"checks\":\"rowcount\","
        "\"database\":null,\"error\":null,\"finished_at\":null,\"format\":\"vouch-run/2\","
        "\"host\":\"db-gate-1\",\"id\":1,\"kind\":\"gate\",\"lsn\":null,\"pid\":4242,"
        "\"prev_digest\":null,\"results\":[],\"server_version\":null,\"snapshot_time\":null,"
        "\"started_at\":\"2026-01-02T03:04:05.000Z\",\"status\":\"passed\","
        "\"system_identifier\":null,\"target\":\"host=db dbname=app\",\"timeline\":null,"
        "\"vouch_version\":\"0.1.0\"}");
    free(canon);
    /* host and pid are left out of vouch-run/1, as older vouch sealed it */
    r->canon_version = 1;
    canon = run_canonical(r);
    assert_null(strstr(canon, "db-gate-1"));
    assert_non_null(strstr(canon, "\"format\":\"vouch-run/1\""));
    free(canon);
    run_record_free(r);
}

static char *head_path(const fixture *fx)
{
    return xasprintf("%s.head", fx->path);
}

static void test_runs_are_sealed_in_v2_and_host_is_covered(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    int64_t g = add_gate(st, "1000");
    run_record *r;
    verr e;
    verr_clear(&e);
    assert_int_equal(store_load_run(st, g, &r, &e), VOUCH_OK);
    assert_int_equal(r->canon_version, 2);
    assert_non_null(r->host);
    assert_int_equal(r->pid, getpid());
    run_record_free(r);
    store_close(st);

    sql_ok(fx, "DROP TRIGGER runs_append_only_update; UPDATE runs SET host = 'elsewhere' WHERE id = 2");
    store_verdict v = reverify(fx);
    assert_false(v.ok);
    assert_int_equal(v.broken_run, 2);
}

static void test_head_file_and_store_head(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    int64_t g = add_gate(st, "1000");
    store_heads h;
    verr e;
    verr_clear(&e);
    assert_int_equal(store_head(st, &h, &e), VOUCH_OK);
    assert_int_equal(h.run_pos, 2);
    assert_int_equal(strlen(h.run_digest), STORE_DIGEST_LEN);
    assert_int_equal(h.drill_pos, 0);
    assert_string_equal(h.drill_digest, "");
    run_record *r;
    assert_int_equal(store_load_run(st, g, &r, &e), VOUCH_OK);
    assert_string_equal(r->digest, h.run_digest);
    run_record_free(r);
    assert_string_equal(store_anchor_problem(st), "");

    /* one line per sealed run, in the documented form */
    char *hp = head_path(fx);
    assert_string_equal(store_anchor(st), hp);
    FILE *f = fopen(hp, "r");
    assert_non_null(f);
    char line[200], want[200];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(fgets(line, sizeof line, f));
    snprintf(want, sizeof want, "run 2 %s\n", h.run_digest);
    assert_string_equal(line, want);
    assert_null(fgets(line, sizeof line, f));
    fclose(f);

    store_verdict v;
    assert_int_equal(store_verify(st, &v, &e), VOUCH_OK);
    assert_true(v.ok);
    assert_int_equal(v.anchored_runs, 2);
    assert_string_equal(v.note, "");
    assert_int_equal(store_verify_head(st, 2, h.run_digest, &v, &e), VOUCH_OK);
    assert_true(v.ok);
    assert_int_equal(store_verify_head(st, 3, h.run_digest, &v, &e), VOUCH_OK);
    assert_false(v.ok);
    assert_string_equal(v.problem, "the store's run chain ends at position 2, before the given"
                                   " head 3: sealed runs were cut from the store");
    store_close(st);

    /* Cut the newest run, the triggers put back exactly as they were. */
    sql_ok(fx, "DROP TRIGGER runs_append_only_delete; DROP TRIGGER results_append_only_delete;"
               "DELETE FROM results WHERE run_id = 2; DELETE FROM runs WHERE id = 2;"
               "CREATE TRIGGER runs_append_only_delete BEFORE DELETE ON runs"
               "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: runs cannot be deleted'); END;"
               "CREATE TRIGGER results_append_only_delete BEFORE DELETE ON results"
               "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: results cannot be deleted'); END;");
    v = reverify(fx);
    assert_false(v.ok);
    char *msg = xasprintf("the store's run chain ends at position 1, but head file %s (line 2)"
                          " records position 2: sealed runs were cut from the store", hp);
    assert_string_equal(v.problem, msg);
    free(msg);

    /* Without the head file, a store with vouch-run/2 runs says it is missing. */
    unlink(hp);
    v = reverify(fx); /* reopening for writing creates it again, empty */
    assert_true(v.ok);
    assert_non_null(strstr(v.note, "run chain positions 1 to 1 are sealed but not in head file"));
    unlink(hp);
    st = NULL;
    assert_int_equal(store_open_at(&st, fx->path, NULL, STORE_READ, &e), VOUCH_OK);
    assert_int_equal(store_verify(st, &v, &e), VOUCH_OK);
    assert_false(v.ok);
    msg = xasprintf("head file %s is missing, but the runs from chain position 1 on were sealed by"
                    " a vouch that records each one there: it was deleted or moved (set [store]"
                    " anchor where it is kept)", hp);
    assert_string_equal(v.problem, msg);
    free(msg);
    store_close(st);
    free(hp);
}

static void test_verify_detects_replaced_or_added_trigger(void **state)
{
    fixture *fx = *state;
    store_close(open_store(fx));
    sql_ok(fx, "DROP TRIGGER runs_append_only_delete;"
               "CREATE TRIGGER runs_append_only_delete BEFORE DELETE ON runs BEGIN SELECT 1; END");
    store_verdict v = reverify(fx);
    assert_false(v.ok);
    assert_string_equal(v.problem, "append-only trigger runs_append_only_delete is not the one"
                                   " vouch created (its SQL differs): the store has been altered");

    store_teardown((void **)&fx);
    store_setup((void **)&fx);
    *state = fx;
    store_close(open_store(fx));
    sql_ok(fx, "CREATE TRIGGER quiet BEFORE DELETE ON results BEGIN SELECT RAISE(IGNORE); END");
    v = reverify(fx);
    assert_false(v.ok);
    assert_string_equal(v.problem, "trigger quiet was not created by vouch: the store has been altered");
}

static pid_t dead_pid(void);

static void test_orphan_with_results_is_sealed_as_it_stands(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    store_close(st);
    char host[256];
    gethostname(host, sizeof host);
    host[255] = '\0';
    char *q = xasprintf("INSERT INTO runs (kind, status, started_at, target, checks, vouch_version,"
                        " host, pid) VALUES ('gate', 'running', '2026-01-01T00:00:00.000Z', 't',"
                        " 'rowcount', '0', '%s', %ld);"
                        "INSERT INTO results VALUES (2, 1, 'rowcount', 's', 'pass', '1', '1', 'r', NULL,"
                        " NULL, NULL)",
                        host, (long)dead_pid());
    sql_ok(fx, q);
    free(q);

    /* Read-only opens leave it alone. */
    verr e;
    verr_clear(&e);
    assert_int_equal(store_open_at(&st, fx->path, NULL, STORE_READ, &e), VOUCH_OK);
    store_close(st);
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM runs WHERE status = 'running'"), 1);

    st = open_store(fx);
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM runs WHERE status = 'aborted'"), 1);
    assert_int_equal(sql_int(fx, "SELECT count(*) FROM results WHERE run_id = 2"), 1);
    add_gate(st, "1000"); /* later runs still land */
    expect_verify_ok(st, 3);
    store_close(st);
}


/* A store whose runs an older vouch sealed in vouch-run/1 still verifies, and gains
 * vouch-run/2 runs after them in the same chain. */
static void test_runs_sealed_in_v1_still_verify(void **state)
{
    fixture *fx = *state;
    store *st = open_store(fx);
    add_baseline(st);
    add_gate(st, "1000");
    /* Re-seal both as the older vouch did: digests over vouch-run/1. */
    char prev[DIGEST_HEX_LEN + 1] = "";
    textbuf t = {0};
    textbuf_add(&t, "DROP TRIGGER runs_append_only_update;");
    for (int64_t id = 1; id <= 2; id++) {
        run_record *r;
        verr e;
        verr_clear(&e);
        assert_int_equal(store_load_run(st, id, &r, &e), VOUCH_OK);
        r->canon_version = 1;
        free(r->prev_digest);
        r->prev_digest = prev[0] ? xstrdup(prev) : NULL;
        char digest[DIGEST_HEX_LEN + 1];
        run_digest(r, prev, digest);
        textbuf_add(&t, "UPDATE runs SET prev_digest = %s%s%s, digest = '%s' WHERE id = %lld;",
                    prev[0] ? "'" : "", prev[0] ? prev : "NULL", prev[0] ? "'" : "", digest,
                    (long long)id);
        snprintf(prev, sizeof prev, "%s", digest);
        run_record_free(r);
    }
    textbuf_add(&t, "CREATE TRIGGER runs_append_only_update BEFORE UPDATE ON runs WHEN OLD.digest IS NOT NULL"
                    "  BEGIN SELECT RAISE(ABORT, 'the vouch store is append-only: this run is sealed'); END;");
    store_close(st);
    sql_ok(fx, t.p);
    free(t.p);
    char *hp = head_path(fx);
    unlink(hp); /* the older vouch kept none */

    st = open_store(fx);
    expect_verify_ok(st, 2);
    run_record *r;
    verr e;
    verr_clear(&e);
    assert_int_equal(store_load_run(st, 2, &r, &e), VOUCH_OK);
    assert_int_equal(r->canon_version, 1);
    char *canon = run_canonical(r);
    assert_non_null(strstr(canon, "\"format\":\"vouch-run/1\""));
    free(canon);
    run_record_free(r);

    int64_t g = add_gate(st, "1000");
    expect_verify_ok(st, 3);
    assert_int_equal(store_load_run(st, g, &r, &e), VOUCH_OK);
    assert_int_equal(r->canon_version, 2);
    assert_string_equal(r->prev_digest, prev);
    run_record_free(r);
    store_verdict v;
    assert_int_equal(store_verify(st, &v, &e), VOUCH_OK);
    assert_int_equal(v.anchored_runs, 1);
    assert_string_equal(v.note, "");
    store_close(st);
    free(hp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_known_vectors),
        cmocka_unit_test(test_canonical_golden),
        cmocka_unit_test(test_canonical_v2_golden),
        cmocka_unit_test(test_canonical_is_stable),
        cmocka_unit_test(test_canonical_parts_only_when_set),
        cmocka_unit_test(test_canonical_changes_with_every_field),
        cmocka_unit_test(test_canonical_escapes_control_characters),
        cmocka_unit_test(test_canonical_keeps_bytes_that_are_not_utf8),
        cmocka_unit_test(test_digest_formula),
        cmocka_unit_test(test_digest_depends_on_prev),
#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)
        STORE_TEST(test_store_open_creates_and_migrates),
        STORE_TEST(test_store_open_missing),
        STORE_TEST(test_store_newer_schema_refused),
        STORE_TEST(test_run_begin_records_a_running_run),
        STORE_TEST(test_finish_seals_runs_into_a_chain),
        STORE_TEST(test_finish_hands_back_the_seal),
        STORE_TEST(test_load_missing_run),
        STORE_TEST(test_triggers_refuse_changes),
        STORE_TEST(test_verify_detects_edited_result),
        STORE_TEST(test_verify_detects_edited_run),
        STORE_TEST(test_new_run_fields_are_sealed),
        STORE_TEST(test_verify_detects_deleted_middle_run),
        STORE_TEST(test_verify_detects_relinked_chain),
        STORE_TEST(test_verify_detects_missing_trigger),
        STORE_TEST(test_verify_detects_unsealed_finished_run),
        STORE_TEST(test_latest_baseline),
        STORE_TEST(test_target_names),
        STORE_TEST(test_interrupted_run_is_sealed_as_aborted),
        STORE_TEST(test_live_or_foreign_runs_are_left_running),
        STORE_TEST(test_runs_are_sealed_in_v2_and_host_is_covered),
        STORE_TEST(test_head_file_and_store_head),
        STORE_TEST(test_runs_sealed_in_v1_still_verify),
        STORE_TEST(test_verify_detects_replaced_or_added_trigger),
        STORE_TEST(test_orphan_with_results_is_sealed_as_it_stands),
#undef STORE_TEST
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
