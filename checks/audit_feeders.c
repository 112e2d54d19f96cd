/* checks/audit_feeders: the objects that write the audit log — triggers (with
 * their enabled state) and functions — still exist after the restore, so the log
 * keeps being written once people are let back in. Catalog reads only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/audit_log.h"
#include "src/util.h"

/* tgenabled of a trigger into state ('O', 'D', 'R', 'A'); '\0' when it does not exist.
 * def (when not NULL, caller frees) gets its CREATE TRIGGER text: when it fires, for
 * what, and which function it runs. Every operator is qualified: the names compared are
 * of type name, and an operator of the target's must never be the one that decides. */
static vexit trigger_state(pg_session *db, const audit_trigger *t, char *state, char **def,
                           verr *e)
{
    const char *params[] = {t->table.schema, t->table.name, t->name};
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT t.tgenabled, pg_catalog.pg_get_triggerdef(t.oid)"
                        " FROM pg_catalog.pg_trigger t"
                        " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid"
                        " JOIN pg_catalog.pg_namespace n"
                        "  ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
                        " WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name"
                        " AND c.relname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
                        " AND t.tgname OPERATOR(pg_catalog.=) $3::pg_catalog.name"
                        " AND NOT t.tgisinternal",
                        3, params, e);
    if (rc)
        return rc;
    *state = PQntuples(r) ? PQgetvalue(r, 0, 0)[0] : '\0';
    if (def)
        *def = PQntuples(r) ? xstrdup(PQgetvalue(r, 0, 1)) : NULL;
    PQclear(r);
    return VOUCH_OK;
}

static vexit function_count(pg_session *db, const qname *f, int64_t *n, verr *e)
{
    const char *params[] = {f->schema, f->name};
    PGresult *r;
    vexit rc = pg_query(db, &r,
                        "SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc p"
                        " JOIN pg_catalog.pg_namespace n"
                        "  ON n.oid OPERATOR(pg_catalog.=) p.pronamespace"
                        " WHERE n.nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name"
                        " AND p.proname OPERATOR(pg_catalog.=) $2::pg_catalog.name",
                        2, params, e);
    if (rc)
        return rc;
    if (!parse_int64(PQgetvalue(r, 0, 0), n))
        *n = 0;
    PQclear(r);
    return VOUCH_OK;
}

static const char *state_words(char state)
{
    switch (state) {
    case 'O':
        return "enabled";
    case 'D':
        return "disabled";
    case 'R':
        return "replica only";
    case 'A':
        return "always";
    default:
        return "missing";
    }
}

vexit audit_feeders_capture(check_ctx *ctx, const audit_settings *s, json_t **out, verr *e)
{
    pg_session *db = check_db(ctx);
    json_t *list = json_array();
    vexit rc = VOUCH_OK;
    for (size_t i = 0; !rc && i < s->n_triggers; i++) {
        const audit_trigger *t = &s->triggers[i];
        char state;
        char *def = NULL;
        if ((rc = trigger_state(db, t, &state, &def, e)))
            break;
        char *table = qname_display(t->table.schema, t->table.name);
        if (!state) {
            rc = verr_set(e, VOUCH_USAGE, "audit_log: trigger %s on %s does not exist", t->name,
                          table);
            verr_hint(e, "Check [audit_log] trigger in the configuration, and that the baseline"
                         " runs against the healthy database.");
        } else {
            char st[2] = {state, '\0'};
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "trigger", t->name,
                                                  "table", table, "enabled", st, "definition",
                                                  def));
        }
        free(def);
        free(table);
    }
    for (size_t i = 0; !rc && i < s->n_functions; i++) {
        int64_t n;
        if ((rc = function_count(db, &s->functions[i], &n, e)))
            break;
        char *name = qname_display(s->functions[i].schema, s->functions[i].name);
        if (!n)
            rc = verr_set(e, VOUCH_USAGE, "audit_log: function %s does not exist", name);
        else
            json_array_append_new(
                list, json_pack("{s:s, s:I}", "function", name, "overloads", (json_int_t)n));
        free(name);
    }
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return VOUCH_OK;
}

