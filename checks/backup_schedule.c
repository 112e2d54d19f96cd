#include "checks/backup_schedule.h"

#include <stdlib.h>

#include "checks/tz_local.h"
#include "src/util.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Hourly slots are the instants whose local minute is c->minute, every real hour: the
 * hour the clocks repeat in autumn has its own slot, the hour they skip in spring none. */
static int64_t hourly_at_or_after(const cadence *c, int64_t ms)
{
    int64_t cand = ms;
    for (int round = 0; round < 3; round++) {
        long off = tz_offset_s(cand) * 1000L;
        int64_t local = ms + off;
        int64_t base = floor_div(local, 3600000) * 3600000 + c->minute * 60000LL;
        int64_t next = base - off;
        if (next < ms)
            next += 3600000;
        if (tz_offset_s(next) * 1000L == off)
            return next;
        cand = next;
    }
    return cand;
}

static bool is_first_business_day(int y, int m, int d)
{
    for (int day = 1; day < d; day++) {
        int wd = weekday_of(y, m, day);
        if (wd >= 1 && wd <= 5)
            return false;
    }
    int wd = weekday_of(y, m, d);
    return wd >= 1 && wd <= 5;
}

int64_t slot_at_or_after(const cadence *c, int64_t ms)
{
    if (c->kind == CADENCE_HOURLY)
        return hourly_at_or_after(c, ms);
    local_time lt;
    tz_utc_to_local(ms, &lt, NULL);
    int y = lt.year, m = lt.month, d = lt.day;
    date_add_days(&y, &m, &d, -1); /* the day before: a slot may fall there in UTC terms */
    /* a month and a bit covers every cadence's next slot */
    for (int i = 0; i < 70; i++, date_add_days(&y, &m, &d, 1)) {
        if (c->kind == CADENCE_WEEKLY && weekday_of(y, m, d) != c->weekday)
            continue;
        if (c->kind == CADENCE_MONTHLY_FIRST_BUSINESS_DAY && !is_first_business_day(y, m, d))
            continue;
        local_time at = {y, m, d, c->hour, c->minute};
        int64_t t = tz_local_to_utc(&at);
        if (t >= ms)
            return t;
    }
    return INT64_MAX; /* not reached for a valid cadence */
}

/* Index of the first time >= t. */
static size_t lower_bound(const int64_t *v, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void add_miss(slot_report *r, size_t *cap, int64_t slot, int64_t taken)
{
    grow((void **)&r->misses, cap, r->n_misses + 1, sizeof *r->misses);
    r->misses[r->n_misses++] = (slot_miss){slot, taken};
}

static int64_t early_for(int64_t slot, int64_t next, int64_t slack)
{
    return slack < (next - slot) / 2 ? slack : (next - slot) / 2;
}

int64_t slot_serving(const cadence *c, int64_t taken, int64_t slack)
{
    int64_t s = slot_at_or_after(c, taken - slack);
    for (;;) {
        int64_t next = slot_at_or_after(c, s + 1);
        if (taken < next - early_for(s, next, slack))
            return s;
        s = next;
    }
}

void schedule_judge(const cadence *c, const int64_t *taken, size_t n, int64_t lo, int64_t hi,
                    int64_t slack, slot_report *out)
{
    *out = (slot_report){0};
    size_t cap = 0;
    for (int64_t s = slot_at_or_after(c, lo); s <= hi; ) {
        int64_t next = slot_at_or_after(c, s + 1);
        int64_t early = early_for(s, next, slack);
        size_t i = lower_bound(taken, n, s - early);
        out->judged++;
        if (i == n || taken[i] >= next - early) {
            out->missing++;
            add_miss(out, &cap, s, SLOT_MISSING);
        } else if (taken[i] - s > slack) {
            out->late++;
            add_miss(out, &cap, s, taken[i]);
        }
        s = next;
    }
}

int64_t worst_gap(const int64_t *times, size_t n, int64_t lo, int64_t hi, int64_t *from,
                  int64_t *to)
{
    *from = *to = 0;
    /* Points that expired before now are not in the inventory: a gap reaching back past
     * lo would measure what retention removed, not what was missed. */
    size_t i = lower_bound(times, n, lo);
    if (i == n && n > 0)
        i = n - 1; /* every point is older than lo: the gap runs from the newest to hi */
    int64_t worst = 0;
    for (; i < n && times[i] <= hi; i++) {
        int64_t end = i + 1 < n && times[i + 1] <= hi ? times[i + 1] : hi;
        if (end - times[i] > worst || (worst == 0 && !*to)) {
            worst = end - times[i];
            *from = times[i];
            *to = end;
        }
    }
    return worst;
}
