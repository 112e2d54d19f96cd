/* rls: row-level security, owners, grants and the application roles are as the
 * baseline captured them. The catalog is read by rls_catalog.c, compared by
 * rls_diff.c (pure), and a behavioural probe runs in rls_probe.c; this file reads
 * the [rls] section and reports one finding per table, schema, role and probe. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "checks/rls.h"
#include "checks/target.h"
#include "checks/rls_diff.h"
#include "src/util.h"

static const conf_key rls_keys[] = {
    {"table", CONF_REPEATABLE, "SCHEMA.TABLE",
     "A protected table: RLS must be on and its policies as at the baseline; repeatable."},
    {"schema", CONF_REPEATABLE, "SCHEMA",
     "Protect every table in this schema; a table new since the baseline must have RLS on."},
    {"exclude", CONF_REPEATABLE, "SCHEMA.TABLE", "A table of a protected schema left out."},
    {"force", CONF_REPEATABLE, "SCHEMA.TABLE",
     "A protected table that must also have FORCE ROW LEVEL SECURITY; repeatable."},
    {"role", CONF_REPEATABLE, "ROLE",
     "An application role: its attributes, memberships and grants are compared; repeatable."},
    {"probe", CONF_REPEATABLE, "ROLE SCHEMA.TABLE COLUMN=VALUE [SETTING=VALUE ...]",
     "As ROLE with the settings, no row of TABLE whose COLUMN is not VALUE may be visible."},
    {NULL, 0, NULL, NULL},
};

static void names_release(rls_names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static void qnames_release(rls_qnames *l)
{
    for (size_t i = 0; i < l->n; i++)
        qname_release(&l->v[i]);
    free(l->v);
}

static void probe_release(rls_probe_conf *p)
{
    free(p->role);
    qname_release(&p->table);
    free(p->column);
    free(p->value);
    for (size_t i = 0; i < p->n_settings; i++) {
        free(p->names[i]);
        free(p->values[i]);
    }
    free(p->names);
    free(p->values);
    free(p->text);
}

static void release(void *ptr)
{
    rls_settings *s = ptr;
    if (!s)
        return;
    qnames_release(&s->tables);
    qnames_release(&s->force);
    qnames_release(&s->excludes);
    names_release(&s->schemas);
    names_release(&s->roles);
    for (size_t i = 0; i < s->n_probes; i++)
        probe_release(&s->probes[i]);
    free(s->probes);
    free(s);
}

static vexit read_qnames(const conf *c, const char *key, rls_qnames *l, verr *e)
{
    conf_seen seen = {0};
    vexit rc = VOUCH_OK;
    for (const conf_entry *ent = NULL; !rc && (ent = conf_next(c, "rls", key, ent));) {
        qname q;
        if ((rc = conf_qname_once(c, ent, "table", &seen, &q, e)))
            break;
        grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
        l->v[l->n++] = q;
    }
    conf_seen_release(&seen);
    return rc;
}

static vexit read_names(const conf *c, const char *key, rls_names *l, verr *e)
{
    conf_seen seen = {0};
    vexit rc = VOUCH_OK;
    for (const conf_entry *ent = NULL; !rc && (ent = conf_next(c, "rls", key, ent));) {
        char *name;
        if ((rc = conf_ident(c, ent, &name, e)))
            break;
        if ((rc = conf_seen_add(&seen, c, ent, name, e))) {
            free(name);
            break;
        }
        grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
        l->v[l->n++] = name;
    }
    conf_seen_release(&seen);
    return rc;
}

/* One word of a probe: NAME, or NAME=VALUE. A "..." part of a name is kept as written
 * (ident_parse reads it: a quoted name may hold blanks); a value that starts with ' or "
 * runs to the matching quote, a doubled quote inside standing for one, so that values
 * may hold blanks ({"sub": "u1"}). */
typedef struct probe_word {
    char *name;   /* NULL at the end */
    char *value;  /* NULL when the word has no '=' */
} probe_word;

static void probe_word_release(probe_word *w)
{
    free(w->name);
    free(w->value);
    *w = (probe_word){0};
}

