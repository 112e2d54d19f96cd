/* A reporting period: a quarter ("2026-Q3"), a month ("2026-10") or a range of
 * dates ("2026-07-01..2026-09-30", both days included). Days are UTC days. */
#ifndef VOUCH_PERIOD_H
#define VOUCH_PERIOD_H

#include <stdbool.h>
#include <stdint.h>

#include "src/verr.h"

typedef struct report_period {
    char label[48];    /* as given, normalised: "2026-Q3", "2026-10", "2026-07-01..2026-09-30" */
    char first[16];    /* the first day, "2026-07-01" */
    char last[16];     /* the last day, included, "2026-09-30" */
    int64_t from_ms;   /* the first instant, ms since the epoch */
    int64_t until_ms;  /* the first instant after the period */
} report_period;

/* Parse text into *p; VOUCH_USAGE naming text and the accepted forms when it is
 * none of them (a month 13, a 31 April, a range that ends before it starts). */
vexit report_period_parse(const char *text, report_period *p, verr *e);

/* Whether the UTC time iso (as the store writes it) falls inside p. */
bool report_period_holds(const report_period *p, const char *iso);

/* The quarter holding ms: year and quarter 1..4, its first instant and the first after it. */
void report_quarter_of(int64_t ms, int *year, int *quarter, int64_t *from_ms, int64_t *until_ms);

/* The month holding ms as "YYYY-MM", and the first instant after it. */
void report_month_of(int64_t ms, char buf[16], int64_t *until_ms);

#endif
