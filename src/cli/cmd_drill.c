#include "src/cli/cmd_drill.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evidence/store/drill.h"
#include "src/cli/drill_output.h"
#include "src/cli/drill_target.h"
#include "src/cli/head_line.h"
#include "src/interrupt.h"
#include "src/output.h"
#include "src/pg.h"
#include "src/redact.h"
#include "src/runner.h"
#include "src/shell_cmd.h"
#include "src/util.h"

extern char **environ;

vexit drill_option(drill_opts *o, int which, const char *value, verr *e)
{
    if (which >= 0 && which < DRILL_OPT_COUNT)
        o->given |= 1u << which;
    switch (which) {
    case DRILL_OPT_SCENARIO: o->scenario = value; break;
    case DRILL_OPT_OPERATOR: o->operator_name = value; break;
    case DRILL_OPT_NOTE: o->note = value; break;
    case DRILL_OPT_RESTORE_CMD: o->restore_cmd = value; break;
    case DRILL_OPT_TARGET_FROM_OUTPUT: o->target_from_output = true; break;
    case DRILL_OPT_SMOKE_CMD:
        if (!*value)
            return verr_set(e, VOUCH_USAGE, "--smoke-cmd needs the command that runs the smoke "
                            "tests");
        o->smoke_cmd = value;
        break;
    case DRILL_OPT_APPROVED_BY:
        if (!*value)
            return verr_set(e, VOUCH_USAGE, "--approved-by needs the name of who approved "
                            "reopening");
        o->approved_by = value;
        break;
    case DRILL_OPT_RESTORE_POINT:
        if (!time_parse_iso(value, &o->restore_point_ms)) {
            verr_set(e, VOUCH_USAGE, "--restore-point: \"%s\" is not a valid time with a zone",
                     value);
            verr_hint(e, "Write it as 2026-10-01T02:00:00Z or 2026-10-01 12:00+10:00.");
            return e->code;
        }
        o->has_restore_point = true;
        break;
    default: return verr_set(e, VOUCH_USAGE, "unknown drill option");
    }
    return VOUCH_OK;
}

const char *drill_option_name(int which)
{
    static const char *const names[DRILL_OPT_COUNT] = {"scenario", "operator", "note",
                                                       "restore-cmd", "restore-point",
                                                       "approved-by", "smoke-cmd",
                                                       "target-from-output"};
    return which >= 0 && which < DRILL_OPT_COUNT ? names[which] : "?";
}

void drill_usage(FILE *f)
{
    fprintf(f, "\nSubcommands:\n"
               "  start --scenario TEXT --incident-at TIME [--operator NAME]\n"
               "                      open a drill run by hand; its clock starts now\n"
               "  mark PHASE [--note TEXT]\n"
               "                      record a phase of the open drill\n"
               "  finish [--note TEXT] [--restore-point TIME] [--approved-by NAME]\n"
               "                      service is restored: end the open drill, measure its RTO\n"
               "  fail [--note TEXT]  end the open drill as failed\n"
               "  run --scenario TEXT --incident-at TIME --restore-cmd CMD [--target DSN]\n"
               "      [--operator NAME] [--approved-by NAME] [--restore-point TIME]\n"
               "      [--note TEXT] [--smoke-cmd CMD] [--target-from-output]\n"
               "                      time CMD (through /bin/sh -c), gate the target,\n"
               "                      run the smoke tests, end the drill\n"
               "\n      --restore-point TIME\n"
               "                      newest data the restore brought back, when no\n"
               "                      audit_log finding of the gate says it\n"
               "      --smoke-cmd CMD\n"
               "                      after the gate passed, run CMD (through /bin/sh -c)\n"
               "                      with VOUCH_TARGET_DSN, the target without its\n"
               "                      password; its exit status, duration and output\n"
               "                      digest are recorded, and its failure fails the drill\n"
               "      --target-from-output\n"
               "                      gate the connection string CMD prints as the last\n"
               "                      non-empty line of its stdout (what it restored,\n"
               "                      e.g. a Neon branch: docs/neon.md), not --target\n"
               "      --approved-by NAME\n"
               "                      who approved reopening, recorded with the drill\n"
               "\nThe objectives a drill is judged against come from [objectives] of the\n"
               "configuration (docs/drills.md) and are recorded with it.\n");
}

