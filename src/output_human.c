/* The table a person reads on a terminal or in a CI log. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "src/negctl_summary.h"
#include "src/output.h"
#include "src/utf8.h"
#include "src/util.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static const char *status_label(result_status s)
{
    switch (s) {
    case RESULT_PASS: return "pass";
    case RESULT_WARN: return "WARN";
    case RESULT_FAIL: return "FAIL";
    case RESULT_ERROR: return "ERROR";
    case RESULT_NOT_EVALUATED: return "SKIP"; /* the reason says "not evaluated: ..." */
    case RESULT_WAIVED: return "WAIVED";
    }
    return "ERROR";
}

static const char *status_color(result_status s)
{
    return s == RESULT_PASS ? GREEN : s == RESULT_WARN || s == RESULT_WAIVED ? YELLOW : RED;
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* What a cell, a header or a verdict prints: safe to show (src/utf8.h); caller frees. */
static char *shown(const char *s)
{
    return utf8_show(or_dash(s), 0);
}

static void header(FILE *f, const run_record *r)
{
    char *target = shown(r->target);
    fprintf(f, "vouch %s %lld", r->kind, (long long)r->id);
    if (r->baseline_id)
        fprintf(f, " against baseline %lld", (long long)r->baseline_id);
    fprintf(f, " on %s\n", target);
    free(target);
    if (r->server_version) {
        const char *v[] = {r->server_version, r->system_identifier, r->timeline, r->lsn,
                           r->snapshot_time};
        char *s[5];
        for (size_t i = 0; i < 5; i++)
            s[i] = shown(v[i]);
        fprintf(f, "server PostgreSQL %s, system %s, timeline %s, lsn %s, snapshot %s\n", s[0],
                s[1], s[2], s[3], s[4]);
        for (size_t i = 0; i < 5; i++)
            free(s[i]);
    }
    /* who and what started it; the CI job's URL is the environment's text: escaped */
    const char *who[][2] = {{"incident at", r->incident_at},
                            {"started by", r->started_by},
                            {"ci job", r->ci_job}};
    int said = 0;
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        if (!who[i][1])
            continue;
        char *v = shown(who[i][1]);
        fprintf(f, "%s%s %s", said++ ? ", " : "", who[i][0], v);
        free(v);
        if (who[i][1] == r->started_by && r->host) {
            char *h = shown(r->host);
            fprintf(f, " on %s", h);
            free(h);
        }
    }
    if (said)
        fputc('\n', f);
}

/* "rowcount: 6 tables" from the shape of the captured document. */
static void baseline_summary(FILE *f, const run_record *r)
{
    for (size_t i = 0; i < r->n_baselines; i++) {
        json_t *doc = json_loads(r->baselines[i].content, 0, NULL);
        char *check = shown(r->baselines[i].check);
        fprintf(f, "  %s:", check);
        free(check);
        const char *key;
        json_t *v;
        int shown_n = 0;
        json_object_foreach(doc, key, v) {
            if (json_is_array(v)) {
                char *k = shown(key);
                fprintf(f, "%s %zu %s", shown_n++ ? "," : "", json_array_size(v), k);
                free(k);
            }
        }
        fprintf(f, "%s\n", shown_n ? "" : " captured");
        json_decref(doc);
    }
}

/* A column is at most this wide; a longer value is cut with '…' and shown whole (escaped)
 * on a line of its own under the row, so that one huge value neither pads every row of
 * the table nor hides. */
#define CELL_MAX 100

enum { COL_CHECK, COL_SUBJECT, COL_EXPECTED, COL_OBSERVED, COL_REASON, N_COLS };
static const char *const col_names[N_COLS] = {"check", "subject", "expected", "observed",
                                             "reason"};

/* A result's cells as shown: escaped, and (but the last) cut to their column's width. */
typedef struct row_cells {
    char *full[N_COLS]; /* escaped */
    char *cell[N_COLS]; /* escaped and cut */
} row_cells;

/* cap[i]: the most column i may take (CELL_MAX before the table is fitted) */
static void row_cells_init(row_cells *c, const result_row *x, const size_t *cap)
{
    const char *v[N_COLS] = {x->check, x->subject, x->expected, x->observed, x->reason};
    for (int i = 0; i < N_COLS; i++) {
        c->full[i] = shown(v[i]);
        c->cell[i] = i == COL_REASON ? xstrdup(c->full[i]) : utf8_cut(c->full[i], cap[i]);
    }
}

