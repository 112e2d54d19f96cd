/* A run as the store holds it: the one model that the runner writes and that
 * output writers, reports and packs read. */
#ifndef VOUCH_RUN_RECORD_H
#define VOUCH_RUN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "checks/finding.h"

/* One finding: one subject (table, policy set, period) of one check. All strings owned. */
typedef struct result_row {
    char *check;
    char *subject;
    result_status status;
    char *expected;  /* may be NULL */
    char *observed;  /* may be NULL */
    char *reason;    /* one line a person can act on */
    char *detail;    /* may be NULL: a longer explanation, e.g. a diff */
    char *facts;     /* may be NULL: what the check measured, as a compact JSON object with
                      * sorted keys ({"months_covered": [...], "worst_gap_s": 3600}), for
                      * reports, packs and metrics to read; the reason stays for people */
    char *waiver;    /* NULL, or for a RESULT_WAIVED row the name of the waiver covering it
                      * (the run's waivers hold its reason) */
} result_row;

typedef enum run_kind { RUN_BASELINE, RUN_GATE, RUN_CHECK } run_kind;
const char *run_kind_name(run_kind k);

/* Run statuses as stored: "running", "passed", "failed", "aborted", "captured". */

typedef struct baseline_doc {
    char *check;
    char *content;   /* canonical JSON */
    /* Its parts (evidence/store/store.h), not loaded: how many, and SHA-256 over the hex
     * SHA-256 of each, newline-ended, in order; 0 and NULL when it has none. */
    int64_t n_parts;
    char *parts_sha256;
} baseline_doc;

typedef struct run_record {
    int64_t id;
    char *kind;
    char *status;
    char *started_at;
    char *finished_at;     /* NULL while running */
    char *target;          /* never holds a password */
    int64_t baseline_id;   /* 0: none */
    char *checks;          /* names of the checks run, comma-separated */
    char *error;           /* why it aborted, or NULL */
    char *vouch_version;
    /* the server's identity (NULL when not connected) */
    char *server_version;
    char *system_identifier;
    char *timeline;
    char *lsn;
    char *snapshot_time;
    char *database;
    char *host;            /* the machine and process that ran it (NULL, 0 when not loaded) */
    int64_t pid;
    /* What it was started with and by; each NULL when not given or not known, and then left
     * out of the canonical form (evidence/chain.h), so older runs keep their digests. */
    char *incident_at;     /* --incident-at, as UTC text ("2026-10-01T02:00:00.000Z") */
    char *started_by;      /* the OS user that ran vouch ("alice", "root (sudo from alice)") */
    char *ci_job;          /* the CI job's URL (or id) from its environment: hostile text */
    char *target_name;     /* the named target ([target "NAME"], docs/fleet.md) it ran against;
                            * NULL for the bare [target] and runs stored before names */
    /* The checks the run did not evaluate (it aborted first), as the store holds them: a
     * JSON array of {"check", "reason"}. Loaded, each is also a RESULT_NOT_EVALUATED row at
     * the end of results; the canonical form covers this text, not those rows. */
    char *not_evaluated;
    int64_t drill_id;      /* the drill open when it started (docs/drills.md); 0: none, and
                            * then left out of the canonical form */
    /* The [waiver "NAME"] sections that applied to the run's checks (src/waiver.h), as the
     * store holds them: a JSON array of {"name", "check", "subject", "reason", "expires",
     * "approved_by" (when given), "state" ("in_force", "unmatched" or "expired"),
     * "waived" (how many failures it covered)}; NULL when none did (canonical only when set). */
    char *waivers;
    /* the chain */
    int64_t chain_pos;     /* 0 while running */
    char *prev_digest;
    char *digest;
    int canon_version;     /* canonical form it is sealed in: 1 (0 too) or 2 (evidence/chain.h) */
    result_row *results;
    size_t n_results;
    baseline_doc *baselines;
    size_t n_baselines;
} run_record;

void result_row_release(result_row *r);
void run_record_free(run_record *r);

/* Counts by status over the results. */
typedef struct result_counts {
    size_t pass, warn, fail, error, not_evaluated, waived, total;
} result_counts;
result_counts run_record_counts(const run_record *r);

/* The run's waivers (r->waivers) as a JSON array, or NULL when it has none (or the stored
 * text does not parse, which verify names); the caller json_decrefs it. */
struct json_t;
struct json_t *run_record_waivers(const run_record *r);
/* What a waived result shows beside its own reason: "waived by NAME until 2026-12-31,
 * approved by X: REASON" from the run's waivers (just "waived by NAME" when they do not
 * hold it). Raw stored text: each writer escapes it as its format needs. Caller frees. */
char *run_record_waiver_note(const run_record *r, const char *name);

/* How long each check of a run took. Not stored (neither the store nor the canonical form
 * holds times: they are not evidence), so only the outputs of the run as it ends show them. */
typedef struct check_time {
    char *check;      /* the unit's name, as in result_row.check (owned) */
    double seconds;
} check_time;
typedef struct run_times {
    check_time *t;
    size_t n;
} run_times;
void run_times_release(run_times *times);

#endif
