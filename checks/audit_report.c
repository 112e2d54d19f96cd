/* checks/audit_report: reading the baseline's anchors back and turning what the gate
 * found into result rows: changed ranges narrowed to ids, the point-in-time loss,
 * gaps, time order, the chain and the RPO. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_log.h"
#include "checks/audit_rpo.h"
#include "src/util.h"

void audit_base_release(audit_base *b)
{
    free(b->ranges);
    spans_release(&b->gaps);
}

static bool hex_ok(const char *h)
{
    return h && strlen(h) < sizeof((anchor *)0)->digest;
}

/* Read the baseline; false with why when it does not fit the configuration. */
bool audit_base_read(const json_t *doc, const audit_settings *s, const audit_names *n,
                     audit_base *b, char *why, size_t size)
{
    memset(b, 0, sizeof *b);
    const char *table = json_string_value(json_object_get(doc, "table"));
    const char *ids = json_string_value(json_object_get(doc, "ids"));
    const char *digest = json_string_value(json_object_get(doc, "digest"));
    const json_t *head = json_object_get(doc, "head");
    const json_t *ranges = json_object_get(doc, "ranges");
    b->range = json_integer_value(json_object_get(doc, "range"));
    b->rows = json_integer_value(json_object_get(doc, "rows"));
    b->head_text = json_string_value(json_object_get(head, "id"));
    b->head_us = json_integer_value(json_object_get(head, "at_us"));
    if (!table || !ids || !digest || !b->head_text || b->range <= 0 || !json_is_array(ranges)) {
        snprintf(why, size, "the baseline's audit_log document is malformed");
        return false;
    }
    if (strcmp(table, n->display) != 0 ||
        strcmp(ids, s->unordered ? "unordered" : "sequential") != 0 ||
        strcmp(digest, audit_digest_kind(s)) != 0 ||
        b->range != (s->unordered ? s->bucket_ms : s->range)) {
        snprintf(why, size,
                 "the baseline anchored %s (%s ids, %s %lld, digest of %s) but the configuration"
                 " now differs: run 'vouch baseline'",
                 table, ids, strcmp(ids, "unordered") == 0 ? "bucket ms" : "range",
                 (long long)b->range, digest);
        return false;
    }
    if (!s->unordered && !parse_int64(b->head_text, &b->head_id)) {
        snprintf(why, size, "the baseline's head id \"%s\" is not an integer", b->head_text);
        return false;
    }
    b->ranges = xcalloc(json_array_size(ranges) + 1, sizeof *b->ranges);
    size_t i;
    const json_t *r;
    json_array_foreach(ranges, i, r)
    {
        const char *h = json_string_value(json_array_get(r, 4));
        if (!hex_ok(h)) {
            snprintf(why, size, "the baseline's audit_log ranges are malformed");
            return false;
        }
        anchor *a = &b->ranges[b->n_ranges++];
        a->key = json_integer_value(json_array_get(r, 0));
        a->rows = json_integer_value(json_array_get(r, 1));
        a->first = json_integer_value(json_array_get(r, 2));
        a->last = json_integer_value(json_array_get(r, 3));
        snprintf(a->digest, sizeof a->digest, "%s", h);
    }
    json_array_foreach(json_object_get(doc, "gaps"), i, r)
        spans_add(&b->gaps, json_integer_value(json_array_get(r, 0)),
                  json_integer_value(json_array_get(r, 1)));
    b->gaps_truncated = json_is_true(json_object_get(doc, "gaps_truncated"));
    const json_t *first = json_object_get(doc, "first");
    b->first_id = json_integer_value(json_object_get(first, "id"));
    b->first_prev = json_string_value(json_object_get(first, "prev_hash"));
    return true;
}

anchor *audit_anchors_read(const PGresult *r, size_t *n)
{
    *n = (size_t)PQntuples(r);
    anchor *v = xcalloc(*n + 1, sizeof *v);
    for (size_t i = 0; i < *n; i++) {
        v[i].key = audit_int(r, (int)i, 0);
        v[i].rows = audit_int(r, (int)i, 1);
        v[i].first = audit_int(r, (int)i, 2);
        v[i].last = audit_int(r, (int)i, 3);
        snprintf(v[i].digest, sizeof v[i].digest, "%s", PQgetvalue(r, (int)i, 4));
    }
    return v;
}

void audit_us_format(int64_t us, char *buf, size_t size)
{
    char t[32];
    utc_format_ms(floor_div(us, 1000), t, sizeof t);
    /* Minutes are what people compare; the store keeps the exact figures. */
    snprintf(buf, size, "%.16sZ", t);
}

