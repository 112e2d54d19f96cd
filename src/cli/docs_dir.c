#include "src/cli/docs_dir.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/util.h"

#ifndef VOUCH_DOCDIR
#define VOUCH_DOCDIR "/usr/local/share/doc/vouch"
#endif

/* A documentation folder holds configuration.md. */
static char *docs_at(const char *dir)
{
    char real[PATH_MAX];
    if (!realpath(dir, real))
        return NULL;
    char *probe = xasprintf("%s/configuration.md", real);
    bool ok = access(probe, R_OK) == 0;
    free(probe);
    return ok ? xstrdup(real) : NULL;
}

static char *find_docs(void)
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
    /* installed beside PREFIX/bin; build/vouch and build/san/vouch of a checkout */
    static const char *const tries[] = {"../share/doc/vouch", "../docs", "../../docs", NULL};
    for (size_t i = 0; tries[i]; i++) {
        char *dir = xasprintf("%s/%s", exe, tries[i]);
        char *found = docs_at(dir);
        free(dir);
        if (found)
            return found;
    }
    return docs_at(VOUCH_DOCDIR); /* installed with DOCDIR= elsewhere */
}

const char *docs_dir(void)
{
    static char *dir;
    static bool looked;
    if (!looked) {
        dir = find_docs();
        looked = true;
    }
    return dir;
}

/* text with each word that begins with from ("docs/") begun with to instead. */
static char *replace_words(const char *text, const char *from, const char *to)
{
    char *out = xstrdup("");
    const char *p = text;
    size_t n = strlen(from);
    for (const char *at; (at = strstr(p, from));) {
        bool word_start = at == text || strchr(" (\"'`", at[-1]);
        char *next = xasprintf("%s%.*s%s", out, (int)(at - p), p, word_start ? to : from);
        free(out);
        out = next;
        p = at + n;
    }
    char *last = xasprintf("%s%s", out, p);
    free(out);
    return last;
}

/* The example configuration: DOCDIR/examples/vouch.conf as installed, the checkout's
 * tools/demo/vouch.conf beside its docs/. */
static char *example_conf(const char *dir)
{
    char *installed = xasprintf("%s/examples/vouch.conf", dir);
    if (access(installed, R_OK) == 0)
        return installed;
    free(installed);
    char *checkout = xasprintf("%s/../tools/demo/vouch.conf", dir), real[PATH_MAX];
    char *found = realpath(checkout, real) ? xstrdup(real) : NULL;
    free(checkout);
    return found;
}

char *docs_paths(const char *text)
{
    const char *dir = docs_dir();
    if (!dir)
        return xstrdup(text);
    char *to = xasprintf("%s/", dir);
    char *out = replace_words(text, "docs/", to);
    free(to);
    char *example = example_conf(dir);
    if (example) {
        char *next = replace_words(out, "tools/demo/vouch.conf", example);
        free(out);
        out = next;
        free(example);
    }
    return out;
}
