/* Producing a finished report from the store: the one entry point for 'vouch report'
 * and for anything else that writes reports (packs). It loads what the report needs,
 * builds the document, validates it against the templates' report.rng and renders it. */
#ifndef VOUCH_REPORT_PRODUCE_H
#define VOUCH_REPORT_PRODUCE_H

#include <stddef.h>
#include <stdint.h>

#include "evidence/store/store.h"
#include "reports/evidence_head.h"
#include "src/settings.h"
#include "src/verr.h"

typedef enum report_kind {
    REPORT_RUN,     /* the gate report of one gate or check run */
    REPORT_DRILL,   /* the drill report of one drill */
    REPORT_PERIOD   /* the compliance report of a period */
} report_kind;

typedef struct report_job {
    report_kind kind;
    int64_t id;                      /* run or drill id; 0: the newest */
    const char *period;              /* REPORT_PERIOD: "2026-Q3", "2026-10", "2026-07-01..2026-09-30" */
    const char *format;              /* "html", "markdown" ("md"), "xml", "csv"; NULL: html */
    const char *templates;           /* a templates folder, or NULL (see templates_dir.h) */
    const vouch_settings *settings;  /* [report] templates and organisation; may be NULL */
    const evidence_head *head;       /* the store verified by the caller, its heads; NULL:
                                        report_build verifies it (evidence_check) */
} report_job;

/* The report's bytes into *out (caller frees), *len long. Identical inputs give
 * identical bytes: nothing but the store goes in. VOUCH_USAGE for a bad period,
 * format, id, or a store with nothing to report; VOUCH_FAILED for a store whose
 * chain is broken (nothing is reported from it). Every report but CSV states the
 * heads of the store's chains (<store-head>). */
vexit report_build(store *st, const report_job *job, char **out, size_t *len, verr *e);

/* report_build, then the bytes written whole to path (NULL or "-": standard output). */
vexit report_write(store *st, const report_job *job, const char *path, verr *e);

#endif
