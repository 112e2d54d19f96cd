#include "src/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/interrupt.h"
#include "src/redact.h"
#include "src/util.h"

/* Connection options that are secrets or carry them; never shown or stored. */
static bool is_secret(const PQconninfoOption *o)
{
    return (o->dispchar && o->dispchar[0] == '*') || strcmp(o->keyword, "password") == 0 ||
           strcmp(o->keyword, "sslpassword") == 0 || strcmp(o->keyword, "passfile") == 0;
}

static void append_kv(char **acc, const char *k, const char *v)
{
    bool quote = !*v || strpbrk(v, " \t\n\r\v\f'\\") != NULL;
    char *quoted = xmalloc(strlen(v) * 2 + 3);
    char *q = quoted;
    if (quote)
        *q++ = '\'';
    for (const char *p = v; *p; p++) {
        if (quote && (*p == '\'' || *p == '\\'))
            *q++ = '\\';
        *q++ = *p;
    }
    if (quote)
        *q++ = '\'';
    *q = '\0';
    char *next = xasprintf("%s%s%s=%s", *acc ? *acc : "", *acc ? " " : "", k, quoted);
    free(quoted);
    free(*acc);
    *acc = next;
}

char *pg_dsn_describe(const char *dsn)
{
    static const char *shown[] = {"host", "hostaddr", "port", "dbname", "user", "service",
                                  "sslmode", "target_session_attrs", NULL};
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn ? dsn : "", &errmsg);
    if (!opts) {
        PQfreemem(errmsg);
        return xstrdup("(unparsable connection string)");
    }
    char *acc = NULL;
    /* Only the options that say where, in a fixed order; never a secret. */
    for (size_t i = 0; shown[i]; i++)
        for (PQconninfoOption *o = opts; o->keyword; o++)
            if (strcmp(o->keyword, shown[i]) == 0 && o->val && *o->val && !is_secret(o))
                append_kv(&acc, o->keyword, o->val);
    PQconninfoFree(opts);
    return acc ? acc : xstrdup("(libpq defaults)");
}

char *pg_dsn_without_secrets(const char *dsn)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = dsn && *dsn ? PQconninfoParse(dsn, &errmsg) : NULL;
    PQfreemem(errmsg);
    if (!opts)
        return NULL;
    char *acc = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val && *o->val && !is_secret(o))
            append_kv(&acc, o->keyword, o->val);
    PQconninfoFree(opts);
    return acc ? acc : xstrdup("");
}

vexit pg_dsn_check(const char *dsn, verr *e)
{
    if (!dsn || !*dsn)
        return VOUCH_OK;
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &errmsg);
    if (opts) {
        PQconninfoFree(opts);
        redact_remember_dsn(dsn); /* its password is masked wherever it turns up */
        return VOUCH_OK;
    }
    /* libpq quotes the token it stopped at, which may be the password, or the whole URI */
    char *shown = redact_conninfo_error(errmsg ? errmsg : "out of memory", dsn);
    PQfreemem(errmsg);
    trim(shown);
    verr_set(e, VOUCH_USAGE, "invalid connection string: %s", shown);
    free(shown);
    verr_hint(e, "Parts of the connection string are shown as *** because they may hold a"
                 " password; keep passwords in ~/.pgpass or PGPASSFILE rather than in it.");
    return e->code;
}

/* Describe the connection libpq actually made (or tried): no secret is read. */
static char *describe_conn(PGconn *conn)
{
    char *acc = NULL;
    const char *host = PQhost(conn), *port = PQport(conn), *db = PQdb(conn), *user = PQuser(conn);
    if (host && *host)
        append_kv(&acc, "host", host);
    if (port && *port)
        append_kv(&acc, "port", port);
    if (db && *db)
        append_kv(&acc, "dbname", db);
    if (user && *user)
        append_kv(&acc, "user", user);
    return acc ? acc : xstrdup("(libpq defaults)");
}

/* First line of libpq's message, without the trailing newline. */
/* libpq's message of a connection as one line into buf, and what it indents under it
 * ("\tIs the server running locally ...?", its own hint) into extra (may be NULL: then
 * appended to buf), each line as libpq punctuated it: lines of their own (one per host
 * tried, or a message and the indented one under it) are joined with "; ", an indented
 * line that goes on with the one above with a blank. */
