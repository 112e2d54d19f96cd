#include "reports/report_file.h"

#include <stdio.h>
#include <string.h>

#include "evidence/atomic_write.h"

vexit report_write_file(const char *path, const char *data, size_t len, verr *e)
{
    if (!path || strcmp(path, "-") == 0) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            return verr_set(e, VOUCH_ABORTED, "could not write the report to standard output");
        return VOUCH_OK;
    }
    /* A report is for reading: the usual mode under the umask, replacing an older one. */
    return atomic_write(path, data, len, 0666, true, e);
}
