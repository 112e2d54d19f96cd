/* evidence/approval: the signed statement of an approval and what it binds, the approval
 * chain's canonical form and digest, distinct signers; and the note rules of vouch approve. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/approval.h"
#include "evidence/chain.h"
#include "src/cli/cmd_approve.h"
#include "src/util.h"

static run_record *sealed_gate(int64_t id, const char *status)
{
    run_record *r = xcalloc(1, sizeof *r);
    r->id = id;
    r->kind = xstrdup("gate");
    r->status = xstrdup(status);
    r->started_at = xstrdup("2026-10-01T02:00:00.000Z");
    r->finished_at = xstrdup("2026-10-01T02:00:03.000Z");
    r->target = xstrdup("host=restore-1 dbname=portal");
    r->checks = xstrdup("rowcount");
    r->vouch_version = xstrdup("0.1.0");
    r->host = xstrdup("ops-1");
    r->pid = 42;
    r->canon_version = RUN_CANON_CURRENT;
    r->chain_pos = id;
    r->prev_digest = xstrdup("");
    char digest[DIGEST_HEX_LEN + 1];
    run_digest(r, r->prev_digest, digest);
    r->digest = xstrdup(digest);
    return r;
}

static void set(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

static void test_statement_binds_the_run(void **state)
{
    (void)state;
    run_record *r = sealed_gate(7, "passed");
    char *text = approval_statement(r, "reopen <now> & \"quickly\"", "2026-10-01T03:00:00.000Z",
                                    "CN=Dana", "AB:CD");
    approval_claim c;
    json_t *doc;
    assert_true(approval_statement_read(text, &c, &doc));
    assert_int_equal(c.run_id, 7);
    assert_string_equal(c.run_digest, r->digest);
    assert_string_equal(c.note, "reopen <now> & \"quickly\"");
    assert_string_equal(c.signer, "CN=Dana");
    assert_string_equal(c.fingerprint, "AB:CD");
    char *canon = run_canonical(r);
    char sha[DIGEST_HEX_LEN + 1];
    sha256_hex(canon, strlen(canon), sha);
    free(canon);
    assert_string_equal(c.run_canonical_sha256, sha);
    const char *why = NULL;
    assert_true(approval_matches_run(&c, r, &why));
    /* compact, keys sorted: the same inputs give the same bytes */
    char *again = approval_statement(r, "reopen <now> & \"quickly\"", "2026-10-01T03:00:00.000Z",
                                     "CN=Dana", "AB:CD");
    assert_string_equal(text, again);
    assert_non_null(strstr(text, "{\"approved_at\":"));
    free(again);
    json_decref(doc);
    free(text);
    run_record_free(r);
}

static void test_statement_refuses_another_run(void **state)
{
    (void)state;
    run_record *r = sealed_gate(7, "passed"), *other = sealed_gate(8, "passed");
    char *text = approval_statement(r, "ok", "2026-10-01T03:00:00.000Z", "CN=Dana", "AB:CD");
    approval_claim c;
    json_t *doc;
    assert_true(approval_statement_read(text, &c, &doc));
    const char *why = NULL;
    assert_false(approval_matches_run(&c, other, &why));
    assert_string_equal(why, "it approves another run");
    /* the same id, its content changed and sealed again after the approval: the digest
     * is not the one approved */
    set(&r->status, "failed");
    char digest[DIGEST_HEX_LEN + 1];
    run_digest(r, r->prev_digest, digest);
    set(&r->digest, digest);
    why = NULL;
    assert_false(approval_matches_run(&c, r, &why));
    assert_non_null(strstr(why, "digest"));
    /* the old digest text kept beside the edit: the canonical form is not the one approved */
    set(&r->digest, c.run_digest);
    assert_false(approval_matches_run(&c, r, &why));
    assert_string_equal(why, "the run's canonical form is not the one approved");
    json_decref(doc);
    free(text);
    run_record_free(r);
    run_record_free(other);
}

static void test_statement_read_refuses_junk(void **state)
{
    (void)state;
    const char *bad[] = {
        NULL, "", "[]", "{}", "not json",
        "{\"format\":\"vouch-approval/2\",\"run_id\":1,\"run_digest\":\"a\",\"run_canonical_sha256\":\"b\","
        "\"note\":\"n\",\"approved_at\":\"t\",\"signer\":\"s\",\"signer_fingerprint\":\"f\"}",
        "{\"format\":\"vouch-approval/1\",\"run_id\":\"1\",\"run_digest\":\"a\",\"run_canonical_sha256\":\"b\","
        "\"note\":\"n\",\"approved_at\":\"t\",\"signer\":\"s\",\"signer_fingerprint\":\"f\"}",
        "{\"format\":\"vouch-approval/1\",\"run_id\":1,\"run_digest\":\"a\",\"run_canonical_sha256\":\"b\","
        "\"note\":\"n\",\"approved_at\":\"t\",\"signer\":\"s\"}",
        /* a key twice: which one a reader takes must not be a question */
        "{\"format\":\"vouch-approval/1\",\"run_id\":1,\"run_id\":2,\"run_digest\":\"a\",\"run_canonical_sha256\":\"b\","
        "\"note\":\"n\",\"approved_at\":\"t\",\"signer\":\"s\",\"signer_fingerprint\":\"f\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        approval_claim c;
        json_t *doc;
        assert_false(approval_statement_read(bad[i], &c, &doc));
        json_decref(doc);
    }
}

