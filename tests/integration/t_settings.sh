# settings: database- and role-level settings, functions' owner, SECURITY DEFINER flag and
# pinned settings, extensions and the database owner against the baseline. The baseline is
# taken on one database and the gate run on copies under other names, as after a restore.
# Roles are cluster-wide: whatever this file changes on a role is put back when it ends.

put_back_roles() {
    psql_q -d postgres -c "alter role portal_readonly reset search_path" >/dev/null 2>&1 || true
    psql_q -d postgres -c "alter role portal_readonly in database set_role reset role" >/dev/null 2>&1 || true
}
trap put_back_roles EXIT

# with_settings DB: what the sample portal sets outside its tables (see schema.sql), which a
# template copy (createdb -T) does not carry over.
with_settings() {
    psql_q -d "$1" -c "alter database \"$1\" set app.data_region = 'ap-southeast-2';
                       alter database \"$1\" set search_path = \"\$user\", public, extensions;
                       alter role portal_authenticator in database \"$1\" set statement_timeout = '30s'"
}
# set_copy NAME: a faithful copy of the healthy database, settings included.
set_copy() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    createdb -T set_healthy "$1"
    with_settings "$1"
}
set_gate() {
    v check settings --target "dbname=$1"
}

fresh_db set_healthy
with_settings set_healthy
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=set_healthy

[settings]
schema = public
CONF

test_case "baseline on one database, a faithful copy under another name passes"
v baseline
expect_rc 0
set_copy set_clean
set_gate set_clean
expect_rc 0
expect_out '^pass +settings +database +owner, 2 settings +same '
expect_out '^pass +settings +role settings +1 role +same '
expect_out '^pass +settings +functions in public +4 functions +same '
expect_out '^pass +settings +extensions +2 extensions +same '
end_case

test_case "a plain pg_dump | pg_restore loses the database settings"
pg_dump -Fc -d set_healthy -f healthy.dump
dropdb --if-exists set_plain >/dev/null 2>&1 || true
createdb set_plain
pg_restore -d set_plain healthy.dump 2>restore.log || true
set_gate set_plain
expect_rc 1
expect_out '^FAIL +settings +database search_path +"\$user", public, extensions +\(not set\) +the database lost SET search_path \(a restore without --create drops database settings\): run ALTER DATABASE set_plain SET search_path = "\$user", public, extensions$'
expect_out "^FAIL +settings +database app\.data_region +ap-southeast-2 +\(not set\) .*ALTER DATABASE set_plain SET app\.data_region = 'ap-southeast-2'$"
expect_out "^FAIL +settings +role portal_authenticator statement_timeout +30s +\(not set\) .*run ALTER ROLE portal_authenticator IN DATABASE set_plain SET statement_timeout = '30s'$"
end_case

test_case "a database search_path reset fails naming it"
set_copy set_path
psql_q -d set_path -c 'alter database set_path reset search_path'
set_gate set_path
expect_rc 1
expect_out '^FAIL +settings +database search_path +"\$user", public, extensions +\(not set\) +the database lost SET search_path'
expect_out '^pass +settings +role settings '
end_case

test_case "a role-level setting added in this database fails naming the role"
set_copy set_role
psql_q -d set_role -c 'alter role portal_readonly in database set_role set role = portal_app'
set_gate set_role
expect_rc 1
expect_out '^FAIL +settings +role portal_readonly role +\(not set\) +portal_app +role portal_readonly gained SET role = portal_app, which every session of that role gets: if not intended, run ALTER ROLE portal_readonly IN DATABASE set_role RESET role$'
end_case

test_case "ignore_role leaves that role's settings out"
printf '[target]\ndsn = dbname=set_healthy\n[settings]\nignore_role = portal_readonly\n' >ignore.conf
v -c ignore.conf --store ignore.db baseline
expect_rc 0
v -c ignore.conf --store ignore.db gate --target dbname=set_role
expect_rc 0
end_case

