/* audit_log: every audit event the baseline saw, up to the restored log's head,
 * is still there and unaltered; what is newer than the head is the point-in-time
 * loss, judged against the RPO; ids have no new gaps, timestamps never go back,
 * the hash chain verifies, and what feeds the log still exists and is enabled.
 *
 * Counts and narrow digests per range are computed by the server; the rows are
 * streamed once in id order as binary COPY (one stream reads them as they lie in the
 * table and puts them in id order on the way, audit_reorder.h; the server sorts them only
 * when that cannot be done), and gaps, time order and the chain are checked on the client
 * row by row. Nothing is held but the reorder's bounded window, and one range's ids when
 * a changed range is narrowed down. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_log.h"
#include "checks/audit_reorder.h"
#include "checks/target.h"
#include "src/interrupt.h"
#include "src/util.h"

/* ------------------------------------------------------------------ capture */

static json_t *anchors_json(const PGresult *r)
{
    json_t *a = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(a, json_pack("[I, I, I, I, s]", (json_int_t)audit_int(r, i, 0),
                                           (json_int_t)audit_int(r, i, 1),
                                           (json_int_t)audit_int(r, i, 2),
                                           (json_int_t)audit_int(r, i, 3), PQgetvalue(r, i, 4)));
    return a;
}

static vexit capture(check_ctx *ctx, void *p, json_t **out, verr *e)
{
    audit_settings *s = p;
    pg_session *db = check_db(ctx);
    bool exists;
    char *problem;
    audit_names n;
    audit_names_make(db, s, &n);
    vexit rc = audit_describe_table(db, s, &n, &exists, &problem, e);
    if (rc) {
        audit_names_release(&n);
        return rc;
    }
    if (!exists || problem) {
        rc = verr_set(e, VOUCH_USAGE, "audit_log: table %s %s", n.display,
                      problem ? problem : "does not exist");
        verr_hint(e, "Check [audit_log] in the configuration, and that the baseline runs against"
                     " the healthy database.");
        free(problem);
        audit_names_release(&n);
        return rc;
    }
    /* A layout that does not fit the table now would fail every gate after it. */
    if (!(rc = audit_layout_describe(db, s, &problem, e)) && problem) {
        rc = verr_set(e, VOUCH_USAGE, "audit_log: %s: [audit_log] row_layout: %s",
                      s->row_layout_at, problem);
        verr_hint(e, "Declare each column with the encoding its type takes (docs/checks/"
                     "audit_log.md, row_layout); nothing was captured.");
        free(problem);
    }
    if (rc) {
        audit_names_release(&n);
        return rc;
    }
    const char *key;
    char why[sizeof e->msg];
    if (!(rc = audit_probe_expressions(db, s, &n, &key, why, sizeof why, e)) && key) {
        rc = verr_set(e, VOUCH_USAGE, "%s", why);
        verr_hint(e, "Give one SQL expression over the table's row (vouch_row); nothing was"
                     " captured.");
    }
    /* With both, the declaration is held to row_bytes on the healthy log now, not first at
     * the gate. */
    if (!rc && s->layout.n && s->row_bytes) {
        layout_stream ls = {0};
        if (!(rc = audit_layout_agree(db, s, &n, &ls, e)) && ls.disagree) {
            rc = verr_set(e, VOUCH_USAGE,
                          "audit_log: row_layout disagrees with row_bytes at id %lld (%lld of %lld"
                          " sampled rows differ; %s and %s)",
                          (long long)ls.first_disagree, (long long)ls.disagree,
                          (long long)ls.sampled, s->row_layout_at, s->row_bytes_at);
            verr_hint(e, "Correct the declaration (docs/checks/audit_log.md, row_layout), or"
                         " remove it; nothing was captured.");
        }
        layout_stream_release(&ls);
    }
    if (rc) {
        audit_names_release(&n);
        return rc;
    }
    char *sqls[5];
    size_t nq = 0;
    sqls[nq++] = audit_anchors_sql(s, &n, "");
    sqls[nq++] = audit_head_sql(s, &n);
    sqls[nq++] = audit_stats_sql(&n);
    if (!s->unordered) {
        sqls[nq++] = audit_first_sql(&n);
        sqls[nq++] = audit_gaps_sql(&n, GAPS_KEPT + 1);
    }
    PGresult *res[5] = {0};
    size_t failed = 0;
    rc = check_query_many(ctx, (const char *const *)sqls, nq, res, &failed, e);
    if (rc)
        verr_prefix(e, "audit_log: could not read %s", n.display);
    json_t *feeders = NULL;
    if (!rc && PQntuples(res[1]) == 0) {
        rc = verr_set(e, VOUCH_USAGE, "audit_log: %s is empty: there is nothing to anchor",
                      n.display);
    }
    if (!rc)
        rc = audit_feeders_capture(ctx, s, &feeders, e);
    json_t *defs = NULL;
    if (!rc && (rc = audit_defs_capture(ctx, s, &defs, e)))
        json_decref(feeders);
    if (!rc) {
        json_t *doc = json_pack(
            "{s:s, s:s, s:s, s:I, s:I, s:o, s:I, s:{s:s, s:I, s:s?}, s:o}", "table", n.display,
            "ids", s->unordered ? "unordered" : "sequential", "digest", audit_digest_kind(s),
            "range", (json_int_t)(s->unordered ? s->bucket_ms : s->range), "rows",
            (json_int_t)audit_int(res[2], 0, 0), "ranges", anchors_json(res[0]), "newest_us",
            (json_int_t)audit_int(res[2], 0, 1), "head", "id", PQgetvalue(res[1], 0, 0), "at_us",
            (json_int_t)audit_int(res[1], 0, 1), "row_hash",
            PQgetisnull(res[1], 0, 2) ? NULL : PQgetvalue(res[1], 0, 2), "feeders", feeders);
        json_object_set_new(doc, "definitions", defs);
        if (!s->unordered) {
            json_t *gaps = json_array();
            int ng = PQntuples(res[4]);
            for (int i = 0; i < ng && i < GAPS_KEPT; i++)
                json_array_append_new(gaps, json_pack("[I, I]", (json_int_t)audit_int(res[4], i, 0),
                                                      (json_int_t)audit_int(res[4], i, 1)));
            json_object_set_new(doc, "gaps", gaps);
            json_object_set_new(doc, "gaps_truncated", json_boolean(ng > GAPS_KEPT));
            json_object_set_new(
                doc, "first",
                json_pack("{s:I, s:s?}", "id", (json_int_t)audit_int(res[3], 0, 0), "prev_hash",
                          PQgetisnull(res[3], 0, 1) ? NULL : PQgetvalue(res[3], 0, 1)));
        }
        *out = doc;
    }
    for (size_t i = 0; i < nq; i++) {
        PQclear(res[i]);
        free(sqls[i]);
    }
    audit_names_release(&n);
    return rc;
}

