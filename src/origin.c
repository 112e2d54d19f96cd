#include "src/origin.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/util.h"

/* A copy of s cut to ORIGIN_MAX bytes (at a UTF-8 boundary) with every control character
 * replaced by '?': an environment variable may hold anything. NULL for NULL or "". */
static char *clean(const char *s)
{
    if (!s || !*s)
        return NULL;
    size_t n = strlen(s);
    if (n > ORIGIN_MAX) {
        n = ORIGIN_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* not inside a multibyte character */
    }
    char *c = xstrndup(s, n);
    for (unsigned char *p = (unsigned char *)c; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    return c;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

char *origin_user(void)
{
    uid_t uid = geteuid();
    struct passwd pw, *found = NULL;
    char buf[4096];
    char *name = getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found && found->pw_name[0]
                     ? clean(found->pw_name)
                     : xasprintf("uid %lu", (unsigned long)uid);
    char *sudo = clean(env("SUDO_USER"));
    if (sudo && strcmp(sudo, name) != 0) {
        char *both = xasprintf("%s (sudo from %s)", name, sudo);
        free(name);
        name = both;
    }
    free(sudo);
    return name;
}

char *origin_ci_job(void)
{
    char *url = NULL;
    const char *server = env("GITHUB_SERVER_URL"), *repo = env("GITHUB_REPOSITORY"),
               *run = env("GITHUB_RUN_ID"), *attempt = env("GITHUB_RUN_ATTEMPT");
    if (server && repo && run)
        url = attempt ? xasprintf("%s/%s/actions/runs/%s/attempts/%s", server, repo, run, attempt)
                      : xasprintf("%s/%s/actions/runs/%s", server, repo, run);
    else if (run && env("GITHUB_ACTIONS"))
        url = xasprintf("GitHub Actions run %s", run);
    const char *const direct[] = {"CI_JOB_URL",          /* GitLab */
                                  "BUILD_URL",           /* Jenkins */
                                  "CIRCLE_BUILD_URL",    /* CircleCI */
                                  "BUILDKITE_BUILD_URL", /* Buildkite */
                                  "TRAVIS_BUILD_WEB_URL", "DRONE_BUILD_LINK", NULL};
    for (size_t i = 0; !url && direct[i]; i++)
        if (env(direct[i]))
            url = xstrdup(env(direct[i]));
    const char *azure = env("SYSTEM_COLLECTIONURI"), *project = env("SYSTEM_TEAMPROJECT"),
               *build = env("BUILD_BUILDID");
    if (!url && azure && project && build)
        url = xasprintf("%s%s/_build/results?buildId=%s", azure, project, build);
    char *c = clean(url);
    free(url);
    return c;
}

bool origin_is_link(const char *text)
{
    if (!text)
        return false;
    const char *rest = strncmp(text, "https://", 8) == 0  ? text + 8
                       : strncmp(text, "http://", 7) == 0 ? text + 7
                                                          : NULL;
    if (!rest || !*rest)
        return false;
    for (const unsigned char *p = (const unsigned char *)rest; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"'<>\\`{}|^", *p))
            return false;
    return true;
}
