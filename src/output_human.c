/* The table a person reads on a terminal or in a CI log. */
#include <jansson.h>
#include <string.h>

#include "src/output.h"
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
    }
    return "ERROR";
}

static const char *status_color(result_status s)
{
    return s == RESULT_PASS ? GREEN : s == RESULT_WARN ? YELLOW : RED;
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void header(FILE *f, const run_record *r)
{
    fprintf(f, "vouch %s %lld", r->kind, (long long)r->id);
    if (r->baseline_id)
        fprintf(f, " against baseline %lld", (long long)r->baseline_id);
    fprintf(f, " on %s\n", or_dash(r->target));
    if (r->server_version)
        fprintf(f, "server PostgreSQL %s, system %s, timeline %s, lsn %s, snapshot %s\n",
                r->server_version, or_dash(r->system_identifier), or_dash(r->timeline),
                or_dash(r->lsn), or_dash(r->snapshot_time));
}

/* "rowcount: 6 tables" from the shape of the captured document. */
static void baseline_summary(FILE *f, const run_record *r)
{
    for (size_t i = 0; i < r->n_baselines; i++) {
        json_t *doc = json_loads(r->baselines[i].content, 0, NULL);
        fprintf(f, "  %s:", r->baselines[i].check);
        const char *key;
        json_t *v;
        int shown = 0;
        json_object_foreach(doc, key, v) {
            if (json_is_array(v))
                fprintf(f, "%s %zu %s", shown++ ? "," : "", json_array_size(v), key);
        }
        fprintf(f, "%s\n", shown ? "" : " captured");
        json_decref(doc);
    }
}

static int width(const char *s)
{
    /* Count UTF-8 code points so that "±" lines up. */
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : "-"); *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

static void cell(FILE *f, const char *s, int w, bool last)
{
    s = or_dash(s);
    fputs(s, f);
    if (!last)
        for (int i = width(s); i < w + 2; i++)
            fputc(' ', f);
}

static vexit write_human(FILE *f, const run_record *r, const output_opts *o, verr *e)
{
    header(f, r);
    if (strcmp(r->kind, "baseline") == 0 && strcmp(r->status, "captured") == 0)
        baseline_summary(f, r);

    int w_check = 5, w_subject = 7, w_expected = 8, w_observed = 8;
    size_t shown = 0;
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (o->verbosity < 0 && x->status == RESULT_PASS)
            continue;
        shown++;
        if (width(x->check) > w_check) w_check = width(x->check);
        if (width(x->subject) > w_subject) w_subject = width(x->subject);
        if (width(x->expected) > w_expected) w_expected = width(x->expected);
        if (width(x->observed) > w_observed) w_observed = width(x->observed);
    }
    if (shown) {
        fputc('\n', f);
        if (o->color)
            fputs(BOLD, f);
        fputs("STATUS ", f);
        cell(f, "CHECK", w_check, false);
        cell(f, "SUBJECT", w_subject, false);
        cell(f, "EXPECTED", w_expected, false);
        cell(f, "OBSERVED", w_observed, false);
        cell(f, "REASON", 0, true);
        if (o->color)
            fputs(RESET, f);
        fputc('\n', f);
    }
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (o->verbosity < 0 && x->status == RESULT_PASS)
            continue;
        const char *label = status_label(x->status);
        if (o->color)
            fprintf(f, "%s%-6s%s ", status_color(x->status), label, RESET);
        else
            fprintf(f, "%-6s ", label);
        cell(f, x->check, w_check, false);
        cell(f, x->subject, w_subject, false);
        cell(f, x->expected, w_expected, false);
        cell(f, x->observed, w_observed, false);
        cell(f, x->reason, 0, true);
        fputc('\n', f);
        if (x->detail && (o->verbosity > 0 || x->status != RESULT_PASS)) {
            /* Indent every line of the detail under the row. */
            const char *p = x->detail;
            while (*p) {
                const char *nl = strchr(p, '\n');
                int len = nl ? (int)(nl - p) : (int)strlen(p);
                fprintf(f, "         %.*s\n", len, p);
                p += len + (nl ? 1 : 0);
            }
        }
    }

    char verdict[1200];
    output_verdict(r, verdict, sizeof verdict);
    fputc('\n', f);
    bool good = strcmp(r->status, "passed") == 0 || strcmp(r->status, "captured") == 0;
    if (o->color)
        fprintf(f, "%s%s%s%s\n", BOLD, good ? GREEN : RED, verdict, RESET);
    else
        fprintf(f, "%s\n", verdict);
    if (ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the output");
    return VOUCH_OK;
}

const output_writer output_human = {"human", write_human};
