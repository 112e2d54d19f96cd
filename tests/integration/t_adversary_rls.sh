# rls, adversarial: a hostile restore that opens tenants' rows to the application
# without touching a policy: a view or a materialized view over a protected table
# granted to an application role, and a new table whose policies open everything.
# Each fault is applied to a copy of a clean restore of the sample portal, and the
# application's view of it is measured as the application role.

fresh_db adv_rls
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=adv_rls

[rls]
schema = public
force = public.share_links
force = public.audit_log
role = portal_app
role = portal_readonly
role = portal_authenticator
probe = portal_app public.projects agency_id=1 app.agency_id=1
CONF

# as_app DB SQL: the number of rows portal_app sees for tenant 1.
as_app() {
    psql_q -d "$1" -c "BEGIN; SET LOCAL ROLE portal_app; SELECT set_config('app.agency_id', '1', true);
                      $2; COMMIT" | sed -n 2p
}
adv_fault() {
    local db=$1
    shift
    dropdb --if-exists "$db" 2>/dev/null
    createdb -T adv_rls "$db"
    for sql in "$@"; do
        psql_q -d "$db" -c "$sql"
    done
}

test_case "rls adversary: the healthy portal's baseline and a clean copy pass"
v baseline
expect_rc 0
expect_empty_err
adv_fault adv_clean
v gate --target dbname=adv_clean
expect_rc 0
expect_empty_err
expect_not_out 'view'
end_case

test_case "rls adversary: a view over projects granted to the app roles fails, naming the fix"
adv_fault adv_v1 'CREATE VIEW public.projects_all AS SELECT * FROM public.projects' \
    'GRANT SELECT ON public.projects_all TO portal_app, portal_readonly'
through_table=$(as_app adv_v1 'SELECT count(*) FROM public.projects')
through_view=$(as_app adv_v1 'SELECT count(*) FROM public.projects_all')
check "the view shows portal_app more rows than the table ($through_view > $through_table)" \
    test "$through_view" -gt "$through_table"
v gate --target dbname=adv_v1
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +view public\.projects_all +\(not in baseline\) .*new view public\.projects_all, not in the baseline, lets portal_app, portal_readonly read public\.projects past its RLS \(its owner postgres is a superuser\)'
expect_out 'ALTER VIEW public\.projects_all SET \(security_invoker = true\) or REVOKE SELECT ON public\.projects_all FROM portal_app, portal_readonly'
expect_out '^gate closed'
end_case

test_case "rls adversary: a materialized view of tasks in a new schema fails"
adv_fault adv_v2 'CREATE SCHEMA reporting' 'GRANT USAGE ON SCHEMA reporting TO portal_app' \
    'CREATE MATERIALIZED VIEW reporting.all_tasks AS SELECT * FROM public.tasks' \
    'GRANT SELECT ON reporting.all_tasks TO portal_app'
through_mv=$(as_app adv_v2 'SELECT count(*) FROM reporting.all_tasks')
all_tasks=$(psql_q -d adv_v2 -c 'SELECT count(*) FROM public.tasks')
check "the matview shows portal_app every task ($through_mv = $all_tasks)" test "$through_mv" = "$all_tasks"
v gate --target dbname=adv_v2
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +materialized view reporting\.all_tasks +\(not in baseline\) .*holds a copy of public\.tasks that portal_app can read whatever its RLS says; REVOKE SELECT ON reporting\.all_tasks FROM portal_app'
end_case

test_case "rls adversary: a view over a view granted to PUBLIC fails, naming the table under it"
adv_fault adv_v5 'CREATE VIEW public.tasks_inner WITH (security_invoker = true) AS SELECT * FROM public.tasks' \
    'CREATE VIEW public.tasks_outer AS SELECT * FROM public.tasks_inner' \
    'GRANT SELECT ON public.tasks_inner, public.tasks_outer TO PUBLIC'
v gate --target dbname=adv_v5
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +view public\.tasks_outer .*lets portal_app, portal_readonly, portal_authenticator, PUBLIC read public\.tasks past its RLS \(its owner postgres is a superuser\)'
expect_out '^WARN +rls +view public\.tasks_inner .*security_invoker, so the caller'"'"'s RLS applies'
end_case

test_case "rls adversary: a security_invoker view applies the caller's RLS and only warns"
adv_fault adv_v3 'CREATE VIEW public.my_projects WITH (security_invoker = true) AS SELECT * FROM public.projects' \
    'GRANT SELECT ON public.my_projects TO portal_app'
through_table=$(as_app adv_v3 'SELECT count(*) FROM public.projects')
through_view=$(as_app adv_v3 'SELECT count(*) FROM public.my_projects')
check "the invoker view shows what the table shows ($through_view = $through_table)" \
    test "$through_view" = "$through_table"
v gate --target dbname=adv_v3
expect_rc 0
expect_empty_err
expect_out '^WARN +rls +view public\.my_projects +\(not in baseline\) .*security_invoker'
end_case

