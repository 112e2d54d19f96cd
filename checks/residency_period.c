#include "checks/residency_period.h"

#include <stdio.h>
#include <time.h>

int month_of(int64_t ms)
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 12 + tm.tm_mon;
}

int64_t month_start(int month)
{
    struct tm tm = {0};
    tm.tm_year = month / 12 - 1900;
    tm.tm_mon = month % 12;
    tm.tm_mday = 1;
    return (int64_t)timegm(&tm) * 1000;
}

void month_format(int month, char *buf, size_t size)
{
    snprintf(buf, size, "%04d-%02d", month / 12, month % 12 + 1);
}

bool month_parse(const char *s, int *month)
{
    int y = 0, m = 0;
    for (int i = 0; i < 7; i++) {
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
        if (i < 4)
            y = y * 10 + (s[i] - '0');
        else if (i > 4)
            m = m * 10 + (s[i] - '0');
    }
    if (s[7] || m < 1 || m > 12)
        return false;
    *month = y * 12 + m - 1;
    return true;
}

int month_last_due(int64_t as_of, int64_t grace_ms)
{
    /* month M is due once month_start(M + 1) + grace <= as_of */
    return month_of(as_of - grace_ms) - 1;
}
