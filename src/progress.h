/* The progress line of long work, as pg_verifybackup -P draws it: what runs, done of the
 * estimated total, rate and time left, on standard error only.
 *
 * On a terminal the line is redrawn in place (\r) at most once a second and erased when
 * the work ends or another line is to be printed (progress_clear); elsewhere (a CI log,
 * --progress without a terminal) it is one plain line every few seconds at most, the
 * first when the first piece of work begins. Everything
 * happens in the caller's thread, on calls: nothing runs between them. */
#ifndef VOUCH_PROGRESS_H
#define VOUCH_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct progress progress;

/* A meter writing to f; live redraws a terminal line in place, otherwise plain lines.
 * Free with progress_free (which erases the line). */
progress *progress_new(FILE *f, bool live);
void progress_free(progress *p);

/* A new piece of work named what ("audit_log", "pack: runs read"), of total units (<= 0
 * and NULL when not known yet: progress_estimate may say later); done goes to 0. Drawn at
 * once on a terminal, so that it never sits blank. p may be NULL (no meter): every
 * function here then does nothing. */
void progress_begin(progress *p, const char *what, double total, const char *unit);
/* The estimated total of the piece in unit ("rows", "queries"); total <= 0: not known. */
void progress_estimate(progress *p, double total, const char *unit);
/* done units so far; drawn when the last draw is old enough. */
void progress_update(progress *p, double done);
/* Erase the live line (before another line is printed on f; the next update redraws). */
void progress_clear(progress *p);
/* The piece is finished: its line is erased. */
void progress_end(progress *p);

/* The line progress_update draws, for tests: "audit_log: 1 200 000 of 5 000 000 rows
 * (24%), 400 000 rows/s, 10 s left" (counts and rate rounded, the rate and the time left
 * only once seconds > 0 and done > 0). */
void progress_format(char *buf, size_t size, const char *what, double done, double total,
                     const char *unit, double seconds);

#endif
