/* checks/audit_copy: reading PostgreSQL's binary COPY format as it streams in
 * (signature, flags and extension header, then tuples of length-prefixed fields,
 * then a -1 trailer). Pure: the caller hands in the buffers libpq returns. */
#ifndef VOUCH_AUDIT_COPY_H
#define VOUCH_AUDIT_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/pg.h"
#include "src/verr.h"

typedef struct copy_field {
    const unsigned char *data;
    int32_t len; /* -1 for SQL NULL */
} copy_field;

typedef enum copy_kind { COPY_TUPLE, COPY_TRAILER, COPY_BAD } copy_kind;

/* The bytes the file header takes at p, or 0 when p does not start with a valid header. */
size_t copy_header_parse(const unsigned char *p, size_t len);
/* One tuple at p: its fields (at most max; more is COPY_BAD) into fields[0..*n) and the
 * bytes it took into *used. A field's data points into p. */
copy_kind copy_tuple_parse(const unsigned char *p, size_t len, copy_field *fields, int max, int *n,
                           size_t *used);
/* Network-order integers as COPY sends int8 / int4 / timestamptz. */
int64_t copy_int64(const unsigned char *p);
int32_t copy_int32(const unsigned char *p);

/* Microseconds from PostgreSQL's epoch (2000-01-01) to the Unix epoch, for timestamps. */
#define COPY_PG_EPOCH_US 946684800000000LL

/* Called with each row of a stream: fields[0..n) point into libpq's buffer, valid
 * only during the call. */
typedef void (*copy_row_fn)(void *user, const copy_field *fields, int n);

/* One binary COPY stream read message by message as libpq hands them over. */
typedef struct copy_reader {
    int n_fields;
    copy_row_fn fn;
    void *user;
    bool header, trailer;
    const char *bad; /* why the stream cannot be read, once it cannot */
} copy_reader;

void copy_reader_init(copy_reader *r, int n_fields, copy_row_fn fn, void *user);
/* Read one message: every row in it goes to fn. Once the stream is bad (r->bad),
 * nothing more is handed on. */
void copy_reader_feed(copy_reader *r, const unsigned char *p, size_t len);
/* After the last message: VOUCH_OK, or VOUCH_FAILED saying what was wrong. */
vexit copy_reader_end(const copy_reader *r, verr *e);

/* Run sql (a COPY ... TO STDOUT (FORMAT binary)) on the session and hand every row,
 * which must have exactly n_fields fields, to fn as it arrives: one row in memory. */
vexit copy_stream(pg_session *s, const char *sql, int n_fields, copy_row_fn fn, void *user,
                  verr *e);
/* copy_stream that fn can stop by setting *stop: the statement is cancelled and what is left
 * of it read and dropped. Stopped, it is VOUCH_OK (or VOUCH_ABORTED for a lost connection)
 * with the transaction failed: the caller rolls back to its savepoint before the next query. */
vexit copy_stream_until(pg_session *s, const char *sql, int n_fields, copy_row_fn fn, void *user,
                        const bool *stop, verr *e);

#endif
