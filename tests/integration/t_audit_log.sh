# audit_log: faults injected one at a time into real restores of the sample portal,
# plus two audit tables in other people's styles (a UUID-keyed auth audit log and a
# trigger-based audit extension with legitimate id gaps).

fresh_db audit_healthy
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=audit_healthy

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

# audit_copy NAME: a real restore of the healthy database (pg_dump | pg_restore).
audit_copy() {
    [ -f audit_healthy.dump ] || pg_dump -Fc -d audit_healthy -f audit_healthy.dump
    dropdb --if-exists "$1" 2>/dev/null
    createdb "$1"
    pg_restore -d "$1" --no-owner audit_healthy.dump 2>restore.log || true
}

# utc_after DB INTERVAL: the newest audit event of DB plus INTERVAL, as --incident-at takes it.
utc_after() {
    psql_q -d "$1" -c "select to_char((max(occurred_at) + interval '$2') at time zone 'UTC',
                                      'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') from public.audit_log"
}

test_case "baseline anchors the log"
v baseline
expect_rc 0
expect_out 'audit_log: .*11 ranges'
expect_out '^baseline 1 captured$'
expect_empty_err
end_case

test_case "a clean restore passes every audit_log row"
audit_copy a_clean
v gate --target "dbname=a_clean"
expect_rc 0
expect_out '^pass +audit_log +public\.audit_log +11 ranges +11 match +every id range up to the restored head'
expect_out '^pass +audit_log +public\.audit_log head +id 10000 +id 10000 '
expect_out '^pass +audit_log +public\.audit_log gaps +0 gaps +0 new '
expect_out '^pass +audit_log +public\.audit_log order '
expect_out '^pass +audit_log +public\.audit_log chain +every link +10000 links ok '
expect_out '^WARN +audit_log +public\.audit_log rpo +<= 24 h +not judged +RPO 24 h not judged: give --incident-at TIME'
newest=$(psql_q -d a_clean -c "select to_char(max(occurred_at) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') from public.audit_log")
expect_out "^pass +audit_log +public\\.audit_log newest +- +$newest +the newest surviving event, at $newest, is this restore's point in time\$"
expect_out '^pass +audit_log +trigger audit_project_change +enabled +enabled '
expect_out '^pass +audit_log +function public\.audit_log_append '
expect_not_out '^FAIL'
end_case

test_case "rows deleted in an id range are listed by id"
audit_copy a_deleted
psql_q -d a_deleted -c 'delete from public.audit_log where id between 2000 and 2099'
v gate --target "dbname=a_deleted"
expect_rc 1
expect_out '^FAIL +audit_log +public\.audit_log ids 2000-2999 +1000 rows +900 rows +100 rows missing: ids 2000-2099; restore them from a backup$'
expect_out '^FAIL +audit_log +public\.audit_log gaps +0 gaps +1 new +100 ids missing in 1 new gaps: 2000-2099'
expect_out '^FAIL +audit_log +public\.audit_log chain .*first at id 2100: prev_hash is not the row_hash of id 1999$'
end_case

test_case "the newest hours cut off: 2 h before the incident passes with the loss reported"
audit_copy a_cut
psql_q -d a_cut -c "delete from public.audit_log
                    where occurred_at > (select max(occurred_at) - interval '36 hours' from public.audit_log)"
v gate --target "dbname=a_cut" --incident-at "$(utc_after a_cut '2 hours')"
expect_rc 0
expect_out '^WARN +audit_log +public\.audit_log head +id 10000 +id 9[0-9]{3} +[0-9]+ baseline events after the restored head are lost: the point-in-time loss from 20[0-9-]+T[0-9:]+Z to 2026-09-30T[0-9:]+Z'
expect_out '^pass +audit_log +public\.audit_log rpo +<= 24 h +2 h +2 h of events before the incident lost, within the RPO of 24 h$'
expect_out '^pass +audit_log +public\.audit_log chain '
expect_out '^pass +audit_log +public\.audit_log gaps '
expect_not_out '^FAIL'
end_case

test_case "the same cut 30 h before the incident fails the RPO with the time lost"
v gate --target "dbname=a_cut" --incident-at "$(utc_after a_cut '30 hours')"
expect_rc 1
expect_out '^FAIL +audit_log +public\.audit_log rpo +<= 24 h +30 h +30 h of events lost before the incident, over the RPO of 24 h'
end_case

test_case "events appended after the baseline, as the application writes them, pass"
audit_copy a_grown
psql_q -d a_grown -c "select public.audit_log_append('ops@example.gov.au', 'system.maintenance', null, '{}')
                      from generate_series(1, 3)" >/dev/null
v gate --target "dbname=a_grown"
expect_rc 0
expect_out '^pass +audit_log +public\.audit_log head +id 10000 +id 10003 '
expect_out '^pass +audit_log +public\.audit_log chain +every link +10003 links ok '
expect_not_out '^FAIL'
end_case

