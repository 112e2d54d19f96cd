/* checks/audit_rpo: is the newest surviving audit event within the RPO of the
 * incident, and how long a span of time the restore lost. Pure arithmetic. */
#ifndef VOUCH_AUDIT_RPO_H
#define VOUCH_AUDIT_RPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/finding.h"

typedef struct rpo_verdict {
    result_status status;
    int64_t lost_ms; /* incident minus newest event; 0 when the log reaches the incident */
    char reason[256];
} rpo_verdict;

/* Judge the newest event (ms since the epoch) against the incident time and the RPO.
 * Without an incident time the RPO cannot be judged: a warning that says so. */
rpo_verdict rpo_judge(bool have_incident, int64_t incident_ms, int64_t newest_ms, int64_t rpo_ms);


#endif
