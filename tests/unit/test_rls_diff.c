/* checks/rls_diff: how the rls check classifies each difference between the
 * baseline's catalog documents and the current ones, and how it renders them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/rls_diff.h"

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    if (!doc)
        fail_msg("bad test JSON: %s: %s", je.text, text);
    return doc;
}

#define TENANT "(agency_id = 1)"

/* The sample's projects table, with its one tenant policy, as the baseline holds it. */
static const char base_table[] =
    "{\"schema\": \"public\", \"table\": \"projects\", \"rls\": true, \"force\": false,"
    " \"owner\": \"postgres\", \"grants\": [\"SELECT TO portal_app\", \"UPDATE TO portal_app\"],"
    " \"policies\": ["
    "  {\"name\": \"tenant\", \"cmd\": \"ALL\", \"permissive\": true,"
    "   \"roles\": [\"portal_app\", \"portal_readonly\"], \"using\": \"" TENANT "\","
    "   \"check\": \"" TENANT "\"},"
    "  {\"name\": \"hide_revoked\", \"cmd\": \"SELECT\", \"permissive\": false,"
    "   \"roles\": [\"portal_app\"], \"using\": \"(revoked_at IS NULL)\", \"check\": null}]}";

/* Compare base_table with a copy changed by edit (a JSON path/value pair applied by the
 * caller through the callback). */
typedef void (*edit_fn)(json_t *now);

static void compare_edited(edit_fn edit, const rls_rules *rules, const json_t *absent,
                           rls_findings *f)
{
    json_t *base = J(base_table), *now = J(base_table);
    if (edit)
        edit(now);
    rls_findings_init(f);
    rls_compare_table("public.projects", base, now, rules, absent, f);
    json_decref(base);
    json_decref(now);
}

static json_t *policy(json_t *table, size_t i)
{
    return json_array_get(json_object_get(table, "policies"), i);
}

static void assert_reason(const rls_findings *f, rls_sev sev, const char *needle)
{
    assert_int_equal(f->worst, sev);
    assert_non_null(f->reason);
    if (!strstr(f->reason, needle))
        fail_msg("reason \"%s\" lacks \"%s\"", f->reason, needle);
}

static void assert_detail(const rls_findings *f, const char *needle)
{
    if (!f->detail || !strstr(f->detail, needle))
        fail_msg("detail \"%s\" lacks \"%s\"", f->detail ? f->detail : "(null)", needle);
}

/* ------------------------------------------------------------------ rendering */

static void test_expr_diff_marks_the_first_difference(void **state)
{
    (void)state;
    char *d = rls_expr_diff("USING", "(agency_id = 1)", "(agency_id = 2)");
    assert_string_equal(d, "- USING ((agency_id = 1))\n"
                           "+ USING ((agency_id = 2))\n"
                           "                      ^");
    free(d);
}

static void test_expr_diff_with_a_missing_side(void **state)
{
    (void)state;
    char *d = rls_expr_diff("WITH CHECK", "(a = b)", NULL);
    assert_string_equal(d, "- WITH CHECK ((a = b))\n+ (no WITH CHECK)");
    free(d);
    d = rls_expr_diff("USING", NULL, "true");
    assert_string_equal(d, "- (no USING)\n+ USING (true)");
    free(d);
}

static void test_policy_describe(void **state)
{
    (void)state;
    json_t *t = J(base_table);
    char *d = rls_policy_describe(policy(t, 1));
    assert_string_equal(d, "AS RESTRICTIVE FOR SELECT TO portal_app USING ((revoked_at IS NULL))");
    free(d);
    d = rls_policy_describe(policy(t, 0));
    assert_string_equal(d, "AS PERMISSIVE FOR ALL TO portal_app, portal_readonly USING ("
                           TENANT ") WITH CHECK (" TENANT ")");
    free(d);
    json_decref(t);
}