static void conn_message_split(PGconn *conn, char *buf, size_t size, char *extra,
                               size_t extra_size)
{
    const char *m = conn ? PQerrorMessage(conn) : "out of memory";
    if (!m || !*m)
        m = "unknown error";
    size_t used = 0, extra_used = 0;
    bool prev_indented = false;
    buf[0] = '\0';
    if (extra)
        extra[0] = '\0';
    while (*m) {
        bool indented = *m == '\t' || *m == ' ';
        m += strspn(m, "\t ");
        size_t len = strcspn(m, "\n");
        while (len && (m[len - 1] == ' ' || m[len - 1] == '\r'))
            len--;
        if (len) {
            char *to = indented && extra ? extra : buf;
            size_t *at = indented && extra ? &extra_used : &used;
            size_t cap = indented && extra ? extra_size : size;
            /* an indented line under an indented one goes on with its sentence */
            const char *sep = *at == 0 ? "" : indented && prev_indented ? " " : "; ";
            if (*at < cap)
                *at += (size_t)snprintf(to + *at, cap - *at, "%s%.*s", sep, (int)len, m);
            prev_indented = indented;
        }
        m += strcspn(m, "\n");
        m += *m == '\n';
    }
}

static void conn_message(PGconn *conn, char *buf, size_t size)
{
    conn_message_split(conn, buf, size, NULL, 0);
}

static bool sqlstate_is(const PGresult *r, const char *code)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    return state && strcmp(state, code) == 0;
}

vexit pg_result_error(pg_session *s, PGresult *r, verr *e)
{
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL;
    char fallback[512];
    if (!primary) {
        conn_message(s->conn, fallback, sizeof fallback);
        primary = fallback;
    }
    vexit code = pg_session_broken(s) || interrupt_requested() ? VOUCH_ABORTED : VOUCH_FAILED;
    if (interrupt_requested())
        verr_set(e, code, "interrupted");
    else
        verr_set(e, code, "%s%s%s%s", primary, detail ? " (" : "", detail ? detail : "",
                 detail ? ")" : "");
    if (hint)
        verr_hint(e, "%s", hint);
    else if (r && (sqlstate_is(r, "22021") || sqlstate_is(r, "22P05")))
        verr_hint(e, "vouch reads every database as UTF-8; this one holds text that cannot be"
                     " converted to it (a SQL_ASCII database stores any bytes).");
    else if (strstr(primary, "row-level security"))
        verr_hint(e, "vouch must see every row: connect as a role with BYPASSRLS, as the tables'"
                     " owner, or as a superuser.");
    return code;
}

vexit pg_query(pg_session *s, PGresult **res, const char *sql, int nparams,
               const char *const *params, verr *e)
{
    *res = NULL;
    /* A signal cancels the query running then; the next one is not sent at all, so that
     * a check looping over many queries stops at once. */
    if (interrupt_requested())
        return verr_set(e, VOUCH_ABORTED, "interrupted");
    PGresult *r = PQexecParams(s->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        vexit rc = pg_result_error(s, r, e);
        PQclear(r);
        return rc;
    }
    *res = r;
    return VOUCH_OK;
}

vexit pg_exec(pg_session *s, const char *sql, verr *e)
{
    PGresult *r;
    vexit rc = pg_query(s, &r, sql, 0, NULL, e);
    PQclear(r);
    return rc;
}

char *pg_quote_ident(pg_session *s, const char *name)
{
    return PQescapeIdentifier(s->conn, name, strlen(name));
}

bool pg_session_broken(const pg_session *s)
{
    return !s || !s->conn || PQstatus(s->conn) != CONNECTION_OK;
}

void pg_cancel(PGconn *conn)
{
    PGcancel *c = PQgetCancel(conn);
    if (!c)
        return;
    char buf[256];
    (void)PQcancel(c, buf, sizeof buf);
    PQfreeCancel(c);
}

static char *dup_value(PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? NULL : xstrdup(PQgetvalue(r, 0, col));
}

