#include "reports/templates_dir.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/util.h"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A folder that holds the schema is a templates folder. */
static bool has_schema(const char *dir)
{
    char *rng = xasprintf("%s/report.rng", dir);
    bool ok = access(rng, R_OK) == 0;
    free(rng);
    return ok;
}

static char *beside_executable(void)
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
    /* installed; build/vouch in the repository; build/san/vouch */
    static const char *const tries[] = {"../share/vouch/templates", "../templates",
                                        "../../templates", NULL};
    for (size_t i = 0; tries[i]; i++) {
        char *dir = xasprintf("%s/%s", exe, tries[i]);
        char real[PATH_MAX];
        if (realpath(dir, real) && has_schema(real)) {
            free(dir);
            return xstrdup(real);
        }
        free(dir);
    }
    return NULL;
}

vexit report_templates_dir(const char *from_cli, const char *from_conf, char **out, verr *e)
{
    *out = NULL;
    const char *env = getenv("VOUCH_TEMPLATES");
    const char *named = from_cli ? from_cli : env && *env ? env : from_conf;
    const char *origin = from_cli ? "--templates" : env && *env ? "VOUCH_TEMPLATES" : "[report] templates";
    if (named) {
        if (!is_dir(named))
            return verr_set(e, VOUCH_USAGE, "%s: \"%s\" is not a folder", origin, named);
        *out = xstrdup(named);
        return VOUCH_OK;
    }
    if (!(*out = beside_executable())) {
        verr_set(e, VOUCH_USAGE, "could not find the report templates folder");
        verr_hint(e, "Give --templates DIR (the templates/ folder of vouch's source), or run "
                     "'make install'.");
        return e->code;
    }
    return VOUCH_OK;
}
