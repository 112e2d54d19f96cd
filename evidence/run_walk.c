/* evidence/run_walk: the run chain's judgement, the same on every back end. */
#include "evidence/run_walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

void run_walk_begin(run_walk *w, int64_t from)
{
    memset(w, 0, sizeof *w);
    w->from = from;
}

static bool judge(const run_walk *w, const run_record *r, char *why, size_t n)
{
    int64_t want = w->from + (int64_t)w->seen;
    bool known_base = !r->baseline_id || w->from > 1;
    for (size_t k = 0; !known_base && k < w->n_bases; k++)
        known_base = w->bases[k] == r->baseline_id;
    char digest[DIGEST_HEX_LEN + 1];
    run_digest(r, w->prev, digest);
    if (r->chain_pos != want)
        snprintf(why, n, "run %lld sits at chain position %lld where %lld was expected: a run"
                 " before it is missing", (long long)r->id, (long long)r->chain_pos,
                 (long long)want);
    else if (strcmp(r->prev_digest ? r->prev_digest : "", w->prev) != 0)
        snprintf(why, n, "run %lld does not link to the run sealed before it", (long long)r->id);
    else if (!r->digest || strcmp(r->digest, digest) != 0)
        snprintf(why, n, "run %lld does not match its digest: its content was changed after it"
                 " was sealed", (long long)r->id);
    else if (!known_base)
        snprintf(why, n, "run %lld was compared with baseline %lld, which is not a baseline"
                 " sealed before it in the chain", (long long)r->id, (long long)r->baseline_id);
    else
        return true;
    return false;
}

bool run_walk_step(run_walk *w, const run_record *r, char *why, size_t n)
{
    if (w->seen == 0 && w->from > 1)
        snprintf(w->prev, sizeof w->prev, "%s", r->prev_digest ? r->prev_digest : "");
    bool ok = judge(w, r, why, n);
    if (strcmp(r->kind, "baseline") == 0 && strcmp(r->status, "captured") == 0) {
        grow((void **)&w->bases, &w->cap_bases, w->n_bases + 1, sizeof *w->bases);
        w->bases[w->n_bases++] = r->id;
    }
    if (!w->first_current && r->canon_version >= RUN_CANON_CURRENT)
        w->first_current = r->chain_pos;
    snprintf(w->prev, sizeof w->prev, "%s", r->digest ? r->digest : "");
    w->seen++;
    return ok;
}

void run_walk_end(run_walk *w)
{
    free(w->bases);
    memset(w, 0, sizeof *w);
}
