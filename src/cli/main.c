/* vouch: prove a restored PostgreSQL database is whole before people are let back in.
 *
 * main parses the command line, sets up what a command's flags ask for, runs it
 * and is the only place that chooses the exit status. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/checker.h"
#include "evidence/store/postgres.h"
#include "evidence/store/store.h"
#include "src/cli/cmd_approve.h"
#include "src/cli/cmd_drill.h"
#include "src/cli/cmd_init.h"
#include "src/cli/cmd_metrics.h"
#include "src/cli/evidence_age.h"
#include "src/clock.h"
#include "src/cli/cmd_pack.h"
#include "src/cli/cmd_report.h"
#include "src/cli/cmd_sign.h"
#include "src/config.h"
#include "src/cli/docs_dir.h"
#include "src/cli/fleet.h"
#include "src/cli/head_line.h"
#include "src/cli/out_sinks.h"
#include "src/cli/runs_targets.h"
#include "src/cli/suggest.h"
#include "src/interrupt.h"
#include "src/output.h"
#include "src/progress.h"
#include "src/redact.h"
#include "src/runner.h"
#include "src/settings.h"
#include "src/utf8.h"
#include "src/util.h"

/* What a command needs set up before it runs. */
enum {
    NEED_CONFIG = 1 << 0,   /* a configuration file must exist */
    NEED_STORE = 1 << 1,    /* open the store, creating it */
    READ_STORE = 1 << 2,    /* open an existing store */
    OWN_OUTPUT = 1 << 3,    /* the command reads --format and --output itself */
    STORE_UNLESS_PATH = 1 << 4, /* ...only when given no PATH argument */
    STORE_EXISTING = 1 << 5, /* with NEED_STORE: the store must exist (it holds the baseline) */
    /* positional arguments, checked before the configuration and the store are looked at */
    ARGS_NONE = 1 << 6,     /* none */
    ARGS_ID = 1 << 7,       /* at most one id */
    ARGS_CHECKS = 1 << 14,  /* one or more check names */
    OUT_RUN = 1 << 15,      /* shows runs: --format human|json|tap|junit, --output FILE */
    NO_CONFIG = 1 << 16,    /* reads no configuration (init writes one) */
    /* command-specific options it accepts */
    OPT_BASELINE = 1 << 8,
    OPT_LIMIT = 1 << 9,
    OPT_INCIDENT = 1 << 10,
    OPT_DRILL = 1 << 11,    /* --scenario, --operator, --note, --restore-cmd, --restore-point,
                               --approved-by, --smoke-cmd */
    OPT_TEMPLATES = 1 << 12,
    OPT_HEAD = 1 << 13,     /* verify --head N:DIGEST */
    OPT_NEGCTL = 1 << 17,   /* gate --negative-control */
    OPT_NOTE = 1 << 18,     /* --note alone (approve) */
    WRITE_EXISTING = 1 << 19, /* open an existing store to write; no check is configured */
    OPT_TARGET_NAME = 1 << 20, /* --target-name NAME: runs against (or lists) one named target */
    OPT_ALL = 1 << 21,      /* --all [--parallel N]: every named target (src/cli/fleet.h) */
};

typedef struct cli {
    const char *config_path;
    const char *store_path;
    const char *target;
    const char *target_name;  /* --target-name NAME */
    bool all;                 /* --all */
    int64_t parallel;         /* --parallel N (0: not given) */
    const char *format;       /* the last --format, for commands that take one */
    const char *formats[OUT_MAX_FORMATS + 1]; /* every --format NAME[:FILE], in order */
    size_t n_formats;
    const char *output_path;
    const char *templates;
    int verbosity;
    int progress_opt;         /* --progress 1, --no-progress -1, else 0: on a terminal */
    int64_t baseline_id;
    int64_t limit;
    int64_t incident_at_ms;   /* 0: not given */
    bool negative_control;    /* gate --negative-control */
    const char *head;         /* verify --head N:DIGEST, or NULL */
    const char *note;         /* approve --note TEXT, or NULL */
    drill_opts drill;
    sign_cli sign;            /* options of keygen, sign and verify PATH */
    pack_cli pack;            /* --period of pack, --sign/--no-sign of report */
    init_cli init;            /* --schema, --force, --print of init */
    const char *store_url;    /* store init --url */
    const char *store_from;   /* store copy --from, --to */
    const char *store_to;
    char **args;   /* positional arguments after the command */
    int n_args;
    /* set up by main */
    conf *cf;                 /* the configuration, or the selected target's view of it */
    conf *full;               /* the file as read, when cf is a target's view; else NULL */
    const char *selected;     /* the named target selected, or NULL (borrowed from full) */
    vouch_settings settings;
    store *st;
    FILE *out;                /* sinks' primary: what one-output commands write to */
    const output_writer *writer;
    out_sinks sinks;          /* commands that show a run: every --format of it */
    progress *meter;          /* the progress line on stderr, or NULL */
    output_opts oo;
    bool error_shown;   /* the human output on stdout already said why the run stopped */
} cli;

typedef struct command {
    const char *name;
    vexit (*fn)(cli *c, verr *e);
    unsigned flags;
    const char *args;     /* synopsis of its arguments */
    const char *summary;
} command;

static vexit cmd_baseline(cli *c, verr *e);
static vexit cmd_gate(cli *c, verr *e);
static vexit cmd_check(cli *c, verr *e);
static vexit cmd_runs(cli *c, verr *e);
static vexit cmd_verify(cli *c, verr *e);
static vexit cmd_drill(cli *c, verr *e);
static vexit cmd_drills(cli *c, verr *e);
static vexit run_report(cli *c, verr *e);
static vexit cmd_keygen(cli *c, verr *e);
static vexit cmd_sign(cli *c, verr *e);
static vexit run_pack(cli *c, verr *e);
static vexit run_init(cli *c, verr *e);
static vexit run_metrics(cli *c, verr *e);
static vexit cmd_check_config(cli *c, verr *e);
static vexit cmd_config(cli *c, verr *e);
static vexit cmd_store(cli *c, verr *e);
static vexit cmd_approve_run(cli *c, verr *e);

static const command commands[] = {
    {"baseline", cmd_baseline, NEED_CONFIG | OUT_RUN | NEED_STORE | ARGS_NONE | OPT_TARGET_NAME | OPT_ALL,
     "[--target-name NAME | --all [--parallel N]]",
     "capture the healthy state of the target into the store"},
    {"gate", cmd_gate, NEED_CONFIG | OUT_RUN | NEED_STORE | STORE_EXISTING | ARGS_NONE | OPT_BASELINE | OPT_INCIDENT | OPT_NEGCTL | OPT_TARGET_NAME | OPT_ALL,
     "[--target-name NAME | --all [--parallel N]] [--baseline ID] [--incident-at TIME] [--negative-control]",
     "run every configured check against the target and the latest baseline"},
    {"check", cmd_check, NEED_CONFIG | OUT_RUN | NEED_STORE | STORE_EXISTING | ARGS_CHECKS | OPT_BASELINE | OPT_INCIDENT | OPT_TARGET_NAME | OPT_ALL,
     "NAME[/INSTANCE]... [--target-name NAME | --all [--parallel N]] [--baseline ID] [--incident-at TIME]",
     "run only the named checks (NAME: all its instances; NAME/INSTANCE: one)"},
    {"check-config", cmd_check_config, NEED_CONFIG | ARGS_NONE | OPT_TARGET_NAME, "[--target-name NAME]",
     "check that every table, column, role, trigger and function the config names exists"},
    {"config", cmd_config, NEED_CONFIG | OPT_TARGET_NAME, "check", "the same as check-config"},
    {"runs", cmd_runs, READ_STORE | OUT_RUN | ARGS_ID | OPT_LIMIT | OPT_TARGET_NAME,
     "[ID] [--limit N] [--target-name NAME]",
     "list what the store holds, or show one run"},
    {"verify", cmd_verify, READ_STORE | STORE_UNLESS_PATH | OPT_HEAD,
     "[FILE|DIR] [--cert CERT] | [--head N:DIGEST]",
     "verify a signed FILE, a pack DIR, or without either the store's hash chain"},
    {"drill", cmd_drill, NEED_STORE | OUT_RUN | OPT_INCIDENT | OPT_DRILL | OPT_TARGET_NAME, "start|mark|finish|fail|run ...",
     "record a restore drill and measure its RTO and data-loss window"},
    {"drills", cmd_drills, READ_STORE | OUT_RUN | OPT_LIMIT, "[ID] [--limit N]",
     "list the store's drills, or show one"},
    {"report", run_report, READ_STORE | OWN_OUTPUT | OPT_TEMPLATES,
     "run [ID] | drill [ID] | period PERIOD [--format F] [--out FILE] [--[no-]sign]",
     "render a stored run, drill or period as a report (HTML, Markdown, XML, CSV)"},
    {"init", run_init, NO_CONFIG | OWN_OUTPUT | ARGS_NONE, "[--schema S]... [--out FILE [--force] | --print]",
     "propose a complete, commented config from the live database"},
    {"pack", run_pack, READ_STORE | OWN_OUTPUT, "--period P --out DIR",
     "build a signed evidence pack of a period (2026-Q3, 2026-10, FROM..TO)"},
    {"metrics", run_metrics, READ_STORE | OWN_OUTPUT | ARGS_NONE, "[--out FILE]",
     "write the store's state as Prometheus metrics (node_exporter's textfile collector)"},
    {"approve", cmd_approve_run, WRITE_EXISTING | OPT_NOTE,
     "RUN --note TEXT [--key KEY] [--cert CERT]",
     "record a signed approval of a sealed gate run: who let people back in"},
    {"keygen", cmd_keygen, 0, "[--algorithm A] [--subject DN] [--days N] [--key F] [--cert F]",
     "create a signing key and a self-signed certificate"},
    {"store", cmd_store, 0, "init [--url URL] [--print] | copy --from STORE --to URL",
     "make a PostgreSQL store (or print its SQL for a DBA), or copy a store's history into one"},
    {"sign", cmd_sign, 0, "FILE... [--key F] [--cert F]",
     "sign files: a detached CMS signature FILE.p7s beside each"},
    {NULL, NULL, 0, NULL, NULL},
};

