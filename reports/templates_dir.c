#include "reports/templates_dir.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/exe_dir.h"
#include "src/util.h"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Installed; build/vouch in the repository; build/san/vouch. A folder that holds the
 * schema is a templates folder. */
static char *beside_executable(void)
{
    static const char *const tries[] = {"../share/vouch/templates", "../templates",
                                        "../../templates", NULL};
    return dir_beside_exe(tries, "report.rng");
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
