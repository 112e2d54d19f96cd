# Attacks by whoever controls the restored database's contents: functions that the
# configured expressions call and that change vouch's own session settings, operators
# and aggregates planted where an unqualified name would find them, audit rows rewritten
# behind a lying row_bytes function, and feeders that stop writing the log. Each case
# copies the healthy portal (as restore-branch does), takes the baseline on the healthy
# one and runs the gate on the tampered copy.

fresh_db tgt_healthy
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=tgt_healthy

[audit_log]
table = public.audit_log
time_column = occurred_at
range = 1000
row_hash_column = row_hash
prev_hash_column = prev_hash
row_bytes = public.audit_log_row_bytes(id, occurred_at, actor, action, agency_id, payload)
rpo = 24h
trigger = public.projects audit_project_change
function = public.audit_log_append
CONF

# tampered NAME: a copy of the healthy database for one attack.
tampered() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    createdb -T tgt_healthy "$1"
}

# The row bytes function as the schema defines it, plus a FROM clause of the caller's.
ROW_BYTES_HEAD="create or replace function public.audit_log_row_bytes(
    id bigint, occurred_at timestamptz, actor text, action text, agency_id bigint, payload jsonb)
  returns bytea language sql stable"
ROW_BYTES_BODY="convert_to(id::text || '|' || (extract(epoch from occurred_at) * 1000000)::bigint::text
    || '|' || actor || '|' || action || '|' || coalesce(agency_id::text, '') || '|' || payload::text, 'UTF8')"

test_case "the healthy copy passes, every definition as in the baseline"
v baseline
expect_rc 0
tampered tgt_clean
v gate --target "dbname=tgt_clean"
expect_rc 0
expect_out '^pass +audit_log +definition of public\.audit_log_row_bytes\(id bigint, occurred_at timestamp with time zone, actor .* +as in the baseline +unchanged +function public\.audit_log_row_bytes \(row_bytes\) is as in the baseline'
expect_out '^pass +audit_log +definition of public\.audit_project_change\(\) .*\(trigger audit_project_change\)'
expect_out '^pass +audit_log +definition of public\.audit_log_append\(p_actor text, .*\(function\)'
expect_out '^pass +audit_log +trigger audit_project_change +enabled +enabled'
end_case

test_case "row_bytes that sets search_path to a schema with a lying = cannot hide a dropped trigger"
tampered tgt_evil_eq
psql_q -d tgt_evil_eq <<SQL
create schema evil;
create function evil.name_eq(a name, b name) returns boolean language sql immutable
  as \$\$ select a operator(pg_catalog.=) b or b operator(pg_catalog.=) 'audit_project_change'::name \$\$;
create operator evil.= (leftarg = name, rightarg = name, function = evil.name_eq);
$ROW_BYTES_HEAD
  as \$\$ select $ROW_BYTES_BODY
       from (select pg_catalog.set_config('search_path', 'evil, pg_catalog, pg_temp', false)) s \$\$;
drop trigger audit_project_change on public.projects;
create function public.zz_noop() returns trigger language plpgsql as \$\$begin return null; end\$\$;
create trigger zz_noop after update on public.projects for each row execute function public.zz_noop();
SQL
v gate --target "dbname=tgt_evil_eq"
expect_rc 1
expect_out '^FAIL +audit_log +trigger audit_project_change +enabled +missing +trigger audit_project_change on public\.projects is gone'
expect_not_out 'exists and is enabled'
expect_out '^FAIL +audit_log +definition of public\.audit_log_row_bytes\(.* +as in the baseline +changed +function .* \(row_bytes\) changed since the baseline \(definition\)'
end_case

test_case "a planted public.count(*) aggregate cannot make a dropped function count as present"
tampered tgt_evil_count
psql_q -d tgt_evil_count <<SQL
create function public.one_sfunc(bigint) returns bigint language sql immutable as \$\$ select 1::bigint \$\$;
create aggregate public.count(*) (sfunc = public.one_sfunc, stype = bigint, initcond = '1');
$ROW_BYTES_HEAD
  as \$\$ select $ROW_BYTES_BODY
       from (select pg_catalog.set_config('search_path', 'public, pg_catalog, pg_temp', false)) s \$\$;
drop function public.audit_log_append(text, text, bigint, jsonb) cascade;
SQL
v gate --target "dbname=tgt_evil_count"
expect_rc 1
expect_out '^FAIL +audit_log +function public\.audit_log_append +1 defined +missing +function public\.audit_log_append is gone'
expect_out '^FAIL +audit_log +definition of public\.audit_log_append\(.* +as in the baseline +missing +function .* \(function\) is gone'
expect_not_out 'function public\.audit_log_append exists'
end_case