enum {
    LONG_STORE = 256,
    LONG_TARGET,
    LONG_FORMAT,
    LONG_OUTPUT,
    LONG_BASELINE,
    LONG_LIMIT,
    LONG_INCIDENT,
    LONG_DRILL, /* DRILL_OPT_COUNT values from here */
    LONG_DRILL_END = LONG_DRILL + DRILL_OPT_COUNT - 1,
    LONG_TEMPLATES,
    LONG_HEAD,
    LONG_PROGRESS,
    LONG_NO_PROGRESS,
    LONG_TARGET_NAME,
    LONG_ALL,
    LONG_PARALLEL,
    LONG_URL,
    LONG_FROM,
    LONG_TO,
    LONG_NEGCTL,
    LONG_SIGN = 512, /* SIGN_LONG_OPTIONS: LONG_SIGN + enum sign_opt */
    LONG_PACK = 544, /* PACK_LONG_OPTIONS: LONG_PACK + enum pack_opt */
    LONG_INIT = 576, /* INIT_LONG_OPTIONS: LONG_INIT + enum init_opt */
};

static const struct option long_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"store", required_argument, NULL, LONG_STORE},
    {"target", required_argument, NULL, LONG_TARGET},
    {"target-name", required_argument, NULL, LONG_TARGET_NAME},
    {"all", no_argument, NULL, LONG_ALL},
    {"parallel", required_argument, NULL, LONG_PARALLEL},
    {"format", required_argument, NULL, LONG_FORMAT},
    {"output", required_argument, NULL, LONG_OUTPUT},
    {"out", required_argument, NULL, LONG_OUTPUT},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"baseline", required_argument, NULL, LONG_BASELINE},
    {"limit", required_argument, NULL, LONG_LIMIT},
    {"incident-at", required_argument, NULL, LONG_INCIDENT},
    DRILL_LONG_OPTIONS(LONG_DRILL),
    {"templates", required_argument, NULL, LONG_TEMPLATES},
    {"head", required_argument, NULL, LONG_HEAD},
    {"url", required_argument, NULL, LONG_URL},
    {"from", required_argument, NULL, LONG_FROM},
    {"to", required_argument, NULL, LONG_TO},
    {"progress", no_argument, NULL, LONG_PROGRESS},
    {"no-progress", no_argument, NULL, LONG_NO_PROGRESS},
    {"negative-control", no_argument, NULL, LONG_NEGCTL},
    SIGN_LONG_OPTIONS(LONG_SIGN),
    PACK_LONG_OPTIONS(LONG_PACK),
    INIT_LONG_OPTIONS(LONG_INIT),
    {NULL, 0, NULL, 0},
};

static const char global_help[] =
    "Global options (before or after COMMAND):\n"
    "  -c, --config FILE   configuration (default ./vouch.conf when it exists)\n"
    "      --store FILE    evidence store: a file, sqlite:FILE or postgresql://...\n"
    "                      (default [store] url or path, else ./vouch.db)\n"
    "      --target DSN    database to check: libpq connection string or URI\n"
    "                      (default [target] dsn, else libpq's PG* defaults)\n"
    "      --target-name NAME  the [target \"NAME\"] to use (baseline, gate, check,\n"
    "                      check-config, drill), or whose runs 'runs' lists\n"
    "      --format F[:FILE]  human (default), json, tap or junit, to FILE; several\n"
    "                      for one run, at most one without a FILE (standard output)\n"
    "      --out FILE      where the --format without a FILE goes (alias --output)\n"
    "      --progress      show progress on standard error even when not a terminal\n"
    "      --no-progress   no progress line (the default off a terminal and with -q)\n"
    "  -q, --quiet         show only what did not pass\n"
    "  -v, --verbose       show details of every result\n"
    "  -h, --help          this help; 'vouch COMMAND --help' for one command\n"
    "  -V, --version       print the version\n";

static void print_wrapped(FILE *f, const char *lead, const char *text, int indent);

static void usage(FILE *f)
{
    fprintf(f, "usage: vouch [OPTIONS] COMMAND [ARGS]\n\n"
               "Prove a restored PostgreSQL database is whole before people are let back in.\n\n"
               "Commands:\n");
    char lead[64];
    for (const command *c = commands; c->name; c++) {
        snprintf(lead, sizeof lead, "  %-12s ", c->name);
        print_wrapped(f, lead, c->summary, 15);
    }
    fprintf(f, "\nChecks (one [section] each in vouch.conf):\n");
    for (size_t i = 0; checkers[i]; i++) {
        snprintf(lead, sizeof lead, "  %-12s ", checkers[i]->name);
        print_wrapped(f, lead, checkers[i]->summary, 15);
    }
    char *named = xstrdup("");
    for (size_t i = 0; checkers[i]; i++)
        if (checkers[i]->flags & CHECKER_INSTANCES) {
            char *next = xasprintf("%s%s%s", named, *named ? ", " : "", checkers[i]->name);
            free(named);
            named = next;
        }
    print_wrapped(f, "Named instances, [NAME \"INSTANCE\"] run as NAME/INSTANCE, for: ", named, 2);
    free(named);
    print_wrapped(f, "", "A [waiver \"NAME\"] accepts a known failure until a date: it is shown as"
                         " waived, never passed, and the gate may open (docs/waivers.md).", 0);
    fprintf(f, "\n%s\n", global_help);
    char *docs = docs_paths("docs/");
    fprintf(f, "Exit status: 0 every check passed; 1 a check failed (gate closed);\n"
               "2 usage or configuration error; 3 could not finish (stored as aborted).\n"
               "Documentation: %s and 'man vouch'.\n", docs);
    free(docs);
}

/* text in lines of at most 80 columns, the first after lead, the others indented by
 * indent (at least lead's width). */
static void print_wrapped(FILE *f, const char *lead, const char *text, int indent)
{
    size_t margin = strlen(lead) > (size_t)indent ? strlen(lead) : (size_t)indent;
    char **lines = utf8_wrap(text, 80 - margin);
    fputs(lead, f);
    for (size_t i = 0; lines[i]; i++)
        fprintf(f, "%*s%s\n", i ? indent : 0, "", lines[i]);
    utf8_lines_free(lines);
}

/* The options every command takes, short; 'vouch --help' explains them. */
static const char global_short[] =
    "\nGlobal options: -c FILE, --store FILE, --target DSN, --target-name NAME, -q,\n"
    "-v, -h, -V ('vouch --help' says what each does).\n";