/* The quoted text at *p (on its opening quote) without its quotes into t; false when it
 * is not closed. *p ends after the closing quote. */
static bool read_quoted(const char **p, textbuf *t, bool keep_quotes)
{
    char q = **p;
    const char *s = *p + 1;
    if (keep_quotes)
        textbuf_add(t, "%c", q);
    for (;; s++) {
        if (!*s)
            return false;
        if (*s == q) {
            if (s[1] != q)
                break;
            s++;
            if (keep_quotes)
                textbuf_add(t, "%c", q);
        }
        textbuf_add(t, "%c", *s);
    }
    if (keep_quotes)
        textbuf_add(t, "%c", q);
    *p = s + 1;
    return true;
}

static vexit next_word(const conf *c, const conf_entry *ent, const char **p, probe_word *w,
                       verr *e)
{
    const char *s = *p;
    *w = (probe_word){0};
    while (isspace((unsigned char)*s))
        s++;
    if (!*s) {
        *p = s;
        return VOUCH_OK;
    }
    textbuf name = {0}, value = {0};
    bool has_value = false;
    while (*s && !isspace((unsigned char)*s) && !has_value) {
        if (*s == '"') {
            if (!read_quoted(&s, &name, true)) {
                free(name.p);
                return conf_error(e, c, ent, "a quoted name is not closed: add the closing \"");
            }
        } else if (*s == '=') {
            has_value = true;
            s++;
        } else {
            textbuf_add(&name, "%c", *s++);
        }
    }
    if (has_value && (*s == '\'' || *s == '"')) {
        char q = *s;
        if (!read_quoted(&s, &value, false)) {
            vexit rc = conf_error(e, c, ent, "the quoted value of %s is not closed: add the"
                                  " closing %c", name.p ? name.p : "?", q);
            free(name.p);
            free(value.p);
            return rc;
        }
        if (*s && !isspace((unsigned char)*s)) {
            vexit rc = conf_error(e, c, ent, "expected a blank after the quoted value of %s,"
                                  " found \"%c\"", name.p ? name.p : "?", *s);
            free(name.p);
            free(value.p);
            return rc;
        }
    } else if (has_value) {
        while (*s && !isspace((unsigned char)*s))
            textbuf_add(&value, "%c", *s++);
    }
    *p = s;
    w->name = name.p ? name.p : xstrdup("");
    if (has_value)
        w->value = value.p ? value.p : xstrdup("");
    return VOUCH_OK;
}

/* The word as written back, for messages. Caller frees. */
static char *word_text(const probe_word *w)
{
    return w->value ? xasprintf("%s=%s", w->name, w->value) : xstrdup(w->name);
}

/* A custom setting name as set_config takes it: letters, digits, '_' and '.', with a dot
 * ("app.tenant_id"). Built-in settings (transaction_read_only, search_path, role) are
 * the session's own: a probe never sets them. */
static bool setting_name_ok(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!*s || isdigit((unsigned char)*s) || !dot || dot == s || !dot[1])
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
            return false;
    return true;
}

