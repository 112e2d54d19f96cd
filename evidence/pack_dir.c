/* nftw (removing a half-made pack) is an XSI function. */
#define _XOPEN_SOURCE 700
#include "evidence/pack_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
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


/* ---- the owner marker: proof that a DIR.tmp-XXXXXX folder is one vouch made ---- */

#define OWNER_FORMAT "vouch-pack-owner/1"

/* This boot's id and the start time (clock ticks since boot) of process pid, from
 * /proc; "" and 0 where there is no /proc. */
static void boot_id(char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (f) {
        if (fgets(out, (int)size, f))
            out[strcspn(out, "\n")] = '\0';
        fclose(f);
    }
}

static unsigned long long start_ticks(pid_t pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    /* field 22; the name (field 2) is in parentheses and may hold spaces */
    const char *p = strrchr(line, ')');
    unsigned long long ticks = 0;
    for (int field = 2; p && *p && field < 22; p++)
        if (*p == ' ' && ++field == 22)
            ticks = strtoull(p + 1, NULL, 10);
    return ticks;
}

/* The marker's text for the folder named name made by this process. */
static char *owner_text(const char *name)
{
    char host[256] = "", boot[64];
    gethostname(host, sizeof host - 1);
    boot_id(boot, sizeof boot);
    return xasprintf(OWNER_FORMAT " folder=%s host=%s boot=%s pid=%ld start=%llu\n", name, host,
                     boot, (long)getpid(), start_ticks(getpid()));
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Whether the marker text says: made for the folder name, on this host, by a process
 * that is gone (not running, or its pid now another process's, or another boot). */
static bool owner_gone(const char *text, const char *name)
{
    char folder[256], host[256], boot[64], mine_host[256] = "", mine_boot[64];
    long pid;
    unsigned long long start;
    if (sscanf(text, OWNER_FORMAT " folder=%255s host=%255s boot=%63s pid=%ld start=%llu", folder,
               host, boot, &pid, &start) != 5 || pid < 1 || strcmp(folder, name) != 0)
        return false;
    gethostname(mine_host, sizeof mine_host - 1);
    if (strcmp(host, mine_host) != 0)
        return false;   /* another machine's pack (a shared disk): not ours to judge */
    boot_id(mine_boot, sizeof mine_boot);
    if (strcmp(boot, mine_boot) != 0)
        return true;    /* the machine has restarted since */
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return true;
    return start && start_ticks((pid_t)pid) != start;   /* the pid now names another process */
}

/* name (in folder parent) is NAME.tmp-XXXXXX: a folder of ours, holding our marker,
 * whose maker is gone. Anything else is left alone. */
static bool stale_ours(const char *parent, const char *name)
{
    const char *tag = strstr(name, ".tmp-");
    if (!tag || tag == name || strlen(tag) != strlen(".tmp-XXXXXX"))
        return false;
    char *path = xasprintf("%s/%s", parent, name);
    char *marker = xasprintf("%s/%s", path, PACK_OWNER_NAME);
    struct stat st;
    bool gone = false;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
        char *text;
        size_t len;
        verr ignore;
        if (!file_read_regular(marker, 4096, &text, &len, &ignore)) {
            gone = owner_gone(text, name);
            free(text);
        }
    }
    free(marker);
    free(path);
    return gone;
}

/* Remove the folders of packs killed before they finished (SIGKILL, a power cut)
 * beside dest: only those proven ours by their marker. */
static size_t remove_stale(const char *dest)
{
    const char *slash = strrchr(dest, '/');
    char *parent = slash ? (slash == dest ? xstrdup("/") : xstrndup(dest, (size_t)(slash - dest)))
                         : xstrdup(".");
    size_t removed = 0;
    DIR *d = opendir(parent);
    for (struct dirent *x; d && (x = readdir(d));) {
        if (!stale_ours(parent, x->d_name))
            continue;
        char *path = xasprintf("%s/%s", parent, x->d_name);
        nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        removed += access(path, F_OK) != 0;
        free(path);
    }
    if (d)
        closedir(d);
    free(parent);
    return removed;
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
    char *owner = owner_text(base_name(b->tmp));
    char *marker = xasprintf("%s/%s", b->tmp, PACK_OWNER_NAME);
    rc = atomic_write(marker, owner, strlen(owner), 0644, false, e);
    free(marker);
    free(owner);
    if (rc) {
        pack_dir_abandon(b);
        return rc;
    }
    /* Ours is marked first, and is alive: it is never taken for a stale one. */
    b->stale_removed = remove_stale(b->dest);
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
        char *marker = xasprintf("%s/%s", b->tmp, PACK_OWNER_NAME);
        if (unlink(marker) != 0)
            rc = verr_set(e, VOUCH_ABORTED, "could not remove \"%s\": %s", marker, strerror(errno));
        free(marker);
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
