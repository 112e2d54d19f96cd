#include "checks/tz_local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "src/util.h"

bool tz_known(const char *zone)
{
    if (!zone || !*zone || zone[0] == '/' || strstr(zone, ".."))
        return false;
    for (const char *p = zone; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return false;
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char *path = xasprintf("%s/%s", dir, zone);
    struct stat st;
    bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return ok;
}

void tz_enter(tz_scope *s, const char *zone)
{
    const char *old = getenv("TZ");
    s->saved = xstrdup(old);
    s->active = true;
    setenv("TZ", zone, 1);
    tzset();
}

void tz_leave(tz_scope *s)
{
    if (!s->active)
        return;
    if (s->saved)
        setenv("TZ", s->saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(s->saved);
    s->saved = NULL;
    s->active = false;
}

static time_t to_time(int64_t ms)
{
    /* floor division: instants before 1970 keep their second */
    return (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
}

long tz_offset_s(int64_t ms)
{
    time_t t = to_time(ms);
    struct tm tm = {0};
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
}

void tz_utc_to_local(int64_t ms, local_time *lt, int *weekday)
{
    time_t t = to_time(ms);
    struct tm tm = {0};
    localtime_r(&t, &tm);
    *lt = (local_time){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min};
    if (weekday)
        *weekday = tm.tm_wday;
}

/* The wall-clock fields read as if they were UTC: seconds since the epoch. */
static int64_t naive_seconds(const local_time *lt)
{
    struct tm tm = {0};
    tm.tm_year = lt->year - 1900;
    tm.tm_mon = lt->month - 1;
    tm.tm_mday = lt->day;
    tm.tm_hour = lt->hour;
    tm.tm_min = lt->minute;
    return (int64_t)timegm(&tm);
}

static bool same_wall_clock(int64_t s, const local_time *want)
{
    local_time got;
    tz_utc_to_local(s * 1000, &got, NULL);
    return got.year == want->year && got.month == want->month && got.day == want->day &&
           got.hour == want->hour && got.minute == want->minute;
}

int64_t tz_local_to_utc(const local_time *lt)
{
    /* A wall-clock time is at most a day away from the same fields read as UTC, and a
     * zone changes its offset at most once around it: the offsets a day before and a
     * day after are the only candidates. */
    int64_t naive = naive_seconds(lt);
    long before = tz_offset_s((naive - 86400) * 1000);
    long after = tz_offset_s((naive + 86400) * 1000);
    int64_t a = naive - before, b = naive - after;
    bool a_ok = same_wall_clock(a, lt), b_ok = same_wall_clock(b, lt);
    if (a_ok && b_ok)
        return (a < b ? a : b) * 1000; /* repeated: the first occurrence */
    if (a_ok)
        return a * 1000;
    if (b_ok)
        return b * 1000;
    return a * 1000; /* skipped: the offset before the change */
}

void tz_format(int64_t ms, char *buf, size_t size)
{
    time_t t = to_time(ms);
    struct tm tm = {0};
    if (!localtime_r(&t, &tm)) {
        snprintf(buf, size, "(out of range)");
        return;
    }
    if (!strftime(buf, size, "%Y-%m-%d %H:%M %Z", &tm) && size)
        buf[0] = '\0';
}

int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return days[month - 1];
}

int weekday_of(int year, int month, int day)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    return back.tm_wday;
}

void date_add_days(int *year, int *month, int *day, int n)
{
    struct tm tm = {0};
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month - 1;
    tm.tm_mday = *day + n;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    *year = back.tm_year + 1900;
    *month = back.tm_mon + 1;
    *day = back.tm_mday;
}
