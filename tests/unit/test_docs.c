/* Every configuration key vouch accepts is documented in docs/configuration.md,
 * under its own section's heading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checker.h"
#include "src/settings.h"
#include "src/util.h"

static char *doc;

static int load_doc(void **state)
{
    (void)state;
    FILE *f = fopen("docs/configuration.md", "r");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    doc = xmalloc(cap);
    size_t got;
    while ((got = fread(doc + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap)
            doc = xrealloc(doc, cap *= 2);
    }
    doc[n] = '\0';
    fclose(f);
    return 0;
}

static int free_doc(void **state)
{
    (void)state;
    free(doc);
    return 0;
}

/* The table row "| `key` |" between "## [section]" and the next "## ". */
static void assert_documented(const char *section, const conf_key *keys)
{
    char *heading = xasprintf("\n## [%s]\n", section);
    const char *start = strstr(doc, heading);
    if (!start)
        fail_msg("docs/configuration.md has no heading \"## [%s]\"", section);
    const char *end = strstr(start + strlen(heading), "\n## ");
    size_t len = end ? (size_t)(end - start) : strlen(start);
    char *part = xstrndup(start, len);
    for (const conf_key *k = keys; k->name; k++) {
        char *row = xasprintf("| `%s` |", k->name);
        if (!strstr(part, row))
            fail_msg("[%s] %s is not documented in docs/configuration.md", section, k->name);
        free(row);
    }
    free(part);
    free(heading);
}

static void every_key_is_documented(void **state)
{
    (void)state;
    assert_documented("target", target_keys);
    assert_documented("store", store_keys);
    for (size_t i = 0; checkers[i]; i++)
        assert_documented(checkers[i]->name, checkers[i]->keys);
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
        cmocka_unit_test(every_check_is_in_the_man_page),
    };
    return cmocka_run_group_tests_name("docs", tests, load_doc, free_doc);
}