static void test_summaries(void **state)
{
    (void)state;
    char buf[64];
    json_t *t = J(base_table);
    rls_table_summary(t, buf, sizeof buf);
    assert_string_equal(buf, "RLS, 2 policies");
    json_object_set_new(t, "force", json_true());
    json_array_remove(json_object_get(t, "policies"), 1);
    rls_table_summary(t, buf, sizeof buf);
    assert_string_equal(buf, "RLS+FORCE, 1 policy");
    json_object_set_new(t, "rls", json_false());
    rls_table_summary(t, buf, sizeof buf);
    assert_string_equal(buf, "RLS off, 1 policy");
    rls_table_summary(NULL, buf, sizeof buf);
    assert_string_equal(buf, "missing");
    json_decref(t);
}

/* ------------------------------------------------------------------- tables */

static void test_identical_table_has_no_difference(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(NULL, NULL, NULL, &f);
    assert_int_equal(f.n, 0);
    assert_int_equal(f.worst, RLS_SAME);
    assert_null(f.detail);
    assert_int_equal(rls_status(f.worst), RESULT_PASS);
    rls_findings_release(&f);
}

static void rls_off(json_t *t)
{
    json_object_set_new(t, "rls", json_false());
}

static void test_rls_off_is_critical(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(rls_off, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "RLS is off on public.projects");
    assert_reason(&f, RLS_CRITICAL, "ENABLE ROW LEVEL SECURITY");
    assert_int_equal(rls_status(f.worst), RESULT_FAIL);
    rls_findings_release(&f);
}

static void test_deny_all_table_losing_rls_says_so(void **state)
{
    (void)state;
    json_t *base = J("{\"rls\": true, \"force\": false, \"owner\": \"o\", \"policies\": [],"
                     " \"grants\": []}");
    json_t *now = J("{\"rls\": false, \"force\": false, \"owner\": \"o\", \"policies\": [],"
                    " \"grants\": []}");
    rls_findings f;
    rls_findings_init(&f);
    rls_compare_table("public.api_keys", base, now, NULL, NULL, &f);
    assert_int_equal(f.n, 1);
    assert_reason(&f, RLS_CRITICAL, "deny-all table public.api_keys");
    rls_findings_release(&f);
    json_decref(base);
    json_decref(now);
}

static void test_listed_table_must_have_rls_even_if_baseline_lacked_it(void **state)
{
    (void)state;
    json_t *base = J("{\"rls\": false, \"force\": false, \"owner\": \"o\", \"policies\": [],"
                     " \"grants\": []}");
    rls_findings f;
    rls_findings_init(&f);
    rls_compare_table("public.t", base, base, NULL, NULL, &f);
    assert_int_equal(f.n, 0); /* in a protected schema: as at the baseline is enough */
    rls_rules listed = {true, true};
    rls_compare_table("public.t", base, base, &listed, NULL, &f);
    assert_int_equal(f.n, 2); /* listed with force: RLS and FORCE both required */
    assert_reason(&f, RLS_CRITICAL, "RLS is off on public.t");
    assert_detail(&f, "FORCE ROW LEVEL SECURITY is off on public.t: its owner o bypasses");
    rls_findings_release(&f);
    json_decref(base);
}

static void owner_changed(json_t *t)
{
    json_object_set_new(t, "owner", json_string("restorer"));
}

static void test_owner_change_is_critical(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(owner_changed, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "owner of public.projects is now restorer (was postgres)");
    assert_detail(&f, "- OWNER TO postgres\n");
    rls_findings_release(&f);
}

/* ----------------------------------------------------------------- policies */

static void restrictive_made_permissive(json_t *t)
{
    json_object_set_new(policy(t, 1), "permissive", json_true());
}

static void test_restrictive_to_permissive_alone_is_critical(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(restrictive_made_permissive, NULL, NULL, &f);
    assert_int_equal(f.n, 1);
    assert_reason(&f, RLS_CRITICAL, "policy hide_revoked on public.projects is now PERMISSIVE");
    rls_findings_release(&f);
}

static void permissive_made_restrictive(json_t *t)
{
    json_object_set_new(policy(t, 0), "permissive", json_false());
}

static void test_permissive_to_restrictive_still_fails(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(permissive_made_restrictive, NULL, NULL, &f);
    assert_reason(&f, RLS_CHANGED, "is now RESTRICTIVE");
    assert_int_equal(rls_status(f.worst), RESULT_FAIL);
    rls_findings_release(&f);
}