static void command_usage(FILE *f, const command *c)
{
    char *synopsis = xasprintf("%s %s", c->name, c->args);
    print_wrapped(f, "usage: vouch [OPTIONS] ", synopsis, 23 + (int)strlen(c->name) + 1);
    free(synopsis);
    char *summary = xasprintf("%s.", c->summary);
    fputc('\n', f);
    print_wrapped(f, "", summary, 0);
    free(summary);
    if (c->flags & OPT_BASELINE)
        fprintf(f, "\n      --baseline ID   compare with this baseline run (default the newest)\n");
    if (c->flags & OPT_INCIDENT)
        fprintf(f, "%s      --incident-at TIME\n"
                   "                      when the incident happened, e.g. 2026-10-01T02:00+10:00;\n"
                   "                      checks with an RPO judge the data lost against it\n",
                c->flags & OPT_BASELINE ? "" : "\n");
    if (c->flags & OPT_NEGCTL)
        fprintf(f, "      --negative-control\n"
                   "                      also run every check against a perturbed copy of its\n"
                   "                      baseline and require each to fail (default [gate]\n"
                   "                      negative_control, else never)\n");
    if (c->flags & OPT_LIMIT)
        fprintf(f, "\n      --limit N       list at most the newest N (default 20)\n");
    if (c->flags & OPT_TARGET_NAME)
        fprintf(f, "\n      --target-name NAME  %s\n",
                c->fn == cmd_runs ? "list only the runs of the [target \"NAME\"]"
                                  : "use the [target \"NAME\"] of the configuration, with its\n"
                                    "                      [NAME:CHECK] overrides (docs/fleet.md)");
    if (c->flags & OPT_ALL)
        fprintf(f, "      --all           every [target \"NAME\"], each in a process, connection\n"
                   "                      and snapshot of its own: one line per target as it\n"
                   "                      finishes; the exit status is the worst of them\n"
                   "      --parallel N    with --all, run at most N targets at a time (default 1)\n");
    if (c->flags & OPT_DRILL)
        drill_usage(f);
    if (c->flags & OPT_NOTE)
        fprintf(f, "\n      --note TEXT     why reopening is approved (required; one paragraph)\n");
    if (c->flags & OPT_HEAD)
        fprintf(f, "\n      --head N:DIGEST check that the store's run chain still has this head\n"
                   "                      (as a gate printed it): no run up to it was cut or changed\n");
    if (c->flags & OPT_TEMPLATES)
        fprintf(f, "\n      --format F      html (default), markdown, xml or csv\n"
                   "      --out FILE      write the report there, whole, instead of standard output\n"
                   "      --templates DIR stylesheets and schema (default [report] templates,\n"
                   "                      else the installed templates)\n");
    if (c->fn == run_metrics)
        fprintf(f, "\n      --out FILE      replace FILE atomically (a textfile collector never\n"
                   "                      reads half of it) instead of standard output\n");
    if (c->fn == cmd_gate || c->fn == cmd_check || c->fn == cmd_baseline || c->fn == cmd_runs)
        fprintf(f, "\n      --format F[:FILE]  human, json, tap or junit (human is the default),\n"
                   "                      written to FILE; give it several times to write one\n"
                   "                      run in several formats, at most one without a FILE\n"
                   "      --out FILE      where the --format without a FILE goes, instead of\n"
                   "                      standard output (--output is the same)\n");
    else if (c->flags & OUT_RUN)
        fprintf(f, "\n      --format F      human (the default) or json\n"
                   "      --out FILE      write it there instead of standard output\n");
    if (c->fn == cmd_gate || c->fn == cmd_check || c->fn == cmd_baseline || c->fn == cmd_drill)
        fprintf(f, "      --progress      progress on standard error even when it is no terminal\n"
                   "      --no-progress   no progress line (shown on a terminal unless -q)\n");
    sign_cli_usage(f, c->name);
    pack_cli_usage(f, c->name);
    init_cli_usage(f, c->name);
    if (c->fn == cmd_store)
        fprintf(f, "\n      --url URL       store init: the PostgreSQL store to make (default --store,\n"
                   "                      else [store] url); its schema \"vouch\", the roles\n"
                   "                      vouch_writer and vouch_reader and their grants\n"
                   "      --print         store init: write that SQL for a DBA instead of running it\n"
                   "      --from STORE    store copy: the store to copy (a file, sqlite:FILE or a URL)\n"
                   "      --to URL        store copy: an empty PostgreSQL store (made by store init);\n"
                   "                      ids, chain positions and digests are kept, and the copy\n"
                   "                      is verified\n");
    fputs(global_short, f);
}

