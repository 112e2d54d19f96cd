#include "src/clock.h"

#include <stdlib.h>
#include <time.h>

#include "src/util.h"

int64_t clock_now_ms(void)
{
#ifdef VOUCH_TEST_HOOKS
    int64_t faked;
    const char *now = getenv("VOUCH_TEST_NOW");
    if (now && *now && time_parse_iso(now, &faked))
        return faked;
#endif
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