static void using_true(json_t *t)
{
    json_object_set_new(policy(t, 0), "using", json_string("true"));
}

static void test_using_widened_to_true_is_critical_with_a_diff(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(using_true, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "policy tenant on public.projects: USING widened to true");
    assert_detail(&f, "- USING (" TENANT ")\n");
    assert_detail(&f, "+ USING (true)\n");
    rls_findings_release(&f);
}

static void using_other(json_t *t)
{
    json_object_set_new(policy(t, 0), "using", json_string("(agency_id = 2)"));
}

static void test_using_changed_otherwise_is_changed(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(using_other, NULL, NULL, &f);
    assert_reason(&f, RLS_CHANGED, "USING changed");
    rls_findings_release(&f);
}

static void check_removed(json_t *t)
{
    json_object_set_new(policy(t, 0), "check", json_null());
}

static void test_with_check_removed_is_critical(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(check_removed, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "WITH CHECK removed");
    assert_detail(&f, "+ (no WITH CHECK)");
    rls_findings_release(&f);
}

static void to_public(json_t *t)
{
    json_object_set_new(policy(t, 0), "roles", json_pack("[s]", "PUBLIC"));
}

static void test_roles_to_public_is_critical(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(to_public, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "now applies TO PUBLIC (was TO portal_app, portal_readonly)");
    rls_findings_release(&f);
}

static void permissive_fewer_roles(json_t *t)
{
    json_object_set_new(policy(t, 0), "roles", json_pack("[s]", "portal_app"));
}

static void restrictive_fewer_roles(json_t *t)
{
    json_object_set_new(policy(t, 1), "roles", json_pack("[s]", "portal_readonly"));
}

static void test_role_changes_judged_by_direction(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(permissive_fewer_roles, NULL, NULL, &f);
    assert_reason(&f, RLS_CHANGED, "applies to other roles than at the baseline");
    rls_findings_release(&f);
    compare_edited(restrictive_fewer_roles, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "restricts fewer roles");
    rls_findings_release(&f);
}

static void drop_permissive(json_t *t)
{
    json_array_remove(json_object_get(t, "policies"), 0);
}

static void drop_restrictive(json_t *t)
{
    json_array_remove(json_object_get(t, "policies"), 1);
}

static void test_missing_policies(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(drop_permissive, NULL, NULL, &f);
    assert_reason(&f, RLS_CHANGED, "policy tenant on public.projects is missing");
    assert_detail(&f, "- CREATE POLICY tenant ON public.projects AS PERMISSIVE FOR ALL");
    rls_findings_release(&f);
    compare_edited(drop_restrictive, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "restrictive policy hide_revoked on public.projects is missing");
    rls_findings_release(&f);
    /* Restored without its role: the reason says which role is gone. */
    json_t *absent = json_pack("[s]", "portal_readonly");
    compare_edited(drop_permissive, NULL, absent, &f);
    assert_reason(&f, RLS_CRITICAL, "its role portal_readonly does not exist");
    rls_findings_release(&f);
    json_decref(absent);
}

static void add_catch_all(json_t *t)
{
    json_array_append_new(json_object_get(t, "policies"),
                          J("{\"name\": \"Support sees all\", \"cmd\": \"SELECT\","
                            " \"permissive\": true, \"roles\": [\"PUBLIC\"], \"using\": \"true\","
                            " \"check\": null}"));
}

static void add_restrictive(json_t *t)
{
    json_array_append_new(json_object_get(t, "policies"),
                          J("{\"name\": \"r\", \"cmd\": \"ALL\", \"permissive\": false,"
                            " \"roles\": [\"PUBLIC\"], \"using\": \"false\", \"check\": null}"));
}

static void test_added_policies(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(add_catch_all, NULL, NULL, &f);
    /* The name needs quotes to be used in SQL, and the reason gives it so. */
    assert_reason(&f, RLS_CRITICAL, "new permissive policy \"Support sees all\" on public.projects");
    assert_reason(&f, RLS_CRITICAL, "opens rows to every role");
    rls_findings_release(&f);
    compare_edited(add_restrictive, NULL, NULL, &f);
    assert_reason(&f, RLS_CHANGED, "new restrictive policy r");
    rls_findings_release(&f);
}