static const command *find_command(const char *name)
{
    for (const command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static void print_error_as(const verr *e, bool hint_only)
{
    char *msg = redact_show(e->msg), *shown_hint = redact_show(e->hint);
    char *hint = docs_paths(shown_hint); /* docs/ as installed, or the checkout's */
    free(shown_hint);
    if (!hint_only)
        fprintf(stderr, "vouch: %s\n", msg);
    if (hint[0])
        fprintf(stderr, "hint: %s\n", hint);
    free(msg);
    free(hint);
}

static void print_error(const verr *e)
{
    print_error_as(e, false);
}

/* A value that may hold a password (--target DSN, --restore-cmd CMD): vouch keeps a private
 * copy and overwrites argv, so that ps and /proc/PID/cmdline show it redacted for the rest
 * of the run. getopt_long permutes only the pointers of argv, never the bytes of its
 * strings, so optarg's bytes can be overwritten as soon as getopt has returned them.
 * The copies are owned here for the life of the process. */
static const char *keep_private(char *optarg_bytes, bool is_command)
{
    static char **kept;
    static size_t n_kept, cap_kept;
    char *copy = xstrdup(optarg_bytes);
    char *shown = is_command ? redact_command(copy) : redact_dsn(copy);
    if (!shown)
        shown = xstrdup(REDACTED); /* libpq cannot parse it: nothing of it is shown */
    if (strcmp(shown, copy) != 0)
        redact_argv(optarg_bytes, shown);
    free(shown);
    grow((void **)&kept, &cap_kept, n_kept + 1, sizeof *kept);
    kept[n_kept++] = copy;
    return copy;
}

/* "unknown option '--baselin'", and the option it was likely meant to be. */
static void unknown_option(const char *arg, const command *which, verr *e)
{
    int len = (int)strcspn(arg, "=");
    char *name = utf8_show(arg, 0);
    name[strcspn(name, "=")] = '\0';
    verr_set(e, VOUCH_USAGE, "unknown option '%s'", name);
    const char *near = NULL;
    if (len > 2 && arg[0] == '-' && arg[1] == '-') {
        const char *names[sizeof long_options / sizeof *long_options];
        size_t n = 0;
        for (const struct option *o = long_options; o->name; o++)
            names[n++] = o->name;
        char *bare = xstrndup(arg + 2, (size_t)len - 2);
        near = suggest_closest(bare, names, n);
        free(bare);
    }
    if (near)
        verr_hint(e, "Did you mean '--%s'? 'vouch %s%s--help' lists the options.", near,
                  which ? which->name : "", which ? " " : "");
    else
        verr_hint(e, "Run 'vouch %s%s--help'.", which ? which->name : "", which ? " " : "");
    free(name);
}

/* Parse options from argv (getopt state carried over); 'which' names the command for
 * command-specific options (NULL before the command). */
static vexit parse_options(int argc, char **argv, cli *c, const command *which, bool *help,
                           bool *version, verr *e)
{
    int ch;
    /* Leading ':' (after '+') makes getopt silent and tell a missing value (':') from an
     * unknown option ('?'), so the messages are ours. */
    while ((ch = getopt_long(argc, argv, which ? ":c:qvhV" : "+:c:qvhV", long_options, NULL)) !=
           -1) {
        if (ch == LONG_DRILL + DRILL_OPT_NOTE && which && (which->flags & OPT_NOTE)) {
            c->note = optarg;
            continue;
        }
        if (ch >= LONG_DRILL && ch <= LONG_DRILL_END) {
            if (!which || !(which->flags & OPT_DRILL))
                return verr_set(e, VOUCH_USAGE, "option --%s does not apply%s%s",
                                drill_option_name(ch - LONG_DRILL),
                                which ? " to " : " before a command", which ? which->name : "");
            const char *value = optarg;
            if (ch - LONG_DRILL == DRILL_OPT_RESTORE_CMD || ch - LONG_DRILL == DRILL_OPT_SMOKE_CMD)
                value = keep_private(optarg, true);
            vexit rc = drill_option(&c->drill, ch - LONG_DRILL, value, e);
            if (rc)
                return rc;
            continue;
        }
        switch (ch) {
        case 'c': c->config_path = optarg; break;
        case LONG_STORE: /* a URL may carry a password: not left in ps */
            c->store_path = strstr(optarg, "://") ? keep_private(optarg, false) : optarg;
            break;
        case LONG_TARGET: c->target = keep_private(optarg, false); break;
        case LONG_TARGET_NAME:
        case LONG_ALL:
        case LONG_PARALLEL: {
            const char *opt = ch == LONG_TARGET_NAME ? "--target-name"
                              : ch == LONG_ALL       ? "--all"
                                                     : "--parallel";
            /* --target-name is global (said in --help): check_arguments refuses it where
             * it does not apply; --all and --parallel are gate's, baseline's and check's */
            if (ch == LONG_TARGET_NAME ? which && !(which->flags & OPT_TARGET_NAME)
                                       : !which || !(which->flags & OPT_ALL))
                return verr_set(e, VOUCH_USAGE, "option %s does not apply%s%s", opt,
                                which ? " to " : " before a command", which ? which->name : "");
            if (ch == LONG_TARGET_NAME) {
                if (!conf_instance_name_ok(optarg)) {
                    char *shown = utf8_show(optarg, 80);
                    verr_set(e, VOUCH_USAGE, "--target-name: \"%s\" is not a target name", shown);
                    free(shown);
                    verr_hint(e, "A target name is 1 to 63 letters, digits, '_', '-' or '.', as"
                                 " in [target \"portal-au\"].");
                    return e->code;
                }
                c->target_name = optarg;
            } else if (ch == LONG_ALL) {
                c->all = true;
            } else {
                int64_t v;
                if (!parse_int64(optarg, &v) || v < 1 || v > 64)
                    return verr_set(e, VOUCH_USAGE, "--parallel expects a whole number from 1 to"
                                    " 64, not \"%s\"", optarg);
                c->parallel = v;
            }
            break;
        }
        case LONG_FORMAT:
            if (c->n_formats == OUT_MAX_FORMATS + 1)
                return verr_set(e, VOUCH_USAGE, "--format is given more than %d times",
                                OUT_MAX_FORMATS);
            c->format = c->formats[c->n_formats++] = optarg;
            break;
        case LONG_OUTPUT: c->output_path = optarg; break;
        case 'q': c->verbosity = -1; break;
        case LONG_PROGRESS: c->progress_opt = 1; break;
        case LONG_NO_PROGRESS: c->progress_opt = -1; break;
        case 'v': c->verbosity = 1; break;
        case 'h': *help = true; break;
        case 'V': *version = true; break;
        case LONG_BASELINE:
        case LONG_LIMIT: {
            unsigned need = ch == LONG_BASELINE ? OPT_BASELINE : OPT_LIMIT;
            const char *opt = ch == LONG_BASELINE ? "--baseline" : "--limit";
            if (!which || !(which->flags & need))
                return verr_set(e, VOUCH_USAGE, "option %s does not apply%s%s", opt,
                                which ? " to " : " before a command", which ? which->name : "");
            int64_t v;
            if (!parse_int64(optarg, &v) || v < 1)
                return verr_set(e, VOUCH_USAGE, "%s expects a positive whole number, not \"%s\"",
                                opt, optarg);
            if (ch == LONG_BASELINE)
                c->baseline_id = v;
            else
                c->limit = v;
            break;
        }
        case LONG_TEMPLATES:
            if (!which || !(which->flags & OPT_TEMPLATES))
                return verr_set(e, VOUCH_USAGE, "option --templates does not apply%s%s",
                                which ? " to " : " before a command", which ? which->name : "");
            c->templates = optarg;
            break;
        case LONG_NEGCTL:
            if (!which || !(which->flags & OPT_NEGCTL))
                return verr_set(e, VOUCH_USAGE, "option --negative-control does not apply%s%s",
                                which ? " to " : " before a command", which ? which->name : "");
            c->negative_control = true;
            break;
        case LONG_HEAD:
            if (!which || !(which->flags & OPT_HEAD))
                return verr_set(e, VOUCH_USAGE, "option --head does not apply%s%s",
                                which ? " to " : " before a command", which ? which->name : "");
            c->head = optarg;
            break;
        case LONG_URL:
        case LONG_FROM:
        case LONG_TO:
            if (!which || which->fn != cmd_store)
                return verr_set(e, VOUCH_USAGE, "option --%s does not apply%s%s",
                                ch == LONG_URL ? "url" : ch == LONG_FROM ? "from" : "to",
                                which ? " to " : " before a command", which ? which->name : "");
            *(ch == LONG_URL ? &c->store_url : ch == LONG_FROM ? &c->store_from : &c->store_to) =
                keep_private(optarg, false);
            break;
        case LONG_INCIDENT:
            if (!which || !(which->flags & OPT_INCIDENT))
                return verr_set(e, VOUCH_USAGE, "option --incident-at does not apply%s%s",
                                which ? " to " : " before a command", which ? which->name : "");
            if (!time_parse_iso(optarg, &c->incident_at_ms)) {
                verr_set(e, VOUCH_USAGE, "--incident-at: \"%s\" is not a valid time with a zone", optarg);
                verr_hint(e, "Write it as 2026-10-01T02:00:00Z or 2026-10-01 12:00+10:00.");
                return e->code;
            }
            break;
        case ':':
            verr_set(e, VOUCH_USAGE, "option '%s' needs a value", argv[optind - 1]);
            verr_hint(e, "Run 'vouch %s%s--help'.", which ? which->name : "", which ? " " : "");
            return e->code;
        default:
            if (ch == LONG_INIT + INIT_OPT_PRINT && which && which->fn == cmd_store) {
                c->init.print = true;
                break;
            }
            if ((ch >= LONG_INIT && ch < LONG_INIT + INIT_OPT_COUNT) ||
                (ch == LONG_SIGN + SIGN_OPT_FORCE && which && strcmp(which->name, "init") == 0)) {
                int opt = ch == LONG_SIGN + SIGN_OPT_FORCE ? INIT_OPT_FORCE : ch - LONG_INIT;
                vexit rc = init_cli_option(&c->init, which ? which->name : NULL, opt, optarg, e);
                if (rc)
                    return rc;
                break;
            }
            if (ch >= LONG_SIGN && ch < LONG_SIGN + SIGN_OPT_COUNT) {
                vexit rc = sign_cli_option(&c->sign, which ? which->name : NULL, ch - LONG_SIGN,
                                           optarg, e);
                if (rc)
                    return rc;
                break;
            }
            if (ch >= LONG_PACK && ch < LONG_PACK + PACK_OPT_COUNT) {
                vexit rc = pack_cli_option(&c->pack, which ? which->name : NULL, ch - LONG_PACK,
                                           optarg, e);
                if (rc)
                    return rc;
                break;
            }
            /* only its name: a mistyped --target=... may carry a password */
            unknown_option(argv[optind - 1], which, e);
            return e->code;
        }
    }
    return VOUCH_OK;
}

static bool want_color(const cli *c)
{
    const char *term = getenv("TERM");
    return c->out == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR") &&
           !(term && strcmp(term, "dumb") == 0);
}

/* The positional arguments a command's flags promise, before the configuration or the store
 * is looked at: a mistyped argument is the first thing to fix. */
static vexit check_arguments(cli *c, const command *cmd, verr *e)
{
    if ((cmd->flags & ARGS_NONE) && c->n_args) {
        verr_set(e, VOUCH_USAGE, "%s takes no arguments (got \"%s\")", cmd->name, c->args[0]);
        if (cmd->fn == cmd_gate)
            verr_hint(e, "To run some checks only, use 'vouch check NAME...'.");
        return e->code;
    }
    if ((cmd->flags & ARGS_ID) && c->n_args > 1)
        return verr_set(e, VOUCH_USAGE, "%s takes at most one id", cmd->name);
    if ((cmd->flags & ARGS_CHECKS) && !c->n_args) {
        verr_set(e, VOUCH_USAGE, "check needs the names of the checks to run");
        verr_hint(e, "For example 'vouch check rowcount'; 'vouch gate' runs them all.");
        return e->code;
    }
    for (int i = 0; (cmd->flags & ARGS_CHECKS) && i < c->n_args; i++) {
        size_t len = strcspn(c->args[i], "/");
        char *base = xstrndup(c->args[i], len);
        bool known = checker_find(base) != NULL;
        if (!known) {
            const char *names[RUNNER_MAX_SECTIONS];
            size_t n = 0;
            for (; checkers[n] && n < RUNNER_MAX_SECTIONS; n++)
                names[n] = checkers[n]->name;
            const char *near = suggest_closest(base, names, n);
            char *shown = utf8_show(c->args[i], 0);
            verr_set(e, VOUCH_USAGE, "unknown check '%s'", shown);
            char *tail = utf8_show(c->args[i] + len, 0);
            if (near)
                verr_hint(e, "Did you mean '%s%s'? 'vouch --help' lists the checks.", near, tail);
            else
                verr_hint(e, "Run 'vouch --help' for the list of checks.");
            free(tail);
            free(shown);
        }
        free(base);
        if (!known)
            return e->code;
    }
    if (c->baseline_id && cmd->fn == cmd_baseline)
        return verr_set(e, VOUCH_USAGE, "--baseline does not apply to baseline");
    if (c->target_name && !(cmd->flags & OPT_TARGET_NAME))
        return verr_set(e, VOUCH_USAGE, "option --target-name does not apply to %s", cmd->name);
    return VOUCH_OK;
}

/* The progress line of the long commands: by default on a terminal (stderr) unless -q;
 * --progress shows it anyway, as plain lines when stderr is no terminal (a CI log). */
static progress *make_meter(const cli *c, const command *cmd)
{
    bool long_work = cmd->fn == cmd_gate || cmd->fn == cmd_check || cmd->fn == cmd_baseline ||
                     cmd->fn == cmd_drill || cmd->fn == run_pack;
    const char *term = getenv("TERM");
    bool live = isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
    bool show = c->progress_opt > 0 || (c->progress_opt == 0 && live && c->verbosity >= 0);
    return long_work && show ? progress_new(stderr, live) : NULL;
}

/* Several --format, or NAME:FILE, only where one run is shown; one --format elsewhere. */
static vexit check_formats(const cli *c, const command *cmd, verr *e)
{
    bool shows_run = cmd->fn == cmd_gate || cmd->fn == cmd_check || cmd->fn == cmd_baseline ||
                     (cmd->fn == cmd_runs && c->n_args == 1);
    if (shows_run || c->n_formats == 0)
        return VOUCH_OK;
    if (c->n_formats > 1 || out_formats_name_files(c->formats, c->n_formats)) {
        verr_set(e, VOUCH_USAGE, "%s takes one --format%s", cmd->name,
                 cmd->flags & OWN_OUTPUT ? " and --out FILE" : "");
        verr_hint(e, "Several --format NAME:FILE are for gate, check, baseline and 'runs ID'.");
        return e->code;
    }
    if (!(cmd->flags & OWN_OUTPUT) && !output_find(c->format))
        return verr_set(e, VOUCH_USAGE, "unknown format \"%s\": use %s", c->format,
                        output_names());
    return VOUCH_OK;
}

/* "a, b, c": the targets names[0..n), for hints. Caller frees. */
static char *names_list(const char *const *names, size_t n)
{
    char *list = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", list, i ? ", " : "", names[i]);
        free(list);
        list = next;
    }
    return list;
}

/* Every target's view is a configuration of its own: validated as the run of each would
 * validate it, so that --all finds a mistake of any target before anything runs. */
static vexit validate_targets(cli *c, const command *cmd, const char *const *names, size_t n,
                              const section_kind *kinds, size_t n_kinds, verr *e)
{
    vexit rc = VOUCH_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        conf *view = conf_target_view(c->cf, names[i]);
        vouch_settings s;
        rc = settings_read(view, kinds, n_kinds, &s, e);
        settings_release(&s);
        if (!rc && (cmd->flags & NEED_STORE))
            rc = runner_validate(view, e);
        if (!rc && (cmd->flags & STORE_EXISTING)) {
            check_unit *units;
            size_t n_units;
            if (!(rc = runner_select(view, (const char *const *)c->args, (size_t)c->n_args,
                                     &units, &n_units, e)))
                check_units_free(units, n_units);
        }
        conf_free(view);
    }
    return rc;
}