test_case "rls adversary: a view the app cannot read is not reported"
adv_fault adv_v4 'CREATE VIEW public.ops_projects AS SELECT * FROM public.projects'
v gate --target dbname=adv_v4
expect_rc 0
expect_empty_err
expect_not_out 'ops_projects'
end_case

test_case "rls adversary: a new table with RLS on and a USING (true) policy fails, naming it"
adv_fault adv_t1 'CREATE TABLE public.exports (id bigint, agency_id bigint, payload text)' \
    'ALTER TABLE public.exports ENABLE ROW LEVEL SECURITY' \
    'CREATE POLICY open_all ON public.exports FOR SELECT TO portal_app USING (true)' \
    'GRANT SELECT ON public.exports TO portal_app'
v gate --target dbname=adv_t1
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.exports +\(not in baseline\) +RLS, 1 policy +new table public\.exports in a protected schema has policies not in the baseline \(open_all\)'
expect_out '^ +critical +new permissive policy open_all on public\.exports, not in the baseline, opens rows to its roles'
end_case

test_case "rls adversary: a new deny-all table (RLS on, no policy) only warns"
adv_fault adv_t2 'CREATE TABLE public.vault (id bigint)' 'ALTER TABLE public.vault ENABLE ROW LEVEL SECURITY'
v gate --target dbname=adv_t2
expect_rc 0
expect_empty_err
expect_out '^WARN +rls +public\.vault +\(not in baseline\) +RLS, 0 policies +new table public\.vault is not in the baseline \(RLS on, no policies: deny-all to all but its owner\)'
end_case

# A view present at the baseline is held to it.
test_case "rls adversary: a baseline view that changed fails"
psql_q -d adv_rls -c 'CREATE VIEW public.open_projects WITH (security_invoker = true) AS SELECT id, agency_id FROM public.projects' \
    -c 'GRANT SELECT ON public.open_projects TO portal_app'
v baseline
expect_rc 0
expect_empty_err
adv_fault adv_b0
v gate --target dbname=adv_b0
expect_rc 0
expect_empty_err
expect_out '^pass +rls +view public\.open_projects '
adv_fault adv_b1 'ALTER VIEW public.open_projects SET (security_invoker = false)'
v gate --target dbname=adv_b1
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +view public\.open_projects .*view public\.open_projects is no longer security_invoker: portal_app reads public\.projects past its RLS'
adv_fault adv_b2 'CREATE OR REPLACE VIEW public.open_projects WITH (security_invoker = true) AS SELECT id, agency_id, name FROM public.projects'
v gate --target dbname=adv_b2
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +view public\.open_projects .*definition of view public\.open_projects changed since the baseline'
adv_fault adv_b3 'GRANT SELECT ON public.open_projects TO portal_readonly'
v gate --target dbname=adv_b3
expect_rc 1
expect_out '^FAIL +rls +view public\.open_projects .*grant on public\.open_projects not in the baseline \(e\.g\. SELECT TO portal_readonly\)'
end_case

# ------------------------------------------------------------------ starter kit
# The same side door on a schema built on JWT claims: a view over the forced invoices table
# granted to anon, a materialized view of profiles granted to authenticated.
createdb adv_kit
psql -X -q -v ON_ERROR_STOP=1 -d adv_kit -f "$top/tests/integration/fixtures/rls_starter.sql" >/dev/null
cat >kit.conf <<'CONF'
[target]
dsn = dbname=adv_kit

[store]
path = kit.db

[rls]
schema = public
schema = auth
force = public.invoices
role = anon
role = authenticated
role = service_role
role = kit_authenticator
CONF

test_case "rls adversary kit: the kit passes, then a view and a matview over it fail"
v -c kit.conf baseline
expect_rc 0
expect_empty_err
v -c kit.conf gate
expect_rc 0
expect_empty_err
createdb -T adv_kit adv_kit_f1
psql_q -d adv_kit_f1 -c 'CREATE VIEW public.all_invoices AS SELECT * FROM public.invoices' \
    -c 'GRANT SELECT ON public.all_invoices TO anon' \
    -c 'CREATE MATERIALIZED VIEW auth.profile_copy AS SELECT * FROM public.profiles' \
    -c 'GRANT SELECT ON auth.profile_copy TO authenticated'
v -c kit.conf gate --target dbname=adv_kit_f1
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +view public\.all_invoices .*lets anon read public\.invoices past its RLS \(its owner postgres is a superuser\); ALTER VIEW public\.all_invoices SET \(security_invoker = true\) or REVOKE SELECT ON public\.all_invoices FROM anon$'
expect_out '^FAIL +rls +materialized view auth\.profile_copy .*holds a copy of public\.profiles that authenticated can read whatever its RLS says; REVOKE SELECT ON auth\.profile_copy FROM authenticated$'
end_case
for db in adv_kit adv_kit_f1; do
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
done
psql_q -d postgres -c 'DROP ROLE IF EXISTS kit_authenticator, anon, authenticated, service_role'

for db in adv_clean adv_v1 adv_v2 adv_v3 adv_v4 adv_v5 adv_t1 adv_t2 adv_b0 adv_b1 adv_b2 adv_b3 adv_rls; do
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
done