static vexit parse_probe(const conf *c, const conf_entry *ent, rls_probe_conf *p, verr *e)
{
    char why[256];
    const char *cur = ent->value;
    probe_word w;
    vexit rc;
    *p = (rls_probe_conf){.text = xstrdup(ent->value)};
    if ((rc = next_word(c, ent, &cur, &w, e)))
        goto out;
    if (!w.name || w.value || !ident_parse(w.name, &p->role, why, sizeof why)) {
        rc = conf_error(e, c, ent, "expected ROLE SCHEMA.TABLE COLUMN=VALUE [SETTING=VALUE ...]");
        goto out;
    }
    probe_word_release(&w);
    if ((rc = next_word(c, ent, &cur, &w, e)))
        goto out;
    if (!w.name || w.value || !qname_parse(w.name, "public", &p->table, NULL, why, sizeof why)) {
        char *shown = w.name ? word_text(&w) : NULL;
        rc = conf_error(e, c, ent, "expected a table after the role%s%s", shown ? ": " : "",
                        !shown ? "" : w.value ? "\"=\" is not part of a table name" : why);
        free(shown);
        goto out;
    }
    probe_word_release(&w);
    for (bool first = true; !(rc = next_word(c, ent, &cur, &w, e)) && w.name; first = false) {
        if (!w.value || !*w.name) {
            char *shown = word_text(&w);
            rc = conf_error(e, c, ent, "expected NAME=VALUE, found \"%s\"", shown);
            free(shown);
            goto out;
        }
        if (first) {
            if (!ident_parse(w.name, &p->column, why, sizeof why)) {
                rc = conf_error(e, c, ent, "tenant column: %s", why);
                goto out;
            }
            p->value = w.value;
            w.value = NULL;
        } else {
            if (!setting_name_ok(w.name)) {
                rc = conf_error(e, c, ent,
                                "\"%s\" is not a custom setting name (such as app.tenant_id):"
                                " a probe sets no built-in setting",
                                w.name);
                goto out;
            }
            p->names = xrealloc(p->names, (p->n_settings + 1) * sizeof *p->names);
            p->values = xrealloc(p->values, (p->n_settings + 1) * sizeof *p->values);
            p->names[p->n_settings] = w.name;
            p->values[p->n_settings++] = w.value;
            w = (probe_word){0};
        }
        probe_word_release(&w);
    }
    if (!rc && !p->column)
        rc = conf_error(e, c, ent, "expected the tenant COLUMN=VALUE after the table");
out:
    probe_word_release(&w);
    if (rc)
        probe_release(p);
    return rc;
}

static vexit configure(const conf *c, void **out, verr *e)
{
    rls_settings *s = xcalloc(1, sizeof *s);
    vexit rc;
    if (!(rc = read_qnames(c, "table", &s->tables, e)) &&
        !(rc = read_qnames(c, "force", &s->force, e)) &&
        !(rc = read_qnames(c, "exclude", &s->excludes, e)) &&
        !(rc = read_names(c, "schema", &s->schemas, e)))
        rc = read_names(c, "role", &s->roles, e);
    for (const conf_entry *ent = NULL; !rc && (ent = conf_next(c, "rls", "probe", ent));) {
        rls_probe_conf p;
        if ((rc = parse_probe(c, ent, &p, e)))
            break;
        grow((void **)&s->probes, &s->cap_probes, s->n_probes + 1, sizeof *s->probes);
        s->probes[s->n_probes++] = p;
    }
    if (!rc && !s->tables.n && !s->force.n && !s->schemas.n) {
        const conf_section *sec = conf_find_section(c, "rls");
        rc = verr_set(e, VOUCH_USAGE,
                      "%s:%d: [rls] protects no table: add 'table =', 'force =' or 'schema ='",
                      c->path, sec ? sec->line : 0);
    }
    if (rc) {
        release(s);
        return rc;
    }
    *out = s;
    return VOUCH_OK;
}

/* ------------------------------------------------------------------ lookups */

static const char *sv(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static const json_t *find_table(const json_t *tables, const char *schema, const char *name)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tables, i, t) {
        const char *ts = sv(t, "schema"), *tn = sv(t, "table");
        if (ts && tn && strcmp(ts, schema) == 0 && strcmp(tn, name) == 0)
            return t;
    }
    return NULL;
}

static const json_t *find_named(const json_t *arr, const char *key, const char *name)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        const char *n = sv(v, key);
        if (n && strcmp(n, name) == 0)
            return v;
    }
    return NULL;
}

/* ------------------------------------------------------------------ capture */

