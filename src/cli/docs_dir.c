#include "src/cli/docs_dir.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/exe_dir.h"
#include "src/util.h"

#ifndef VOUCH_DOCDIR
#define VOUCH_DOCDIR "/usr/local/share/doc/vouch"
#endif

/* Installed beside PREFIX/bin; build/vouch and build/san/vouch of a checkout; else DOCDIR. */
static char *find_docs(void)
{
    static const char *const tries[] = {"../share/doc/vouch", "../docs", "../../docs", NULL};
    char *found = dir_beside_exe(tries, "configuration.md");
    return found ? found : dir_with_marker(VOUCH_DOCDIR, "configuration.md");
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