/* Which named target the command uses (docs/fleet.md): --target-name, or the only one; with
 * one selected, c->cf becomes its view and c->settings are read from it. */
static vexit select_target(cli *c, const command *cmd, const section_kind *kinds, size_t n_kinds,
                           verr *e)
{
    const char *names[CONF_MAX_TARGETS];
    size_t n = conf_targets(c->cf, names, CONF_MAX_TARGETS);
    /* runs: a filter of what the store holds, whatever the file declares; report, pack,
     * metrics and verify read every target's runs */
    if (cmd->fn == cmd_runs || !(cmd->flags & OPT_TARGET_NAME))
        return VOUCH_OK;
    if (c->parallel && !c->all)
        return verr_set(e, VOUCH_USAGE, "--parallel applies to --all");
    if (c->all) {
        if (c->target_name)
            return verr_set(e, VOUCH_USAGE, "give --all or --target-name, not both");
        if (c->target)
            return verr_set(e, VOUCH_USAGE, "--target does not apply to --all: each target"
                            " connects to its own dsn");
        if (c->baseline_id)
            return verr_set(e, VOUCH_USAGE, "--baseline does not apply to --all: a baseline is"
                            " of one target");
        if (c->n_formats || c->output_path) {
            verr_set(e, VOUCH_USAGE, "--all writes one line per target: --format and --out do"
                     " not apply");
            verr_hint(e, "Run one target with --target-name NAME for its run in a format, or"
                         " 'vouch runs ID --format junit' after the run.");
            return e->code;
        }
        if (!n) {
            verr_set(e, VOUCH_USAGE, "%s declares no [target \"NAME\"]: --all has nothing to"
                     " run", c->cf->path);
            verr_hint(e, "docs/fleet.md shows a configuration of several targets.");
            return e->code;
        }
        return validate_targets(c, cmd, names, n, kinds, n_kinds, e);
    }
    const char *name = NULL;
    if (c->target_name) {
        for (size_t i = 0; i < n && !name; i++)
            if (strcmp(names[i], c->target_name) == 0)
                name = names[i];
        if (!name) {
            verr_set(e, VOUCH_USAGE, "%s declares no target named %s", c->cf->path,
                     c->target_name);
            char *list = names_list(names, n);
            if (n)
                verr_hint(e, "Its targets are: %s.", list);
            else
                verr_hint(e, "Declare it as [target \"%s\"] with its dsn (docs/fleet.md).",
                          c->target_name);
            free(list);
            return e->code;
        }
    } else if (n == 1) {
        name = names[0];
    } else if (n > 1) {
        /* drill's other subcommands record what happens; start and run need the target */
        bool needs = cmd->fn != cmd_drill ||
                     (c->n_args && (strcmp(c->args[0], "start") == 0 ||
                                    strcmp(c->args[0], "run") == 0));
        if (!needs)
            return VOUCH_OK;
        verr_set(e, VOUCH_USAGE, "%s declares %zu targets: choose one with --target-name NAME%s",
                 c->cf->path, n, cmd->flags & OPT_ALL ? ", or all of them with --all" : "");
        char *list = names_list(names, n);
        verr_hint(e, "Its targets are: %s.", list);
        free(list);
        return e->code;
    }
    if (!name)
        return VOUCH_OK;
    conf *view = conf_target_view(c->cf, name);
    settings_release(&c->settings);
    vexit rc = settings_read(view, kinds, n_kinds, &c->settings, e);
    c->full = c->cf;
    c->cf = view;
    c->selected = name;
    return rc;
}

static vexit setup(cli *c, const command *cmd, verr *e)
{
    vexit rc;
    const char *path = c->config_path;
    if (!path && access("vouch.conf", F_OK) == 0)
        path = "vouch.conf";
    if (cmd->flags & NO_CONFIG) {
        if (c->config_path)
            return verr_set(e, VOUCH_USAGE, "-c does not apply to %s: give --out FILE", cmd->name);
        c->cf = conf_new_empty();
    } else if (path) {
        if ((rc = conf_load_file(&c->cf, path, e)))
            return rc;
    } else if (cmd->flags & NEED_CONFIG) {
        verr_set(e, VOUCH_USAGE, "no configuration: give -c FILE or create ./vouch.conf");
        verr_hint(e, "docs/configuration.md describes every section; tools/demo/vouch.conf is an example.");
        return e->code;
    } else {
        c->cf = conf_new_empty();
    }
    section_kind kinds[RUNNER_MAX_SECTIONS];
    size_t n_kinds = runner_sections(kinds, RUNNER_MAX_SECTIONS);
    if ((rc = settings_read(c->cf, kinds, n_kinds, &c->settings, e)))
        return rc;
    if ((c->target_name || c->all || c->parallel || conf_targets(c->cf, NULL, 0)) &&
        (rc = select_target(c, cmd, kinds, n_kinds, e)))
        return rc;
    /* Every configuration error of a command that stores a run, before the store is opened
     * (with --all, each target's was found above). */
    if ((cmd->flags & NEED_STORE) && !c->all && (rc = runner_validate(c->cf, e)))
        return rc;

    if ((rc = check_formats(c, cmd, e)))
        return rc;
    /* a bad --format or an unwritable FILE is said before the store is looked at */
    if (!(cmd->flags & OWN_OUTPUT) &&
        (rc = out_sinks_open(&c->sinks, c->formats, c->n_formats, c->output_path, e)))
        return rc;
    c->meter = make_meter(c, cmd);

    if ((cmd->flags & (NEED_STORE | READ_STORE | WRITE_EXISTING)) &&
        !((cmd->flags & STORE_UNLESS_PATH) && c->n_args)) {
        const char *sp = c->store_path ? c->store_path : c->settings.store_path;
        check_unit *units;
        size_t n_units;
        /* a check named that is not configured is a configuration error: said first */
        bool select = (cmd->flags & STORE_EXISTING) && !c->all;
        if (select && (rc = runner_select(c->cf, (const char *const *)c->args,
                                          (size_t)c->n_args, &units, &n_units, e)))
            return rc;
        if (select)
            check_units_free(units, n_units);
        bool there = true;
        if ((cmd->flags & (STORE_EXISTING | WRITE_EXISTING)) && (rc = store_exists(sp, &there, e)))
            return rc;
        if (!there && (cmd->flags & WRITE_EXISTING)) {
            verr_set(e, VOUCH_USAGE, "no store at \"%s\"", sp);
            verr_hint(e, "Give --store FILE or set [store] path: the store of the runs to %s.",
                      cmd->name);
            return e->code;
        }
        if (!there) {
            /* an empty store would hold no baseline to compare with: none is made */
            verr_set(e, VOUCH_USAGE, "no store at \"%s\": a %s compares with a baseline, and none"
                     " was taken", sp, cmd->name);
            verr_hint(e, "Run 'vouch baseline' against the healthy database first; it creates"
                         " the store.");
            return e->code;
        }
        if ((rc = store_open_at(&c->st, sp, c->settings.store_anchor,
                                cmd->flags & (STORE_EXISTING | WRITE_EXISTING) ? STORE_WRITE
                                : cmd->flags & NEED_STORE   ? STORE_CREATE
                                                            : STORE_READ,
                                e)))
            return rc;
    }
    if (cmd->flags & OWN_OUTPUT)
        return VOUCH_OK;
    c->out = c->sinks.s[c->sinks.primary].f;
    c->writer = c->sinks.s[c->sinks.primary].writer;
    c->oo = (output_opts){.color = want_color(c) && c->writer == &output_human,
                          .verbosity = c->verbosity};
    return VOUCH_OK;
}