static void test_approvable(void **state)
{
    (void)state;
    const char *why;
    run_record *r = sealed_gate(3, "passed");
    assert_true(approval_run_approvable(r, &why));
    set(&r->status, "failed");
    assert_true(approval_run_approvable(r, &why));
    set(&r->status, "aborted");
    assert_false(approval_run_approvable(r, &why));
    set(&r->status, "passed");
    set(&r->kind, "check");
    assert_false(approval_run_approvable(r, &why));
    set(&r->kind, "baseline");
    assert_false(approval_run_approvable(r, &why));
    assert_string_equal(why, "it is a baseline, not a gate");
    set(&r->kind, "gate");
    free(r->digest);
    r->digest = NULL;
    assert_false(approval_run_approvable(r, &why));
    run_record_free(r);
}

static approval_record *record(int64_t id, int64_t run, const char *fp)
{
    approval_record *a = xcalloc(1, sizeof *a);
    a->id = id;
    a->run_id = run;
    a->statement = xstrdup("{}");
    a->signature = (unsigned char *)xstrdup("sig");
    a->signature_len = 3;
    a->signer = xstrdup("CN=x");
    a->fingerprint = xstrdup(fp);
    a->approved_at = xstrdup("2026-10-01T03:00:00.000Z");
    a->note = xstrdup("ok");
    a->chain_pos = id;
    a->prev_digest = xstrdup("");
    return a;
}

static void test_canonical_covers_every_field(void **state)
{
    (void)state;
    approval_record *a = record(1, 5, "AA");
    char base[DIGEST_HEX_LEN + 1], d[DIGEST_HEX_LEN + 1];
    approval_digest(a, "", base);
    approval_digest(a, NULL, d);
    assert_string_equal(base, d);
    approval_digest(a, "00", d);
    assert_string_not_equal(base, d);
    char **fields[] = {&a->statement, &a->signer, &a->fingerprint, &a->approved_at, &a->note};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        char *keep = xstrdup(*fields[i]);
        set(fields[i], "changed");
        approval_digest(a, "", d);
        assert_string_not_equal(base, d);
        set(fields[i], keep);
        free(keep);
    }
    a->signature[0] = 'S';
    approval_digest(a, "", d);
    assert_string_not_equal(base, d);
    a->signature[0] = 's';
    a->run_id = 6;
    approval_digest(a, "", d);
    assert_string_not_equal(base, d);
    a->run_id = 5;
    a->tsr = (unsigned char *)xstrdup("t");
    a->tsr_len = 1;
    approval_digest(a, "", d);
    assert_string_not_equal(base, d);
    approval_record_free(a);
}

static void test_distinct_signers(void **state)
{
    (void)state;
    approval_list l = {xcalloc(4, sizeof(approval_record *)), 4};
    l.v[0] = record(1, 5, "AA");
    l.v[1] = record(2, 5, "AA");
    l.v[2] = record(3, 5, "BB");
    l.v[3] = record(4, 6, "CC");
    assert_int_equal(approval_distinct_signers(&l, 5), 2);
    assert_int_equal(approval_distinct_signers(&l, 6), 1);
    assert_int_equal(approval_distinct_signers(&l, 7), 0);
    approval_list_release(&l);
    assert_int_equal(l.n, 0);
}

static void test_note_rules(void **state)
{
    (void)state;
    assert_null(approve_note_problem("reopening: checked with the owner — ok"));
    assert_string_equal(approve_note_problem(NULL), "missing");
    assert_string_equal(approve_note_problem(""), "blank");
    assert_string_equal(approve_note_problem("   "), "blank");
    assert_non_null(approve_note_problem("two\nlines"));
    assert_non_null(approve_note_problem("tab\there"));
    assert_non_null(approve_note_problem("esc\x1b[2J"));
    assert_string_equal(approve_note_problem("bad \xff byte"), "not valid UTF-8");
    char *long_note = xmalloc(APPROVAL_NOTE_MAX + 2);
    memset(long_note, 'a', APPROVAL_NOTE_MAX + 1);
    long_note[APPROVAL_NOTE_MAX + 1] = '\0';
    assert_non_null(approve_note_problem(long_note));
    long_note[APPROVAL_NOTE_MAX] = '\0';
    assert_null(approve_note_problem(long_note));
    free(long_note);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statement_binds_the_run),
        cmocka_unit_test(test_statement_refuses_another_run),
        cmocka_unit_test(test_statement_read_refuses_junk),
        cmocka_unit_test(test_approvable),
        cmocka_unit_test(test_canonical_covers_every_field),
        cmocka_unit_test(test_distinct_signers),
        cmocka_unit_test(test_note_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
