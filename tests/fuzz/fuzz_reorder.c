/* The reorder of a plain scan's rows (checks/audit_reorder.c): whatever order the ids come
 * in, what is handed on ascends strictly and carries each row's own bytes; when the reorder
 * finishes, every row was handed on exactly once. The first two bytes set the window (1 to
 * 16 rows) and the byte bound (16 to 4096); then each two bytes are one row's id. */
#include <string.h>

#include "checks/audit_reorder.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

typedef struct seen {
    int64_t last;
    size_t n;
    bool any;
    unsigned char *got; /* by id: how many times it was handed on */
} seen;

static void on_emit(void *user, int64_t id, const copy_field *f, int n)
{
    seen *s = user;
    FUZZ_ASSERT(n == 2);
    FUZZ_ASSERT(!s->any || id > s->last);
    /* the row's bytes: its id, and as many bytes as id % 7 (NULL when that is 0) */
    FUZZ_ASSERT(f[0].len == (int32_t)sizeof id && memcmp(f[0].data, &id, sizeof id) == 0);
    int32_t want = (int32_t)(id % 7);
    FUZZ_ASSERT(want ? f[1].len == want : f[1].len == -1 && f[1].data == NULL);
    for (int32_t i = 0; i < f[1].len; i++)
        FUZZ_ASSERT(f[1].data[i] == (unsigned char)(id + i));
    s->any = true;
    s->last = id;
    s->n++;
    s->got[id]++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t window = 1 + data[0] % 16, bound = 16 + (size_t)data[1] * 16;
    seen s = {.got = calloc(65536, 1)};
    unsigned char *fed = calloc(65536, 1);
    if (!s.got || !fed)
        abort();
    reorder r;
    reorder_init(&r, 2, window, bound, on_emit, &s);
    bool ok = true;
    size_t rows = 0;
    bool twice = false;
    for (size_t i = 2; ok && i + 1 < size; i += 2) {
        int64_t id = (int64_t)data[i] << 8 | data[i + 1];
        unsigned char bytes[8];
        for (int k = 0; k < 8; k++)
            bytes[k] = (unsigned char)(id + k);
        copy_field f[2] = {{(const unsigned char *)&id, (int32_t)sizeof id},
                           {id % 7 ? bytes : NULL, id % 7 ? (int32_t)(id % 7) : -1}};
        twice |= fed[id]++ > 0;
        rows++;
        ok = reorder_add(&r, id, f, 2);
    }
    if (ok && reorder_finish(&r)) {
        FUZZ_ASSERT(!twice); /* an id twice is never handed on as if once */
        FUZZ_ASSERT(s.n == rows);
        for (size_t id = 0; id < 65536; id++)
            FUZZ_ASSERT(s.got[id] == fed[id]);
    }
    reorder_release(&r);
    free(s.got);
    free(fed);
    return 0;
}