/* A waiver that covered nothing is said on standard error too, wherever the output goes:
 * the run also holds it as a warning. */
static void warn_unmatched(const run_record *r)
{
    json_t *list = run_record_waivers(r);
    size_t i;
    json_t *w;
    json_array_foreach(list, i, w) {
        const char *state = json_string_value(json_object_get(w, "state"));
        if (!state || strcmp(state, "unmatched") != 0)
            continue;
        char *name = utf8_show(json_string_value(json_object_get(w, "name")), 0);
        fprintf(stderr, "vouch: warning: waiver '%s' covers no failure of run %lld\n",
                name ? name : "?", (long long)r->id);
        free(name);
    }
    json_decref(list);
}

static vexit show_run(cli *c, int64_t id, bool just_ran, verr *e)
{
    run_record *r;
    vexit rc = store_load_run(c->st, id, &r, e);
    if (rc)
        return rc;
    /* the one run, in every format asked for: the terminal's first, then the files */
    for (size_t k = 0; k < c->sinks.n && !rc; k++) {
        const out_sink *s = &c->sinks.s[(c->sinks.primary + k) % c->sinks.n];
        output_opts oo = c->oo;
        oo.color = oo.color && s->f == c->out;
        rc = s->writer->write(s->f, r, &oo, e);
    }
    if (just_ran)
        warn_unmatched(r);
    run_record_free(r);
    return rc;
}

static void print_progress(void *user, const char *line)
{
    progress_clear(user); /* the -v line on a line of its own; the meter redraws after it */
    char *shown = redact_show(line);
    fprintf(stderr, "vouch: %s\n", shown);
    free(shown);
}

static bool same_file(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino && sa.st_rdev == sb.st_rdev;
}

/* --all: every named target, each by a child of its own (src/cli/fleet.h). */
static vexit run_fleet(cli *c, const command *cmd, verr *e)
{
    const char *names[CONF_MAX_TARGETS];
    size_t n = conf_targets(c->cf, names, CONF_MAX_TARGETS);
    char incident[40] = "";
    if (c->incident_at_ms)
        utc_format_ms(c->incident_at_ms, incident, sizeof incident);
    /* the children open the store themselves; it was opened here to migrate it once */
    store_close(c->st);
    c->st = NULL;
    fleet_request rq = {cmd->name, c->args, c->n_args, c->cf->path, c->store_path,
                        incident[0] ? incident : NULL, c->negative_control, names, n,
                        c->parallel ? (int)c->parallel : 1, c->out};
    return fleet_run(&rq, e);
}

/* Whether this gate runs the negative control: --negative-control, else [gate]
 * negative_control (weekly: when the last one that passed is a week old, or none). */
static vexit want_negative_control(cli *c, bool *want, verr *e)
{
    *want = c->negative_control || c->settings.negative_control == NEGCTL_ALWAYS;
    if (*want || c->settings.negative_control != NEGCTL_WEEKLY)
        return VOUCH_OK;
    int64_t id;
    vexit rc = store_last_negative_control(c->st, c->selected, false, &id, e);
    if (rc || !id) {
        *want = !rc;
        return rc;
    }
    run_record *r;
    if ((rc = store_load_run(c->st, id, &r, e)))
        return rc;
    int64_t at;
    *want = !utc_parse_ms(r->started_at, &at) || clock_now_ms() - at >= NEGCTL_WEEK_MS;
    if (!*want && c->verbosity > 0)
        fprintf(stderr, "vouch: negative control: run %lld showed every check able to fail on"
                        " %s, under a week ago ([gate] negative_control = weekly)\n",
                (long long)r->id, r->started_at);
    run_record_free(r);
    return VOUCH_OK;
}

static vexit run_and_show(cli *c, run_kind kind, verr *e)
{
    vexit rc0;
    if (c->all)
        return run_fleet(c, find_command(kind == RUN_BASELINE ? "baseline"
                                         : kind == RUN_GATE   ? "gate"
                                                              : "check"), e);
    run_request rq = {
        .kind = kind,
        .cf = c->cf,
        .only = (const char *const *)c->args,
        .n_only = (size_t)c->n_args,
        .baseline_id = c->baseline_id,
        .incident_at_ms = c->incident_at_ms,
        .pg = {c->target ? c->target : c->settings.dsn, c->settings.connect_timeout_s,
               c->settings.statement_timeout_ms},
        .target_name = c->selected,
        .jobs = c->settings.jobs,
        .st = c->st,
        .progress = c->verbosity > 0 ? print_progress : NULL,
        .progress_user = c->meter,
        .meter = c->meter,
    };
    if (kind == RUN_GATE && (rc0 = want_negative_control(c, &rq.negative_control, e)))
        return rc0;
    run_times times = {0};
    rq.times = &times;
    int64_t id = 0;
    vexit rc = runner_run(&rq, &id, e);
    if (id) {
        verr out;
        verr_clear(&out);
        c->oo.times = &times; /* this run's outputs only: times are not stored */
        vexit shown = show_run(c, id, true, &out);
        c->oo.times = NULL;
        run_times_release(&times);
        if (shown) {
            print_error(&out);
            return VOUCH_ABORTED;
        }
        head_line_print(c->st, c->writer == &output_human ? c->out : NULL);
        /* the verdict line of a stored, aborted run quotes the error: where standard output
         * and standard error are one terminal or file, it is not said twice */
        c->error_shown = rc == VOUCH_ABORTED && c->writer == &output_human && c->out == stdout &&
                         same_file(STDOUT_FILENO, STDERR_FILENO);
    }
    run_times_release(&times);
    return rc;
}

static vexit cmd_baseline(cli *c, verr *e)
{
    return run_and_show(c, RUN_BASELINE, e);
}

static vexit cmd_gate(cli *c, verr *e)
{
    return run_and_show(c, RUN_GATE, e);
}

static vexit cmd_check(cli *c, verr *e)
{
    return run_and_show(c, RUN_CHECK, e);
}

/* With [objectives] evidence_valid: one line for each target whose last passed gate is
 * older (or that never passed), after the listing: silence must not read as healthy. */
static vexit print_expired(cli *c, verr *e)
{
    int64_t valid = c->settings.objectives.evidence_valid_ms, now = clock_now_ms();
    if (!valid)
        return VOUCH_OK;
    evidence_age *a;
    size_t n;
    vexit rc = evidence_ages(c->st, now, valid, &a, &n, e);
    for (size_t i = 0; i < n && !rc; i++) {
        if (!a[i].expired)
            continue;
        char *line = evidence_age_line(&a[i], now, valid);
        fprintf(c->out, "%s\n", line);
        free(line);
    }
    evidence_ages_free(a, n);
    return rc;
}

