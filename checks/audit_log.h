/* checks/audit_log: the settings of [audit_log], shared by the files that make
 * the checker (audit_log.c: anchors, gaps, order, chain, RPO; audit_feeders.c:
 * the triggers and functions that write the log). */
#ifndef VOUCH_AUDIT_LOG_H
#define VOUCH_AUDIT_LOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "checks/checker.h"
#include "src/ident.h"

typedef struct audit_trigger {
    qname table;
    char *name;
} audit_trigger;

typedef struct audit_settings {
    qname table;
    char *id_column, *time_column;
    bool unordered;         /* ids = unordered: anchor time buckets, not id ranges */
    int64_t range;          /* ids per anchored range (sequential ids) */
    int64_t bucket_ms;      /* width of a time bucket (unordered ids) */
    char *digest;           /* SQL expression digested per row; NULL: the default */
    char *row_hash_column;  /* set when the log carries a hash chain */
    char *prev_hash_column;
    char *row_bytes;        /* SQL expression: the bytes each row hash covers */
    int64_t rpo_ms;
    audit_trigger *triggers;
    size_t n_triggers, cap_triggers;
    qname *functions;
    size_t n_functions, cap_functions;
} audit_settings;

/* The feeding triggers and functions as they are now, for the baseline. */
vexit audit_feeders_capture(check_ctx *ctx, const audit_settings *s, json_t **out, verr *e);
/* One finding per configured trigger and function, judged against the baseline's
 * "feeders" (may be NULL). */
vexit audit_feeders_check(check_ctx *ctx, const audit_settings *s, const json_t *baseline,
                          verr *e);

#endif
