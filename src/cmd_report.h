/* vouch report: render what the store holds as a report. */
#ifndef VOUCH_CMD_REPORT_H
#define VOUCH_CMD_REPORT_H

#include "evidence/store.h"
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
} report_request;

vexit cmd_report(const report_request *rq, verr *e);

#endif