/* Read after the snapshot is taken: this is the first statement of the transaction. */
static vexit read_identity(pg_session *s, verr *e)
{
    static const char sql[] =
        "SELECT current_setting('server_version'), current_setting('server_version_num'),"
        " CASE WHEN has_function_privilege('pg_catalog.pg_control_system()', 'execute')"
        "      THEN (SELECT system_identifier::text FROM pg_catalog.pg_control_system()) END,"
        " CASE WHEN has_function_privilege('pg_catalog.pg_control_checkpoint()', 'execute')"
        "      THEN (SELECT timeline_id::text FROM pg_catalog.pg_control_checkpoint()) END,"
        " CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()::text"
        "      ELSE pg_catalog.pg_current_wal_lsn()::text END,"
        " to_char(pg_catalog.clock_timestamp() AT TIME ZONE 'UTC',"
        "         'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
        " pg_catalog.current_database(), pg_catalog.host(pg_catalog.inet_server_addr()),"
        " current_setting('TimeZone'), pg_catalog.pg_is_in_recovery()";
    PGresult *r;
    vexit rc = pg_query(s, &r, sql, 0, NULL, e);
    if (rc)
        return rc;
    pg_identity *id = &s->id;
    id->server_version = dup_value(r, 0);
    id->server_version_num = atoi(PQgetvalue(r, 0, 1)); /* the server's own integer */
    id->system_identifier = dup_value(r, 2);
    id->timeline = dup_value(r, 3);
    id->lsn = dup_value(r, 4);
    id->snapshot_time = dup_value(r, 5);
    id->database = dup_value(r, 6);
    id->server_addr = dup_value(r, 7);
    id->timezone = dup_value(r, 8);
    id->in_recovery = PQgetvalue(r, 0, 9)[0] == 't';
    PQclear(r);
    return VOUCH_OK;
}

/* Session settings for every vouch connection: the statement timeout; a search_path that
 * no object of the target can hijack (vouch's own SQL is schema-qualified);
 * row_security off, as pg_dump sets it, so that a query RLS would filter fails loudly
 * instead of counting only the rows one tenant may see; and standard_conforming_strings
 * on, so that the server reads '...' in configured expressions as src/sql_expr.c does. */
static vexit set_session(pg_session *s, int64_t ms, verr *e)
{
    char value[32];
    snprintf(value, sizeof value, "%lld", (long long)ms);
    const char *params[] = {value};
    PGresult *r;
    vexit rc = pg_query(s, &r,
                        "SELECT pg_catalog.set_config('statement_timeout', $1, false),"
                        " pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false),"
                        " pg_catalog.set_config('row_security', 'off', false),"
                        " pg_catalog.set_config('standard_conforming_strings', 'on', false)",
                        1, params, e);
    PQclear(r);
    return rc;
}

/* The settings every later query relies on: what set_session set, what connect_only
 * asked for, the transaction's read-only mode and the text forms of values. */
static const char *const guarded_names[] = {
    "search_path",  "row_security", "standard_conforming_strings", "client_encoding",
    "transaction_read_only", "transaction_isolation", "statement_timeout", "TimeZone",
    "DateStyle",    "IntervalStyle", "extra_float_digits", "bytea_output", NULL};

static char *guard_sql(void)
{
    char *sql = xstrdup("SELECT");
    for (size_t i = 0; guarded_names[i]; i++) {
        char *next = xasprintf("%s%s pg_catalog.current_setting('%s')", sql, i ? "," : "",
                               guarded_names[i]);
        free(sql);
        sql = next;
    }
    return sql;
}

static size_t guarded_count(void)
{
    size_t n = 0;
    while (guarded_names[n])
        n++;
    return n;
}

/* The values as the session begins, inside its transaction. */
static vexit guard_record(pg_session *s, verr *e)
{
    char *sql = guard_sql();
    PGresult *r;
    vexit rc = pg_query(s, &r, sql, 0, NULL, e);
    free(sql);
    if (rc)
        return rc;
    size_t n = guarded_count();
    s->guarded = xcalloc(n, sizeof *s->guarded);
    for (size_t i = 0; i < n; i++)
        s->guarded[i] = xstrdup(PQgetvalue(r, 0, (int)i));
    PQclear(r);
    return VOUCH_OK;
}