/* ---------------------------------------------------------------- helpers */

static vexit want_json(const drill_env *env, bool *json, verr *e)
{
    *json = env->format && strcmp(env->format, "json") == 0;
    if (!env->format || *json || strcmp(env->format, "human") == 0)
        return VOUCH_OK;
    verr_set(e, VOUCH_USAGE, "drills are shown in human or json format, not %s", env->format);
    verr_hint(e, "The drill's gate run is a run: 'vouch runs ID --format %s' shows it.",
              env->format);
    return e->code;
}

static char *login_name(void)
{
    char buf[256];
    if (getlogin_r(buf, sizeof buf) == 0 && buf[0])
        return xstrdup(buf);
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name && pw->pw_name[0])
        return xstrdup(pw->pw_name);
    const char *user = getenv("USER");
    return xstrdup(user && *user ? user : "unknown");
}

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void stamp(char *buf, size_t size)
{
    utc_now(buf, size);
}

/* The gate run of d, or NULL when it has none or it cannot be read. */
static run_record *gate_of(store *st, const drill_record *d)
{
    run_record *r = NULL;
    verr ignored;
    verr_clear(&ignored);
    if (d->gate_run_id)
        store_load_run(st, d->gate_run_id, &r, &ignored);
    return r;
}

static vexit show(const drill_env *env, int64_t id, bool json, verr *e)
{
    drill_record *d;
    vexit rc = store_load_drill(env->st, id, &d, e);
    if (rc)
        return rc;
    run_record *gate = gate_of(env->st, d);
    rc = json ? drill_write_json(env->out, d, gate, e)
              : drill_write_human(env->out, d, gate, env->color, e);
    run_record_free(gate);
    drill_record_free(d);
    return rc;
}

static vexit no_extra_args(const drill_env *env, int want, const char *usage, verr *e)
{
    if (env->n_args > want) {
        verr_set(e, VOUCH_USAGE, "unexpected argument \"%s\"", env->args[want]);
        verr_hint(e, "Usage: vouch drill %s", usage);
        return e->code;
    }
    return VOUCH_OK;
}

/* Refuse an option the subcommand does not take (allowed: DRILL_OPT_* bits). */
static vexit only_options(const drill_env *env, const char *sub, unsigned allowed,
                          bool incident, verr *e)
{
    for (int i = 0; i < DRILL_OPT_COUNT; i++)
        if ((env->opts->given & (1u << i)) && !(allowed & (1u << i))) {
            verr_set(e, VOUCH_USAGE, "--%s does not apply to drill %s", drill_option_name(i), sub);
            verr_hint(e, "Run 'vouch drill --help' for what each subcommand takes.");
            return e->code;
        }
    if (env->incident_at_ms && !incident)
        return verr_set(e, VOUCH_USAGE, "--incident-at does not apply to drill %s: the open "
                        "drill has its incident time", sub);
    return VOUCH_OK;
}

#define OPT(x) (1u << DRILL_OPT_##x)

/* The open drill, which must be one run by hand. */
static vexit open_by_hand(const drill_env *env, const char *sub, drill_record **out, verr *e)
{
    int64_t id;
    vexit rc = store_open_drill(env->st, &id, e);
    if (rc)
        return rc;
    if (!id) {
        verr_set(e, VOUCH_USAGE, "no drill is open in store \"%s\" to %s", store_path(env->st), sub);
        verr_hint(e, "Start one with 'vouch drill start --scenario TEXT --incident-at TIME'.");
        return e->code;
    }
    if ((rc = store_load_drill(env->st, id, out, e)))
        return rc;
    if ((*out)->pid) {
        verr_set(e, VOUCH_USAGE, "drill %lld is being run by 'vouch drill run' (process %lld on %s)",
                 (long long)id, (long long)(*out)->pid, (*out)->host);
        verr_hint(e, "That process records its own phases and ends the drill.");
        drill_record_free(*out);
        *out = NULL;
        return e->code;
    }
    return VOUCH_OK;
}