static vexit cmd_runs(cli *c, verr *e)
{
    /* The listing is not evidence, but it must not pass off an edited store as sound. */
    store_verdict sv;
    vexit rc = store_verify(c->st, &sv, e);
    if (rc)
        return rc;
    if (!sv.ok)
        fprintf(stderr, "warning: store %s: the chain is broken: %s\n"
                        "hint: Reports and packs refuse this store; 'vouch verify' shows the break.\n",
                store_path(c->st), sv.problem);
    if (c->n_args == 1) {
        int64_t id;
        if (!parse_int64(c->args[0], &id) || id < 1)
            return verr_set(e, VOUCH_USAGE, "expected a run id, not \"%s\"", c->args[0]);
        return show_run(c, id, false, e);
    }
    if (c->writer != &output_human && c->writer != &output_json)
        return verr_set(e, VOUCH_USAGE, "runs lists in human or json format; show one run for %s",
                        c->format);
    int64_t *ids;
    size_t n;
    if ((rc = store_list_runs(c->st, c->limit ? c->limit : 20, c->target_name, &ids, &n, e)))
        return rc;
    approval_list approvals;
    if ((rc = store_approvals(c->st, 0, &approvals, e))) {
        free(ids);
        return rc;
    }
    int need = c->settings.gate_approvals;
    json_t *list = c->writer == &output_json ? json_array() : NULL;
    runs_targets by_target = {0};
    if (!list && n)
        fprintf(c->out, "%-5s %-8s %-8s %-24s %8s %-9s %-8s %s\n", "RUN", "KIND", "STATUS",
                "STARTED", "TOOK", "BASELINE", "RESULTS", "TARGET");
    for (size_t i = 0; i < n && !rc; i++) {
        run_record *r;
        if ((rc = store_load_run(c->st, ids[i], &r, e)))
            break;
        result_counts k = run_record_counts(r);
        char results[64], base[16];
        if (strcmp(r->kind, "baseline") == 0)
            snprintf(results, sizeof results, "%zu check%s", r->n_baselines, r->n_baselines == 1 ? "" : "s");
        else if (k.waived) /* never counted as passed */
            snprintf(results, sizeof results, "%zu/%zu, %zu waived", k.pass + k.warn, k.total,
                     k.waived);
        else
            snprintf(results, sizeof results, "%zu/%zu", k.pass + k.warn, k.total);
        snprintf(base, sizeof base, "%lld", (long long)r->baseline_id);
        char took[24] = "-";
        int64_t t0, t1;
        if (utc_parse_ms(r->started_at, &t0) && utc_parse_ms(r->finished_at, &t1))
            snprintf(took, sizeof took, "%.2fs", (double)(t1 - t0) / 1000.0);
        /* a passed gate let people back in: [gate] approvals asks who approved it */
        size_t approved = approval_distinct_signers(&approvals, r->id);
        bool unapproved = need > 0 && strcmp(r->kind, "gate") == 0 &&
                          strcmp(r->status, "passed") == 0 && approved < (size_t)need;
        if (list) {
            json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s*, s:o, s:o, s:I, s:I, s:o}", "run",
                                (json_int_t)r->id, "kind", r->kind, "status", r->status,
                                "started_at", r->started_at, "finished_at", r->finished_at,
                                "baseline", r->baseline_id ? json_integer(r->baseline_id) : json_null(),
                                /* not UTF-8 (json_pack would drop the whole run): scrubbed */
                                "target", output_json_text(r->target),
                                "passed", (json_int_t)(k.pass + k.warn),
                                "total", (json_int_t)k.total, "error", output_json_text(r->error));
            /* what it was started with and by, and what it did not evaluate */
            json_object_set_new(o, "not_evaluated", json_integer((json_int_t)k.not_evaluated));
            json_object_set_new(o, "waived", json_integer((json_int_t)k.waived));
            json_object_set_new(o, "incident_at", output_json_text(r->incident_at));
            json_object_set_new(o, "started_by", output_json_text(r->started_by));
            json_object_set_new(o, "ci_job", output_json_text(r->ci_job));
            /* signed approvals from distinct signers (docs/approvals.md) */
            json_object_set_new(o, "approvals", json_integer((json_int_t)approved));
            json_object_set_new(o, "unapproved", json_boolean(unapproved));
            json_object_set_new(o, "target_name", output_json_text(r->target_name));
            json_array_append_new(list, o);
        } else {
            /* the target and the error may quote the database: shown escaped */
            char *target = r->target_name ? utf8_show(r->target_name, 0) : utf8_show(r->target, 0),
                 *error = utf8_show(r->error, 0);
            char mark[96] = "";
            if (unapproved)
                snprintf(mark, sizeof mark, "  [NOT APPROVED: %zu of %d approvals]", approved, need);
            else if (approved)
                snprintf(mark, sizeof mark, "  [approved by %zu]", approved);
            fprintf(c->out, "%-5lld %-8s %-8s %-24s %8s %-9s %-8s %s%s%s%s\n", (long long)r->id,
                    r->kind, r->status, r->started_at, took, r->baseline_id ? base : "-", results,
                    target, mark, error ? "  — " : "", error ? error : "");
            free(target);
            free(error);
        }
        runs_targets_add(&by_target, r);
        run_record_free(r);
    }
    free(ids);
    if (!list && !rc && !c->target_name)
        runs_targets_print(&by_target, c->out);
    runs_targets_release(&by_target);
    approval_list_release(&approvals);
    if (list) {
        if (!rc) {
            json_dumpf(list, c->out, JSON_INDENT(2));
            fputc('\n', c->out);
        }
        json_decref(list);
    } else if (!rc && !n && c->target_name) {
        fprintf(c->out, "store %s holds no runs of target %s\n", store_path(c->st),
                c->target_name);
    } else if (!rc && !n) {
        fprintf(c->out, "store %s holds no runs yet\n", store_path(c->st));
    }
    if (!rc && !list)
        rc = print_expired(c, e);
    return rc;
}

static void print_problem(void *user, const char *line)
{
    cli *c = user;
    char *shown = redact_show(line);
    fprintf(c->out, "%s\n", shown);
    free(shown);
}

/* Validate the configuration and look up, in the target, every object it names; no check
 * runs and the store is left alone (it need not exist). */
static vexit cmd_check_config(cli *c, verr *e)
{
    if (c->n_args)
        return verr_set(e, VOUCH_USAGE, "check-config takes no arguments (got \"%s\")",
                        c->args[0]);
    run_request rq = {
        .cf = c->cf,
        .pg = {c->target ? c->target : c->settings.dsn, c->settings.connect_timeout_s,
               c->settings.statement_timeout_ms},
        .progress = c->verbosity > 0 ? print_progress : NULL,
    };
    size_t missing;
    vexit rc = runner_check_target(&rq, print_problem, c, &missing, e);
    if (rc)
        return rc;
    char *where = pg_dsn_describe(rq.pg.dsn);
    if (missing) {
        fprintf(c->out, "%s: %zu named object%s missing from %s\n", c->cf->path, missing,
                missing == 1 ? " is" : "s are", where);
        rc = VOUCH_FAILED;
    } else {
        fprintf(c->out, "%s: valid; every table, column, role, trigger and function it names"
                        " exists in %s\n", c->cf->path, where);
    }
    free(where);
    return rc;
}

static vexit cmd_config(cli *c, verr *e)
{
    if (c->n_args != 1 || strcmp(c->args[0], "check") != 0) {
        verr_set(e, VOUCH_USAGE, "config takes one subcommand: check");
        verr_hint(e, "Run 'vouch config check' (or 'vouch check-config').");
        return e->code;
    }
    c->n_args = 0;
    return cmd_check_config(c, e);
}

static vexit cmd_approve_run(cli *c, verr *e)
{
    approve_request rq = {c->st, &c->settings, &c->sign, c->note, c->args, c->n_args, c->out};
    return cmd_approve(&rq, e);
}

static vexit cmd_keygen(cli *c, verr *e)
{
    return sign_cmd_keygen(&c->sign, &c->settings.signing, c->n_args, c->out, e);
}

static vexit cmd_sign(cli *c, verr *e)
{
    return sign_cmd_sign(&c->sign, &c->settings.signing, c->args, c->n_args, c->out, e);
}

/* "N:DIGEST" as a gate printed it. */
static bool parse_head(const char *text, int64_t *pos, const char **digest)
{
    const char *colon = strchr(text, ':');
    char *pos_text = colon ? xstrndup(text, (size_t)(colon - text)) : NULL;
    bool good = pos_text && parse_int64(pos_text, pos) && *pos >= 1 &&
                strlen(colon + 1) == STORE_DIGEST_LEN &&
                strspn(colon + 1, "0123456789abcdef") == STORE_DIGEST_LEN;
    free(pos_text);
    *digest = good ? colon + 1 : NULL;
    return good;
}