/* The chain breaks that fall in first..last, one per line, for a range's detail. */
static char *breaks_in(const chain_verifier *cv, int64_t first, int64_t last)
{
    char *text = xstrdup("");
    for (size_t i = 0; cv && i < cv->n_breaks; i++) {
        if (cv->breaks[i].id < first || cv->breaks[i].id > last)
            continue;
        char *more =
            xasprintf("%sid %lld: %s\n", text, (long long)cv->breaks[i].id, cv->breaks[i].what);
        free(text);
        text = more;
    }
    return text;
}

static const chain_break *first_break_in(const chain_verifier *cv, int64_t first, int64_t last)
{
    for (size_t i = 0; cv && i < cv->n_breaks; i++)
        if (cv->breaks[i].id >= first && cv->breaks[i].id <= last)
            return &cv->breaks[i];
    return NULL;
}

/* A changed range of sequential ids, narrowed in the server to the ids that differ. */
static vexit report_id_range(check_ctx *ctx, const audit_names *n, const audit_base *b,
                             const range_diff *d, const chain_verifier *cv, verr *e)
{
    /* Both sides' ids: rows put into a gap at the range's edge lie outside the baseline's. */
    int64_t first = d->base ? d->base->first : d->now->first;
    int64_t last = d->base ? d->base->last : d->now->last;
    if (d->base && d->now) {
        first = d->now->first < first ? d->now->first : first;
        last = d->now->last > last ? d->now->last : last;
    }
    char lo[24], hi[24];
    snprintf(lo, sizeof lo, "%lld", (long long)first);
    snprintf(hi, sizeof hi, "%lld", (long long)last);
    const char *params[] = {lo, hi};
    char *sql = xasprintf("SELECT %s::bigint FROM %s WHERE %s BETWEEN $1 AND $2 ORDER BY 1", n->id,
                          n->table, n->id);
    PGresult *r;
    vexit rc = pg_query(check_db(ctx), &r, sql, 2, params, e);
    free(sql);
    if (rc)
        return rc;
    size_t np = (size_t)PQntuples(r);
    int64_t *ids = xcalloc(np + 1, sizeof *ids);
    for (size_t i = 0; i < np; i++)
        ids[i] = audit_int(r, (int)i, 0);
    PQclear(r);
    id_spans missing = {0}, extra = {0};
    ids_narrow(first, last, &b->gaps, ids, np, &missing, &extra);
    free(ids);

    char subject[96], expected[40], observed[40];
    snprintf(subject, sizeof subject, "%s ids %lld-%lld", n->display, (long long)first,
             (long long)last);
    snprintf(expected, sizeof expected, "%lld rows", (long long)(d->base ? d->base->rows : 0));
    snprintf(observed, sizeof observed, "%lld rows", (long long)(d->now ? d->now->rows : 0));
    char *ms = spans_describe(&missing, SPANS_LISTED), *xs = spans_describe(&extra, SPANS_LISTED);
    char *chain = breaks_in(cv, first, last);
    const chain_break *brk = first_break_in(cv, first, last);
    int64_t nm = spans_ids(&missing), nx = spans_ids(&extra);
    if (nm && nx)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld rows missing (ids %s) and %lld not in the baseline (ids %s): restore"
                     " the log from a backup",
                     (long long)nm, ms, (long long)nx, xs);
    else if (nm)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld rows missing: ids %s; restore them from a backup", (long long)nm, ms);
    else if (nx)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld rows not in the baseline: ids %s were added after the fact",
                     (long long)nx, xs);
    else if (brk)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "rows altered in ids %lld-%lld (same ids, digest differs); the chain breaks"
                     " first at id %lld: %s",
                     (long long)first, (long long)last, (long long)brk->id, brk->what);
    else
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "rows altered in ids %lld-%lld (same ids, digest differs): restore the log"
                     " from a backup; lower range = to narrow further",
                     (long long)first, (long long)last);
    if (*chain) {
        char *detail = xasprintf("chain breaks in this range:\n%s", chain);
        check_detail(ctx, detail);
        free(detail);
    }
    free(chain);
    free(ms);
    free(xs);
    spans_release(&missing);
    spans_release(&extra);
    return VOUCH_OK;
}

static void report_bucket(check_ctx *ctx, const audit_names *n, const audit_base *b,
                          const range_diff *d)
{
    int64_t key = d->base ? d->base->key : d->now->key;
    char from[32], to[32], subject[96], expected[40], observed[40];
    audit_us_format(key * b->range * 1000, from, sizeof from);
    audit_us_format((key + 1) * b->range * 1000, to, sizeof to);
    snprintf(subject, sizeof subject, "%s %s", n->display, from);
    int64_t had = d->base ? d->base->rows : 0, has = d->now ? d->now->rows : 0;
    snprintf(expected, sizeof expected, "%lld rows", (long long)had);
    snprintf(observed, sizeof observed, "%lld rows", (long long)has);
    if (has < had)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld events missing between %s and %s: restore them from a backup",
                     (long long)(had - has), from, to);
    else if (has > had)
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld events between %s and %s are not in the baseline: added after the fact",
                     (long long)(has - had), from, to);
    else
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "events between %s and %s were altered (same count, digest differs): restore"
                     " the log from a backup",
                     from, to);
}

