/* The store interface: what a back end implements (evidence/store/store.c dispatches).
 *
 * One const struct of function pointers per back end, chosen once when a store is opened
 * by the scheme of its location (store.c); nothing above store.h knows which is in use.
 * Each function has the contract of the store.h or drill.h function of the same name.
 * Every member MUST be set. */
#ifndef VOUCH_STORE_BACKEND_H
#define VOUCH_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/approval.h"
#include "evidence/drill_record.h"
#include "evidence/run_record.h"
#include "evidence/store/store.h"
#include "src/verr.h"

typedef struct store_backend store_backend;

/* What every back end's handle starts with (its own struct has this as its first member). */
struct store {
    const store_backend *be;
};
struct store_parts {
    const store_backend *be;
};

struct store_backend {
    const char *name;
    /* where: the location with its scheme removed (a file path for SQLite). */
    vexit (*open)(store **out, const char *where, const char *anchor, store_mode mode, verr *e);
    /* Whether a store is at where (for a command that needs one made earlier). */
    bool (*exists)(const char *where);
    void (*close)(store *st);
    const char *(*path)(const store *st);
    const char *(*anchor)(const store *st);
    const char *(*anchor_problem)(const store *st);
    vexit (*head)(store *st, store_heads *out, verr *e);

    vexit (*run_begin)(store *st, run_kind kind, const char *target, int64_t baseline_id,
                       const char *checks, const run_start *how, int64_t *id, verr *e);
    vexit (*run_finish)(store *st, run_record *r, verr *e);
    vexit (*load_run)(store *st, int64_t id, run_record **out, verr *e);
    vexit (*list_runs)(store *st, int64_t limit, const char *target_name, int64_t **ids,
                       size_t *n, verr *e);
    vexit (*latest_runs)(store *st, int64_t **ids, size_t *n, verr *e);
    vexit (*latest_passed_runs)(store *st, int64_t **ids, size_t *n, verr *e);
    vexit (*last_negative_control)(store *st, const char *target_name, bool any_target,
                                   int64_t *id, verr *e);
    vexit (*latest_baseline)(store *st, const char *target_name, int64_t *id, verr *e);
    vexit (*check_baseline)(store *st, int64_t id, verr *e);

    vexit (*part_add)(store *st, int64_t run_id, const char *check, int64_t seq,
                      const char *content, verr *e);
    vexit (*parts_open)(store *st, int64_t run_id, const char *check, store_parts **out,
                        verr *e);
    vexit (*parts_next)(store_parts *p, char **content, verr *e);
    void (*parts_close)(store_parts *p);

    vexit (*verify)(store *st, store_verdict *v, verr *e);
    vexit (*verify_since)(store *st, int64_t run_id, store_verdict *v, verr *e);
    vexit (*verify_head)(store *st, int64_t pos, const char *digest, store_verdict *v, verr *e);

    vexit (*open_drill)(store *st, int64_t *id, verr *e);
    vexit (*drill_begin)(store *st, const drill_record *d, int64_t *id, verr *e);
    vexit (*drill_mark)(store *st, int64_t drill_id, const drill_phase *p, verr *e);
    vexit (*drill_finish)(store *st, drill_record *d, verr *e);
    vexit (*load_drill)(store *st, int64_t id, drill_record **out, verr *e);
    vexit (*list_drills)(store *st, int64_t limit, int64_t **ids, size_t *n, verr *e);
    vexit (*drill_runs)(store *st, int64_t drill_id, int64_t **ids, size_t *n, verr *e);
    vexit (*reap_drills)(store *st, verr *e);
    vexit (*verify_drills)(store *st, store_verdict *v, verr *e);

    vexit (*approval_add)(store *st, approval_record *a, verr *e);
    vexit (*approvals)(store *st, int64_t run_id, approval_list *out, verr *e);
};

/* The back ends there are (evidence/store/sqlite_backend.c, ...). */
extern const store_backend store_sqlite_backend;
extern const store_backend store_pg_backend;   /* evidence/store/postgres.c */

/* The back end for a store's location: "postgresql://..." or "postgres://..." (PostgreSQL),
 * "sqlite:PATH", or a plain file path (SQLite). *rest is where with the scheme removed.
 * Another "scheme://" is VOUCH_USAGE. */
vexit store_backend_for(const char *where, const store_backend **be, const char **rest, verr *e);

#endif
