#include "reports/csv_export.h"

#include <csv.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "src/utf8.h"
#include "src/util.h"

const char *const csv_result_columns[] = {"run", "started", "check", "subject", "status",
                                          "expected", "observed", "reason", "detail", "facts",
                                          "waiver", NULL};

/* One field; NULL is an empty field. Text from the database is shown as on a terminal
 * (utf8_show: a control byte as \xHH, so that `cat results.csv` cannot repaint the screen),
 * newlines kept. A spreadsheet reads a cell that starts with '=', '+', '-', '@', a tab or a
 * carriage return as a formula (=HYPERLINK(...) in a setting's value): such a cell is
 * written with a leading "'", which the spreadsheet shows as text. The CSV is for reading;
 * the XML report and the canonical forms hold the exact values. */
static int field(FILE *f, const char *value, bool first)
{
    if (!first && fputc(',', f) == EOF)
        return -1;
    char *clean = utf8_show(value ? value : "", UTF8_SHOW_NEWLINE);
    if (strchr("=+-@\t\r", clean[0]) && clean[0]) {
        char *quoted = xasprintf("'%s", clean);
        free(clean);
        clean = quoted;
    }
    int rc = csv_fwrite(f, clean, strlen(clean));
    free(clean);
    return rc;
}

static int end_row(FILE *f)
{
    return fputs("\r\n", f) == EOF ? -1 : 0;
}

static int run_rows(FILE *f, const run_record *r)
{
    int bad = 0;
    char run[32];
    snprintf(run, sizeof run, "%" PRId64, r->id);
    for (size_t i = 0; i < r->n_results && !bad; i++) {
        const result_row *x = &r->results[i];
        bad |= field(f, run, true);
        bad |= field(f, r->started_at, false);
        bad |= field(f, x->check, false);
        bad |= field(f, x->subject, false);
        bad |= field(f, result_status_name(x->status), false);
        bad |= field(f, x->expected, false);
        bad |= field(f, x->observed, false);
        bad |= field(f, x->reason, false);
        bad |= field(f, x->detail, false);
        bad |= field(f, x->facts, false); /* JSON, for tools; the reason is for people */
        /* the waiver that covered a waived failure: its reason and expiry, as in the report */
        char *note = x->status == RESULT_WAIVED ? run_record_waiver_note(r, x->waiver) : NULL;
        bad |= field(f, note, false);
        free(note);
        bad |= end_row(f);
    }
    return bad;
}

vexit report_csv_header(FILE *f, verr *e)
{
    int bad = 0;
    for (size_t i = 0; csv_result_columns[i]; i++)
        bad |= field(f, csv_result_columns[i], i == 0);
    bad |= end_row(f);
    if (bad || ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the CSV export");
    return VOUCH_OK;
}

vexit report_csv_rows(FILE *f, const run_record *r, verr *e)
{
    if (run_rows(f, r) || ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the CSV export");
    return VOUCH_OK;
}

vexit report_csv_runs(FILE *f, run_record *const *runs, size_t n, verr *e)
{
    vexit rc = report_csv_header(f, e);
    for (size_t i = 0; i < n && !rc; i++)
        rc = report_csv_rows(f, runs[i], e);
    return rc;
}

vexit report_csv_results(FILE *f, const run_record *r, verr *e)
{
    run_record *one = (run_record *)r;
    return report_csv_runs(f, &one, 1, e);
}