static vexit cmd_verify(cli *c, verr *e)
{
    if (c->n_args && c->head)
        return verr_set(e, VOUCH_USAGE, "--head applies to verifying the store, not a FILE");
    if (c->n_args)
        return sign_cmd_verify(&c->sign, &c->settings.signing, c->args, c->n_args, c->out, e);
    if (c->sign.opt[SIGN_OPT_CERT])
        return verr_set(e, VOUCH_USAGE, "--cert applies to verifying a FILE, not the store");
    int64_t head_pos = 0;
    const char *head_digest = NULL;
    if (c->head && !parse_head(c->head, &head_pos, &head_digest)) {
        verr_set(e, VOUCH_USAGE, "--head expects POSITION:DIGEST, not \"%s\"", c->head);
        verr_hint(e, "Give it as a gate printed it after 'store head': 12: and 64 hex digits.");
        return e->code;
    }
    store_verdict v;
    vexit rc = store_verify(c->st, &v, e);
    if (!rc && head_digest)
        rc = store_verify_head(c->st, head_pos, head_digest, &v, e);
    if (rc)
        return rc;
    if (!v.ok && v.broken_drill) {
        fprintf(c->out, "store %s: BROKEN after %lld good runs and %lld good drills: %s\n",
                store_path(c->st), (long long)v.runs_checked, (long long)v.drills_checked,
                v.problem);
        return VOUCH_FAILED;
    }
    if (!v.ok) {
        fprintf(c->out, "store %s: BROKEN after %lld good runs: %s\n", store_path(c->st),
                (long long)v.runs_checked, v.problem);
        return VOUCH_FAILED;
    }
    fprintf(c->out, "store %s: chain intact: %lld sealed runs", store_path(c->st),
            (long long)v.runs_checked);
    if (v.drills_checked) /* drills have their own chain (docs/store.md) */
        fprintf(c->out, " and %lld sealed drill%s", (long long)v.drills_checked,
                v.drills_checked == 1 ? "" : "s");
    if (v.approvals_checked) /* and approvals theirs (docs/approvals.md) */
        fprintf(c->out, "%s %lld signed approval%s", v.drills_checked ? "," : " and",
                (long long)v.approvals_checked, v.approvals_checked == 1 ? "" : "s");
    fprintf(c->out, " verified\n");
    if (head_digest)
        fprintf(c->out, "head %lld:%.16s... is in the chain: runs 1 to %lld are as they were when"
                        " it was printed\n", (long long)head_pos, head_digest, (long long)head_pos);
    if (v.anchored_runs || v.anchored_drills || v.anchored_approvals) {
        fprintf(c->out, "head file %s: %lld run and %lld drill lines", store_anchor(c->st),
                (long long)v.anchored_runs, (long long)v.anchored_drills);
        if (v.anchored_approvals)
            fprintf(c->out, " and %lld approval line%s", (long long)v.anchored_approvals,
                    v.anchored_approvals == 1 ? "" : "s");
        fprintf(c->out, " match the store\n");
    }
    for (const char *n = v.note; *n;) {
        size_t len = strcspn(n, "\n");
        fprintf(c->out, "note: %.*s\n", (int)len, n);
        n += len + (n[len] == '\n');
    }
    return VOUCH_OK;
}

/* 'vouch store init|copy' (docs/store.md): the PostgreSQL store's own commands. */
static vexit cmd_store(cli *c, verr *e)
{
    const char *sub = c->n_args ? c->args[0] : "";
    bool init = strcmp(sub, "init") == 0, copy = strcmp(sub, "copy") == 0;
    if (!init && !copy) {
        verr_set(e, VOUCH_USAGE, "store needs init or copy%s%s%s", *sub ? " (not \"" : "", sub,
                 *sub ? "\")" : "");
        verr_hint(e, "Run 'vouch store --help'.");
        return e->code;
    }
    if (c->n_args > 1)
        return verr_set(e, VOUCH_USAGE, "store %s takes no more arguments", sub);
    if (init && (c->store_from || c->store_to))
        return verr_set(e, VOUCH_USAGE, "--from and --to apply to store copy");
    if (copy && (c->store_url || c->init.print))
        return verr_set(e, VOUCH_USAGE, "--url and --print apply to store init");
    if (copy)
        return store_copy(c->store_from, c->store_to, c->out, e);
    if (c->init.print) {
        char *sql = store_pg_script();
        fputs(sql, c->out);
        free(sql);
        return VOUCH_OK;
    }
    const char *url = c->store_url ? c->store_url
                      : c->store_path ? c->store_path
                                      : c->settings.store_path;
    return store_pg_init(url, c->out, e);
}

static drill_env drill_env_of(cli *c)
{
    return (drill_env){.args = c->args, .n_args = c->n_args, .opts = &c->drill,
                       .incident_at_ms = c->incident_at_ms, .target = c->target,
                       .target_name = c->selected, .cf = c->cf,
                       .settings = &c->settings, .st = c->st, .out = c->out, .format = c->format,
                       .verbosity = c->verbosity, .limit = c->limit, .color = c->oo.color,
                       .meter = c->meter};
}

static vexit cmd_drill(cli *c, verr *e)
{
    drill_env d = drill_env_of(c);
    return drill_command(&d, e);
}

static vexit cmd_drills(cli *c, verr *e)
{
    drill_env d = drill_env_of(c);
    return drills_command(&d, e);
}

static vexit run_report(cli *c, verr *e)
{
    report_request rq = {c->st, &c->settings, c->templates, c->format, c->output_path,
                         c->args, c->n_args, pack_cli_sign_mode(&c->pack), NULL};
    return cmd_report(&rq, e);
}

static vexit run_init(cli *c, verr *e)
{
    if (c->n_args)
        return verr_set(e, VOUCH_USAGE, "init takes no arguments (got \"%s\")", c->args[0]);
    if (c->format)
        return verr_set(e, VOUCH_USAGE, "--format does not apply to init: it writes vouch.conf");
    pg_options pg = {c->target, DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_STATEMENT_TIMEOUT_MS};
    return cmd_init(&c->init, &pg, c->output_path, stderr, e);
}

static vexit run_metrics(cli *c, verr *e)
{
    if (c->format)
        return verr_set(e, VOUCH_USAGE, "--format does not apply to metrics: it writes the"
                        " Prometheus text format");
    metrics_request rq = {c->st, &c->settings.objectives, c->output_path};
    return cmd_metrics(&rq, e);
}

static vexit run_pack(cli *c, verr *e)
{
    report_request rq = {c->st, &c->settings, NULL, c->format, NULL, c->args, c->n_args, SIGN_NEVER,
                         NULL};
    return cmd_pack(&rq, &c->pack, c->output_path, stdout, c->meter, e);
}

int main(int argc, char **argv)
{
    cli c = {0};
    verr e;
    verr_clear(&e);
    bool help = false, version = false;
    vexit rc;

    opterr = 0;
    if ((rc = parse_options(argc, argv, &c, NULL, &help, &version, &e))) {
        print_error(&e);
        return rc;
    }
    if (version) {
        printf("vouch %s\n", VOUCH_VERSION);
        return VOUCH_OK;
    }
    if (optind >= argc) {
        usage(help ? stdout : stderr);
        return help ? VOUCH_OK : VOUCH_USAGE;
    }
    const command *cmd = find_command(argv[optind]);
    if (!cmd) {
        if (strcmp(argv[optind], "help") == 0) {
            const command *about = optind + 1 < argc ? find_command(argv[optind + 1]) : NULL;
            if (about)
                command_usage(stdout, about);
            else
                usage(stdout);
            return VOUCH_OK;
        }
        const char *names[64];
        size_t n = 0;
        for (const command *k = commands; k->name && n < 64; k++)
            names[n++] = k->name;
        const char *near = suggest_closest(argv[optind], names, n);
        char *shown = utf8_show(argv[optind], 0);
        fprintf(stderr, "vouch: unknown command '%s'\n", shown);
        free(shown);
        if (near)
            fprintf(stderr, "hint: Did you mean 'vouch %s'? 'vouch --help' lists the commands.\n",
                    near);
        else
            fprintf(stderr, "hint: Run 'vouch --help' for the commands.\n");
        return VOUCH_USAGE;
    }
    /* Options after the command: getopt starts again on the command's own argv. */
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    optind = 0; /* 0, not 1: makes GNU getopt reinitialise, permutation included */
    if ((rc = parse_options(sub_argc, sub_argv, &c, cmd, &help, &version, &e))) {
        print_error(&e);
        return rc;
    }
    if (help) {
        command_usage(stdout, cmd);
        return VOUCH_OK;
    }
    if (version) {
        printf("vouch %s\n", VOUCH_VERSION);
        return VOUCH_OK;
    }
    c.args = sub_argv + optind;
    c.n_args = sub_argc - optind;

    interrupt_install();
    rc = check_arguments(&c, cmd, &e);
    if (!rc)
        rc = setup(&c, cmd, &e);
    if (!rc)
        rc = cmd->fn(&c, &e);
    if (rc && e.msg[0]) {
        fflush(stdout); /* the table first, where both streams go to one place */
        print_error_as(&e, c.error_shown);
    }

    verr written; /* the files of --format NAME:FILE, written now that the run is stored */
    verr_clear(&written);
    if (out_sinks_close(&c.sinks, &written)) {
        print_error(&written);
        if (!rc)
            rc = VOUCH_ABORTED;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "vouch: could not write to standard output\n");
        if (!rc)
            rc = VOUCH_ABORTED;
    }
    progress_free(c.meter);
    store_close(c.st);
    settings_release(&c.settings);
    init_cli_release(&c.init);
    conf_free(c.cf);
    conf_free(c.full);
    return rc;
}