static vexit capture(check_ctx *ctx, void *p, json_t **out, verr *e)
{
    rls_settings *s = p;
    json_t *doc;
    vexit rc = rls_catalog_read(check_db(ctx), s, &doc, e);
    if (rc)
        return rc;
    const json_t *tables = json_object_get(doc, "tables");
    const rls_qnames *lists[] = {&s->tables, &s->force};
    for (size_t k = 0; k < 2 && !rc; k++)
        for (size_t i = 0; i < lists[k]->n && !rc; i++)
            if (!find_table(tables, lists[k]->v[i].schema, lists[k]->v[i].name)) {
                char *d = qname_display(lists[k]->v[i].schema, lists[k]->v[i].name);
                rc = verr_set(e, VOUCH_USAGE, "table %s does not exist", d);
                verr_hint(e, "Check [rls] %s in the configuration, and that the baseline runs"
                             " against the healthy database.", k ? "force" : "table");
                free(d);
            }
    for (size_t i = 0; i < s->schemas.n && !rc; i++)
        if (!find_named(json_object_get(doc, "schemas"), "schema", s->schemas.v[i]))
            rc = verr_set(e, VOUCH_USAGE, "schema %s does not exist", s->schemas.v[i]);
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(doc, "roles"), i, r) {
        if (!rc && !json_is_true(json_object_get(r, "exists")))
            rc = verr_set(e, VOUCH_USAGE, "role %s does not exist", sv(r, "role"));
    }
    if (!rc && json_array_size(tables) == 0)
        rc = verr_set(e, VOUCH_USAGE, "the configured schemas hold no table to protect");
    /* The probes' counts, keyed by the probe as written: an object, so that the
     * baseline's summary still counts tables, schemas and roles. */
    json_t *probes = json_object();
    for (size_t k = 0; k < s->n_probes && !rc; k++) {
        json_t *one;
        if (!(rc = rls_probe_capture(ctx, &s->probes[k], &one, e)))
            json_object_set_new(probes, s->probes[k].text, one);
    }
    json_object_set_new(doc, "probes", probes);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return VOUCH_OK;
}

/* ------------------------------------------------------------------- check */

static void add_name(json_t *names, const char *s)
{
    if (!s)
        return;
    size_t i;
    const json_t *v;
    json_array_foreach(names, i, v) {
        if (strcmp(json_string_value(v), s) == 0)
            return;
    }
    json_array_append_new(names, json_string(s));
}

/* The grantee of "PRIV TO grantee[ WITH GRANT OPTION]". */
static void add_grantees(json_t *names, const json_t *grants)
{
    size_t i;
    const json_t *g;
    json_array_foreach(grants, i, g) {
        const char *s = json_string_value(g), *to = s ? strstr(s, " TO ") : NULL;
        if (!to)
            continue;
        const char *opt = strstr(to + 4, " WITH GRANT OPTION");
        char *who = opt ? xstrndup(to + 4, (size_t)(opt - to - 4)) : xstrdup(to + 4);
        add_name(names, who);
        free(who);
    }
}

/* Every role name the baseline's policies and grants mention. */
static json_t *names_in_baseline(const json_t *baseline)
{
    json_t *names = json_array();
    size_t i, j, k;
    const json_t *t, *p, *r;
    json_array_foreach(json_object_get(baseline, "tables"), i, t) {
        json_array_foreach(json_object_get(t, "policies"), j, p) {
            json_array_foreach(json_object_get(p, "roles"), k, r) {
                add_name(names, json_string_value(r));
            }
        }
        add_grantees(names, json_object_get(t, "grants"));
    }
    json_array_foreach(json_object_get(baseline, "schemas"), i, t) {
        add_grantees(names, json_object_get(t, "grants"));
    }
    return names;
}

static void report(check_ctx *ctx, const char *subject, rls_findings *f, const char *expected,
                   const char *observed, const char *same_reason)
{
    if (!f->n) {
        check_report(ctx, RESULT_PASS, subject, expected, observed, "%s", same_reason);
        return;
    }
    if (f->n > 1)
        check_report(ctx, rls_status(f->worst), subject, expected, observed,
                     "%s (+%zu more, see detail)", f->reason, f->n - 1);
    else
        check_report(ctx, rls_status(f->worst), subject, expected, observed, "%s", f->reason);
    check_detail(ctx, f->detail);
}

