#include "src/runner.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checker.h"
#include "checks/perturb.h"
#include "src/interrupt.h"
#include "src/origin.h"
#include "src/pg_pool.h"
#include "src/utf8.h"
#include "src/util.h"
#include "src/waiver.h"

struct check_ctx {
    pg_session *db;
    pg_pool *pool;
    const char *unit;   /* the running unit's name: "share_tokens/invitations" */
    /* For an instance: "[share_tokens]" as a checker writes it in a reason, and the real
     * header put in its place; bare[0] is 0 for a bare section. */
    char bare[128], header[192];
    int64_t incident_at_ms;
    progress *meter;    /* NULL: none shown */
    result_row *rows;   /* every finding of the run, owned here until stored */
    size_t n, cap;
    /* check-config: told each missing object (runner_check_target) */
    void (*problem)(void *user, const char *line);
    void *problem_user;
    size_t n_problems;
    /* the baseline's parts: put by a capture into run run_id, read by a check */
    store *st;
    int64_t run_id, part_seq;
    store_parts *parts;
    /* a scheduled run's two threads share the store: every call on it holds this
     * (NULL: one thread) */
    pthread_mutex_t *store_mu;
    /* the negative control's perturbation of the parts as they are read; NULL otherwise */
    perturb *perturb;
    char note[160]; /* the running unit's check_note, "" when none */
};

static void store_lock(check_ctx *ctx)
{
    if (ctx->store_mu)
        pthread_mutex_lock(ctx->store_mu);
}

static void store_unlock(check_ctx *ctx)
{
    if (ctx->store_mu)
        pthread_mutex_unlock(ctx->store_mu);
}

/* Replace the first "[base]" in text (of size bytes) with "[header]". */
static void rename_section(char *text, size_t size, const char *bare, const char *header)
{
    char *at = strstr(text, bare);
    if (!at)
        return;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%.*s%s%s", (int)(at - text), text, header, at + strlen(bare));
    snprintf(text, size, "%s", tmp);
}

pg_session *check_db(check_ctx *ctx)
{
    return ctx->db;
}

vexit check_baseline_part_put(check_ctx *ctx, json_t *part, verr *e)
{
    char *text = json_dumps(part, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(part);
    if (!text)
        return verr_set(e, VOUCH_ABORTED, "could not write a part of the %s baseline", ctx->unit);
    store_lock(ctx);
    vexit rc = store_baseline_part_add(ctx->st, ctx->run_id, ctx->unit, ++ctx->part_seq, text, e);
    store_unlock(ctx);
    free(text);
    return rc;
}

vexit check_baseline_part_next(check_ctx *ctx, json_t **part, verr *e)
{
    *part = NULL;
    char *text = NULL;
    store_lock(ctx);
    vexit rc = ctx->parts ? store_parts_next(ctx->parts, &text, e) : VOUCH_OK;
    store_unlock(ctx);
    if (rc || !text)
        return rc;
    json_error_t je;
    *part = json_loads(text, 0, &je);
    free(text);
    if (!*part)
        return verr_set(e, VOUCH_FAILED, "a part of the %s baseline does not parse: %s", ctx->unit,
                        je.text);
    perturb_part(ctx->perturb, *part); /* in memory only: the store's part is as it was */
    return VOUCH_OK;
}

bool check_incident_at(check_ctx *ctx, int64_t *ms)
{
    if (!ctx->incident_at_ms)
        return false;
    *ms = ctx->incident_at_ms;
    return true;
}

void check_progress_estimate(check_ctx *ctx, double total, const char *unit)
{
    progress_estimate(ctx->meter, total, unit);
}

void check_progress(check_ctx *ctx, double done)
{
    progress_update(ctx->meter, done);
}

void check_progress_rows(check_ctx *ctx, const char *table)
{
    if (!ctx->meter)
        return;
    PGresult *r = NULL;
    verr ignored;
    verr_clear(&ignored);
    const char *params[] = {table};
    double rows = -1;
    /* to_regclass: a name that does not resolve gives NULL, never an error */
    if (pg_query(ctx->db, &r, "SELECT reltuples FROM pg_catalog.pg_class"
                              " WHERE oid = pg_catalog.to_regclass($1)",
                 1, params, &ignored) == VOUCH_OK &&
        PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        rows = strtod(PQgetvalue(r, 0, 0), NULL);
    PQclear(r);
    progress_estimate(ctx->meter, rows, "rows"); /* -1: never analysed, no total */
}

static void query_done(void *user, size_t done)
{
    progress_update(user, (double)done);
}

vexit check_query_many(check_ctx *ctx, const char *const *sqls, size_t n, PGresult **res,
                       size_t *failed, verr *e)
{
    if (ctx->meter && n > 1) /* one query tells nothing until it ends */
        progress_estimate(ctx->meter, (double)n, "queries");
    if (ctx->pool)
        pg_pool_on_done(ctx->pool, ctx->meter && n > 1 ? query_done : NULL, ctx->meter);
    vexit rc = pg_pool_run(ctx->pool, sqls, n, res, failed, e);
    if (ctx->pool)
        pg_pool_on_done(ctx->pool, NULL, NULL);
    return rc;
}

int check_connections(check_ctx *ctx, size_t wanted)
{
    return pg_pool_open(ctx->pool, wanted);
}

int check_connections_later(check_ctx *ctx)
{
    return ctx->pool ? pg_pool_later(ctx->pool) : 0;
}

vexit check_copy_many(check_ctx *ctx, const char *const *sqls, size_t n, pg_copy_fn fn,
                      void *user, size_t *failed, verr *e)
{
    return pg_pool_copy(ctx->pool, sqls, n, fn, user, failed, e);
}

void check_report(check_ctx *ctx, result_status status, const char *subject, const char *expected,
                  const char *observed, const char *reason, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, reason);
    vsnprintf(line, sizeof line, reason, ap);
    va_end(ap);
    if (ctx->bare[0])
        rename_section(line, sizeof line, ctx->bare, ctx->header);
    grow((void **)&ctx->rows, &ctx->cap, ctx->n + 1, sizeof *ctx->rows);
    ctx->rows[ctx->n++] = (result_row){
        .check = xstrdup(ctx->unit),
        .subject = xstrdup(subject),
        .status = status,
        .expected = xstrdup(expected),
        .observed = xstrdup(observed),
        .reason = xstrdup(line),
    };
}

void check_config_problem(check_ctx *ctx, const conf *c, const conf_entry *ent, const char *fmt,
                          ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    verr line;
    conf_error(&line, c, ent, "%s", what);
    ctx->n_problems++;
    if (ctx->problem)
        ctx->problem(ctx->problem_user, line.msg);
}

void check_detail(check_ctx *ctx, const char *detail)
{
    if (!ctx->n)
        return;
    result_row *last = &ctx->rows[ctx->n - 1];
    free(last->detail);
    last->detail = xstrdup(detail);
}

void check_note(check_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->note, sizeof ctx->note, fmt, ap);
    va_end(ap);
}

