/* checks/audit_anchor: the pure logic of the audit_log anchors — id spans (gaps,
 * missing and extra ids), the comparison of the baseline's range anchors with the
 * restored log's, and how a differing range is narrowed to the ids that differ.
 * No database here: the checker feeds these what the server computed. */
#ifndef VOUCH_AUDIT_ANCHOR_H
#define VOUCH_AUDIT_ANCHOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* Inclusive id span from..to. */
typedef struct id_span {
    int64_t from, to;
} id_span;

/* Ascending, disjoint spans. */
typedef struct id_spans {
    id_span *v;
    size_t n, cap;
} id_spans;

/* Append from..to (from <= to, not below the last span); merges with an adjacent last span. */
void spans_add(id_spans *s, int64_t from, int64_t to);
void spans_release(id_spans *s);
/* How many ids the spans hold. */
int64_t spans_ids(const id_spans *s);
/* out = the ids of a that lie in lo..hi and are not in b. out must be empty. */
void spans_subtract(const id_spans *a, const id_spans *b, int64_t lo, int64_t hi, id_spans *out);
/* "4001-4100, 4200, 5000-5010" listing at most cap spans, then "and N more". Caller frees. */
char *spans_describe(const id_spans *s, size_t cap);

/* The ids a range held in the baseline are first..last less the baseline's gaps; present
 * are the ids found now in first..last (ascending). missing and extra (empty on entry)
 * receive the ids that are gone and the ids that were not there. */
void ids_narrow(int64_t first, int64_t last, const id_spans *baseline_gaps, const int64_t *present,
                size_t n_present, id_spans *missing, id_spans *extra);

/* One anchored range: a block of ids (key = id / range) or a time bucket
 * (key = start in ms / bucket), with its row count and the server's digest. */
typedef struct anchor {
    int64_t key;
    int64_t rows;
    int64_t first, last; /* lowest and highest id (sequential ids only) */
    char digest[65];     /* hex */
} anchor;

typedef enum range_verdict {
    RANGE_SAME,    /* count and digest equal */
    RANGE_CHANGED, /* rows missing, added or altered: corruption */
    RANGE_PARTIAL, /* holds the restored head: rows after it are the point-in-time loss */
    RANGE_LOST,    /* wholly after the restored head: point-in-time loss */
    RANGE_NEW      /* rows where the baseline had none, before its head */
} range_verdict;

typedef struct range_diff {
    range_verdict verdict;
    const anchor *base; /* NULL for RANGE_NEW */
    const anchor *now;  /* NULL when the range is gone */
} range_diff;

typedef struct anchor_summary {
    size_t same, changed, partial, lost, added;
    int64_t lost_rows; /* baseline rows after the restored head */
} anchor_summary;

/* Compare the baseline's anchors with the restored log's (both ascending by key; now
 * covers only what lies up to the baseline's head). When cut is true the restored head
 * lies before the baseline's, in range head_key: that range is partial, later ones lost.
 * *out (caller frees) gets one diff per range in key order. */
void anchors_compare(const anchor *base, size_t n_base, const anchor *now, size_t n_now, bool cut,
                     int64_t head_key, range_diff **out, size_t *n_out, anchor_summary *sum);

/* Range anchors built on the client from rows streamed in ascending id order: the
 * same count and digest as the server's
 *   sha256(string_agg(value, '' ORDER BY id)) GROUP BY id / range
 * (a NULL value counts the row and adds nothing; a range of only NULLs has digest ""). */
typedef struct anchor_builder {
    int64_t range;
    int64_t upto; /* rows with a higher id are not anchored */
    EVP_MD_CTX *md;
    EVP_MD *sha256; /* fetched once, not looked up per range */
    bool open, any_value;
    anchor cur;
    anchor *v;
    size_t n, cap;
} anchor_builder;

void anchor_builder_init(anchor_builder *a, int64_t range, int64_t upto);
/* The next row; value NULL (len ignored) for SQL NULL. */
void anchor_builder_add(anchor_builder *a, int64_t id, const unsigned char *value, size_t len);
/* Close the last range; a->v[0..a->n) are then the anchors. */
void anchor_builder_finish(anchor_builder *a);
void anchor_builder_release(anchor_builder *a);

/* What one pass over the rows in id order sees: the gaps between consecutive ids
 * and the rows whose time is earlier than the row before them. */
#define SEQ_BACKS_LISTED 12

typedef struct seq_back {
    int64_t id, us, prev_us; /* times in µs since the Unix epoch */
} seq_back;

typedef struct seq_tracker {
    int64_t rows, first_id, prev_id, prev_us;
    bool have_prev, prev_has_time;
    bool have_newest;
    int64_t newest_us; /* the latest time of any row */
    id_spans gaps;
    size_t max_gaps;
    bool gaps_truncated; /* more gaps than max_gaps: the rest were not kept */
    int64_t backs;       /* rows whose time goes back */
    seq_back back[SEQ_BACKS_LISTED];
    size_t n_back;
} seq_tracker;

void seq_init(seq_tracker *t, size_t max_gaps);
/* The next row in ascending id order; has_time false when its time is NULL. */
void seq_step(seq_tracker *t, int64_t id, bool has_time, int64_t us);
void seq_release(seq_tracker *t);
/* The row just before a part of the stream, streamed with it so that the seam is judged
 * as one stream judges it: it becomes the row before, and is not counted. */
void seq_prime(seq_tracker *t, int64_t id, bool has_time, int64_t us);
/* Append the part that follows t in id order (primed with t's last row): t then holds
 * what one tracker fed both parts' rows would hold. */
void seq_join(seq_tracker *t, const seq_tracker *next);

/* Floor division, so that negative ids and times before 1970 fall in the right range. */
int64_t floor_div(int64_t a, int64_t b);

#endif