vexit pg_session_guard(pg_session *s, verr *e)
{
    if (!s->guarded)
        return VOUCH_OK; /* not open yet */
    char *sql = guard_sql();
    PGresult *r;
    vexit rc = pg_query(s, &r, sql, 0, NULL, e);
    free(sql);
    if (rc)
        return rc;
    for (size_t i = 0; guarded_names[i]; i++) {
        const char *now = PQgetvalue(r, 0, (int)i);
        if (strcmp(now, s->guarded[i]) == 0)
            continue;
        verr_set(e, VOUCH_ABORTED,
                 "the target changed vouch's session setting %s from \"%s\" to \"%s\"",
                 guarded_names[i], s->guarded[i], now);
        verr_hint(e, "Code of the target database (a function that a configured expression,"
                     " query or probe calls) set it and kept it; nothing read after that can be"
                     " trusted. Look for set_config calls in the database's functions.");
        PQclear(r);
        return e->code;
    }
    PQclear(r);
    return VOUCH_OK;
}

vexit pg_contain_begin(pg_session *s, verr *e)
{
    return pg_exec(s, "SAVEPOINT vouch_contain", e);
}

vexit pg_contain_end(pg_session *s, verr *e)
{
    vexit rc;
    if ((rc = pg_exec(s, "ROLLBACK TO SAVEPOINT vouch_contain", e)) ||
        (rc = pg_exec(s, "RELEASE SAVEPOINT vouch_contain", e)))
        return e->code = VOUCH_ABORTED;
    return pg_session_guard(s, e);
}

vexit pg_query_contained(pg_session *s, PGresult **res, const char *sql, int nparams,
                         const char *const *params, verr *e)
{
    *res = NULL;
    if (pg_contain_begin(s, e))
        return e->code = VOUCH_ABORTED;
    verr step;
    verr_clear(&step);
    vexit rc = pg_query(s, res, sql, nparams, params, &step);
    vexit end = pg_contain_end(s, e);
    if (end) {
        PQclear(*res);
        *res = NULL;
        return end;
    }
    if (rc)
        *e = step;
    return rc;
}

static vexit connect_only(pg_session **out, const pg_options *o, char **target_out, verr *e)
{
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", o->connect_timeout_s);
    /* connect_timeout comes before the DSN so that the DSN may override it; application_name
     * comes after it so that every vouch session is recognisable in pg_stat_activity, and
     * client_encoding after it so that neither the DSN nor PGCLIENTENCODING can change what
     * the server sends: UTF-8, whatever the database's encoding, so that names and values
     * (and the digests over them) are the same bytes however vouch was started. */
    const char *keys[5], *vals[5];
    int n = 0;
    if (o->connect_timeout_s > 0) {
        keys[n] = "connect_timeout";
        vals[n++] = timeout;
    }
    if (o->dsn && *o->dsn) {
        keys[n] = "dbname";
        vals[n++] = o->dsn;
    }
    keys[n] = "application_name";
    vals[n++] = "vouch";
    keys[n] = "client_encoding";
    vals[n++] = "UTF8";
    keys[n] = vals[n] = NULL;
    redact_remember(getenv("PGPASSWORD"));
    vexit rc = pg_dsn_check(o->dsn, e);
    if (rc)
        return rc;
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    char *target = conn ? describe_conn(conn) : pg_dsn_describe(o->dsn);
    if (target_out)
        *target_out = xstrdup(target);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        char msg[768], libpq_hint[256];
        conn_message_split(conn, msg, sizeof msg, libpq_hint, sizeof libpq_hint);
        verr_set(e, VOUCH_ABORTED, "could not connect to \"%s\": %s", target, msg);
        verr_hint(e, "%s%sCheck --target, [target] dsn or the PG* environment variables.",
                  libpq_hint, libpq_hint[0] ? " " : "");
        free(target);
        PQfinish(conn);
        return e->code;
    }
    if (PQclientEncoding(conn) != pg_char_to_encoding("UTF8")) {
        verr_set(e, VOUCH_ABORTED, "server at \"%s\" does not send UTF-8 (client_encoding is %s)",
                 target, pg_encoding_to_char(PQclientEncoding(conn)));
        verr_hint(e, "vouch reads every database in UTF-8; the server must be able to convert"
                     " from the database's encoding.");
        free(target);
        PQfinish(conn);
        return e->code;
    }
    if (PQserverVersion(conn) < VOUCH_MIN_SERVER_VERSION) {
        verr_set(e, VOUCH_ABORTED,
                 "server at \"%s\" runs PostgreSQL %d.%d; vouch needs PostgreSQL 13 or later", target,
                 PQserverVersion(conn) / 10000, PQserverVersion(conn) / 100 % 100);
        free(target);
        PQfinish(conn);
        return e->code;
    }
    pg_session *s = xcalloc(1, sizeof *s);
    s->conn = conn;
    s->target = target;
    *out = s;
    return VOUCH_OK;
}

