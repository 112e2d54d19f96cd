# settings: the database's ACL (GRANT / REVOKE ... ON DATABASE) and default privileges
# (ALTER DEFAULT PRIVILEGES) against the baseline. A pg_dump | pg_restore into a new
# database without --create loses the first, --no-privileges the second; both pass every
# table check. The schema is tests/integration/fixtures/saas_tenancy.sql.

fixture=$top/tests/integration/fixtures/saas_tenancy.sql

# new_db NAME: an empty database made as a restore makes one (no template copy of ours).
new_db() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    createdb "$1"
}

new_db dbp_healthy
psql -X -q -v ON_ERROR_STOP=1 -d dbp_healthy -f "$fixture" >/dev/null
# The hardening a careful team applies to its database, which lives in pg_database only.
psql_q -d dbp_healthy -c 'revoke connect on database dbp_healthy from public;
    grant connect, create on database dbp_healthy to saas_app;
    grant connect on database dbp_healthy to "Saas Ops" with grant option'
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=dbp_healthy

[settings]
schema = app
CONF
pg_dump -Fc -d dbp_healthy -f healthy.dump

test_case "the healthy database against its own baseline passes both parts"
v baseline
expect_rc 0
v check settings
expect_rc 0
expect_out '^pass +settings +database privileges +4 grants +same '
expect_out '^pass +settings +default privileges +7 default privileges +same '
end_case

test_case "pg_restore into a new database without --create loses the database's grants"
new_db dbp_plain
pg_restore -d dbp_plain healthy.dump 2>restore.log || true
v check settings --target dbname=dbp_plain
expect_rc 1
expect_out '^FAIL +settings +database grant CONNECT to PUBLIC +\(not granted\) +granted +PUBLIC gained CONNECT on the database \(a restore into a new database without --create resets the database.s privileges to the defaults\): if not intended, run REVOKE CONNECT ON DATABASE dbp_plain FROM PUBLIC$'
expect_out '^FAIL +settings +database grant CREATE to saas_app +granted +\(not granted\) +saas_app lost CREATE on the database .*: run GRANT CREATE ON DATABASE dbp_plain TO saas_app$'
expect_out '^FAIL +settings +database grant CONNECT to saas_app +granted +\(not granted\) .*run GRANT CONNECT ON DATABASE dbp_plain TO saas_app$'
expect_out '^FAIL +settings +database grant CONNECT to "Saas Ops" +granted with grant option +\(not granted\) .*run GRANT CONNECT ON DATABASE dbp_plain TO "Saas Ops" WITH GRANT OPTION$'
# pg_dump carries default privileges without --create: that part holds.
expect_out '^pass +settings +default privileges +7 default privileges +same '
end_case

test_case "the statements in the findings put the grants back, and the gate passes again"
grep -o 'run \(GRANT\|REVOKE\) .*$' "$OUT" | sed 's/^run //; s/$/;/' >fix.sql
check "four statements to run" test "$(wc -l <fix.sql)" = 4
psql_q -d dbp_plain -f fix.sql
v check settings --target dbname=dbp_plain
expect_rc 0
expect_out '^pass +settings +database privileges +4 grants +same '
end_case

test_case "a template copy (createdb -T) does not carry the database's ACL either"
dropdb --if-exists dbp_copy >/dev/null 2>&1 || true
createdb -T dbp_healthy dbp_copy
v check settings --target dbname=dbp_copy
expect_rc 1
expect_out '^FAIL +settings +database grant CONNECT to PUBLIC '
end_case

test_case "a database name that needs quotes is quoted in the statement"
new_db 'dbp Restored'
pg_restore -d 'dbp Restored' healthy.dump 2>restore.log || true
v check settings --target 'dbname=dbp\ Restored'
expect_rc 1
expect_out 'run REVOKE CONNECT ON DATABASE "dbp Restored" FROM PUBLIC$'
expect_out 'run GRANT CREATE ON DATABASE "dbp Restored" TO saas_app$'
end_case

test_case "pg_restore --no-privileges loses the default privileges, naming each statement"
new_db dbp_nopriv
pg_restore --no-privileges -d dbp_nopriv healthy.dump 2>restore.log || true
psql_q -d dbp_nopriv -c 'revoke connect on database dbp_nopriv from public;
    grant connect, create on database dbp_nopriv to saas_app;
    grant connect on database dbp_nopriv to "Saas Ops" with grant option'