static void judge_table(check_ctx *ctx, const rls_settings *s, const char *schema,
                        const char *name, const json_t *base, const json_t *now,
                        const json_t *absent)
{
    char *d = qname_display(schema, name);
    rls_rules rules = {rls_qnames_has(&s->tables, schema, name) ||
                           rls_qnames_has(&s->force, schema, name),
                       rls_qnames_has(&s->force, schema, name)};
    rls_findings f;
    rls_findings_init(&f);
    char expected[RLS_SUMMARY_SIZE], observed[RLS_SUMMARY_SIZE];
    rls_table_summary(base, expected, sizeof expected);
    rls_table_summary(now, observed, sizeof observed);
    if (!base && !now)
        rls_findings_add(&f, RLS_CRITICAL, "table does not exist and is not in the baseline", NULL);
    else
        rls_compare_table(d, base, now, &rules, absent, &f);
    if (f.n)
        rls_table_contrast(base, now, expected, sizeof expected, observed, sizeof observed);
    report(ctx, d, &f, base ? expected : "(not in baseline)", observed,
           "RLS, policies, owner and grants as at the baseline");
    rls_findings_release(&f);
    free(d);
}

static void judge_view(check_ctx *ctx, const char *name, const json_t *base, const json_t *now,
                       const json_t *absent)
{
    rls_findings f;
    rls_findings_init(&f);
    char expected[RLS_SUMMARY_SIZE], observed[RLS_SUMMARY_SIZE];
    rls_view_summary(base, expected, sizeof expected);
    rls_view_summary(now, observed, sizeof observed);
    rls_compare_view(name, base, now, absent, &f);
    if (f.n)
        rls_other_contrast(base, now, expected, sizeof expected, observed, sizeof observed);
    const char *kind = sv(now ? now : base, "kind");
    char *subject = xasprintf("%s %s", kind ? kind : "view", name);
    report(ctx, subject, &f, base ? expected : "(not in baseline)", observed,
           "definition, owner, security_invoker and grants as at the baseline");
    free(subject);
    rls_findings_release(&f);
}

/* The views and materialized views over the protected tables: those of the baseline, then
 * the new ones an application role can read. A baseline of an older vouch has none: one
 * warning asks for a new baseline, naming how many such views the application can read now. */
static void judge_views(check_ctx *ctx, const json_t *bviews, const json_t *nviews,
                        const json_t *absent)
{
    const char *name;
    const json_t *v;
    if (!json_is_object(bviews)) {
        size_t readable = 0;
        json_object_foreach((json_t *)nviews, name, v) {
            readable += rls_view_readable(v);
        }
        check_report(ctx, RESULT_WARN, "views", "(not in baseline)", NULL,
                     "the baseline holds no views over the protected tables (taken by an older"
                     " vouch), %zu readable by the application now are not judged; run 'vouch"
                     " baseline' to cover them", readable);
        return;
    }
    json_object_foreach((json_t *)bviews, name, v) {
        judge_view(ctx, name, v, json_object_get(nviews, name), absent);
    }
    json_object_foreach((json_t *)nviews, name, v) {
        if (!json_object_get(bviews, name) && rls_view_readable(v))
            judge_view(ctx, name, NULL, v, absent);
    }
}

