/* Waivers: [waiver "NAME"] sections, each a known, accepted deviation that a named person
 * approved until a date (docs/waivers.md). A failure a waiver in force covers is stored
 * and shown as waived, never as passed; an expired waiver is itself a failure naming it;
 * one that covers nothing is a warning. The runner applies them (waivers_apply); this
 * file reads, matches and applies, and knows nothing of the store or the target. */
#ifndef VOUCH_WAIVER_H
#define VOUCH_WAIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/run_record.h"
#include "src/config.h"
#include "src/verr.h"

extern const conf_key waiver_keys[];

typedef enum waiver_state {
    WAIVER_IN_FORCE,   /* not expired, and it covered at least one failure */
    WAIVER_UNMATCHED,  /* not expired, but no failure of the run is one it covers */
    WAIVER_EXPIRED,    /* past its expires date: it covers nothing and fails the run */
} waiver_state;

const char *waiver_state_name(waiver_state s); /* "in_force", "unmatched", "expired" */

typedef struct waiver {
    char *name;         /* the section's instance name */
    char *check;        /* "rowcount", or one instance "share_tokens/invitations" */
    char *subject;      /* the subject exactly, or a glob (fnmatch) */
    char *reason;       /* why the deviation is accepted: hostile text, shown escaped */
    char *expires;      /* "YYYY-MM-DD" as written */
    int64_t until_ms;   /* the end of that day, UTC: in force while the run began before */
    char *approved_by;  /* NULL when not given */
    int line;           /* of the section header, for messages */
} waiver;

typedef struct waiver_set {
    waiver *v;
    size_t n;
} waiver_set;

/* Read every [waiver "NAME"] section of c into *out (waivers_release). known tells whether
 * a checker of that name exists (the registry's; the part before a '/' is passed). A bad
 * section is VOUCH_USAGE with "FILE:LINE: [waiver "NAME"] key: what is wrong". */
vexit waivers_read(const conf *c, bool (*known)(const char *check), waiver_set *out, verr *e);
void waivers_release(waiver_set *w);

/* "YYYY-MM-DD" (a real date) into the first millisecond after that day, UTC. */
bool waiver_parse_expiry(const char *s, int64_t *until_ms);

/* Whether w names check: the same name, or the checker of an instance
 * ("share_tokens" names "share_tokens/invitations"). */
bool waiver_names_check(const waiver *w, const char *check);
/* Whether w covers a finding of check about subject (the subject exactly or by glob). */
bool waiver_covers(const waiver *w, const char *check, const char *subject);

/* Apply the waivers that name one of the run's checks (units[0..n_units), as stored), or
 * with every_check (a gate, which runs every configured check) all of them, to its
 * results, at now_ms (the run's start, ms since the epoch): a RESULT_FAIL that a
 * waiver in force covers becomes RESULT_WAIVED with the waiver's name (the first such
 * waiver in file order); each expired one adds a RESULT_FAIL row naming it, each
 * unmatched one a RESULT_WARN row. *rows (of *n, capacity *cap) grows. Returns the
 * waivers' record for run_record.waivers (NULL when no waiver names a check of the run;
 * the caller frees), and in *unmatched how many covered nothing. */
char *waivers_apply(const waiver_set *w, const char *const *units, size_t n_units,
                    bool every_check, int64_t now_ms, result_row **rows, size_t *n, size_t *cap,
                    size_t *unmatched);

#endif
