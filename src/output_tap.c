/* --format tap: TAP version 14, one test point per result, YAML diagnostics
 * for the ones that did not pass (strings quoted by jansson: JSON is valid YAML). */
#include <jansson.h>
#include <string.h>

#include "src/output.h"
#include "src/utf8.h"
#include "src/util.h"

static void yaml_field(FILE *f, const char *indent, const char *key, const char *value)
{
    if (!value)
        return;
    /* escaped first: JSON would pass a C1 control or U+FFFE, which YAML does not allow */
    char *clean = utf8_show(value, UTF8_SHOW_NEWLINE);
    json_t *s = output_json_text(clean);
    free(clean);
    char *q = json_dumps(s, JSON_ENCODE_ANY);
    fprintf(f, "%s%s: %s\n", indent, key, q ? q : "\"\"");
    free(q);
    json_decref(s);
}

/* A test point's description: '#' would start a directive (a table named
 * "x # TODO" must not turn a failure into a todo), a newline would end the line and a
 * control character would reach the CI log's terminal: those are shown escaped
 * (src/utf8.h), and '#' and '\\' get the backslash TAP asks for. */
static void description(FILE *f, const char *text)
{
    char *shown = utf8_show(text, 0);
    for (const char *s = shown; *s; s++) {
        if (*s == '#' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    free(shown);
}

static vexit write_tap(FILE *f, const run_record *r, const output_opts *o, verr *e)
{
    (void)o;
    fprintf(f, "TAP version 14\n");
    bool aborted = strcmp(r->status, "aborted") == 0;
    {
        /* An aborted run shows what it finished and, as "# SKIP", every check it did not
         * evaluate, then bails out: a harness never reads it as passed. */
        fprintf(f, "1..%zu\n", r->n_results);
        for (size_t i = 0; i < r->n_results; i++) {
            const result_row *x = &r->results[i];
            bool skip = x->status == RESULT_NOT_EVALUATED;
            /* a waived failure stays "not ok", marked TODO: TAP's word for a known failure
             * that does not fail the suite */
            bool waived = x->status == RESULT_WAIVED;
            bool ok = x->status == RESULT_PASS || x->status == RESULT_WARN || skip;
            fprintf(f, "%sok %zu - ", ok ? "" : "not ", i + 1);
            description(f, x->check);
            fputc(' ', f);
            description(f, x->subject);
            if (skip) {
                fputs(" # SKIP ", f);
                description(f, x->reason ? x->reason : "not evaluated");
            }
            char *note = waived ? run_record_waiver_note(r, x->waiver) : NULL;
            if (waived) {
                fputs(" # TODO ", f);
                description(f, note);
            }
            fputc('\n', f);
            if (x->status == RESULT_PASS || skip)
                continue;
            fprintf(f, "  ---\n");
            yaml_field(f, "  ", "message", x->reason);
            yaml_field(f, "  ", "severity", result_status_name(x->status));
            yaml_field(f, "  ", "waiver", note);
            free(note);
            if (x->expected || x->observed) {
                fprintf(f, "  data:\n");
                yaml_field(f, "    ", "expected", x->expected);
                yaml_field(f, "    ", "observed", x->observed);
            }
            yaml_field(f, "  ", "detail", x->detail);
            fprintf(f, "  ...\n");
        }
    }
    if (aborted) {
        fprintf(f, "Bail out! %s %lld aborted: ", r->kind, (long long)r->id);
        description(f, r->error ? r->error : "unknown reason");
        fputc('\n', f);
    }
    char verdict[1200], tally[160];
    output_tally(r, tally, sizeof tally);
    if (tally[0]) /* skips counted: "# 3 results: 1 passed, 2 skipped" */
        fprintf(f, "# %s\n", tally);
    output_verdict(r, verdict, sizeof verdict);
    char *v = utf8_show(verdict, 0);
    fprintf(f, "# %s\n", v);
    free(v);
    if (ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the TAP output");
    return VOUCH_OK;
}

const output_writer output_tap = {"tap", write_tap};
