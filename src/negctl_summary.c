#include "src/negctl_summary.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "src/runner.h"
#include "src/util.h"

static void add_name(char **acc, const char *name)
{
    char *next = xasprintf("%s%s%s", *acc ? *acc : "", *acc ? ", " : "", name);
    free(*acc);
    *acc = next;
}

bool negctl_summarize(const run_record *r, negctl_summary *s)
{
    *s = (negctl_summary){0};
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        if (!x->subject || strcmp(x->subject, NEGCTL_SUBJECT) != 0)
            continue;
        s->checks++;
        json_t *f = x->facts ? json_loads(x->facts, 0, NULL) : NULL;
        const char *o = json_string_value(json_object_get(f, "negative_control"));
        /* a result without the fact (never written so) counts by its status */
        if (!o)
            o = x->status == RESULT_PASS ? "failed" : "passed";
        char **to = strcmp(o, "failed") == 0           ? &s->able
                    : strcmp(o, "not_applicable") == 0 ? &s->na
                    : strcmp(o, "passed") == 0         ? &s->unable
                                                       : &s->undecided;
        add_name(to, x->check);
        json_decref(f);
    }
    return s->checks > 0;
}

char *negctl_summary_text(const negctl_summary *s)
{
    if (!s->unable && !s->undecided)
        return xasprintf("every check shown able to fail%s%s%s",
                         s->na ? " (not applicable, nothing of a baseline decides it: " : "",
                         s->na ? s->na : "", s->na ? ")" : "");
    return xasprintf("not every check shown able to fail:%s%s%s%s%s",
                     s->unable ? " passed against a perturbed baseline: " : "",
                     s->unable ? s->unable : "", s->unable && s->undecided ? ";" : "",
                     s->undecided ? " could not decide: " : "",
                     s->undecided ? s->undecided : "");
}

void negctl_summary_release(negctl_summary *s)
{
    free(s->able);
    free(s->na);
    free(s->unable);
    free(s->undecided);
    *s = (negctl_summary){0};
}