vexit audit_report_ranges(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                          const audit_base *b, const range_diff *diffs, size_t nd,
                          const anchor_summary *sum, const chain_verifier *cv, verr *e)
{
    size_t reported = 0;
    int64_t more_rows = 0;
    for (size_t i = 0; i < nd; i++) {
        if (diffs[i].verdict != RANGE_CHANGED && diffs[i].verdict != RANGE_NEW)
            continue;
        if (reported == RANGES_REPORTED) {
            more_rows++;
            continue;
        }
        reported++;
        if (s->unordered)
            report_bucket(ctx, n, b, &diffs[i]);
        else {
            vexit rc = report_id_range(ctx, n, b, &diffs[i], cv, e);
            if (rc)
                return rc;
        }
    }
    char expected[40], observed[40];
    size_t compared = sum->same + sum->changed + sum->added;
    snprintf(expected, sizeof expected, "%zu ranges", compared);
    if (more_rows) {
        snprintf(observed, sizeof observed, "%zu differ", sum->changed + sum->added);
        check_report(ctx, RESULT_FAIL, n->display, expected, observed,
                     "%lld more ranges differ from the baseline than are listed above",
                     (long long)more_rows);
    } else if (!reported) {
        snprintf(observed, sizeof observed, "%zu match", sum->same);
        check_report(ctx, RESULT_PASS, n->display, expected, observed,
                     "every %s up to the restored head has the baseline's count and digest",
                     s->unordered ? "time bucket" : "id range");
    }
    return VOUCH_OK;
}

void audit_report_loss(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                       const audit_base *b, bool cut, const char *head_text, int64_t head_us,
                       const anchor_summary *sum)
{
    char subject[96], expected[48], observed[48], from[32], to[32], span[48];
    snprintf(subject, sizeof subject, "%s head", n->display);
    if (s->unordered) {
        audit_us_format(b->head_us, expected, sizeof expected);
        audit_us_format(head_us, observed, sizeof observed);
    } else {
        snprintf(expected, sizeof expected, "id %s", b->head_text);
        snprintf(observed, sizeof observed, "id %s", head_text);
    }
    if (!cut) {
        check_report(ctx, RESULT_PASS, subject, expected, observed,
                     "the restored log reaches the baseline's newest event");
        return;
    }
    audit_us_format(head_us, from, sizeof from);
    audit_us_format(b->head_us, to, sizeof to);
    duration_format(floor_div(b->head_us - head_us, 1000), span, sizeof span);
    check_report(ctx, RESULT_WARN, subject, expected, observed,
                 "%lld baseline events after the restored head are lost: the point-in-time loss"
                 " from %s to %s (%s); the RPO row judges it",
                 (long long)sum->lost_rows, from, to, span);
}

void audit_report_gaps(check_ctx *ctx, const audit_names *n, const audit_base *b,
                       const seq_tracker *t, int64_t upto)
{
    id_spans now = {0}, fresh = {0};
    /* Ids gone from the start of the log are a gap too. */
    if (t->rows && t->first_id > b->first_id)
        spans_add(&now, b->first_id, t->first_id - 1);
    for (size_t i = 0; i < t->gaps.n; i++)
        spans_add(&now, t->gaps.v[i].from, t->gaps.v[i].to);
    /* Beyond the gaps kept (the baseline's or the stream's) nothing is known. */
    int64_t hi = upto;
    if (b->gaps_truncated && b->gaps.n && b->gaps.v[b->gaps.n - 1].to < hi)
        hi = b->gaps.v[b->gaps.n - 1].to;
    if (t->gaps_truncated && t->gaps.n && t->gaps.v[t->gaps.n - 1].to < hi)
        hi = t->gaps.v[t->gaps.n - 1].to;
    spans_subtract(&now, &b->gaps, b->first_id, hi, &fresh);
    char subject[96], expected[40], observed[40];
    snprintf(subject, sizeof subject, "%s gaps", n->display);
    snprintf(expected, sizeof expected, "%zu gaps", b->gaps.n);
    snprintf(observed, sizeof observed, "%zu new", fresh.n);
    if (!fresh.n) {
        check_report(ctx, RESULT_PASS, subject, expected, observed,
                     "no id gap that the baseline did not have, up to id %lld", (long long)hi);
    } else {
        char *list = spans_describe(&fresh, SPANS_LISTED);
        check_report(ctx, RESULT_FAIL, subject, expected, observed,
                     "%lld ids missing in %zu new gaps: %s; restore them from a backup",
                     (long long)spans_ids(&fresh), fresh.n, list);
        free(list);
    }
    spans_release(&now);
    spans_release(&fresh);
}

