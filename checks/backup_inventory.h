/* A backup inventory: the backups that exist, read from a CSV file (libcsv) or from
 * the JSON `pgbackrest info --output=json` prints (jansson).
 *
 * CSV: a header row naming the columns, in any order; unknown columns are ignored.
 *   taken_at     required  ISO 8601 with an offset: 2026-09-28T02:00:00+10:00
 *   kind         required  the policy kind it counts for (hourly, nightly, ...)
 *   region       required  where the backup is stored
 *   encrypted    required  true/false (also yes/no, 1/0)
 *   size_bytes   optional  a whole number
 *   expires_at   optional  (or retained_until) ISO 8601 with offset; empty = no end
 *   id           optional  (or label) how messages name the backup
 * A line that breaks any of this is an error naming the file and line. */
#ifndef VOUCH_BACKUP_INVENTORY_H
#define VOUCH_BACKUP_INVENTORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "src/verr.h"

typedef struct backup_row {
    int64_t taken_at;      /* ms since the epoch */
    char *kind;
    char *region;
    char *label;           /* NULL when the inventory has none */
    bool encrypted;
    bool has_expiry;
    int64_t expires_at;
    bool has_size;
    int64_t size_bytes;
    int line;              /* where it was read (CSV), 0 for JSON */
} backup_row;

typedef struct inventory {
    backup_row *v;
    size_t n, cap;
} inventory;

/* Read a CSV inventory from path, appending to inv. On a bad file the error
 * (VOUCH_FAILED) reads "PATH:LINE: what is wrong". */
vexit inventory_read_csv(const char *path, inventory *inv, verr *e);
/* The same from an open stream; name is used in messages. */
vexit inventory_read_csv_stream(FILE *f, const char *name, inventory *inv, verr *e);

/* Read `pgbackrest info --output=json` output: every stanza's backups, kind = the
 * backup type (full, diff, incr), taken_at = timestamp.stop, region as given (pgBackRest
 * does not know it), encrypted when the stanza's repository cipher is not "none". */
vexit inventory_read_pgbackrest(const char *path, const char *region, inventory *inv, verr *e);

void inventory_release(inventory *inv);

#endif