/* What the gate observed of the restored log, from the stream or from the server. */
typedef struct observed {
    anchor *now; /* ranges up to the baseline's head, ascending */
    size_t n_now;
    char *head_text; /* NULL when the log is empty */
    int64_t head_us, newest_us;
} observed;

static void observed_release(observed *o)
{
    free(o->now);
    free(o->head_text);
}

/* What the ordered pass over the rows feeds: the whole log, or one part of it when the
 * stream is split over the run's connections. */
typedef struct stream_state {
    audit_stream_fields layout;
    anchor_builder anchors;
    seq_tracker seq;
    chain_verifier chain;
    bool chained;
    const row_layout *row_layout; /* the declared layout the row bytes are built from */
    layout_stream built;          /* its buffer, and the row_bytes sample compared */
    int64_t bad_ids;          /* rows whose id did not arrive as an int8 */
    bool table_order;         /* the one stream, read as the rows lie in the table, */
    reorder reorder;          /* ... put in id order here, */
    bool disorder;            /* ... or stopped where that could not be done: */
    const char *sorted_why;   /* why (static text), */
    int64_t put_in_place;     /* rows the reorder put in their place */
    const audit_part *part;   /* NULL for the one stream */
    copy_reader reader;       /* a part's COPY data, as the pool hands it over */
    check_ctx *ctx;           /* for the progress line */
    int64_t rows;             /* rows streamed, for the progress line */
    struct stream_state *tally; /* a part's: the whole stream's state, which counts them */
} stream_state;

/* The progress line hears of the stream once a batch of rows, not once a row. */
#define PROGRESS_BATCH 8192