static vexit check(check_ctx *ctx, void *p, const json_t *baseline, verr *e)
{
    rls_settings *s = p;
    pg_session *db = check_db(ctx);
    json_t *now, *absent;
    vexit rc = rls_catalog_read(db, s, &now, e);
    if (rc)
        return rc;
    json_t *names = names_in_baseline(baseline);
    rc = rls_catalog_absent_roles(db, names, &absent, e);
    json_decref(names);
    if (rc) {
        json_decref(now);
        return rc;
    }
    const json_t *btables = json_object_get(baseline, "tables");
    const json_t *ntables = json_object_get(now, "tables");
    size_t i;
    const json_t *t;
    /* Baseline tables still protected, then tables new since, then listed tables
     * found nowhere. */
    json_array_foreach(btables, i, t) {
        const char *schema = sv(t, "schema"), *name = sv(t, "table");
        if (!schema || !name || !rls_covered(s, schema, name))
            continue;
        judge_table(ctx, s, schema, name, t, find_table(ntables, schema, name), absent);
    }
    json_array_foreach(ntables, i, t) {
        const char *schema = sv(t, "schema"), *name = sv(t, "table");
        if (!find_table(btables, schema, name))
            judge_table(ctx, s, schema, name, NULL, t, absent);
    }
    const rls_qnames *lists[] = {&s->tables, &s->force};
    for (size_t k = 0; k < 2; k++)
        for (size_t j = 0; j < lists[k]->n; j++) {
            const qname *q = &lists[k]->v[j];
            if (!find_table(btables, q->schema, q->name) && !find_table(ntables, q->schema, q->name) &&
                (k == 0 || !rls_qnames_has(&s->tables, q->schema, q->name)))
                judge_table(ctx, s, q->schema, q->name, NULL, NULL, absent);
        }

    json_array_foreach(json_object_get(baseline, "schemas"), i, t) {
        const char *name = sv(t, "schema");
        if (!name)
            continue;
        const json_t *n = find_named(json_object_get(now, "schemas"), "schema", name);
        rls_findings f;
        rls_findings_init(&f);
        char expected[RLS_SUMMARY_SIZE], observed[RLS_SUMMARY_SIZE];
        rls_schema_summary(t, expected, sizeof expected);
        rls_schema_summary(n, observed, sizeof observed);
        rls_compare_schema(name, t, n, absent, &f);
        if (f.n)
            rls_other_contrast(t, n, expected, sizeof expected, observed, sizeof observed);
        char *subject = xasprintf("schema %s", name);
        report(ctx, subject, &f, expected, observed, "owner and grants as at the baseline");
        free(subject);
        rls_findings_release(&f);
    }

    for (size_t k = 0; k < s->roles.n; k++) {
        const char *name = s->roles.v[k];
        const json_t *b = find_named(json_object_get(baseline, "roles"), "role", name);
        const json_t *n = find_named(json_object_get(now, "roles"), "role", name);
        rls_findings f;
        rls_findings_init(&f);
        char expected[RLS_SUMMARY_SIZE], observed[RLS_SUMMARY_SIZE];
        rls_role_summary(b, expected, sizeof expected);
        rls_role_summary(n, observed, sizeof observed);
        rls_compare_role(name, b, n, &f);
        if (f.n)
            rls_role_contrast(b, n, expected, sizeof expected, observed, sizeof observed);
        char *subject = xasprintf("role %s", name);
        report(ctx, subject, &f, b ? expected : "(not in baseline)", observed,
               "attributes and memberships as at the baseline");
        free(subject);
        rls_findings_release(&f);
    }
    judge_views(ctx, json_object_get(baseline, "views"), json_object_get(now, "views"), absent);
    json_decref(now);
    json_decref(absent);

    const json_t *base_probes = json_object_get(baseline, "probes");
    for (size_t k = 0; k < s->n_probes && !rc; k++)
        rc = rls_probe_run(ctx, &s->probes[k], base_probes, e);
    return rc;
}

/* check-config: the objects [rls] names exist in the target. */
static const target_key target_keys[] = {
    {"table", TARGET_TABLE, NULL},
    {"schema", TARGET_SCHEMA, NULL},
    {"exclude", TARGET_TABLE, NULL},
    {"force", TARGET_TABLE, NULL},
    {"role", TARGET_ROLE, NULL},
    {"probe", TARGET_PROBE, NULL},
    {NULL, TARGET_TABLE, NULL},
};

static vexit validate_target(check_ctx *ctx, const conf *c, void *p, verr *e)
{
    (void)p;
    return target_check_keys(ctx, c, "rls", target_keys, e);
}

const checker checker_rls = {
    .name = "rls",
    .summary = "RLS on (and forced) where required; policies, owners, grants and app roles as at"
               " the baseline",
    .keys = rls_keys,
    .configure = configure,
    .release = release,
    .capture = capture,
    .check = check,
    .validate_target = validate_target,
};
