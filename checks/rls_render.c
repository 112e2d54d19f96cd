/* rls: how differences are recorded and shown: the findings of one subject,
 * the old and new text of an expression, a policy as CREATE POLICY spells it,
 * and the short summaries for the expected and observed columns. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/rls_diff.h"
#include "src/util.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool flag(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

void rls_findings_init(rls_findings *f)
{
    *f = (rls_findings){RLS_SAME, 0, NULL, NULL};
}

void rls_findings_release(rls_findings *f)
{
    free(f->reason);
    free(f->detail);
    rls_findings_init(f);
}

const char *rls_sev_name(rls_sev s)
{
    switch (s) {
    case RLS_CRITICAL:
        return "critical";
    case RLS_CHANGED:
        return "changed";
    case RLS_NOTICE:
        return "notice";
    default:
        return "same";
    }
}

result_status rls_status(rls_sev worst)
{
    return worst >= RLS_CHANGED ? RESULT_FAIL : worst == RLS_NOTICE ? RESULT_WARN : RESULT_PASS;
}

/* Append text to *acc, prefixing every line of it with indent. */
static void append_lines(char **acc, const char *indent, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *next = xasprintf("%s%s%.*s\n", *acc ? *acc : "", indent, (int)len, p);
        free(*acc);
        *acc = next;
        p += len + (nl ? 1 : 0);
    }
}

void rls_findings_add(rls_findings *f, rls_sev sev, const char *reason, const char *more)
{
    f->n++;
    if (!f->reason || sev > f->worst) {
        free(f->reason);
        f->reason = xstrdup(reason);
        f->worst = sev;
    }
    char *head = xasprintf("%-8s %s", rls_sev_name(sev), reason);
    append_lines(&f->detail, "", head);
    free(head);
    if (more)
        append_lines(&f->detail, "         ", more);
}

/* ------------------------------------------------------------- rendering */

/* "a, b, c" of a string array; "(none)" when empty. Caller frees. */
char *rls_join(const json_t *arr)
{
    char *acc = NULL;
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        char *next = xasprintf("%s%s%s", acc ? acc : "", acc ? ", " : "", s ? s : "?");
        free(acc);
        acc = next;
    }
    return acc ? acc : xstrdup("(none)");
}

/* A name as SQL needs it written: double-quoted unless it is a plain lower-case
 * identifier. Caller frees. */
