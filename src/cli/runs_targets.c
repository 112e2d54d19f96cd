#include "src/cli/runs_targets.h"

#include <stdlib.h>
#include <string.h>

#include "src/utf8.h"
#include "src/util.h"

void runs_targets_add(runs_targets *t, const run_record *r)
{
    if (!r->target_name) {
        t->unnamed++;
        return;
    }
    size_t i = 0;
    while (i < t->n && strcmp(t->v[i].name, r->target_name) != 0)
        i++;
    if (i == t->n) {
        grow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v);
        t->v[t->n++] = (struct runs_target){xstrdup(r->target_name), 0, 0, NULL, 0};
    }
    struct runs_target *x = &t->v[i];
    x->runs++;
    if (strcmp(r->kind, "gate") != 0)
        return;
    x->failed_gates += strcmp(r->status, "failed") == 0 || strcmp(r->status, "aborted") == 0;
    if (!x->newest_gate) { /* newest first: the first gate seen */
        x->newest_gate = r->id;
        x->gate_status = xstrdup(r->status);
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct runs_target *)a)->name, ((const struct runs_target *)b)->name);
}

void runs_targets_print(const runs_targets *t, FILE *out)
{
    if (!t->n || (t->n == 1 && !t->unnamed))
        return;
    struct runs_target *v = xcalloc(t->n, sizeof *v);
    memcpy(v, t->v, t->n * sizeof *v);
    qsort(v, t->n, sizeof *v, by_name);
    int width = 6;
    for (size_t i = 0; i < t->n; i++)
        if ((int)strlen(v[i].name) > width)
            width = (int)strlen(v[i].name);
    fprintf(out, "\n%-*s %5s  %-20s %s\n", width, "TARGET", "RUNS", "NEWEST GATE", "GATES NOT PASSED");
    for (size_t i = 0; i < t->n; i++) {
        char gate[48] = "-";
        if (v[i].newest_gate)
            snprintf(gate, sizeof gate, "%lld %s", (long long)v[i].newest_gate, v[i].gate_status);
        char *name = utf8_show(v[i].name, 0); /* a safe word, as the store holds it */
        fprintf(out, "%-*s %5zu  %-20s %zu\n", width, name, v[i].runs, gate, v[i].failed_gates);
        free(name);
    }
    if (t->unnamed)
        fprintf(out, "%-*s %5zu\n", width, "(bare)", t->unnamed);
    free(v);
}

void runs_targets_release(runs_targets *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].name);
        free(t->v[i].gate_status);
    }
    free(t->v);
    *t = (runs_targets){0};
}
