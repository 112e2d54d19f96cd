/* Local wall-clock time in a named zone, through the system's zone database (tzdata).
 *
 * The C library knows one zone at a time, the one TZ names. tz_enter points TZ at
 * the zone a policy is written in and tz_leave puts the caller's TZ back; every
 * conversion in between is in that zone. vouch runs its checks on one thread, so a
 * scope around one check is safe. */
#ifndef VOUCH_TZ_LOCAL_H
#define VOUCH_TZ_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tz_scope {
    char *saved;   /* the caller's TZ, NULL when it was unset */
    bool active;
} tz_scope;

/* Is zone a name the zone database holds ("Australia/Sydney", "UTC")? Names are
 * looked up under $TZDIR, else /usr/share/zoneinfo; a path or ".." is refused. */
bool tz_known(const char *zone);

/* Make zone the library's zone until tz_leave. zone must be tz_known. */
void tz_enter(tz_scope *s, const char *zone);
void tz_leave(tz_scope *s);

/* A local calendar date and wall-clock time. */
typedef struct local_time {
    int year, month, day;   /* month 1-12 */
    int hour, minute;
} local_time;

/* The instant (ms since the epoch) a wall-clock time names in the current zone.
 * A time the clocks repeat (autumn) is its first occurrence; a time the clocks skip
 * (spring) is read with the offset before the change, so 02:00 on the day Sydney
 * moves from 02:00 to 03:00 is 03:00 AEDT, the instant of the change. */
int64_t tz_local_to_utc(const local_time *lt);

/* The wall-clock time of an instant in the current zone; *weekday 0 = Sunday
 * (weekday may be NULL). */
void tz_utc_to_local(int64_t ms, local_time *lt, int *weekday);

/* The zone's offset from UTC at an instant, in seconds. */
long tz_offset_s(int64_t ms);

/* "2026-09-28 02:00 AEST" into buf. */
void tz_format(int64_t ms, char *buf, size_t size);

/* Calendar helpers, no zone involved. */
int days_in_month(int year, int month);
/* 0 = Sunday for a calendar date. */
int weekday_of(int year, int month, int day);
/* Move a date by n days (n may be negative). */
void date_add_days(int *year, int *month, int *day, int n);

#endif
