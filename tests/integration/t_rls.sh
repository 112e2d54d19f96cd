# rls: row-level security, policies, owners, grants and the application roles
# of the sample portal and of a starter-kit schema, against real restores with
# one fault injected at a time.
#
# Roles are cluster-wide: every change to the portal's roles is put back by the
# EXIT trap below (this file runs in its own subshell), and the roles this file
# creates are dropped at its end.

put_roles_back() {
    psql -X -q -d postgres -c 'ALTER ROLE portal_app NOBYPASSRLS' \
        -c 'GRANT portal_app TO portal_authenticator' >/dev/null 2>&1 || true
}
trap put_roles_back EXIT

fresh_db rls_healthy
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=rls_healthy

[rls]
schema = public
force = public.share_links
force = public.audit_log
role = portal_app
role = portal_readonly
role = portal_authenticator
probe = portal_app public.projects agency_id=1 app.agency_id=1
probe = portal_readonly public.tasks agency_id=2 app.agency_id=2
CONF

# clean_restore NAME: a real restore of the healthy database as the superuser,
# keeping owners (pg_restore --no-owner would change them: that is a fault here).
clean_restore() {
    pg_dump -Fc -d rls_healthy -f rls_healthy.dump
    dropdb --if-exists "$1" 2>/dev/null
    createdb "$1"
    pg_restore -d "$1" rls_healthy.dump 2>restore.log || true
}
# faulty NAME SQL...: a copy of the clean restore with the statements applied.
faulty() {
    local db=$1
    shift
    dropdb --if-exists "$db" 2>/dev/null
    createdb -T rls_clean "$db"
    for sql in "$@"; do
        psql_q -d "$db" -c "$sql"
    done
}

test_case "rls: baseline captures tables, schemas and roles"
v baseline
expect_rc 0
expect_empty_err
expect_out 'rls: 3 roles, 1 schemas, 8 tables'
expect_out '^baseline 1 captured$'
expect_empty_err
end_case

test_case "rls: a clean restore passes with one row per table, schema, role and probe"
clean_restore rls_clean
v gate --target dbname=rls_clean
expect_rc 0
expect_empty_err
expect_out '^pass +rls +public\.share_links +RLS\+FORCE, 2 policies +RLS\+FORCE, 2 policies +RLS, policies, owner and grants as at the baseline$'
expect_out '^pass +rls +public\.api_keys +RLS, 0 policies +RLS, 0 policies '
expect_out '^pass +rls +schema public '
expect_out '^pass +rls +role portal_authenticator +LOGIN NOINHERIT, in 1 role '
expect_out '^pass +rls +probe projects as portal_app +only agency_id=1 +[1-9][0-9]* seen, 0 other '
expect_out '^pass +rls +probe tasks as portal_readonly '
expect_out '^gate open: 14 of 14 results passed$'
end_case

test_case "rls: RLS disabled fails naming the table and the fix"
faulty rls_f1 'ALTER TABLE public.projects DISABLE ROW LEVEL SECURITY'
v gate --target dbname=rls_f1
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.projects +RLS, 1 policy +RLS off, 1 policy +RLS is off on public\.projects: every role with table privileges sees every row; ALTER TABLE public\.projects ENABLE ROW LEVEL SECURITY$'
# the probe sees it too: the app role now reads every tenant's projects
expect_out '^FAIL +rls +probe projects as portal_app +only agency_id=1 +[0-9]+ seen, [1-9][0-9]* other +portal_app sees [0-9]+ rows of other tenants in public\.projects'
expect_out '^pass +rls +public\.tasks '
end_case

test_case "rls: FORCE dropped fails, naming the owner that now bypasses"
faulty rls_f2 'ALTER TABLE public.audit_log NO FORCE ROW LEVEL SECURITY'
v gate --target dbname=rls_f2
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.audit_log +RLS\+FORCE, 2 policies +RLS, 2 policies +FORCE ROW LEVEL SECURITY is off on public\.audit_log: its owner postgres bypasses the policies; ALTER TABLE public\.audit_log FORCE ROW LEVEL SECURITY$'
end_case

test_case "rls: a dropped policy fails and the detail holds the statement to recreate it"
faulty rls_f3 'DROP POLICY tenant_isolation ON public.tasks'
v gate --target dbname=rls_f3
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.tasks +RLS, 1 policy +RLS, 0 policies +policy tenant_isolation on public\.tasks is missing: the roles it served lose those rows; recreate it \(see detail\)$'
expect_out '^ +- CREATE POLICY tenant_isolation ON public\.tasks AS PERMISSIVE FOR ALL TO portal_app, portal_readonly USING \(\(agency_id = '
end_case

