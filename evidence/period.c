#include "evidence/period.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAY_MS (24LL * 60 * 60 * 1000)

/* Exactly n decimal digits at s. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Midnight UTC of a calendar day, refusing days the month does not have. */
static bool day_ms(int year, int month, int day, int64_t *ms)
{
    if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31)
        return false;
    struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day};
    time_t t = timegm(&tm);
    struct tm back;
    if (t == (time_t)-1 || !gmtime_r(&t, &back) || back.tm_mday != day || back.tm_mon != month - 1)
        return false;
    *ms = (int64_t)t * 1000;
    return true;
}

/* "YYYY-MM-DD" and nothing else. */
static bool date_ms(const char *s, size_t len, int64_t *ms)
{
    int y, m, d;
    return len == 10 && digits(s, 4, &y) && s[4] == '-' && digits(s + 5, 2, &m) && s[7] == '-' &&
           digits(s + 8, 2, &d) && day_ms(y, m, d, ms);
}

static void day_text(int64_t ms, char out[11])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static vexit bad(const char *text, verr *e)
{
    verr_set(e, VOUCH_USAGE, "period \"%s\" is not a quarter, a month or FROM..TO dates", text);
    verr_hint(e, "Write 2026-Q3, 2026-10 or 2026-07-01..2026-09-30 (days in UTC, both included).");
    return e->code;
}

vexit period_parse(const char *text, period *out, verr *e)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(text);
    int year, n;
    const char *dots = strstr(text, "..");
    if (dots) {
        size_t a = (size_t)(dots - text);
        int64_t last;
        if (!date_ms(text, a, &out->from_ms) || !date_ms(dots + 2, len - a - 2, &last))
            return bad(text, e);
        if (last < out->from_ms)
            return verr_set(e, VOUCH_USAGE, "period \"%s\" ends before it starts", text);
        out->to_ms = last + DAY_MS;
    } else if (len == 7 && digits(text, 4, &year) && text[4] == '-' && text[5] == 'Q' &&
               digits(text + 6, 1, &n)) {
        if (n < 1 || n > 4)
            return verr_set(e, VOUCH_USAGE, "period \"%s\": a year has quarters Q1 to Q4", text);
        if (!day_ms(year, 3 * (n - 1) + 1, 1, &out->from_ms) ||
            !(n == 4 ? day_ms(year + 1, 1, 1, &out->to_ms) : day_ms(year, 3 * n + 1, 1, &out->to_ms)))
            return bad(text, e);
    } else if (len == 7 && digits(text, 4, &year) && text[4] == '-' && digits(text + 5, 2, &n)) {
        if (n < 1 || n > 12)
            return verr_set(e, VOUCH_USAGE, "period \"%s\": months run from 01 to 12", text);
        if (!day_ms(year, n, 1, &out->from_ms) ||
            !(n == 12 ? day_ms(year + 1, 1, 1, &out->to_ms) : day_ms(year, n + 1, 1, &out->to_ms)))
            return bad(text, e);
    } else {
        return bad(text, e);
    }
    snprintf(out->label, sizeof out->label, "%s", text);
    day_text(out->from_ms, out->first);
    day_text(out->to_ms - DAY_MS, out->last);
    return VOUCH_OK;
}

bool period_contains(const period *p, int64_t ms)
{
    return ms >= p->from_ms && ms < p->to_ms;
}
