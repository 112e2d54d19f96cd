/* checks/audit_config: reading the [audit_log] section into audit_settings. */
#include <stdlib.h>
#include <string.h>

#include "checks/audit_log.h"
#include "src/sql_expr.h"
#include "src/util.h"

const conf_key audit_log_keys[] = {
    {"table", 0, "SCHEMA.TABLE", "The audit table (required)."},
    {"id_column", 0, "COLUMN", "Its id column (default id)."},
    {"time_column", 0, "COLUMN", "The column with each event's time (required)."},
    {"ids", 0, "sequential | unordered",
     "sequential (bigserial: ranges of ids, gaps matter; the default) or unordered (uuid, text:"
     " time buckets)."},
    {"range", 0, "N", "Ids per anchored range for sequential ids (default 10000)."},
    {"bucket", 0, "DURATION", "Width of a time bucket for unordered ids (default 1h)."},
    {"digest", 0, "SQL expression",
     "What the server digests per row (default: the row hash column with a chain, else the"
     " whole row's text)."},
    {"row_hash_column", 0, "COLUMN",
     "The hash chain's row-hash column (bytea); turns the chain on."},
    {"prev_hash_column", 0, "COLUMN", "The chain's previous-hash column (bytea)."},
    {"chain_algorithm", 0, "sha256", "The chain's hash (sha256, the default and only one)."},
    {"row_bytes", 0, "SQL expression", "The bytes each row hash covers after the previous hash."},
    {"row_layout", 0, "COLUMN:ENCODING, ...",
     "The same bytes declared as columns (int8, epoch_us, text, jsonb) joined with '|', built"
     " by vouch from the raw columns; checked on a sample against row_bytes when both are set."},
    {"rpo", 0, "DURATION", "The recovery point objective (default 24h)."},
    {"trigger", CONF_REPEATABLE, "SCHEMA.TABLE TRIGGER",
     "A trigger that writes the log; must exist and be enabled. Repeatable."},
    {"function", CONF_REPEATABLE, "SCHEMA.NAME",
     "A function that writes the log; must exist. Repeatable."},
    {NULL, 0, NULL, NULL},
};

void audit_settings_release(void *p)
{
    audit_settings *s = p;
    if (!s)
        return;
    qname_release(&s->table);
    free(s->id_column);
    free(s->time_column);
    free(s->digest);
    free(s->digest_at);
    free(s->row_hash_column);
    free(s->prev_hash_column);
    free(s->row_bytes);
    free(s->row_bytes_at);
    row_layout_release(&s->layout);
    free(s->row_layout_at);
    for (size_t i = 0; i < s->n_triggers; i++) {
        qname_release(&s->triggers[i].table);
        free(s->triggers[i].name);
    }
    free(s->triggers);
    for (size_t i = 0; i < s->n_functions; i++)
        qname_release(&s->functions[i]);
    free(s->functions);
    free(s);
}

static vexit configure_feeders(const conf *c, audit_settings *s, verr *e)
{
    char why[256];
    const conf_entry *ent;
    conf_seen seen = {0};
    vexit rc = VOUCH_OK;
    for (ent = NULL; !rc && (ent = conf_next(c, "audit_log", "trigger", ent));) {
        audit_trigger t = {0};
        const char *rest;
        if (!qname_parse(ent->value, "public", &t.table, &rest, why, sizeof why)) {
            rc = conf_error(e, c, ent, "%s", why);
            break;
        }
        while (*rest == ' ' || *rest == '\t')
            rest++;
        if (!*rest || !ident_parse(rest, &t.name, why, sizeof why)) {
            qname_release(&t.table);
            rc = conf_error(e, c, ent, "expected SCHEMA.TABLE TRIGGER, not \"%s\"", ent->value);
            break;
        }
        char *table = qname_display(t.table.schema, t.table.name);
        char *shown = xasprintf("%s %s", table, t.name);
        rc = conf_seen_add(&seen, c, ent, shown, e);
        free(shown);
        free(table);
        if (rc) {
            qname_release(&t.table);
            free(t.name);
            break;
        }
        grow((void **)&s->triggers, &s->cap_triggers, s->n_triggers + 1, sizeof *s->triggers);
        s->triggers[s->n_triggers++] = t;
    }
    conf_seen_release(&seen);
    for (ent = NULL; !rc && (ent = conf_next(c, "audit_log", "function", ent));) {
        qname q;
        if ((rc = conf_qname_once(c, ent, "function", &seen, &q, e)))
            break;
        grow((void **)&s->functions, &s->cap_functions, s->n_functions + 1, sizeof *s->functions);
        s->functions[s->n_functions++] = q;
    }
    conf_seen_release(&seen);
    return rc;
}

/* An SQL expression that vouch wraps in parentheses: nothing in it may end them or the
 * statement (src/sql_expr.h). *at gets "FILE:LINE" for the server's verdict later. */
static vexit conf_expression(const conf *c, const conf_entry *ent, char **out, char **at,
                             verr *e)
{
    char why[256];
    if (!sql_expr_lex_check(ent->value, why, sizeof why)) {
        conf_error(e, c, ent, "%s", why);
        verr_hint(e, "Give one SQL expression over the table's row (vouch_row); vouch puts it"
                     " in parentheses inside its own read-only queries.");
        return e->code;
    }
    *out = xstrdup(trim(ent->value));
    *at = xasprintf("%s:%d", c->path, ent->line);
    return VOUCH_OK;
}