test_case "rls: USING widened to true is critical and the detail shows both expressions"
faulty rls_f4 'ALTER POLICY tenant_isolation ON public.projects USING (true)'
v gate --target dbname=rls_f4
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.projects .*policy tenant_isolation on public\.projects: USING widened to true, it no longer filters anything'
expect_out '^ +critical +policy tenant_isolation on public\.projects: USING widened'
expect_out "^ +- USING \(\(agency_id = \(NULLIF\(current_setting\('app\.agency_id'::text, true\)"
expect_out '^ +\+ USING \(true\)$'
end_case

test_case "rls: WITH CHECK removed fails"
faulty rls_f5 'DROP POLICY tenant_isolation ON public.assets' \
    "CREATE POLICY tenant_isolation ON public.assets AS PERMISSIVE FOR ALL TO portal_app, portal_readonly
       USING (agency_id = nullif(current_setting('app.agency_id', true), '')::bigint)"
v gate --target dbname=rls_f5
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.assets .*policy tenant_isolation on public\.assets: WITH CHECK removed, rows written are no longer checked by it'
expect_out '^ +\+ \(no WITH CHECK\)$'
end_case

test_case "rls: restrictive turned permissive (nothing else changed) fails"
faulty rls_f6 'DROP POLICY hide_revoked ON public.share_links' \
    'CREATE POLICY hide_revoked ON public.share_links AS PERMISSIVE FOR SELECT TO portal_app USING (revoked_at IS NULL)'
v gate --target dbname=rls_f6
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.share_links .*policy hide_revoked on public\.share_links is now PERMISSIVE \(was RESTRICTIVE\): it no longer limits what the other policies allow; drop and recreate it AS RESTRICTIVE$'
end_case

test_case "rls: a policy's roles changed to PUBLIC fails"
faulty rls_f7 'ALTER POLICY tenant_read ON public.audit_log TO PUBLIC'
v gate --target dbname=rls_f7
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.audit_log .*policy tenant_read on public\.audit_log now applies TO PUBLIC \(was TO portal_app, portal_readonly\)'
expect_out '^ +\+ TO PUBLIC$'
end_case

test_case "rls: a new permissive catch-all policy fails"
faulty rls_f8 'CREATE POLICY support_sees_all ON public.tasks FOR SELECT USING (true)'
v gate --target dbname=rls_f8
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.tasks +RLS, 1 policy +RLS, 2 policies +new permissive policy support_sees_all on public\.tasks, not in the baseline, opens rows to every role; DROP POLICY support_sees_all ON public\.tasks or take a new baseline$'
end_case

test_case "rls: a new table without RLS in a protected schema fails"
faulty rls_f9 'CREATE TABLE public.exports (id bigint, agency_id bigint, payload text)'
v gate --target dbname=rls_f9
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.exports +\(not in baseline\) +RLS off, 0 policies +new table public\.exports in a protected schema has RLS off: ALTER TABLE public\.exports ENABLE ROW LEVEL SECURITY'
end_case

test_case "rls: an owner changed fails (an owner bypasses RLS unless forced)"
psql_q -d postgres -c 'DROP ROLE IF EXISTS rls_t_owner' -c 'CREATE ROLE rls_t_owner NOLOGIN'
faulty rls_f10 'ALTER TABLE public.tasks OWNER TO rls_t_owner'
v gate --target dbname=rls_f10
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.tasks .*owner of public\.tasks is now rls_t_owner \(was postgres\): the owner bypasses RLS unless forced; ALTER TABLE public\.tasks OWNER TO postgres$'
dropdb rls_f10
psql_q -d postgres -c 'DROP ROLE rls_t_owner'
end_case

test_case "rls: BYPASSRLS granted to the app role fails (and the probe sees other tenants)"
psql_q -d postgres -c 'ALTER ROLE portal_app BYPASSRLS'
v gate --target dbname=rls_clean
psql_q -d postgres -c 'ALTER ROLE portal_app NOBYPASSRLS'
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +role portal_app +NOLOGIN, in 0 roles +BYPASSRLS NOLOGIN, in 0 roles +role portal_app now has BYPASSRLS: every policy is ignored for it; ALTER ROLE portal_app NOBYPASSRLS$'
expect_out '^FAIL +rls +probe projects as portal_app '
end_case

