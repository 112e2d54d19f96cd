/* rls: how differences are recorded and shown: the findings of one subject,
 * the old and new text of an expression, a policy as CREATE POLICY spells it,
 * and the short summaries for the expected and observed columns. */
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