/* One row of the log, in id order. */
static void take_row(stream_state *st, int64_t id, const copy_field *f)
{
    bool has_time = f[1].len == 8;
    int64_t us = 0;
    if (has_time) {
        int64_t pg_us = copy_int64(f[1].data); /* ±infinity are the int64 extremes */
        us = pg_us > INT64_MAX - COPY_PG_EPOCH_US ? INT64_MAX : pg_us + COPY_PG_EPOCH_US;
    }
    if (st->part && st->part->has_from && id < st->part->from) {
        /* The row before the part (the last of the part before): the seam's other end. */
        seq_prime(&st->seq, id, has_time, us);
        if (st->chained)
            chain_prime(&st->chain, id, &f[st->layout.chain + 1]);
        return;
    }
    /* The one place a row of the log is counted (seq.rows), whichever part it is in. */
    seq_step(&st->seq, id, has_time, us);
    const copy_field *d = &f[st->layout.digest];
    anchor_builder_add(&st->anchors, id, d->len >= 0 ? d->data : NULL,
                       d->len > 0 ? (size_t)d->len : 0);
    if (st->chained) {
        int c = st->layout.chain;
        copy_field bytes = f[c + 2];
        if (st->layout.layout >= 0) {
            copy_field cols[LAYOUT_MAX_COLUMNS];
            for (int i = 0; i < st->row_layout->n; i++)
                cols[i] = f[st->layout.layout_src[i]];
            bytes = layout_stream_row(&st->built, st->row_layout, id, cols,
                                      st->layout.sample >= 0 ? &f[st->layout.sample] : NULL);
        }
        chain_step(&st->chain, id, &f[c], &f[c + 1], &bytes);
    }
}

static void on_reordered(void *user, int64_t id, const copy_field *f, int n)
{
    (void)n;
    take_row(user, id, f);
}

static void on_row(void *user, const copy_field *f, int n)
{
    stream_state *st = user;
    stream_state *all = st->tally ? st->tally : st;
    if (++all->rows % PROGRESS_BATCH == 0)
        check_progress(all->ctx, (double)all->rows);
    if (f[0].len != 8) {
        st->bad_ids++;
        return;
    }
    int64_t id = copy_int64(f[0].data);
    if (st->table_order) {
        if (!st->disorder && !reorder_add(&st->reorder, id, f, n))
            st->disorder = true; /* the stream stops; the log is read again sorted */
        return;
    }
    take_row(st, id, f);
}

/* The first row's prev_hash in the baseline anchors the start of the chain. */
static void set_genesis(chain_verifier *cv, const audit_base *b)
{
    if (!b->first_prev || strlen(b->first_prev) != 2 * CHAIN_HASH_LEN)
        return;
    for (int i = 0; i < CHAIN_HASH_LEN; i++) {
        unsigned int byte;
        if (sscanf(b->first_prev + 2 * i, "%2x", &byte) != 1)
            return;
        cv->genesis_prev[i] = (unsigned char)byte;
    }
    cv->have_genesis = true;
    cv->genesis_id = b->first_id;
}

/* A row is handed on once this many have come after it (a page holds at most 291), and
 * the rows held, ahead of their place or waiting in the window, take at most
 * REORDER_BYTES each: the memory the plain scan may use before the log is read sorted. */
#define REORDER_WINDOW 4096
#define REORDER_BYTES (8u << 20)

/* One pass over every row in id order, streamed as binary COPY: range anchors, head,
 * gaps, time order and, with a chain, every link — one row in memory at a time, or with
 * st->table_order the rows come as they lie in the table (no sort, no index walk) and are
 * put in id order on the way (audit_reorder.h); when they cannot be, the stream stops
 * (st->disorder) with nothing reported, for the caller to read the log again sorted. */