static void rename_policy(json_t *t)
{
    json_object_set_new(policy(t, 1), "name", json_string("hide_revoked_links"));
}

static void rename_and_widen(json_t *t)
{
    rename_policy(t);
    json_object_set_new(policy(t, 1), "using", json_string("true"));
}

static void test_rename_with_identical_text_warns(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(rename_policy, NULL, NULL, &f);
    assert_int_equal(f.n, 1);
    assert_reason(&f, RLS_NOTICE, "policy hide_revoked on public.projects was renamed to"
                                  " hide_revoked_links, definition identical");
    assert_int_equal(rls_status(f.worst), RESULT_WARN);
    rls_findings_release(&f);
    /* Renamed and changed: one restrictive policy gone, one new. */
    compare_edited(rename_and_widen, NULL, NULL, &f);
    assert_int_equal(f.n, 2);
    assert_reason(&f, RLS_CRITICAL, "restrictive policy hide_revoked on public.projects is missing");
    assert_detail(&f, "new restrictive policy hide_revoked_links");
    rls_findings_release(&f);
}

static void test_first_worst_difference_is_the_reason(void **state)
{
    (void)state;
    rls_findings f;
    rls_findings_init(&f);
    rls_findings_add(&f, RLS_NOTICE, "a notice", NULL);
    rls_findings_add(&f, RLS_CRITICAL, "first critical", "- x\n+ y");
    rls_findings_add(&f, RLS_CHANGED, "a change", NULL);
    rls_findings_add(&f, RLS_CRITICAL, "second critical", NULL);
    assert_int_equal(f.n, 4);
    assert_string_equal(f.reason, "first critical");
    assert_string_equal(f.detail, "notice   a notice\n"
                                  "critical first critical\n"
                                  "         - x\n"
                                  "         + y\n"
                                  "changed  a change\n"
                                  "critical second critical\n");
    rls_findings_release(&f);
}

/* ------------------------------------------------------------------- grants */

static void grants_lost(json_t *t)
{
    json_object_set_new(t, "grants", json_pack("[s]", "SELECT TO portal_app"));
}

static void grants_gained(json_t *t)
{
    json_array_append_new(json_object_get(t, "grants"), json_string("DELETE TO PUBLIC"));
}

static void grant_option_lost_and_gained(json_t *t)
{
    json_object_set_new(t, "grants", json_pack("[s, s]", "SELECT TO portal_app WITH GRANT OPTION",
                                               "UPDATE TO portal_app"));
}

static void test_grants(void **state)
{
    (void)state;
    rls_findings f;
    compare_edited(grants_lost, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "1 grant on public.projects lost (e.g. UPDATE TO portal_app)");
    assert_detail(&f, "- GRANT UPDATE ON public.projects TO portal_app\n");
    rls_findings_release(&f);

    json_t *absent = json_pack("[s]", "portal_app");
    compare_edited(grants_lost, NULL, absent, &f);
    assert_reason(&f, RLS_CRITICAL, "role portal_app does not exist");
    rls_findings_release(&f);
    json_decref(absent);

    compare_edited(grants_gained, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "1 grant on public.projects not in the baseline"
                                    " (e.g. DELETE TO PUBLIC)");
    assert_detail(&f, "+ GRANT DELETE ON public.projects TO PUBLIC\n");
    rls_findings_release(&f);

    compare_edited(grant_option_lost_and_gained, NULL, NULL, &f);
    assert_int_equal(f.n, 1);
    assert_reason(&f, RLS_CRITICAL, "SELECT TO portal_app on public.projects now WITH GRANT OPTION");
    rls_findings_release(&f);
}

/* ------------------------------------------------------- new and gone tables */

