#include "checks/propose.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/utf8.h"

__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *s = xmalloc((size_t)(n < 0 ? 0 : n) + 1);
    vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    return s;
}

/* Comment lines hold at most this many bytes of text: readable, and well inside the
 * longest line libinih reads (INI_MAX_LINE, 200 on Debian). */
#define COMMENT_WIDTH 96
/* A key line must fit what libinih reads, with its newline. */
#define LINE_MAX_BYTES 190

/* The text as comment lines, wrapped at spaces (a word longer than a line is cut, at a
 * UTF-8 boundary), every part of it escaped so that no text can end the comment. */
static void comment_text(propose_ctx *p, const char *prefix, const char *text)
{
    char *all = xasprintf("%s%s", prefix, text);
    char *shown = utf8_show(all, 0);
    const char *s = shown;
    while (*s) {
        size_t n = strlen(s);
        if (n > COMMENT_WIDTH) {
            size_t cut = COMMENT_WIDTH;
            while (cut > COMMENT_WIDTH / 2 && s[cut] != ' ')
                cut--;
            if (s[cut] != ' ') {
                cut = COMMENT_WIDTH;
                while (cut > 1 && ((unsigned char)s[cut] & 0xC0) == 0x80)
                    cut--;
            }
            n = cut;
        }
        textbuf_add(&p->out, "# %.*s\n", (int)n, s);
        s += n;
        while (*s == ' ')
            s++;
    }
    free(shown);
    free(all);
}

void propose_comment(propose_ctx *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    comment_text(p, "", text);
    free(text);
}

void propose_section(propose_ctx *p, const char *header, const char *why, ...)
{
    textbuf_add(&p->out, "\n");
    if (why) {
        va_list ap;
        va_start(ap, why);
        char *text = vformat(why, ap);
        va_end(ap);
        comment_text(p, "", text);
        free(text);
    }
    textbuf_add(&p->out, "[%s]\n", header);
}

bool propose_value_ok(const char *value)
{
    size_t n = strlen(value);
    if (n == 0 || value[0] == ' ' || value[0] == '\t' || value[n - 1] == ' ' ||
        value[n - 1] == '\t')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)value[i];
        if (ch < 0x20 || ch == 0x7f)
            return false;
        if (ch == ';' && i > 0 && (value[i - 1] == ' ' || value[i - 1] == '\t'))
            return false;
    }
    return utf8_valid(value, n);
}

bool propose_key(propose_ctx *p, bool guess, const char *key, const char *value, const char *why,
                 ...)
{
    va_list ap;
    va_start(ap, why);
    char *text = vformat(why, ap);
    va_end(ap);
    bool ok = propose_value_ok(value) && strlen(key) + strlen(value) + 3 < LINE_MAX_BYTES;
    if (ok) {
        comment_text(p, guess ? "guess: " : "", text);
        textbuf_add(&p->out, "%s = %s\n", key, value);
        p->lines++;
        p->guesses += guess;
    } else {
        char *shown = utf8_show(value, 0);
        comment_text(p, "", text);
        char *left = xasprintf("left out: %s = %s (vouch.conf cannot hold a newline, a control "
                               "character, a ';' after a space or a line this long)", key, shown);
        comment_text(p, "", left);
        free(left);
        free(shown);
        p->skipped++;
    }
    free(text);
    return ok;
}

void propose_commented(propose_ctx *p, const char *key, const char *value, const char *why, ...)
{
    va_list ap;
    va_start(ap, why);
    char *text = vformat(why, ap);
    va_end(ap);
    comment_text(p, "", text);
    char *line = xasprintf("%s = %s", key, value);
    comment_text(p, "", line);
    free(line);
    free(text);
}

vexit propose_query(propose_ctx *p, PGresult **res, const char *sql, int nparams,
                    const char *const *params, verr *e)
{
    const char *all[8] = {p->schemas};
    for (int i = 0; i < nparams && i < 7; i++)
        all[i + 1] = params[i];
    return pg_query(p->db, res, sql, nparams + 1, all, e);
}

