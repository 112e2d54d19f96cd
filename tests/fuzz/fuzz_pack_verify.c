/* The pack verifier (evidence/pack_verify.c) on a folder built from the input, afresh for
 * each input in one temporary folder. The input is parts split by the line "--":
 *   MANIFEST, MANIFEST.p7s (DER), then pairs of PATH and CONTENT.
 * A PATH is used only when manifest_path_ok accepts it (relative, no "..", no
 * MANIFEST), so nothing is written outside the folder; a folder in it is made. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence/manifest.h"
#include "evidence/pack_verify.h"
#include "tests/fuzz/fuzz.h"

static char root[64] = "/tmp/vouch-fuzz-pack.XXXXXX";
static char pack[96];
static FILE *devnull;

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void remove_root(void)
{
    nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(root))
        abort();
    atexit(remove_root);
    snprintf(pack, sizeof pack, "%s/pack", root);
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    return 0;
}

static void put(const char *rel, const uint8_t *data, size_t len)
{
    char path[512];
    if (snprintf(path, sizeof path, "%s/%s", pack, rel) >= (int)sizeof path)
        return;
    /* the folders on the way */
    for (char *s = path + strlen(pack) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(path, 0700);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return; /* e.g. a path whose folder is a file already */
    if (len)
        fwrite(data, 1, len, f);
    fclose(f);
}

/* The next part of [*p, end), split at "\n--\n". */
static bool next_part(const uint8_t **p, const uint8_t *end, const uint8_t **part, size_t *len)
{
    if (*p > end)
        return false;
    const uint8_t *s = *p;
    const uint8_t *q = s;
    for (; q + 4 <= end; q++)
        if (memcmp(q, "\n--\n", 4) == 0)
            break;
    if (q + 4 > end)
        q = end;
    *part = s;
    *len = (size_t)(q - s);
    *p = q == end ? end + 1 : q + 4;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nftw(pack, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    if (mkdir(pack, 0700) != 0)
        abort();
    const uint8_t *p = data, *end = data + size, *part;
    size_t len;
    if (next_part(&p, end, &part, &len))
        put(MANIFEST_NAME, part, len);
    if (next_part(&p, end, &part, &len) && len)
        put(MANIFEST_SIG_NAME, part, len);
    for (int files = 0; files < 8 && next_part(&p, end, &part, &len); files++) {
        char *name = fuzz_string(part, len);
        const uint8_t *content = NULL;
        size_t clen = 0;
        next_part(&p, end, &content, &clen);
        if (strlen(name) < 200 && manifest_path_ok(name))
            put(name, content, clen);
        free(name);
    }
    verr e;
    verr_clear(&e);
    vexit rc = pack_verify(pack, NULL, NULL, devnull, &e);
    FUZZ_ASSERT(rc == VOUCH_OK || rc == VOUCH_FAILED);
    if (rc)
        FUZZ_ASSERT(e.msg[0]);
    return 0;
}
