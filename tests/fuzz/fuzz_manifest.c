/* The MANIFEST reader (evidence/manifest.c): whatever it accepts names valid, distinct
 * paths, and written back and read again gives the same entries and the same text. */
#include <string.h>

#include "evidence/manifest.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    manifest m = {0};
    verr e;
    verr_clear(&e);
    if (manifest_parse((const char *)data, size, &m, &e)) {
        FUZZ_ASSERT(e.code == VOUCH_FAILED && e.msg[0]);
        manifest_release(&m);
        return 0;
    }
    for (size_t i = 0; i < m.n; i++) {
        FUZZ_ASSERT(manifest_path_ok(m.entries[i].path));
        FUZZ_ASSERT(manifest_find(&m, m.entries[i].path) == &m.entries[i]);
    }
    size_t len;
    char *text = manifest_format(&m, &len);
    manifest again = {0};
    FUZZ_ASSERT(manifest_parse(text, len, &again, &e) == VOUCH_OK);
    FUZZ_ASSERT(again.n == m.n);
    for (size_t i = 0; i < m.n; i++) {
        const manifest_entry *x = manifest_find(&again, m.entries[i].path);
        FUZZ_ASSERT(x && x->size == m.entries[i].size);
        FUZZ_ASSERT(strcmp(x->sha256, m.entries[i].sha256) == 0);
    }
    /* Written again, the text is the same: one manifest, one text. (The reader accepts
     * lines out of path order; the writer sorts them.) */
    size_t len2;
    char *text2 = manifest_format(&again, &len2);
    FUZZ_ASSERT(len2 == len && memcmp(text, text2, len) == 0);
    free(text2);
    manifest_release(&again);
    free(text);
    manifest_release(&m);
    return 0;
}
