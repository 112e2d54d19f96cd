#include "reports/period.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "src/util.h"

#define DAY_MS (24LL * 60 * 60 * 1000)

/* ms of 00:00 UTC on y-m-d, false when the day does not exist. */
static bool day_ms(int y, int m, int d, int64_t *ms)
{
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    time_t t = timegm(&tm);
    struct tm back;
    /* timegm rolls 31 April over to 1 May; a day that moved did not exist. */
    if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != m - 1)
        return false;
    *ms = (int64_t)t * 1000;
    return true;
}

static void day_text(int64_t ms, char *buf, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, size, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

/* Exactly n digits at s into *v. */
static bool digits(const char *s, size_t n, int *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

/* "YYYY-MM-DD", exactly. */
static bool parse_day(const char *s, size_t len, int64_t *ms)
{
    int y, m, d;
    return len == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4, &y) && digits(s + 5, 2, &m) &&
           digits(s + 8, 2, &d) && day_ms(y, m, d, ms);
}

static void fill(report_period *p, int64_t from, int64_t until)
{
    p->from_ms = from;
    p->until_ms = until;
    day_text(from, p->first, sizeof p->first);
    day_text(until - DAY_MS, p->last, sizeof p->last);
}

vexit report_period_parse(const char *text, report_period *p, verr *e)
{
    memset(p, 0, sizeof *p);
    const char *s = text ? text : "";
    size_t len = strlen(s);
    int y, n;
    int64_t from, until;
    const char *dots = strstr(s, "..");
    if (len == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q') && digits(s, 4, &y) &&
        digits(s + 6, 1, &n) && n >= 1 && n <= 4 && day_ms(y, 3 * n - 2, 1, &from)) {
        if (!(n == 4 ? day_ms(y + 1, 1, 1, &until) : day_ms(y, 3 * n + 1, 1, &until)))
            goto bad;
        snprintf(p->label, sizeof p->label, "%04u-Q%u", (unsigned)y % 10000u, (unsigned)n % 10u);
        fill(p, from, until);
        return VOUCH_OK;
    }
    if (len == 7 && s[4] == '-' && digits(s, 4, &y) && digits(s + 5, 2, &n) &&
        day_ms(y, n, 1, &from)) {
        if (!(n == 12 ? day_ms(y + 1, 1, 1, &until) : day_ms(y, n + 1, 1, &until)))
            goto bad;
        snprintf(p->label, sizeof p->label, "%04u-%02u", (unsigned)y % 10000u, (unsigned)n % 100u);
        fill(p, from, until);
        return VOUCH_OK;
    }
    if (dots && parse_day(s, (size_t)(dots - s), &from) &&
        parse_day(dots + 2, strlen(dots + 2), &until)) {
        if (until < from) {
            verr_set(e, VOUCH_USAGE, "period \"%s\" ends before it starts", s);
            verr_hint(e, "Write the first day, then the last: 2026-07-01..2026-09-30.");
            return e->code;
        }
        until += DAY_MS;   /* the last day is included */
        fill(p, from, until);
        snprintf(p->label, sizeof p->label, "%s..%s", p->first, p->last);
        return VOUCH_OK;
    }
bad:
    verr_set(e, VOUCH_USAGE, "\"%s\" is not a period: use a quarter (2026-Q3), a month (2026-10) "
             "or two days (2026-07-01..2026-09-30)", s);
    verr_hint(e, "Days are UTC days; both days of a range are included.");
    return e->code;
}

bool report_period_holds(const report_period *p, const char *iso)
{
    int64_t ms;
    return iso && utc_parse_ms(iso, &ms) && ms >= p->from_ms && ms < p->until_ms;
}

void report_quarter_of(int64_t ms, int *year, int *quarter, int64_t *from_ms, int64_t *until_ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    *year = tm.tm_year + 1900;
    *quarter = tm.tm_mon / 3 + 1;
    day_ms(*year, 3 * *quarter - 2, 1, from_ms);
    if (*quarter == 4)
        day_ms(*year + 1, 1, 1, until_ms);
    else
        day_ms(*year, 3 * *quarter + 1, 1, until_ms);
}

void report_month_of(int64_t ms, char buf[16], int64_t *until_ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    int y = tm.tm_year + 1900, m = tm.tm_mon + 1;
    snprintf(buf, 16, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
    if (until_ms && !(m == 12 ? day_ms(y + 1, 1, 1, until_ms) : day_ms(y, m + 1, 1, until_ms)))
        *until_ms = ms + DAY_MS;
}