static const json_t *baseline_entry(const json_t *feeders, const char *kind, const char *name,
                                    const char *table)
{
    size_t i;
    const json_t *f;
    json_array_foreach(feeders, i, f)
    {
        const char *n = json_string_value(json_object_get(f, kind));
        const char *t = json_string_value(json_object_get(f, "table"));
        if (n && strcmp(n, name) == 0 && (!table || (t && strcmp(t, table) == 0)))
            return f;
    }
    return NULL;
}

vexit audit_feeders_check(check_ctx *ctx, const audit_settings *s, const json_t *baseline, verr *e)
{
    pg_session *db = check_db(ctx);
    vexit rc = VOUCH_OK;
    for (size_t i = 0; !rc && i < s->n_triggers; i++) {
        const audit_trigger *t = &s->triggers[i];
        char state;
        char *def = NULL;
        if ((rc = trigger_state(db, t, &state, &def, e)))
            break;
        char *table = qname_display(t->table.schema, t->table.name);
        char *subject = xasprintf("trigger %s", t->name);
        const json_t *b = baseline_entry(baseline, "trigger", t->name, table);
        const char *bst = b ? json_string_value(json_object_get(b, "enabled")) : NULL;
        const char *bdef = b ? json_string_value(json_object_get(b, "definition")) : NULL;
        char was = bst && *bst ? bst[0] : 'O';
        const char *expected = state_words(was);
        if (!state)
            check_report(ctx, RESULT_FAIL, subject, expected, "missing",
                         "trigger %s on %s is gone, so the log is no longer written: recreate it"
                         " from the schema before reopening",
                         t->name, table);
        else if (state == 'D')
            check_report(ctx, RESULT_FAIL, subject, expected, "disabled",
                         "trigger %s is disabled, so the log is no longer written: run ALTER TABLE"
                         " %s ENABLE TRIGGER %s",
                         t->name, table, t->name);
        /* Replica-only triggers do not fire in an ordinary session: the application's
         * writes leave no audit row. */
        else if (state == 'R' && was != 'R')
            check_report(ctx, RESULT_FAIL, subject, expected, "replica only",
                         "trigger %s fires only for replication sessions now (%s in the"
                         " baseline), so the application's writes are not logged: run ALTER"
                         " TABLE %s ENABLE TRIGGER %s",
                         t->name, state_words(was), table, t->name);
        else if (bdef && strcmp(bdef, def) != 0)
            check_report(ctx, RESULT_FAIL, subject, bdef, def,
                         "trigger %s on %s was redefined since the baseline (when it fires, for"
                         " what, or the function it runs): recreate it from the schema",
                         t->name, table);
        /* Firing always (in replication sessions too) still writes the log. */
        else if (state != was && !(state == 'A' && was == 'O'))
            check_report(ctx, RESULT_WARN, subject, expected, state_words(state),
                         "trigger %s fires %s now, %s in the baseline: check"
                         " session_replication_role use",
                         t->name, state_words(state), state_words(was));
        else
            check_report(ctx, RESULT_PASS, subject, expected, state_words(state),
                         "trigger %s on %s exists and is %s", t->name, table, state_words(state));
        free(def);
        free(subject);
        free(table);
    }
    for (size_t i = 0; !rc && i < s->n_functions; i++) {
        int64_t n;
        if ((rc = function_count(db, &s->functions[i], &n, e)))
            break;
        char *name = qname_display(s->functions[i].schema, s->functions[i].name);
        char *subject = xasprintf("function %s", name);
        const json_t *b = baseline_entry(baseline, "function", name, NULL);
        json_int_t had = b ? json_integer_value(json_object_get(b, "overloads")) : 1;
        char expected[32], observed[32];
        snprintf(expected, sizeof expected, "%lld defined", (long long)had);
        snprintf(observed, sizeof observed, "%lld defined", (long long)n);
        if (!n)
            check_report(ctx, RESULT_FAIL, subject, expected, "missing",
                         "function %s is gone, so the log is no longer written: recreate it from"
                         " the schema before reopening",
                         name);
        else if (n < had)
            check_report(ctx, RESULT_FAIL, subject, expected, observed,
                         "function %s lost %lld of its overloads: recreate them from the schema",
                         name, (long long)(had - n));
        else
            check_report(ctx, RESULT_PASS, subject, expected, observed, "function %s exists", name);
        free(subject);
        free(name);
    }
    return rc;
}