void audit_report_order(check_ctx *ctx, const audit_names *n, const seq_tracker *t)
{
    char subject[96];
    snprintf(subject, sizeof subject, "%s order", n->display);
    if (!t->backs) {
        check_report(ctx, RESULT_PASS, subject, "time never back", "never back",
                     "event times never go backwards along the id order");
        return;
    }
    char at[32], before[32], observed[40];
    audit_us_format(t->back[0].us, at, sizeof at);
    audit_us_format(t->back[0].prev_us, before, sizeof before);
    snprintf(observed, sizeof observed, "%lld go back", (long long)t->backs);
    check_report(ctx, RESULT_FAIL, subject, "time never back", observed,
                 "event time goes backwards at id %lld (%s after %s): rows were moved or"
                 " re-inserted",
                 (long long)t->back[0].id, at, before);
    char *detail = xstrdup("");
    for (size_t i = 0; i < t->n_back; i++) {
        audit_us_format(t->back[i].us, at, sizeof at);
        audit_us_format(t->back[i].prev_us, before, sizeof before);
        char *more = xasprintf("%sid %lld at %s, after %s\n", detail, (long long)t->back[i].id,
                               at, before);
        free(detail);
        detail = more;
    }
    if (t->backs > (int64_t)t->n_back) {
        char *more = xasprintf("%s... and %lld more\n", detail,
                               (long long)(t->backs - (int64_t)t->n_back));
        free(detail);
        detail = more;
    }
    check_detail(ctx, detail);
    free(detail);
}

void audit_report_chain(check_ctx *ctx, const audit_names *n, const chain_verifier *cv)
{
    char subject[96], observed[40];
    snprintf(subject, sizeof subject, "%s chain", n->display);
    if (!cv->broken) {
        snprintf(observed, sizeof observed, "%lld links ok", (long long)cv->rows);
        check_report(ctx, RESULT_PASS, subject, "every link", observed,
                     "every row hash is sha256(prev_hash || row bytes) and links to the row"
                     " before");
        return;
    }
    snprintf(observed, sizeof observed, "%lld broken", (long long)cv->broken);
    check_report(ctx, RESULT_FAIL, subject, "every link", observed,
                 "%lld of %lld links broken, first at id %lld: %s", (long long)cv->broken,
                 (long long)cv->rows, (long long)cv->breaks[0].id, cv->breaks[0].what);
    char *detail = xstrdup("");
    for (size_t i = 0; i < cv->n_breaks; i++) {
        char *more =
            xasprintf("%sid %lld: %s\n", detail, (long long)cv->breaks[i].id, cv->breaks[i].what);
        free(detail);
        detail = more;
    }
    if (cv->broken > (int64_t)cv->n_breaks) {
        char *more = xasprintf("%s... and %lld more\n", detail,
                               (long long)(cv->broken - (int64_t)cv->n_breaks));
        free(detail);
        detail = more;
    }
    check_detail(ctx, detail);
    free(detail);
}

void audit_report_rpo(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                      int64_t newest_us)
{
    int64_t incident = 0;
    bool have = check_incident_at(ctx, &incident);
    rpo_verdict v = rpo_judge(have, incident, floor_div(newest_us, 1000), s->rpo_ms);
    char subject[96], expected[64], observed[48];
    /* The restore point, to the millisecond: what a drill measures its data-loss window from. */
    snprintf(subject, sizeof subject, "%s newest", n->display);
    utc_format_ms(floor_div(newest_us, 1000), observed, sizeof observed);
    check_report(ctx, RESULT_PASS, subject, NULL, observed,
                 "the newest surviving event, at %s, is this restore's point in time", observed);
    check_fact(ctx, "newest_event", json_string(observed));
    snprintf(subject, sizeof subject, "%s rpo", n->display);
    duration_format(s->rpo_ms, observed, sizeof observed);
    snprintf(expected, sizeof expected, "<= %s", observed);
    if (have)
        duration_format(v.lost_ms, observed, sizeof observed);
    else
        snprintf(observed, sizeof observed, "not judged");
    check_report(ctx, v.status, subject, expected, observed, "%s", v.reason);
    check_fact(ctx, "rpo_ms", json_integer(s->rpo_ms));
    if (have)
        check_fact(ctx, "lost_ms", json_integer(v.lost_ms));
}
