#include "evidence/run_record.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

const char *run_kind_name(run_kind k)
{
    switch (k) {
    case RUN_BASELINE: return "baseline";
    case RUN_GATE: return "gate";
    case RUN_CHECK: return "check";
    }
    return "gate";
}

void result_row_release(result_row *r)
{
    free(r->check);
    free(r->subject);
    free(r->expected);
    free(r->observed);
    free(r->reason);
    free(r->detail);
    free(r->facts);
    free(r->waiver);
}

void run_times_release(run_times *times)
{
    for (size_t i = 0; i < times->n; i++)
        free(times->t[i].check);
    free(times->t);
    *times = (run_times){0};
}

void run_record_free(run_record *r)
{
    if (!r)
        return;
    char **strings[] = {&r->kind, &r->status, &r->started_at, &r->finished_at, &r->target,
                        &r->checks, &r->error, &r->vouch_version, &r->server_version,
                        &r->system_identifier, &r->timeline, &r->lsn, &r->snapshot_time,
                        &r->database, &r->host, &r->prev_digest, &r->digest,
                        &r->incident_at, &r->started_by, &r->ci_job, &r->not_evaluated,
                        &r->waivers, &r->target_name};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(*strings[i]);
    for (size_t i = 0; i < r->n_results; i++)
        result_row_release(&r->results[i]);
    free(r->results);
    for (size_t i = 0; i < r->n_baselines; i++) {
        free(r->baselines[i].check);
        free(r->baselines[i].content);
        free(r->baselines[i].parts_sha256);
    }
    free(r->baselines);
    free(r);
}

result_counts run_record_counts(const run_record *r)
{
    result_counts c = {0};
    for (size_t i = 0; i < r->n_results; i++) {
        switch (r->results[i].status) {
        case RESULT_PASS: c.pass++; break;
        case RESULT_WARN: c.warn++; break;
        case RESULT_FAIL: c.fail++; break;
        case RESULT_ERROR: c.error++; break;
        case RESULT_NOT_EVALUATED: c.not_evaluated++; break;
        case RESULT_WAIVED: c.waived++; break;
        }
        c.total++;
    }
    return c;
}

json_t *run_record_waivers(const run_record *r)
{
    json_t *list = r->waivers ? json_loads(r->waivers, 0, NULL) : NULL;
    if (list && !json_is_array(list)) {
        json_decref(list);
        list = NULL;
    }
    return list;
}

char *run_record_waiver_note(const run_record *r, const char *name)
{
    json_t *list = run_record_waivers(r);
    char *note = NULL;
    size_t i;
    json_t *w;
    json_array_foreach(list, i, w) {
        const char *n = json_string_value(json_object_get(w, "name"));
        if (note || !n || !name || strcmp(n, name) != 0)
            continue;
        const char *until = json_string_value(json_object_get(w, "expires"));
        const char *by = json_string_value(json_object_get(w, "approved_by"));
        const char *why = json_string_value(json_object_get(w, "reason"));
        note = xasprintf("waived by %s until %s%s%s: %s", name, until ? until : "?",
                         by ? ", approved by " : "", by ? by : "", why ? why : "");
    }
    json_decref(list);
    return note ? note : xasprintf("waived by %s", name ? name : "?");
}
