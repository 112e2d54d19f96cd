#include "src/cli/fleet.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/interrupt.h"
#include "src/utf8.h"
#include "src/util.h"

int fleet_rank(vexit rc)
{
    switch (rc) {
    case VOUCH_OK: return 0;
    case VOUCH_FAILED: return 1;
    case VOUCH_USAGE: return 2;
    default: return 3;
    }
}

/* One target's child: where its output goes, and how it ended. */
typedef struct slot {
    const char *name;
    pid_t pid;            /* 0: not started or reaped */
    FILE *out, *err;      /* its standard output (the run as JSON) and standard error */
    struct timespec t0;
    vexit rc;
    bool done;
} slot;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The child's command line: this binary, the same configuration and store, one target. */
static char **child_argv(const fleet_request *rq, const char *exe, const char *name)
{
    size_t cap = 16 + (size_t)rq->n_args, n = 0;
    char **argv = xcalloc(cap, sizeof *argv);
    argv[n++] = (char *)exe;
    argv[n++] = "-c";
    argv[n++] = (char *)rq->config_path;
    if (rq->store_path) {
        argv[n++] = "--store";
        argv[n++] = (char *)rq->store_path;
    }
    argv[n++] = (char *)rq->command;
    for (int i = 0; i < rq->n_args; i++)
        argv[n++] = rq->args[i];
    argv[n++] = "--target-name";
    argv[n++] = (char *)name;
    argv[n++] = "--no-progress";
    argv[n++] = "--format";
    argv[n++] = "json";
    if (rq->incident_at) {
        argv[n++] = "--incident-at";
        argv[n++] = (char *)rq->incident_at;
    }
    if (rq->negative_control)
        argv[n++] = "--negative-control";
    argv[n] = NULL;
    return argv;
}

static vexit start(const fleet_request *rq, const char *exe, slot *s, verr *e)
{
    s->out = tmpfile();
    s->err = tmpfile();
    if (!s->out || !s->err)
        return verr_set(e, VOUCH_ABORTED, "could not make a temporary file for target %s: %s",
                        s->name, strerror(errno));
    /* another target's child gets none of these (dup2 onto 1 and 2 keeps this one's open) */
    fcntl(fileno(s->out), F_SETFD, FD_CLOEXEC);
    fcntl(fileno(s->err), F_SETFD, FD_CLOEXEC);
    char **argv = child_argv(rq, exe, s->name);
    fflush(NULL); /* nothing buffered here is written twice */
    clock_gettime(CLOCK_MONOTONIC, &s->t0);
    pid_t pid = fork();
    if (pid < 0) {
        free(argv);
        return verr_set(e, VOUCH_ABORTED, "could not start the run of target %s: %s", s->name,
                        strerror(errno));
    }
    if (pid == 0) {
        if (dup2(fileno(s->out), STDOUT_FILENO) < 0 || dup2(fileno(s->err), STDERR_FILENO) < 0)
            _exit(VOUCH_ABORTED);
        execv(exe, argv);
        dprintf(STDERR_FILENO, "vouch: could not run %s: %s\n", exe, strerror(errno));
        _exit(VOUCH_ABORTED);
    }
    free(argv);
    s->pid = pid;
    return VOUCH_OK;
}

/* The first line of the child's standard error that starts with prefix, or NULL. The
 * child wrote it for a terminal already (redacted, shown safe). Caller frees. */
static char *line_of(FILE *f, const char *prefix)
{
    rewind(f);
    char *line = NULL, *found = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!found && (len = getline(&line, &cap, f)) >= 0) {
        line[strcspn(line, "\n")] = '\0';
        /* the store's head, said on standard error beside a run in JSON, is no reason */
        if (strncmp(line, prefix, strlen(prefix)) == 0 &&
            strncmp(line, "vouch: store head ", 18) != 0)
            found = utf8_show(line, 300);
    }
    free(line);
    return found;
}

/* "passed   12/12 passed   run 14" from the run the child printed as JSON. */
static char *describe(slot *s)
{
    rewind(s->out);
    json_error_t je;
    json_t *doc = json_loadf(s->out, 0, &je);
    const char *status = json_string_value(json_object_get(doc, "status"));
    json_int_t run = json_integer_value(json_object_get(doc, "run"));
    json_t *k = json_object_get(doc, "counts");
    json_int_t pass = json_integer_value(json_object_get(k, "pass")) +
                      json_integer_value(json_object_get(k, "warn"));
    json_int_t total = json_integer_value(json_object_get(k, "total"));
    json_int_t waived = json_integer_value(json_object_get(k, "waived"));
    char *text;
    if (!status || !run) {
        text = xstrdup(s->rc == VOUCH_USAGE ? "not run" : "no run stored");
    } else if (strcmp(status, "captured") == 0) {
        text = xasprintf("%-8s run %lld", status, (long long)run);
    } else {
        char counts[64];
        if (waived)
            snprintf(counts, sizeof counts, "%lld/%lld passed, %lld waived", (long long)pass,
                     (long long)total, (long long)waived);
        else
            snprintf(counts, sizeof counts, "%lld/%lld passed", (long long)pass,
                     (long long)total);
        text = xasprintf("%-8s %-22s run %lld", status, counts, (long long)run);
    }
    json_decref(doc);
    return text;
}

