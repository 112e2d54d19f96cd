/* A restore drill as the store holds it, and the pure rules about it: its canonical
 * form and digest in the drill chain, how its RTO and data-loss window are judged,
 * and where a gate run says how new the restored data is. */
#ifndef VOUCH_DRILL_RECORD_H
#define VOUCH_DRILL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/chain.h"
#include "evidence/run_record.h"

/* One mark on the drill's timeline. All strings owned. */
typedef struct drill_phase {
    char *name;
    char *at;            /* UTC, as utc_now writes it */
    int64_t elapsed_ms;  /* since the drill started */
    char *note;          /* may be NULL */
} drill_phase;

/* Statuses as stored: "running" (open), "finished", "failed", "interrupted". */
typedef struct drill_record {
    int64_t id;
    char *scenario;
    char *operator_name;
    char *incident_at;         /* UTC */
    char *started_at;          /* UTC: the outage is declared, the RTO clock starts */
    char *finished_at;         /* UTC, NULL while open */
    char *status;
    char *note;                /* the operator's note at the end, or NULL */
    char *error;               /* why it failed or was interrupted, or NULL */
    char *restore_cmd;         /* drill run: the command timed; NULL for a drill by hand */
    bool has_restore_exit;
    int64_t restore_exit;      /* its exit status (128 + N when killed by signal N) */
    int64_t gate_run_id;       /* 0: no gate run */
    char *gate_digest;         /* that run's digest when the drill was sealed */
    char *restore_point;       /* UTC: newest data in the restored database, or NULL */
    char *restore_point_source; /* "audit_log" or "operator", NULL when unknown */
    bool has_rto;
    int64_t rto_ms;            /* start to finish, when service was restored */
    bool has_data_loss;
    int64_t data_loss_ms;      /* incident_at - restore_point */
    /* The objectives in force when it started ([objectives], src/objectives.h). */
    int64_t rto_target_ms, rto_limit_ms, rpo_ms;
    char *drill_every;         /* the cadence as configured; NULL in drills from before it */
    char *approved_by;         /* who approved reopening (--approved-by), or NULL */
    /* drill run --smoke-cmd: the command (passwords masked), its exit status, how long it
     * ran and the SHA-256 of its output; smoke_cmd NULL when none ran */
    char *smoke_cmd;
    bool has_smoke_exit;
    int64_t smoke_exit;
    int64_t smoke_ms;
    char *smoke_digest;
    char *clock;               /* how durations were measured: "monotonic" or "realtime" */
    char *vouch_version;
    char *host;
    int64_t pid;               /* the drill run process; 0 for a drill by hand */
    int64_t chain_pos;         /* 0 while open */
    char *prev_digest;
    char *digest;
    drill_phase *phases;
    size_t n_phases;
} drill_record;

void drill_phase_release(drill_phase *p);
void drill_record_free(drill_record *d);

/* Compact JSON with sorted keys of every field but the digest, phases in order
 * (format "vouch-drill/1"); drill_every, approved_by and smoke only when set, so that
 * drills sealed before them keep their digests. Caller frees. */
char *drill_canonical(const drill_record *d);

/* SHA-256 over "vouch-drill-chain/1\n" PREV "\n" CANONICAL as lowercase hex; prev NULL
 * or "" for the first drill of the chain. */
void drill_digest(const drill_record *d, const char *prev, char out[DIGEST_HEX_LEN + 1]);

typedef enum rto_verdict {
    RTO_WITHIN_TARGET,  /* within the drill target (and so within the RTO) */
    RTO_WITHIN_LIMIT,   /* over the drill target, within the RTO */
    RTO_OVER_LIMIT      /* over the RTO */
} rto_verdict;

rto_verdict drill_judge_rto(int64_t rto_ms, int64_t target_ms, int64_t limit_ms);

/* The newest data a gate run saw in the restored database: the observed time of an
 * audit_log finding whose subject mentions "newest" (see docs/drills.md), as ms since
 * the epoch; with several audit logs ([audit_log "NAME"] instances, results of
 * "audit_log/NAME") the latest of them, since the restore holds at least that much and a
 * quiet log's older newest event says less. False when the run holds no such finding. */
bool drill_restore_point_from_run(const run_record *gate, int64_t *ms);

/* Milliseconds as a person reads a duration: "850 ms", "12.3 s", "4 min 05 s",
 * "1 h 02 min 10 s"; negative durations get a leading '-'. */
void drill_format_duration(int64_t ms, char *buf, size_t size);

/* The closing line, naming both objectives: "drill 3 finished: RTO 1.7 s, within the
 * 45 min drill target; data loss 5 min, within the 24 h RPO", or "...; data loss NOT
 * MEASURED (no restore point)" when the restore point is unknown. */
void drill_verdict(const drill_record *d, char *buf, size_t size);

#endif