v check settings --target dbname=dbp_nopriv
expect_rc 1
expect_out '^pass +settings +database privileges +4 grants +same '
expect_out '^FAIL +settings +default privileges FOR ROLE saas_owner IN SCHEMA app: SELECT ON TABLES TO saas_readonly +granted +\(default\) +the default privileges FOR ROLE saas_owner IN SCHEMA app ON TABLES no longer give SELECT TO saas_readonly \(a restore with --no-privileges.*: run ALTER DEFAULT PRIVILEGES FOR ROLE saas_owner IN SCHEMA app GRANT SELECT ON TABLES TO saas_readonly$'
expect_out '^FAIL +settings +default privileges FOR ROLE saas_owner IN SCHEMA app: USAGE ON SEQUENCES TO saas_app .*run ALTER DEFAULT PRIVILEGES FOR ROLE saas_owner IN SCHEMA app GRANT USAGE ON SEQUENCES TO saas_app$'
expect_out '^FAIL +settings +default privileges FOR ROLE saas_owner: EXECUTE ON FUNCTIONS TO PUBLIC +revoked +\(default\) .*no longer withhold the default EXECUTE TO PUBLIC .*: run ALTER DEFAULT PRIVILEGES FOR ROLE saas_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC$'
check "one finding per default privilege lost" test "$(grep -Ec '^FAIL +settings +default privileges' "$OUT")" = 7
end_case

test_case "the default-privilege statements put them back"
grep -o 'run ALTER DEFAULT PRIVILEGES .*$' "$OUT" | sed 's/^run //; s/$/;/' >fix.sql
psql_q -d dbp_nopriv -f fix.sql
v check settings --target dbname=dbp_nopriv
expect_rc 0
expect_out '^pass +settings +default privileges +7 default privileges +same '
end_case

test_case "a default privilege added since the baseline fails with the REVOKE"
new_db dbp_added
pg_restore -d dbp_added healthy.dump 2>restore.log || true
psql_q -d dbp_added -c 'revoke connect on database dbp_added from public;
    grant connect, create on database dbp_added to saas_app;
    grant connect on database dbp_added to "Saas Ops" with grant option;
    alter default privileges for role saas_owner in schema app grant delete on tables to saas_readonly;
    alter default privileges for role saas_owner grant execute on functions to public'
v check settings --target dbname=dbp_added
expect_rc 1
expect_out '^FAIL +settings +default privileges FOR ROLE saas_owner IN SCHEMA app: DELETE ON TABLES TO saas_readonly +\(default\) +granted +.*which the baseline did not: if not intended, run ALTER DEFAULT PRIVILEGES FOR ROLE saas_owner IN SCHEMA app REVOKE DELETE ON TABLES FROM saas_readonly$'
expect_out '^FAIL +settings +default privileges FOR ROLE saas_owner: EXECUTE ON FUNCTIONS TO PUBLIC +revoked +\(default\) .*run ALTER DEFAULT PRIVILEGES FOR ROLE saas_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC$'
end_case

# A settings baseline rewritten in a copy of the store to look like an older vouch's
# (without these parts): the gate refuses to compare with a baseline whose seal no longer
# holds, so nobody can weaken a baseline behind vouch's back; a new baseline is compared.
# (The warning for a genuine older baseline is in checks/settings_acl.c check_part.)
test_case "a settings baseline edited in the store is refused, not compared; a new one is"
sqlite3 vouch.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp vouch.db old.db
rm -f old.db-wal old.db-shm
cp vouch.db.head old.db.head 2>/dev/null || true
upd=$(sqlite3 old.db "select sql || ';' from sqlite_master where type = 'trigger' and name = 'baselines_append_only_update'")
sqlite3 old.db "drop trigger baselines_append_only_update;
    update baselines set content = json_set(json_remove(content, '\$.database_privileges',
        '\$.default_privileges'), '\$.version', 1) where check_name = 'settings';
    $upd"
check "the copy holds a version-1 settings baseline" \
    test "$(sqlite3 old.db "select json_extract(content, '\$.version') || json_type(content, '\$.database_privileges') is null from baselines where check_name = 'settings'")" = 1
base=$(sqlite3 old.db "select max(run_id) from baselines where check_name = 'settings'")
v --store old.db check settings --target dbname=dbp_plain
expect_rc 3
expect_err "^vouch: baseline $base cannot be trusted: the store's chain is broken: run $base does not match its digest: its content was changed after it was sealed$"
check "nothing was compared: the run is stored aborted" \
    test "$(sqlite3 old.db "select status from runs order by id desc limit 1")" = aborted
v --store old.db baseline
expect_rc 0
v --store old.db check settings --target dbname=dbp_nopriv
expect_rc 0
expect_out '^pass +settings +default privileges +7 default privileges +same '
end_case
