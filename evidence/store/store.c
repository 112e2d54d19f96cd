/* The store's public functions (store.h, drill.h): each hands its call to the back end the
 * store was opened with, chosen once by the scheme of its location. */
#include "evidence/store/store.h"

#include <stddef.h>
#include <string.h>

#include "evidence/store/backend.h"
#include "evidence/store/drill.h"

/* A location's scheme and the back end behind it; NULL: named but not built yet (none
 * today; kept for a scheme named before its back end is built). */
static const struct {
    const char *prefix;
    const char *label;
    const store_backend *be;
} schemes[] = {
    {"sqlite:", "SQLite", &store_sqlite_backend},
    {"postgresql://", "PostgreSQL", &store_pg_backend},
    {"postgres://", "PostgreSQL", &store_pg_backend},
};

/* Whether where starts with a URL scheme ("word://"); a plain path never does. */
static bool looks_like_url(const char *where)
{
    size_t n = strspn(where, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    return n > 0 && strncmp(where + n, "://", 3) == 0;
}

vexit store_backend_for(const char *where, const store_backend **be, const char **rest, verr *e)
{
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
        size_t n = strlen(schemes[i].prefix);
        if (strncmp(where, schemes[i].prefix, n) != 0)
            continue;
        if (!schemes[i].be)
            /* The location itself is not shown: a URL can carry a password. */
            return verr_set(e, VOUCH_USAGE,
                            "store \"%s...\": the %s store back end is not built yet",
                            schemes[i].prefix, schemes[i].label);
        *be = schemes[i].be;
        *rest = where + n;
        return VOUCH_OK;
    }
    if (looks_like_url(where))
        return verr_set(e, VOUCH_USAGE,
                        "store \"%.*s...\": unknown store scheme (a file path, sqlite:PATH or"
                        " postgresql://...)",
                        (int)(strstr(where, "://") - where + 3), where);
    *be = &store_sqlite_backend;
    *rest = where;
    return VOUCH_OK;
}

vexit store_open_at(store **out, const char *path, const char *anchor, store_mode mode, verr *e)
{
    const store_backend *be;
    const char *rest;
    *out = NULL;
    vexit rc = store_backend_for(path, &be, &rest, e);
    if (rc)
        return rc;
    if (!*rest)
        return verr_set(e, VOUCH_USAGE, "store \"%s\": no path after the scheme", path);
    return be->open(out, rest, anchor, mode, e);
}

vexit store_exists(const char *path, bool *exists, verr *e)
{
    const store_backend *be;
    const char *rest;
    *exists = false;
    vexit rc = store_backend_for(path, &be, &rest, e);
    if (!rc)
        *exists = *rest && be->exists(rest);
    return rc;
}

vexit store_open(store **out, const char *path, bool create, verr *e)
{
    return store_open_at(out, path, NULL, create ? STORE_CREATE : STORE_WRITE, e);
}

void store_close(store *st)
{
    if (st)
        st->be->close(st);
}

const char *store_path(const store *st) { return st->be->path(st); }
const char *store_anchor(const store *st) { return st->be->anchor(st); }
const char *store_anchor_problem(const store *st) { return st->be->anchor_problem(st); }
vexit store_head(store *st, store_heads *out, verr *e) { return st->be->head(st, out, e); }

vexit store_run_begin(store *st, run_kind kind, const char *target, int64_t baseline_id,
                      const char *checks, int64_t *id, verr *e)
{
    return st->be->run_begin(st, kind, target, baseline_id, checks, NULL, id, e);
}

vexit store_run_begin_with(store *st, run_kind kind, const char *target, int64_t baseline_id,
                           const char *checks, const run_start *how, int64_t *id, verr *e)
{
    return st->be->run_begin(st, kind, target, baseline_id, checks, how, id, e);
}

vexit store_run_finish(store *st, run_record *r, verr *e) { return st->be->run_finish(st, r, e); }

vexit store_load_run(store *st, int64_t id, run_record **out, verr *e)
{
    return st->be->load_run(st, id, out, e);
}

vexit store_list_runs(store *st, int64_t limit, const char *target_name, int64_t **ids,
                      size_t *n, verr *e)
{
    return st->be->list_runs(st, limit, target_name, ids, n, e);
}

vexit store_latest_runs(store *st, int64_t **ids, size_t *n, verr *e)
{
    return st->be->latest_runs(st, ids, n, e);
}

vexit store_latest_passed_runs(store *st, int64_t **ids, size_t *n, verr *e)
{
    return st->be->latest_passed_runs(st, ids, n, e);
}

vexit store_last_negative_control(store *st, const char *target_name, bool any_target,
                                  int64_t *id, verr *e)
{
    return st->be->last_negative_control(st, target_name, any_target, id, e);
}

vexit store_baseline_part_add(store *st, int64_t run_id, const char *check, int64_t seq,
                              const char *content, verr *e)
{
    return st->be->part_add(st, run_id, check, seq, content, e);
}

vexit store_parts_open(store *st, int64_t run_id, const char *check, store_parts **out, verr *e)
{
    return st->be->parts_open(st, run_id, check, out, e);
}

vexit store_parts_next(store_parts *p, char **content, verr *e)
{
    return p->be->parts_next(p, content, e);
}

void store_parts_close(store_parts *p)
{
    if (p)
        p->be->parts_close(p);
}

vexit store_latest_baseline(store *st, const char *target_name, int64_t *id, verr *e)
{
    return st->be->latest_baseline(st, target_name, id, e);
}

vexit store_check_baseline(store *st, int64_t id, verr *e)
{
    return st->be->check_baseline(st, id, e);
}

vexit store_verify(store *st, store_verdict *v, verr *e) { return st->be->verify(st, v, e); }

vexit store_verify_since(store *st, int64_t run_id, store_verdict *v, verr *e)
{
    return st->be->verify_since(st, run_id, v, e);
}

vexit store_verify_head(store *st, int64_t pos, const char *digest, store_verdict *v, verr *e)
{
    return st->be->verify_head(st, pos, digest, v, e);
}

vexit store_open_drill(store *st, int64_t *id, verr *e) { return st->be->open_drill(st, id, e); }

vexit store_drill_begin(store *st, const drill_record *d, int64_t *id, verr *e)
{
    return st->be->drill_begin(st, d, id, e);
}

vexit store_drill_mark(store *st, int64_t drill_id, const drill_phase *p, verr *e)
{
    return st->be->drill_mark(st, drill_id, p, e);
}

vexit store_drill_finish(store *st, drill_record *d, verr *e)
{
    return st->be->drill_finish(st, d, e);
}

vexit store_load_drill(store *st, int64_t id, drill_record **out, verr *e)
{
    return st->be->load_drill(st, id, out, e);
}

vexit store_list_drills(store *st, int64_t limit, int64_t **ids, size_t *n, verr *e)
{
    return st->be->list_drills(st, limit, ids, n, e);
}

vexit store_drill_runs(store *st, int64_t drill_id, int64_t **ids, size_t *n, verr *e)
{
    return st->be->drill_runs(st, drill_id, ids, n, e);
}

vexit store_reap_drills(store *st, verr *e) { return st->be->reap_drills(st, e); }

vexit store_verify_drills(store *st, store_verdict *v, verr *e)
{
    return st->be->verify_drills(st, v, e);
}

vexit store_approval_add(store *st, approval_record *a, verr *e)
{
    return st->be->approval_add(st, a, e);
}

vexit store_approvals(store *st, int64_t run_id, approval_list *out, verr *e)
{
    return st->be->approvals(st, run_id, out, e);
}