test_case "rls: RLS lost on a zero-policy (deny-all) table fails"
faulty rls_f12 'ALTER TABLE public.api_keys DISABLE ROW LEVEL SECURITY'
v gate --target dbname=rls_f12
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.api_keys +RLS, 0 policies +RLS off, 0 policies +RLS is off on deny-all table public\.api_keys \(it had no policies, RLS was its only guard\): ALTER TABLE public\.api_keys ENABLE ROW LEVEL SECURITY$'
end_case

test_case "rls: grants to the app role lost fail, listing the GRANTs to re-run"
faulty rls_f13 'REVOKE ALL ON public.share_links FROM portal_app'
v gate --target dbname=rls_f13
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.share_links .*4 grants on public\.share_links lost \(e\.g\. DELETE TO portal_app\): re-run the GRANTs in the detail$'
expect_out '^ +- GRANT SELECT ON public\.share_links TO portal_app$'
end_case

test_case "rls: an app role's membership lost fails"
psql_q -d postgres -c 'REVOKE portal_app FROM portal_authenticator'
v gate --target dbname=rls_clean
psql_q -d postgres -c 'GRANT portal_app TO portal_authenticator'
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +role portal_authenticator +LOGIN NOINHERIT, in 1 role +LOGIN NOINHERIT, in 0 roles +role portal_authenticator is no longer a member of portal_app; GRANT portal_app TO portal_authenticator$'
end_case

test_case "rls: a renamed policy with identical text warns and the gate stays open"
faulty rls_f15 'ALTER POLICY tenant_read ON public.audit_log RENAME TO tenant_read_v2'
v gate --target dbname=rls_f15
expect_rc 0
expect_empty_err
expect_out '^WARN +rls +public\.audit_log .*policy tenant_read on public\.audit_log was renamed to tenant_read_v2, definition identical; take a new baseline if that was meant$'
expect_out '^gate open: 14 of 14 results passed \(with warnings\)$'
end_case

test_case "rls: a restore of selected sections (no post-data) loses RLS and policies, and says so"
dropdb --if-exists rls_sections 2>/dev/null
createdb rls_sections
restore_rc=0
pg_restore -d rls_sections --section=pre-data --section=data rls_healthy.dump 2>sections.log || restore_rc=$?
check "pg_restore itself exits 0" test "$restore_rc" = 0
v gate --target dbname=rls_sections
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.projects +RLS, 1 policy +RLS off, 0 policies +RLS is off on public\.projects: .* \(\+1 more, see detail\)$'
expect_out '^FAIL +rls +public\.api_keys +RLS, 0 policies +RLS off, 0 policies +RLS is off on deny-all table public\.api_keys'
expect_out '^ +critical +restrictive policy hide_revoked on public\.share_links is missing'
end_case

test_case "rls: a restore into a cluster without a policy's role loses the policy and says why"
psql_q -d postgres -c 'DROP ROLE IF EXISTS rls_t_auditor' -c 'CREATE ROLE rls_t_auditor NOLOGIN'
fresh_db rls_roles
psql_q -d rls_roles -c 'CREATE POLICY auditor_read ON public.assets FOR SELECT TO rls_t_auditor USING (true)'
sed -e 's/dbname=rls_healthy/dbname=rls_roles/' -e 's/^role = portal_readonly$/&\nrole = rls_t_auditor/' \
    vouch.conf >roles.conf
printf '[store]\npath = roles.db\n' >>roles.conf
v -c roles.conf baseline
expect_rc 0
expect_empty_err
pg_dump -Fc -d rls_roles -f rls_roles.dump
dropdb rls_roles
psql_q -d postgres -c 'DROP ROLE rls_t_auditor'
createdb rls_roles_restored
pg_restore -d rls_roles_restored rls_roles.dump 2>roles_restore.log || true
check "pg_restore complained about the missing role" grep -q 'role "rls_t_auditor" does not exist' roles_restore.log
v -c roles.conf gate --target dbname=rls_roles_restored
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.assets +RLS, 2 policies +RLS, 1 policy +policy auditor_read on public\.assets is missing: its role rls_t_auditor does not exist \(a restore without the roles drops every policy naming them\); create the role, then the policy \(see detail\)$'
expect_out '^FAIL +rls +role rls_t_auditor +.* +missing +role rls_t_auditor does not exist'
end_case