void check_fact(check_ctx *ctx, const char *key, json_t *value)
{
    if (!ctx->n || !key || !value) {
        json_decref(value);
        return;
    }
    result_row *last = &ctx->rows[ctx->n - 1];
    json_t *facts = last->facts ? json_loads(last->facts, 0, NULL) : NULL;
    if (!json_is_object(facts)) {
        json_decref(facts);
        facts = json_object();
    }
    json_object_set_new(facts, key, value);
    free(last->facts);
    /* sorted and compact: the text the store holds and the chain covers is one per content */
    last->facts = json_dumps(facts, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(facts);
}

void check_units_free(check_unit *u, size_t n)
{
    for (size_t i = 0; u && i < n; i++) {
        free(u[i].name);
        conf_free(u[i].view);
    }
    free(u);
}

/* Whether the command line's name asks for section s of checker ck. */
static bool asks_for(const char *name, const checker *ck, const conf_section *s)
{
    size_t n = strlen(ck->name);
    if (strncmp(name, ck->name, n) != 0)
        return false;
    if (!name[n])
        return true;
    return name[n] == '/' && s->instance && strcmp(name + n + 1, s->instance) == 0;
}

/* "invitations, refresh" or "" : the instances configured for ck. */
static char *instances_of(const conf *cf, const checker *ck)
{
    char *acc = xstrdup("");
    for (size_t i = 0; i < cf->n_sections; i++) {
        const conf_section *s = &cf->sections[i];
        if (strcmp(s->base, ck->name) != 0)
            continue;
        char *next = xasprintf("%s%s%s%s%s", acc, *acc ? ", " : "", ck->name,
                               s->instance ? "/" : "", s->instance ? s->instance : "");
        free(acc);
        acc = next;
    }
    return acc;
}

/* Each name of the command line names a configured check or instance, else VOUCH_USAGE. */
static vexit check_names(const conf *cf, const char *const *only, size_t n_only, verr *e)
{
    for (size_t i = 0; i < n_only; i++) {
        const char *slash = strchr(only[i], '/');
        char *base = slash ? xstrndup(only[i], (size_t)(slash - only[i])) : xstrdup(only[i]);
        const checker *ck = checker_find(base);
        free(base);
        if (!ck) {
            verr_set(e, VOUCH_USAGE, "unknown check '%s'", only[i]);
            verr_hint(e, "Run 'vouch --help' for the list of checks.");
            return e->code;
        }
        if (slash && !(ck->flags & CHECKER_INSTANCES)) {
            verr_set(e, VOUCH_USAGE, "check '%s' takes no named instances, so '%s' names nothing",
                     ck->name, only[i]);
            verr_hint(e, "Run 'vouch check %s'.", ck->name);
            return e->code;
        }
        bool found = false;
        for (size_t k = 0; k < cf->n_sections && !found; k++)
            found = strcmp(cf->sections[k].base, ck->name) == 0 &&
                    asks_for(only[i], ck, &cf->sections[k]);
        if (found)
            continue;
        char *have = instances_of(cf, ck);
        if (slash && *have)
            verr_set(e, VOUCH_USAGE, "check '%s' is not configured in %s (it has %s)", only[i],
                     cf->path, have);
        else
            verr_set(e, VOUCH_USAGE, "check '%s' is not configured in %s", only[i], cf->path);
        if (slash)
            verr_hint(e, "Add a [%s \"%s\"] section, or name one that %s has.", ck->name,
                      slash + 1, cf->path);
        else
            verr_hint(e, "Add a [%s] section; docs/configuration.md lists its keys.", ck->name);
        free(have);
        return e->code;
    }
    return VOUCH_OK;
}

/* Every configured section a request selects (none is not an error here). */
static void collect_units(const conf *cf, const char *const *only, size_t n_only,
                          check_unit **out, size_t *n_out)
{
    check_unit *u = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; checkers[i]; i++) {
        for (size_t k = 0; k < cf->n_sections; k++) {
            const conf_section *s = &cf->sections[k];
            if (strcmp(s->base, checkers[i]->name) != 0)
                continue;
            bool wanted = n_only == 0;
            for (size_t j = 0; j < n_only && !wanted; j++)
                wanted = asks_for(only[j], checkers[i], s);
            if (!wanted)
                continue;
            grow((void **)&u, &cap, n + 1, sizeof *u);
            u[n] = (check_unit){.ck = checkers[i], .cf = cf};
            if (s->instance) {
                u[n].name = xasprintf("%s/%s", s->base, s->instance);
                u[n].view = conf_instance_view(cf, s);
                u[n].cf = u[n].view;
            } else {
                u[n].name = xstrdup(s->base);
            }
            n++;
        }
    }
    *out = u;
    *n_out = n;
}

vexit runner_select(const conf *cf, const char *const *only, size_t n_only, check_unit **out,
                    size_t *n_out, verr *e)
{
    vexit rc = check_names(cf, only, n_only, e);
    if (rc)
        return rc;
    check_unit *u;
    size_t n;
    collect_units(cf, only, n_only, &u, &n);
    if (!n) {
        check_units_free(u, n);
        verr_set(e, VOUCH_USAGE, "%s configures no check", cf->path);
        verr_hint(e, "Add a section such as [rowcount]; docs/configuration.md lists them.");
        return e->code;
    }
    *out = u;
    *n_out = n;
    return VOUCH_OK;
}

/* Checkers write their own section's header in some messages ("[audit_log] is missing
 * required key", "Check [audit_log] in the configuration"): for an instance, its real
 * header is put there. */
static void name_header(const check_unit *u, verr *e)
{
    if (!u->view)
        return;
    char bare[128], header[192];
    snprintf(bare, sizeof bare, "[%s]", u->ck->name);
    snprintf(header, sizeof header, "[%s]", u->view->view_header);
    rename_section(e->msg, sizeof e->msg, bare, header);
    rename_section(e->hint, sizeof e->hint, bare, header);
}

/* "audit_log/app: ..." for an error of the unit: a message the checker began with its own
 * name ("audit_log: table ... does not exist") gets the unit's name in its place. */
static void name_unit(const check_unit *u, verr *e)
{
    name_header(u, e);
    size_t n = strlen(u->ck->name);
    if (strncmp(e->msg, u->ck->name, n) == 0 && e->msg[n] == ':' && e->msg[n + 1] == ' ')
        memmove(e->msg, e->msg + n + 2, strlen(e->msg + n + 2) + 1);
    verr_prefix(e, "%s", u->name);
}

