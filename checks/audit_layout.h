/* checks/audit_layout: a declared canonical row layout ([audit_log] row_layout), and the
 * row bytes built from it on the client out of the raw binary COPY columns, so the server
 * streams columns instead of evaluating row_bytes per row. Pure: no connection. */
#ifndef VOUCH_AUDIT_LAYOUT_H
#define VOUCH_AUDIT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/audit_copy.h"

#define LAYOUT_MAX_COLUMNS 10 /* the stream's other fields and these fit in one COPY row */

/* How one column becomes bytes. Fields are joined with '|'. */
typedef enum layout_enc {
    ENC_INT8,     /* bigint as decimal text; NULL as nothing (coalesce(x::text, '')) */
    ENC_EPOCH_US, /* timestamptz as integer microseconds since 1970-01-01 UTC, decimal */
    ENC_TEXT,     /* text as its UTF-8 bytes */
    ENC_JSONB     /* jsonb as its canonical text (payload::text) */
} layout_enc;

typedef struct layout_column {
    char *name; /* the column, unquoted; quoted with pg_quote_ident for SQL */
    layout_enc enc;
} layout_column;

typedef struct row_layout {
    layout_column cols[LAYOUT_MAX_COLUMNS];
    int n;
} row_layout;

/* Parse "NAME:ENC, NAME:ENC, ..." (names as the configuration writes one column, quoted
 * with "..." where needed). false with a reason in why; on success release with
 * row_layout_release. */
bool row_layout_parse(const char *text, row_layout *out, char *why, size_t size);
void row_layout_release(row_layout *l);
/* The SQL type a column is streamed as, for the COPY's cast. */
const char *layout_enc_type(layout_enc enc);
/* The encoding's name as row_layout writes it ("epoch_us"). */
const char *layout_enc_name(layout_enc enc);
/* Whether a column of the given type (format_type's spelling: "bigint", "timestamp with
 * time zone", "character varying") is read with enc, byte for byte as the SQL rule of the
 * header's enum reads it: int8 takes bigint, integer and smallint (streamed as bigint);
 * epoch_us takes timestamp with and without time zone (the same binary form; a zone-less
 * one is taken as UTC, as extract(epoch ...) takes it); text takes text and character
 * varying; jsonb takes jsonb. Nothing else: character(n) loses its padding in ::text,
 * json is not canonical, a domain or a numeric is not read. */
bool layout_type_fits(layout_enc enc, const char *type);
/* The types enc takes, for a message: "bigint, integer or smallint". */
const char *layout_enc_takes(layout_enc enc);

/* A buffer the row bytes are built into, grown as needed and reused row after row. */
typedef struct layout_buf {
    unsigned char *p;
    size_t len, cap;
} layout_buf;

void layout_buf_release(layout_buf *b);
/* Build one row's bytes from its n = l->n fields (binary COPY) into b. false when the
 * row has no bytes (a NULL other than an int8's, as SQL's || gives NULL) or a field
 * is not what its encoding reads (b->len is then 0). */
bool layout_build(const row_layout *l, const copy_field *f, layout_buf *b);

/* Agreement with [audit_log] row_bytes on a sample of rows, when both are configured: the
 * stream carries, next to the declared columns, one more field that is NULL for a row not
 * sampled and otherwise "\x00" (row_bytes gave NULL) or "\x01" followed by row_bytes. */
#define LAYOUT_SAMPLE_EVERY 4096 /* rows whose id is a multiple of this are sampled */
#define LAYOUT_SAMPLE_FIRST 8    /* and the log's first rows */

/* One stream's (or one part's) client-built row bytes: the buffer and the sample seen. */
typedef struct layout_stream {
    layout_buf buf;
    int64_t sampled, disagree;
    int64_t first_disagree; /* the id of the first row that disagreed */
} layout_stream;

void layout_stream_release(layout_stream *ls);
/* The row bytes of the row id from its declared columns cols[0..l->n) as a field the
 * chain reads (data in ls->buf, len -1 when the row has no bytes), compared with sample
 * (NULL when there is no row_bytes to compare with). */
copy_field layout_stream_row(layout_stream *ls, const row_layout *l, int64_t id,
                             const copy_field *cols, const copy_field *sample);
/* Append the part that follows a in id order. */
void layout_stream_join(layout_stream *a, const layout_stream *next);

#endif