static void test_new_and_gone_tables(void **state)
{
    (void)state;
    json_t *off = J("{\"rls\": false, \"force\": false, \"owner\": \"o\", \"policies\": [],"
                    " \"grants\": []}");
    json_t *on = J("{\"rls\": true, \"force\": false, \"owner\": \"o\", \"policies\": [],"
                   " \"grants\": []}");
    rls_findings f;
    rls_findings_init(&f);
    rls_compare_table("public.exports", NULL, off, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "new table public.exports in a protected schema has RLS off");
    rls_findings_release(&f);
    rls_compare_table("public.exports", NULL, on, NULL, NULL, &f);
    assert_reason(&f, RLS_NOTICE, "new table public.exports is not in the baseline (RLS on, no"
                                  " policies: deny-all");
    rls_findings_release(&f);
    rls_compare_table("public.gone", on, NULL, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "table public.gone does not exist");
    rls_findings_release(&f);
    json_decref(off);
    json_decref(on);
}

static void test_new_table_with_policies_fails_naming_them(void **state)
{
    (void)state;
    json_t *open = J("{\"rls\": true, \"force\": false, \"owner\": \"o\", \"grants\": [],"
                     " \"policies\": [{\"name\": \"open_all\", \"cmd\": \"SELECT\","
                     " \"permissive\": true, \"roles\": [\"portal_app\"], \"using\": \"true\","
                     " \"check\": null}]}");
    json_t *narrow = J("{\"rls\": true, \"force\": false, \"owner\": \"o\", \"grants\": [],"
                       " \"policies\": [{\"name\": \"Only mine\", \"cmd\": \"ALL\","
                       " \"permissive\": false, \"roles\": [\"PUBLIC\"], \"using\": \"(a = 1)\","
                       " \"check\": null}]}");
    rls_findings f;
    rls_findings_init(&f);
    rls_compare_table("public.exports", NULL, open, NULL, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "new table public.exports in a protected schema has policies"
                                    " not in the baseline (open_all)");
    assert_int_equal(f.n, 2);
    assert_detail(&f, "+ CREATE POLICY open_all ON public.exports AS PERMISSIVE FOR SELECT TO"
                      " portal_app USING (true)");
    rls_findings_release(&f);
    /* restrictive only: it cannot open rows, but it is not what the baseline knew */
    rls_compare_table("public.exports", NULL, narrow, NULL, NULL, &f);
    assert_reason(&f, RLS_CHANGED, "has policies not in the baseline (\"Only mine\")");
    rls_findings_release(&f);
    json_decref(open);
    json_decref(narrow);
}

/* -------------------------------------------------------------------- views */

/* A view over projects as the baseline holds it: security_invoker, read by portal_app. */
static const char base_view[] =
    "{\"schema\": \"public\", \"view\": \"v\", \"kind\": \"view\", \"owner\": \"postgres\","
    " \"invoker\": true, \"chain_invoker\": true, \"tables\": [\"public.projects\"],"
    " \"bypass\": \"its owner postgres is a superuser\", \"readers\": [\"portal_app\"],"
    " \"grants\": [\"SELECT TO portal_app\"], \"definition\": \"abc\"}";

static void view_compare(bool is_new, const char *edit_key, json_t *value, rls_findings *f)
{
    json_t *base = J(base_view), *now = J(base_view);
    if (edit_key)
        json_object_set_new(now, edit_key, value);
    else
        json_decref(value);
    rls_findings_init(f);
    rls_compare_view("public.v", is_new ? NULL : base, now, NULL, f);
    json_decref(base);
    json_decref(now);
}