test_case "one row's payload edited breaks its link"
audit_copy a_payload
psql_q -d a_payload -c "update public.audit_log set payload = payload || '{\"ip\": \"10.9.9.9\"}' where id = 4321"
v gate --target "dbname=a_payload"
expect_rc 1
expect_out '^FAIL +audit_log +public\.audit_log chain +every link +1 broken +1 of 10000 links broken, first at id 4321: row_hash is not sha256\(prev_hash \|\| row bytes\): the row was altered$'
expect_out '^pass +audit_log +public\.audit_log +11 ranges'
end_case

test_case "a row hash edited: its range differs and the chain names the row"
audit_copy a_hash
psql_q -d a_hash -c "update public.audit_log set row_hash = sha256(row_hash) where id = 5555"
v gate --target "dbname=a_hash"
expect_rc 1
expect_out '^FAIL +audit_log +public\.audit_log ids 5000-5999 +1000 rows +1000 rows +rows altered in ids 5000-5999 \(same ids, digest differs\); the chain breaks first at id 5555'
expect_out '^ +id 5556: prev_hash is not the row_hash of id 5555$'
expect_out '^FAIL +audit_log +public\.audit_log chain +every link +2 broken '
end_case

test_case "timestamps moved backwards"
audit_copy a_time
psql_q -d a_time -c "update public.audit_log set occurred_at = occurred_at - interval '30 days' where id between 700 and 702"
v gate --target "dbname=a_time"
expect_rc 1
expect_out '^FAIL +audit_log +public\.audit_log order +time never back +1 go back +event time goes backwards at id 700 '
expect_out '^FAIL +audit_log +public\.audit_log chain .*first at id 700'
end_case

test_case "rows re-inserted with new ids"
audit_copy a_reinsert
psql_q -d a_reinsert -c "begin;
    create temp table moved on commit drop as select * from public.audit_log where id between 300 and 304;
    delete from public.audit_log where id between 300 and 304;
    insert into public.audit_log (occurred_at, actor, action, agency_id, payload, prev_hash, row_hash)
        select occurred_at, actor, action, agency_id, payload, prev_hash, row_hash from moved order by id;
    commit"
v gate --target "dbname=a_reinsert"
expect_rc 1
expect_out '^FAIL +audit_log +public\.audit_log ids 1-999 +999 rows +994 rows +5 rows missing: ids 300-304'
expect_out '^FAIL +audit_log +public\.audit_log gaps .*5 ids missing in 1 new gaps: 300-304'
expect_out '^FAIL +audit_log +public\.audit_log order .*goes backwards at id 10001 '
expect_out '^pass +audit_log +public\.audit_log head +id 10000 +id 10005 '
end_case

test_case "the audit trigger dropped"
audit_copy a_dropped
psql_q -d a_dropped -c 'drop trigger audit_project_change on public.projects'
v gate --target "dbname=a_dropped"
expect_rc 1
expect_out '^FAIL +audit_log +trigger audit_project_change +enabled +missing +trigger audit_project_change on public\.projects is gone, so the log is no longer written'
expect_out '^pass +audit_log +public\.audit_log chain '
end_case

test_case "the audit trigger disabled"
audit_copy a_disabled
psql_q -d a_disabled -c 'alter table public.projects disable trigger audit_project_change'
v gate --target "dbname=a_disabled"
expect_rc 1
expect_out '^FAIL +audit_log +trigger audit_project_change +enabled +disabled +trigger audit_project_change is disabled, so the log is no longer written: run ALTER TABLE public\.projects ENABLE TRIGGER audit_project_change$'
end_case

test_case "the row bytes function gone: the chain cannot be checked, the rest still is"
audit_copy a_nobytes
psql_q -d a_nobytes -c 'drop function public.audit_log_row_bytes(bigint, timestamptz, text, text, bigint, jsonb)'
v gate --target "dbname=a_nobytes"
expect_rc 1
expect_out '^ERROR +audit_log +public\.audit_log rows +- +- +gaps, time order and chain not checked: vouch\.conf:[0-9]+: \[audit_log\] row_bytes: not usable as one bytea value per row of public\.audit_log: function public\.audit_log_row_bytes\(.*\) does not exist'
expect_out '^pass +audit_log +public\.audit_log +11 ranges +11 match '
expect_out '^pass +audit_log +trigger audit_project_change '
end_case

test_case "the audit table gone fails naming it"
audit_copy a_gone
psql_q -d a_gone -c 'drop table public.audit_log cascade'
v gate --target "dbname=a_gone"
expect_rc 1
expect_out '^FAIL +audit_log +public\.audit_log +present +missing +the audit table public\.audit_log does not exist'
end_case

