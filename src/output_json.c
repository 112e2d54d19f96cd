/* --format json: the run and its results as one JSON document (jansson). */
#include <jansson.h>
#include <string.h>

#include "src/output.h"
#include "src/util.h"

json_t *output_json_text(const char *s)
{
    if (!s)
        return json_null();
    char *clean = utf8_scrub(s);
    json_t *j = json_string(clean);
    free(clean);
    return j;
}

static json_t *str(const char *s)
{
    return output_json_text(s);
}

static vexit write_json(FILE *f, const run_record *r, const output_opts *o, verr *e)
{
    (void)o;
    result_counts c = run_record_counts(r);
    char verdict[1200];
    output_verdict(r, verdict, sizeof verdict);
    json_t *server = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "version", str(r->server_version),
                               "system_identifier", str(r->system_identifier), "timeline",
                               str(r->timeline), "lsn", str(r->lsn), "snapshot_time",
                               str(r->snapshot_time), "database", str(r->database));
    json_t *results = json_array();
    for (size_t i = 0; i < r->n_results; i++) {
        const result_row *x = &r->results[i];
        json_t *row = json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "check", str(x->check),
                              "subject", str(x->subject), "status", result_status_name(x->status),
                              "expected", str(x->expected), "observed", str(x->observed),
                              "reason", str(x->reason ? x->reason : ""), "detail",
                              str(x->detail));
        /* the facts as JSON, as the check recorded them; text that is not JSON (an edited
         * store, which verify names) is given as a string rather than dropped */
        if (x->facts) {
            json_t *facts = json_loads(x->facts, 0, NULL);
            json_object_set_new(row, "facts", facts ? facts : str(x->facts));
        }
        if (x->status == RESULT_WAIVED) {
            char *note = run_record_waiver_note(r, x->waiver);
            json_object_set_new(row, "waiver", str(x->waiver));
            json_object_set_new(row, "waiver_note", str(note));
            free(note);
        }
        json_array_append_new(results, row);
    }
    json_t *doc = json_pack(
        "{s:s, s:I, s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I},"
        " s:o, s:o}",
        "format", "vouch-run/1", "run", (json_int_t)r->id, "kind", r->kind, "status", r->status,
        "passed", strcmp(r->status, "passed") == 0 || strcmp(r->status, "captured") == 0,
        "baseline", r->baseline_id ? json_integer(r->baseline_id) : json_null(), "started_at",
        str(r->started_at), "finished_at", str(r->finished_at), "target", str(r->target), "error",
        str(r->error), "server", server, "digest", str(r->digest), "counts", "pass",
        (json_int_t)c.pass, "warn", (json_int_t)c.warn, "fail", (json_int_t)c.fail, "error",
        (json_int_t)c.error, "total", (json_int_t)c.total, "verdict", str(verdict), "results", results);
    if (!doc)
        return verr_set(e, VOUCH_ABORTED, "could not build the JSON output");
    json_object_set_new(json_object_get(doc, "counts"), "not_evaluated",
                        json_integer((json_int_t)c.not_evaluated));
    json_object_set_new(json_object_get(doc, "counts"), "waived",
                        json_integer((json_int_t)c.waived));
    /* the waivers as stored: their text was checked to be UTF-8 when read from the config */
    json_t *waivers = run_record_waivers(r);
    json_object_set_new(doc, "waivers", waivers ? waivers : json_array());
    json_object_set_new(doc, "incident_at", str(r->incident_at));
    json_object_set_new(doc, "started_by", str(r->started_by));
    json_object_set_new(doc, "ci_job", str(r->ci_job));
    json_object_set_new(doc, "host", str(r->host));
    json_object_set_new(doc, "target_name", str(r->target_name));
    int rc = json_dumpf(doc, f, JSON_INDENT(2));
    json_decref(doc);
    fputc('\n', f);
    if (rc != 0 || ferror(f))
        return verr_set(e, VOUCH_ABORTED, "could not write the JSON output");
    return VOUCH_OK;
}

const output_writer output_json = {"json", write_json};
