/* checks/audit_layout: the declared row layout and the client's row bytes (see the header). */
#include "checks/audit_layout.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/ident.h"
#include "src/util.h"

static const struct {
    const char *name;
    layout_enc enc;
    const char *type;
    const char *takes[3]; /* the column types it reads, as format_type spells them */
    const char *takes_text;
} encodings[] = {
    {"int8", ENC_INT8, "bigint", {"bigint", "integer", "smallint"}, "bigint, integer or smallint"},
    {"epoch_us", ENC_EPOCH_US, "timestamptz",
     {"timestamp with time zone", "timestamp without time zone", NULL},
     "timestamp with or without time zone"},
    {"text", ENC_TEXT, "text", {"text", "character varying", NULL}, "text or character varying"},
    {"jsonb", ENC_JSONB, "jsonb", {"jsonb", NULL, NULL}, "jsonb"},
};

const char *layout_enc_name(layout_enc enc)
{
    for (size_t i = 0; i < sizeof encodings / sizeof *encodings; i++)
        if (encodings[i].enc == enc)
            return encodings[i].name;
    return "?";
}

bool layout_type_fits(layout_enc enc, const char *type)
{
    for (size_t i = 0; i < sizeof encodings / sizeof *encodings; i++)
        if (encodings[i].enc == enc)
            for (size_t j = 0; j < 3 && encodings[i].takes[j]; j++)
                if (strcmp(type, encodings[i].takes[j]) == 0)
                    return true;
    return false;
}

const char *layout_enc_takes(layout_enc enc)
{
    for (size_t i = 0; i < sizeof encodings / sizeof *encodings; i++)
        if (encodings[i].enc == enc)
            return encodings[i].takes_text;
    return "";
}

const char *layout_enc_type(layout_enc enc)
{
    for (size_t i = 0; i < sizeof encodings / sizeof *encodings; i++)
        if (encodings[i].enc == enc)
            return encodings[i].type;
    return "bytea";
}

void row_layout_release(row_layout *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->cols[i].name);
    l->n = 0;
}

/* One "NAME:ENC" item of len bytes at p. */
static bool parse_item(const char *p, size_t len, layout_column *c, char *why, size_t size)
{
    /* The encoding follows the last ':' (a quoted name may hold one). */
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (p[i] == ':')
            colon = p + i;
    if (!colon) {
        snprintf(why, size, "\"%.*s\": give NAME:ENCODING", (int)len, p);
        return false;
    }
    char *enc = xasprintf("%.*s", (int)(p + len - colon - 1), colon + 1);
    char *name = xasprintf("%.*s", (int)(colon - p), p);
    char *e = trim(enc);
    bool found = false;
    for (size_t i = 0; i < sizeof encodings / sizeof *encodings; i++)
        if (strcmp(e, encodings[i].name) == 0) {
            c->enc = encodings[i].enc;
            found = true;
        }
    bool ok = false;
    if (!found)
        snprintf(why, size, "unknown encoding \"%s\" (int8, epoch_us, text or jsonb)", e);
    else
        ok = ident_parse(trim(name), &c->name, why, size);
    free(enc);
    free(name);
    return ok;
}

bool row_layout_parse(const char *text, row_layout *out, char *why, size_t size)
{
    *out = (row_layout){0};
    const char *p = text;
    while (*p) {
        /* An item ends at a ',' outside double quotes. */
        const char *q = p;
        bool quoted = false;
        while (*q && (quoted || *q != ','))
            quoted ^= *q++ == '"';
        if (out->n == LAYOUT_MAX_COLUMNS) {
            snprintf(why, size, "more than %d columns", LAYOUT_MAX_COLUMNS);
            row_layout_release(out);
            return false;
        }
        if (!parse_item(p, (size_t)(q - p), &out->cols[out->n], why, size)) {
            row_layout_release(out);
            return false;
        }
        out->n++;
        p = *q ? q + 1 : q;
    }
    if (out->n == 0) {
        snprintf(why, size, "no columns: give NAME:ENCODING, ...");
        return false;
    }
    return true;
}

void layout_buf_release(layout_buf *b)
{
    free(b->p);
    *b = (layout_buf){0};
}

static void put(layout_buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* Decimal as %lld writes it, without snprintf's cost on every row. */
static void put_int(layout_buf *b, int64_t v)
{
    char s[24];
    char *end = s + sizeof s, *p = end;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    put(b, p, (size_t)(end - p));
}

static bool put_field(layout_buf *b, layout_enc enc, const copy_field *f)
{
    switch (enc) {
    case ENC_INT8:
        if (f->len < 0)
            return true;
        if (f->len != 8)
            return false;
        put_int(b, copy_int64(f->data));
        return true;
    case ENC_EPOCH_US: {
        if (f->len != 8)
            return false;
        int64_t us = copy_int64(f->data);
        /* ±infinity have no epoch; SQL's extract would give ±Infinity, not an integer. */
        if (us == INT64_MAX || us == INT64_MIN || us > INT64_MAX - COPY_PG_EPOCH_US)
            return false;
        put_int(b, us + COPY_PG_EPOCH_US);
        return true;
    }
    case ENC_TEXT:
        if (f->len < 0)
            return false;
        put(b, f->data, (size_t)f->len);
        return true;
    case ENC_JSONB:
        /* jsonb's binary form: a version byte (1), then the same text jsonb::text gives. */
        if (f->len < 1 || f->data[0] != 1)
            return false;
        put(b, f->data + 1, (size_t)f->len - 1);
        return true;
    }
    return false;
}

bool layout_build(const row_layout *l, const copy_field *f, layout_buf *b)
{
    b->len = 0;
    for (int i = 0; i < l->n; i++) {
        if (i)
            put(b, "|", 1);
        if (!put_field(b, l->cols[i].enc, &f[i])) {
            b->len = 0;
            return false;
        }
    }
    return true;
}

void layout_stream_release(layout_stream *ls)
{
    layout_buf_release(&ls->buf);
}

copy_field layout_stream_row(layout_stream *ls, const row_layout *l, int64_t id,
                             const copy_field *cols, const copy_field *sample)
{
    bool built = layout_build(l, cols, &ls->buf);
    copy_field rb = {built ? ls->buf.p : NULL, built ? (int32_t)ls->buf.len : -1};
    if (rb.data == NULL && built)
        rb.data = (const unsigned char *)""; /* an empty row: bytes, not NULL */
    if (!sample || sample->len < 0)
        return rb; /* not sampled */
    ls->sampled++;
    bool agree;
    if (sample->len == 1 && sample->data[0] == 0)
        agree = !built; /* row_bytes gave NULL */
    else
        agree = built && sample->len >= 1 && sample->data[0] == 1 &&
                (size_t)sample->len - 1 == ls->buf.len &&
                (ls->buf.len == 0 || memcmp(sample->data + 1, ls->buf.p, ls->buf.len) == 0);
    if (!agree && ls->disagree++ == 0)
        ls->first_disagree = id;
    return rb;
}

void layout_stream_join(layout_stream *a, const layout_stream *next)
{
    if (next->disagree && !a->disagree)
        a->first_disagree = next->first_disagree;
    a->disagree += next->disagree;
    a->sampled += next->sampled;
}
