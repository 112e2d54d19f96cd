/* Which monthly periods residency evidence must cover as of an instant. Months are
 * calendar months in UTC, numbered year * 12 + (month - 1). */
#ifndef VOUCH_RESIDENCY_PERIOD_H
#define VOUCH_RESIDENCY_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The month an instant falls in. */
int month_of(int64_t ms);
/* The instant a month starts (00:00 UTC on its first day). */
int64_t month_start(int month);
/* "2026-09" into buf (8 bytes at least). */
void month_format(int month, char *buf, size_t size);
/* Parse "2026-09" (what the check's query returns). */
bool month_parse(const char *s, int *month);

/* The newest month whose evidence is due as of as_of: the last month that ended at
 * least grace_ms before it. The required months are that one and the n - 1 before. */
int month_last_due(int64_t as_of, int64_t grace_ms);

#endif
