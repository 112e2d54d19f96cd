/* The SQLite back end's entry in the store interface (evidence/store/backend.h): each
 * member turns the store * it is given back into the sqlite_store it is. */
#include "evidence/store/sqlite_internal.h"

#include <unistd.h>

#define SQ(st) ((sqlite_store *)(st))
#define CSQ(st) ((const sqlite_store *)(st))

static vexit be_open(store **out, const char *where, const char *anchor, store_mode mode, verr *e)
{
    sqlite_store *st = NULL;
    vexit rc = sqlite_be_open_at(&st, where, anchor, mode, e);
    *out = (store *)st;
    return rc;
}
static bool be_exists(const char *where) { return access(where, F_OK) == 0; }
static void be_close(store *st) { sqlite_be_close(SQ(st)); }
static const char *be_path(const store *st) { return sqlite_be_path(CSQ(st)); }
static const char *be_anchor(const store *st) { return sqlite_be_anchor(CSQ(st)); }
static const char *be_anchor_problem(const store *st) { return sqlite_be_anchor_problem(CSQ(st)); }
static vexit be_head(store *st, store_heads *out, verr *e) { return sqlite_be_head(SQ(st), out, e); }

static vexit be_run_begin(store *st, run_kind kind, const char *target, int64_t baseline_id,
                          const char *checks, const run_start *how, int64_t *id, verr *e)
{
    return sqlite_be_run_begin_with(SQ(st), kind, target, baseline_id, checks, how, id, e);
}
static vexit be_run_finish(store *st, run_record *r, verr *e)
{
    return sqlite_be_run_finish(SQ(st), r, e);
}
static vexit be_load_run(store *st, int64_t id, run_record **out, verr *e)
{
    return sqlite_be_load_run(SQ(st), id, out, e);
}
static vexit be_list_runs(store *st, int64_t limit, const char *target_name, int64_t **ids,
                          size_t *n, verr *e)
{
    return sqlite_be_list_runs(SQ(st), limit, target_name, ids, n, e);
}
static vexit be_latest_runs(store *st, int64_t **ids, size_t *n, verr *e)
{
    return sqlite_be_latest_runs(SQ(st), ids, n, e);
}
static vexit be_latest_passed_runs(store *st, int64_t **ids, size_t *n, verr *e)
{
    return sqlite_be_latest_passed_runs(SQ(st), ids, n, e);
}
static vexit be_last_negative_control(store *st, const char *target_name, bool any_target,
                                      int64_t *id, verr *e)
{
    return sqlite_be_last_negative_control(SQ(st), target_name, any_target, id, e);
}
static vexit be_latest_baseline(store *st, const char *target_name, int64_t *id, verr *e)
{
    return sqlite_be_latest_baseline(SQ(st), target_name, id, e);
}
static vexit be_check_baseline(store *st, int64_t id, verr *e)
{
    return sqlite_be_check_baseline(SQ(st), id, e);
}

static vexit be_part_add(store *st, int64_t run_id, const char *check, int64_t seq,
                         const char *content, verr *e)
{
    return sqlite_be_baseline_part_add(SQ(st), run_id, check, seq, content, e);
}
static vexit be_parts_open(store *st, int64_t run_id, const char *check, store_parts **out,
                           verr *e)
{
    sqlite_parts *p = NULL;
    vexit rc = sqlite_be_parts_open(SQ(st), run_id, check, &p, e);
    *out = (store_parts *)p;
    return rc;
}
static vexit be_parts_next(store_parts *p, char **content, verr *e)
{
    return sqlite_be_parts_next((sqlite_parts *)p, content, e);
}
static void be_parts_close(store_parts *p) { sqlite_be_parts_close((sqlite_parts *)p); }

static vexit be_verify(store *st, store_verdict *v, verr *e) { return sqlite_be_verify(SQ(st), v, e); }
static vexit be_verify_since(store *st, int64_t run_id, store_verdict *v, verr *e)
{
    return sqlite_be_verify_since(SQ(st), run_id, v, e);
}
static vexit be_verify_head(store *st, int64_t pos, const char *digest, store_verdict *v, verr *e)
{
    return sqlite_be_verify_head(SQ(st), pos, digest, v, e);
}

static vexit be_open_drill(store *st, int64_t *id, verr *e) { return sqlite_be_open_drill(SQ(st), id, e); }
static vexit be_drill_begin(store *st, const drill_record *d, int64_t *id, verr *e)
{
    return sqlite_be_drill_begin(SQ(st), d, id, e);
}
static vexit be_drill_mark(store *st, int64_t drill_id, const drill_phase *p, verr *e)
{
    return sqlite_be_drill_mark(SQ(st), drill_id, p, e);
}
static vexit be_drill_finish(store *st, drill_record *d, verr *e)
{
    return sqlite_be_drill_finish(SQ(st), d, e);
}
static vexit be_load_drill(store *st, int64_t id, drill_record **out, verr *e)
{
    return sqlite_be_load_drill(SQ(st), id, out, e);
}
static vexit be_list_drills(store *st, int64_t limit, int64_t **ids, size_t *n, verr *e)
{
    return sqlite_be_list_drills(SQ(st), limit, ids, n, e);
}
static vexit be_drill_runs(store *st, int64_t drill_id, int64_t **ids, size_t *n, verr *e)
{
    return sqlite_be_drill_runs(SQ(st), drill_id, ids, n, e);
}
static vexit be_reap_drills(store *st, verr *e) { return sqlite_be_reap_drills(SQ(st), e); }
static vexit be_verify_drills(store *st, store_verdict *v, verr *e)
{
    return sqlite_be_verify_drills(SQ(st), v, e);
}

static vexit be_approval_add(store *st, approval_record *a, verr *e)
{
    return sqlite_be_approval_add(SQ(st), a, e);
}
static vexit be_approvals(store *st, int64_t run_id, approval_list *out, verr *e)
{
    return sqlite_be_approvals(SQ(st), run_id, out, e);
}

const store_backend store_sqlite_backend = {
    .name = "sqlite",
    .open = be_open,
    .exists = be_exists,
    .close = be_close,
    .path = be_path,
    .anchor = be_anchor,
    .anchor_problem = be_anchor_problem,
    .head = be_head,
    .run_begin = be_run_begin,
    .run_finish = be_run_finish,
    .load_run = be_load_run,
    .list_runs = be_list_runs,
    .latest_runs = be_latest_runs,
    .latest_passed_runs = be_latest_passed_runs,
    .last_negative_control = be_last_negative_control,
    .latest_baseline = be_latest_baseline,
    .check_baseline = be_check_baseline,
    .part_add = be_part_add,
    .parts_open = be_parts_open,
    .parts_next = be_parts_next,
    .parts_close = be_parts_close,
    .verify = be_verify,
    .verify_since = be_verify_since,
    .verify_head = be_verify_head,
    .open_drill = be_open_drill,
    .drill_begin = be_drill_begin,
    .drill_mark = be_drill_mark,
    .drill_finish = be_drill_finish,
    .load_drill = be_load_drill,
    .list_drills = be_list_drills,
    .drill_runs = be_drill_runs,
    .reap_drills = be_reap_drills,
    .verify_drills = be_verify_drills,
    .approval_add = be_approval_add,
    .approvals = be_approvals,
};
