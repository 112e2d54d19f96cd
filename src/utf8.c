#include "src/utf8.h"

#include <string.h>

#include "src/util.h"

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        size_t k = utf8_seq(p);
        if (k == 0 || k > (size_t)(end - p))
            return false;
        p += k;
    }
    return true;
}

char *utf8_escape_invalid(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (utf8_valid(s, n))
        return xstrdup(s);
    /* at worst every byte becomes four */
    char *out = xmalloc(4 * n + 1);
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    while (*p) {
        size_t k = utf8_seq(p);
        if (k == 0) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
            p++;
            continue;
        }
        memcpy(out + o, p, k);
        o += k;
        p += k;
    }
    out[o] = '\0';
    return out;
}
