#include "src/pack_verify.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evidence/manifest.h"
#include "evidence/sign.h"
#include "src/pack_build.h"
#include "src/util.h"

typedef struct problems {
    FILE *out;
    size_t n;
    verr first;
} problems;

/* Record one problem: printed at once, the first kept for the error. */
static void problem(problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(problems *p, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(p->out, "FAILED  %s\n", line);
    if (!p->n++)
        verr_set(&p->first, VOUCH_FAILED, "%s", line);
}

static vexit read_whole(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return VOUCH_FAILED;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        grow((void **)&buf, &cap, n + 65536, 1);
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return VOUCH_FAILED;
    }
    *out = buf;
    *len = n;
    return VOUCH_OK;
}

/* Every entry of the folder rel (under root), recursively: anything that is not a
 * listed file is reported. */
static void find_unlisted(const char *root, const char *rel, const manifest *m, problems *p)
{
    char *path = rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
    DIR *d = opendir(path);
    if (!d) {
        problem(p, "%s: could not read the folder: %s", rel ? rel : ".", strerror(errno));
        free(path);
        return;
    }
    /* Names are collected first so the messages come in a stable order. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *x; (x = readdir(d));) {
        if (strcmp(x->d_name, ".") == 0 || strcmp(x->d_name, "..") == 0)
            continue;
        grow((void **)&names, &cap, n + 1, sizeof *names);
        names[n++] = xstrdup(x->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; i++) {
        char *child = rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
        char *full = xasprintf("%s/%s", root, child);
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
            find_unlisted(root, child, m, p);
        } else if (!(rel == NULL && (strcmp(child, MANIFEST_NAME) == 0 ||
                                     strcmp(child, MANIFEST_SIG_NAME) == 0)) &&
                   !manifest_find(m, child)) {
            problem(p, "%s: not listed in %s (a file was added)", child, MANIFEST_NAME);
        }
        free(full);
        free(child);
        free(names[i]);
    }
    free(names);
    free(path);
}

static void check_listed(const char *dir, const manifest *m, problems *p)
{
    for (size_t i = 0; i < m->n; i++) {
        const manifest_entry *x = &m->entries[i];
        char *path = xasprintf("%s/%s", dir, x->path);
        struct stat st;
        if (lstat(path, &st) != 0) {
            problem(p, "%s: listed in %s but missing", x->path, MANIFEST_NAME);
        } else {
            uint64_t size;
            char hex[DIGEST_HEX_LEN + 1];
            verr e;
            verr_clear(&e);
            if (file_sha256(path, &size, hex, &e))
                problem(p, "%s: %s", x->path, strstr(e.msg, ": ") ? strstr(e.msg, ": ") + 2 : e.msg);
            else if (size != x->size)
                problem(p, "%s: %" PRIu64 " bytes, %s says %" PRIu64, x->path, size, MANIFEST_NAME,
                        x->size);
            else if (strcmp(hex, x->sha256) != 0)
                problem(p, "%s: its SHA-256 is not the one in %s (the file was changed)", x->path,
                        MANIFEST_NAME);
        }
        free(path);
    }
}

/* The period the pack says it covers, from its (verified) pack.json. */
static char *period_of(const char *dir)
{
    char *path = xasprintf("%s/%s", dir, PACK_INFO_NAME);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    free(path);
    const char *label = json_string_value(json_object_get(doc, "period"));
    const char *first = json_string_value(json_object_get(doc, "first_day"));
    const char *last = json_string_value(json_object_get(doc, "last_day"));
    const char *summary = json_string_value(json_object_get(doc, "summary"));
    char *text = label && first && last
                     ? xasprintf("%s (%s to %s, UTC)%s%s", label, first, last,
                                 summary ? "\n  contents     " : "", summary ? summary : "")
                     : xstrdup("(pack.json does not say)");
    json_decref(doc);
    return text;
}

static void print_verified(FILE *out, const char *dir, const manifest *m, const sig_report *r)
{
    uint64_t total = 0;
    for (size_t i = 0; i < m->n; i++)
        total += m->entries[i].size;
    char *covers = period_of(dir);
    fprintf(out, "verified pack %s\n", dir);
    fprintf(out, "  period       %s\n", covers);
    fprintf(out, "  files        %zu listed, %" PRIu64 " bytes: every size and SHA-256 matches, "
                 "none missing, none added\n", m->n, total);
    fprintf(out, "  manifest     %s (sha256 %s), signature %s (CMS, detached)\n", MANIFEST_NAME,
            r->sha256, MANIFEST_SIG_NAME);
    fprintf(out, "  signer       %s\n", r->signer);
    if (strcmp(r->signer, r->issuer) != 0)
        fprintf(out, "  issuer       %s\n", r->issuer);
    fprintf(out, "  fingerprint  SHA-256 %s\n", r->fingerprint);
    fprintf(out, "  signed at    %s\n", r->signing_time[0] ? r->signing_time : "(no signing time)");
    if (r->pinned)
        fprintf(out, "  trust        pinned: the signer is, or is issued by, %s\n", r->pinned_path);
    else
        fprintf(out, "  trust        NOT PINNED: the pack is unchanged since this key signed it, but "
                     "who holds the key is not checked; give --cert FILE or set [signing] "
                     "certificate\n");
    free(covers);
}

vexit pack_verify(const char *dir_arg, const char *pinned_cert, FILE *out, verr *e)
{
    /* "pack/" names the same pack as "pack": messages read "pack/MANIFEST", not "pack//". */
    size_t n = strlen(dir_arg);
    while (n > 1 && dir_arg[n - 1] == '/')
        n--;
    char *dir = xstrndup(dir_arg, n);
    problems p = {.out = out};
    verr_clear(&p.first);
    char *mpath = xasprintf("%s/%s", dir, MANIFEST_NAME);
    char *text = NULL;
    size_t len = 0;
    manifest m = {0};
    sig_report r;
    memset(&r, 0, sizeof r);
    vexit rc = VOUCH_OK;
    bool signed_ok = false;
    if (read_whole(mpath, &text, &len)) {
        problem(&p, "%s: missing or unreadable: this is not an evidence pack, or its %s was removed",
                MANIFEST_NAME, MANIFEST_NAME);
    } else {
        verr se;
        verr_clear(&se);
        vexit sr = verify_file(mpath, pinned_cert, &r, &se);
        if (sr == VOUCH_USAGE && pinned_cert && !strstr(se.msg, MANIFEST_NAME)) {
            /* the pinned certificate cannot be read: a usage error, not a verdict */
            *e = se;
            rc = se.code;
        } else if (sr) {
            problem(&p, "%s", se.msg);
        } else {
            signed_ok = true;
        }
        verr pe;
        verr_clear(&pe);
        if (!rc && manifest_parse(text, len, &m, &pe))
            problem(&p, "%s", pe.msg);
    }
    if (!rc) {
        check_listed(dir, &m, &p);
        find_unlisted(dir, NULL, &m, &p);
        if (p.n) {
            *e = p.first;
            if (p.n > 1)
                verr_hint(e, "%zu problems in pack \"%s\", each listed above.", p.n, dir);
            rc = VOUCH_FAILED;
        } else if (signed_ok) {
            print_verified(out, dir, &m, &r);
        }
    }
    sig_report_release(&r);
    manifest_release(&m);
    free(text);
    free(mpath);
    free(dir);
    return rc;
}
