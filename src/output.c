#include "src/output.h"

#include <string.h>

static const output_writer *const writers[] = {&output_human, &output_json, &output_tap,
                                               &output_junit, NULL};

const output_writer *output_find(const char *name)
{
    for (size_t i = 0; writers[i]; i++)
        if (strcmp(writers[i]->name, name) == 0)
            return writers[i];
    return NULL;
}

const char *output_names(void)
{
    return "human, json, tap, junit";
}

void output_tally(const run_record *r, char *buf, size_t size)
{
    result_counts c = run_record_counts(r);
    buf[0] = '\0';
    if (!c.total)
        return;
    const struct {
        size_t n;
        const char *one, *many;
    } part[] = {{c.pass, "passed", "passed"},   {c.warn, "warning", "warnings"},
                {c.fail, "failed", "failed"},   {c.error, "error", "errors"},
                {c.not_evaluated, "skipped", "skipped"}};
    size_t at = (size_t)snprintf(buf, size, "%zu result%s:", c.total, c.total == 1 ? "" : "s");
    const char *sep = " ";
    for (size_t i = 0; i < sizeof part / sizeof part[0] && at < size; i++) {
        if (!part[i].n)
            continue;
        at += (size_t)snprintf(buf + at, size - at, "%s%zu %s", sep, part[i].n,
                               part[i].n == 1 ? part[i].one : part[i].many);
        sep = ", ";
    }
}

void output_verdict(const run_record *r, char *buf, size_t size)
{
    result_counts c = run_record_counts(r);
    if (strcmp(r->status, "aborted") == 0) {
        if (c.not_evaluated) /* counted, so a short report is never read as a clean one */
            snprintf(buf, size, "%s aborted: %s; %zu check%s not evaluated", r->kind,
                     r->error ? r->error : "unknown reason", c.not_evaluated,
                     c.not_evaluated == 1 ? "" : "s");
        else
            snprintf(buf, size, "%s aborted: %s", r->kind, r->error ? r->error : "unknown reason");
    } else if (strcmp(r->kind, "baseline") == 0) {
        snprintf(buf, size, "baseline %lld captured", (long long)r->id);
    } else if (strcmp(r->status, "running") == 0) {
        snprintf(buf, size, "%s %lld has not finished", r->kind, (long long)r->id);
    } else {
        bool passed = strcmp(r->status, "passed") == 0;
        bool gate = strcmp(r->kind, "gate") == 0;
        char waived[64] = "";
        if (c.waived) /* never counted as passed */
            snprintf(waived, sizeof waived, ", %zu waived", c.waived);
        if (passed)
            snprintf(buf, size, "%s: %zu of %zu results passed%s%s",
                     gate ? "gate open" : "checks passed", c.pass + c.warn, c.total, waived,
                     c.warn ? " (with warnings)" : "");
        else
            snprintf(buf, size, "%s: %zu of %zu results failed%s",
                     gate ? "gate closed" : "checks failed", c.fail + c.error, c.total, waived);
    }
}