static vexit need_start_options(const drill_env *env, const char *sub, verr *e)
{
    if (!env->opts->scenario || !*env->opts->scenario) {
        verr_set(e, VOUCH_USAGE, "drill %s needs --scenario TEXT", sub);
        verr_hint(e, "Say what is being rehearsed, e.g. --scenario \"restore portal from the "
                     "nightly snapshot\".");
        return e->code;
    }
    if (!env->incident_at_ms) {
        verr_set(e, VOUCH_USAGE, "drill %s needs --incident-at TIME", sub);
        verr_hint(e, "When the (simulated) incident happened, e.g. --incident-at "
                     "2026-10-01T02:00:00+10:00; the data-loss window is measured to it.");
        return e->code;
    }
    return VOUCH_OK;
}

/* A new drill record with what start and run record at the start. */
static drill_record *new_drill(const drill_env *env, const char *started_at)
{
    drill_record *d = xcalloc(1, sizeof *d);
    char when[40];
    utc_format_ms(env->incident_at_ms, when, sizeof when);
    d->scenario = xstrdup(env->opts->scenario);
    d->operator_name = env->opts->operator_name ? xstrdup(env->opts->operator_name) : login_name();
    d->incident_at = xstrdup(when);
    d->started_at = xstrdup(started_at);
    d->status = xstrdup("running");
    d->restore_cmd = redact_command(env->opts->restore_cmd);  /* no password is stored */
    const objectives *o = &env->settings->objectives;
    d->rto_target_ms = o->rto_target_ms;
    d->rto_limit_ms = o->rto_ms;
    d->rpo_ms = o->rpo_ms;
    d->drill_every = xstrdup(o->drill_every);
    return d;
}

/* The data-loss window from the gate's audit_log finding, else --restore-point. */
static void take_restore_point(drill_record *d, const run_record *gate, const drill_opts *o)
{
    int64_t point, incident;
    const char *source = NULL;
    if (drill_restore_point_from_run(gate, &point))
        source = "audit_log";
    else if (o->has_restore_point) {
        point = o->restore_point_ms;
        source = "operator";
    }
    if (!source || !utc_parse_ms(d->incident_at, &incident))
        return;
    char when[40];
    utc_format_ms(point, when, sizeof when);
    free(d->restore_point);
    d->restore_point = xstrdup(when);
    free(d->restore_point_source);
    d->restore_point_source = xstrdup(source);
    d->has_data_loss = true;
    d->data_loss_ms = incident - point;
}

static void end_as(drill_record *d, const char *status, const char *error)
{
    char now[40];
    stamp(now, sizeof now);
    free(d->finished_at);
    d->finished_at = xstrdup(now);
    free(d->status);
    d->status = xstrdup(status);
    free(d->error);
    d->error = xstrdup(error);
}

/* The newest sealed gate run linked to d while it was open, as d's gate run (its digest is
 * sealed into the drill); *gate NULL when there is none. */
static vexit last_gate_of(store *st, drill_record *d, run_record **gate, verr *e)
{
    *gate = NULL;
    int64_t *ids;
    size_t n;
    vexit rc = store_drill_runs(st, d->id, &ids, &n, e);
    for (size_t i = n; i-- > 0 && !rc && !*gate;) {
        run_record *r;
        if ((rc = store_load_run(st, ids[i], &r, e)))
            break;
        if (strcmp(r->kind, "gate") == 0 && r->digest)
            *gate = r;
        else
            run_record_free(r);
    }
    free(ids);
    if (*gate)
        d->gate_run_id = (*gate)->id;
    return rc;
}