static vexit configure_chain(const conf *c, audit_settings *s, verr *e)
{
    const conf_entry *rh = conf_get(c, "audit_log", "row_hash_column");
    const conf_entry *ph = conf_get(c, "audit_log", "prev_hash_column");
    const conf_entry *rb = conf_get(c, "audit_log", "row_bytes");
    const conf_entry *rl = conf_get(c, "audit_log", "row_layout");
    const conf_entry *alg = conf_get(c, "audit_log", "chain_algorithm");
    char why[256];
    if (alg && strcmp(alg->value, "sha256") != 0)
        return conf_error(e, c, alg, "unknown algorithm \"%s\": only sha256 is supported",
                          alg->value);
    if (!rh && !ph && !rb && !rl) {
        if (alg)
            return conf_error(e, c, alg,
                              "a chain needs row_hash_column, prev_hash_column and"
                              " row_bytes or row_layout");
        return VOUCH_OK;
    }
    const conf_entry *any = rh ? rh : ph ? ph : rb ? rb : rl;
    if (!rh || !ph || (!rb && !rl))
        return conf_error(e, c, any,
                          "a chain needs all of row_hash_column, prev_hash_column and"
                          " row_bytes or row_layout");
    if (s->unordered)
        return conf_error(e, c, any,
                          "a hash chain needs ids = sequential: the chain runs in id"
                          " order");
    if (!ident_parse(rh->value, &s->row_hash_column, why, sizeof why))
        return conf_error(e, c, rh, "%s", why);
    if (!ident_parse(ph->value, &s->prev_hash_column, why, sizeof why))
        return conf_error(e, c, ph, "%s", why);
    if (rl) {
        if (!row_layout_parse(rl->value, &s->layout, why, sizeof why)) {
            conf_error(e, c, rl, "%s", why);
            verr_hint(e, "Write row_layout = COLUMN:ENCODING, ... in the order the row bytes"
                         " join them, ENCODING one of int8, epoch_us, text, jsonb.");
            return e->code;
        }
        s->row_layout_at = xasprintf("%s:%d", c->path, rl->line);
    }
    return rb ? conf_expression(c, rb, &s->row_bytes, &s->row_bytes_at, e) : VOUCH_OK;
}

vexit audit_configure(const conf *c, void **out, verr *e)
{
    audit_settings *s = xcalloc(1, sizeof *s);
    s->range = 10000;
    s->bucket_ms = 3600000;
    s->rpo_ms = 24 * 3600000LL;
    vexit rc = VOUCH_OK;
    const conf_entry *ent = conf_get(c, "audit_log", "table");
    if (ent)
        rc = conf_qname(c, ent, "table", &s->table, e);
    /* Checked here, not with CONF_REQUIRED: the section may be absent altogether. */
    const conf_section *sec = conf_find_section(c, "audit_log");
    const char *required = !ent                                       ? "table"
                           : !conf_get(c, "audit_log", "time_column") ? "time_column"
                                                                      : NULL;
    if (!rc && required)
        rc = verr_set(e, VOUCH_USAGE, "%s:%d: [audit_log] is missing required key '%s'", c->path,
                      sec ? sec->line : 0, required);
    if (!rc)
        rc = conf_ident_key(c, "audit_log", "id_column", "id", &s->id_column, e);
    if (!rc)
        rc = conf_ident_key(c, "audit_log", "time_column", "", &s->time_column, e);
    if (!rc && (ent = conf_get(c, "audit_log", "ids"))) {
        if (strcmp(ent->value, "unordered") == 0)
            s->unordered = true;
        else if (strcmp(ent->value, "sequential") != 0)
            rc = conf_error(e, c, ent, "expected sequential or unordered, not \"%s\"", ent->value);
    }
    if (!rc && (ent = conf_get(c, "audit_log", "range"))) {
        if (s->unordered)
            rc = conf_error(e, c, ent,
                            "range is for sequential ids: use bucket with ids ="
                            " unordered");
        else
            rc = conf_int(c, ent, 1, 1000000000, &s->range, e);
    }
    if (!rc && (ent = conf_get(c, "audit_log", "bucket"))) {
        if (!s->unordered)
            rc = conf_error(e, c, ent,
                            "bucket is for ids = unordered: use range with sequential"
                            " ids");
        else if (!(rc = conf_duration_ms(c, ent, &s->bucket_ms, e)) && s->bucket_ms < 1000)
            rc = conf_error(e, c, ent, "a bucket must be at least 1s");
    }
    if (!rc && (ent = conf_get(c, "audit_log", "digest")))
        rc = conf_expression(c, ent, &s->digest, &s->digest_at, e);
    if (!rc && (ent = conf_get(c, "audit_log", "rpo")) &&
        !(rc = conf_duration_ms(c, ent, &s->rpo_ms, e)) && s->rpo_ms <= 0)
        rc = conf_error(e, c, ent, "the RPO must be longer than zero");
    if (!rc)
        rc = configure_chain(c, s, e);
    if (!rc)
        rc = configure_feeders(c, s, e);
    if (rc) {
        audit_settings_release(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}
