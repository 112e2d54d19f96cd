/* audit_log: every audit event the baseline saw, up to the restored log's head,
 * is still there and unaltered; what is newer than the head is the point-in-time
 * loss, judged against the RPO; ids have no new gaps, timestamps never go back,
 * the hash chain verifies, and what feeds the log still exists and is enabled.
 *
 * Counts and narrow digests per range are computed by the server; the chain is
 * streamed as binary COPY and verified on the client row by row. Nothing is held
 * but one range's ids when a changed range is narrowed down. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_log.h"
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
    vexit rc = audit_describe_table(db, s, &exists, &problem, e);
    if (rc)
        return rc;
    audit_names n;
    audit_names_make(db, s, &n);
    if (!exists || problem) {
        rc = verr_set(e, VOUCH_USAGE, "audit_log: table %s %s", n.display,
                      problem ? problem : "does not exist");
        verr_hint(e, "Check [audit_log] in the configuration, and that the baseline runs against"
                     " the healthy database.");
        free(problem);
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
    if (!rc) {
        json_t *doc = json_pack(
            "{s:s, s:s, s:s, s:I, s:I, s:o, s:I, s:{s:s, s:I, s:s?}, s:o}", "table", n.display,
            "ids", s->unordered ? "unordered" : "sequential", "digest", audit_digest_kind(s),
            "range", (json_int_t)(s->unordered ? s->bucket_ms : s->range), "rows",
            (json_int_t)audit_int(res[2], 0, 0), "ranges", anchors_json(res[0]), "newest_us",
            (json_int_t)audit_int(res[2], 0, 1), "head", "id", PQgetvalue(res[1], 0, 0), "at_us",
            (json_int_t)audit_int(res[1], 0, 1), "row_hash",
            PQgetisnull(res[1], 0, 2) ? NULL : PQgetvalue(res[1], 0, 2), "feeders", feeders);
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

/* Stream the chain in id order, up to nothing: every row the restore holds. */
static vexit verify_chain(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                          const audit_base *b, chain_verifier *cv, verr *e)
{
    chain_init(cv);
    if (b->first_prev && strlen(b->first_prev) == 2 * CHAIN_HASH_LEN) {
        cv->have_genesis = true;
        cv->genesis_id = b->first_id;
        for (int i = 0; i < CHAIN_HASH_LEN; i++) {
            unsigned int byte;
            if (sscanf(b->first_prev + 2 * i, "%2x", &byte) != 1) {
                cv->have_genesis = false;
                break;
            }
            cv->genesis_prev[i] = (unsigned char)byte;
        }
    }
    char *sql = xasprintf("COPY (SELECT %s::bigint, %s, %s, (%s)::bytea FROM %s AS vouch_row"
                          " ORDER BY vouch_row.%s)"
                          " TO STDOUT (FORMAT binary)",
                          n->id, n->prev_hash, n->row_hash, s->row_bytes, n->table, n->id);
    vexit rc = chain_stream(check_db(ctx), sql, cv, e);
    free(sql);
    if (rc)
        verr_prefix(e, "could not stream the chain of %s", n->display);
    return rc;
}

static vexit check_log(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                       const audit_base *b, verr *e)
{
    /* What lies after the baseline's head is new since the baseline: not compared. */
    char *limit;
    if (s->unordered)
        limit = xasprintf(" AND (extract(epoch FROM %s) * 1000000)::bigint <= %lld", n->time,
                          (long long)b->head_us);
    else
        limit = xasprintf(" AND %s <= %lld", n->id, (long long)b->head_id);
    char *sqls[6];
    size_t nq = 0;
    sqls[nq++] = audit_anchors_sql(s, n, limit);
    sqls[nq++] = audit_head_sql(s, n);
    sqls[nq++] = audit_stats_sql(n);
    if (!s->unordered) {
        sqls[nq++] = audit_first_sql(n);
        sqls[nq++] = audit_gaps_sql(n, GAPS_READ);
        sqls[nq++] = audit_order_sql(n);
    }
    free(limit);
    PGresult *res[6] = {0};
    size_t failed = 0;
    vexit rc = check_query_many(ctx, (const char *const *)sqls, nq, res, &failed, e);
    if (rc)
        verr_prefix(e, "could not read %s", n->display);
    chain_verifier cv = {0};
    bool chained = false;
    if (!rc && PQntuples(res[1]) == 0) {
        char expected[32];
        snprintf(expected, sizeof expected, "%lld rows", (long long)b->rows);
        check_report(ctx, RESULT_FAIL, n->display, expected, "0 rows",
                     "the audit log %s is empty: every event is lost; restore it from a backup",
                     n->display);
        goto done;
    }
    if (!rc && s->row_hash_column) {
        rc = verify_chain(ctx, s, n, b, &cv, e);
        chained = true;
    }
    if (!rc) {
        const char *head_text = PQgetvalue(res[1], 0, 0);
        int64_t head_us = audit_int(res[1], 0, 1), head_id = 0, head_key;
        bool cut;
        if (s->unordered) {
            cut = head_us < b->head_us;
            head_key = floor_div(floor_div(head_us, 1000), b->range);
        } else {
            parse_int64(head_text, &head_id);
            cut = head_id < b->head_id;
            head_key = head_id / b->range;
        }
        size_t n_now, nd;
        anchor *now = audit_anchors_read(res[0], &n_now);
        range_diff *diffs;
        anchor_summary sum;
        anchors_compare(b->ranges, b->n_ranges, now, n_now, cut, head_key, &diffs, &nd, &sum);
        rc = audit_report_ranges(ctx, s, n, b, diffs, nd, &sum, chained ? &cv : NULL, e);
        if (!rc) {
            audit_report_loss(ctx, s, n, b, cut, head_text, head_us, &sum);
            if (!s->unordered) {
                audit_report_gaps(ctx, n, b, res[4], audit_int(res[3], 0, 0),
                                  head_id < b->head_id ? head_id : b->head_id);
                audit_report_order(ctx, n, res[5]);
            }
            if (chained)
                audit_report_chain(ctx, n, &cv);
            audit_report_rpo(ctx, s, n, audit_int(res[2], 0, 1));
        }
        free(diffs);
        free(now);
    }
done:
    if (chained)
        chain_release(&cv);
    for (size_t i = 0; i < nq; i++) {
        PQclear(res[i]);
        free(sqls[i]);
    }
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
    vexit rc = audit_describe_table(db, s, &exists, &problem, e);
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
        rc = check_log(ctx, s, &n, &b, e);
        audit_base_release(&b);
    }
    free(problem);
    if (!rc)
        rc = audit_feeders_check(ctx, s, json_object_get(baseline, "feeders"), e);
    audit_names_release(&n);
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
};