/* ---------------------------------------------------------------- by hand */

static vexit drill_start(const drill_env *env, bool json, verr *e)
{
    vexit rc;
    if ((rc = no_extra_args(env, 1, "start --scenario TEXT --incident-at TIME [--operator NAME]", e)) ||
        (rc = only_options(env, "start", OPT(SCENARIO) | OPT(OPERATOR), true, e)) ||
        (rc = need_start_options(env, "start", e)))
        return rc;
    char now[40];
    stamp(now, sizeof now);
    drill_record *d = new_drill(env, now);
    int64_t id;
    rc = store_drill_begin(env->st, d, &id, e);
    drill_record_free(d);
    if (rc)
        return rc;
    if (json)
        return show(env, id, true, e);
    fprintf(env->out, "drill %lld started at %s: %s\n", (long long)id, now, env->opts->scenario);
    fprintf(env->out, "mark phases with 'vouch drill mark PHASE'; when service is restored, "
                      "'vouch drill finish'\n");
    return VOUCH_OK;
}

static vexit drill_mark(const drill_env *env, bool json, verr *e)
{
    vexit rc;
    if (env->n_args < 2 || !*env->args[1]) {
        verr_set(e, VOUCH_USAGE, "drill mark needs the name of the phase");
        verr_hint(e, "For example: vouch drill mark \"restore started\".");
        return e->code;
    }
    if ((rc = no_extra_args(env, 2, "mark PHASE [--note TEXT]", e)) ||
        (rc = only_options(env, "mark", OPT(NOTE), false, e)))
        return rc;
    drill_record *d;
    if ((rc = open_by_hand(env, "mark", &d, e)))
        return rc;
    char now[40];
    stamp(now, sizeof now);
    int64_t t0 = 0, t1 = 0;
    utc_parse_ms(d->started_at, &t0);
    utc_parse_ms(now, &t1);
    drill_phase p = {env->args[1], now, t1 - t0, (char *)env->opts->note};
    rc = store_drill_mark(env->st, d->id, &p, e);
    if (!rc && json)
        rc = show(env, d->id, true, e);
    else if (!rc) {
        char el[48];
        drill_format_duration(t1 - t0, el, sizeof el);
        fprintf(env->out, "drill %lld: %s at %s (%s into the drill)\n", (long long)d->id,
                env->args[1], now, el);
    }
    drill_record_free(d);
    return rc;
}

static vexit drill_end(const drill_env *env, bool json, bool failed, verr *e)
{
    const char *sub = failed ? "fail" : "finish";
    vexit rc;
    if ((rc = no_extra_args(env, 1, failed ? "fail [--note TEXT]" : "finish [--note TEXT] [--restore-point TIME] [--approved-by NAME]", e)) ||
        (rc = only_options(env, sub, failed ? OPT(NOTE)
                                            : OPT(NOTE) | OPT(RESTORE_POINT) | OPT(APPROVED_BY),
                           false, e)))
        return rc;
    drill_record *d;
    if ((rc = open_by_hand(env, sub, &d, e)))
        return rc;
    end_as(d, failed ? "failed" : "finished",
           failed ? "ended as failed by the operator" : NULL);
    d->note = xstrdup(env->opts->note);
    d->approved_by = xstrdup(env->opts->approved_by);
    d->clock = xstrdup("realtime");
    int64_t t0, t1;
    if (!failed && utc_parse_ms(d->started_at, &t0) && utc_parse_ms(d->finished_at, &t1)) {
        d->has_rto = true;
        d->rto_ms = t1 - t0;
    }
    run_record *gate = NULL;
    if ((rc = last_gate_of(env->st, d, &gate, e))) {
        drill_record_free(d);
        return rc;
    }
    take_restore_point(d, gate, env->opts);
    run_record_free(gate);
    rc = store_drill_finish(env->st, d, e);
    if (!rc)
        rc = show(env, d->id, json, e);
    if (!rc)
        head_line_print(env->st, json ? NULL : env->out);
    drill_record_free(d);
    return rc;
}

