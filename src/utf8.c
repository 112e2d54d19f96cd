#include "src/utf8.h"

#include <stdlib.h>
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

/* The code point of the valid n-byte sequence at p. */
static unsigned long code_point(const unsigned char *p, size_t n)
{
    if (n == 1)
        return p[0];
    unsigned long c = p[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        c = (c << 6) | (p[i] & 0x3F);
    return c;
}

static bool shown_escaped(unsigned long c)
{
    return (c >= 0x80 && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

char *utf8_show(const char *s, unsigned flags)
{
    if (!s)
        return NULL;
    textbuf t = {0};
    textbuf_add(&t, "%s", "");
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t k = utf8_seq(p);
        if (k == 0 || (k == 1 && (*p < 0x20 || *p == 0x7F) &&
                       !(*p == '\n' && (flags & UTF8_SHOW_NEWLINE)))) {
            textbuf_add(&t, "\\x%02X", *p);
            p++;
            continue;
        }
        unsigned long c = code_point(p, k);
        if (shown_escaped(c))
            textbuf_add(&t, "\\u{%04lX}", c);
        else
            textbuf_add(&t, "%.*s", (int)k, (const char *)p);
        p += k;
    }
    return t.p;
}

size_t utf8_width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

char *utf8_cut(const char *s, size_t max)
{
    if (utf8_width(s) <= max)
        return xstrdup(s);
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p && n < max - 1) {
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
        n++;
    }
    return xasprintf("%.*s\u2026", (int)(p - (const unsigned char *)s), s);
}

/* The byte length of the first k code points of s (all of it when shorter). */
static size_t code_point_bytes(const char *s, size_t k)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t n = 0; *p && n < k; n++) {
        p++;
        while ((*p & 0xC0) == 0x80)
            p++;
    }
    return (size_t)(p - (const unsigned char *)s);
}

typedef struct lines {
    char **v;
    size_t n, cap;
} lines;

static void lines_add(lines *l, const char *s, size_t len)
{
    grow((void **)&l->v, &l->cap, l->n + 2, sizeof *l->v);
    l->v[l->n++] = xstrndup(s, len);
    l->v[l->n] = NULL;
}

char **utf8_wrap(const char *s, size_t width)
{
    if (width < 1)
        width = 1;
    lines l = {0};
    char *line = xstrdup("");
    size_t line_w = 0;
    const char *p = s ? s : "";
    while (*p) {
        p += strspn(p, " ");
        if (!*p)
            break;
        size_t wlen = strcspn(p, " ");
        char *word = xstrndup(p, wlen);
        p += wlen;
        size_t ww = utf8_width(word);
        if (line_w && line_w + 1 + ww <= width) {
            char *next = xasprintf("%s %s", line, word);
            free(line);
            line = next;
            line_w += 1 + ww;
            free(word);
            continue;
        }
        if (line_w) {
            lines_add(&l, line, strlen(line));
            line[0] = '\0';
            line_w = 0;
        }
        /* A word wider than the column: cut where it breaks best, line by line. */
        const char *w = word;
        while (utf8_width(w) > width) {
            size_t cut = code_point_bytes(w, width), at = cut;
            while (at > 0 && !strchr("._-/", w[at - 1]))
                at--;
            if (at == 0)
                at = cut;
            lines_add(&l, w, at);
            w += at;
        }
        free(line);
        line = xstrdup(w);
        line_w = utf8_width(line);
        free(word);
    }
    if (line_w || !l.n)
        lines_add(&l, line, strlen(line));
    free(line);
    return l.v;
}

void utf8_lines_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}