static vexit stream_log(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                        stream_state *st, verr *e)
{
    char *sql = audit_stream_sql(s, n, NULL, st->table_order);
    st->ctx = ctx;
    st->rows = 0; /* again from the start, after parts that failed */
    check_progress_rows(ctx, n->table);
    if (st->table_order)
        reorder_init(&st->reorder, st->layout.count, REORDER_WINDOW, REORDER_BYTES,
                     on_reordered, st);
    vexit rc = copy_stream_until(check_db(ctx), sql, st->layout.count, on_row, st,
                                 &st->disorder, e);
    free(sql);
    /* The server stopped the plain scan (a row_bytes or digest expression raising, say) at
     * the first row it met as the rows lie; the sorted stream meets them in id order, and
     * its error is the one reported: read it sorted. */
    if (rc == VOUCH_FAILED && st->table_order && !pg_session_broken(check_db(ctx)) &&
        !interrupt_requested()) {
        verr_clear(e);
        rc = VOUCH_OK;
        st->disorder = true;
    }
    if (!rc && st->table_order && !st->disorder && !reorder_finish(&st->reorder))
        st->disorder = true;
    if (st->table_order) {
        st->put_in_place = st->reorder.rows_parked;
        st->sorted_why = st->reorder.why ? st->reorder.why : "the server stopped the scan";
        reorder_release(&st->reorder);
    }
    if (rc)
        verr_prefix(e, "could not stream %s", n->display);
    else if (st->disorder)
        return VOUCH_OK;
    else if (st->bad_ids)
        rc = verr_set(e, VOUCH_FAILED, "%s: %lld rows have a NULL id", n->display,
                      (long long)st->bad_ids);
    return rc;
}

/* A plain scan in one order from the table's first page: no scan of another session
 * to join midway, no parallel workers handing rows over in their own order. */
#define TABLE_ORDER_SETTINGS                                                                 \
    "SELECT pg_catalog.set_config('synchronize_seqscans', 'off', true),"                     \
    " pg_catalog.set_config('max_parallel_workers_per_gather', '0', true)"

/* The stream inside its own savepoint, rolled back once the rows are in: the row bytes
 * and digest expressions call the target's functions, and whatever settings those change
 * must not reach the checks that follow (pg_contain_end). When the server refuses the
 * stream (the row bytes expression names a function the restore lost, say) the rest of
 * the check goes on and why says what happened; only a lost connection, an interrupt or
 * a changed session setting ends the check. */
static vexit stream_contained(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                              stream_state *st, char *why, size_t size, verr *e)
{
    pg_session *db = check_db(ctx);
    if (pg_contain_begin(db, e))
        return VOUCH_ABORTED;
    vexit rc = st->table_order ? pg_exec(db, TABLE_ORDER_SETTINGS, e) : VOUCH_OK;
    if (!rc)
        rc = stream_log(ctx, s, n, st, e);
    if (rc == VOUCH_FAILED && !pg_session_broken(db) && !interrupt_requested()) {
        snprintf(why, size, "%s", e->msg);
        verr_clear(e);
        rc = VOUCH_OK;
    }
    if (rc)
        return rc;
    return pg_contain_end(db, e);
}

static void stream_init(stream_state *st, const audit_settings *s, const audit_base *b);
static void stream_release(stream_state *st);

/* The whole log in one stream: as the rows lie in the table first, and when they cannot
 * be put in id order on the way, again sorted by the server; the same rows in the same
 * order either way. */
static vexit stream_guarded(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                            const audit_base *b, stream_state *st, char *why, size_t size,
                            verr *e)
{
    st->table_order = true;
    vexit rc = stream_contained(ctx, s, n, st, why, size, e);
    if (!rc && !st->disorder && st->put_in_place)
        check_note(ctx, "the rows as stored, %lld put in their place",
                   (long long)st->put_in_place);
    if (rc || !st->disorder)
        return rc;
    /* What vouch -v says of it: a gate that took twice the scan's time says why. */
    check_note(ctx, "sorted by the server: the rows as stored could not be put in id order"
               " (%s, %lld rows into the scan)", st->sorted_why, (long long)st->rows);
    stream_release(st);
    stream_init(st, s, b);
    return stream_contained(ctx, s, n, st, why, size, e);
}

static void stream_init(stream_state *st, const audit_settings *s, const audit_base *b)
{
    memset(st, 0, sizeof *st);
    audit_stream_layout(s, &st->layout);
    seq_init(&st->seq, GAPS_READ);
    anchor_builder_init(&st->anchors, b->range, b->head_id);
    st->chained = s->row_hash_column != NULL;
    if (st->chained) {
        chain_init(&st->chain);
        set_genesis(&st->chain, b);
    }
    if (st->layout.layout >= 0) {
        st->row_layout = &s->layout;
        st->chain.null_bytes = "row_layout gives no bytes: a declared column is NULL (other"
                               " than an int8) or cannot be encoded";
    }
}

static void stream_release(stream_state *st)
{
    if (st->chained)
        chain_release(&st->chain);
    anchor_builder_release(&st->anchors);
    seq_release(&st->seq);
    layout_stream_release(&st->built);
}