static void test_views(void **state)
{
    (void)state;
    rls_findings f;
    view_compare(false, NULL, NULL, &f);
    assert_int_equal(f.n, 0);
    rls_findings_release(&f);

    /* new, invoker all the way: the caller's RLS applies, a warning */
    view_compare(true, NULL, NULL, &f);
    assert_reason(&f, RLS_NOTICE, "new view public.v over public.projects is not in the baseline;"
                                  " it is security_invoker");
    rls_findings_release(&f);

    /* new, definer, owner a superuser: past RLS, with both fixes */
    json_t *definer = J(base_view);
    json_object_set_new(definer, "invoker", json_false());
    json_object_set_new(definer, "chain_invoker", json_false());
    rls_findings_init(&f);
    rls_compare_view("public.v", NULL, definer, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "new view public.v, not in the baseline, lets portal_app read"
                                    " public.projects past its RLS (its owner postgres is a"
                                    " superuser); ALTER VIEW public.v SET (security_invoker = true)"
                                    " or REVOKE SELECT ON public.v FROM portal_app");
    rls_findings_release(&f);

    /* new, definer, owner under RLS: its owner's policies, not the caller's: still fails */
    json_object_set_new(definer, "bypass", json_null());
    json_object_set_new(definer, "owner", json_string("reporter"));
    rls_findings_init(&f);
    rls_compare_view("public.v", NULL, definer, NULL, &f);
    assert_reason(&f, RLS_CHANGED, "reads as its owner reporter under that role's policies");
    rls_findings_release(&f);

    /* new, nobody of the application can read it: nothing to say */
    json_object_set_new(definer, "readers", json_array());
    rls_findings_init(&f);
    rls_compare_view("public.v", NULL, definer, NULL, &f);
    assert_int_equal(f.n, 0);
    rls_findings_release(&f);
    json_decref(definer);

    /* a materialized view holds a copy: past RLS whoever owns it */
    view_compare(true, "kind", json_string("materialized view"), &f);
    assert_reason(&f, RLS_CRITICAL, "new materialized view public.v, not in the baseline, holds a"
                                    " copy of public.projects that portal_app can read whatever"
                                    " its RLS says; REVOKE SELECT ON public.v FROM portal_app");
    rls_findings_release(&f);

    /* changed since the baseline */
    json_t *b = J(base_view), *n = J(base_view);
    json_object_set_new(n, "invoker", json_false());
    json_object_set_new(n, "chain_invoker", json_false());
    rls_findings_init(&f);
    rls_compare_view("public.v", b, n, NULL, &f);
    assert_reason(&f, RLS_CRITICAL, "view public.v is no longer security_invoker: portal_app reads"
                                    " public.projects past its RLS");
    rls_findings_release(&f);
    json_decref(b);
    json_decref(n);

    view_compare(false, "definition", json_string("def"), &f);
    assert_reason(&f, RLS_CHANGED, "definition of view public.v changed since the baseline");
    rls_findings_release(&f);

    view_compare(false, "owner", json_string("someone"), &f);
    assert_reason(&f, RLS_CHANGED, "owner of view public.v is now someone (was postgres)");
    rls_findings_release(&f);

    view_compare(false, "grants", json_pack("[s, s]", "SELECT TO PUBLIC", "SELECT TO portal_app"),
                 &f);
    assert_reason(&f, RLS_CRITICAL, "1 grant on public.v not in the baseline (e.g. SELECT TO"
                                    " PUBLIC)");
    rls_findings_release(&f);

    /* a reader gained through a membership, no grant to it: the view reads past RLS */
    b = J(base_view);
    n = J(base_view);
    json_object_set_new(b, "invoker", json_false());
    json_object_set_new(b, "chain_invoker", json_false());
    json_object_set_new(n, "invoker", json_false());
    json_object_set_new(n, "chain_invoker", json_false());
    json_object_set_new(n, "readers", json_pack("[s, s]", "portal_app", "portal_readonly"));
    rls_findings_init(&f);
    rls_compare_view("public.v", b, n, NULL, &f);
    assert_int_equal(f.n, 1);
    assert_reason(&f, RLS_CRITICAL, "portal_readonly can now read view public.v, which reads"
                                    " public.projects past its RLS");
    rls_findings_release(&f);
    json_decref(b);
    json_decref(n);

    rls_findings_init(&f);
    json_t *gone = J(base_view);
    rls_compare_view("public.v", gone, NULL, NULL, &f);
    assert_reason(&f, RLS_CHANGED, "view public.v does not exist or no longer reads a protected"
                                   " table");
    rls_findings_release(&f);
    json_decref(gone);
}

/* -------------------------------------------------------------------- roles */

static const char base_role[] =
    "{\"role\": \"portal_authenticator\", \"exists\": true, \"superuser\": false,"
    " \"bypassrls\": false, \"createrole\": false, \"createdb\": false, \"replication\": false,"
    " \"login\": true, \"inherit\": false, \"member_of\": [\"portal_app\"], \"members\": []}";

