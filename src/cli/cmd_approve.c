#include "src/cli/cmd_approve.h"

#include <stdlib.h>
#include <string.h>

#include "evidence/approval.h"
#include "evidence/keys.h"
#include "evidence/sign.h"
#include "evidence/sign_policy.h"
#include "reports/evidence_head.h"
#include "src/utf8.h"
#include "src/util.h"

const char *approve_note_problem(const char *note)
{
    if (!note)
        return "missing";
    size_t n = strlen(note);
    if (n > APPROVAL_NOTE_MAX)
        return "longer than 2000 bytes: an approval's note is one paragraph";
    if (!utf8_valid(note, n))
        return "not valid UTF-8";
    bool blank = true;
    for (const unsigned char *p = (const unsigned char *)note; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return "it holds a control character (a line break, a tab, an escape)";
        if (*p != ' ')
            blank = false;
    }
    return blank ? "blank" : NULL;
}

/* Options win over [signing], as for 'vouch sign'. */
static vexit load_signer(const approve_request *rq, signer **s, verr *e)
{
    key_source src = key_source_from(&rq->settings->signing);
    const sign_cli *o = rq->sign;
    if (o->opt[SIGN_OPT_KEY])
        src.key_path = o->opt[SIGN_OPT_KEY];
    if (o->opt[SIGN_OPT_CERT])
        src.cert_path = o->opt[SIGN_OPT_CERT];
    const char *env = o->opt[SIGN_OPT_PASSPHRASE_ENV], *file = o->opt[SIGN_OPT_PASSPHRASE_FILE];
    if (env && file)
        return verr_set(e, VOUCH_USAGE, "give --passphrase-env or --passphrase-file, not both");
    if (env || file) {
        src.passphrase_env = env;
        src.passphrase_file = file;
    }
    vexit rc = signer_load(s, &src, e);
    if (!rc)
        signer_use_tsa(*s, &rq->settings->signing);
    return rc;
}

static vexit approval_make(const run_record *r, const signer *s, const char *note,
                           approval_record **out, verr *e)
{
    approval_record *a = xcalloc(1, sizeof *a);
    char now[40], fp[100];
    utc_now(now, sizeof now);
    cert_fingerprint(s->cert, fp, sizeof fp);
    a->run_id = r->id;
    a->signer = dn_format(X509_get_subject_name(s->cert));
    if (!utf8_valid(a->signer, strlen(a->signer))) {
        vexit rc = verr_set(e, VOUCH_USAGE, "certificate \"%s\": its subject is not valid UTF-8:"
                            " an approval names its signer as text", s->cert_path ? s->cert_path : "");
        approval_record_free(a);
        return rc;
    }
    a->fingerprint = xstrdup(fp);
    a->approved_at = xstrdup(now);
    a->note = xstrdup(note);
    a->statement = approval_statement(r, a->note, a->approved_at, a->signer, a->fingerprint);
    char *what = xasprintf("the approval of run %lld", (long long)r->id);
    vexit rc = sign_buffer(s, a->statement, strlen(a->statement), what, &a->signature,
                           &a->signature_len, &a->tsr, &a->tsr_len, e);
    free(what);
    if (rc) {
        approval_record_free(a);
        return rc;
    }
    *out = a;
    return VOUCH_OK;
}

vexit cmd_approve(const approve_request *rq, verr *e)
{
    if (rq->n_args != 1)
        return verr_set(e, VOUCH_USAGE, "approve takes one run id (got %d arguments)", rq->n_args);
    int64_t id;
    if (!parse_int64(rq->args[0], &id) || id < 1)
        return verr_set(e, VOUCH_USAGE, "expected a run id, not \"%s\"", rq->args[0]);
    const char *why = approve_note_problem(rq->note);
    if (why) {
        verr_set(e, VOUCH_USAGE, "approve needs --note TEXT saying why reopening is approved:"
                 " the note is %s", why);
        verr_hint(e, "e.g. --note \"checked the gate report with the service owner; reopening\".");
        return e->code;
    }
    /* What is approved must be what the chain sealed: nothing is signed over an edit. */
    evidence_head head;
    vexit rc = evidence_check(rq->st, &head, e);
    if (rc)
        return rc;
    run_record *r;
    if ((rc = store_load_run(rq->st, id, &r, e)))
        return rc;
    if (!approval_run_approvable(r, &why)) {
        verr_set(e, VOUCH_USAGE, "run %lld (%s, %s) cannot be approved: %s", (long long)id, r->kind,
                 r->status, why);
        verr_hint(e, "Approve the gate that let people back in: 'vouch runs' lists them.");
        run_record_free(r);
        return e->code;
    }
    signer *s = NULL;
    approval_record *a = NULL;
    if (!(rc = load_signer(rq, &s, e)) && !(rc = approval_make(r, s, rq->note, &a, e)))
        rc = store_approval_add(rq->st, a, e);
    approval_list all = {0};
    if (!rc)
        rc = store_approvals(rq->st, id, &all, e);
    if (!rc) {
        size_t distinct = approval_distinct_signers(&all, id);
        fprintf(rq->out, "approved run %lld (%s %s, sealed at chain position %lld)\n",
                (long long)id, r->kind, r->status, (long long)r->chain_pos);
        fprintf(rq->out, "  approval     %lld, approval chain %lld:%s\n", (long long)a->id,
                (long long)a->chain_pos, a->digest);
        fprintf(rq->out, "  signer       %s\n  fingerprint  SHA-256 %s\n  at           %s\n",
                a->signer, a->fingerprint, a->approved_at);
        fprintf(rq->out, "  timestamp    %s\n",
                a->tsr ? "RFC 3161 token over the signature, stored with it"
                       : "none: the time is the signer's own clock");
        int need = rq->settings->gate_approvals;
        fprintf(rq->out, "  approvals    %zu from distinct signers%s", distinct,
                all.n > distinct ? " (this signer's earlier approval counts once)" : "");
        if (need)
            fprintf(rq->out, ", of %d [gate] approvals asks%s", need,
                    strcmp(r->status, "passed") != 0 ? " of a passed gate" : "");
        fputc('\n', rq->out);
        if (store_anchor_problem(rq->st)[0])
            fprintf(stderr, "vouch: warning: %s\n", store_anchor_problem(rq->st));
    }
    approval_list_release(&all);
    approval_record_free(a);
    signer_free(s);
    run_record_free(r);
    return rc;
}