/* Append the part that follows st in id order. */
static void stream_join(stream_state *st, stream_state *next)
{
    anchor_builder_finish(&next->anchors);
    anchor_builder *a = &st->anchors;
    if (next->anchors.n) { /* a part the restore emptied has none */
        grow((void **)&a->v, &a->cap, a->n + next->anchors.n, sizeof *a->v);
        memcpy(a->v + a->n, next->anchors.v, next->anchors.n * sizeof *a->v);
        a->n += next->anchors.n;
    }
    seq_join(&st->seq, &next->seq);
    if (st->chained)
        chain_join(&st->chain, &next->chain);
    layout_stream_join(&st->built, &next->built);
    st->bad_ids += next->bad_ids;
}

#define STREAM_PARTS_MAX 16 /* as many as the most connections [target] jobs allows */
/* With connections still to join the stream, each connection is planned this many parts,
 * so that one coming late finds parts left to take. */
#define STREAM_PARTS_EACH 4

/* Split the ids at range boundaries of the baseline, so that every range lies in one
 * part and the parts hold about as many of the baseline's rows; rows after the last
 * range go to the last part. Only boundaries above 0 are used: id / range truncates,
 * so the range of key 0 spans both sides of 0. Returns the number of parts. */
static size_t plan_parts(const audit_base *b, size_t want, audit_part *parts)
{
    int64_t total = 0, seen = 0;
    for (size_t i = 0; i < b->n_ranges; i++)
        total += b->ranges[i].rows;
    size_t n = 0;
    parts[0] = (audit_part){0};
    for (size_t i = 0; i + 1 < b->n_ranges && n + 1 < want; i++) {
        seen += b->ranges[i].rows;
        int64_t key = b->ranges[i].key;
        if (seen < total / (int64_t)want * (int64_t)(n + 1) || key < 0 ||
            key >= INT64_MAX / b->range - 1)
            continue;
        int64_t at = (key + 1) * b->range;
        parts[n].has_to = true;
        parts[n].to = at;
        parts[++n] = (audit_part){.has_from = true, .from = at};
    }
    return n + 1;
}

static void on_part_data(void *user, size_t part, const unsigned char *data, size_t len)
{
    stream_state *parts = user;
    copy_reader_feed(&parts[part].reader, data, len);
}

/* The stream split into parts, one on each connection of the run, each verified as it
 * arrives and the seams judged by the row that leads each part; then joined in id order,
 * st holds what one stream would have given. When a part fails for any reason short of a
 * lost leader or an interrupt, the leader streams the whole log by itself (stream_guarded),
 * so that what is reported does not depend on how the log was split. */
static vexit stream_parts(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                          const audit_base *b, stream_state *st, char *why, size_t size,
                          verr *e)
{
    audit_part parts[STREAM_PARTS_MAX];
    size_t now = (size_t)check_connections(ctx, STREAM_PARTS_MAX);
    size_t later = (size_t)check_connections_later(ctx), want = now;
    if (later) {
        want = (now + later) * STREAM_PARTS_EACH;
        if (want > STREAM_PARTS_MAX)
            want = STREAM_PARTS_MAX;
    }
    size_t np = plan_parts(b, want, parts);
    if (np < 2)
        return stream_guarded(ctx, s, n, b, st, why, size, e);
    stream_state *ps = xcalloc(np, sizeof *ps);
    char *sqls[STREAM_PARTS_MAX];
    st->ctx = ctx;
    check_progress_rows(ctx, n->table);
    for (size_t i = 0; i < np; i++) {
        stream_init(&ps[i], s, b);
        ps[i].part = &parts[i];
        ps[i].tally = st;
        copy_reader_init(&ps[i].reader, ps[i].layout.count, on_row, &ps[i]);
        sqls[i] = audit_stream_sql(s, n, &parts[i], false);
    }
    vexit rc = check_copy_many(ctx, (const char *const *)sqls, np, on_part_data, ps, NULL, e);
    for (size_t i = 0; i < np && !rc; i++)
        rc = copy_reader_end(&ps[i].reader, e);
    if (!rc) {
        char *sql = audit_null_ids_sql(n);
        PGresult *r = NULL;
        if (!(rc = check_query_many(ctx, (const char *const *)&sql, 1, &r, NULL, e)))
            st->bad_ids += audit_int(r, 0, 0);
        PQclear(r);
        free(sql);
    }
    bool again = rc == VOUCH_FAILED && !pg_session_broken(check_db(ctx)) &&
                 !interrupt_requested();
    for (size_t i = 0; i < np; i++) {
        if (!rc)
            stream_join(st, &ps[i]);
        stream_release(&ps[i]);
        free(sqls[i]);
    }
    free(ps);
    if (again) {
        verr_clear(e);
        return stream_guarded(ctx, s, n, b, st, why, size, e);
    }
    if (!rc && st->bad_ids)
        snprintf(why, size, "%s: %lld rows have a NULL id", n->display, (long long)st->bad_ids);
    return rc;
}

