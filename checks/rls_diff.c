/* rls: classify every difference between the baseline's catalog documents and
 * the current ones (see rls_diff.h). The rule of thumb: a difference that loses
 * or widens access control is critical; one that narrows access or whose effect
 * cannot be told from the text alone still fails (the restore is not what was
 * backed up); only differences that cannot change who sees what are warnings. */
#include "checks/rls_diff.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

/* ------------------------------------------------------------ small helpers */

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool flag(const json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool in_array(const json_t *arr, const char *s)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        if (same_str(json_string_value(v), s))
            return true;
    }
    return false;
}

/* Every string of a also in b. */
static bool subset(const json_t *a, const json_t *b)
{
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        if (!in_array(b, json_string_value(v)))
            return false;
    }
    return true;
}

static bool same_set(const json_t *a, const json_t *b)
{
    return subset(a, b) && subset(b, a);
}

/* The strings of a that are not in b, as a new array. */
static json_t *minus(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        if (!in_array(b, json_string_value(v)))
            json_array_append(out, (json_t *)v);
    }
    return out;
}

/* The first name of names that absent holds, or NULL. */
static const char *first_absent(const json_t *names, const json_t *absent)
{
    size_t i;
    const json_t *v;
    json_array_foreach(names, i, v) {
        if (absent && in_array(absent, json_string_value(v)))
            return json_string_value(v);
    }
    return NULL;
}

/* ------------------------------------------- sets whose items carry an option */

/* Grants ("SELECT TO r WITH GRANT OPTION") and memberships ("r WITH ADMIN OPTION")
 * are compared on what they give; the option alone changing is told apart. */
typedef struct set_diff {
    json_t *lost, *gained;         /* whole items */
    json_t *opt_lost, *opt_gained; /* items (without the option) whose option changed */
} set_diff;

static char *strip_option(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n >= k && strcmp(s + n - k, suffix) == 0)
        return xstrndup(s, n - k);
    return xstrdup(s);
}

static const json_t *find_stripped(const json_t *arr, const char *key, const char *suffix)
{
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        char *k = strip_option(s, suffix);
        bool hit = strcmp(k, key) == 0;
        free(k);
        if (hit)
            return v;
    }
    return NULL;
}

static void diff_sets(const json_t *base, const json_t *now, const char *suffix, set_diff *d)
{
    d->lost = json_array();
    d->gained = json_array();
    d->opt_lost = json_array();
    d->opt_gained = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(base, i, v) {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        char *key = strip_option(s, suffix);
        const json_t *match = find_stripped(now, key, suffix);
        if (!match) {
            json_array_append(d->lost, (json_t *)v);
        } else if (!same_str(s, json_string_value(match))) {
            bool had = strcmp(key, s) != 0;
            json_array_append_new(had ? d->opt_lost : d->opt_gained, json_string(key));
        }
        free(key);
    }
    json_array_foreach(now, i, v) {
        const char *s = json_string_value(v);
        if (!s)
            continue;
        char *key = strip_option(s, suffix);
        if (!find_stripped(base, key, suffix))
            json_array_append(d->gained, (json_t *)v);
        free(key);
    }
}

static void set_diff_release(set_diff *d)
{
    json_decref(d->lost);
    json_decref(d->gained);
    json_decref(d->opt_lost);
    json_decref(d->opt_gained);
}

/* The grantee of "PRIV TO grantee[ WITH GRANT OPTION]". Caller frees. */
static char *grantee_of(const char *grant)
{
    const char *to = strstr(grant, " TO ");
    char *g = strip_option(to ? to + 4 : grant, " WITH GRANT OPTION");
    return g;
}

/* "- GRANT SELECT ON public.t TO r" lines for every item. Caller frees. */
static char *grant_lines(const json_t *items, char sign, const char *on)
{
    char *acc = NULL;
    size_t i;
    const json_t *v;
    json_array_foreach(items, i, v) {
        const char *s = json_string_value(v);
        const char *to = strstr(s, " TO ");
        char *next = xasprintf("%s%s%c GRANT %.*s ON %s%s", acc ? acc : "", acc ? "\n" : "", sign,
                               to ? (int)(to - s) : (int)strlen(s), s, on, to ? to : "");
        free(acc);
        acc = next;
    }
    return acc;
}

