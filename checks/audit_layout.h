/* checks/audit_layout: a declared canonical row layout ([audit_log] row_layout), and the
 * row bytes built from it on the client out of the raw binary COPY columns, so the server
 * streams columns instead of evaluating row_bytes per row. Pure: no connection. */
#ifndef VOUCH_AUDIT_LAYOUT_H
#define VOUCH_AUDIT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