/* What the stream saw, as the gate compares it. */
static void observe_stream(stream_state *st, observed *o)
{
    anchor_builder_finish(&st->anchors);
    o->now = st->anchors.v; /* taken over */
    o->n_now = st->anchors.n;
    st->anchors.v = NULL;
    st->anchors.n = st->anchors.cap = 0;
    if (st->seq.rows) {
        o->head_text = xasprintf("%lld", (long long)st->seq.prev_id);
        o->head_us = st->seq.prev_has_time ? st->seq.prev_us : 0;
        o->newest_us = st->seq.newest_us;
    }
}

/* The anchors, head and newest time computed by the server: for unordered ids, and
 * for sequential ids whose stream the server refused. */
static vexit observe_server(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                            const audit_base *b, observed *o, verr *e)
{
    /* What lies after the baseline's head is new since the baseline: not compared. */
    char *limit;
    if (s->unordered)
        limit = xasprintf(" AND (extract(epoch FROM %s) * 1000000)::bigint <= %lld", n->time,
                          (long long)b->head_us);
    else
        limit = xasprintf(" AND %s <= %lld", n->id, (long long)b->head_id);
    char *sqls[3] = {audit_anchors_sql(s, n, limit), audit_head_sql(s, n), audit_stats_sql(n)};
    free(limit);
    PGresult *res[3] = {0};
    size_t failed = 0;
    vexit rc = check_query_many(ctx, (const char *const *)sqls, 3, res, &failed, e);
    if (rc) {
        verr_prefix(e, "could not read %s", n->display);
    } else {
        o->now = audit_anchors_read(res[0], &o->n_now);
        if (PQntuples(res[1])) {
            o->head_text = xstrdup(PQgetvalue(res[1], 0, 0));
            o->head_us = audit_int(res[1], 0, 1);
            o->newest_us = audit_int(res[2], 0, 1);
        }
    }
    for (size_t i = 0; i < 3; i++) {
        PQclear(res[i]);
        free(sqls[i]);
    }
    return rc;
}

/* ------------------------------------------------------------ row_layout */

/* The stream, and with both row_layout and row_bytes the sample of the rows where the
 * server's row_bytes is compared with the bytes built from the layout: one row says they
 * agree, or an error names the first row where they do not, and then the stream runs
 * again with row_bytes alone, so that the chain is judged by the bytes the server builds
 * and not by a declaration that drifted from them. */
static vexit stream_rows(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                         const audit_base *b, stream_state *st, char *why, size_t size,
                         verr *e)
{
    vexit rc = stream_parts(ctx, s, n, b, st, why, size, e);
    if (rc || *why || st->layout.sample < 0)
        return rc;
    char subject[96], seen[48];
    snprintf(subject, sizeof subject, "%s row_layout", n->display);
    const layout_stream *ls = &st->built;
    if (!ls->disagree) {
        snprintf(seen, sizeof seen, "%lld rows agree", (long long)ls->sampled);
        check_report(ctx, RESULT_PASS, subject, "agrees with row_bytes", seen,
                     "the row bytes built from row_layout are row_bytes' on every sampled row"
                     " (%lld: the first %d ids and every id divisible by %d)",
                     (long long)ls->sampled, LAYOUT_SAMPLE_FIRST, LAYOUT_SAMPLE_EVERY);
        return VOUCH_OK;
    }
    snprintf(seen, sizeof seen, "%lld of %lld differ", (long long)ls->disagree,
             (long long)ls->sampled);
    check_report(ctx, RESULT_ERROR, subject, "agrees with row_bytes", seen,
                 "row_layout disagrees with row_bytes at id %lld (%s and %s): the chain was"
                 " verified with row_bytes; correct the declaration",
                 (long long)ls->first_disagree, s->row_layout_at, s->row_bytes_at);
    audit_settings plain = *s; /* the same settings without the layout, not owned */
    plain.layout.n = 0;
    stream_release(st);
    stream_init(st, &plain, b);
    return stream_parts(ctx, &plain, n, b, st, why, size, e);
}