vexit check_unit_configure(const check_unit *u, void **settings, verr *e)
{
    vexit rc = u->ck->configure(u->cf, settings, e);
    if (rc)
        name_header(u, e);
    return rc;
}

size_t runner_sections(section_kind *out, size_t max)
{
    size_t n = 0;
    for (size_t k = 0; checkers[k]; k++, n++)
        if (n < max)
            out[n] = (section_kind){checkers[k]->name, checkers[k]->keys,
                                    (checkers[k]->flags & CHECKER_INSTANCES) != 0};
    /* the runner applies [waiver "NAME"] sections to what the checks found */
    if (n < max)
        out[n] = (section_kind){"waiver", waiver_keys, true};
    return n + 1;
}

static bool is_checker(const char *name)
{
    return checker_find(name) != NULL;
}

vexit runner_validate(const conf *cf, verr *e)
{
    check_unit *u;
    size_t n;
    waiver_set ws;
    vexit rc = waivers_read(cf, is_checker, &ws, e);
    waivers_release(&ws);
    if (rc)
        return rc;
    collect_units(cf, NULL, 0, &u, &n);
    for (size_t i = 0; i < n && !rc; i++) {
        void *settings = NULL;
        if (!(rc = check_unit_configure(&u[i], &settings, e)))
            u[i].ck->release(settings);
    }
    check_units_free(u, n);
    return rc;
}

static void say(const run_request *rq, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static double seconds_since(const struct timespec *t0);

vexit runner_check_target(const run_request *rq, void (*problem)(void *user, const char *line),
                          void *user, size_t *n_problems, verr *e)
{
    *n_problems = 0;
    check_unit *sel;
    size_t n_sel;
    vexit rc = runner_select(rq->cf, NULL, 0, &sel, &n_sel, e);
    if (rc)
        return rc;
    void **settings = xcalloc(n_sel, sizeof *settings);
    for (size_t i = 0; i < n_sel && !rc; i++)
        rc = check_unit_configure(&sel[i], &settings[i], e);
    waiver_set waivers;
    if (!rc && !(rc = waivers_read(rq->cf, is_checker, &waivers, e)))
        waivers_release(&waivers);
    if (!rc)
        rc = pg_dsn_check(rq->pg.dsn, e);
    check_ctx ctx = {.problem = problem, .problem_user = user,
                     .incident_at_ms = rq->incident_at_ms};
    if (!rc)
        rc = pg_session_open(&ctx.db, &rq->pg, NULL, e);
    if (!rc)
        say(rq, "connected to %s (PostgreSQL %s)", ctx.db->target, ctx.db->id.server_version);
    for (size_t i = 0; i < n_sel && !rc; i++) {
        const checker *ck = sel[i].ck;
        if (!ck->validate_target)
            continue;
        ctx.unit = sel[i].name;
        size_t before = ctx.n_problems;
        if ((rc = ck->validate_target(&ctx, sel[i].cf, settings[i], e))) {
            name_unit(&sel[i], e);
            rc = VOUCH_ABORTED;
        } else {
            say(rq, "%s: %zu missing", sel[i].name, ctx.n_problems - before);
        }
    }
    pg_session_close(ctx.db);
    *n_problems = ctx.n_problems;
    for (size_t i = 0; i < n_sel; i++)
        if (settings[i])
            sel[i].ck->release(settings[i]);
    free(settings);
    check_units_free(sel, n_sel);
    return rc;
}

static char *names_of(const check_unit *sel, size_t n)
{
    char *acc = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", acc, i ? "," : "", sel[i].name);
        free(acc);
        acc = next;
    }
    return acc;
}

static void take_identity(run_record *r, const pg_session *db)
{
    free(r->target);
    r->target = xstrdup(db->target);
    r->server_version = xstrdup(db->id.server_version);
    r->system_identifier = xstrdup(db->id.system_identifier);
    r->timeline = xstrdup(db->id.timeline);
    r->lsn = xstrdup(db->id.lsn);
    r->snapshot_time = xstrdup(db->id.snapshot_time);
    r->database = xstrdup(db->id.database);
}

static json_t *baseline_for(const run_record *b, const char *check, verr *e)
{
    for (size_t i = 0; i < b->n_baselines; i++) {
        if (strcmp(b->baselines[i].check, check) != 0)
            continue;
        json_error_t je;
        json_t *doc = json_loads(b->baselines[i].content, 0, &je);
        if (!doc)
            verr_set(e, VOUCH_FAILED, "baseline %lld: the %s document does not parse: %s",
                     (long long)b->id, check, je.text);
        return doc;
    }
    verr_set(e, VOUCH_FAILED, "baseline %lld holds no capture for %s", (long long)b->id, check);
    verr_hint(e, "Run 'vouch baseline' again now that %s is configured.", check);
    return NULL;
}

typedef struct run_state {
    const run_request *rq;
    run_record *rec;
    check_ctx ctx;
    baseline_doc *docs;
    size_t n_docs, cap_docs;
} run_state;

/* A checker only reads, so its savepoint is always rolled back, never kept: whatever
 * the target's own code did to the session while it ran (a function that calls
 * set_config, say) is undone before the next checker's queries. */
static vexit end_check(check_ctx *ctx, verr *e)
{
    return pg_rollback_savepoint(ctx->db, e) || pg_release_savepoint(ctx->db, e) ? VOUCH_ABORTED
                                                                                  : VOUCH_OK;
}

/* Findings from now on are the unit's. */
static void enter_unit(check_ctx *ctx, const check_unit *u)
{
    ctx->unit = u->name;
    snprintf(ctx->bare, sizeof ctx->bare, "[%s]", u->view ? u->ck->name : "");
    if (!u->view)
        ctx->bare[0] = '\0';
    snprintf(ctx->header, sizeof ctx->header, "[%s]", u->view ? u->view->view_header : "");
}

/* One checker inside a savepoint. Returns VOUCH_ABORTED when the run cannot go on;
 * any other failure becomes an "error" finding (gate) or ends the baseline. */