/* Grants on one object (on: "public.t", "SCHEMA public"). */
static void compare_grants(const char *on, const json_t *base, const json_t *now,
                           const json_t *absent, rls_findings *out)
{
    set_diff d;
    diff_sets(base, now, " WITH GRANT OPTION", &d);
    size_t n = json_array_size(d.lost);
    if (n) {
        const char *first = json_string_value(json_array_get(d.lost, 0));
        char *who = grantee_of(first);
        char *lines = grant_lines(d.lost, '-', on);
        char *reason;
        if (absent && in_array(absent, who))
            reason = xasprintf("%zu grant%s on %s lost (e.g. %s): role %s does not exist, a restore"
                               " without the roles drops their grants; create it, then re-run the"
                               " GRANTs in the detail",
                               n, n == 1 ? "" : "s", on, first, who);
        else
            reason = xasprintf("%zu grant%s on %s lost (e.g. %s): re-run the GRANTs in the detail",
                               n, n == 1 ? "" : "s", on, first);
        rls_findings_add(out, RLS_CRITICAL, reason, lines);
        free(reason);
        free(lines);
        free(who);
    }
    if ((n = json_array_size(d.gained))) {
        const char *first = json_string_value(json_array_get(d.gained, 0));
        char *lines = grant_lines(d.gained, '+', on);
        char *reason = xasprintf("%zu grant%s on %s not in the baseline (e.g. %s): REVOKE %s or"
                                 " take a new baseline",
                                 n, n == 1 ? "" : "s", on, first, n == 1 ? "it" : "them");
        rls_findings_add(out, RLS_CRITICAL, reason, lines);
        free(reason);
        free(lines);
    }
    size_t i;
    const json_t *v;
    json_array_foreach(d.opt_gained, i, v) {
        char *reason = xasprintf("%s on %s now WITH GRANT OPTION: the grantee can pass it on",
                                 json_string_value(v), on);
        rls_findings_add(out, RLS_CRITICAL, reason, NULL);
        free(reason);
    }
    json_array_foreach(d.opt_lost, i, v) {
        char *reason = xasprintf("%s on %s lost its GRANT OPTION (access itself unchanged)",
                                 json_string_value(v), on);
        rls_findings_add(out, RLS_NOTICE, reason, NULL);
        free(reason);
    }
    set_diff_release(&d);
}

/* ------------------------------------------------------------------ policies */

static bool same_definition(const json_t *a, const json_t *b)
{
    return same_str(str(a, "cmd"), str(b, "cmd")) && flag(a, "permissive") == flag(b, "permissive") &&
           same_set(json_object_get(a, "roles"), json_object_get(b, "roles")) &&
           same_str(str(a, "using"), str(b, "using")) && same_str(str(a, "check"), str(b, "check"));
}

static const json_t *find_policy(const json_t *policies, const char *name)
{
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p) {
        if (same_str(str(p, "name"), name))
            return p;
    }
    return NULL;
}

static bool is_true(const char *expr)
{
    return expr && (strcmp(expr, "true") == 0 || strcmp(expr, "(true)") == 0);
}

