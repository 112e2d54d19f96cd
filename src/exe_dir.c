#include "src/exe_dir.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/util.h"

char *dir_with_marker(const char *dir, const char *marker)
{
    char real[PATH_MAX];
    if (!realpath(dir, real))
        return NULL;
    char *probe = xasprintf("%s/%s", real, marker);
    bool ok = access(probe, R_OK) == 0;
    free(probe);
    return ok ? xstrdup(real) : NULL;
}

char *dir_beside_exe(const char *const *tries, const char *marker)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    for (size_t i = 0; tries[i]; i++) {
        char *dir = xasprintf("%s/%s", exe, tries[i]);
        char *found = dir_with_marker(dir, marker);
        free(dir);
        if (found)
            return found;
    }
    return NULL;
}