test_case "a range size other than the baseline's asks for a new baseline"
sed 's/^range = 1000$/range = 500/' vouch.conf >resized.conf
v -c resized.conf check audit_log --target "dbname=a_clean"
expect_rc 1
expect_out '^ERROR +audit_log +public\.audit_log +- +- +the baseline anchored public\.audit_log \(sequential ids, range 1000, digest of row hash\) but the configuration now differs: run .vouch baseline.$'
end_case

test_case "a chain named in part is a configuration error"
cat >bad.conf <<'CONF'
[target]
dsn = dbname=audit_healthy
[audit_log]
table = public.audit_log
time_column = occurred_at
row_hash_column = row_hash
CONF
v -c bad.conf check audit_log
expect_rc 2
expect_err 'bad.conf:6: \[audit_log\] row_hash_column: a chain needs all of row_hash_column, prev_hash_column and row_bytes'
end_case

test_case "range with unordered ids is a configuration error"
cat >bad.conf <<'CONF'
[target]
dsn = dbname=audit_healthy
[audit_log]
table = public.audit_log
time_column = occurred_at
ids = unordered
range = 10
CONF
v -c bad.conf check audit_log
expect_rc 2
expect_err 'bad.conf:7: \[audit_log\] range: range is for sequential ids'
end_case

# ---------------------------------------------- an auth service's audit log
# UUID ids, a json payload, created_at; no chain: anchored by hourly time buckets.
psql_q -d audit_healthy -c "create schema auth;
    create table auth.audit_log_entries (
        instance_id uuid, id uuid primary key, payload json,
        created_at timestamptz, ip_address varchar(64) not null default '');
    insert into auth.audit_log_entries
        select null, gen_random_uuid(),
               json_build_object('action', 'login', 'actor_id', g, 'log_type', 'account'),
               timestamptz '2026-09-01 00:00Z' + g * interval '7 minutes', '10.0.0.' || (g % 250)
          from generate_series(1, 2000) g"
rm -f audit_healthy.dump
cat >uuid.conf <<'CONF'
[target]
dsn = dbname=audit_healthy
[store]
path = uuid.db
[audit_log]
table = auth.audit_log_entries
time_column = created_at
ids = unordered
bucket = 1h
rpo = 24h
CONF

test_case "a UUID-keyed audit log: baseline and a clean restore"
v -c uuid.conf baseline
expect_rc 0
audit_copy u_clean
v -c uuid.conf gate --target "dbname=u_clean"
expect_rc 0
expect_out '^pass +audit_log +auth\.audit_log_entries +2[0-9]{2} ranges +2[0-9]{2} match +every time bucket up to the restored head'
expect_out '^pass +audit_log +auth\.audit_log_entries head '
expect_not_out 'gaps|order|chain'
end_case

test_case "a UUID-keyed audit log with one time bucket emptied"
audit_copy u_bucket
psql_q -d u_bucket -c "delete from auth.audit_log_entries
                       where created_at >= '2026-09-03 10:00Z' and created_at < '2026-09-03 11:00Z'"
v -c uuid.conf gate --target "dbname=u_bucket"
expect_rc 1
expect_out '^FAIL +audit_log +auth\.audit_log_entries 2026-09-03T10:00Z +[0-9] rows +0 rows +[0-9] events missing between 2026-09-03T10:00Z and 2026-09-03T11:00Z: restore them from a backup$'
end_case

test_case "a UUID-keyed audit log cut 3 h short: the loss is reported, the RPO judged"
audit_copy u_cut
psql_q -d u_cut -c "delete from auth.audit_log_entries
                    where created_at > (select max(created_at) - interval '3 hours' from auth.audit_log_entries)"
at=$(psql_q -d u_cut -c "select to_char((max(created_at) + interval '5 hours') at time zone 'UTC',
                                        'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') from auth.audit_log_entries")
v -c uuid.conf gate --target "dbname=u_cut" --incident-at "$at"
expect_rc 0
expect_out '^WARN +audit_log +auth\.audit_log_entries head +[0-9T:-]+Z +[0-9T:-]+Z +2[0-9] baseline events after the restored head are lost'
expect_out '^pass +audit_log +auth\.audit_log_entries rpo +<= 24 h +5 h '
expect_not_out '^FAIL'
end_case