char *rls_quoted(const char *s)
{
    bool plain = s && *s && !(*s >= '0' && *s <= '9');
    for (const char *p = s; plain && *p; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (plain)
        return xstrdup(s);
    const char *src = s ? s : "";
    char *out = xmalloc(strlen(src) * 2 + 3), *q = out;
    *q++ = '"';
    for (const char *p = src; *p; p++) {
        if (*p == '"')
            *q++ = '"';
        *q++ = *p;
    }
    *q++ = '"';
    *q = '\0';
    return out;
}

char *rls_expr_diff(const char *clause, const char *old_expr, const char *new_expr)
{
    char *o = old_expr ? xasprintf("- %s (%s)", clause, old_expr) : xasprintf("- (no %s)", clause);
    char *n = new_expr ? xasprintf("+ %s (%s)", clause, new_expr) : xasprintf("+ (no %s)", clause);
    char *out;
    if (old_expr && new_expr) {
        /* Both lines start with a two-byte sign and the same clause: a caret under
         * the first byte that differs shows where a long expression changed. */
        size_t i = 2;
        while (o[i] && o[i] == n[i])
            i++;
        char *pad = xmalloc(i + 1);
        memset(pad, ' ', i);
        pad[i] = '\0';
        out = xasprintf("%s\n%s\n%s^", o, n, pad);
        free(pad);
    } else {
        out = xasprintf("%s\n%s", o, n);
    }
    free(o);
    free(n);
    return out;
}

char *rls_policy_describe(const json_t *p)
{
    char *roles = rls_join(json_object_get(p, "roles"));
    const char *u = str(p, "using"), *c = str(p, "check");
    char *using = u ? xasprintf(" USING (%s)", u) : xstrdup("");
    char *check = c ? xasprintf(" WITH CHECK (%s)", c) : xstrdup("");
    char *out = xasprintf("AS %s FOR %s TO %s%s%s", flag(p, "permissive") ? "PERMISSIVE" : "RESTRICTIVE",
                          str(p, "cmd") ? str(p, "cmd") : "?", roles, using, check);
    free(roles);
    free(using);
    free(check);
    return out;
}

void rls_table_summary(const json_t *t, char *buf, size_t size)
{
    if (!t) {
        snprintf(buf, size, "missing");
        return;
    }
    size_t n = json_array_size(json_object_get(t, "policies"));
    snprintf(buf, size, "%s, %zu polic%s",
             !flag(t, "rls") ? "RLS off" : flag(t, "force") ? "RLS+FORCE" : "RLS", n,
             n == 1 ? "y" : "ies");
}

void rls_role_summary(const json_t *r, char *buf, size_t size)
{
    if (!r || !flag(r, "exists")) {
        snprintf(buf, size, "missing");
        return;
    }
    size_t n = json_array_size(json_object_get(r, "member_of"));
    snprintf(buf, size, "%s%s%s%s, in %zu role%s", flag(r, "superuser") ? "SUPERUSER " : "",
             flag(r, "bypassrls") ? "BYPASSRLS " : "", flag(r, "login") ? "LOGIN" : "NOLOGIN",
             flag(r, "inherit") ? "" : " NOINHERIT", n, n == 1 ? "" : "s");
}

void rls_schema_summary(const json_t *s, char *buf, size_t size)
{
    if (!s) {
        snprintf(buf, size, "missing");
        return;
    }
    size_t n = json_array_size(json_object_get(s, "grants"));
    snprintf(buf, size, "%zu grant%s", n, n == 1 ? "" : "s");
}


void rls_view_summary(const json_t *v, char *buf, size_t size)
{
    if (!v) {
        snprintf(buf, size, "missing");
        return;
    }
    const char *kind = json_string_value(json_object_get(v, "kind"));
    bool mat = kind && strcmp(kind, "materialized view") == 0;
    size_t n = json_array_size(json_object_get(v, "readers"));
    snprintf(buf, size, "%s, %zu reader%s",
             mat ? "copy" : json_is_true(json_object_get(v, "invoker")) ? "invoker" : "definer", n,
             n == 1 ? "" : "s");
}

/* ------------------------------------------------------------- contrast */

/* Write "fmt" into buf; a text that does not fit ends in "…" rather than mid-word silence. */
static void put(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n < size || size < 4)
        return;
    /* room for U+2026 and the terminator, cut at a character's first byte */
    size_t at = size - 4;
    while (at > 0 && ((unsigned char)buf[at] & 0xC0) == 0x80)
        at--;
    memcpy(buf + at, "\xe2\x80\xa6", 4);
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool has_string(const json_t *arr, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        if (same_text(json_string_value(v), s))
            return true;
    }
    return false;
}

/* The first string of a not in b, or NULL. */
static const char *first_only(const json_t *a, const json_t *b)
{
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        const char *s = json_string_value(v);
        if (s && !has_string(b, s))
            return s;
    }
    return NULL;
}

static const json_t *policy_named(const json_t *policies, const char *name)
{
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p) {
        if (same_text(str(p, "name"), name))
            return p;
    }
    return NULL;
}

/* "NAME: USING (x)" / "NAME: no USING" for the first clause of two same-named policies
 * that differs; false when they read the same. */
static bool policy_contrast(const char *name, const json_t *b, const json_t *n, char *exp,
                            size_t esize, char *obs, size_t osize)
{
    if (!same_text(str(b, "cmd"), str(n, "cmd"))) {
        put(exp, esize, "%s: FOR %s", name, str(b, "cmd") ? str(b, "cmd") : "?");
        put(obs, osize, "%s: FOR %s", name, str(n, "cmd") ? str(n, "cmd") : "?");
        return true;
    }
    if (flag(b, "permissive") != flag(n, "permissive")) {
        put(exp, esize, "%s: %s", name, flag(b, "permissive") ? "PERMISSIVE" : "RESTRICTIVE");
        put(obs, osize, "%s: %s", name, flag(n, "permissive") ? "PERMISSIVE" : "RESTRICTIVE");
        return true;
    }
    char *rb = rls_join(json_object_get(b, "roles")), *rn = rls_join(json_object_get(n, "roles"));
    bool roles_differ = strcmp(rb, rn) != 0;
    if (roles_differ) {
        put(exp, esize, "%s: TO %s", name, rb);
        put(obs, osize, "%s: TO %s", name, rn);
    }
    free(rb);
    free(rn);
    if (roles_differ)
        return true;
    static const struct {
        const char *key, *clause;
    } clauses[] = {{"using", "USING"}, {"check", "WITH CHECK"}};
    for (size_t i = 0; i < sizeof clauses / sizeof clauses[0]; i++) {
        const char *xb = str(b, clauses[i].key), *xn = str(n, clauses[i].key);
        if (same_text(xb, xn))
            continue;
        if (xb)
            put(exp, esize, "%s: %s (%s)", name, clauses[i].clause, xb);
        else
            put(exp, esize, "%s: no %s", name, clauses[i].clause);
        if (xn)
            put(obs, osize, "%s: %s (%s)", name, clauses[i].clause, xn);
        else
            put(obs, osize, "%s: no %s", name, clauses[i].clause);
        return true;
    }
    return false;
}

