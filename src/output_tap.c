/* --format tap: TAP version 14, one test point per result, YAML diagnostics
 * for the ones that did not pass (strings quoted by jansson: JSON is valid YAML). */
#include <jansson.h>
#include <string.h>

#include "src/output.h"

static void yaml_field(FILE *f, const char *indent, const char *key, const char *value)
{
    if (!value)
        return;
    json_t *s = json_string(value);
    char *q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    fprintf(f, "%s%s: %s\n", indent, key, q ? q : "\"(not UTF-8)\"");
    free(q);
    json_decref(s);
}

static vexit write_tap(FILE *f, const run_record *r, const output_opts *o, verr *e)
{
    (void)o;
    fprintf(f, "TAP version 14\n");
    if (strcmp(r->status, "aborted") == 0) {
        fprintf(f, "1..0\nBail out! %s %lld aborted: %s\n", r->kind, (long long)r->id,
                r->error ? r->error : "unknown reason");
    } else {
        fprintf(f, "1..%zu\n", r->n_results);
        for (size_t i = 0; i < r->n_results; i++) {
            const result_row *x = &r->results[i];
            bool ok = x->status == RESULT_PASS || x->status == RESULT_WARN;
            fprintf(f, "%sok %zu - %s %s\n", ok ? "" : "not ", i + 1, x->check, x->subject);
            if (x->status == RESULT_PASS)
                continue;
            fprintf(f, "  ---\n");
            yaml_field(f, "  ", "message", x->reason);
            yaml_field(f, "  ", "severity", result_status_name(x->status));
            if (x->expected || x->observed) {
                fprintf(f, "  data:\n");
                yaml_field(f, "    ", "expected", x->expected);
                yaml_field(f, "    ", "observed", x->observed);
            }
            yaml_field(f, "  ", "detail", x->detail);
            fprintf(f, "  ...\n");
        }
    }
    char verdict[1200];
    output_verdict(r, verdict, sizeof verdict);
    fprintf(f, "# %s\n", verdict);
    if (ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the TAP output");
    return VOUCH_OK;
}

const output_writer output_tap = {"tap", write_tap};