# ------------------------------------------- a trigger-based audit extension
# bigserial event ids with gaps left by rolled-back transactions, no chain.
psql_q -d audit_healthy -c "create schema audit;
    create table audit.logged_actions (
        event_id bigserial primary key, schema_name text not null, table_name text not null,
        relid oid not null, session_user_name text, action_tstamp_tx timestamptz not null,
        action_tstamp_clk timestamptz not null, transaction_id bigint, action text not null,
        row_data jsonb, changed_fields jsonb, statement_only boolean not null);
    create function audit.if_modified_func() returns trigger language plpgsql
        set search_path = pg_catalog, public as \$\$
    begin
        insert into audit.logged_actions (schema_name, table_name, relid, session_user_name,
            action_tstamp_tx, action_tstamp_clk, transaction_id, action, row_data, statement_only)
        values (TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_RELID, session_user, current_timestamp,
            clock_timestamp(), txid_current(), substring(TG_OP, 1, 1),
            to_jsonb(coalesce(NEW, OLD)), false);
        return null;
    end \$\$;
    create table public.invoices (id serial primary key, amount numeric not null);
    create trigger audit_trigger_row after insert or update or delete on public.invoices
        for each row execute function audit.if_modified_func();"
for i in 1 2 3 4 5 6; do
    psql_q -d audit_healthy -c "insert into public.invoices (amount) select g from generate_series(1, 40) g"
    psql_q -d audit_healthy -c "begin; insert into public.invoices (amount) values (1), (2), (3); rollback"
done
rm -f audit_healthy.dump
cat >ext.conf <<'CONF'
[target]
dsn = dbname=audit_healthy
[store]
path = ext.db
[audit_log]
table = audit.logged_actions
id_column = event_id
time_column = action_tstamp_clk
range = 50
trigger = public.invoices audit_trigger_row
function = audit.if_modified_func
CONF

test_case "an audit extension's log with rolled-back gaps passes clean"
v -c ext.conf baseline
expect_rc 0
audit_copy e_clean
v -c ext.conf gate --target "dbname=e_clean"
expect_rc 0
expect_out '^pass +audit_log +audit\.logged_actions +[0-9]+ ranges +[0-9]+ match '
expect_out '^pass +audit_log +audit\.logged_actions gaps +5 gaps +0 new +no id gap that the baseline did not have'
expect_out '^pass +audit_log +audit\.logged_actions order '
expect_not_out 'chain'
expect_out '^pass +audit_log +trigger audit_trigger_row '
end_case

test_case "an audit extension's log with a row put into a legitimate gap fails naming it"
audit_copy e_filled
psql_q -d e_filled -c "insert into audit.logged_actions (event_id, schema_name, table_name, relid,
                           action_tstamp_tx, action_tstamp_clk, action, statement_only)
                       select 42, 'public', 'invoices', 0, action_tstamp_tx, action_tstamp_clk, 'D', false
                         from audit.logged_actions where event_id = 40"
v -c ext.conf gate --target "dbname=e_filled"
expect_rc 1
expect_out '^FAIL +audit_log +audit\.logged_actions ids [0-9]+-[0-9]+ +([0-9]+) rows +[0-9]+ rows +1 rows not in the baseline: ids 42 were added after the fact$'
end_case

test_case "an audit extension's log with rows deleted fails naming them"
audit_copy e_deleted
psql_q -d e_deleted -c "delete from audit.logged_actions where event_id between 100 and 104"
v -c ext.conf gate --target "dbname=e_deleted"
expect_rc 1
expect_out '^FAIL +audit_log +audit\.logged_actions ids 100-149 +([0-9]+) rows +[0-9]+ rows +5 rows missing: ids 100-104; restore them from a backup$'
expect_out '^FAIL +audit_log +audit\.logged_actions gaps +5 gaps +1 new +5 ids missing in 1 new gaps: 100-104'
end_case

# ---------------------------------------- a zone-less timestamp column, read as UTC
psql_q -d audit_healthy -c "create table public.job_log (id bigserial primary key, at timestamp not null, what text);
    insert into public.job_log (at, what)
        select timestamp '2026-09-01 00:00' + g * interval '1 hour', 'run ' || g
          from generate_series(1, 300) g"
rm -f audit_healthy.dump
cat >naive.conf <<'CONF'
[target]
dsn = dbname=audit_healthy
[store]
path = naive.db
[audit_log]
table = public.job_log
time_column = at
range = 100
CONF

test_case "a timestamp column without zone: clean passes, a time moved back fails"
v -c naive.conf baseline
expect_rc 0
audit_copy n_time
v -c naive.conf gate --target "dbname=n_time"
expect_rc 0
expect_out '^pass +audit_log +public\.job_log order '
psql_q -d n_time -c "update public.job_log set at = at - interval '3 hours' where id = 150"
v -c naive.conf gate --target "dbname=n_time"
expect_rc 1
expect_out '^FAIL +audit_log +public\.job_log order +time never back +1 go back +event time goes backwards at id 150 \(2026-09-07T03:00Z after 2026-09-07T05:00Z\)'
expect_out '^FAIL +audit_log +public\.job_log ids 100-199 +100 rows +100 rows +rows altered in ids 100-199 \(same ids, digest differs\): restore the log from a backup; lower range = to narrow further$'
end_case