static void add_fmt(rls_findings *out, rls_sev sev, const char *more, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_fmt(rls_findings *out, rls_sev sev, const char *more, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    rls_findings_add(out, sev, line, more);
}

/* USING or WITH CHECK of one policy. */
static void compare_clause(const char *t, const char *pol, bool permissive, const char *clause,
                           const char *old_expr, const char *new_expr, rls_findings *out)
{
    if (same_str(old_expr, new_expr))
        return;
    char *diff = rls_expr_diff(clause, old_expr, new_expr);
    if (is_true(new_expr))
        add_fmt(out, RLS_CRITICAL, diff, "policy %s on %s: %s widened to true, it no longer %s;"
                " restore it from the baseline (see detail)",
                pol, t, clause, permissive ? "filters anything" : "restricts anything");
    else if (!new_expr && strcmp(clause, "USING") == 0)
        add_fmt(out, RLS_CRITICAL, diff, "policy %s on %s: USING removed; restore it from the"
                " baseline (see detail)", pol, t);
    else if (!new_expr)
        add_fmt(out, RLS_CRITICAL, diff, "policy %s on %s: WITH CHECK removed, rows written are no"
                " longer checked by it; restore it from the baseline (see detail)", pol, t);
    else if (!old_expr)
        add_fmt(out, RLS_CHANGED, diff, "policy %s on %s: %s added, not in the baseline (see detail)",
                pol, t, clause);
    else
        add_fmt(out, RLS_CHANGED, diff, "policy %s on %s: %s changed; compare it with the baseline"
                " (see detail)", pol, t, clause);
    free(diff);
}

static void compare_policy(const char *t, const json_t *b, const json_t *n, const json_t *absent,
                           rls_findings *out)
{
    char *pol = rls_quoted(str(b, "name"));
    bool was_perm = flag(b, "permissive"), perm = flag(n, "permissive");
    if (!was_perm && perm)
        add_fmt(out, RLS_CRITICAL, "- AS RESTRICTIVE\n+ AS PERMISSIVE",
                "policy %s on %s is now PERMISSIVE (was RESTRICTIVE): it no longer limits what the"
                " other policies allow; drop and recreate it AS RESTRICTIVE", pol, t);
    else if (was_perm && !perm)
        add_fmt(out, RLS_CHANGED, "- AS PERMISSIVE\n+ AS RESTRICTIVE",
                "policy %s on %s is now RESTRICTIVE (was PERMISSIVE); recreate it as in the baseline",
                pol, t);

    const char *oc = str(b, "cmd"), *nc = str(n, "cmd");
    if (!same_str(oc, nc)) {
        bool all_now = same_str(nc, "ALL"), all_before = same_str(oc, "ALL");
        /* A permissive policy widened to more commands grants more; a restrictive
         * one narrowed to fewer commands restricts less. */
        bool worse = perm ? all_now && !all_before : all_before && !all_now;
        char *more = xasprintf("- FOR %s\n+ FOR %s", oc ? oc : "?", nc ? nc : "?");
        add_fmt(out, worse ? RLS_CRITICAL : RLS_CHANGED, more,
                "policy %s on %s now applies FOR %s (was FOR %s); recreate it as in the baseline",
                pol, t, nc ? nc : "?", oc ? oc : "?");
        free(more);
    }

    const json_t *or = json_object_get(b, "roles"), *nr = json_object_get(n, "roles");
    if (!same_set(or, nr)) {
        char *ob = rls_join(or), *nb = rls_join(nr);
        char *more = xasprintf("- TO %s\n+ TO %s", ob, nb);
        json_t *added = minus(nr, or), *removed = minus(or, nr);
        const char *gone = first_absent(removed, absent);
        if (in_array(nr, "PUBLIC") && !in_array(or, "PUBLIC"))
            add_fmt(out, RLS_CRITICAL, more, "policy %s on %s now applies TO PUBLIC (was TO %s):"
                    " every role gets it; ALTER POLICY %s ON %s TO %s", pol, t, ob, pol, t, ob);
        else if (gone)
            add_fmt(out, RLS_CRITICAL, more, "policy %s on %s lost role %s, which no longer exists;"
                    " create the role and ALTER POLICY %s ON %s TO %s", pol, t, gone, pol, t, ob);
        else if (perm ? json_array_size(added) > 0 : json_array_size(removed) > 0)
            add_fmt(out, RLS_CRITICAL, more, "policy %s on %s now %s; ALTER POLICY %s ON %s TO %s",
                    pol, t, perm ? "applies to more roles (see detail)" : "restricts fewer roles",
                    pol, t, ob);
        else
            add_fmt(out, RLS_CHANGED, more, "policy %s on %s applies to other roles than at the"
                    " baseline; ALTER POLICY %s ON %s TO %s", pol, t, pol, t, ob);
        json_decref(added);
        json_decref(removed);
        free(more);
        free(ob);
        free(nb);
    }
    compare_clause(t, pol, perm, "USING", str(b, "using"), str(n, "using"), out);
    compare_clause(t, pol, perm, "WITH CHECK", str(b, "check"), str(n, "check"), out);
    free(pol);
}

static void policy_missing(const char *t, const json_t *b, const json_t *absent, rls_findings *out)
{
    char *pol = rls_quoted(str(b, "name"));
    char *def = rls_policy_describe(b);
    char *more = xasprintf("- CREATE POLICY %s ON %s %s", pol, t, def);
    const char *gone = first_absent(json_object_get(b, "roles"), absent);
    if (gone)
        add_fmt(out, RLS_CRITICAL, more, "policy %s on %s is missing: its role %s does not exist"
                " (a restore without the roles drops every policy naming them); create the role,"
                " then the policy (see detail)", pol, t, gone);
    else if (!flag(b, "permissive"))
        add_fmt(out, RLS_CRITICAL, more, "restrictive policy %s on %s is missing: the limit it"
                " imposed is gone; recreate it (see detail)", pol, t);
    else
        add_fmt(out, RLS_CHANGED, more, "policy %s on %s is missing: the roles it served lose those"
                " rows; recreate it (see detail)", pol, t);
    free(more);
    free(def);
    free(pol);
}

static void policy_added(const char *t, const json_t *n, rls_findings *out)
{
    char *pol = rls_quoted(str(n, "name"));
    char *def = rls_policy_describe(n);
    char *more = xasprintf("+ CREATE POLICY %s ON %s %s", pol, t, def);
    if (flag(n, "permissive"))
        add_fmt(out, RLS_CRITICAL, more, "new permissive policy %s on %s, not in the baseline,"
                " opens rows to %s; DROP POLICY %s ON %s or take a new baseline", pol, t,
                in_array(json_object_get(n, "roles"), "PUBLIC") ? "every role" : "its roles", pol, t);
    else
        add_fmt(out, RLS_CHANGED, more, "new restrictive policy %s on %s is not in the baseline;"
                " drop it or take a new baseline", pol, t);
    free(more);
    free(def);
    free(pol);
}

static void compare_policies(const char *t, const json_t *base, const json_t *now,
                             const json_t *absent, rls_findings *out)
{
    json_t *missing = json_array(), *added = json_array();
    size_t i;
    const json_t *p;
    json_array_foreach(base, i, p) {
        const json_t *n = find_policy(now, str(p, "name"));
        if (n)
            compare_policy(t, p, n, absent, out);
        else
            json_array_append(missing, (json_t *)p);
    }
    json_array_foreach(now, i, p) {
        if (!find_policy(base, str(p, "name")))
            json_array_append(added, (json_t *)p);
    }
    /* A policy that vanished and one that appeared with the very same definition
     * is a rename: nothing anyone can see changed. */
    json_array_foreach(missing, i, p) {
        size_t j;
        const json_t *a;
        bool paired = false;
        json_array_foreach(added, j, a) {
            if (same_definition(p, a)) {
                char *was = rls_quoted(str(p, "name")), *is = rls_quoted(str(a, "name"));
                add_fmt(out, RLS_NOTICE, NULL, "policy %s on %s was renamed to %s, definition"
                        " identical; take a new baseline if that was meant", was, t, is);
                free(was);
                free(is);
                json_array_remove(added, j);
                paired = true;
                break;
            }
        }
        if (!paired)
            policy_missing(t, p, absent, out);
    }
    json_array_foreach(added, i, p) {
        policy_added(t, p, out);
    }
    json_decref(missing);
    json_decref(added);
}

/* A new table with RLS on: its policies are not in the baseline, so nothing says they
 * are the ones meant; a permissive one may open every row (USING (true)). Each is named,
 * with the statement that creates it in the detail. */
static void new_table_policies(const char *t, const json_t *policies, rls_findings *out)
{
    json_t *names = json_array();
    bool permissive = false;
    size_t i;
    const json_t *p;
    json_array_foreach(policies, i, p) {
        char *pol = rls_quoted(str(p, "name"));
        json_array_append_new(names, json_string(pol));
        free(pol);
        permissive = permissive || flag(p, "permissive");
    }
    char *list = rls_join(names);
    add_fmt(out, permissive ? RLS_CRITICAL : RLS_CHANGED, NULL, "new table %s in a protected"
            " schema has policies not in the baseline (%s): review them, then run 'vouch"
            " baseline', or DROP POLICY", t, list);
    free(list);
    json_decref(names);
    json_array_foreach(policies, i, p) {
        policy_added(t, p, out);
    }
}

/* -------------------------------------------------------------------- tables */

void rls_compare_table(const char *t, const json_t *base, const json_t *now,
                       const rls_rules *rules, const json_t *absent, rls_findings *out)
{
    static const rls_rules none = {false, false};
    if (!rules)
        rules = &none;
    if (!now) {
        if (base) {
            size_t n = json_array_size(json_object_get(base, "policies"));
            add_fmt(out, RLS_CRITICAL, NULL, "table %s does not exist; the baseline had it with"
                    " RLS %s and %zu polic%s", t, flag(base, "rls") ? "on" : "off", n,
                    n == 1 ? "y" : "ies");
        }
        return;
    }
    bool rls = flag(now, "rls"), force = flag(now, "force");
    const char *owner = str(now, "owner");
    if (!base) {
        size_t n = json_array_size(json_object_get(now, "policies"));
        if (!rls)
            add_fmt(out, RLS_CRITICAL, NULL, "new table %s in a protected schema has RLS off: ALTER"
                    " TABLE %s ENABLE ROW LEVEL SECURITY (and add its policies) or exclude it", t, t);
        else if (n == 0)
            add_fmt(out, RLS_NOTICE, NULL, "new table %s is not in the baseline (RLS on, no"
                    " policies: deny-all to all but its owner); run 'vouch baseline' to cover it",
                    t);
        else
            new_table_policies(t, json_object_get(now, "policies"), out);
        if (rules->must_force && !force)
            add_fmt(out, RLS_CRITICAL, NULL, "FORCE ROW LEVEL SECURITY is off on %s: its owner %s"
                    " bypasses the policies; ALTER TABLE %s FORCE ROW LEVEL SECURITY", t,
                    owner ? owner : "?", t);
        return;
    }

    bool was_rls = flag(base, "rls"), was_force = flag(base, "force");
    const json_t *bp = json_object_get(base, "policies"), *np = json_object_get(now, "policies");
    if (!rls && (was_rls || rules->must_rls)) {
        if (was_rls && json_array_size(bp) == 0)
            add_fmt(out, RLS_CRITICAL, "- ENABLE ROW LEVEL SECURITY (no policies: deny-all)\n"
                    "+ DISABLE ROW LEVEL SECURITY",
                    "RLS is off on deny-all table %s (it had no policies, RLS was its only guard):"
                    " ALTER TABLE %s ENABLE ROW LEVEL SECURITY", t, t);
        else
            add_fmt(out, RLS_CRITICAL, "- ENABLE ROW LEVEL SECURITY\n+ DISABLE ROW LEVEL SECURITY",
                    "RLS is off on %s: every role with table privileges sees every row; ALTER TABLE"
                    " %s ENABLE ROW LEVEL SECURITY", t, t);
    } else if (rls && !was_rls) {
        add_fmt(out, RLS_CHANGED, NULL, "RLS is on for %s but was off at the baseline; take a new"
                " baseline if that was meant", t);
    }
    if (!force && (was_force || rules->must_force))
        add_fmt(out, RLS_CRITICAL, "- FORCE ROW LEVEL SECURITY\n+ NO FORCE ROW LEVEL SECURITY",
                "FORCE ROW LEVEL SECURITY is off on %s: its owner %s bypasses the policies; ALTER"
                " TABLE %s FORCE ROW LEVEL SECURITY", t, owner ? owner : "?", t);
    else if (force && !was_force)
        add_fmt(out, RLS_CHANGED, NULL, "FORCE ROW LEVEL SECURITY is on for %s but was off at the"
                " baseline; take a new baseline if that was meant", t);

    const char *was_owner = str(base, "owner");
    if (!same_str(was_owner, owner)) {
        char *more = xasprintf("- OWNER TO %s\n+ OWNER TO %s", was_owner ? was_owner : "?",
                               owner ? owner : "?");
        add_fmt(out, RLS_CRITICAL, more, "owner of %s is now %s (was %s): the owner bypasses RLS"
                " unless forced; ALTER TABLE %s OWNER TO %s", t, owner ? owner : "?",
                was_owner ? was_owner : "?", t, was_owner ? was_owner : "?");
        free(more);
    }
    compare_policies(t, bp, np, absent, out);
    compare_grants(t, json_object_get(base, "grants"), json_object_get(now, "grants"), absent, out);
}

/* ------------------------------------------------------------------- schemas */

void rls_compare_schema(const char *s, const json_t *base, const json_t *now,
                        const json_t *absent, rls_findings *out)
{
    if (!now) {
        if (base)
            add_fmt(out, RLS_CRITICAL, NULL, "schema %s does not exist", s);
        return;
    }
    if (!base) {
        add_fmt(out, RLS_NOTICE, NULL, "schema %s is not in the baseline; run 'vouch baseline'", s);
        return;
    }
    const char *was = str(base, "owner"), *is = str(now, "owner");
    if (!same_str(was, is)) {
        char *more = xasprintf("- OWNER TO %s\n+ OWNER TO %s", was ? was : "?", is ? is : "?");
        add_fmt(out, RLS_CRITICAL, more, "owner of schema %s is now %s (was %s); ALTER SCHEMA %s"
                " OWNER TO %s", s, is ? is : "?", was ? was : "?", s, was ? was : "?");
        free(more);
    }
    char *on = xasprintf("SCHEMA %s", s);
    compare_grants(on, json_object_get(base, "grants"), json_object_get(now, "grants"), absent,
                   out);
    free(on);
}

/* --------------------------------------------------------------------- roles */

/* A role attribute: gaining it is critical when it widens access. */
typedef struct role_attr {
    const char *key, *sql_on, *sql_off, *why;
    rls_sev gained, lost;
} role_attr;

static const role_attr role_attrs[] = {
    {"superuser", "SUPERUSER", "NOSUPERUSER", "it bypasses RLS and every grant", RLS_CRITICAL,
     RLS_NOTICE},
    {"bypassrls", "BYPASSRLS", "NOBYPASSRLS", "every policy is ignored for it", RLS_CRITICAL,
     RLS_NOTICE},
    {"createrole", "CREATEROLE", "NOCREATEROLE", "it can create roles and grant memberships",
     RLS_CRITICAL, RLS_NOTICE},
    {"replication", "REPLICATION", "NOREPLICATION", "it can stream every row", RLS_CRITICAL,
     RLS_NOTICE},
    {"createdb", "CREATEDB", "NOCREATEDB", "it can create databases", RLS_NOTICE, RLS_NOTICE},
    {"login", "LOGIN", "NOLOGIN", "it can connect", RLS_NOTICE, RLS_NOTICE},
    {"inherit", "INHERIT", "NOINHERIT", "it uses its roles' privileges without SET ROLE",
     RLS_NOTICE, RLS_NOTICE},
};

void rls_compare_role(const char *r, const json_t *base, const json_t *now, rls_findings *out)
{
    if (!base) {
        add_fmt(out, RLS_NOTICE, NULL, "role %s is not in the baseline; run 'vouch baseline'", r);
        return;
    }
    if (!now || !flag(now, "exists")) {
        add_fmt(out, RLS_CRITICAL, NULL, "role %s does not exist: every policy and grant naming it"
                " is gone; create it (CREATE ROLE %s), then restore its grants and policies", r, r);
        return;
    }
    for (size_t i = 0; i < sizeof role_attrs / sizeof role_attrs[0]; i++) {
        const role_attr *a = &role_attrs[i];
        bool had = flag(base, a->key), has = flag(now, a->key);
        if (had == has)
            continue;
        char *more = xasprintf("- %s\n+ %s", had ? a->sql_on : a->sql_off, has ? a->sql_on : a->sql_off);
        if (has)
            add_fmt(out, a->gained, more, "role %s now has %s: %s; ALTER ROLE %s %s", r, a->sql_on,
                    a->why, r, a->sql_off);
        else
            add_fmt(out, a->lost, more, "role %s lost %s (had it at the baseline); ALTER ROLE %s %s"
                    " if the application needs it", r, a->sql_on, r, a->sql_on);
        free(more);
    }

    set_diff d;
    size_t i;
    const json_t *v;
    diff_sets(json_object_get(base, "member_of"), json_object_get(now, "member_of"),
              " WITH ADMIN OPTION", &d);
    json_array_foreach(d.lost, i, v) {
        char *g = strip_option(json_string_value(v), " WITH ADMIN OPTION");
        add_fmt(out, RLS_CRITICAL, NULL, "role %s is no longer a member of %s; GRANT %s TO %s", r,
                g, g, r);
        free(g);
    }
    json_array_foreach(d.gained, i, v) {
        char *g = strip_option(json_string_value(v), " WITH ADMIN OPTION");
        add_fmt(out, RLS_CRITICAL, NULL, "role %s is now a member of %s (not in the baseline) and"
                " gains its privileges; REVOKE %s FROM %s", r, g, g, r);
        free(g);
    }
    json_array_foreach(d.opt_gained, i, v) {
        add_fmt(out, RLS_CRITICAL, NULL, "role %s may now grant %s to others (ADMIN OPTION)", r,
                json_string_value(v));
    }
    json_array_foreach(d.opt_lost, i, v) {
        add_fmt(out, RLS_NOTICE, NULL, "role %s lost ADMIN OPTION on %s (membership unchanged)", r,
                json_string_value(v));
    }
    set_diff_release(&d);

    diff_sets(json_object_get(base, "members"), json_object_get(now, "members"),
              " WITH ADMIN OPTION", &d);
    json_array_foreach(d.lost, i, v) {
        char *m = strip_option(json_string_value(v), " WITH ADMIN OPTION");
        add_fmt(out, RLS_CRITICAL, NULL, "role %s is no longer a member of %s; GRANT %s TO %s", m,
                r, r, m);
        free(m);
    }
    json_array_foreach(d.gained, i, v) {
        char *m = strip_option(json_string_value(v), " WITH ADMIN OPTION");
        add_fmt(out, RLS_CHANGED, NULL, "role %s is now a member of %s (not in the baseline) and"
                " can act as it; REVOKE %s FROM %s if that was not meant", m, r, r, m);
        free(m);
    }
    json_array_foreach(d.opt_gained, i, v) {
        add_fmt(out, RLS_CHANGED, NULL, "role %s may now grant %s to others (ADMIN OPTION)",
                json_string_value(v), r);
    }
    json_array_foreach(d.opt_lost, i, v) {
        add_fmt(out, RLS_NOTICE, NULL, "role %s lost ADMIN OPTION on %s (membership unchanged)",
                json_string_value(v), r);
    }
    set_diff_release(&d);
}

/* --------------------------------------------------------------------- views */

/* Whether a reader of the view gets past the RLS of the tables under it, and why. NULL
 * when RLS still applies to the caller (security_invoker all the way down). */
static char *view_exposure(const json_t *v)
{
    const char *kind = str(v, "kind"), *bypass = str(v, "bypass");
    if (same_str(kind, "materialized view"))
        return xstrdup("it holds a copy made by its owner, which RLS does not filter");
    if (flag(v, "chain_invoker"))
        return NULL;
    if (bypass)
        return xstrdup(bypass);
    return xasprintf("it reads as its owner %s under that role's policies, not the caller's",
                     str(v, "owner") ? str(v, "owner") : "?");
}

/* "REVOKE SELECT ON v FROM a, b" or, for a view, "ALTER VIEW v SET (security_invoker = true)
 * or REVOKE ...". Caller frees. */
static char *view_fix(const char *v, const json_t *view)
{
    char *readers = rls_join(json_object_get(view, "readers"));
    char *fix;
    if (same_str(str(view, "kind"), "materialized view"))
        fix = xasprintf("REVOKE SELECT ON %s FROM %s", v, readers);
    else
        fix = xasprintf("ALTER VIEW %s SET (security_invoker = true) or REVOKE SELECT ON %s"
                        " FROM %s", v, v, readers);
    free(readers);
    return fix;
}

bool rls_view_readable(const json_t *view)
{
    return json_array_size(json_object_get(view, "readers")) > 0;
}

void rls_compare_view(const char *v, const json_t *base, const json_t *now, const json_t *absent,
                      rls_findings *out)
{
    if (!now) {
        if (base)
            add_fmt(out, RLS_CHANGED, NULL, "%s %s does not exist or no longer reads a protected"
                    " table; the baseline had it over %s; restore it or take a new baseline",
                    str(base, "kind") ? str(base, "kind") : "view", v,
                    json_string_value(json_array_get(json_object_get(base, "tables"), 0)));
        return;
    }
    const char *kind = str(now, "kind") ? str(now, "kind") : "view";
    char *tables = rls_join(json_object_get(now, "tables"));
    char *readers = rls_join(json_object_get(now, "readers"));
    char *why = view_exposure(now);
    char *fix = view_fix(v, now);
    bool readable = rls_view_readable(now);
    if (!base) {
        if (!readable)
            goto done; /* no application role can read it: nothing to say */
        if (same_str(kind, "materialized view"))
            add_fmt(out, RLS_CRITICAL, NULL, "new materialized view %s, not in the baseline,"
                    " holds a copy of %s that %s can read whatever its RLS says; %s", v, tables,
                    readers, fix);
        else if (!why)
            add_fmt(out, RLS_NOTICE, NULL, "new view %s over %s is not in the baseline; it is"
                    " security_invoker, so the caller's RLS applies; run 'vouch baseline' to cover"
                    " it", v, tables);
        else if (str(now, "bypass"))
            add_fmt(out, RLS_CRITICAL, NULL, "new view %s, not in the baseline, lets %s read %s"
                    " past its RLS (%s); %s", v, readers, tables, why, fix);
        else
            add_fmt(out, RLS_CHANGED, NULL, "new view %s, not in the baseline, lets %s read %s"
                    " with its owner's RLS (%s); %s", v, readers, tables, why, fix);
        goto done;
    }
    bool exposes = why && (same_str(kind, "materialized view") || str(now, "bypass"));
    if (!same_str(str(base, "kind"), kind))
        add_fmt(out, exposes ? RLS_CRITICAL : RLS_CHANGED, NULL, "%s is now a %s (was a %s)%s%s%s",
                v, kind, str(base, "kind") ? str(base, "kind") : "?", exposes ? ": " : "",
                exposes ? why : "", exposes ? "" : "; take a new baseline if that was meant");
    if (flag(base, "invoker") && !flag(now, "invoker")) {
        if (why && readable)
            add_fmt(out, RLS_CRITICAL, "- security_invoker = true\n+ security_invoker = false",
                    "%s %s is no longer security_invoker: %s reads %s past its RLS (%s); ALTER"
                    " VIEW %s SET (security_invoker = true)", kind, v, readers, tables, why, v);
        else
            add_fmt(out, RLS_CHANGED, "- security_invoker = true\n+ security_invoker = false",
                    "%s %s is no longer security_invoker; ALTER VIEW %s SET (security_invoker ="
                    " true)", kind, v, v);
    } else if (!flag(base, "invoker") && flag(now, "invoker")) {
        add_fmt(out, RLS_CHANGED, "- security_invoker = false\n+ security_invoker = true",
                "%s %s is now security_invoker (was not at the baseline); take a new baseline if"
                " that was meant", kind, v);
    }
    bool open_now = exposes && readable;
    if (!same_str(str(base, "definition"), str(now, "definition"))) {
        if (open_now)
            add_fmt(out, RLS_CRITICAL, NULL, "definition of %s %s changed since the baseline; it"
                    " lets %s read %s past its RLS (%s); %s", kind, v, readers, tables, why, fix);
        else
            add_fmt(out, RLS_CHANGED, NULL, "definition of %s %s changed since the baseline (it"
                    " reads %s); restore it or take a new baseline", kind, v, tables);
    }
    const char *was = str(base, "owner"), *is = str(now, "owner");
    if (!same_str(was, is)) {
        char *more = xasprintf("- OWNER TO %s\n+ OWNER TO %s", was ? was : "?", is ? is : "?");
        add_fmt(out, open_now ? RLS_CRITICAL : RLS_CHANGED, more,
                "owner of %s %s is now %s (was %s)%s%s; ALTER %s %s OWNER TO %s", kind, v,
                is ? is : "?", was ? was : "?", open_now ? ": " : "", open_now ? why : "",
                same_str(kind, "materialized view") ? "MATERIALIZED VIEW" : "VIEW", v,
                was ? was : "?");
        free(more);
    }
    compare_grants(v, json_object_get(base, "grants"), json_object_get(now, "grants"), absent,
                   out);
    /* Readers gained without a grant to them: through a membership, or a grant to a role
     * they inherit from. */
    json_t *gained = minus(json_object_get(now, "readers"), json_object_get(base, "readers"));
    if (json_array_size(gained)) {
        char *who = rls_join(gained);
        if (exposes)
            add_fmt(out, RLS_CRITICAL, NULL, "%s can now read %s %s, which reads %s past its RLS"
                    " (%s), and could not at the baseline; %s", who, kind, v, tables, why, fix);
        else
            add_fmt(out, RLS_CHANGED, NULL, "%s can now read %s %s and could not at the baseline;"
                    " take a new baseline if that was meant", who, kind, v);
        free(who);
    }
    json_decref(gained);
done:
    free(tables);
    free(readers);
    free(why);
    free(fix);
}
