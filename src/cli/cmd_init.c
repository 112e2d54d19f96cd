#include "src/cli/cmd_init.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks/propose.h"
#include "evidence/atomic_write.h"
#include "src/util.h"

static const char *const opt_names[INIT_OPT_COUNT] = {"schema", "force", "print"};

vexit init_cli_option(init_cli *o, const char *command, int which, const char *value, verr *e)
{
    if (!command || strcmp(command, "init") != 0) {
        verr_set(e, VOUCH_USAGE, "option --%s does not apply%s%s", opt_names[which],
                 command ? " to " : " before a command", command ? command : "");
        verr_hint(e, "Run 'vouch %s%s--help'.", command ? command : "", command ? " " : "");
        return e->code;
    }
    if (which == INIT_OPT_SCHEMA) {
        if (!value[0])
            return verr_set(e, VOUCH_USAGE, "--schema needs a schema name");
        o->schemas = xrealloc(o->schemas, (o->n_schemas + 1) * sizeof *o->schemas);
        o->schemas[o->n_schemas++] = value;
    } else if (which == INIT_OPT_FORCE) {
        o->force = true;
    } else {
        o->print = true;
    }
    return VOUCH_OK;
}

void init_cli_release(init_cli *o)
{
    free(o->schemas);
    o->schemas = NULL;
    o->n_schemas = 0;
}

void init_cli_usage(FILE *f, const char *command)
{
    if (strcmp(command, "init") != 0)
        return;
    fprintf(f, "\n      --target DSN    the database to propose for (default libpq's PG* defaults)\n"
               "      --schema S      look at schema S only; repeatable (default every schema\n"
               "                      holding tables, but PostgreSQL's and extensions' own)\n"
               "      --out FILE      where to write it (default vouch.conf); never overwrites\n"
               "      --force         replace FILE if it exists\n"
               "      --print         write it to standard output instead, for review\n"
               "\nThe database is only read, inside one read-only snapshot. Every proposed line\n"
               "says why; a guess says so. Review it, then 'vouch baseline'.\n");
}

vexit init_dsn_without_password(const char *dsn, char **out, verr *e)
{
    *out = NULL;
    if (!dsn || !dsn[0])
        return VOUCH_OK;
    /* libpq's message may quote the DSN: say only that it does not parse */
    if (!(*out = pg_dsn_without_secrets(dsn)))
        return verr_set(e, VOUCH_USAGE, "--target: libpq cannot parse the connection string");
    if (!**out) { /* a password and nothing else: libpq's defaults say where */
        free(*out);
        *out = NULL;
    }
    return VOUCH_OK;
}

vexit cmd_init(const init_cli *o, const pg_options *pg, const char *out_path, FILE *err,
               verr *e)
{
    bool to_stdout = o->print || (out_path && strcmp(out_path, "-") == 0);
    const char *path = out_path && !to_stdout ? out_path : "vouch.conf";
    if (o->print && out_path && strcmp(out_path, "-") != 0)
        return verr_set(e, VOUCH_USAGE, "give --print or --out FILE, not both");
    /* an existing file is refused before connecting: nothing is read for nothing */
    if (!to_stdout && !o->force && access(path, F_OK) == 0) {
        verr_set(e, VOUCH_USAGE, "%s exists: vouch init does not overwrite it", path);
        verr_hint(e, "Give --out NEW-FILE, --print to review it, or --force to replace it.");
        return e->code;
    }
    char *dsn_line = NULL;
    vexit rc = init_dsn_without_password(pg->dsn, &dsn_line, e);
    if (rc)
        return rc;
    pg_session *db = NULL;
    char *target = NULL;
    if ((rc = pg_session_open(&db, pg, &target, e))) {
        free(dsn_line);
        free(target);
        return rc;
    }
    propose_opts po = {o->schemas, o->n_schemas, dsn_line, target};
    char *text = NULL;
    size_t lines = 0, guesses = 0;
    rc = propose_config(db, &po, &text, &lines, &guesses, e);
    pg_session_close(db);
    if (!rc) {
        if (to_stdout) {
            if (fputs(text, stdout) == EOF || fflush(stdout) != 0)
                rc = verr_set(e, VOUCH_ABORTED, "could not write to standard output");
        } else {
            rc = atomic_write(path, text, strlen(text), 0644, o->force, e);
        }
    }
    if (!rc)
        fprintf(err, "vouch init: %s%s: %zu lines proposed (%zu of them guesses) from %s\n"
                     "Review every line, then run 'vouch -c %s baseline'.\n",
                to_stdout ? "wrote the configuration to standard output" : "wrote ",
                to_stdout ? "" : path, lines, guesses, target, to_stdout ? "FILE" : path);
    free(text);
    free(target);
    free(dsn_line);
    return rc;
}
