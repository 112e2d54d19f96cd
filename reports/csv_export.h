/* CSV exports of stored results, written with libcsv (every field quoted by
 * csv_fwrite, so commas, quotes and newlines inside values survive). */
#ifndef VOUCH_CSV_EXPORT_H
#define VOUCH_CSV_EXPORT_H

#include <stdio.h>

#include "evidence/run_record.h"
#include "src/verr.h"

/* The columns, in order, of the results export. */
extern const char *const csv_result_columns[];

/* A header row, then one row per result of run r (RFC 4180: CRLF line ends). */
vexit report_csv_results(FILE *f, const run_record *r, verr *e);

/* The two halves of it, for exports of several runs in one file: the header row, and
 * one row per result of r. */
vexit report_csv_header(FILE *f, verr *e);
vexit report_csv_rows(FILE *f, const run_record *r, verr *e);
/* A header row, then the results of each run in turn (a period's export). */
vexit report_csv_runs(FILE *f, run_record *const *runs, size_t n, verr *e);

#endif
