/* The slot engine: when a cadence says a backup is due, and whether an inventory's
 * backups met those slots. All of it runs in the zone a tz_scope set (tz_local.h). */
#ifndef VOUCH_BACKUP_SCHEDULE_H
#define VOUCH_BACKUP_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "checks/backup_policy.h"

/* The first slot at or after ms (ms since the epoch). */
int64_t slot_at_or_after(const cadence *c, int64_t ms);

/* The slot a backup taken at `taken` serves under schedule_judge's rule (below): the
 * first slot whose window does not end at or before it. */
int64_t slot_serving(const cadence *c, int64_t taken, int64_t slack);

/* One slot that was not met: taken is the backup that served it late, or
 * SLOT_MISSING. */
#define SLOT_MISSING INT64_MIN
typedef struct slot_miss {
    int64_t slot;
    int64_t taken;
} slot_miss;

typedef struct slot_report {
    size_t judged, missing, late;
    slot_miss *misses;   /* missing and late slots in time order; caller frees */
    size_t n_misses;
} slot_report;

/* Judge every slot s with lo <= s <= hi against the sorted backup times taken[0..n).
 * A backup serves slot s when it was taken in [s - early, next - early), where next is
 * the following slot and early = min(slack, half the slot's length); it is late when
 * taken more than slack after s. */
void schedule_judge(const cadence *c, const int64_t *taken, size_t n, int64_t lo, int64_t hi,
                    int64_t slack, slot_report *out);

/* The worst gap between consecutive restore points in [lo, hi]: between points inside
 * it, and from the newest point to hi. times sorted. Returns the gap (0 when there is no point at all,
 * *from = *to = 0) with its ends in *from, *to. */
int64_t worst_gap(const int64_t *times, size_t n, int64_t lo, int64_t hi, int64_t *from,
                  int64_t *to);

#endif
