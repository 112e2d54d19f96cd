/* Every configuration key vouch accepts is documented under its own section's
 * heading: [target], [store], [report] and [signing] in docs/configuration.md, each check's keys on its
 * own page docs/checks/NAME.md, which docs/configuration.md links to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checker.h"
#include "src/objectives.h"
#include "src/settings.h"
#include "src/util.h"

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *text = xmalloc(cap);
    while ((got = fread(text + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap)
            text = xrealloc(text, cap *= 2);
    }
    text[n] = '\0';
    fclose(f);
    return text;
}

/* The table row "| `key` |" between "## [section]" and the next "## " of path. */
static void assert_documented(const char *path, const char *section, const conf_key *keys)
{
    char *doc = read_file(path);
    if (!doc)
        fail_msg("%s is missing: [%s] needs its page", path, section);
    char *heading = xasprintf("\n## [%s]\n", section);
    const char *start = strstr(doc, heading);
    if (!start)
        fail_msg("%s has no heading \"## [%s]\"", path, section);
    const char *end = strstr(start + strlen(heading), "\n## ");
    size_t len = end ? (size_t)(end - start) : strlen(start);
    char *part = xstrndup(start, len);
    for (const conf_key *k = keys; k->name; k++) {
        char *row = xasprintf("| `%s` |", k->name);
        if (!strstr(part, row))
            fail_msg("[%s] %s is not documented in %s", section, k->name, path);
        free(row);
    }
    free(part);
    free(heading);
    free(doc);
}

static void every_key_is_documented(void **state)
{
    (void)state;
    assert_documented("docs/configuration.md", "target", target_keys);
    assert_documented("docs/configuration.md", "store", store_keys);
    assert_documented("docs/configuration.md", "report", report_keys);
    assert_documented("docs/configuration.md", "signing", signing_keys);
    assert_documented("docs/configuration.md", "objectives", objectives_keys);
    assert_documented("docs/configuration.md", "gate", gate_keys);
    for (size_t i = 0; checkers[i]; i++) {
        char *page = xasprintf("docs/checks/%s.md", checkers[i]->name);
        assert_documented(page, checkers[i]->name, checkers[i]->keys);
        free(page);
    }
}

/* docs/configuration.md links every check's page. */
static void every_check_page_is_linked(void **state)
{
    (void)state;
    char *doc = read_file("docs/configuration.md");
    assert_non_null(doc);
    for (size_t i = 0; checkers[i]; i++) {
        char *link = xasprintf("(checks/%s.md)", checkers[i]->name);
        if (!strstr(doc, link))
            fail_msg("docs/configuration.md does not link checks/%s.md", checkers[i]->name);
        free(link);
    }
    free(doc);
}

static void every_check_is_in_the_man_page(void **state)
{
    (void)state;
    FILE *f = fopen("docs/vouch.1", "r");
    assert_non_null(f);
    char line[512];
    size_t found = 0, n = 0;
    while (checkers[n])
        n++;
    bool *seen = xcalloc(n, sizeof *seen);
    bool after_tp = false;
    while (fgets(line, sizeof line, f)) {
        for (size_t i = 0; i < n; i++) {
            char *want = xasprintf(".B %s\n", checkers[i]->name);
            if (after_tp && strcmp(line, want) == 0 && !seen[i]) {
                seen[i] = true;
                found++;
            }
            free(want);
        }
        after_tp = strcmp(line, ".TP\n") == 0;
    }
    fclose(f);
    free(seen);
    assert_int_equal(found, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_key_is_documented),
        cmocka_unit_test(every_check_page_is_linked),
        cmocka_unit_test(every_check_is_in_the_man_page),
    };
    return cmocka_run_group_tests_name("docs", tests, NULL, NULL);
}