/* ---------------------------------------------------------------- drill run */

typedef struct drill_run_state {
    const drill_env *env;
    drill_record *d;
    int64_t t0;   /* CLOCK_MONOTONIC at the start, ms */
    char *printed_target;  /* --target-from-output: what the restore printed; owned */
} drill_run_state;

/* The database the gate and the smoke tests reach. */
static const char *target_of(const drill_run_state *rs)
{
    if (rs->printed_target)
        return rs->printed_target;
    return rs->env->target ? rs->env->target : rs->env->settings->dsn;
}

/* Record phase name of the running drill, with note (MAY be NULL). */
static vexit phase_noted(drill_run_state *rs, const char *name, const char *note, verr *e)
{
    char now[40];
    stamp(now, sizeof now);
    drill_phase p = {(char *)name, now, mono_ms() - rs->t0, (char *)note};
    if (rs->env->verbosity >= 0) {
        char el[48];
        drill_format_duration(p.elapsed_ms, el, sizeof el);
        fprintf(stderr, "vouch: drill %lld: %s at %s (+%s)\n", (long long)rs->d->id, name, now, el);
    }
    return store_drill_mark(rs->env->st, rs->d->id, &p, e);
}

static vexit phase(drill_run_state *rs, const char *name, verr *e)
{
    return phase_noted(rs, name, NULL, e);
}

static void print_progress(void *user, const char *line)
{
    progress_clear(user);
    fprintf(stderr, "vouch: %s\n", line);
}

/* What the gate needs, checked before the drill starts so that a configuration
 * mistake costs no restore. */
static vexit preflight(const drill_env *env, verr *e)
{
    check_unit *sel;
    size_t n;
    vexit rc = runner_select(env->cf, NULL, 0, &sel, &n, e);
    if (rc)
        return rc;
    check_units_free(sel, n);
    int64_t base;
    if ((rc = store_latest_baseline(env->st, env->target_name, &base, e)))
        return rc;
    if (env->opts->target_from_output)  /* the target is known after the restore */
        return VOUCH_OK;
    return pg_dsn_check(env->target ? env->target : env->settings->dsn, e);
}

/* Our environment with VOUCH_TARGET_DSN set to the target without its secrets (libpq
 * defaults when ""): the smoke test reaches the restored database through the
 * passwords it has of its own (~/.pgpass, PGPASSFILE, a service file). Caller frees
 * the array and its last-but-NULL entry. */
static char **smoke_environment(const char *dsn)
{
    static const char name[] = "VOUCH_TARGET_DSN=";
    size_t n = 0;
    while (environ[n])
        n++;
    char **envp = xcalloc(n + 2, sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], name, sizeof name - 1) != 0)
            envp[k++] = environ[i];
    char *safe = pg_dsn_without_secrets(dsn);
    envp[k] = xasprintf("%s%s", name, safe ? safe : "");
    free(safe);
    return envp;
}

static void free_smoke_environment(char **envp)
{
    size_t k = 0;
    while (envp[k + 1])
        k++;
    free(envp[k]);
    free(envp);
}

