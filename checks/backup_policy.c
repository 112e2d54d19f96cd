#include "checks/backup_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checks/tz_local.h"
#include "src/util.h"

static const struct {
    const char *unit;
    int64_t ms;
} span_units[] = {{"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000},
                  {"d", 86400000}, {"w", 7 * 86400000LL}};
/* span_format stops at days: "84d" reads plainer than "12w" next to "30d" */
#define FORMAT_UNITS 5

bool span_parse(const char *text, bool months_ok, span *out)
{
    const char *p = text;
    int64_t n = 0;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (n > 100000000)
            return false;
        n = n * 10 + (*p - '0');
    }
    if (strcmp(p, "mo") == 0) {
        if (!months_ok || n < 1 || n > 1200)
            return false;
        *out = (span){0, (int)n};
        return true;
    }
    for (size_t i = 0; i < sizeof span_units / sizeof span_units[0]; i++)
        if (strcmp(p, span_units[i].unit) == 0) {
            *out = (span){n * span_units[i].ms, 0};
            return true;
        }
    return false;
}

void span_format(const span *s, char *buf, size_t size)
{
    if (s->months) {
        snprintf(buf, size, "%dmo", s->months);
        return;
    }
    for (size_t i = FORMAT_UNITS; i-- > 0;)
        if (s->ms % span_units[i].ms == 0 && (s->ms || i == 0) &&
            (span_units[i].ms < 86400000 || s->ms >= 2 * 86400000LL)) {
            snprintf(buf, size, "%lld%s", (long long)(s->ms / span_units[i].ms),
                     span_units[i].unit);
            return;
        }
    snprintf(buf, size, "%lldms", (long long)s->ms);
}

