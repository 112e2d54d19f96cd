/* The wall clock as vouch's judgements read it: how old the last negative control and the
 * last passed gate are. Test builds (VOUCH_TEST_HOOKS, the sanitizer build only) take
 * VOUCH_TEST_NOW (a time with a zone, e.g. 2027-01-01T00:00:00Z) instead, so that a test
 * can stand weeks later without waiting; the release build has no such hook. */
#ifndef VOUCH_CLOCK_H
#define VOUCH_CLOCK_H

#include <stdint.h>

/* Milliseconds since the epoch, UTC. */
int64_t clock_now_ms(void);

#endif