/* Which bytes the chain is verified with, once the server has parsed row_bytes (refused
 * holds why it refused it, "" when it did not): where row_layout is declared and its
 * columns fit the table, the bytes built from it (compared on a sample with row_bytes when
 * that is set too); otherwise row_bytes, an error row saying why the layout was not used.
 * *eff is s or a copy of it without what cannot be used (not owned: release s only);
 * refused is "" when the stream can run, else why it cannot. */
static vexit plan_layout(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                         audit_settings *eff, char *refused, size_t size, verr *e)
{
    *eff = *s;
    if (!s->layout.n)
        return VOUCH_OK;
    char *problem;
    vexit rc = audit_layout_describe(check_db(ctx), s, &problem, e);
    if (rc)
        return rc;
    char subject[96];
    snprintf(subject, sizeof subject, "%s row_layout", n->display);
    if (problem && s->row_bytes && !*refused) {
        check_report(ctx, RESULT_ERROR, subject, NULL, NULL,
                     "%s: [audit_log] row_layout: %s: the chain was verified with row_bytes",
                     s->row_layout_at, problem);
        eff->layout.n = 0;
    } else if (problem && !*refused) {
        snprintf(refused, size, "%s: [audit_log] row_layout: %s", s->row_layout_at, problem);
    } else if (problem) {
        check_report(ctx, RESULT_ERROR, subject, NULL, NULL, "%s: [audit_log] row_layout: %s",
                     s->row_layout_at, problem);
    } else if (*refused) {
        /* row_bytes is refused but the layout fits: the chain is still verified. */
        check_report(ctx, RESULT_ERROR, subject, "agrees with row_bytes", "not compared",
                     "row_layout could not be compared with row_bytes, which the server"
                     " refused (%s); the chain was verified with row_layout", refused);
        eff->row_bytes = NULL;
        refused[0] = '\0';
    }
    free(problem);
    return VOUCH_OK;
}

