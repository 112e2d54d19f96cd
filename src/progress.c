#include "src/progress.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "src/utf8.h"
#include "src/util.h"

/* Seconds between redraws: a terminal, as pg_verifybackup; a log gets fewer lines. */
#define LIVE_EVERY 1.0
#define PLAIN_EVERY 5.0

struct progress {
    FILE *f;
    bool live;
    bool shown;        /* a live line is on the terminal */
    char *what;
    char unit[16];
    double done, total;
    double started, drawn; /* seconds (monotonic) of begin and of the last draw */
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

progress *progress_new(FILE *f, bool live)
{
    progress *p = xcalloc(1, sizeof *p);
    p->f = f;
    p->live = live;
    return p;
}

void progress_free(progress *p)
{
    if (!p)
        return;
    progress_clear(p);
    free(p->what);
    free(p);
}

/* 1234567 as "1 234 567": the thousands style of vouch's reports */
static void grouped(char *buf, size_t size, double v)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
    size_t n = strlen(digits), at = 0;
    for (size_t i = 0; i < n && at + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[at++] = ' ';
        buf[at++] = digits[i];
    }
    buf[at] = '\0';
}

static void span(char *buf, size_t size, double s)
{
    long v = (long)(s + 0.5);
    if (v < 60)
        snprintf(buf, size, "%ld s", v);
    else if (v < 3600)
        snprintf(buf, size, "%ld min %02ld s", v / 60, v % 60);
    else
        snprintf(buf, size, "%ld h %02ld min", v / 3600, v / 60 % 60);
}

void progress_format(char *buf, size_t size, const char *what, double done, double total,
                     const char *unit, double seconds)
{
    char d[32], t[32], r[32], left[32];
    grouped(d, sizeof d, done);
    size_t at;
    if (!unit || !unit[0]) {
        span(t, sizeof t, seconds);
        snprintf(buf, size, "%s: running, %s", what, t);
        return;
    }
    if (total > 0 && done <= total) {
        grouped(t, sizeof t, total);
        at = (size_t)snprintf(buf, size, "%s: %s of %s %s (%d%%)", what, d, t, unit,
                              (int)(100.0 * done / total));
    } else {
        at = (size_t)snprintf(buf, size, "%s: %s %s", what, d, unit);
    }
    if (at >= size || seconds <= 0 || done <= 0)
        return;
    double rate = done / seconds;
    grouped(r, sizeof r, rate);
    at += (size_t)snprintf(buf + at, size - at, ", %s %s/s", r, unit);
    if (at < size && total > 0 && done <= total) {
        span(left, sizeof left, (total - done) / rate);
        snprintf(buf + at, size - at, ", %s left", left);
    }
}

static size_t width_of(FILE *f)
{
    struct winsize ws;
    int fd = fileno(f);
    if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

static void draw(progress *p, double t)
{
    char line[256];
    progress_format(line, sizeof line, p->what, p->done, p->total, p->unit, t - p->started);
    char *shown = utf8_show(line, 0); /* a table's name is the database's text */
    p->drawn = t;
    if (p->live) {
        /* one line, never wrapped: a wrapped line could not be erased with \r */
        size_t max = width_of(p->f) - 1;
        char *cut = utf8_cut(shown, max);
        fprintf(p->f, "\r%s\033[K", cut);
        free(cut);
        p->shown = true;
    } else {
        fprintf(p->f, "vouch: progress: %s\n", shown);
    }
    fflush(p->f);
    free(shown);
}

void progress_begin(progress *p, const char *what, double total, const char *unit)
{
    if (!p)
        return;
    free(p->what);
    p->what = xstrdup(what);
    p->done = 0;
    p->total = total;
    snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "");
    p->started = now_s();
    /* a terminal shows what runs at once; a log hears of it when its last line is old */
    if (p->live || !p->drawn || p->started - p->drawn >= PLAIN_EVERY)
        draw(p, p->started);
}

void progress_estimate(progress *p, double total, const char *unit)
{
    if (!p)
        return;
    p->total = total;
    snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "");
}

void progress_update(progress *p, double done)
{
    if (!p || !p->what)
        return;
    p->done = done;
    double t = now_s();
    if (t - p->drawn >= (p->live ? LIVE_EVERY : PLAIN_EVERY))
        draw(p, t);
}

void progress_clear(progress *p)
{
    if (!p || !p->shown)
        return;
    fputs("\r\033[K", p->f);
    fflush(p->f);
    p->shown = false;
}

void progress_end(progress *p)
{
    if (!p)
        return;
    progress_clear(p);
    free(p->what);
    p->what = NULL;
}
