/* checks/audit_copy: binary COPY decoding (see the header). */
#include "checks/audit_copy.h"

#include <string.h>

#define COPY_MAX_FIELDS 16

static const unsigned char signature[11] = {'P',  'G',  'C',  'O',  'P', 'Y',
                                            '\n', 0xff, '\r', '\n', 0};

int32_t copy_int32(const unsigned char *p)
{
    uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (int32_t)v;
}

int64_t copy_int64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

size_t copy_header_parse(const unsigned char *p, size_t len)
{
    if (len < 19 || memcmp(p, signature, sizeof signature) != 0)
        return 0;
    int32_t flags = copy_int32(p + 11), ext = copy_int32(p + 15);
    /* Bits 16-31 are critical: a flag we do not know means we cannot read the data. */
    if ((flags & (int32_t)0xffff0000) != 0 || ext < 0 || (size_t)ext > len - 19)
        return 0;
    return 19 + (size_t)ext;
}

copy_kind copy_tuple_parse(const unsigned char *p, size_t len, copy_field *fields, int max, int *n,
                           size_t *used)
{
    *n = 0;
    if (len < 2)
        return COPY_BAD;
    int16_t count = (int16_t)((uint16_t)p[0] << 8 | p[1]);
    if (count == -1) {
        *used = 2;
        return COPY_TRAILER;
    }
    if (count < 0 || count > max)
        return COPY_BAD;
    size_t at = 2;
    for (int i = 0; i < count; i++) {
        if (len - at < 4)
            return COPY_BAD;
        int32_t flen = copy_int32(p + at);
        at += 4;
        if (flen < -1 || (flen > 0 && (size_t)flen > len - at))
            return COPY_BAD;
        fields[i].len = flen;
        fields[i].data = flen >= 0 ? p + at : NULL;
        if (flen > 0)
            at += (size_t)flen;
    }
    *n = count;
    *used = at;
    return COPY_TUPLE;
}

/* Read what is left of a COPY we stopped reading, so the session stays usable. */
static void drain(PGconn *conn)
{
    char *buf;
    while (PQgetCopyData(conn, &buf, 0) > 0)
        PQfreemem(buf);
}

void copy_reader_init(copy_reader *r, int n_fields, copy_row_fn fn, void *user)
{
    *r = (copy_reader){.n_fields = n_fields, .fn = fn, .user = user};
}

void copy_reader_feed(copy_reader *r, const unsigned char *p, size_t len)
{
    size_t at = 0;
    if (r->bad)
        return;
    if (!r->header) {
        if (!(at = copy_header_parse(p, len)))
            r->bad = "the stream does not start with a binary COPY header";
        r->header = true;
    }
    /* The fields point into p: parsed in place, nothing copied. */
    while (!r->bad && at < len) {
        copy_field f[COPY_MAX_FIELDS];
        int nf;
        size_t used;
        copy_kind k = copy_tuple_parse(p + at, len - at, f, COPY_MAX_FIELDS, &nf, &used);
        if (k == COPY_TRAILER && !r->trailer) {
            r->trailer = true;
            at += used;
        } else if (k != COPY_TUPLE || nf != r->n_fields || r->trailer) {
            r->bad = "the COPY stream holds a row of an unexpected shape";
        } else {
            r->fn(r->user, f, nf);
            at += used;
        }
    }
}

vexit copy_reader_end(const copy_reader *r, verr *e)
{
    if (r->bad)
        return verr_set(e, VOUCH_FAILED, "%s", r->bad);
    if (!r->trailer)
        return verr_set(e, VOUCH_FAILED, "the COPY stream ended without its trailer");
    return VOUCH_OK;
}

vexit copy_stream(pg_session *s, const char *sql, int n_fields, copy_row_fn fn, void *user,
                  verr *e)
{
    return copy_stream_until(s, sql, n_fields, fn, user, NULL, e);
}

vexit copy_stream_until(pg_session *s, const char *sql, int n_fields, copy_row_fn fn, void *user,
                        const bool *stop, verr *e)
{
    /* The extended protocol: the server takes exactly one statement, never several. */
    PGresult *r = PQexecParams(s->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    if (!r || PQresultStatus(r) != PGRES_COPY_OUT) {
        vexit rc = pg_result_error(s, r, e);
        PQclear(r);
        return rc;
    }
    PQclear(r);
    copy_reader rd;
    copy_reader_init(&rd, n_fields, fn, user);
    char *buf;
    int n;
    /* The server sends one message a row (the header rides with the first one). */
    while (!rd.bad && !(stop && *stop) && (n = PQgetCopyData(s->conn, &buf, 0)) > 0) {
        copy_reader_feed(&rd, (const unsigned char *)buf, (size_t)n);
        PQfreemem(buf);
    }
    bool stopped = stop && *stop;
    if (stopped)
        pg_cancel(s->conn); /* what it sends after is drained */
    if (rd.bad || stopped)
        drain(s->conn);
    vexit rc = VOUCH_OK;
    while ((r = PQgetResult(s->conn))) {
        /* Once stopped, the cancel's error is the one expected: the caller rolls back. */
        if (!rc && !stopped && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = pg_result_error(s, r, e);
        PQclear(r);
    }
    if (stopped)
        return pg_session_broken(s) ? verr_set(e, VOUCH_ABORTED, "the connection was lost")
                                    : VOUCH_OK;
    if (!rc)
        rc = copy_reader_end(&rd, e);
    return rc;
}
