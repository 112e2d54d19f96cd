/* How an observed row count is judged against the baseline's. Pure logic. */
#ifndef VOUCH_COUNT_RULE_H
#define VOUCH_COUNT_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/finding.h"

typedef enum count_rule_kind {
    RULE_EXACT,      /* the same number of rows */
    RULE_AT_LEAST,   /* append-only tables: never fewer */
    RULE_TOLERANCE   /* within pct percent either way */
} count_rule_kind;

typedef struct count_rule {
    count_rule_kind kind;
    double pct;
} count_rule;

/* "exact", "at-least", "tolerance 2%" (also "tolerance 0.5 %"). */
bool count_rule_parse(const char *text, count_rule *out);
/* The rule as the parser reads it. */
void count_rule_describe(const count_rule *r, char *buf, size_t size);
/* What the rule expects given the baseline count: "1000", ">= 1000", "1000 ± 2%". */
void count_rule_expected(const count_rule *r, int64_t baseline, char *buf, size_t size);
/* Judge; reason receives one line with the difference. */
result_status count_rule_judge(const count_rule *r, int64_t baseline, int64_t observed,
                               char *reason, size_t size);

#endif
