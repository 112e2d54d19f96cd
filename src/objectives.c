#include "src/objectives.h"

#include <stdio.h>
#include <string.h>

#include "checks/backup_policy.h"

const conf_key objectives_keys[] = {
    {"rto_target", 0, "SPAN",
     "How long a restore drill should take, from the outage declared to service restored "
     "(default 45min)."},
    {"rto", 0, "SPAN", "The recovery time objective: service back within it (default 1h)."},
    {"rpo", 0, "SPAN",
     "The recovery point objective: at most this much data lost, from the restored data's "
     "newest to the incident (default 24h)."},
    {"drill_every", 0, "quarterly | SPAN",
     "How often a restore drill is due, e.g. quarterly (13 weeks) or 30d (default "
     "quarterly)."},
    {"evidence_valid", 0, "SPAN",
     "How long a passed gate stands as proof, e.g. 30d: after it, 'vouch runs' and 'vouch "
     "metrics' say the last proof of each target has expired (default: it never expires)."},
    {NULL, 0, NULL, NULL},
};

/* A span no drill objective needs to exceed: ten years. */
#define OBJECTIVE_MAX_MS (3650LL * 86400000)

objectives objectives_default(void)
{
    objectives o = {OBJECTIVE_RTO_TARGET_MS, OBJECTIVE_RTO_MS, OBJECTIVE_RPO_MS, "", 0};
    snprintf(o.drill_every, sizeof o.drill_every, "%s", OBJECTIVE_DRILL_EVERY);
    return o;
}

bool objectives_every_ms(const char *text, int64_t *ms)
{
    if (!text)
        return false;
    if (strcmp(text, "quarterly") == 0) {
        *ms = 13 * 7 * 86400000LL;
        return true;
    }
    span s;
    if (!span_parse(text, false, &s) || s.ms < 86400000 || s.ms > OBJECTIVE_MAX_MS)
        return false;
    *ms = s.ms;
    return true;
}

/* The span of key, when set, into *ms. */
static vexit read_span(const conf *c, const char *key, int64_t *ms, const conf_entry **ent,
                       verr *e)
{
    *ent = conf_get(c, "objectives", key);
    if (!*ent)
        return VOUCH_OK;
    span s;
    if (!span_parse((*ent)->value, false, &s) || s.ms <= 0 || s.ms > OBJECTIVE_MAX_MS)
        return conf_error(e, c, *ent, "expected a span such as 45min, 1h, 24h or 7d, not \"%s\"",
                          (*ent)->value);
    *ms = s.ms;
    return VOUCH_OK;
}

vexit objectives_read(const conf *c, objectives *out, verr *e)
{
    objectives o = objectives_default();
    const conf_entry *target, *rto, *rpo, *every, *valid;
    vexit rc;
    if ((rc = read_span(c, "rto_target", &o.rto_target_ms, &target, e)) ||
        (rc = read_span(c, "rto", &o.rto_ms, &rto, e)) ||
        (rc = read_span(c, "rpo", &o.rpo_ms, &rpo, e)) ||
        (rc = read_span(c, "evidence_valid", &o.evidence_valid_ms, &valid, e)))
        return rc;
    if (o.rto_target_ms > o.rto_ms) {
        char a[32], b[32];
        span_format(&(span){o.rto_target_ms, 0}, a, sizeof a);
        span_format(&(span){o.rto_ms, 0}, b, sizeof b);
        rc = conf_error(e, c, target ? target : rto, "the drill target %s is longer than the "
                        "RTO %s: a drill within its target must be within the RTO", a, b);
        verr_hint(e, "Set rto_target to at most rto.");
        return rc;
    }
    if ((every = conf_get(c, "objectives", "drill_every"))) {
        int64_t ms;
        if (!objectives_every_ms(every->value, &ms) ||
            strlen(every->value) >= sizeof o.drill_every)
            return conf_error(e, c, every, "expected quarterly or a span of at least a day such "
                              "as 13w or 30d, not \"%s\"", every->value);
        snprintf(o.drill_every, sizeof o.drill_every, "%s", every->value);
    }
    *out = o;
    return VOUCH_OK;
}