test_case "rls: a malformed probe is a configuration error naming file and line"
printf '[rls]\nschema = public\nprobe = portal_app public.projects\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err 'bad\.conf:3: \[rls\] probe: expected the tenant COLUMN=VALUE after the table'
end_case

# ------------------------------------------------------------------ starter kit
# A schema nobody here built the checker around: auth.uid() from JWT claims,
# anon/authenticated roles, many permissive and restrictive policies, a
# deny-all table, a forced table, a policy name past 63 bytes.
createdb kit_healthy
psql -X -q -v ON_ERROR_STOP=1 -d kit_healthy -f "$top/tests/integration/fixtures/rls_starter.sql" >/dev/null
cat >kit.conf <<'CONF'
[target]
dsn = dbname=kit_healthy

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
probe = authenticated public.profiles id=00000000-0000-0000-0000-00000000000a request.jwt.claim.sub=00000000-0000-0000-0000-00000000000a
probe = anon public.posts published=true
CONF
pg_dump -Fc -d kit_healthy -f kit.dump
# kit_fault NAME SQL...: a restored copy of the kit with the statements applied.
kit_fault() {
    local db=$1
    shift
    createdb "$db"
    pg_restore -d "$db" kit.dump 2>/dev/null || true
    for sql in "$@"; do
        psql_q -d "$db" -c "$sql"
    done
}

test_case "rls kit: baseline and a clean restore pass"
v -c kit.conf baseline
expect_rc 0
expect_empty_err
expect_out 'rls: 4 roles, 2 schemas, 8 tables'
kit_fault kit_clean
v -c kit.conf gate --target dbname=kit_clean
expect_rc 0
expect_empty_err
expect_out '^pass +rls +public\.documents +RLS, 6 policies '
expect_out '^pass +rls +role service_role +BYPASSRLS NOLOGIN NOINHERIT'
expect_out '^pass +rls +probe profiles as authenticated +only id=0{8}-[0-9a-f-]+a +1 seen, 0 other'
expect_out '^gate open: 16 of 16 results passed$'
end_case

test_case "rls kit: a dropped restrictive policy and a widened restrictive one fail"
kit_fault kit_f1 'DROP POLICY "Only authors delete" ON public.documents' \
    'ALTER POLICY "No anonymous access to invoices" ON public.invoices USING (true)'
v -c kit.conf gate --target dbname=kit_f1
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.documents .*restrictive policy "Only authors delete" on public\.documents is missing: the limit it imposed is gone'
expect_out '^FAIL +rls +public\.invoices .*policy "No anonymous access to invoices" on public\.invoices: USING widened to true, it no longer restricts anything'
expect_out '^ +- USING \(false\)$'
end_case

test_case "rls kit: deny-all table without RLS, restrictive made permissive, long name retargeted"
kit_fault kit_f2 'ALTER TABLE public.integration_secrets DISABLE ROW LEVEL SECURITY' \
    'DROP POLICY "Deleted documents are hidden" ON public.documents' \
    'CREATE POLICY "Deleted documents are hidden" ON public.documents FOR SELECT TO authenticated USING (deleted_at IS NULL)' \
    'ALTER POLICY "Archived documents are read-only for everyone including their o" ON public.documents TO anon'
v -c kit.conf gate --target dbname=kit_f2
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.integration_secrets .*RLS is off on deny-all table public\.integration_secrets'
expect_out '^ +critical +policy "Deleted documents are hidden" on public\.documents is now PERMISSIVE \(was RESTRICTIVE\)'
expect_out '^ +critical +policy "Archived documents are read-only for everyone including their o" on public\.documents now restricts fewer roles'
end_case

test_case "rls kit: a new anon policy on a forced table and FORCE dropped fail"
kit_fault kit_f3 'CREATE POLICY "Anon reads invoices" ON public.invoices FOR SELECT TO anon USING (true)' \
    'ALTER TABLE public.invoices NO FORCE ROW LEVEL SECURITY'
v -c kit.conf gate --target dbname=kit_f3
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +public\.invoices .*FORCE ROW LEVEL SECURITY is off on public\.invoices'
expect_out '^ +critical +new permissive policy "Anon reads invoices" on public\.invoices, not in the baseline, opens rows to its roles'
end_case

# Put the cluster back as it was: the kit's roles and databases go.
for db in kit_healthy kit_clean kit_f1 kit_f2 kit_f3; do
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
done
psql_q -d postgres -c 'DROP ROLE IF EXISTS kit_authenticator, anon, authenticated, service_role'
put_roles_back
