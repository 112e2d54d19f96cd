#include "evidence/atomic_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/util.h"

static vexit write_all(int fd, const char *path, const void *data, size_t len, verr *e)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return verr_set(e, VOUCH_ABORTED, "could not write \"%s\": %s", path, strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) != 0)
        return verr_set(e, VOUCH_ABORTED, "could not write \"%s\": %s", path, strerror(errno));
    return VOUCH_OK;
}

/* Make the rename itself durable; a folder that cannot be opened is not an error. */
static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

static vexit put_in_place(const char *tmp, const char *path, bool replace, verr *e)
{
    if (replace) {
        if (rename(tmp, path) != 0)
            return verr_set(e, VOUCH_ABORTED, "could not write \"%s\": %s", path, strerror(errno));
        return VOUCH_OK;
    }
    /* link() fails with EEXIST rather than replacing what is there. */
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return VOUCH_OK;
    }
    if (errno == EEXIST) {
        verr_set(e, VOUCH_USAGE, "\"%s\" already exists", path);
        verr_hint(e, "Give --force to replace it, or choose another file.");
        return e->code;
    }
    /* A file system without hard links: check, then rename. */
    struct stat st;
    if (lstat(path, &st) == 0) {
        verr_set(e, VOUCH_USAGE, "\"%s\" already exists", path);
        verr_hint(e, "Give --force to replace it, or choose another file.");
        return e->code;
    }
    if (rename(tmp, path) != 0)
        return verr_set(e, VOUCH_ABORTED, "could not write \"%s\": %s", path, strerror(errno));
    return VOUCH_OK;
}

vexit atomic_write(const char *path, const void *data, size_t len, mode_t mode, bool replace,
                   verr *e)
{
    char *tmp = NULL;
    int fd = -1;
    for (unsigned attempt = 0; fd < 0 && attempt < 100; attempt++) {
        free(tmp);
        tmp = xasprintf("%s.tmp-%ld-%u", path, (long)getpid(), attempt);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        verr_set(e, VOUCH_ABORTED, "could not create \"%s\": %s", tmp, strerror(errno));
        free(tmp);
        return e->code;
    }
    vexit rc = write_all(fd, tmp, data, len, e);
    if (close(fd) != 0 && !rc)
        rc = verr_set(e, VOUCH_ABORTED, "could not write \"%s\": %s", tmp, strerror(errno));
    if (!rc)
        rc = put_in_place(tmp, path, replace, e);
    if (rc)
        unlink(tmp);
    else
        sync_folder(path);
    free(tmp);
    return rc;
}
