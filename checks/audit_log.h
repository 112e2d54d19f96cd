/* checks/audit_log: what the files that make the audit_log checker share —
 * audit_config.c reads [audit_log], audit_sql.c builds the SQL, audit_log.c runs
 * the baseline and the gate, audit_report.c turns findings into result rows,
 * audit_feeders.c looks at the triggers and functions that write the log. The
 * pure parts live in audit_anchor, audit_chain, audit_copy and audit_rpo. */
#ifndef VOUCH_AUDIT_LOG_H
#define VOUCH_AUDIT_LOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "checks/audit_layout.h"
#include "checks/checker.h"
#include "src/ident.h"

typedef struct audit_trigger {
    qname table;
    char *name;
} audit_trigger;

typedef struct audit_settings {
    qname table;
    char *id_column, *time_column;
    bool unordered;        /* ids = unordered: anchor time buckets, not id ranges */
    int64_t range;         /* ids per anchored range (sequential ids) */
    int64_t bucket_ms;     /* width of a time bucket (unordered ids) */
    char *digest;          /* SQL expression digested per row; NULL: the default */
    char *digest_at;       /* "FILE:LINE" of the digest key, for messages */
    char *row_hash_column; /* set when the log carries a hash chain */
    char *prev_hash_column;
    char *row_bytes; /* SQL expression: the bytes each row hash covers */
    char *row_bytes_at;
    row_layout layout; /* row_layout: the same bytes built on the client; n = 0 without */
    char *row_layout_at;
    int64_t rpo_ms;
    audit_trigger *triggers;
    size_t n_triggers, cap_triggers;
    qname *functions;
    size_t n_functions, cap_functions;
} audit_settings;

#include "checks/audit_anchor.h"
#include "checks/audit_chain.h"

#define GAPS_KEPT 10000    /* baseline gaps stored; more are marked truncated */
#define GAPS_READ 100000   /* gaps read at the gate */
#define RANGES_REPORTED 10 /* changed ranges reported one by one; the rest are summed up */
#define SPANS_LISTED 12    /* ids spans and late rows listed in a reason or detail */

/* audit_config.c: the [audit_log] keys, and reading them. */
extern const conf_key audit_log_keys[];
vexit audit_configure(const conf *c, void **out, verr *e);
void audit_settings_release(void *p);

/* audit_sql.c: the SQL of a run. The configured expressions (digest, row_bytes) are
 * SQL from the operator's configuration, run in the read-only snapshot: audit_configure
 * refuses what could leave their parentheses (src/sql_expr.h) and audit_probe_expressions
 * has the server parse them before any query uses them. */
/* Quoted names a run builds its SQL from. */
typedef struct audit_names {
    char *table; /* "schema"."name" */
    char *id, *time, *row_hash, *prev_hash;
    char *display;     /* schema.name for people */
    char *stream_time; /* the time column as timestamptz, for the stream */
    char **layout;     /* row_layout's columns, quoted */
    int n_layout;
} audit_names;
void audit_names_make(pg_session *db, const audit_settings *s, audit_names *n);
void audit_names_release(audit_names *n);
/* What the digest covers, as stored in the baseline so a changed setting is noticed. */
const char *audit_digest_kind(const audit_settings *s);
/* One row per range: key, rows, first id, last id, digest; limit_sql restricts the rows. */
char *audit_anchors_sql(const audit_settings *s, const audit_names *n, const char *limit_sql);
/* The head: id, time in µs since the epoch, row hash (hex or NULL). */
char *audit_head_sql(const audit_settings *s, const audit_names *n);
/* Rows and the newest event time (µs). */
char *audit_stats_sql(const audit_names *n);
/* The first row: id and prev_hash (hex or NULL). */
char *audit_first_sql(const audit_names *n);
/* Gaps between consecutive ids: first and last missing id, at most limit. */
char *audit_gaps_sql(const audit_names *n, int limit);
/* The rows in id order as binary COPY: id, time, the digested value (unless it is the
 * row hash) and, with a chain, prev_hash, row_hash and the row bytes — or, where a
 * row_layout is declared, its raw columns instead of the row bytes, followed with
 * row_bytes as well by the row_bytes sample (audit_layout.h). */
typedef struct audit_stream_fields {
    int count;  /* fields a row */
    int digest; /* the field the range digests fold */
    int chain;  /* prev_hash; row_hash and row bytes follow; -1 without a chain */
    int layout; /* the first of row_layout's columns (in place of the row bytes), or -1 */
    int sample; /* the row_bytes sample, or -1 */
    /* The field each declared column is read from: the id and the time fields where the
     * layout declares those columns as int8 and epoch_us (the same binary values), else
     * a field of its own from layout on. */
    int layout_src[LAYOUT_MAX_COLUMNS];
} audit_stream_fields;
void audit_stream_layout(const audit_settings *s, audit_stream_fields *f);
/* A part of the stream when it is split over several connections: the ids from..to-1
 * (either end open when not set), led by the last row before from, so that the seam
 * between two parts is checked as one stream checks it. No part holds the rows whose id
 * is NULL (one stream sends them last): audit_null_ids_sql counts them. */
