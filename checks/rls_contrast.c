/* rls: when a subject differs but its expected and observed summaries read the same
 * ("RLS, 1 policy" twice), what to show instead: the first policy clause, owner,
 * definition, grant, attribute or membership that differs. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/rls_diff.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool flag(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}


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