static void row_cells_release(row_cells *c)
{
    for (int i = 0; i < N_COLS; i++) {
        free(c->full[i]);
        free(c->cell[i]);
    }
}

/* The width the table is laid out for: COLUMNS when it holds a number, else the width of
 * the terminal f writes to (TIOCGWINSZ), else (a file, a pipe, a CI log) 80. */
static size_t table_width(FILE *f)
{
    const char *env = getenv("COLUMNS");
    int64_t cols;
    if (env && parse_int64(env, &cols) && cols >= 20 && cols <= 10000)
        return (size_t)cols;
    struct winsize ws;
    int fd = fileno(f);
    if (fd >= 0 && isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* The reason gets the rest of the line when at least this much is left; otherwise it goes
 * under the row, indented, where it has (nearly) the whole width. */
#define REASON_MIN 24
#define UNDER_INDENT 9

static void cell(FILE *f, const char *s, size_t w, bool last)
{
    fputs(s, f);
    if (!last)
        for (size_t i = utf8_width(s); i < w + 2; i++)
            fputc(' ', f);
}

static bool listed(const result_row *x, const output_opts *o)
{
    return !(o->verbosity < 0 && x->status == RESULT_PASS);
}

/* Where the reason column starts and how wide it is: beside the other cells, or (when
 * they leave too little) under the row. */
typedef struct layout {
    size_t reason_at;    /* its first column beside the cells */
    size_t reason_w;     /* its width there, or under the row when under */
    bool under;
} layout;

/* Narrow the subject, expected and observed columns, widest first but never below
 * CELL_MIN, until the cells fit the width (a function's signature as a subject must not
 * push every row past an 80-column terminal); what a cut cell leaves out is shown whole
 * under its row. */
#define CELL_MIN 16
static void fit_columns(size_t *w, size_t width)
{
    for (;;) {
        size_t used = 7;
        for (int i = 0; i < COL_REASON; i++)
            used += w[i] + 2;
        if (used - 2 <= width)
            return;
        int widest = -1;
        for (int i = COL_SUBJECT; i <= COL_OBSERVED; i++)
            if (w[i] > CELL_MIN && (widest < 0 || w[i] > w[widest]))
                widest = i;
        if (widest < 0)
            return;
        size_t over = used - 2 - width;
        size_t room = w[widest] - CELL_MIN;
        w[widest] -= over < room ? over : room;
    }
}

static layout lay_out(const size_t *w, size_t width)
{
    layout l = {.reason_at = 7};
    for (int i = 0; i < COL_REASON; i++)
        l.reason_at += w[i] + 2;
    if (width >= l.reason_at + REASON_MIN) {
        l.reason_w = width - l.reason_at;
    } else {
        l.under = true;
        l.reason_w = width > UNDER_INDENT + REASON_MIN ? width - UNDER_INDENT : REASON_MIN;
    }
    return l;
}

static void write_row(FILE *f, const run_record *r, const result_row *x, const output_opts *o,
                      const size_t *w, const layout *l)
{
    row_cells c;
    row_cells_init(&c, x, w);
    const char *label = status_label(x->status);
    if (o->color)
        fprintf(f, "%s%-6s%s ", status_color(x->status), label, RESET);
    else
        fprintf(f, "%-6s ", label);
    char **reason = utf8_wrap(c.cell[COL_REASON], l->reason_w);
    for (int i = 0; i < COL_REASON; i++)
        cell(f, c.cell[i], w[i], l->under && i == COL_REASON - 1);
    if (l->under) {
        fputc('\n', f);
        for (size_t k = 0; reason[k]; k++)
            fprintf(f, "%*s%s\n", UNDER_INDENT, "", reason[k]);
    } else {
        fprintf(f, "%s\n", reason[0]);
        for (size_t k = 1; reason[k]; k++)
            fprintf(f, "%*s%s\n", (int)l->reason_at, "", reason[k]);
    }
    utf8_lines_free(reason);
    for (int i = 0; i < COL_REASON; i++)
        if (strcmp(c.cell[i], c.full[i]) != 0)
            fprintf(f, "         %s: %s\n", col_names[i], c.full[i]);
    row_cells_release(&c);
    if (x->status == RESULT_WAIVED) {
        char *note = run_record_waiver_note(r, x->waiver);
        char *v = shown(note);
        fprintf(f, "         %s\n", v);
        free(v);
        free(note);
    }
    if (x->detail && (o->verbosity > 0 || x->status != RESULT_PASS)) {
        /* Indent every line of the detail under the row. */
        char *detail = utf8_show(x->detail, UTF8_SHOW_NEWLINE);
        const char *p = detail;
        while (*p) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            fprintf(f, "         %.*s\n", len, p);
            p += len + (nl ? 1 : 0);
        }
        free(detail);
    }
}

/* Every waiver that applied to the run, whether it covered anything or not. */
static void waivers_section(FILE *f, const run_record *r)
{
    json_t *list = run_record_waivers(r);
    size_t i;
    json_t *w;
    if (json_array_size(list))
        fputs("\nwaivers:\n", f);
    json_array_foreach(list, i, w) {
        const char *keys[] = {"name", "state", "check", "subject", "expires", "approved_by",
                              "reason"};
        char *v[7];
        for (size_t k = 0; k < 7; k++)
            v[k] = shown(json_string_value(json_object_get(w, keys[k])));
        json_int_t n = json_integer_value(json_object_get(w, "waived"));
        fprintf(f, "  %s: %s, %s %s, until %s, approved by %s, %lld waived: %s\n", v[0], v[1],
                v[2], v[3], v[4], v[5], (long long)n, v[6]);
        for (size_t k = 0; k < 7; k++)
            free(v[k]);
    }
    json_decref(list);
}

static vexit write_human(FILE *f, const run_record *r, const output_opts *o, verr *e)
{
    header(f, r);
    if (strcmp(r->kind, "baseline") == 0 && strcmp(r->status, "captured") == 0)
        baseline_summary(f, r);

    static const char *const titles[N_COLS] = {"CHECK", "SUBJECT", "EXPECTED", "OBSERVED",
                                               "REASON"};
    size_t w[N_COLS], cell_max[N_COLS];
    for (int i = 0; i < N_COLS; i++) {
        w[i] = strlen(titles[i]);
        cell_max[i] = CELL_MAX;
    }
    size_t n_listed = 0;
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (!listed(x, o))
            continue;
        n_listed++;
        row_cells c;
        row_cells_init(&c, x, cell_max);
        for (int k = 0; k < COL_REASON; k++)
            if (utf8_width(c.cell[k]) > w[k])
                w[k] = utf8_width(c.cell[k]);
        row_cells_release(&c);
    }
    size_t width = table_width(f);
    fit_columns(w, width);
    layout l = lay_out(w, width);
    if (n_listed) {
        fputc('\n', f);
        if (o->color)
            fputs(BOLD, f);
        fputs("STATUS ", f);
        /* reasons under their rows: the header says so by leaving REASON out */
        int n_titles = l.under ? COL_REASON : N_COLS;
        for (int i = 0; i < n_titles; i++)
            cell(f, titles[i], w[i], i == n_titles - 1);
        if (o->color)
            fputs(RESET, f);
        fputc('\n', f);
    }
    for (size_t i = 0; i < r->n_results; i++)
        if (listed(&r->results[i], o))
            write_row(f, r, &r->results[i], o, w, &l);
    waivers_section(f, r);
    negctl_summary nc;
    if (negctl_summarize(r, &nc)) {
        char *text = negctl_summary_text(&nc), *safe = shown(text);
        fprintf(f, "\nnegative control: %s\n", safe);
        free(safe);
        free(text);
        negctl_summary_release(&nc);
    }

    char verdict[1200], tally[160];
    output_verdict(r, verdict, sizeof verdict);
    output_tally(r, tally, sizeof tally);
    char *v = shown(verdict);
    fputc('\n', f);
    if (tally[0])
        fprintf(f, "%s\n", tally);
    bool good = strcmp(r->status, "passed") == 0 || strcmp(r->status, "captured") == 0;
    if (o->color)
        fprintf(f, "%s%s%s%s\n", BOLD, good ? GREEN : RED, v, RESET);
    else
        fprintf(f, "%s\n", v);
    free(v);
    if (ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the output");
    return VOUCH_OK;
}

const output_writer output_human = {"human", write_human};