/* The smoke tests after the gate passed: a phase of the drill, their failure the drill's. */
static vexit smoke_step(drill_run_state *rs, verr *e)
{
    const drill_env *env = rs->env;
    drill_record *d = rs->d;
    vexit rc = phase(rs, "smoke tests started", e);
    if (rc)
        return rc;
    char **envp = smoke_environment(target_of(rs));
    shell_output out;
    int status = 0;
    verr why;
    verr_clear(&why);
    int64_t t0 = mono_ms();
    vexit ran = shell_run_captured(env->opts->smoke_cmd, "smoke test", envp, &out, &status, &why);
    d->smoke_ms = mono_ms() - t0;
    free_smoke_environment(envp);
    d->smoke_digest = xstrdup(out.sha256);
    if (ran == VOUCH_OK) {
        d->has_smoke_exit = true;
        d->smoke_exit = status;
    }
    if (ran == VOUCH_ABORTED) {
        end_as(d, "interrupted", why.msg);
        *e = why;
        return VOUCH_ABORTED;
    }
    bool passed = ran == VOUCH_OK && status == 0;
    char dur[48], note[200];
    drill_format_duration(d->smoke_ms, dur, sizeof dur);
    snprintf(note, sizeof note, "exit status %d, %s, %llu bytes of output, sha256 %.12s",
             status, dur, (unsigned long long)out.bytes, out.sha256);
    char at[40];
    stamp(at, sizeof at);
    drill_phase p = {passed ? "smoke tests passed" : "smoke tests failed", at,
                     mono_ms() - rs->t0, ran == VOUCH_OK ? note : why.msg};
    if (env->verbosity >= 0)
        fprintf(stderr, "vouch: drill %lld: %s (%s)\n", (long long)d->id, p.name, p.note);
    if ((rc = store_drill_mark(env->st, d->id, &p, e)))
        return rc;
    if (passed)
        return VOUCH_OK;
    char *msg = ran != VOUCH_OK ? xasprintf("the smoke tests could not run: %s", why.msg)
                                : xasprintf("the smoke tests failed: exit status %d", status);
    end_as(d, "failed", msg);
    free(msg);
    if (ran != VOUCH_OK)
        *e = why;
    return VOUCH_FAILED;
}

/* The restore and the gate; fills rs->d's end. Returns the command's exit status. */
static vexit run_steps(drill_run_state *rs, int64_t *gate_id, verr *e)
{
    const drill_env *env = rs->env;
    drill_record *d = rs->d;
    vexit rc = phase(rs, "restore started", e);
    if (rc)
        return rc;
    int status = 0;
    verr why;
    verr_clear(&why);
    shell_tail *tail = env->opts->target_from_output ? xcalloc(1, sizeof *tail) : NULL;
    vexit ran = tail ? shell_run_tail(env->opts->restore_cmd, tail, &status, &why)
                     : shell_run(env->opts->restore_cmd, &status, &why);
    if (tail && ran == VOUCH_OK && status == 0)
        ran = drill_target_from_output(tail, &rs->printed_target, &why);
    bool tail_used = tail != NULL;
    free(tail);
    if (ran == VOUCH_OK) {
        d->has_restore_exit = true;
        d->restore_exit = status;
    }
    if (ran == VOUCH_ABORTED) {
        end_as(d, "interrupted", why.msg);
        *e = why;
        return VOUCH_ABORTED;
    }
    if (ran != VOUCH_OK || status != 0) {
        const char *said = ran != VOUCH_OK && tail_used ? why.msg : NULL;
        if ((rc = phase_noted(rs, "restore failed", said, e)))
            return rc;
        char *msg = ran != VOUCH_OK ? xstrdup(why.msg)
                                    : xasprintf("the restore command exited with status %d", status);
        end_as(d, "failed", msg);
        free(msg);
        if (ran != VOUCH_OK)
            *e = why;
        return VOUCH_FAILED;
    }
    char *where = rs->printed_target ? pg_dsn_describe(rs->printed_target) : NULL;
    char *note = where ? xasprintf("it printed the target: %s", where) : NULL;
    rc = phase_noted(rs, "restore finished", note, e);
    free(note);
    free(where);
    if (rc)
        return rc;
    if (interrupt_requested()) {
        end_as(d, "interrupted", "interrupted after the restore, before the gate");
        return verr_set(e, VOUCH_ABORTED, "%s", d->error);
    }

    run_request rq = {
        .kind = RUN_GATE,
        .cf = env->cf,
        .target_name = env->target_name,
        .incident_at_ms = env->incident_at_ms,
        .pg = {target_of(rs), env->settings->connect_timeout_s,
               env->settings->statement_timeout_ms},
        .jobs = env->settings->jobs,
        .st = env->st,
        .progress = env->verbosity > 0 ? print_progress : NULL,
        .progress_user = env->meter,
        .meter = env->meter,
    };
    verr gate_err;
    verr_clear(&gate_err);
    vexit verdict = runner_run(&rq, gate_id, &gate_err);
    d->gate_run_id = *gate_id;
    if (*gate_id && (rc = phase(rs, "gate finished", e)))
        return rc;
    if (verdict == VOUCH_OK && env->opts->smoke_cmd) {
        d->smoke_cmd = redact_command(env->opts->smoke_cmd);  /* no password is stored */
        if ((rc = smoke_step(rs, e)))
            return rc;
    }
    if (verdict == VOUCH_OK) {
        end_as(d, "finished", NULL);
        d->has_rto = true;
        d->rto_ms = mono_ms() - rs->t0;
        return VOUCH_OK;
    }
    if (verdict == VOUCH_FAILED) {
        end_as(d, "failed", "the gate stayed closed: the restored database is not whole");
        return VOUCH_FAILED;
    }
    char *msg = xasprintf("the gate could not finish: %s", gate_err.msg);
    end_as(d, interrupt_requested() ? "interrupted" : "failed", msg);
    free(msg);
    *e = gate_err;
    return verdict;
}

