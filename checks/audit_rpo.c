/* checks/audit_rpo: RPO arithmetic (see the header). */
#include "checks/audit_rpo.h"

#include <stdio.h>

#include "src/util.h"

rpo_verdict rpo_judge(bool have_incident, int64_t incident_ms, int64_t newest_ms, int64_t rpo_ms)
{
    rpo_verdict v = {RESULT_PASS, 0, ""};
    char rpo[48], lost[48], newest[32];
    duration_format(rpo_ms, rpo, sizeof rpo);
    utc_format_ms(newest_ms, newest, sizeof newest);
    if (!have_incident) {
        v.status = RESULT_WARN;
        snprintf(v.reason, sizeof v.reason,
                 "RPO %s not judged: give --incident-at TIME; the newest event is %s", rpo, newest);
        return v;
    }
    if (incident_ms <= newest_ms) {
        snprintf(v.reason, sizeof v.reason,
                 "the log reaches the incident (newest event %s): nothing lost", newest);
        return v;
    }
    v.lost_ms = incident_ms - newest_ms;
    duration_format(v.lost_ms, lost, sizeof lost);
    if (v.lost_ms <= rpo_ms) {
        snprintf(v.reason, sizeof v.reason,
                 "%s of events before the incident lost, within the RPO of %s", lost, rpo);
    } else {
        v.status = RESULT_FAIL;
        snprintf(v.reason, sizeof v.reason,
                 "%s of events lost before the incident, over the RPO of %s: restore from a"
                 " later point or record the breach",
                 lost, rpo);
    }
    return v;
}
