#include "checks/count_rule.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool count_rule_parse(const char *text, count_rule *out)
{
    while (isspace((unsigned char)*text))
        text++;
    if (strcmp(text, "exact") == 0) {
        *out = (count_rule){RULE_EXACT, 0};
        return true;
    }
    if (strcmp(text, "at-least") == 0) {
        *out = (count_rule){RULE_AT_LEAST, 0};
        return true;
    }
    if (strncmp(text, "tolerance", 9) == 0 && isspace((unsigned char)text[9])) {
        const char *p = text + 9;
        while (isspace((unsigned char)*p))
            p++;
        /* Plain decimals only: strtod alone would also take "0x10" or "1e1". */
        const char *q = p;
        while (isdigit((unsigned char)*q))
            q++;
        if (*q == '.') {
            if (!isdigit((unsigned char)q[1]))
                return false;
            for (q++; isdigit((unsigned char)*q);)
                q++;
        }
        if (q == p || !isdigit((unsigned char)*p))
            return false;
        char *end;
        double pct = strtod(p, &end);
        if (end != q)
            return false;
        while (isspace((unsigned char)*end))
            end++;
        if (strcmp(end, "%") != 0 || !(pct >= 0 && pct <= 100))
            return false;
        *out = (count_rule){RULE_TOLERANCE, pct};
        return true;
    }
    return false;
}

void count_rule_describe(const count_rule *r, char *buf, size_t size)
{
    switch (r->kind) {
    case RULE_EXACT: snprintf(buf, size, "exact"); break;
    case RULE_AT_LEAST: snprintf(buf, size, "at-least"); break;
    case RULE_TOLERANCE: snprintf(buf, size, "tolerance %g%%", r->pct); break;
    }
}

void count_rule_expected(const count_rule *r, int64_t baseline, char *buf, size_t size)
{
    switch (r->kind) {
    case RULE_EXACT: snprintf(buf, size, "%lld", (long long)baseline); break;
    case RULE_AT_LEAST: snprintf(buf, size, ">= %lld", (long long)baseline); break;
    case RULE_TOLERANCE: snprintf(buf, size, "%lld ± %g%%", (long long)baseline, r->pct); break;
    }
}

result_status count_rule_judge(const count_rule *r, int64_t baseline, int64_t observed,
                               char *reason, size_t size)
{
    int64_t diff = observed - baseline;
    double pct = baseline ? 100.0 * (double)diff / (double)baseline : (diff ? INFINITY : 0);
    char rule[48];
    count_rule_describe(r, rule, sizeof rule);
    bool ok;
    switch (r->kind) {
    case RULE_EXACT: ok = diff == 0; break;
    case RULE_AT_LEAST: ok = diff >= 0; break;
    default: ok = fabs(pct) <= r->pct + 1e-9; break;
    }
    char change[96];
    long long mag = (long long)(diff < 0 ? -diff : diff);
    const char *rows = mag == 1 ? "row" : "rows";
    if (diff == 0)
        snprintf(change, sizeof change, "same row count as the baseline");
    else if (baseline == 0)
        snprintf(change, sizeof change, "%lld %s where the baseline had none", mag, rows);
    else
        snprintf(change, sizeof change, "%lld %s %s (%+.2f%%)", mag, rows,
                 diff < 0 ? "missing" : "more than the baseline", pct);
    if (ok) {
        snprintf(reason, size, "%s; rule %s", change, rule);
    } else if (r->kind == RULE_TOLERANCE) {
        long long allowed = (long long)floor((double)baseline * r->pct / 100.0 + 1e-9);
        snprintf(reason, size, "%s; rule %s allows at most %lld %s either way", change, rule,
                 allowed, allowed == 1 ? "row" : "rows");
    } else {
        snprintf(reason, size, "%s; rule %s allows %s", change, rule,
                 r->kind == RULE_EXACT ? "no difference" : "no fewer rows");
    }
    return ok ? RESULT_PASS : RESULT_FAIL;
}