static void role_compare(const char *edit_key, json_t *value, rls_findings *f)
{
    json_t *base = J(base_role), *now = J(base_role);
    if (edit_key)
        json_object_set_new(now, edit_key, value);
    rls_findings_init(f);
    rls_compare_role("portal_authenticator", base, now, f);
    json_decref(base);
    json_decref(now);
}

static void test_roles(void **state)
{
    (void)state;
    rls_findings f;
    role_compare(NULL, NULL, &f);
    assert_int_equal(f.n, 0);
    rls_findings_release(&f);

    role_compare("bypassrls", json_true(), &f);
    assert_reason(&f, RLS_CRITICAL, "role portal_authenticator now has BYPASSRLS");
    assert_reason(&f, RLS_CRITICAL, "ALTER ROLE portal_authenticator NOBYPASSRLS");
    rls_findings_release(&f);

    role_compare("superuser", json_true(), &f);
    assert_reason(&f, RLS_CRITICAL, "now has SUPERUSER");
    rls_findings_release(&f);

    role_compare("login", json_false(), &f);
    assert_reason(&f, RLS_NOTICE, "lost LOGIN");
    rls_findings_release(&f);

    role_compare("member_of", json_array(), &f);
    assert_reason(&f, RLS_CRITICAL, "role portal_authenticator is no longer a member of portal_app;"
                                    " GRANT portal_app TO portal_authenticator");
    rls_findings_release(&f);

    role_compare("member_of", json_pack("[s, s]", "pg_read_all_data", "portal_app"), &f);
    assert_reason(&f, RLS_CRITICAL, "is now a member of pg_read_all_data");
    rls_findings_release(&f);

    role_compare("member_of", json_pack("[s]", "portal_app WITH ADMIN OPTION"), &f);
    assert_int_equal(f.n, 1);
    assert_reason(&f, RLS_CRITICAL, "may now grant portal_app to others");
    rls_findings_release(&f);

    role_compare("exists", json_false(), &f);
    assert_reason(&f, RLS_CRITICAL, "role portal_authenticator does not exist");
    rls_findings_release(&f);
}

/* Summaries that read the same for a subject that differs are rewritten to show the
 * difference; a long expression is cut with an ellipsis, never past the buffer. */
static void contrast_of(json_t *b, json_t *n, char *exp, char *obs, size_t size)
{
    rls_table_summary(b, exp, size);
    rls_table_summary(n, obs, size);
    assert_string_equal(exp, obs);
    rls_table_contrast(b, n, exp, size, obs, size);
}

static void test_contrast_shows_what_differs(void **state)
{
    (void)state;
    char exp[RLS_SUMMARY_SIZE], obs[RLS_SUMMARY_SIZE];
    json_t *b = J(base_table), *n = J(base_table);
    json_object_set_new(policy(n, 0), "using", json_string("true"));
    contrast_of(b, n, exp, obs, sizeof exp);
    assert_string_equal(exp, "tenant: USING (" TENANT ")");
    assert_string_equal(obs, "tenant: USING (true)");
    json_decref(n);

    n = J(base_table);
    json_object_set_new(policy(n, 1), "roles", json_pack("[s]", "portal_readonly"));
    contrast_of(b, n, exp, obs, sizeof exp);
    assert_string_equal(exp, "hide_revoked: TO portal_app");
    assert_string_equal(obs, "hide_revoked: TO portal_readonly");
    json_decref(n);

    n = J(base_table);
    json_object_set_new(n, "owner", json_string("mallory"));
    contrast_of(b, n, exp, obs, sizeof exp);
    assert_string_equal(exp, "owner postgres");
    assert_string_equal(obs, "owner mallory");
    json_decref(n);

    n = J(base_table);
    json_array_append_new(json_object_get(n, "grants"), json_string("DELETE TO portal_app"));
    contrast_of(b, n, exp, obs, sizeof exp);
    assert_string_equal(exp, "no grant DELETE TO portal_app");
    assert_string_equal(obs, "grant DELETE TO portal_app");
    json_decref(n);

    /* a policy renamed: the old name gone (counts unchanged) */
    n = J(base_table);
    json_object_set_new(policy(n, 0), "name", json_string("Tenant Rule"));
    contrast_of(b, n, exp, obs, sizeof exp);
    assert_string_equal(exp, "policy tenant");
    assert_string_equal(obs, "no policy tenant");
    json_decref(n);

    /* a long expression ends in an ellipsis inside a small buffer, on a whole character */
    n = J(base_table);
    json_object_set_new(policy(n, 0), "using", json_string("(note = 'ééééééééééééééééééé')"));
    char small_e[32], small_o[32];
    contrast_of(b, n, small_e, small_o, sizeof small_e);
    assert_true(strlen(small_o) < sizeof small_o);
    assert_non_null(strstr(small_o, "\xe2\x80\xa6"));
    assert_int_equal(strncmp(small_o, "tenant: USING (", 15), 0);
    json_decref(n);

    /* summaries that already differ are left alone */
    n = J(base_table);
    json_object_set_new(n, "rls", json_false());
    rls_table_summary(b, exp, sizeof exp);
    rls_table_summary(n, obs, sizeof obs);
    rls_table_contrast(b, n, exp, sizeof exp, obs, sizeof obs);
    assert_string_equal(exp, "RLS, 2 policies");
    assert_string_equal(obs, "RLS off, 2 policies");
    json_decref(n);
    json_decref(b);
}

