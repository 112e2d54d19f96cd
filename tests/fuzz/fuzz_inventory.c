/* The backup inventory readers (checks/backup_inventory.c): the first byte chooses CSV
 * (libcsv) or `pgbackrest info --output=json` (jansson); the rest is the file. */
#include <string.h>
#include <unistd.h>

#include "checks/backup_inventory.h"
#include "tests/fuzz/fuzz.h"

static char path[64] = "/tmp/vouch-fuzz-inventory.XXXXXX";

static void remove_file(void)
{
    unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    atexit(remove_file);
    return 0;
}

static void check_rows(const inventory *inv)
{
    for (size_t i = 0; i < inv->n; i++) {
        FUZZ_ASSERT(inv->v[i].kind && inv->v[i].region);
        FUZZ_ASSERT(!inv->v[i].has_size || inv->v[i].size_bytes >= 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
        abort();
    inventory inv = {0};
    verr e;
    verr_clear(&e);
    vexit rc = data[0] & 1 ? inventory_read_pgbackrest(path, "ap-southeast-2", &inv, &e)
                           : inventory_read_csv(path, &inv, &e);
    if (rc)
        FUZZ_ASSERT(e.msg[0]);
    else
        check_rows(&inv);
    inventory_release(&inv);
    return 0;
}
