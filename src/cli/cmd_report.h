/* vouch report: render what the store holds as a report. */
#ifndef VOUCH_CMD_REPORT_H
#define VOUCH_CMD_REPORT_H

#include "evidence/sign_policy.h"
#include "evidence/store/store.h"
#include "reports/evidence_head.h"
#include "src/settings.h"
#include "src/verr.h"

typedef struct report_request {
    store *st;                        /* opened read-only by main */
    const vouch_settings *settings;   /* [report] templates and organisation */
    const char *templates;            /* --templates DIR, or NULL */
    const char *format;               /* --format, or NULL: html */
    const char *out_path;             /* --out FILE, or NULL: standard output */
    char **args;                      /* "run" [ID], "drill" [ID], "period" PERIOD */
    int n_args;
    sign_mode sign;                   /* a report written to a file is signed (FILE.p7s) */
    const evidence_head *head;        /* the store's chains, verified by the caller; NULL:
                                         each report verifies them (reports/evidence_head.h) */
} report_request;

vexit cmd_report(const report_request *rq, verr *e);

#endif