/* The owner, the definition's digest, then the grants: what schemas, views and tables share. */
static bool common_contrast(const json_t *b, const json_t *n, char *exp, size_t esize, char *obs,
                            size_t osize)
{
    if (!same_text(str(b, "owner"), str(n, "owner"))) {
        put(exp, esize, "owner %s", str(b, "owner") ? str(b, "owner") : "(none)");
        put(obs, osize, "owner %s", str(n, "owner") ? str(n, "owner") : "(none)");
        return true;
    }
    if (!same_text(str(b, "definition"), str(n, "definition"))) {
        put(exp, esize, "definition %.12s", str(b, "definition") ? str(b, "definition") : "(none)");
        put(obs, osize, "definition %.12s", str(n, "definition") ? str(n, "definition") : "(none)");
        return true;
    }
    const json_t *gb = json_object_get(b, "grants"), *gn = json_object_get(n, "grants");
    const char *g = first_only(gb, gn);
    if (g) {
        put(exp, esize, "grant %s", g);
        put(obs, osize, "no grant %s", g);
        return true;
    }
    if ((g = first_only(gn, gb))) {
        put(exp, esize, "no grant %s", g);
        put(obs, osize, "grant %s", g);
        return true;
    }
    return false;
}

void rls_table_contrast(const json_t *b, const json_t *n, char *exp, size_t esize, char *obs,
                        size_t osize)
{
    if (!b || !n || strcmp(exp, obs) != 0)
        return;
    const json_t *pb = json_object_get(b, "policies"), *pn = json_object_get(n, "policies");
    size_t i;
    const json_t *p;
    json_array_foreach(pb, i, p) {
        const char *name = str(p, "name");
        const json_t *q = policy_named(pn, name);
        char *qname = rls_quoted(name);
        bool done = true;
        if (q) {
            done = policy_contrast(qname, p, q, exp, esize, obs, osize);
        } else {
            put(exp, esize, "policy %s", qname);
            put(obs, osize, "no policy %s", qname);
        }
        free(qname);
        if (done)
            return;
    }
    json_array_foreach(pn, i, p) {
        if (policy_named(pb, str(p, "name")))
            continue;
        char *qname = rls_quoted(str(p, "name"));
        put(exp, esize, "no policy %s", qname);
        put(obs, osize, "policy %s", qname);
        free(qname);
        return;
    }
    common_contrast(b, n, exp, esize, obs, osize);
}

void rls_other_contrast(const json_t *b, const json_t *n, char *exp, size_t esize, char *obs,
                        size_t osize)
{
    if (b && n && strcmp(exp, obs) == 0)
        common_contrast(b, n, exp, esize, obs, osize);
}

void rls_role_contrast(const json_t *b, const json_t *n, char *exp, size_t esize, char *obs,
                       size_t osize)
{
    if (!b || !n || strcmp(exp, obs) != 0)
        return;
    static const char *const attrs[] = {"superuser", "bypassrls", "createrole", "createdb",
                                        "replication", "login", "inherit"};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
        if (flag(b, attrs[i]) == flag(n, attrs[i]))
            continue;
        char up[16];
        size_t k = 0;
        for (; attrs[i][k] && k + 1 < sizeof up; k++)
            up[k] = (char)(attrs[i][k] - 'a' + 'A');
        up[k] = '\0';
        put(exp, esize, "%s%s", flag(b, attrs[i]) ? "" : "NO", up);
        put(obs, osize, "%s%s", flag(n, attrs[i]) ? "" : "NO", up);
        return;
    }
    static const struct {
        const char *key, *is, *isnt;
    } lists[] = {{"member_of", "member of", "not member of"}, {"members", "member", "no member"}};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        const json_t *lb = json_object_get(b, lists[i].key), *ln = json_object_get(n, lists[i].key);
        const char *s = first_only(lb, ln);
        if (s) {
            put(exp, esize, "%s %s", lists[i].is, s);
            put(obs, osize, "%s %s", lists[i].isnt, s);
            return;
        }
        if ((s = first_only(ln, lb))) {
            put(exp, esize, "%s %s", lists[i].isnt, s);
            put(obs, osize, "%s %s", lists[i].is, s);
            return;
        }
    }
}
