/* 'vouch approve RUN --note TEXT [--key KEY] [--cert CERT]': a signed approval of a sealed
 * gate run, sealed into the store's approval chain (docs/approvals.md). */
#ifndef VOUCH_CMD_APPROVE_H
#define VOUCH_CMD_APPROVE_H

#include <stdio.h>

#include "evidence/store/store.h"
#include "src/cli/cmd_sign.h"
#include "src/settings.h"
#include "src/verr.h"

typedef struct approve_request {
    store *st;                      /* opened to write */
    const vouch_settings *settings; /* [signing], [gate] approvals */
    const sign_cli *sign;           /* --key, --cert, --passphrase-env, --passphrase-file */
    const char *note;               /* --note, or NULL */
    char **args;
    int n_args;
    FILE *out;
} approve_request;

vexit cmd_approve(const approve_request *rq, verr *e);

/* Why a note cannot be an approval's (static text), or NULL when it can: one paragraph of
 * valid UTF-8, no control characters, not blank, at most APPROVAL_NOTE_MAX bytes. */
const char *approve_note_problem(const char *note);

#endif