static vexit drill_run(const drill_env *env, bool json, verr *e)
{
    vexit rc;
    if ((rc = no_extra_args(env, 1, "run --scenario TEXT --incident-at TIME --restore-cmd CMD", e)) ||
        (rc = need_start_options(env, "run", e)))
        return rc;
    if (!env->opts->restore_cmd || !*env->opts->restore_cmd) {
        verr_set(e, VOUCH_USAGE, "drill run needs --restore-cmd CMD");
        verr_hint(e, "The command that restores the database, e.g. --restore-cmd "
                     "\"createdb portal && pg_restore -d portal nightly.dump\".");
        return e->code;
    }
    if (env->cf->n_sections == 0) {
        verr_set(e, VOUCH_USAGE, "drill run gates the restored database: it needs a configuration");
        verr_hint(e, "Give -c FILE or create ./vouch.conf with the checks to run, and take a "
                     "baseline of the healthy database before the drill.");
        return e->code;
    }
    if (env->opts->target_from_output && env->target) {
        verr_set(e, VOUCH_USAGE, "--target and --target-from-output both say what to gate");
        verr_hint(e, "Give --target for a restore into a known database, or "
                     "--target-from-output when the restore command prints where it restored.");
        return e->code;
    }
    if ((rc = preflight(env, e)))
        return rc;

    char now[40];
    drill_run_state rs = {.env = env};
    rs.t0 = mono_ms();  /* taken with the start stamp: one instant on both clocks */
    stamp(now, sizeof now);
    rs.d = new_drill(env, now);
    rs.d->pid = getpid();
    rs.d->clock = xstrdup("monotonic");
    rs.d->note = xstrdup(env->opts->note);
    rs.d->approved_by = xstrdup(env->opts->approved_by);
    if ((rc = store_drill_begin(env->st, rs.d, &rs.d->id, e))) {
        drill_record_free(rs.d);
        return rc;
    }
    if (env->verbosity >= 0)
        fprintf(stderr, "vouch: drill %lld started at %s: %s\n", (long long)rs.d->id, now,
                rs.d->scenario);

    int64_t gate_id = 0;
    verr step_err;
    verr_clear(&step_err);
    vexit outcome = run_steps(&rs, &gate_id, &step_err);
    if (!rs.d->finished_at)  /* a store error mid-way: the drill still ends, as failed */
        end_as(rs.d, "failed", step_err.msg);

    run_record *gate = NULL;
    if (gate_id) {
        verr ignored;
        verr_clear(&ignored);
        store_load_run(env->st, gate_id, &gate, &ignored);
    }
    take_restore_point(rs.d, gate, env->opts);
    run_record_free(gate);
    free(rs.printed_target);
    rs.printed_target = NULL;
    if ((rc = store_drill_finish(env->st, rs.d, e))) {
        drill_record_free(rs.d);
        return rc;
    }

    if (!json && gate_id) {
        run_record *r;
        if (!store_load_run(env->st, gate_id, &r, e)) {
            output_opts oo = {.color = env->color, .verbosity = env->verbosity};
            rc = output_human.write(env->out, r, &oo, e);
            run_record_free(r);
            fputc('\n', env->out);
        }
    }
    if (!rc)
        rc = show(env, rs.d->id, json, e);
    if (!rc)
        head_line_print(env->st, json ? NULL : env->out);
    drill_record_free(rs.d);
    if (rc)
        return rc;
    if (outcome && step_err.msg[0])
        *e = step_err;
    else if (outcome == VOUCH_ABORTED && !step_err.msg[0])
        verr_set(e, VOUCH_ABORTED, "the drill was interrupted");
    return outcome;
}