static void test_role_contrast(void **state)
{
    (void)state;
    char exp[RLS_SUMMARY_SIZE], obs[RLS_SUMMARY_SIZE];
    json_t *b = J(base_role), *n = J(base_role);
    json_object_set_new(n, "createdb", json_true());
    rls_role_summary(b, exp, sizeof exp);
    rls_role_summary(n, obs, sizeof obs);
    rls_role_contrast(b, n, exp, sizeof exp, obs, sizeof obs);
    assert_string_equal(exp, "NOCREATEDB");
    assert_string_equal(obs, "CREATEDB");
    json_decref(n);
    n = J(base_role);
    json_array_append_new(json_object_get(n, "members"), json_string("mallory"));
    rls_role_summary(b, exp, sizeof exp);
    rls_role_summary(n, obs, sizeof obs);
    rls_role_contrast(b, n, exp, sizeof exp, obs, sizeof obs);
    assert_string_equal(exp, "no member mallory");
    assert_string_equal(obs, "member mallory");
    json_decref(n);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expr_diff_marks_the_first_difference),
        cmocka_unit_test(test_expr_diff_with_a_missing_side),
        cmocka_unit_test(test_policy_describe),
        cmocka_unit_test(test_summaries),
        cmocka_unit_test(test_identical_table_has_no_difference),
        cmocka_unit_test(test_rls_off_is_critical),
        cmocka_unit_test(test_deny_all_table_losing_rls_says_so),
        cmocka_unit_test(test_listed_table_must_have_rls_even_if_baseline_lacked_it),
        cmocka_unit_test(test_owner_change_is_critical),
        cmocka_unit_test(test_restrictive_to_permissive_alone_is_critical),
        cmocka_unit_test(test_permissive_to_restrictive_still_fails),
        cmocka_unit_test(test_using_widened_to_true_is_critical_with_a_diff),
        cmocka_unit_test(test_using_changed_otherwise_is_changed),
        cmocka_unit_test(test_with_check_removed_is_critical),
        cmocka_unit_test(test_roles_to_public_is_critical),
        cmocka_unit_test(test_role_changes_judged_by_direction),
        cmocka_unit_test(test_missing_policies),
        cmocka_unit_test(test_added_policies),
        cmocka_unit_test(test_rename_with_identical_text_warns),
        cmocka_unit_test(test_first_worst_difference_is_the_reason),
        cmocka_unit_test(test_grants),
        cmocka_unit_test(test_new_and_gone_tables),
        cmocka_unit_test(test_new_table_with_policies_fails_naming_them),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_contrast_shows_what_differs),
        cmocka_unit_test(test_role_contrast),
    };
    return cmocka_run_group_tests_name("rls_diff", tests, NULL, NULL);
}
