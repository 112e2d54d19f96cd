/* The backup policy grammar: one line per kind of backup in [backups] policy.
 *
 *   policy = NAME CADENCE keep SPAN [regions R1,R2,...] [encrypted] [slack SPAN]
 *
 *   CADENCE  hourly [:MM] | daily HH:MM | weekly DAY HH:MM
 *            | monthly first-business-day HH:MM
 *   SPAN     a number and a unit: 90s, 45min, 36h, 30d, 12w, 12mo (calendar months,
 *            keep only)
 *
 * Times are wall-clock times in the section's time zone. */
#ifndef VOUCH_BACKUP_POLICY_H
#define VOUCH_BACKUP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cadence_kind {
    CADENCE_HOURLY,
    CADENCE_DAILY,
    CADENCE_WEEKLY,
    CADENCE_MONTHLY_FIRST_BUSINESS_DAY,
} cadence_kind;

typedef struct cadence {
    cadence_kind kind;
    int hour, minute;   /* hourly: minute past each hour only */
    int weekday;        /* weekly: 0 = Sunday */
} cadence;

/* A length of time: a fixed number of milliseconds, or calendar months. */
typedef struct span {
    int64_t ms;
    int months;
} span;

typedef struct backup_policy {
    char *kind;           /* the inventory's kind this line judges */
    cadence when;
    span keep;
    char *keep_text;      /* keep as configured ("12w"), for what the check shows */
    char **regions;       /* NULL-terminated; NULL when any region will do */
    size_t n_regions;
    bool encrypted;
    bool has_slack;
    int64_t slack_ms;     /* this kind's own slack, when has_slack */
} backup_policy;

/* Parse "30d", "12mo" and so on; months only when months_ok. */
bool span_parse(const char *text, bool months_ok, span *out);
/* "30d", "12mo", "36h", "90min", "45s", "250ms": the largest whole unit. */
void span_format(const span *s, char *buf, size_t size);

/* Parse a policy line. On failure why says what is wrong (and *out is untouched). */
bool backup_policy_parse(const char *line, backup_policy *out, char *why, size_t size);
void backup_policy_release(backup_policy *p);

/* "daily 02:00", "weekly sunday 03:00", "monthly first-business-day 09:00", "hourly :00". */
void cadence_describe(const cadence *c, char *buf, size_t size);

/* ms moved back (or, after, forward) by a span; calendar months in the current zone
 * (see tz_local.h), the day clamped to the month's last. */
int64_t span_before(const span *s, int64_t ms);
int64_t span_after(const span *s, int64_t ms);

#endif