/* ---------------------------------------------------------------- commands */

vexit drill_command(const drill_env *env, verr *e)
{
    if (env->n_args < 1) {
        verr_set(e, VOUCH_USAGE, "drill needs a subcommand: start, mark, finish, fail or run");
        verr_hint(e, "Run 'vouch drill --help'.");
        return e->code;
    }
    bool json;
    vexit rc0 = want_json(env, &json, e);
    if (rc0)
        return rc0;
    const char *sub = env->args[0];
    if (strcmp(sub, "run") != 0 && env->target)
        return verr_set(e, VOUCH_USAGE, "--target applies to drill run only");
    if (strcmp(sub, "start") == 0)
        return drill_start(env, json, e);
    if (strcmp(sub, "mark") == 0)
        return drill_mark(env, json, e);
    if (strcmp(sub, "finish") == 0)
        return drill_end(env, json, false, e);
    if (strcmp(sub, "fail") == 0)
        return drill_end(env, json, true, e);
    if (strcmp(sub, "run") == 0)
        return drill_run(env, json, e);
    verr_set(e, VOUCH_USAGE, "unknown drill subcommand '%s'", sub);
    verr_hint(e, "Use start, mark, finish, fail or run; 'vouch drill --help' says more.");
    return e->code;
}

vexit drills_command(const drill_env *env, verr *e)
{
    bool json;
    vexit rc0 = want_json(env, &json, e);
    if (rc0)
        return rc0;
    if (env->n_args > 1)
        return verr_set(e, VOUCH_USAGE, "drills takes at most one drill id");
    if (env->n_args == 1) {
        int64_t id;
        if (!parse_int64(env->args[0], &id) || id < 1)
            return verr_set(e, VOUCH_USAGE, "expected a drill id, not \"%s\"", env->args[0]);
        return show(env, id, json, e);
    }
    int64_t *ids;
    size_t n;
    vexit rc = store_list_drills(env->st, env->limit ? env->limit : 20, &ids, &n, e);
    if (rc)
        return rc;
    drill_record **ds = xcalloc(n + 1, sizeof *ds);
    size_t got = 0;
    for (; got < n && !rc; got++)
        rc = store_load_drill(env->st, ids[got], &ds[got], e);
    if (!rc && !n && !json)
        fprintf(env->out, "store %s holds no drills yet\n", store_path(env->st));
    else if (!rc)
        rc = drill_write_list(env->out, ds, n, json, e);
    for (size_t i = 0; i < got; i++)
        drill_record_free(ds[i]);
    free(ds);
    free(ids);
    return rc;
}
