/* The interface every checker implements, and the context a run hands it.
 *
 * A checker reads the target inside the run's snapshot and records findings
 * through check_report(); it never prints, exits or writes the store. The runner
 * stores what it found and decides the exit status. Adding a checker is one file
 * under checks/ and one line in checks/registry.c. */
#ifndef VOUCH_CHECKER_H
#define VOUCH_CHECKER_H

#include <jansson.h>
#include <stdbool.h>

#include "checks/finding.h"
#include "src/config.h"
#include "src/pg.h"
#include "src/pg_pool.h"
#include "src/verr.h"

typedef struct check_ctx check_ctx;

/* A checker whose flags hold this takes named instances: [name "INSTANCE"]. */
#define CHECKER_INSTANCES 1u
/* A checker whose flags hold this streams one large table over every connection it is
 * given (check_copy_many): with [target] jobs of 2 or more, a gate runs it on the leader
 * and the pool while the other checks run beside it on one lent connection, which joins
 * the stream when they are done (check_connections_later). */
#define CHECKER_STREAMS 2u

typedef struct checker {
    /* MUST be set: the name used on the command line, as config section and in results.
     * A named instance runs as "name/INSTANCE": the runner hands configure a view of the
     * configuration in which [name "INSTANCE"] reads as [name] (conf_instance_view) and
     * stores its results and baseline under "name/INSTANCE", so a checker need not know. */
    const char *name;
    /* MUST be set: one line for --help and the docs. */
    const char *summary;
    /* MUST be set: the keys of its [name] section, ending with {NULL}. */
    const conf_key *keys;
    /* MUST be set: read the [name] section into private settings (*settings, owned by the
     * checker until release). A bad value is VOUCH_USAGE naming file, line and key. */
    vexit (*configure)(const conf *c, void **settings, verr *e);
    /* MUST be set: free what configure made. */
    void (*release)(void *settings);
    /* MAY be set: capture the healthy state as a JSON document stored as the baseline.
     * NULL for a checker that needs no baseline. On success *baseline is the runner's. */
    vexit (*capture)(check_ctx *ctx, void *settings, json_t **baseline, verr *e);
    /* MUST be set: compare the target with the baseline (NULL when capture is NULL) and
     * report one finding per subject. An error return means the check could not decide. */
    vexit (*check)(check_ctx *ctx, void *settings, const json_t *baseline, verr *e);
    /* MAY be set: CHECKER_INSTANCES when named instances [name "INSTANCE"] are allowed;
     * CHECKER_STREAMS for a check that gains from every connection. */
    unsigned flags;
    /* MAY be set (every checker of the registry sets it): for 'vouch check-config', ask the
     * target whether each object the section names exists (tables, columns, schemas, roles,
     * triggers, functions, files), reading catalogs only: no check runs and nothing is
     * stored. c is what configure read. Each missing object is one check_config_problem;
     * an error return means it could not ask (the connection was lost). */
    vexit (*validate_target)(check_ctx *ctx, const conf *c, void *settings, verr *e);
} checker;

/* The target session of the run, inside its read-only snapshot. */
pg_session *check_db(check_ctx *ctx);

/* A baseline too large for one document is captured in parts as well: in capture, put
 * part (taken) into the store now, so that it need not stay in memory; in check, the
 * next part in the order they were put into *part (the caller decrefs), NULL after the
 * last or for a baseline without parts. An error return ends the check. */
vexit check_baseline_part_put(check_ctx *ctx, json_t *part, verr *e);
vexit check_baseline_part_next(check_ctx *ctx, json_t **part, verr *e);

/* The incident time given with --incident-at (ms since the epoch, UTC) into *ms;
 * false when none was given. */
bool check_incident_at(check_ctx *ctx, int64_t *ms);

/* Run independent queries (no parameters) over the run's connections at once, all
 * in the run's snapshot; res[i] is sqls[i]'s result, the caller PQclears each. On
 * failure failed (if not NULL) names the query that failed or whose connection was lost,
 * and is n or more when no one query is to blame (an interrupt while several ran). */
vexit check_query_many(check_ctx *ctx, const char *const *sqls, size_t n, PGresult **res,
                       size_t *failed, verr *e);

/* How many connections a check may use at once for up to wanted queries (leader
 * included); the workers are opened now. */
int check_connections(check_ctx *ctx, size_t wanted);
/* How many connections, busy with other checks now, may join a check_copy_many later
 * (each takes a statement still waiting when it comes): a check that plans its statements
 * by the connections plans some more for them. 0 when none will. */
int check_connections_later(check_ctx *ctx);
/* Stream n COPY ... TO STDOUT statements at once over the run's connections, all in the
 * run's snapshot, each message to fn as it arrives (pg_pool_copy in src/pg_pool.h). */
vexit check_copy_many(check_ctx *ctx, const char *const *sqls, size_t n, pg_copy_fn fn,
                      void *user, size_t *failed, verr *e);

/* Progress of long work, for the live line on standard error (src/progress.h): the
 * estimated total of what the check is about to go through ("rows", from reltuples), then
 * how much is done, once per batch (a few thousand rows), never per row. Cheap when no
 * meter is shown. Queries run with check_query_many count themselves. */
void check_progress_estimate(check_ctx *ctx, double total, const char *unit);
void check_progress(check_ctx *ctx, double done);
/* check_progress_estimate in rows of table (a quoted, qualified name), from the planner's
 * reltuples: a catalog read that cannot fail the run's transaction. */
void check_progress_rows(check_ctx *ctx, const char *table);

/* Record one finding. expected/observed may be NULL; reason is a printf format. */
void check_report(check_ctx *ctx, result_status status, const char *subject, const char *expected,
                  const char *observed, const char *reason, ...)
    __attribute__((format(printf, 6, 7)));
/* Attach a longer explanation (a diff, a list of ids) to the last finding. */
void check_detail(check_ctx *ctx, const char *detail);
/* How the check went about it, for the operator: shown after its `vouch -v` line in
 * parentheses ("the rows as stored, 1195 put in their place"), never stored. The last
 * note of a unit wins. */
void check_note(check_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Attach a structured fact to the last finding: key (a short snake_case name, e.g.
 * "months_covered", "worst_gap_s") and value, which is taken (the caller's reference
 * passes here, also when there is no finding yet). Facts are what reports, packs and
 * metrics read; the reason is for people and may be reworded at will. A key given twice
 * keeps the last value. */
void check_fact(check_ctx *ctx, const char *key, json_t *value);

/* check-config: what ent names is missing from the target; one line
 * "FILE:LINE: [section] key: WHAT" (fmt) for the person fixing the configuration. */
void check_config_problem(check_ctx *ctx, const conf *c, const conf_entry *ent, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));

/* The registry: every checker, in the order a gate runs them. */
extern const checker *const checkers[];
const checker *checker_find(const char *name);

#endif