static vexit run_one(run_state *rs, const check_unit *u, void *settings, const run_record *base,
                     verr *e)
{
    check_ctx *ctx = &rs->ctx;
    const checker *ck = u->ck;
    enter_unit(ctx, u);
    size_t before = ctx->n;
    vexit rc = pg_savepoint(ctx->db, e);
    if (rc)
        return VOUCH_ABORTED;
    if (rs->rq->kind == RUN_BASELINE) {
        if (!ck->capture)
            return end_check(ctx, e);
        json_t *doc = NULL;
        rc = ck->capture(ctx, settings, &doc, e);
        if (rc) {
            name_unit(u, e);
            return rc == VOUCH_FAILED ? VOUCH_ABORTED : rc;
        }
        char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(doc);
        grow((void **)&rs->docs, &rs->cap_docs, rs->n_docs + 1, sizeof *rs->docs);
        rs->docs[rs->n_docs++] = (baseline_doc){.check = xstrdup(u->name), .content = text};
        return end_check(ctx, e);
    }

    json_t *doc = NULL;
    verr local;
    verr_clear(&local);
    if (ck->capture && !(doc = baseline_for(base, u->name, &local))) {
        check_report(ctx, RESULT_ERROR, "(baseline)", NULL, NULL, "%s", local.msg);
        return end_check(ctx, e);
    }
    if (ck->capture) {
        store_lock(ctx);
        rc = store_parts_open(ctx->st, base->id, u->name, &ctx->parts, e);
        store_unlock(ctx);
        if (rc) {
            json_decref(doc);
            return VOUCH_ABORTED;
        }
    }
    rc = ck->check(ctx, settings, doc, e);
    json_decref(doc);
    store_lock(ctx);
    store_parts_close(ctx->parts);
    store_unlock(ctx);
    ctx->parts = NULL;
    if (rc) {
        name_header(u, e);
        if (rc == VOUCH_ABORTED || pg_session_broken(ctx->db) || interrupt_requested())
            return VOUCH_ABORTED;
        check_report(ctx, RESULT_ERROR, "(check)", NULL, NULL, "could not finish: %s", e->msg);
        if (e->hint[0])
            check_detail(ctx, e->hint);
        verr_clear(e);
        return end_check(ctx, e);
    }
    if (ctx->n == before)
        check_report(ctx, RESULT_FAIL, "(no subject)", "at least one subject", "none",
                     "the check matched nothing to examine");
    return end_check(ctx, e);
}

/* A check the baseline captured that the configuration no longer runs: removing a section
 * must not be a quiet way to open the gate. A new baseline records a removal made on purpose. */
static void report_dropped(check_ctx *ctx, const run_record *base, const check_unit *sel,
                           size_t n_sel)
{
    for (size_t i = 0; base && i < base->n_baselines; i++) {
        const char *name = base->baselines[i].check;
        bool running = false;
        for (size_t k = 0; k < n_sel && !running; k++)
            running = strcmp(sel[k].name, name) == 0;
        if (running)
            continue;
        ctx->unit = name;
        ctx->bare[0] = '\0';
        check_report(ctx, RESULT_FAIL, "(configuration)", "checked, as at the baseline",
                     "not configured",
                     "baseline %lld holds %s, which this configuration no longer runs: put its"
                     " section back, or take a new baseline if it was removed on purpose",
                     (long long)base->id, name);
    }
}

#ifdef VOUCH_TEST_HOOKS
/* Test builds only: VOUCH_TEST_NEGCTL_NOOP names units (comma-separated) whose perturbation
 * is not applied, so that a test sees what a check that cannot fail is reported as. */
static bool negctl_noop(const char *unit)
{
    const char *list = getenv("VOUCH_TEST_NEGCTL_NOOP");
    size_t len = strlen(unit);
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, unit, n) == 0)
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}
#endif

/* The negative control's result of one unit (docs/negative-control.md): outcome is
 * "failed" (shown able to fail: pass), "passed" or "undecided" (error: not shown able to
 * fail), or "not_applicable" (pass: nothing of a baseline decides it). */
static void report_control(check_ctx *ctx, const char *outcome, const perturb *p,
                           result_status st, const char *observed, const char *reason, ...)
    __attribute__((format(printf, 6, 7)));

static void report_control(check_ctx *ctx, const char *outcome, const perturb *p,
                           result_status st, const char *observed, const char *reason, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, reason);
    vsnprintf(line, sizeof line, reason, ap);
    va_end(ap);
    check_report(ctx, st, NEGCTL_SUBJECT, "fails on a perturbed baseline", observed, "%s", line);
    check_fact(ctx, "negative_control", json_string(outcome));
    if (p && p->what[0])
        check_fact(ctx, "perturbation", json_string(p->what));
}

/* The unit's check run once more, in the same snapshot, against its baseline perturbed in
 * memory: the findings are counted, then dropped, and one result says whether it failed. */
static vexit control_one(run_state *rs, const check_unit *u, void *settings,
                         const run_record *base, verr *e)
{
    check_ctx *ctx = &rs->ctx;
    const checker *ck = u->ck;
    enter_unit(ctx, u);
    if (!ck->capture) {
        report_control(ctx, "not_applicable", NULL, RESULT_PASS, "not applicable",
                       "not applicable: %s keeps no baseline (it judges what it reads each run"
                       " against the configuration), so there is nothing to perturb",
                       u->name);
        return VOUCH_OK;
    }
    verr local;
    verr_clear(&local);
    json_t *doc = baseline_for(base, u->name, &local);
    if (!doc) {
        report_control(ctx, "undecided", NULL, RESULT_ERROR, "no baseline",
                       "%s cannot be shown able to fail: %s", u->name, local.msg);
        return VOUCH_OK;
    }
    perturb p;
    perturb_result pr = perturb_baseline(ck->name, doc, &p);
#ifdef VOUCH_TEST_HOOKS
    if (pr == PERTURB_DONE && negctl_noop(u->name)) {
        json_decref(doc);
        doc = baseline_for(base, u->name, &local);
        p.noop = true;
        size_t len = strlen(p.what);
        snprintf(p.what + len, sizeof p.what - len, ", not applied: VOUCH_TEST_NEGCTL_NOOP");
    }
#endif
    if (pr != PERTURB_DONE) {
        json_decref(doc);
        if (pr == PERTURB_NOT_APPLICABLE)
            report_control(ctx, "not_applicable", &p, RESULT_PASS, "not applicable", "%s",
                           p.what);
        else
            report_control(ctx, "undecided", &p, RESULT_ERROR, "nothing to perturb",
                           "%s cannot be shown able to fail: its baseline holds nothing the"
                           " negative control can change (%s)",
                           u->name, p.what[0] ? p.what : "an empty capture");
        return VOUCH_OK;
    }
    size_t mark = ctx->n;
    vexit rc = pg_savepoint(ctx->db, e);
    if (rc) {
        json_decref(doc);
        return VOUCH_ABORTED;
    }
    if ((rc = store_parts_open(ctx->st, base->id, u->name, &ctx->parts, e))) {
        json_decref(doc);
        return VOUCH_ABORTED;
    }
    ctx->perturb = &p;
    rc = ck->check(ctx, settings, doc, e);
    ctx->perturb = NULL;
    json_decref(doc);
    store_parts_close(ctx->parts);
    ctx->parts = NULL;
    size_t failed = 0, errors = 0;
    for (size_t i = mark; i < ctx->n; i++) {
        failed += ctx->rows[i].status == RESULT_FAIL;
        errors += ctx->rows[i].status == RESULT_ERROR;
    }
    while (ctx->n > mark)
        result_row_release(&ctx->rows[--ctx->n]);
    if (rc) {
        name_header(u, e);
        if (rc == VOUCH_ABORTED || pg_session_broken(ctx->db) || interrupt_requested())
            return VOUCH_ABORTED;
        report_control(ctx, "undecided", &p, RESULT_ERROR, "could not finish",
                       "%s could not finish against a perturbed baseline (%s): %s", u->name,
                       p.what, e->msg);
        verr_clear(e);
    } else if (failed) {
        char observed[64];
        snprintf(observed, sizeof observed, "failed (%zu result%s)", failed,
                 failed == 1 ? "" : "s");
        report_control(ctx, "failed", &p, RESULT_PASS, observed,
                       "%s failed as it must against a perturbed baseline: %s", u->name, p.what);
    } else if (errors) {
        report_control(ctx, "undecided", &p, RESULT_ERROR, "error, no failure",
                       "%s could not decide against a perturbed baseline (%s), so it is not"
                       " shown able to fail: fix what its error says",
                       u->name, p.what);
    } else {
        report_control(ctx, "passed", &p, RESULT_ERROR, "passed",
                       "%s passed against a perturbed baseline (%s): it cannot fail; check its"
                       " configuration (a rule that allows anything, everything ignored)",
                       u->name, p.what);
    }
    return end_check(ctx, e);
}