/* row_bytes_refused: why the server refused [audit_log] row_bytes, or NULL. */
static vexit check_log(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                       const audit_base *b, const char *row_bytes_refused, verr *e)
{
    stream_state st;
    stream_init(&st, s, b);
    observed o = {0};
    char stream_why[sizeof e->msg] = "";
    vexit rc = VOUCH_OK;
    if (!s->unordered && row_bytes_refused)
        snprintf(stream_why, sizeof stream_why, "%s", row_bytes_refused);
    else if (!s->unordered)
        rc = stream_rows(ctx, s, n, b, &st, stream_why, sizeof stream_why, e);
    if (!rc && !s->unordered && !*stream_why)
        observe_stream(&st, &o);
    else if (!rc)
        rc = observe_server(ctx, s, n, b, &o, e);
    if (!rc && !o.head_text) {
        char expected[32];
        snprintf(expected, sizeof expected, "%lld rows", (long long)b->rows);
        check_report(ctx, RESULT_FAIL, n->display, expected, "0 rows",
                     "the audit log %s is empty: every event is lost; restore it from a backup",
                     n->display);
    } else if (!rc) {
        int64_t head_id = 0, head_key;
        bool cut;
        if (s->unordered) {
            cut = o.head_us < b->head_us;
            head_key = floor_div(floor_div(o.head_us, 1000), b->range);
        } else {
            parse_int64(o.head_text, &head_id);
            cut = head_id < b->head_id;
            head_key = head_id / b->range;
        }
        size_t nd;
        range_diff *diffs;
        anchor_summary sum;
        anchors_compare(b->ranges, b->n_ranges, o.now, o.n_now, cut, head_key, &diffs, &nd, &sum);
        rc = audit_report_ranges(ctx, s, n, b, diffs, nd, &sum,
                                 st.chained && !*stream_why ? &st.chain : NULL, e);
        if (!rc) {
            audit_report_loss(ctx, s, n, b, cut, o.head_text, o.head_us, &sum);
            if (*stream_why) {
                char subject[96];
                snprintf(subject, sizeof subject, "%s rows", n->display);
                check_report(ctx, RESULT_ERROR, subject, NULL, NULL,
                             "gaps, time order%s not checked: %s", st.chained ? " and chain" : "",
                             stream_why);
            } else if (!s->unordered) {
                audit_report_gaps(ctx, n, b, &st.seq, head_id < b->head_id ? head_id : b->head_id);
                audit_report_order(ctx, n, &st.seq);
                if (st.chained)
                    audit_report_chain(ctx, n, &st.chain);
            }
            audit_report_rpo(ctx, s, n, o.newest_us);
        }
        free(diffs);
    }
    observed_release(&o);
    stream_release(&st);
    return rc;
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    audit_settings *s = p;
    pg_session *db = check_db(ctx);
    audit_names n;
    audit_names_make(db, s, &n);
    bool exists;
    char *problem = NULL;
    audit_base b;
    char why[512];
    /* Nothing of the target that ran before this check may have steered the session. */
    vexit rc = pg_session_guard(db, e);
    if (!rc)
        rc = audit_describe_table(db, s, &n, &exists, &problem, e);
    if (rc) {
        audit_names_release(&n);
        return rc;
    }
    if (!exists) {
        check_report(ctx, RESULT_FAIL, n.display, "present", "missing",
                     "the audit table %s does not exist: restore it before reopening", n.display);
    } else if (problem) {
        check_report(ctx, RESULT_FAIL, n.display, NULL, NULL, "the audit table %s %s", n.display,
                     problem);
    } else if (!audit_base_read(baseline, s, &n, &b, why, sizeof why)) {
        check_report(ctx, RESULT_ERROR, n.display, NULL, NULL, "%s", why);
        audit_base_release(&b);
    } else {
        const char *key;
        char refused[sizeof e->msg];
        rc = audit_probe_expressions(db, s, &n, &key, refused, sizeof refused, e);
        if (!rc && key && strcmp(key, "digest") == 0)
            check_report(ctx, RESULT_ERROR, n.display, NULL, NULL, "nothing checked: %s",
                         refused);
        else if (!rc) {
            audit_settings eff; /* s, or s without the part of the layout that is not used */
            if (!key)
                refused[0] = '\0';
            if (!(rc = plan_layout(ctx, s, &n, &eff, refused, sizeof refused, e)))
                rc = check_log(ctx, &eff, &n, &b, *refused ? refused : NULL, e);
        }
        audit_base_release(&b);
    }
    free(problem);
    /* What follows reads the catalog: the session must be as vouch set it. */
    if (!rc)
        rc = pg_session_guard(db, e);
    if (!rc)
        rc = audit_feeders_check(ctx, s, json_object_get(baseline, "feeders"), e);
    if (!rc)
        rc = audit_defs_check(ctx, s, json_object_get(baseline, "definitions"), e);
    audit_names_release(&n);
    return rc;
}

/* check-config: the objects [audit_log] names exist in the target. */
static const target_key target_keys[] = {
    {"table", TARGET_TABLE, NULL},
    {"id_column", TARGET_COLUMN, "id"},
    {"time_column", TARGET_COLUMN, NULL},
    {"row_hash_column", TARGET_COLUMN, NULL},
    {"prev_hash_column", TARGET_COLUMN, NULL},
    {"trigger", TARGET_TRIGGER, NULL},
    {"function", TARGET_FUNCTION, NULL},
    {NULL, TARGET_TABLE, NULL},
};

static vexit validate_target(check_ctx *ctx, const conf *c, void *p, verr *e)
{
    const audit_settings *s = p;
    vexit rc = target_check_keys(ctx, c, "audit_log", target_keys, e);
    bool found = false;
    if (!rc && s->layout.n)
        rc = target_relation_exists(ctx, &s->table, &found, e);
    char *problem = NULL;
    if (!rc && found && !(rc = audit_layout_describe(check_db(ctx), s, &problem, e)) &&
        problem)
        check_config_problem(ctx, c, conf_get(c, "audit_log", "row_layout"), "%s", problem);
    free(problem);
    return rc;
}

const checker checker_audit_log = {
    .name = "audit_log",
    .summary = "every audit event up to the restored head is there and unaltered, the chain"
               " verifies, the loss is within the RPO",
    .keys = audit_log_keys,
    .configure = audit_configure,
    .release = audit_settings_release,
    .capture = capture,
    .check = check,
    .validate_target = validate_target,
    .flags = CHECKER_INSTANCES | CHECKER_STREAMS,
};
