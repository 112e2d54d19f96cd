/* checks/audit_copy: binary COPY decoding (see the header). */
#include "checks/audit_copy.h"

#include <string.h>

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