char *propose_instance_name(const char *table, char *const *used, size_t n_used)
{
    char base[56];
    size_t k = 0;
    for (const char *c = table; *c && k < sizeof base - 1; c++)
        base[k++] = (char)((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                                   (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'
                               ? *c
                               : '_');
    if (!k)
        base[k++] = 'x';
    base[k] = '\0';
    for (int i = 1;; i++) {
        char *name = i == 1 ? xstrdup(base) : xasprintf("%s-%d", base, i);
        bool taken = false;
        for (size_t j = 0; j < n_used && !taken; j++)
            taken = strcmp(used[j], name) == 0;
        if (!taken)
            return name;
        free(name);
    }
}

bool propose_is_audit(const propose_ctx *p, const char *schema, const char *name)
{
    for (size_t i = 0; i < p->n_audit; i++)
        if (strcmp(p->audit[i].schema, schema) == 0 && strcmp(p->audit[i].name, name) == 0)
            return true;
    return false;
}

/* The schemas as a text[] literal: each element double-quoted, '"' and '\' escaped. */
static char *array_literal(const char *const *names, size_t n)
{
    textbuf t = {0};
    textbuf_add(&t, "{");
    for (size_t i = 0; i < n; i++) {
        textbuf_add(&t, "%s\"", i ? "," : "");
        for (const char *c = names[i]; *c; c++)
            textbuf_add(&t, "%s%c", *c == '"' || *c == '\\' ? "\\" : "", *c);
        textbuf_add(&t, "\"");
    }
    textbuf_add(&t, "}");
    return t.p;
}

/* Every schema that holds a table of the application: not PostgreSQL's own, not an
 * extension's. */
static const char user_schemas_sql[] =
    "SELECT coalesce(array_agg(n.nspname ORDER BY n.nspname), '{}')::text"
    "  FROM pg_namespace n"
    " WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'"
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass"
    "                      AND d.objid = n.oid AND d.deptype = 'e')"
    "   AND EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid"
    "                  AND c.relkind IN ('r', 'p') AND NOT c.relispartition)";

typedef vexit (*proposer)(propose_ctx *p, verr *e);

/* One proposer inside a savepoint: a query it cannot run (a table it may not read)
 * becomes a comment in its place, and the others still run. */
static vexit run_one(propose_ctx *p, const char *name, proposer fn, verr *e)
{
    vexit rc = pg_savepoint(p->db, e);
    if (rc)
        return rc;
    size_t mark = p->out.len;
    verr local;
    verr_clear(&local);
    if ((rc = fn(p, &local))) {
        if (pg_session_broken(p->db)) {
            *e = local;
            return rc;
        }
        if (p->out.p) {
            p->out.len = mark;
            p->out.p[mark] = '\0';
        }
        textbuf_add(&p->out, "\n");
        propose_comment(p, "[%s] not proposed: %s", name, local.msg);
        if ((rc = pg_rollback_savepoint(p->db, e)))
            return rc;
        return VOUCH_OK;
    }
    return pg_release_savepoint(p->db, e);
}

vexit propose_config(pg_session *db, const propose_opts *o, char **text, size_t *lines,
                     size_t *guesses, verr *e)
{
    propose_ctx p = {.db = db, .schemas_given = o->n_schemas > 0};
    char *schemas = NULL;
    vexit rc = VOUCH_OK;
    if (o->n_schemas) {
        schemas = array_literal(o->schemas, o->n_schemas);
    } else {
        PGresult *r;
        if ((rc = pg_query(db, &r, user_schemas_sql, 0, NULL, e)))
            return rc;
        schemas = xstrdup(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    p.schemas = schemas;

    char now[32];
    utc_now(now, sizeof now);
    propose_comment(&p, "vouch.conf proposed by 'vouch init' from %s at %.19s UTC.",
                    o->source ? o->source : "the database", now);
    propose_comment(&p, "Review it line by line: each line says why it was proposed, and a guess");
    propose_comment(&p, "says it is one. Every key is described in docs/configuration.md.");
    propose_comment(&p, "Schemas looked at: %s", schemas);
    propose_section(&p, "target", "The healthy database; the gate points --target at the restore.");
    if (o->dsn_line)
        propose_key(&p, false, "dsn", o->dsn_line, "as given to vouch init, without a password");
    else
        propose_comment(&p, "dsn: libpq's defaults (PG* variables, service file) were used");
    propose_section(&p, "store", NULL);
    propose_key(&p, false, "path", "vouch.db", "the evidence store, beside this file");

    /* audit_log first, into a buffer of its own: what it finds steers rowcount and
     * share_tokens; its section is written where a reader expects it. */
    textbuf before = p.out;
    p.out = (textbuf){0};
    rc = run_one(&p, "audit_log", propose_audit_log, e);
    textbuf audit = p.out;
    p.out = before;
    static const struct {
        const char *name;
        proposer fn;
    } order[] = {
        {"rowcount", propose_rowcount}, {"rls", propose_rls},
        {"share_tokens", propose_share_tokens}, {"settings", propose_settings},
    };
    for (size_t i = 0; !rc && i < sizeof order / sizeof order[0]; i++)
        rc = run_one(&p, order[i].name, order[i].fn, e);
    if (!rc && audit.p)
        textbuf_add(&p.out, "%s", audit.p);
    if (!rc)
        rc = run_one(&p, "residency", propose_unmeasured, e);
    free(audit.p);
    for (size_t i = 0; i < p.n_audit; i++) {
        free(p.audit[i].schema);
        free(p.audit[i].name);
    }
    free(p.audit);
    free(schemas);
    if (rc) {
        free(p.out.p);
        return rc;
    }
    *text = p.out.p;
    *lines = p.lines;
    *guesses = p.guesses;
    return VOUCH_OK;
}