test_case "a role-level setting for every database fails, marked as such"
set_copy set_allrole
psql_q -d postgres -c 'alter role portal_readonly set search_path = public, pg_temp'
set_gate set_allrole
expect_rc 1
expect_out '^FAIL +settings +role portal_readonly \(every database\) search_path +\(not set\) +public, pg_temp .*run ALTER ROLE portal_readonly RESET search_path$'
put_back_roles
end_case

test_case "a SECURITY DEFINER function's search_path reset fails"
set_copy set_fn
psql_q -d set_fn -c 'alter function public.resolve_share_link(text) reset search_path'
set_gate set_fn
expect_rc 1
expect_out '^FAIL +settings +function public\.resolve_share_link\(text\) search_path +pg_catalog, public, pg_temp +\(not set\) +function public\.resolve_share_link\(text\) lost SET search_path \(a SECURITY DEFINER function without a pinned search_path can be hijacked\): run ALTER FUNCTION public\.resolve_share_link\(text\) SET search_path = pg_catalog, public, pg_temp$'
end_case

test_case "SECURITY DEFINER dropped fails"
set_copy set_def
psql_q -d set_def -c 'alter function public.resolve_share_link(text) security invoker'
set_gate set_def
expect_rc 1
expect_out '^FAIL +settings +function public\.resolve_share_link\(text\) security +definer +invoker +.*run ALTER FUNCTION public\.resolve_share_link\(text\) SECURITY DEFINER$'
end_case

test_case "a missing extension fails with the statement that puts it back"
set_copy set_ext
psql_q -d set_ext -c 'drop extension pgcrypto'
set_gate set_ext
expect_rc 1
expect_out "^FAIL +settings +extension pgcrypto +present +missing +extension pgcrypto [0-9.]+ is missing: run CREATE EXTENSION pgcrypto VERSION '[0-9.]+' SCHEMA extensions$"
end_case

test_case "a changed database owner fails"
set_copy set_owner
psql_q -d postgres -c 'alter database set_owner owner to portal_app'
set_gate set_owner
expect_rc 1
expect_out '^FAIL +settings +database owner +postgres +portal_app +the database is owned by portal_app instead of postgres: run ALTER DATABASE set_owner OWNER TO postgres$'
end_case

test_case "a changed function owner fails, saying it runs with that role's rights"
set_copy set_fowner
psql_q -d set_fowner -c 'alter function public.audit_log_append(text, text, bigint, jsonb) owner to portal_app'
set_gate set_fowner
expect_rc 1
expect_out "^FAIL +settings +function public\.audit_log_append\(text,text,bigint,jsonb\) owner +postgres +portal_app +.*owned by portal_app instead of postgres and runs with that role's rights \(SECURITY DEFINER\): run ALTER FUNCTION public\.audit_log_append\(text,text,bigint,jsonb\) OWNER TO postgres$"
end_case

test_case "a function added to a watched schema fails; one in another schema does not"
set_copy set_newfn
psql_q -d set_newfn -c "create function public.grant_everything() returns void language sql security definer as 'select'"
set_gate set_newfn
expect_rc 1
expect_out '^FAIL +settings +function public\.grant_everything\(\) +absent +present +function public\.grant_everything\(\) is new since the baseline'
set_copy set_otherfn
psql_q -d set_otherfn -c "create schema scratch; create function scratch.f() returns int language sql as 'select 1'"
set_gate set_otherfn
expect_rc 0
end_case

test_case "ignore_setting leaves a setting out everywhere"
printf '[target]\ndsn = dbname=set_healthy\n[settings]\nignore_setting = search_path\n' >ign2.conf
v -c ign2.conf --store ign2.db baseline
expect_rc 0
v -c ign2.conf --store ign2.db gate --target dbname=set_path
expect_rc 0
v -c ign2.conf --store ign2.db gate --target dbname=set_fn
expect_rc 0
end_case

test_case "an ignore_ key added after the baseline also leaves out what the baseline holds"
printf '[target]\ndsn = dbname=set_healthy\n[settings]\nignore_setting = statement_timeout\n' >late.conf
v -c late.conf gate --target dbname=set_plain
expect_rc 1
expect_not_out 'statement_timeout'
expect_out '^FAIL +settings +database search_path '
end_case

put_back_roles
