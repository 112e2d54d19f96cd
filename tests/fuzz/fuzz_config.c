/* The configuration reader (src/config.c through libinih), then what every command does
 * with a loaded file: settings_read validates every section's keys and runner_validate
 * has every configured checker read its own. A refusal must name the file. */
#include <string.h>

#include "src/config.h"
#include "src/runner.h"
#include "src/settings.h"
#include "tests/fuzz/fuzz.h"

/* settings_read with the sections of every registered check, as the CLI reads them. */
static vexit read_settings(const conf *c, vouch_settings *s, verr *e)
{
    section_kind kinds[RUNNER_MAX_SECTIONS];
    size_t n = runner_sections(kinds, RUNNER_MAX_SECTIONS);
    return settings_read(c, kinds, n, s, e);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    conf *c = NULL;
    verr e;
    verr_clear(&e);
    vexit rc = conf_load_mem(&c, "fuzz.conf", (const char *)data, size, &e);
    if (rc) {
        FUZZ_ASSERT(rc == VOUCH_USAGE && !c);
        FUZZ_ASSERT(strncmp(e.msg, "fuzz.conf:", 10) == 0);
        return 0;
    }
    for (size_t i = 0; i < c->n_entries; i++)
        FUZZ_ASSERT(c->entries[i].line >= 1 && c->entries[i].line <= (int)size + 1);
    vouch_settings s;
    rc = read_settings(c, &s, &e);
    if (!rc)
        rc = runner_validate(c, &e);
    if (rc)
        FUZZ_ASSERT(rc == VOUCH_USAGE && e.msg[0]);
    settings_release(&s);
    conf_free(c);
    return 0;
}
