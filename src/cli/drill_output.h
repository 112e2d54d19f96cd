/* A stored drill for people (a timeline and its verdicts) and for machines (JSON).
 * Reads records only: what is shown is what the store holds. */
#ifndef VOUCH_DRILL_OUTPUT_H
#define VOUCH_DRILL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "evidence/drill_record.h"
#include "evidence/run_record.h"
#include "src/verr.h"

/* One drill; gate is its gate run (NULL when it has none). */
vexit drill_write_human(FILE *f, const drill_record *d, const run_record *gate, bool color,
                        verr *e);
vexit drill_write_json(FILE *f, const drill_record *d, const run_record *gate, verr *e);

/* The listing of 'vouch drills': one line (or JSON object) per drill. */
vexit drill_write_list(FILE *f, drill_record *const *ds, size_t n, bool json, verr *e);

#endif