static bool parse_hhmm(const char *t, int *h, int *m)
{
    if (strlen(t) != 5 || t[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (t[i] < '0' || t[i] > '9'))
            return false;
    *h = (t[0] - '0') * 10 + (t[1] - '0');
    *m = (t[3] - '0') * 10 + (t[4] - '0');
    return *h < 24 && *m < 60;
}

static const char *const weekdays[] = {"sunday", "monday", "tuesday", "wednesday",
                                       "thursday", "friday", "saturday"};

static int parse_weekday(const char *t)
{
    for (int i = 0; i < 7; i++)
        if (strcasecmp(t, weekdays[i]) == 0 || (strlen(t) == 3 && strncasecmp(t, weekdays[i], 3) == 0))
            return i;
    return -1;
}

/* Whitespace-separated words of a line; each owned by the array. */
typedef struct words {
    char **v;
    size_t n, cap;
} words;

static void split(const char *line, words *w)
{
    const char *p = line;
    for (;;) {
        p += strspn(p, " \t");
        if (!*p)
            break;
        size_t len = strcspn(p, " \t");
        grow((void **)&w->v, &w->cap, w->n + 1, sizeof *w->v);
        w->v[w->n++] = xstrndup(p, len);
        p += len;
    }
}

static void words_release(words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
}

static bool valid_kind(const char *k)
{
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.'))
            return false;
    return *k != '\0';
}

/* The cadence at w->v[*i...]; advances *i past it. */
static bool parse_cadence(const words *w, size_t *i, cadence *c, char *why, size_t size)
{
    const char *k = *i < w->n ? w->v[*i] : "";
    const char *next = *i + 1 < w->n ? w->v[*i + 1] : "";
    *c = (cadence){0};
    if (strcmp(k, "hourly") == 0) {
        c->kind = CADENCE_HOURLY;
        (*i)++;
        if (next[0] == ':') {
            int h;
            char t[8];
            snprintf(t, sizeof t, "00%s", next);
            if (!parse_hhmm(t, &h, &c->minute)) {
                snprintf(why, size, "\"%s\" is not a minute past the hour such as :15", next);
                return false;
            }
            (*i)++;
        }
        return true;
    }
    if (strcmp(k, "daily") == 0) {
        c->kind = CADENCE_DAILY;
        if (!parse_hhmm(next, &c->hour, &c->minute)) {
            snprintf(why, size, "daily needs a local time such as 02:00, not \"%s\"", next);
            return false;
        }
        *i += 2;
        return true;
    }
    if (strcmp(k, "weekly") == 0) {
        c->kind = CADENCE_WEEKLY;
        const char *t = *i + 2 < w->n ? w->v[*i + 2] : "";
        if ((c->weekday = parse_weekday(next)) < 0) {
            snprintf(why, size, "weekly needs a weekday such as sunday, not \"%s\"", next);
            return false;
        }
        if (!parse_hhmm(t, &c->hour, &c->minute)) {
            snprintf(why, size, "weekly %s needs a local time such as 03:00, not \"%s\"", next, t);
            return false;
        }
        *i += 3;
        return true;
    }
    if (strcmp(k, "monthly") == 0) {
        c->kind = CADENCE_MONTHLY_FIRST_BUSINESS_DAY;
        const char *t = *i + 2 < w->n ? w->v[*i + 2] : "";
        if (strcmp(next, "first-business-day") != 0) {
            snprintf(why, size, "monthly needs first-business-day, not \"%s\"", next);
            return false;
        }
        if (!parse_hhmm(t, &c->hour, &c->minute)) {
            snprintf(why, size, "monthly first-business-day needs a local time such as 09:00, not \"%s\"",
                     t);
            return false;
        }
        *i += 3;
        return true;
    }
    snprintf(why, size, "\"%s\" is not a cadence: use hourly, daily HH:MM, weekly DAY HH:MM or"
                        " monthly first-business-day HH:MM", k);
    return false;
}

static bool parse_regions(const char *list, backup_policy *p, char *why, size_t size)
{
    const char *s = list;
    for (;;) {
        size_t len = strcspn(s, ",");
        if (len == 0) {
            snprintf(why, size, "empty region in \"%s\"", list);
            return false;
        }
        p->regions = xrealloc(p->regions, (p->n_regions + 2) * sizeof *p->regions);
        p->regions[p->n_regions++] = xstrndup(s, len);
        p->regions[p->n_regions] = NULL;
        if (!s[len])
            return true;
        s += len + 1;
    }
}

bool backup_policy_parse(const char *line, backup_policy *out, char *why, size_t size)
{
    words w = {0};
    split(line, &w);
    backup_policy p = {0};
    bool ok = false, has_keep = false;
    size_t i = 1;
    if (w.n == 0) {
        snprintf(why, size, "empty policy: write NAME CADENCE keep SPAN ...");
        goto out;
    }
    if (!valid_kind(w.v[0])) {
        snprintf(why, size, "\"%s\" is not a kind name (letters, digits, - _ .)", w.v[0]);
        goto out;
    }
    p.kind = xstrdup(w.v[0]);
    if (!parse_cadence(&w, &i, &p.when, why, size))
        goto out;
    while (i < w.n) {
        const char *k = w.v[i], *v = i + 1 < w.n ? w.v[i + 1] : NULL;
        if (strcmp(k, "encrypted") == 0) {
            p.encrypted = true;
            i++;
            continue;
        }
        if (!v || (strcmp(k, "keep") && strcmp(k, "regions") && strcmp(k, "slack"))) {
            snprintf(why, size, v ? "unknown word \"%s\": expected keep, regions, encrypted or slack"
                                  : "\"%s\" needs a value", k);
            goto out;
        }
        if (strcmp(k, "keep") == 0) {
            if (!span_parse(v, true, &p.keep) || (!p.keep.ms && !p.keep.months)) {
                snprintf(why, size, "keep \"%s\" is not a span such as 36h, 30d, 12w or 12mo", v);
                goto out;
            }
            has_keep = true;
            free(p.keep_text);
            p.keep_text = xstrdup(v);
        } else if (strcmp(k, "slack") == 0) {
            span s;
            if (!span_parse(v, false, &s)) {
                snprintf(why, size, "slack \"%s\" is not a span such as 30min or 2h", v);
                goto out;
            }
            p.has_slack = true;
            p.slack_ms = s.ms;
        } else if (p.regions) {
            snprintf(why, size, "regions given twice");
            goto out;
        } else if (!parse_regions(v, &p, why, size)) {
            goto out;
        }
        i += 2;
    }
    if (!has_keep) {
        snprintf(why, size, "no retention: add keep SPAN (e.g. keep 30d)");
        goto out;
    }
    ok = true;
    *out = p;
out:
    if (!ok)
        backup_policy_release(&p);
    words_release(&w);
    return ok;
}

void backup_policy_release(backup_policy *p)
{
    free(p->kind);
    free(p->keep_text);
    for (size_t i = 0; i < p->n_regions; i++)
        free(p->regions[i]);
    free(p->regions);
    *p = (backup_policy){0};
}

void cadence_describe(const cadence *c, char *buf, size_t size)
{
    switch (c->kind) {
    case CADENCE_HOURLY:
        snprintf(buf, size, "hourly :%02d", c->minute);
        break;
    case CADENCE_DAILY:
        snprintf(buf, size, "daily %02d:%02d", c->hour, c->minute);
        break;
    case CADENCE_WEEKLY:
        snprintf(buf, size, "weekly %s %02d:%02d", weekdays[c->weekday], c->hour, c->minute);
        break;
    case CADENCE_MONTHLY_FIRST_BUSINESS_DAY:
        snprintf(buf, size, "monthly first-business-day %02d:%02d", c->hour, c->minute);
        break;
    }
}

static int64_t add_months(int64_t ms, int months)
{
    local_time lt;
    tz_utc_to_local(ms, &lt, NULL);
    int m0 = lt.year * 12 + (lt.month - 1) + months;
    lt.year = m0 / 12;
    lt.month = m0 % 12 + 1;
    int last = days_in_month(lt.year, lt.month);
    if (lt.day > last)
        lt.day = last;
    /* keep the seconds within the minute that local_time does not carry */
    int64_t within = ((ms % 60000) + 60000) % 60000;
    return tz_local_to_utc(&lt) + within;
}

int64_t span_before(const span *s, int64_t ms)
{
    return s->months ? add_months(ms, -s->months) : ms - s->ms;
}

int64_t span_after(const span *s, int64_t ms)
{
    return s->months ? add_months(ms, s->months) : ms + s->ms;
}
