#include "reports/report_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/util.h"

static vexit write_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return VOUCH_ABORTED;
        data += n;
        len -= (size_t)n;
    }
    return VOUCH_OK;
}

vexit report_write_file(const char *path, const char *data, size_t len, verr *e)
{
    if (!path || strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            return verr_set(e, VOUCH_ABORTED, "could not write the report to standard output");
        return VOUCH_OK;
    }
    char *tmp = xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        verr_set(e, VOUCH_USAGE, "could not create \"%s\": %s", path, strerror(errno));
        free(tmp);
        return e->code;
    }
    /* mkstemp makes 0600; a report is for reading: the usual mode under the umask. */
    mode_t mask = umask(0);
    umask(mask);
    vexit rc = VOUCH_OK;
    if (fchmod(fd, 0666 & ~mask) != 0 || write_all(fd, data, len) || fsync(fd) != 0) {
        rc = verr_set(e, VOUCH_ABORTED, "could not write \"%s\": %s", path, strerror(errno));
        close(fd);
    } else if (close(fd) != 0 || rename(tmp, path) != 0) {
        rc = verr_set(e, VOUCH_ABORTED, "could not write \"%s\": %s", path, strerror(errno));
    }
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}