typedef struct audit_part {
    bool has_from, has_to;
    int64_t from, to;
} audit_part;
char *audit_null_ids_sql(const audit_names *n);
/* The stream's COPY; part NULL for the whole log in one stream. In id order, or with
 * table_order as the rows lie in the table (a plain scan: no sort, no index), for a reader
 * that puts them in id order (audit_reorder.h) or, when it cannot, streams again sorted. */
char *audit_stream_sql(const audit_settings *s, const audit_names *n, const audit_part *part,
                       bool table_order);
/* The server parses (never runs) each configured expression over the table, as one
 * value a row. VOUCH_OK with why "" when both parse; VOUCH_OK with *key ("digest" or
 * "row_bytes") and why ("FILE:LINE: [audit_log] KEY: ...") for the first refused;
 * VOUCH_ABORTED when the connection is gone or the run was interrupted. */
vexit audit_probe_expressions(pg_session *db, const audit_settings *s, const audit_names *n,
                              const char **key, char *why, size_t size, verr *e);
/* audit_layout_sql.c: a declared row_layout's part of the stream. */
/* ", col, col::bigint, ...": the declared columns the stream carries in fields of their
 * own (f from audit_stream_layout). */
char *audit_layout_columns_sql(const audit_settings *s, const audit_names *n,
                               const audit_stream_fields *f);
/* ", CASE ...": the row_bytes sample field (audit_layout.h). */
char *audit_layout_sample_sql(const audit_settings *s, const audit_names *n);
/* The sample alone (both row_layout and row_bytes set), as the baseline checks it: the
 * server's row_bytes of the sampled rows compared with the bytes built from their columns,
 * into ls (the caller releases it). A refusal of the query is VOUCH_FAILED. */
vexit audit_layout_agree(pg_session *db, const audit_settings *s, const audit_names *n,
                         layout_stream *ls, verr *e);
/* n->layout from s->layout (audit_names_make calls it). */
void audit_layout_names(pg_session *db, const audit_settings *s, audit_names *n);
/* Does every declared column exist with a type its encoding reads? *problem (caller
 * frees) says the first that does not ("column actor is integer, row_layout declares
 * text (which reads text or character varying)"), NULL when all do. */
vexit audit_layout_describe(pg_session *db, const audit_settings *s, char **problem, verr *e);
/* An integer column of a result (0 when NULL). */
int64_t audit_int(const PGresult *r, int row, int col);
/* Does the table exist with both columns (and integer ids where sequential)? *problem
 * (caller frees) says what is wrong with an existing table, NULL when nothing. Sets
 * n->stream_time by the time column's type. */
vexit audit_describe_table(pg_session *db, const audit_settings *s, audit_names *n, bool *exists,
                           char **problem, verr *e);

/* audit_report.c: the baseline read back, and the result rows of the gate. */
/* What the gate reads from the baseline document. */
typedef struct audit_base {
    anchor *ranges;
    size_t n_ranges;
    id_spans gaps;
    bool gaps_truncated;
    int64_t range; /* ids per range, or bucket ms */
    int64_t head_id, head_us, first_id, rows;
    const char *head_text, *first_prev;
} audit_base;
void audit_base_release(audit_base *b);
/* Read the baseline; false with why when it does not fit the configuration. */
bool audit_base_read(const json_t *doc, const audit_settings *s, const audit_names *n,
                     audit_base *b, char *why, size_t size);
anchor *audit_anchors_read(const PGresult *r, size_t *n);
/* A time in µs since the epoch to the minute, "2026-09-30T22:43Z". */
void audit_us_format(int64_t us, char *buf, size_t size);
vexit audit_report_ranges(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                          const audit_base *b, const range_diff *diffs, size_t nd,
                          const anchor_summary *sum, const chain_verifier *cv, verr *e);
void audit_report_loss(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                       const audit_base *b, bool cut, const char *head_text, int64_t head_us,
                       const anchor_summary *sum);
void audit_report_gaps(check_ctx *ctx, const audit_names *n, const audit_base *b,
                       const seq_tracker *t, int64_t upto);
void audit_report_order(check_ctx *ctx, const audit_names *n, const seq_tracker *t);
void audit_report_chain(check_ctx *ctx, const audit_names *n, const chain_verifier *cv);
void audit_report_rpo(check_ctx *ctx, const audit_settings *s, const audit_names *n,
                      int64_t newest_us);

/* audit_feeders.c: the feeding triggers and functions as they are now, for the baseline. */
vexit audit_feeders_capture(check_ctx *ctx, const audit_settings *s, json_t **out, verr *e);
/* One finding per configured trigger and function, judged against the baseline's
 * "feeders" (may be NULL). */
vexit audit_feeders_check(check_ctx *ctx, const audit_settings *s, const json_t *baseline, verr *e);

/* audit_defs.c: the definitions of the functions the log's expressions, triggers and
 * `function` entries depend on (and those they call), for the baseline's "definitions";
 * the gate fails for each one that changed or is gone, and warns once when the baseline
 * (may be NULL) predates them. */
vexit audit_defs_capture(check_ctx *ctx, const audit_settings *s, json_t **out, verr *e);
vexit audit_defs_check(check_ctx *ctx, const audit_settings *s, const json_t *baseline, verr *e);

#endif
