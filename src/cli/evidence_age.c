#include "src/cli/evidence_age.h"

#include <stdlib.h>
#include <string.h>

#include "checks/backup_policy.h"
#include "src/utf8.h"
#include "src/util.h"

void evidence_ages_free(evidence_age *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++)
        free(a[i].target);
    free(a);
}

/* The id and finish time of run id, and its target (owned) when target is not NULL. */
static vexit run_when(store *st, int64_t id, int64_t *ms, char **target, verr *e)
{
    run_record *r;
    vexit rc = store_load_run(st, id, &r, e);
    if (rc)
        return rc;
    if (!utc_parse_ms(r->finished_at, ms))
        *ms = 0;
    if (target)
        *target = xstrdup(r->target ? r->target : "");
    bool gate = strcmp(r->kind, "gate") == 0;
    run_record_free(r);
    return gate ? VOUCH_OK : VOUCH_FAILED; /* VOUCH_FAILED: not a gate, skipped */
}

vexit evidence_ages(store *st, int64_t now_ms, int64_t valid_ms, evidence_age **out, size_t *n,
                    verr *e)
{
    *out = NULL;
    *n = 0;
    int64_t *ids = NULL, *passed = NULL;
    size_t n_ids = 0, n_passed = 0, cap = 0;
    vexit rc = store_latest_runs(st, &ids, &n_ids, e);
    if (!rc)
        rc = store_latest_passed_runs(st, &passed, &n_passed, e);
    evidence_age *a = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n_ids && !rc; i++) {
        evidence_age x = {.last_gate = ids[i]};
        vexit one = run_when(st, ids[i], &x.last_gate_ms, &x.target, e);
        if (one == VOUCH_FAILED) { /* the newest baseline of a target */
            free(x.target);
            continue;
        }
        if ((rc = one))
            break;
        grow((void **)&a, &cap, k + 1, sizeof *a);
        a[k++] = x;
    }
    /* Each target's newest passed gate (a target only has one when it has a gate). */
    for (size_t j = 0; j < n_passed && !rc; j++) {
        int64_t ms;
        char *target;
        vexit one = run_when(st, passed[j], &ms, &target, e);
        if (one && one != VOUCH_FAILED) {
            rc = one;
            break;
        }
        for (size_t i = 0; !one && i < k; i++)
            if (strcmp(a[i].target, target) == 0) {
                a[i].last_passed = passed[j];
                a[i].last_passed_ms = ms;
            }
        free(target);
    }
    for (size_t i = 0; i < k; i++)
        a[i].expired = valid_ms > 0 && (!a[i].last_passed || now_ms - a[i].last_passed_ms > valid_ms);
    free(ids);
    free(passed);
    if (rc) {
        evidence_ages_free(a, k);
        return rc;
    }
    *out = a;
    *n = k;
    return VOUCH_OK;
}

char *evidence_age_line(const evidence_age *a, int64_t now_ms, int64_t valid_ms)
{
    char valid[32];
    span_format(&(span){valid_ms, 0}, valid, sizeof valid);
    char *target = utf8_show(a->target, 0);
    char *line;
    if (!a->last_passed) {
        line = xasprintf("expired: %s has no passed gate (the newest, run %lld, did not pass;"
                         " evidence_valid %s)",
                         target, (long long)a->last_gate, valid);
    } else {
        long long days = (long long)((now_ms - a->last_passed_ms) / 86400000);
        line = xasprintf("expired: the last passed gate of %s (run %lld) is %lld day%s old"
                         " (evidence_valid %s)",
                         target, (long long)a->last_passed, days, days == 1 ? "" : "s", valid);
    }
    free(target);
    return line;
}
