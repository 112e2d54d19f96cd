/* The folder an evidence pack is built in: a new folder beside the destination,
 * filled file by file (each listed in the MANIFEST with its size and SHA-256), then
 * closed by writing and signing the MANIFEST and renamed into place; or abandoned,
 * removing everything, so a failed pack leaves nothing half-made. */
#ifndef VOUCH_PACK_DIR_H
#define VOUCH_PACK_DIR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/keys.h"
#include "evidence/manifest.h"
#include "src/verr.h"

/* In the folder being built, never in a pack: who is building it (host, boot, pid and
 * the process's start time), so that a later pack can prove a DIR.tmp-XXXXXX folder
 * left by a killed one is vouch's and its maker gone before removing it. */
#define PACK_OWNER_NAME ".vouch-pack-owner"

typedef struct pack_dir {
    char *dest;      /* where the pack goes */
    char *tmp;       /* where it is built */
    manifest m;      /* what has gone in */
    uint64_t bytes;
    size_t stale_removed;   /* folders of killed packs removed by pack_dir_open */
} pack_dir;

/* VOUCH_USAGE unless dest is absent or an empty folder. */
vexit pack_check_destination(const char *dest, verr *e);

/* Check dest and make the folder beside it, marked as this process's; then remove
 * every DIR.tmp-XXXXXX folder beside dest that carries the marker of a pack process of
 * this host that is gone (killed: SIGKILL leaves its folder). A folder without a
 * valid marker, another user's, or another host's is never touched. Release with
 * pack_dir_close or pack_dir_abandon. */
vexit pack_dir_open(pack_dir *d, const char *dest, verr *e);

/* Write a file of the pack at rel ("gates/run-2.html"), listed in the MANIFEST. */
vexit pack_dir_put(pack_dir *d, const char *rel, const char *data, size_t len, verr *e);

/* JSON as packs write it (indented, keys sorted, a final newline) at rel. */
vexit pack_dir_put_json(pack_dir *d, const char *rel, json_t *doc, verr *e);

/* For a renderer that writes its own file: the path of rel in the pack, its folders
 * made (caller frees); write it there unsigned (the MANIFEST's signature covers it),
 * then pack_dir_list lists it as it is on disk. */
vexit pack_dir_path(pack_dir *d, const char *rel, char **path, verr *e);
vexit pack_dir_list(pack_dir *d, const char *rel, verr *e);

/* Write the MANIFEST, sign it (MANIFEST.p7s) with s, and move the folder into place.
 * On failure the folder is abandoned. Either way d is released. */
vexit pack_dir_close(pack_dir *d, const signer *s, verr *e);

/* Remove the folder and everything in it; d is released. */
void pack_dir_abandon(pack_dir *d);

#endif
