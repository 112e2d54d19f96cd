/* vouch report run [ID] | drill [ID] | period PERIOD: a report from the store, as
 * HTML, Markdown, the report XML itself or (runs and periods) a CSV of results.
 *
 * What a report holds and how it is rendered lives in reports/report_produce.h, so
 * that packs write the very same bytes; this file reads the command line, and signs
 * a report written to a file (FILE.p7s) when a signing key is configured
 * (evidence/sign_policy.h). */
#include "src/cli/cmd_report.h"

#include <string.h>

#include "evidence/sign.h"
#include "reports/report_produce.h"
#include "src/util.h"

static vexit parse_id(const char *text, const char *what, int64_t *id, verr *e)
{
    if (!parse_int64(text, id) || *id < 1)
        return verr_set(e, VOUCH_USAGE, "expected a %s id, not \"%s\"", what, text);
    return VOUCH_OK;
}

/* report_write, then the file signed when a key is configured (or --sign). The key is
 * loaded before anything is written, so a key problem leaves no report. */
static vexit write_signed(const report_request *rq, const report_job *job, verr *e)
{
    bool to_file = rq->out_path && strcmp(rq->out_path, "-") != 0;
    if (rq->sign == SIGN_ALWAYS && !to_file)
        return verr_set(e, VOUCH_USAGE, "--sign needs --out FILE: a signature sits beside a file");
    signer *s = NULL;
    vexit rc;
    if (to_file && sign_wanted(&rq->settings->signing, rq->sign) &&
        (rc = signer_from_settings(&rq->settings->signing, &s, e)))
        return rc;
    if (!(rc = report_write(rq->st, job, rq->out_path, e)) && s)
        rc = sign_file(s, rq->out_path, e);
    signer_free(s);
    return rc;
}

vexit cmd_report(const report_request *rq, verr *e)
{
    if (rq->n_args < 1) {
        verr_set(e, VOUCH_USAGE, "report needs what to report on: run [ID], drill [ID] or "
                 "period PERIOD");
        verr_hint(e, "For example 'vouch report period 2026-Q3 --format html --out q3.html'.");
        return e->code;
    }
    report_job job = {.format = rq->format, .templates = rq->templates,
                      .settings = rq->settings, .head = rq->head};
    const char *what = rq->args[0];
    vexit rc;
    if (strcmp(what, "run") == 0 || strcmp(what, "drill") == 0) {
        job.kind = what[0] == 'r' ? REPORT_RUN : REPORT_DRILL;
        if (rq->n_args > 2)
            return verr_set(e, VOUCH_USAGE, "report %s takes at most one %s id (got \"%s\")",
                            what, what, rq->args[2]);
        if (rq->n_args == 2 && (rc = parse_id(rq->args[1], what, &job.id, e)))
            return rc;
    } else if (strcmp(what, "period") == 0) {
        job.kind = REPORT_PERIOD;
        if (rq->n_args != 2) {
            verr_set(e, VOUCH_USAGE, "report period takes one period%s%s%s",
                     rq->n_args > 2 ? " (got \"" : "", rq->n_args > 2 ? rq->args[2] : "",
                     rq->n_args > 2 ? "\")" : "");
            verr_hint(e, "A quarter (2026-Q3), a month (2026-10) or two days "
                         "(2026-07-01..2026-09-30).");
            return e->code;
        }
        job.period = rq->args[1];
    } else {
        verr_set(e, VOUCH_USAGE, "unknown report \"%s\": use run [ID], drill [ID] or period "
                 "PERIOD", what);
        verr_hint(e, "'vouch report run' reports the newest gate or check run.");
        return e->code;
    }
    return write_signed(rq, &job, e);
}