test_case "rows rewritten behind a row_bytes function that returns the old bytes are found"
tampered tgt_rewrite
psql_q -d tgt_rewrite <<SQL
create table public.h as
  select id, public.audit_log_row_bytes(id, occurred_at, actor, action, agency_id, payload) as b
  from public.audit_log where id between 100 and 110;
update public.audit_log set actor = 'nobody', action = 'nothing.happened', payload = '{}'
  where id between 100 and 110;
$ROW_BYTES_HEAD
  as \$\$ select coalesce((select h.b from public.h where h.id = \$1), $ROW_BYTES_BODY) \$\$;
SQL
v gate --target "dbname=tgt_rewrite"
expect_rc 1
expect_out '^FAIL +audit_log +definition of public\.audit_log_row_bytes\(.* +as in the baseline +changed +.*changed since the baseline \(definition\): the audit log it writes or verifies can no longer be trusted'
end_case

test_case "a replica-only trigger writes nothing for the application: fail; ALWAYS still passes"
tampered tgt_replica
psql_q -d tgt_replica -c 'alter table public.projects enable replica trigger audit_project_change'
v gate --target "dbname=tgt_replica"
expect_rc 1
expect_out '^FAIL +audit_log +trigger audit_project_change +enabled +replica only +trigger audit_project_change fires only for replication sessions now'
tampered tgt_always
psql_q -d tgt_always -c 'alter table public.projects enable always trigger audit_project_change'
v gate --target "dbname=tgt_always"
expect_rc 0
expect_out '^pass +audit_log +trigger audit_project_change +enabled +always'
end_case

test_case "feeders replaced by functions that do nothing fail, each named"
tampered tgt_noop
psql_q -d tgt_noop <<'SQL'
create or replace function public.audit_project_change() returns trigger
  language plpgsql set search_path = pg_catalog, public, pg_temp as $$begin return null; end$$;
create or replace function public.audit_log_append(
    p_actor text, p_action text, p_agency_id bigint, p_payload jsonb default '{}')
  returns bigint language plpgsql security definer set search_path = pg_catalog, public, pg_temp
  as $$begin return 0; end$$;
SQL
psql_q -d tgt_noop -c "update public.projects set status = status where id = (select min(id) from public.projects)"
check "the no-op feeders really write nothing" \
    test "$(psql_q -d tgt_noop -c 'select count(*) from public.audit_log')" = \
         "$(psql_q -d tgt_healthy -c 'select count(*) from public.audit_log')"
v gate --target "dbname=tgt_noop"
expect_rc 1
expect_out '^FAIL +audit_log +definition of public\.audit_project_change\(\) +as in the baseline +changed +function public\.audit_project_change \(trigger audit_project_change\) changed since the baseline \(definition\)'
expect_out '^FAIL +audit_log +definition of public\.audit_log_append\(.* +as in the baseline +changed +.*\(function\) changed since the baseline \(definition\)'
end_case

test_case "a helper the row bytes function calls is followed and held to the baseline too"
fresh_db tgt_helper_healthy
psql_q -d tgt_helper_healthy <<SQL
create function public.rb_helper(t text) returns bytea language sql immutable
  as \$\$ select pg_catalog.convert_to(t, 'UTF8') \$\$;
create function public.rb_outer(i bigint) returns bytea language plpgsql stable
  as \$\$begin return public.rb_helper(i::text); end\$\$;
SQL
sed -e 's/^dsn = .*/dsn = dbname=tgt_helper_healthy/' \
    -e 's/^row_bytes = .*/digest = public.rb_outer(id)::text/' \
    -e '/^row_hash_column\|^prev_hash_column/d' vouch.conf >helper.conf
v -c helper.conf baseline
expect_rc 0
dropdb --if-exists tgt_helper >/dev/null 2>&1 || true
createdb -T tgt_helper_healthy tgt_helper
psql_q -d tgt_helper -c "create or replace function public.rb_helper(t text) returns bytea language sql immutable as \$\$ select pg_catalog.convert_to('x', 'UTF8') \$\$"
v -c helper.conf gate --target "dbname=tgt_helper"
expect_rc 1
expect_out '^FAIL +audit_log +definition of public\.rb_helper\(t text\) +as in the baseline +changed +function public\.rb_helper \(called by public\.rb_outer\(i bigint\)\) changed since the baseline \(definition\)'
expect_out '^pass +audit_log +definition of public\.rb_outer\(i bigint\) .*\(digest\) is as in the baseline'
end_case