/* The negative control over every unit of the run, after its checks and waivers. */
static vexit negative_control(run_state *rs, const check_unit *sel, void **settings,
                              size_t n_sel, const run_record *base, verr *e)
{
    vexit rc = VOUCH_OK;
    for (size_t i = 0; i < n_sel && !rc; i++) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        pg_pool_mark(rs->ctx.pool);
        char label[160];
        snprintf(label, sizeof label, "%s (negative control)", sel[i].name);
        progress_begin(rs->rq->meter, label, 0, NULL);
        rc = control_one(rs, &sel[i], settings[i], base, e);
        progress_end(rs->rq->meter);
        say(rs->rq, "%s: negative control %s in %.3f s", sel[i].name, rc ? "stopped" : "done",
            seconds_since(&t1));
        if (!rc && interrupt_requested())
            rc = verr_set(e, VOUCH_ABORTED, "interrupted");
    }
    return rc;
}

static void say(const run_request *rq, const char *fmt, ...)
{
    if (!rq->progress)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    rq->progress(rq->progress_user, line);
}

/* A unit's -v line: how long it took, over how many connections, and its check_note. */
static void say_unit(const run_request *rq, const char *name, const char *verb, double seconds,
                     int width, const char *note)
{
    say(rq, "%s: %s in %.3f s over %d connection%s%s%s%s", name, verb, seconds, width,
        width == 1 ? "" : "s", *note ? " (" : "", note, *note ? ")" : "");
}

