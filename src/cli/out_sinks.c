#include "src/cli/out_sinks.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence/atomic_write.h"
#include "src/util.h"

bool out_formats_name_files(const char *const *formats, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strchr(formats[i], ':'))
            return true;
    return false;
}

/* A FILE that cannot be written is said before the run, not after it. */
static vexit check_writable(const char *path, verr *e)
{
    struct stat st;
    if (!*path)
        return verr_set(e, VOUCH_USAGE, "--format NAME:FILE: the FILE is empty");
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return verr_set(e, VOUCH_USAGE, "could not write output \"%s\": it is a folder", path);
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    vexit rc = VOUCH_OK;
    if (access(dir, W_OK | X_OK) != 0)
        rc = verr_set(e, VOUCH_USAGE, "could not write output \"%s\": folder \"%s\": %s", path,
                      dir, strerror(errno));
    free(dir);
    return rc;
}

static vexit add_sink(out_sinks *o, const char *name, size_t name_len, const char *path,
                      verr *e)
{
    char *bare = xstrndup(name, name_len);
    const output_writer *w = output_find(bare);
    if (!w) {
        verr_set(e, VOUCH_USAGE, "unknown format \"%s\": use %s", bare, output_names());
        free(bare);
        return e->code;
    }
    free(bare);
    for (size_t i = 0; i < o->n; i++) {
        if (!path && !o->s[i].path) {
            verr_set(e, VOUCH_USAGE, "--format %s and --format %s both go to standard output",
                     o->s[i].writer->name, w->name);
            verr_hint(e, "Give the others a file: --format junit:gate.xml.");
            return e->code;
        }
        if (path && o->s[i].path && strcmp(path, o->s[i].path) == 0)
            return verr_set(e, VOUCH_USAGE, "--format %s and --format %s both write \"%s\"",
                            o->s[i].writer->name, w->name, path);
    }
    vexit rc = path ? check_writable(path, e) : VOUCH_OK;
    if (rc)
        return rc;
    out_sink *s = &o->s[o->n];
    *s = (out_sink){.writer = w, .path = path};
    s->f = path ? open_memstream(&s->buf, &s->len) : stdout;
    if (!s->f)
        return verr_set(e, VOUCH_ABORTED, "could not make room for output \"%s\"", path);
    o->n++;
    return VOUCH_OK;
}

vexit out_sinks_open(out_sinks *o, const char *const *formats, size_t n, const char *out,
                     verr *e)
{
    *o = (out_sinks){0};
    if (n > OUT_MAX_FORMATS)
        return verr_set(e, VOUCH_USAGE, "--format is given %zu times: at most %d", n,
                        OUT_MAX_FORMATS);
    bool out_taken = false;
    vexit rc = VOUCH_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *colon = strchr(formats[i], ':');
        size_t len = colon ? (size_t)(colon - formats[i]) : strlen(formats[i]);
        const char *path = colon ? colon + 1 : NULL;
        if (!path && out) { /* --format X --out F: as before */
            if (out_taken)
                return verr_set(e, VOUCH_USAGE, "--out \"%s\" fits one --format given without"
                                " a file, not several", out);
            path = out;
            out_taken = true;
        }
        rc = add_sink(o, formats[i], len, path, e);
    }
    if (!rc && !n)
        rc = add_sink(o, "human", 5, out, e);
    else if (!rc && out && !out_taken) {
        verr_set(e, VOUCH_USAGE, "--out \"%s\": every --format names its own file", out);
        verr_hint(e, "Drop --out, or give one --format without a FILE to go there.");
        rc = e->code;
    }
    o->primary = 0;
    for (size_t i = 0; i < o->n; i++)
        if (!o->s[i].path)
            o->primary = i;
    return rc;
}

vexit out_sinks_close(out_sinks *o, verr *e)
{
    vexit rc = VOUCH_OK;
    for (size_t i = 0; i < o->n; i++) {
        out_sink *s = &o->s[i];
        if (!s->path)
            continue;
        bool bad = fclose(s->f) != 0;
        verr mine;
        verr_clear(&mine);
        if (bad)
            verr_set(&mine, VOUCH_ABORTED, "could not write \"%s\": out of memory", s->path);
        else if (s->len)
            atomic_write(s->path, s->buf, s->len, 0666, true, &mine);
        free(s->buf);
        if (mine.code && !rc)
            *e = mine; /* the first; the others are tried all the same */
        if (mine.code)
            rc = VOUCH_ABORTED;
    }
    *o = (out_sinks){0};
    return rc;
}
