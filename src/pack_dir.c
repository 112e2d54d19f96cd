/* nftw (removing a half-made pack) is an XSI function. */
#define _XOPEN_SOURCE 700
#include "src/pack_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence/atomic_write.h"
#include "evidence/sign.h"
#include "src/interrupt.h"
#include "src/util.h"

vexit pack_dir_path(pack_dir *b, const char *rel, char **out, verr *e)
{
    *out = NULL;
    if (interrupt_requested())
        return verr_set(e, VOUCH_ABORTED, "interrupted: no pack was made");
    char *path = xasprintf("%s/%s", b->tmp, rel);
    for (char *slash = strchr(path + strlen(b->tmp) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        int r = mkdir(path, 0777);
        *slash = '/';
        if (r != 0 && errno != EEXIST) {
            verr_set(e, VOUCH_ABORTED, "could not create a folder for \"%s\": %s", path, strerror(errno));
            free(path);
            return e->code;
        }
    }
    *out = path;
    return VOUCH_OK;
}

vexit pack_dir_list(pack_dir *b, const char *rel, verr *e)
{
    char *path = xasprintf("%s/%s", b->tmp, rel);
    uint64_t size;
    char hex[DIGEST_HEX_LEN + 1];
    vexit rc = file_sha256(path, &size, hex, e);
    free(path);
    if (rc) {
        e->code = VOUCH_ABORTED;   /* a file vouch just wrote cannot be read back */
        return e->code;
    }
    if (!manifest_path_ok(rel) || manifest_find(&b->m, rel))
        return verr_set(e, VOUCH_ABORTED, "pack: \"%s\" cannot be listed (a bad or repeated name)", rel);
    manifest_add(&b->m, rel, size, hex);
    b->bytes += size;
    return VOUCH_OK;
}

/* Write one file at rel; listed in the MANIFEST unless unlisted (the MANIFEST itself). */
static vexit put_file(pack_dir *b, const char *rel, const char *data, size_t len, bool listed,
                      verr *e)
{
    char *path;
    vexit rc = pack_dir_path(b, rel, &path, e);
    if (rc)
        return rc;
    rc = atomic_write(path, data, len, 0666, false, e);
    free(path);
    return rc || !listed ? rc : pack_dir_list(b, rel, e);
}

vexit pack_dir_put(pack_dir *b, const char *rel, const char *data, size_t len, verr *e)
{
    return put_file(b, rel, data, len, true, e);
}

vexit pack_dir_put_json(pack_dir *b, const char *rel, json_t *doc, verr *e)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text)
        return verr_set(e, VOUCH_ABORTED, "could not serialise %s", rel);
    char *line = xasprintf("%s\n", text);
    free(text);
    vexit rc = put_file(b, rel, line, strlen(line), true, e);
    free(line);
    return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

vexit pack_check_destination(const char *dir, verr *e)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            return VOUCH_OK;
        return verr_set(e, VOUCH_USAGE, "could not read \"%s\": %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return verr_set(e, VOUCH_USAGE, "\"%s\" exists and is not a folder", dir);
    DIR *d = opendir(dir);
    if (!d)
        return verr_set(e, VOUCH_USAGE, "could not read \"%s\": %s", dir, strerror(errno));
    bool empty = true;
    for (struct dirent *x; empty && (x = readdir(d));)
        empty = strcmp(x->d_name, ".") == 0 || strcmp(x->d_name, "..") == 0;
    closedir(d);
    if (!empty) {
        verr_set(e, VOUCH_USAGE, "\"%s\" exists and is not empty: a pack goes into a new or empty folder",
                 dir);
        verr_hint(e, "Choose another --out, or remove the folder first.");
        return e->code;
    }
    return VOUCH_OK;
}


vexit pack_dir_open(pack_dir *b, const char *dest, verr *e)
{
    *b = (pack_dir){0};
    vexit rc = pack_check_destination(dest, e);
    if (rc)
        return rc;
    size_t n = strlen(dest);
    while (n > 1 && dest[n - 1] == '/')
        n--;
    b->dest = xstrndup(dest, n);
    b->tmp = xasprintf("%s.tmp-XXXXXX", b->dest);
    if (!mkdtemp(b->tmp)) {
        verr_set(e, VOUCH_USAGE, "could not create a folder beside \"%s\": %s", dest, strerror(errno));
        free(b->tmp);
        free(b->dest);
        *b = (pack_dir){0};
        return e->code;
    }
    return VOUCH_OK;
}

static void release(pack_dir *b)
{
    manifest_release(&b->m);
    free(b->tmp);
    free(b->dest);
    *b = (pack_dir){0};
}

void pack_dir_abandon(pack_dir *b)
{
    if (b->tmp)
        nftw(b->tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    release(b);
}

vexit pack_dir_close(pack_dir *b, const signer *s, verr *e)
{
    size_t len;
    char *text = manifest_format(&b->m, &len);
    vexit rc = put_file(b, MANIFEST_NAME, text, len, false, e);
    free(text);
    if (!rc) {
        char *path = xasprintf("%s/%s", b->tmp, MANIFEST_NAME);
        rc = sign_file(s, path, e);
        free(path);
    }
    if (!rc) {
        /* mkdtemp made it 0700; a pack is for reading, as files are under the umask. */
        mode_t mask = umask(0);
        umask(mask);
        if (chmod(b->tmp, 0777 & ~mask) != 0 || rename(b->tmp, b->dest) != 0)
            rc = verr_set(e, VOUCH_ABORTED, "could not move the pack into \"%s\": %s", b->dest,
                          strerror(errno));
    }
    if (rc)
        pack_dir_abandon(b);
    else
        release(b);
    return rc;
}