vexit pg_session_open(pg_session **out, const pg_options *o, char **target_out, verr *e)
{
    *out = NULL;
    pg_session *s;
    vexit rc = connect_only(&s, o, target_out, e);
    if (rc)
        return rc;
    interrupt_watch(s->conn);
    if ((rc = set_session(s, o->statement_timeout_ms, e)) ||
        (rc = pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e)) ||
        (rc = read_identity(s, e)) || (rc = guard_record(s, e))) {
        verr_prefix(e, "could not start a read-only snapshot on \"%s\"", s->target);
        e->code = rc = VOUCH_ABORTED;
        pg_session_close(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}

vexit pg_session_export_snapshot(pg_session *s, const char **id, verr *e)
{
    if (!s->snapshot) {
        PGresult *r;
        vexit rc = pg_query(s, &r, "SELECT pg_catalog.pg_export_snapshot()", 0, NULL, e);
        if (rc)
            return rc;
        s->snapshot = xstrdup(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    *id = s->snapshot;
    return VOUCH_OK;
}

vexit pg_session_open_worker(pg_session **out, const pg_session *leader, const pg_options *o,
                             verr *e)
{
    *out = NULL;
    if (!leader->snapshot)
        return verr_set(e, VOUCH_ABORTED, "no exported snapshot to share with a worker");
    pg_session *s;
    vexit rc = connect_only(&s, o, NULL, e);
    if (rc)
        return rc;
    if ((rc = set_session(s, o->statement_timeout_ms, e)) ||
        (rc = pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e))) {
        pg_session_close(s);
        return verr_set(e, VOUCH_ABORTED, "could not start a worker session: %s", e->msg);
    }
    /* SET TRANSACTION SNAPSHOT takes a literal, not a parameter: the id is quoted. */
    char *lit = PQescapeLiteral(s->conn, leader->snapshot, strlen(leader->snapshot));
    char *sql = xasprintf("SET TRANSACTION SNAPSHOT %s", lit);
    PQfreemem(lit);
    rc = pg_exec(s, sql, e);
    free(sql);
    if (!rc)
        rc = guard_record(s, e);
    if (rc) {
        pg_session_close(s);
        return verr_set(e, VOUCH_ABORTED, "could not adopt the run's snapshot: %s", e->msg);
    }
    *out = s;
    return VOUCH_OK;
}

static void identity_free(pg_identity *id)
{
    free(id->server_version);
    free(id->system_identifier);
    free(id->timeline);
    free(id->lsn);
    free(id->snapshot_time);
    free(id->database);
    free(id->server_addr);
    free(id->timezone);
}

void pg_session_share_identity(pg_session *worker, const pg_session *leader)
{
    pg_identity *to = &worker->id;
    const pg_identity *from = &leader->id;
    identity_free(to);
    *to = (pg_identity){
        .server_version = xstrdup(from->server_version),
        .server_version_num = from->server_version_num,
        .system_identifier = xstrdup(from->system_identifier),
        .timeline = xstrdup(from->timeline),
        .lsn = xstrdup(from->lsn),
        .snapshot_time = xstrdup(from->snapshot_time),
        .database = xstrdup(from->database),
        .server_addr = xstrdup(from->server_addr),
        .timezone = xstrdup(from->timezone),
        .in_recovery = from->in_recovery,
    };
}

void pg_session_close(pg_session *s)
{
    if (!s)
        return;
    interrupt_forget(s->conn);
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    PQfinish(s->conn);
    identity_free(&s->id);
    free(s->target);
    free(s->snapshot);
    if (s->guarded)
        for (size_t i = 0; guarded_names[i]; i++)
            free(s->guarded[i]);
    free(s->guarded);
    free(s);
}

vexit pg_savepoint(pg_session *s, verr *e)
{
    return pg_exec(s, "SAVEPOINT vouch_check", e);
}

vexit pg_rollback_savepoint(pg_session *s, verr *e)
{
    return pg_exec(s, "ROLLBACK TO SAVEPOINT vouch_check", e);
}

vexit pg_release_savepoint(pg_session *s, verr *e)
{
    return pg_exec(s, "RELEASE SAVEPOINT vouch_check", e);
}