static void report(const fleet_request *rq, slot *s, int width)
{
    char *what = describe(s);
    fprintf(rq->out, "%-*s  %-6s %s  %.1f s\n", width, s->name,
            s->rc == VOUCH_OK ? "ok" : s->rc == VOUCH_FAILED ? "FAIL" : s->rc == VOUCH_USAGE
                                                                          ? "ERROR" : "ABORT",
            what, seconds_since(&s->t0));
    free(what);
    if (s->rc != VOUCH_OK) {
        /* why, as the child said it: its error and hint lines */
        char *why = line_of(s->err, "vouch: "), *hint = line_of(s->err, "hint: ");
        if (why)
            fprintf(rq->out, "%*s  %s\n", width, "", why);
        if (why && hint)
            fprintf(rq->out, "%*s  %s\n", width, "", hint);
        free(why);
        free(hint);
    }
    fflush(rq->out);
}

/* Wait for one child of ours; its slot is finished and reported. An interrupt of this
 * process (Ctrl-C reaches the children too; a SIGTERM from CI may not) is passed on once to
 * every child running, which then stores its run as aborted. */
static void reap_one(const fleet_request *rq, slot *slots, size_t n, int width, bool *passed_on)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) {
                if (interrupt_requested() && !*passed_on) {
                    *passed_on = true;
                    for (size_t i = 0; i < n; i++)
                        if (slots[i].pid)
                            kill(slots[i].pid, SIGTERM);
                }
                continue;
            }
            /* no child left that we know of: every running slot ends as aborted */
            for (size_t i = 0; i < n; i++)
                if (slots[i].pid) {
                    slots[i].pid = 0;
                    slots[i].done = true;
                    slots[i].rc = VOUCH_ABORTED;
                    report(rq, &slots[i], width);
                }
            return;
        }
        for (size_t i = 0; i < n; i++) {
            if (slots[i].pid != pid)
                continue;
            slots[i].pid = 0;
            slots[i].done = true;
            slots[i].rc = WIFEXITED(status) ? (vexit)WEXITSTATUS(status) : VOUCH_ABORTED;
            if (slots[i].rc != VOUCH_OK && slots[i].rc != VOUCH_FAILED &&
                slots[i].rc != VOUCH_USAGE)
                slots[i].rc = VOUCH_ABORTED;
            report(rq, &slots[i], width);
            return;
        }
    }
}

vexit fleet_run(const fleet_request *rq, verr *e)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len < 0)
        return verr_set(e, VOUCH_ABORTED, "could not find this program to run each target: %s",
                        strerror(errno));
    exe[len] = '\0';
    slot *slots = xcalloc(rq->n_names, sizeof *slots);
    int width = 6;
    for (size_t i = 0; i < rq->n_names; i++) {
        slots[i].name = rq->names[i];
        if ((int)strlen(rq->names[i]) > width)
            width = (int)strlen(rq->names[i]);
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t next = 0, running = 0;
    vexit failed_to_start = VOUCH_OK;
    bool passed_on = false;
    while (next < rq->n_names || running) {
        while (next < rq->n_names && running < (size_t)rq->parallel && !failed_to_start &&
               !interrupt_requested()) {
            slot *s = &slots[next++];
            if ((failed_to_start = start(rq, exe, s, e)))
                break;
            running++;
        }
        if (!running)
            break;
        reap_one(rq, slots, rq->n_names, width, &passed_on);
        running--;
    }
    size_t by[4] = {0}, not_started = 0;
    int worst = 0;
    for (size_t i = 0; i < rq->n_names; i++) {
        if (!slots[i].done) {
            not_started++;
            continue;
        }
        int r = fleet_rank(slots[i].rc);
        by[r]++;
        if (r > worst)
            worst = r;
        if (slots[i].out)
            fclose(slots[i].out);
        if (slots[i].err)
            fclose(slots[i].err);
    }
    for (size_t i = 0; i < rq->n_names; i++)
        if (!slots[i].done) {
            if (slots[i].out)
                fclose(slots[i].out);
            if (slots[i].err)
                fclose(slots[i].err);
        }
    free(slots);
    static const vexit of_rank[] = {VOUCH_OK, VOUCH_FAILED, VOUCH_USAGE, VOUCH_ABORTED};
    vexit rc = of_rank[worst];
    if (not_started && !failed_to_start) /* interrupted */
        rc = VOUCH_ABORTED;
    fprintf(rq->out, "%zu target%s in %.1f s: %zu passed, %zu failed, %zu not run (configuration),"
                     " %zu could not finish", rq->n_names, rq->n_names == 1 ? "" : "s",
            seconds_since(&t0), by[0], by[1], by[2], by[3]);
    if (not_started)
        fprintf(rq->out, ", %zu not started", not_started);
    fputc('\n', rq->out);
    if (failed_to_start)
        return failed_to_start;
    if (not_started)
        return verr_set(e, VOUCH_ABORTED, "interrupted: %zu target%s not started", not_started,
                        not_started == 1 ? "" : "s");
    if (rc)
        verr_set(e, rc, "%zu of %zu targets did not pass", rq->n_names - by[0], rq->n_names);
    return rc;
}
