/* The [objectives] section: the recovery objectives a drill is judged against (the
 * runbook's, each organisation's policy), recorded with every drill so that it is judged
 * years later against what applied when it ran. */
#ifndef VOUCH_OBJECTIVES_H
#define VOUCH_OBJECTIVES_H

#include <stdbool.h>
#include <stdint.h>

#include "src/config.h"
#include "src/verr.h"

extern const conf_key objectives_keys[];

/* The defaults when [objectives] does not set them. */
#define OBJECTIVE_RTO_TARGET_MS (45LL * 60 * 1000)    /* a drill should restore within 45 min */
#define OBJECTIVE_RTO_MS (60LL * 60 * 1000)           /* the RTO: service back within 1 h */
#define OBJECTIVE_RPO_MS (24LL * 60 * 60 * 1000)      /* the RPO: at most 24 h of data lost */
#define OBJECTIVE_DRILL_EVERY "quarterly"

typedef struct objectives {
    int64_t rto_target_ms;
    int64_t rto_ms;
    int64_t rpo_ms;
    char drill_every[32];   /* as configured: "quarterly", "13w", "30d" */
    int64_t evidence_valid_ms; /* how long a passed gate proves the database whole; 0: not set */
} objectives;

/* The defaults. */
objectives objectives_default(void);

/* [objectives] of c over the defaults; VOUCH_USAGE naming file, line and key for a bad
 * span, an RTO target over the RTO, or a cadence that is not one. */
vexit objectives_read(const conf *c, objectives *out, verr *e);

/* A cadence as [objectives] drill_every takes it ("quarterly", or a span such as 13w,
 * 30d) as milliseconds; false when text is not one. "quarterly" is 13 weeks. */
bool objectives_every_ms(const char *text, int64_t *ms);

#endif
