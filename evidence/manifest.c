#include "evidence/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "src/util.h"

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

bool manifest_path_ok(const char *path)
{
    if (!path || !*path || strcmp(path, MANIFEST_NAME) == 0 || strcmp(path, MANIFEST_SIG_NAME) == 0)
        return false;
    const char *name = path;
    for (const char *p = path;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t n = (size_t)(p - name);
            if (n == 0 || (n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
                return false;
            if (*p == '\0')
                return true;
            name = p + 1;
        } else if (!name_char(*p)) {
            return false;
        }
    }
}

void manifest_add(manifest *m, const char *path, uint64_t size, const char *sha256)
{
    grow((void **)&m->entries, &m->cap, m->n + 1, sizeof *m->entries);
    manifest_entry *x = &m->entries[m->n++];
    x->path = xstrdup(path);
    x->size = size;
    snprintf(x->sha256, sizeof x->sha256, "%s", sha256);
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const manifest_entry *)a)->path, ((const manifest_entry *)b)->path);
}

char *manifest_format(manifest *m, size_t *len)
{
    if (m->n)
        qsort(m->entries, m->n, sizeof *m->entries, by_path);
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f) {
        fprintf(stderr, "vouch: out of memory (manifest)\n");
        abort();
    }
    for (size_t i = 0; i < m->n; i++)
        fprintf(f, "%s  %" PRIu64 "  %s\n", m->entries[i].sha256, m->entries[i].size,
                m->entries[i].path);
    if (fclose(f) != 0 || !text) {
        fprintf(stderr, "vouch: out of memory (manifest)\n");
        abort();
    }
    return text;
}

static bool hex64(const char *s)
{
    for (int i = 0; i < DIGEST_HEX_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* One line without its newline: "HASH  SIZE  PATH". */
static bool parse_line(const char *s, size_t n, manifest *m, const char **why)
{
    *why = "expected \"SHA256  SIZE  PATH\"";
    if (n < DIGEST_HEX_LEN + 2 || !hex64(s) || s[DIGEST_HEX_LEN] != ' ' || s[DIGEST_HEX_LEN + 1] != ' ')
        return false;
    const char *p = s + DIGEST_HEX_LEN + 2, *end = s + n;
    uint64_t size = 0;
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9') {
        uint64_t d = (uint64_t)(*p++ - '0');
        if (size > (UINT64_MAX - d) / 10)
            return false;
        size = size * 10 + d;
    }
    if (p == digits || (p - digits > 1 && *digits == '0') || end - p < 3 || p[0] != ' ' || p[1] != ' ')
        return false;
    char *path = xstrndup(p + 2, (size_t)(end - p - 2));
    /* Sorted bytewise without repeats, as manifest_format writes it and as the
     * auditor's 'LC_ALL=C sort | diff' step expects: both procedures refuse the same. */
    int order = m->n ? strcmp(m->entries[m->n - 1].path, path) : -1;
    bool ok = false;
    if (!manifest_path_ok(path))
        *why = "the path is not one a pack may list";
    else if (order == 0)
        *why = "the path is listed twice";
    else if (order > 0)
        *why = "out of order: the lines are sorted by path, bytewise (LC_ALL=C sort)";
    else
        ok = true;
    if (ok) {
        char hash[DIGEST_HEX_LEN + 1];
        memcpy(hash, s, DIGEST_HEX_LEN);
        hash[DIGEST_HEX_LEN] = '\0';
        manifest_add(m, path, size, hash);
    }
    free(path);
    return ok;
}

vexit manifest_parse(const char *text, size_t len, manifest *m, verr *e)
{
    size_t line = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *why;
        if (!nl)
            return verr_set(e, VOUCH_FAILED, "%s line %zu: the last line does not end with a newline",
                            MANIFEST_NAME, line);
        if (memchr(p, '\0', (size_t)(nl - p)) || !parse_line(p, (size_t)(nl - p), m, &why))
            return verr_set(e, VOUCH_FAILED, "%s line %zu: %s", MANIFEST_NAME, line,
                            memchr(p, '\0', (size_t)(nl - p)) ? "a NUL byte" : why);
        p = nl + 1;
    }
    return VOUCH_OK;
}

const manifest_entry *manifest_find(const manifest *m, const char *path)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->entries[i].path, path) == 0)
            return &m->entries[i];
    return NULL;
}

void manifest_release(manifest *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->entries[i].path);
    free(m->entries);
    m->entries = NULL;
    m->n = m->cap = 0;
}

const char *file_kind(mode_t mode)
{
    return S_ISREG(mode)    ? "file"
           : S_ISDIR(mode)  ? "folder"
           : S_ISLNK(mode)  ? "symbolic link"
           : S_ISFIFO(mode) ? "FIFO"
           : S_ISSOCK(mode) ? "socket"
           : S_ISCHR(mode) || S_ISBLK(mode) ? "device"
                                            : "special file";
}

int file_open_regular(const char *path, const char **why)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever;
     * on a regular file it changes nothing. O_NOFOLLOW: a link is refused, not read. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        *why = errno == ELOOP ? "a symbolic link, not a regular file" : strerror(errno);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
    } else if (!S_ISREG(st.st_mode)) {
        *why = S_ISFIFO(st.st_mode)   ? "a FIFO, not a regular file"
               : S_ISDIR(st.st_mode)  ? "a folder, not a regular file"
               : S_ISSOCK(st.st_mode) ? "a socket, not a regular file"
                                      : "a device or special file, not a regular file";
    } else {
        return fd;
    }
    close(fd);
    return -1;
}

vexit file_read_regular(const char *path, size_t max, char **out, size_t *len, verr *e)
{
    *out = NULL;
    *len = 0;
    const char *why;
    int fd = file_open_regular(path, &why);
    if (fd < 0)
        return verr_set(e, VOUCH_FAILED, "%s: %s", path, why);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    vexit rc = VOUCH_OK;
    for (;;) {
        grow((void **)&buf, &cap, n + 65537, 1);
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = verr_set(e, VOUCH_FAILED, "%s: %s", path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > max) {
            rc = verr_set(e, VOUCH_FAILED, "%s: larger than %zu bytes", path, max);
            break;
        }
    }
    close(fd);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return VOUCH_OK;
}

vexit file_sha256(const char *path, uint64_t *size, char hex[DIGEST_HEX_LEN + 1], verr *e)
{
    const char *why;
    int fd = file_open_regular(path, &why);
    if (fd < 0)
        return verr_set(e, VOUCH_FAILED, "%s: %s", path, why);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    unsigned char buf[65536];
    uint64_t total = 0;
    vexit rc = VOUCH_OK;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = verr_set(e, VOUCH_FAILED, "%s: %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        total += (uint64_t)n;
    }
    close(fd);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (rc)
        return rc;
    static const char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < mdlen && i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[DIGEST_HEX_LEN] = '\0';
    *size = total;
    return VOUCH_OK;
}
