/* The canonical JSON of runs and drills (evidence/chain.c, evidence/drill_record.c).
 * Nothing in vouch parses a run's canonical form back, but packs re-read a drill's
 * (evidence/pack_build.c) and every digest depends on it; so the round trip is fuzzed: any
 * strings a run or drill may hold (taken from the input, split at NUL bytes) give text
 * that parses back as JSON holding the same strings, and the same digest twice. */
#include <jansson.h>
#include <string.h>

#include "evidence/chain.h"
#include "evidence/drill_record.h"
#include "src/util.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

typedef struct pieces {
    char **v;
    size_t n, next;
} pieces;

/* The next piece, NULL for an empty one (a NULL field) or when they run out. */
static char *take(pieces *ps)
{
    if (ps->next >= ps->n)
        return NULL;
    char *s = ps->v[ps->next++];
    return *s ? xstrdup(s) : NULL;
}

static void same_string(json_t *doc, const char *key, const char *want)
{
    json_t *v = json_object_get(doc, key);
    if (!want) {
        FUZZ_ASSERT(json_is_null(v));
        return;
    }
    size_t n = strlen(want);
    if (json_is_object(v)) {
        /* not UTF-8: every byte, as hex */
        const char *hex = json_string_value(json_object_get(v, "hex"));
        FUZZ_ASSERT(hex && strlen(hex) == 2 * n && json_object_size(v) == 1);
        for (size_t i = 0; i < n; i++) {
            char two[3];
            snprintf(two, sizeof two, "%02x", (unsigned char)want[i]);
            FUZZ_ASSERT(memcmp(hex + 2 * i, two, 2) == 0);
        }
        return;
    }
    FUZZ_ASSERT(json_is_string(v));
    FUZZ_ASSERT(json_string_length(v) == n);
    FUZZ_ASSERT(memcmp(json_string_value(v), want, n) == 0);
}

static void run_round_trip(pieces *ps)
{
    run_record *r = xcalloc(1, sizeof *r);
    r->id = 7;
    r->kind = take(ps);
    r->status = take(ps);
    r->started_at = take(ps);
    r->target = take(ps);
    r->error = take(ps);
    r->checks = take(ps);
    r->database = take(ps);
    r->ci_job = take(ps);     /* hostile environment text (src/origin.h) */
    r->started_by = take(ps);
    r->waivers = take(ps);    /* config text, stored as JSON */
    r->n_results = ps->next < ps->n ? (ps->n - ps->next) / 8 : 0;
    if (r->n_results > 16)
        r->n_results = 16;
    r->results = xcalloc(r->n_results + 1, sizeof *r->results);
    for (size_t i = 0; i < r->n_results; i++) {
        result_row *x = &r->results[i];
        x->check = take(ps);
        x->subject = take(ps);
        x->status = (result_status)(i % 4);
        x->expected = take(ps);
        x->observed = take(ps);
        x->reason = take(ps);
        x->detail = take(ps);
        x->facts = take(ps);
        x->waiver = take(ps);
    }
    char *canon = run_canonical(r);
    json_error_t je;
    json_t *doc = json_loads(canon, JSON_REJECT_DUPLICATES, &je);
    FUZZ_ASSERT(doc);
    same_string(doc, "kind", r->kind);
    same_string(doc, "status", r->status);
    same_string(doc, "target", r->target);
    same_string(doc, "error", r->error);
    /* fields added later appear only when set: a run without them keeps its old form */
    const char *later[][2] = {{"ci_job", r->ci_job}, {"started_by", r->started_by},
                              {"waivers", r->waivers}};
    for (size_t i = 0; i < 3; i++)
        if (later[i][1])
            same_string(doc, later[i][0], later[i][1]);
        else
            FUZZ_ASSERT(!json_object_get(doc, later[i][0]));
    json_t *results = json_object_get(doc, "results");
    FUZZ_ASSERT(json_array_size(results) == r->n_results);
    for (size_t i = 0; i < r->n_results; i++) {
        json_t *o = json_array_get(results, i);
        same_string(o, "subject", r->results[i].subject);
        same_string(o, "reason", r->results[i].reason);
        same_string(o, "detail", r->results[i].detail);
        if (r->results[i].facts)
            same_string(o, "facts", r->results[i].facts);
        else
            FUZZ_ASSERT(!json_object_get(o, "facts"));
        if (r->results[i].waiver)
            same_string(o, "waiver", r->results[i].waiver);
        else
            FUZZ_ASSERT(!json_object_get(o, "waiver"));
    }
    json_decref(doc);
    char d1[DIGEST_HEX_LEN + 1], d2[DIGEST_HEX_LEN + 1];
    run_digest(r, "prev", d1);
    run_digest(r, "prev", d2);
    FUZZ_ASSERT(strcmp(d1, d2) == 0);
    free(canon);
    run_record_free(r);
}

static void drill_round_trip(pieces *ps)
{
    drill_record *d = xcalloc(1, sizeof *d);
    d->id = 3;
    d->scenario = take(ps);
    d->operator_name = take(ps);
    d->started_at = take(ps);
    d->status = take(ps);
    d->note = take(ps);
    d->restore_cmd = take(ps);
    char *canon = drill_canonical(d);
    json_error_t je;
    json_t *doc = json_loads(canon, JSON_REJECT_DUPLICATES, &je);
    FUZZ_ASSERT(doc);
    same_string(doc, "scenario", d->scenario);
    same_string(doc, "note", d->note);
    json_decref(doc);
    free(canon);
    drill_record_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    pieces ps = {0};
    ps.v = xcalloc(size + 2, sizeof *ps.v);
    for (size_t i = 0, start = 0; i <= size; i++)
        if (i == size || !data[i]) {
            ps.v[ps.n++] = text + start;
            text[i] = '\0';
            start = i + 1;
        }
    run_round_trip(&ps);
    ps.next = 0;
    drill_round_trip(&ps);
    free(ps.v);
    free(text);
    return 0;
}