static void note_time(const run_request *rq, const char *name, double seconds)
{
    run_times *t = rq->times;
    if (!t)
        return;
    t->t = xrealloc(t->t, (t->n + 1) * sizeof *t->t);
    t->t[t->n++] = (check_time){xstrdup(name), seconds};
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The run stopped before units[from..n) were evaluated (SIZE_MAX: a baseline, of which
 * nothing is kept): rows past keep (the partial findings of the unit that was running,
 * when began) are dropped, and each unit not evaluated gets one RESULT_NOT_EVALUATED row,
 * so that a short report is never taken for a clean one. */
static void mark_not_evaluated(check_ctx *ctx, size_t keep, const check_unit *sel, size_t from,
                               bool began, size_t n, const char *why)
{
    while (ctx->n > keep)
        result_row_release(&ctx->rows[--ctx->n]);
    for (size_t i = from == SIZE_MAX ? 0 : from; i < n; i++) {
        ctx->unit = sel[i].name;
        ctx->bare[0] = '\0';
        const char *when = from == SIZE_MAX   ? "the baseline stopped, so nothing it captured is kept"
                           : i == from && began ? "the run stopped while this check ran"
                                                : "the run stopped before this check ran";
        check_report(ctx, RESULT_NOT_EVALUATED, "(not evaluated)", NULL, NULL,
                     "not evaluated: %s: %s", when, why);
    }
}

/* The waivers that name a check of the run, applied to what the checks found (src/waiver.h);
 * the record of them goes with the run, into its digest. */
static void apply_waivers(run_state *rs, const waiver_set *w, const check_unit *sel,
                          size_t n_sel, int64_t began_ms)
{
    const char **units = xcalloc(n_sel ? n_sel : 1, sizeof *units);
    for (size_t i = 0; i < n_sel; i++)
        units[i] = sel[i].name;
    size_t unmatched;
    free(rs->rec->waivers);
    rs->rec->waivers = waivers_apply(w, units, n_sel, rs->rq->kind == RUN_GATE, began_ms,
                                     &rs->ctx.rows, &rs->ctx.n, &rs->ctx.cap, &unmatched);
    free(units);
    if (unmatched)
        say(rs->rq, "%zu waiver%s matched no failure", unmatched, unmatched == 1 ? "" : "s");
}

static const char *final_status(const run_record *r, run_kind kind)
{
    if (kind == RUN_BASELINE)
        return "captured";
    for (size_t i = 0; i < r->n_results; i++)
        if (r->results[i].status == RESULT_FAIL || r->results[i].status == RESULT_ERROR)
            return "failed";
    return "passed";
}

/* A gate is only as good as the baseline it compares with: one edited in the store
 * (with its digest and every later one recomputed, or not) must not decide a verdict. */
static vexit trust_baseline(store *st, const run_record *base, verr *e)
{
    store_verdict v;
    vexit rc = store_verify_since(st, base->id, &v, e);
    if (rc)
        return rc;
    /* A head file that is not there proves nothing either way (a wrong [store] anchor, a
     * store copied without it): every seal warns of it and 'vouch verify' names it. A
     * chain that does not recompute, or disagrees with the head file, is another matter. */
    if (v.ok || v.anchor_missing)
        return VOUCH_OK;
    verr_set(e, VOUCH_ABORTED, "baseline %lld cannot be trusted: the store's chain is broken: %s",
             (long long)base->id, v.problem);
    verr_hint(e, "'vouch verify' shows the break. Restore the store and its head file from a"
                 " copy made before it, or take a new baseline if the healthy database is at hand.");
    return e->code;
}

static bool same_name(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

static vexit other_target(const run_record *base, const char *want, verr *e)
{
    char *of = base->target_name ? utf8_show(base->target_name, 0) : xstrdup("(unnamed)");
    char *mine = want ? utf8_show(want, 0) : xstrdup("the unnamed [target]");
    verr_set(e, VOUCH_USAGE, "baseline %lld is of target %s, not %s", (long long)base->id, of,
             mine);
    verr_hint(e, "Give --baseline a baseline of this target ('vouch runs --target-name NAME'"
                 " lists them), or leave it out for its newest.");
    free(of);
    free(mine);
    return e->code;
}

/* ------------------------------------------------------------ the scheduler */

/* A gate whose selection holds a check that streams over every connection
 * (CHECKER_STREAMS) and other checks runs in two lanes, as PostgreSQL's parallel slots
 * do: the streaming checks on the leader and the pool, the others in selection order on
 * one worker lent from the pool, in a thread of their own. When none is left for it, its
 * connection is handed back and joins the stream for its parts still to come; when the
 * leader's streams are done, it takes the checks still waiting too. Results are put back
 * in selection order, so the run reads as the sequential one. */

typedef enum unit_state { UNIT_WAITING, UNIT_STOPPED, UNIT_DONE } unit_state;

/* What one unit of a scheduled run came to. */
typedef struct unit_run {
    unit_state state;
    result_row *rows; /* its findings (DONE), moved out of its lane */
    size_t n;
    double seconds;
    int width; /* connections it really used */
    char note[160]; /* its check_note */
} unit_run;

typedef struct lane {
    run_state rs; /* its own check context: session, pool, findings */
    const check_unit *sel;
    void **settings;
    const run_record *base;
    size_t *units; /* its own: indexes into sel, in selection order */
    size_t n_units;
    /* MAY be set: then the queue shared by both lanes, taken from once its own are done
     * (next is the queue's next index), so that no connection idles while checks wait */
    const size_t *queue;
    size_t n_queue;
    atomic_size_t *next;
    unit_run *out;      /* by index into sel: each lane writes its own units' */
    atomic_bool *stop;  /* set by the lane that aborts: the other starts no more units */
    vexit outcome;
    verr failure;
    size_t stopped_at;  /* index into sel of the unit it stopped in or before; SIZE_MAX */
    pg_pool *give_back; /* MAY be set: the pool its session goes back to when done */
    bool given_back;
} lane;

/* The lane's next unit: its own first, then the next of the shared queue; false when
 * none is left. */
static bool next_unit(lane *ln, size_t *own, size_t *i)
{
    if (*own < ln->n_units) {
        *i = ln->units[(*own)++];
        return true;
    }
    if (!ln->queue)
        return false;
    size_t k = atomic_fetch_add(ln->next, 1);
    if (k >= ln->n_queue)
        return false;
    *i = ln->queue[k];
    return true;
}

static void run_lane(lane *ln)
{
    check_ctx *ctx = &ln->rs.ctx;
    ln->stopped_at = SIZE_MAX;
    size_t own = 0, i;
    while (!ln->outcome && next_unit(ln, &own, &i)) {
        if (atomic_load(ln->stop)) {
            /* the other lane aborted: the run stops; its failure is the one reported */
            ln->stopped_at = i;
            break;
        }
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        unit_run *u = &ln->out[i];
        u->state = UNIT_STOPPED;
        size_t keep = ctx->n;
        pg_pool_mark(ctx->pool);
        ctx->note[0] = '\0';
        progress_begin(ctx->meter, ln->sel[i].name, 0, NULL);
        ln->outcome = run_one(&ln->rs, &ln->sel[i], ln->settings[i], ln->base, &ln->failure);
        progress_end(ctx->meter);
        u->seconds = seconds_since(&t1);
        u->width = pg_pool_width(ctx->pool);
        snprintf(u->note, sizeof u->note, "%s", ctx->note);
        if (ln->outcome) {
            while (ctx->n > keep)
                result_row_release(&ctx->rows[--ctx->n]);
            ln->stopped_at = i;
            break;
        }
        u->state = UNIT_DONE;
        u->n = ctx->n - keep;
        u->rows = xcalloc(u->n ? u->n : 1, sizeof *u->rows);
        memcpy(u->rows, ctx->rows + keep, u->n * sizeof *u->rows);
        ctx->n = keep;
        if (interrupt_requested())
            ln->outcome = verr_set(&ln->failure, VOUCH_ABORTED, "interrupted");
    }
    if (ln->outcome)
        atomic_store(ln->stop, true);
    else if (ln->give_back && !pg_session_broken(ctx->db)) {
        /* idle and outside any savepoint (end_check): the stream may take it now */
        pg_pool_adopt(ln->give_back, ctx->db);
        ln->given_back = true;
    }
}

static void *side_lane(void *arg)
{
    run_lane(arg);
    return NULL;
}

static void lane_release(lane *ln)
{
    free(ln->rs.ctx.rows);
    free(ln->units);
}

/* Whether the run is one for the scheduler: a gate or check (a baseline's captures stay
 * sequential) with two connections or more, holding a streaming check and another. */
static bool schedulable(const run_request *rq, const check_unit *sel, size_t n_sel)
{
    if (rq->kind == RUN_BASELINE || rq->jobs < 2)
        return false;
    size_t streams = 0;
    for (size_t i = 0; i < n_sel; i++)
        streams += (sel[i].ck->flags & CHECKER_STREAMS) != 0;
    return streams && streams < n_sel;
}

/* Run the selection in two lanes (see above). false when no worker could be lent or no
 * thread started: nothing ran, the caller runs the selection one check after another.
 * Otherwise rs->ctx.rows holds every finding in selection order, a not evaluated row for
 * each unit that did not finish when *outcome is an abort (failure says why), and the
 * -v line and time of each unit that began are given in selection order. */
static bool run_scheduled(run_state *rs, const check_unit *sel, void **settings, size_t n_sel,
                          const run_record *base, vexit *outcome, verr *failure)
{
    const run_request *rq = rs->rq;
    pg_session *lent = pg_pool_lend(rs->ctx.pool);
    if (!lent)
        return false;
    pthread_mutex_t store_mu;
    pthread_mutex_init(&store_mu, NULL);
    atomic_bool stop;
    atomic_init(&stop, false);
    unit_run *out = xcalloc(n_sel, sizeof *out);
    lane main_lane = {.rs = {.rq = rq, .ctx = rs->ctx}, .sel = sel, .settings = settings,
                      .base = base, .out = out, .stop = &stop};
    lane side = {.rs = {.rq = rq,
                        .ctx = {.db = lent,
                                .pool = pg_pool_new(lent, &rq->pg, 1),
                                .incident_at_ms = rs->ctx.incident_at_ms,
                                .st = rs->ctx.st,
                                .run_id = rs->ctx.run_id}},
                 .sel = sel, .settings = settings, .base = base, .out = out, .stop = &stop,
                 .give_back = rs->ctx.pool};
    /* the main lane's findings start from the run's (none yet: they come in order below) */
    main_lane.rs.ctx.rows = NULL;
    main_lane.rs.ctx.n = main_lane.rs.ctx.cap = 0;
    main_lane.rs.ctx.store_mu = side.rs.ctx.store_mu = &store_mu;
    /* The streaming checks are the leader's; the others wait in a queue, which the side
     * lane takes from, and the leader too when its streams are done. */
    main_lane.units = xcalloc(n_sel, sizeof *main_lane.units);
    size_t *queue = xcalloc(n_sel, sizeof *queue), n_queue = 0;
    for (size_t i = 0; i < n_sel; i++) {
        if (sel[i].ck->flags & CHECKER_STREAMS)
            main_lane.units[main_lane.n_units++] = i;
        else
            queue[n_queue++] = i;
    }
    atomic_size_t next;
    atomic_init(&next, 0);
    main_lane.queue = side.queue = queue;
    main_lane.n_queue = side.n_queue = n_queue;
    main_lane.next = side.next = &next;

    /* The signals stay with this thread, which cancels every watched connection (the lent
     * one too) and then finds its own stream interrupted. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_t th;
    bool started = pthread_create(&th, NULL, side_lane, &side) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!started) {
        pg_pool_adopt(rs->ctx.pool, lent);
        pg_pool_free(side.rs.ctx.pool);
        lane_release(&side);
        lane_release(&main_lane);
        free(queue);
        free(out);
        pthread_mutex_destroy(&store_mu);
        return false;
    }
    run_lane(&main_lane);
    pthread_join(th, NULL);
    pg_pool_free(side.rs.ctx.pool);
    if (!side.given_back)
        pg_session_close(lent); /* broken, or the run stopped: of no more use */
    pthread_mutex_destroy(&store_mu);

    /* The failure of the unit first in selection order is the run's. */
    lane *failed = NULL;
    if (main_lane.outcome && side.outcome)
        failed = main_lane.stopped_at <= side.stopped_at ? &main_lane : &side;
    else if (main_lane.outcome || side.outcome)
        failed = main_lane.outcome ? &main_lane : &side;
    *outcome = failed ? failed->outcome : VOUCH_OK;
    if (failed)
        *failure = failed->failure;

    /* As in the sequential run, the units from the one the run stopped in (or before)
     * on are not evaluated, even those the other lane finished: how a run ends does not
     * depend on jobs, and nothing past the stop is kept. */
    size_t stop_at = failed ? failed->stopped_at : SIZE_MAX;
    check_ctx *ctx = &rs->ctx;
    for (size_t i = 0; i < n_sel; i++) {
        unit_run *u = &out[i];
        if (u->state != UNIT_WAITING) {
            say_unit(rq, sel[i].name, u->state == UNIT_DONE ? "checked" : "stopped",
                     u->seconds, u->width, u->note);
        }
        if (u->state == UNIT_DONE)
            note_time(rq, sel[i].name, u->seconds);
        if (u->state == UNIT_DONE && i < stop_at) {
            grow((void **)&ctx->rows, &ctx->cap, ctx->n + u->n, sizeof *ctx->rows);
            memcpy(ctx->rows + ctx->n, u->rows, u->n * sizeof *u->rows);
            ctx->n += u->n;
            u->n = 0;
        } else if (*outcome) {
            ctx->unit = sel[i].name;
            ctx->bare[0] = '\0';
            check_report(ctx, RESULT_NOT_EVALUATED, "(not evaluated)", NULL, NULL,
                         "not evaluated: %s: %s",
                         u->state == UNIT_STOPPED ? "the run stopped while this check ran"
                                                  : "the run stopped before this check ran",
                         failure->msg);
        }
        for (size_t k = 0; k < u->n; k++)
            result_row_release(&u->rows[k]);
        free(u->rows);
    }
    free(out);
    free(queue);
    lane_release(&side);
    lane_release(&main_lane);
    return true;
}

vexit runner_run(const run_request *rq, int64_t *run_id, verr *e)
{
    *run_id = 0;
    check_unit *sel;
    size_t n_sel;
    vexit rc = runner_select(rq->cf, rq->only, rq->n_only, &sel, &n_sel, e);
    if (rc)
        return rc;
    void **settings = xcalloc(n_sel, sizeof *settings);
    for (size_t i = 0; i < n_sel && !rc; i++)
        rc = check_unit_configure(&sel[i], &settings[i], e);
    waiver_set waivers = {0};
    if (!rc && rq->kind != RUN_BASELINE)
        rc = waivers_read(rq->cf, is_checker, &waivers, e);

    int64_t baseline_id = rq->baseline_id;
    run_record *base = NULL;
    if (!rc && rq->kind != RUN_BASELINE) {
        if (baseline_id)
            rc = store_check_baseline(rq->st, baseline_id, e);
        else
            rc = store_latest_baseline(rq->st, rq->target_name, &baseline_id, e);
        if (!rc)
            rc = store_load_run(rq->st, baseline_id, &base, e);
        /* another target's baseline would fail every check for the wrong reason */
        if (!rc && !same_name(base->target_name, rq->target_name))
            rc = other_target(base, rq->target_name, e);
    }

    if (!rc)
        rc = pg_dsn_check(rq->pg.dsn, e);

    run_state rs = {.rq = rq, .ctx = {.incident_at_ms = rq->incident_at_ms, .meter = rq->meter}};
    char *checks = names_of(sel, n_sel);
    char *requested = pg_dsn_describe(rq->pg.dsn);
    char incident[40] = "";
    if (rq->incident_at_ms)
        utc_format_ms(rq->incident_at_ms, incident, sizeof incident);
    char *user = origin_user(), *ci = origin_ci_job();
    run_start how = {incident[0] ? incident : NULL, user, ci, rq->target_name};
    if (!rc)
        rc = store_run_begin_with(rq->st, rq->kind, requested, baseline_id, checks, &how, run_id, e);
    /* the waivers' clock: the run's start as stored, so that anyone can judge an expiry again
     * from the run alone (waivers_apply takes it, so tests set it) */
    int64_t began_ms = 0;
    run_record *begun = NULL;
    if (!rc && rq->kind != RUN_BASELINE && !(rc = store_load_run(rq->st, *run_id, &begun, e)) &&
        !utc_parse_ms(begun->started_at, &began_ms))
        rc = verr_set(e, VOUCH_ABORTED, "run %lld: its start time does not parse",
                      (long long)*run_id);
    run_record_free(begun);
    free(user);
    free(ci);
    free(requested);
    free(checks);
    if (rc)
        goto out;

    rs.rec = xcalloc(1, sizeof *rs.rec);
    rs.rec->id = *run_id;
    rs.ctx.st = rq->st;
    rs.ctx.run_id = *run_id;
    vexit outcome = VOUCH_OK;
    verr failure;
    verr_clear(&failure);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t stopped_at = 0, keep = 0; /* the first unit not evaluated; rows before it */
    bool began = false;              /* whether that unit had begun */
    if (base)
        outcome = trust_baseline(rq->st, base, &failure);
    if (!outcome)
        say(rq, "run %lld: connecting", (long long)*run_id);
    if (!outcome &&
        (outcome = pg_session_open(&rs.ctx.db, &rq->pg, &rs.rec->target, &failure)) == VOUCH_OK) {
        take_identity(rs.rec, rs.ctx.db);
        say(rq, "connected to %s (PostgreSQL %s) in %.3f s; snapshot at %s", rs.ctx.db->target,
            rs.ctx.db->id.server_version, seconds_since(&t0), rs.ctx.db->id.snapshot_time);
        rs.ctx.pool = pg_pool_new(rs.ctx.db, &rq->pg, rq->jobs);
        /* Exported now: PostgreSQL refuses to export from inside a checker's savepoint. */
        const char *snapshot;
        if (rq->jobs > 1 && pg_session_export_snapshot(rs.ctx.db, &snapshot, &failure))
            outcome = VOUCH_ABORTED;
        bool scheduled = !outcome && schedulable(rq, sel, n_sel) &&
                         run_scheduled(&rs, sel, settings, n_sel, base, &outcome, &failure);
        if (scheduled) {
            stopped_at = n_sel; /* each unit's own state is in its rows already */
            keep = rs.ctx.n;
            began = false;
        }
        for (size_t i = 0; i < n_sel && !outcome && !scheduled; i++) {
            struct timespec t1;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            stopped_at = i;
            keep = rs.ctx.n;
            began = true;
            pg_pool_mark(rs.ctx.pool);
            rs.ctx.note[0] = '\0';
            progress_begin(rq->meter, sel[i].name, 0, NULL);
            outcome = run_one(&rs, &sel[i], settings[i], base, &failure);
            progress_end(rq->meter);
            if (!outcome) {
                stopped_at = i + 1;
                keep = rs.ctx.n;
                began = false;
            }
            if (!outcome)
                note_time(rq, sel[i].name, seconds_since(&t1));
            say_unit(rq, sel[i].name,
                     outcome ? "stopped" : rq->kind == RUN_BASELINE ? "captured" : "checked",
                     seconds_since(&t1), pg_pool_width(rs.ctx.pool), rs.ctx.note);
            if (!outcome && interrupt_requested())
                outcome = verr_set(&failure, VOUCH_ABORTED, "interrupted");
        }
        if (!outcome && rq->kind == RUN_GATE)
            report_dropped(&rs.ctx, base, sel, n_sel);
        if (!outcome && rq->kind != RUN_BASELINE)
            apply_waivers(&rs, &waivers, sel, n_sel, began_ms);
        /* After the waivers: a negative control's result is never waived. */
        if (!outcome && rq->kind == RUN_GATE && rq->negative_control) {
            stopped_at = n_sel; /* every check was evaluated; what the control found ... */
            keep = rs.ctx.n;    /* ... is dropped if it stops */
            began = false;
            outcome = negative_control(&rs, sel, settings, n_sel, base, &failure);
        }
    }
    if (!rs.rec->target)
        rs.rec->target = pg_dsn_describe(rq->pg.dsn);

    char now[40];
    utc_now(now, sizeof now);
    rs.rec->finished_at = xstrdup(now);
    if (outcome) {
        rs.rec->status = xstrdup("aborted");
        rs.rec->error = xstrdup(failure.msg);
        /* What finished is kept (a baseline's captures are not: it is not a baseline), and
         * every check that did not is listed as not evaluated. */
        mark_not_evaluated(&rs.ctx, rq->kind == RUN_BASELINE ? 0 : keep, sel,
                           rq->kind == RUN_BASELINE ? SIZE_MAX : stopped_at, began, n_sel,
                           failure.msg);
        rs.rec->results = rs.ctx.rows;
        rs.rec->n_results = rs.ctx.n;
        rs.ctx.rows = NULL;
        rs.ctx.n = 0;
    } else {
        rs.rec->results = rs.ctx.rows;
        rs.rec->n_results = rs.ctx.n;
        rs.ctx.rows = NULL;
        rs.ctx.n = 0;
        rs.rec->baselines = rs.docs;
        rs.rec->n_baselines = rs.n_docs;
        rs.docs = NULL;
        rs.n_docs = 0;
        rs.rec->status = xstrdup(final_status(rs.rec, rq->kind));
    }
    pg_pool_free(rs.ctx.pool);
    rs.ctx.pool = NULL;
    pg_session_close(rs.ctx.db);
    rs.ctx.db = NULL;

    if ((rc = store_run_finish(rq->st, rs.rec, e)))
        goto out;
    say(rq, "sealed run %lld as %s in %s (chain position %lld) after %.3f s", (long long)rs.rec->id,
        rs.rec->status, store_path(rq->st), (long long)rs.rec->chain_pos, seconds_since(&t0));
    if (outcome) {
        /* The run is stored, so something ran: whatever stopped it (a configured table the
         * target lacks, a lost connection) is "could not finish", never exit 2, which
         * promises that nothing ran. */
        *e = failure;
        rc = VOUCH_ABORTED;
    } else {
        rc = strcmp(rs.rec->status, "failed") == 0 ? VOUCH_FAILED : VOUCH_OK;
    }

out:
    for (size_t i = 0; i < rs.ctx.n; i++)
        result_row_release(&rs.ctx.rows[i]);
    free(rs.ctx.rows);
    for (size_t i = 0; i < rs.n_docs; i++) {
        free(rs.docs[i].check);
        free(rs.docs[i].content);
    }
    free(rs.docs);
    run_record_free(rs.rec);
    run_record_free(base);
    waivers_release(&waivers);
    for (size_t i = 0; i < n_sel; i++)
        if (settings[i])
            sel[i].ck->release(settings[i]);
    free(settings);
    check_units_free(sel, n_sel);
    return rc;
}
