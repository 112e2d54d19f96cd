/* The checks of one sealed approval that do not depend on where it is stored. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/approval.h"
#include "evidence/sign.h"
#include "src/util.h"

bool approval_check(const approval_record *a, int64_t want_pos, const char *prev,
                    const run_record *run, char *why, size_t n)
{
    char digest[DIGEST_HEX_LEN + 1];
    approval_digest(a, prev, digest);
    if (a->chain_pos != want_pos) {
        snprintf(why, n, "approval %lld sits at approval chain position %lld where %lld was"
                 " expected: an approval before it is missing", (long long)a->id,
                 (long long)a->chain_pos, (long long)want_pos);
        return false;
    }
    if (strcmp(a->prev_digest ? a->prev_digest : "", prev ? prev : "") != 0) {
        snprintf(why, n, "approval %lld does not link to the approval sealed before it",
                 (long long)a->id);
        return false;
    }
    if (!a->digest || strcmp(a->digest, digest) != 0) {
        snprintf(why, n, "approval %lld does not match its digest: it was changed after it was"
                 " sealed", (long long)a->id);
        return false;
    }
    sig_report r;
    verr se;
    verr_clear(&se);
    char *what = xasprintf("approval %lld", (long long)a->id);
    vexit src = verify_buffer(a->statement, a->statement ? strlen(a->statement) : 0, a->signature,
                              a->signature_len, what, &r, &se);
    free(what);
    if (src) {
        snprintf(why, n, "%s", se.msg);
        sig_report_release(&r);
        return false;
    }
    approval_claim c;
    json_t *doc;
    const char *wrong = NULL;
    if (!approval_statement_read(a->statement, &c, &doc))
        wrong = "its statement is not a " APPROVAL_FORMAT " statement";
    else if (!a->fingerprint || !a->signer || strcmp(r.fingerprint, a->fingerprint) != 0 ||
             strcmp(c.fingerprint, a->fingerprint) != 0 || strcmp(c.signer, a->signer) != 0 ||
             strcmp(r.signer, a->signer) != 0)
        wrong = "it was signed by another certificate than the one it names";
    else if (c.run_id != a->run_id || !a->note || strcmp(c.note, a->note) != 0 ||
             !a->approved_at || strcmp(c.approved_at, a->approved_at) != 0)
        wrong = "its row says other than its signed statement";
    else
        (void)approval_matches_run(&c, run, &wrong); /* wrong stays NULL when it does */
    sig_report_release(&r);
    json_decref(doc);
    if (wrong)
        snprintf(why, n, "approval %lld of run %lld does not hold: %s", (long long)a->id,
                 (long long)a->run_id, wrong);
    return !wrong;
}
