# The store on PostgreSQL: init and its DBA script, the writer and reader roles, runs,
# reports, packs and drills as on SQLite, many runners sealing at once, tamper evidence,
# copying a SQLite history across, and hostile or unreachable URLs.

fresh_db pgsrc
for db in vstore vcopy vtamper vboth; do
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    createdb "$db"
done
# The logins runners and auditors would use (roles are the cluster's: made once).
psql_q -d postgres -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'it_runner') THEN CREATE ROLE it_runner LOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'it_auditor') THEN CREATE ROLE it_auditor LOGIN; END IF;
END \$\$"
# url DB [USER]: the store in database DB, as USER (default the test's superuser).
url() {
    echo "postgresql:///$1?host=$PGHOST&port=$PGPORT${2:+&user=$2}"
}
STORE=$(url vstore it_runner)
READER=$(url vstore it_auditor)
printf '[target]\ndsn = dbname=pgsrc\n[rowcount]\nschema = public\n[store]\nurl = %s\n' "$STORE" >vouch.conf

test_case "store init --print writes the DBA's script and touches nothing"
v store init --print
expect_rc 0
expect_out '^CREATE TABLE IF NOT EXISTS vouch\.runs \($'
expect_out '^    CREATE ROLE vouch_writer NOLOGIN;$'
expect_out '^GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA vouch TO vouch_writer;$'
expect_out '^GRANT SELECT ON ALL TABLES IN SCHEMA vouch TO vouch_reader;$'
expect_out 'SECURITY DEFINER'
expect_not_out 'GRANT[^;]*(UPDATE|DELETE|TRUNCATE)'
check "no schema was made" test "$(psql_q -d vstore -c "select to_regclass('vouch.runs') is null")" = t
cp "$OUT" init.sql
v baseline
expect_rc 2
expect_err '^vouch: store "postgresql: user=it_runner dbname=vstore host=.* port=[0-9]+" has no vouch schema yet$'
expect_err "^hint: Create it with 'vouch store init --url URL'"
end_case

test_case "the DBA's script runs as it is; store init runs it too, again without harm"
check "psql runs the printed script" psql -X -q -v ON_ERROR_STOP=1 -1 -d vstore -f init.sql
v store init --url "$(url vstore)"
expect_rc 0
expect_out '^store postgresql: dbname=vstore host=.*: vouch schema 8 ready; roles vouch_writer'
expect_empty_err
psql_q -d postgres -c "GRANT vouch_writer TO it_runner; GRANT vouch_reader TO it_auditor"
v verify --store "$READER"
expect_rc 0
expect_out '^store postgresql: user=it_auditor dbname=vstore host=.*: chain intact: 0 sealed runs verified$'
end_case

test_case "baseline and gate as the writer: sealed into the chain, listed, verified"
v baseline
expect_rc 0
expect_out '^store head 1:[0-9a-f]{64}$'
v gate
expect_rc 0
expect_out '^gate open: '
expect_out '^store head 2:[0-9a-f]{64}$'
head2=$(sed -n 's/^store head 2:\([0-9a-f]*\)$/\1/p' "$OUT")
v runs --store "$READER"
expect_rc 0
expect_out '^2 +gate +passed '
expect_out '^1 +baseline +captured '
v verify --store "$READER" --head "2:$head2"
expect_rc 0
expect_out 'chain intact: 2 sealed runs verified$'
expect_out '^head 2:[0-9a-f]{16}\.\.\. is in the chain'
check "positions 1 and 2, linked" test "$(psql_q -d vstore -c "select string_agg(chain_pos || ':' || (prev_digest is null), ',' order by chain_pos) from vouch.runs")" = "1:true,2:false"
end_case

test_case "report, pack and metrics read a PostgreSQL store as the reader, and the pack verifies"
v keygen --key sign.key --cert sign.crt
expect_rc 0
printf '[signing]\nkey = sign.key\ncertificate = sign.crt\n' >>vouch.conf
v report run 2 --store "$READER" --format markdown --out gate.md
expect_rc 0
check "the report names gate run 2" grep -q '^# Gate run 2 ' gate.md
v pack --store "$READER" --period "$(date -u +%Y-%m)" --out pack
expect_rc 0
expect_out '^  gate runs +1 '
v verify pack
expect_rc 0
check "the pack holds run 2's canonical bytes" test -s pack/chain/run-2.json
v metrics --store "$READER"
expect_rc 0
expect_out '^vouch_store_chain_verified 1$'
expect_out '^vouch_last_run_passed\{kind="gate",'
end_case

test_case "the writer may not UPDATE, DELETE or TRUNCATE, the reader may not INSERT: permission denied"
for sql in "update vouch.runs set error = 'x' where id = 1" "delete from vouch.results" \
    "truncate vouch.baselines cascade" "update vouch.meta set version = 1"; do
    set +e
    psql -X -qAt -U it_runner -d vstore -c "$sql" >priv.out 2>priv.err
    prc=$?
    set -e
    check "writer: $sql is refused (rc $prc)" test "$prc" != 0
    check "writer: $sql says permission denied" grep -q 'permission denied for table' priv.err
done
check "a sealed run stays as it was" test "$(psql_q -d vstore -c "select count(*) from vouch.runs where error is null and id = 1")" = 1
v baseline --store "$READER"
expect_rc 3
expect_err '^vouch: store "postgresql: user=it_auditor .*": could not record the start of a run: permission denied for table runs$'
expect_err '^hint: The role vouch connects as lacks a privilege: runners need vouch_writer'
end_case

test_case "the writer cannot forge a sealed run: a run starts running"
set +e
psql -X -qAt -U it_runner -d vstore -c "insert into vouch.runs (kind, status, started_at, target, checks, vouch_version, host, pid, chain_pos, digest) values ('gate', 'passed', 'x', 't', 'c', 'v', 'h', 1, 3, 'ab')" >forge.out 2>forge.err
prc=$?
set -e
check "refused" test "$prc" != 0
check "by the append-only trigger" grep -q 'the vouch store is append-only: a run is recorded running, then sealed' forge.err
v verify --store "$READER"
expect_rc 0
end_case

test_case "8 gates from 8 processes seal at once: all land, one total order, the chain verifies"
before=$(psql_q -d vstore -c "select count(*) from vouch.runs")
pids=()
# half of them in sessions whose default isolation is SERIALIZABLE: the seal is READ
# COMMITTED all the same, so each reads the head after taking the chain's lock
SER="$STORE&options=-c%20default_transaction_isolation%3Dserializable"
for i in 1 2 3 4 5 6 7 8; do
    if [ $((i % 2)) = 0 ]; then
        "$VOUCH" gate --store "$SER" >"g$i.out" 2>"g$i.err" &
    else
        "$VOUCH" gate >"g$i.out" 2>"g$i.err" &
    fi
    pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
check "every gate exits 0 ($failed did not: $(cat g*.err))" test "$failed" = 0
check "8 runs more, all sealed" test "$(psql_q -d vstore -c "select count(*) from vouch.runs where digest is not null")" = $((before + 8))
check "positions 1..N, none shared" test "$(psql_q -d vstore -c "select (count(distinct chain_pos) = max(chain_pos) and min(chain_pos) = 1)::text from vouch.runs")" = true
v verify --store "$READER"
expect_rc 0
expect_out "chain intact: $((before + 8)) sealed runs verified\$"
end_case

test_case "^C while another runner holds the chain's lock: exit 3 soon, said so, the run reaped later"
psql -X -qAt -d vstore -c "select pg_advisory_lock(1987014499, 1)" -c "select pg_sleep(8)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do
    [ "$(psql_q -d vstore -c "select count(*) from pg_locks where locktype = 'advisory' and granted")" = 1 ] && break
    sleep 0.1
done
set +e
"$VOUCH" gate >int.out 2>int.err &
gp=$!
# the gate waits at its seal; ^C then gives up a second later (no wall time asserted)
for _ in $(seq 100); do
    [ "$(psql_q -d vstore -c "select count(*) from pg_locks where locktype = 'advisory' and not granted")" = 1 ] && break
    sleep 0.1
done
kill -INT "$gp"
wait "$gp"
grc=$?
set -e
check "the gate exits 3 (got $grc)" test "$grc" = 3
check "it says why" grep -q "interrupted while waiting for another process's lock on the store" int.err
wait "$holder" || true
v gate
expect_rc 0
check "the interrupted run is sealed aborted by the next writer" test "$(psql_q -d vstore -c "select count(*) from vouch.runs where status = 'aborted' and error = 'the vouch process ended before the run finished'")" -ge 1
v verify --store "$READER"
expect_rc 0
end_case

test_case "a drill by hand on PostgreSQL: start, mark, a second start refused, finish; the drill chain verifies"
v drill start --scenario "pg store drill" --incident-at "2026-11-25T02:00:00+10:00" --operator alice
expect_rc 0
expect_out '^drill 1 started at '
v drill start --scenario "second" --incident-at "2026-11-25T02:00:00+10:00"
expect_rc 2
expect_err '^vouch: drill 1 \("pg store drill", started .*\) is still open in store "postgresql: user=it_runner '
v drill mark "restored" --note "from the dump"
expect_rc 0
v gate
expect_rc 0
v drill finish --note "all good" --restore-point "2026-11-25T01:55:00+10:00"
expect_rc 0
expect_out '^store head [0-9]+:[0-9a-f]{64}$'
v drills --store "$READER"
expect_rc 0
expect_out '^1 +finished '
v verify --store "$READER"
expect_rc 0
expect_out 'sealed runs and 1 sealed drill verified$'
check "the drill's gate run is linked" test "$(psql_q -d vstore -c "select (gate_run_id > 0 and gate_digest = (select digest from vouch.runs r where r.id = d.gate_run_id))::text from vouch.drills d")" = true
end_case

test_case "approve a gate on PostgreSQL: sealed into the approval chain, verified, never changed"
v keygen --key dana.key --cert dana.crt --subject "CN=Dana Reviewer,O=Example Agency,C=AU"
expect_rc 0
gate=$(psql_q -d vstore -c "select max(id) from vouch.runs where kind = 'gate' and status = 'passed'")
v approve "$gate" --key dana.key --cert dana.crt --note "checked with the owner <ok> & reopening"
expect_rc 0
expect_out "^approved run $gate \\(gate passed, sealed at chain position [0-9]+\\)\$"
expect_out '^  approval     1, approval chain 1:[0-9a-f]{64}$'
v approve "$gate" --key dana.key --cert dana.crt --note "and again, the same signer"
expect_rc 0
expect_out '^  approval     2, approval chain 2:[0-9a-f]{64}$'
v verify --store "$READER"
expect_rc 0
expect_out 'sealed runs and 1 sealed drill, 2 signed approvals verified$|sealed runs, 2 signed approvals verified$|and 2 signed approvals verified$'
v runs --store "$READER"
expect_rc 0
set +e
psql -X -qAt -U it_runner -d vstore -c "update vouch.approvals set note = 'x'" >ap.out 2>ap.err
prc=$?
set -e
check "the writer cannot change an approval (rc $prc)" grep -q 'permission denied for table approvals' ap.err
end_case

test_case "a run left running by a process that is gone is sealed aborted by the next writer"
host=$(hostname)
psql_q -U it_runner -d vstore -c "insert into vouch.runs (kind, status, started_at, target, checks, vouch_version, host, pid) values ('gate', 'running', '2026-01-01T00:00:00.000Z', 't', 'rowcount', 'v', '$host', 2147483647)" >/dev/null
orphan=$(psql_q -d vstore -c "select max(id) from vouch.runs")
v gate
expect_rc 0
check "the orphan is sealed aborted" test "$(psql_q -d vstore -c "select status || ' ' || (digest is not null) from vouch.runs where id = $orphan")" = "aborted true"
v verify --store "$READER"
expect_rc 0
end_case

test_case "store copy moves a SQLite history (parts and drills too) with its chain: verify proves it"
mkdir -p sq && cd sq
cat >vouch.conf <<CONF
[target]
dsn = dbname=pgsrc
[rowcount]
schema = public
[share_tokens]
table = public.share_links
hash = token_hash
format = sha256-hex
plaintext = legacy_token
expires = expires_at
created = created_at
revoked = revoked_at
max_lifetime = 30d
CONF
v baseline
expect_rc 0
v gate
v drill start --scenario "before the move" --incident-at "2026-11-25T02:00:00+10:00"
v drill mark "restored"
v drill finish --restore-point "2026-11-25T01:55:00+10:00"
expect_rc 0
sq_head=$(sed -n 's/^store head \([0-9]*:[0-9a-f]*\)$/\1/p' "$OUT")
v keygen --key ap.key --cert ap.crt --subject "CN=Approver,O=Example Agency,C=AU"
v approve 2 --key ap.key --cert ap.crt --note "reopen"
expect_rc 0
check "the baseline has parts" test "$(sqlite3 vouch.db 'select count(*) > 0 from baseline_parts')" = 1
v store init --url "$(url vcopy)"
expect_rc 0
v store copy --from vouch.db --to "$(url vcopy)"
expect_rc 0
expect_out '^copied 2 sealed runs and 1 sealed drill and 1 signed approval from vouch\.db to postgresql: dbname=vcopy .*: chain intact \(2 runs and 1 drill verified, 1 approval\)$'
expect_out "^store head $sq_head\$"
v verify --store "$(url vcopy)" --head "$sq_head"
expect_rc 0
expect_out 'chain intact: 2 sealed runs and 1 sealed drill, 1 signed approval verified$'
check "approval digests are the same bytes" test "$(sqlite3 vouch.db 'select digest from approvals')" = "$(psql_q -d vcopy -c 'select digest from vouch.approvals')"
check "digests are the same bytes" test "$(sqlite3 vouch.db 'select group_concat(digest) from (select digest from runs order by id)')" = "$(psql_q -d vcopy -c 'select string_agg(digest, $$,$$ order by id) from vouch.runs')"
v gate --store "$(url vcopy)"
expect_rc 0
expect_out '^store head 3:[0-9a-f]{64}$'
expect_out '^vouch gate 3 against baseline 1 '
cd ..
end_case

test_case "store copy moves a store of an older schema (3, no drills) with its digests"
mkdir -p old && cd old
sqlite3 vouch.db <"$here/fixtures/store/schema3.sql"
cp "$here/fixtures/store/schema3.head" vouch.db.head
dropdb --if-exists vold >/dev/null 2>&1 || true
createdb vold
v store init --url "$(url vold)"
v store copy --from vouch.db --to "$(url vold)"
expect_rc 0
expect_out '^copied 2 sealed runs and 0 sealed drills from vouch\.db to postgresql: dbname=vold '
check "digests are the same bytes" test "$(sqlite3 vouch.db 'select group_concat(digest) from (select digest from runs order by id)')" = "$(psql_q -d vold -c 'select string_agg(digest, $$,$$ order by id) from vouch.runs')"
check "the source store is as it was" test "$(sqlite3 vouch.db 'pragma user_version')" = 3
cd ..
end_case

test_case "store copy refuses a store that is not empty, and a source that does not verify"
cd sq
v store copy --from vouch.db --to "$(url vcopy)"
expect_rc 2
expect_err '^vouch: store "postgresql: dbname=vcopy .*" is not empty \(.*\): a copy goes into a new store only$'
cp vouch.db bad.db
sqlite3 bad.db "drop trigger results_append_only_update; update results set observed = '1' where run_id = 2"
v store copy --from bad.db --to "$(url vtamper)"
expect_rc 1
expect_err '^vouch: store "bad\.db" does not verify \(run 2 does not match its digest.*\): nothing was copied$'
v store copy --from vouch.db --to "$(url vtamper)"
expect_rc 2
expect_err 'has no vouch schema yet'
cd ..
end_case

test_case "tampering on PostgreSQL: an edited row, a disabled trigger, a writer granted UPDATE, a function replaced, row-level security, a rule are named; store init repairs functions"
v store init --url "$(url vtamper)"
v store copy --from sq/vouch.db --to "$(url vtamper)"
expect_rc 0
TS=$(url vtamper)
orig=$(psql_q -d vtamper -c "select observed from vouch.results where run_id = 2 and seq = 1")
psql_q -d vtamper -c "alter table vouch.results disable trigger results_append_only_update; update vouch.results set observed = '999' where run_id = 2 and seq = 1" >/dev/null
v verify --store "$TS"
expect_rc 1
expect_out '^store postgresql: dbname=vtamper .*: BROKEN after 1 good runs: run 2 does not match its digest'
psql_q -d vtamper -c "update vouch.results set observed = '$orig' where run_id = 2 and seq = 1" >/dev/null
v verify --store "$TS"
expect_rc 1
expect_out 'append-only trigger results_append_only_update is disabled: the store has been altered'
psql_q -d vtamper -c "alter table vouch.results enable trigger results_append_only_update; grant update on vouch.runs to vouch_writer" >/dev/null
v verify --store "$TS"
expect_rc 1
expect_out 'role vouch_writer may UPDATE, DELETE or TRUNCATE vouch\.runs'
psql_q -d vtamper -c "revoke update on vouch.runs from vouch_writer; create or replace function vouch.refuse() returns trigger language plpgsql as \$b\$ begin return null; end \$b\$" >/dev/null
v verify --store "$TS"
expect_rc 1
expect_out 'function vouch\.refuse is not the one vouch created'
v store init --url "$TS"
expect_rc 0
v verify --store "$TS"
expect_rc 0
psql_q -d vtamper -c "alter table vouch.approvals disable trigger approvals_append_only_update; update vouch.approvals set note = 'changed'; alter table vouch.approvals enable trigger approvals_append_only_update" >/dev/null
v verify --store "$TS"
expect_rc 1
expect_out 'BROKEN .*approval 1'
psql_q -d vtamper -c "alter table vouch.approvals disable trigger approvals_append_only_update; update vouch.approvals set note = 'reopen'; alter table vouch.approvals enable trigger approvals_append_only_update" >/dev/null
v verify --store "$TS"
expect_rc 0
psql_q -d vtamper -c "alter table vouch.runs enable row level security; create policy hide_new on vouch.runs for select using (chain_pos < 2)" >/dev/null
v verify --store "$TS"
expect_rc 1
expect_out 'table vouch\.runs has row-level security enabled, which can hide rows'
psql_q -d vtamper -c "drop policy hide_new on vouch.runs; alter table vouch.runs disable row level security; create rule keep as on delete to vouch.results do instead nothing" >/dev/null
v verify --store "$TS"
expect_rc 1
expect_out 'table vouch\.results has a rule that rewrites what is done to it'
end_case

test_case "the same commands give the same answers on SQLite and on PostgreSQL, hostile names too"
fresh_db weird
psql_q -d weird -c 'CREATE TABLE public."we""ird \ tä\nble 😀 '"'"'; --" (id int); INSERT INTO public."we""ird \ tä\nble 😀 '"'"'; --" SELECT generate_series(1, 7)'
v store init --url "$(url vboth)"
for be in sqlite pg; do
    mkdir -p "same-$be" && cd "same-$be"
    where=$([ "$be" = sqlite ] && echo vouch.db || url vboth)
    printf '[target]\ndsn = dbname=weird\n[rowcount]\nschema = public\n[store]\nurl = %s\n' \
        "$([ "$be" = sqlite ] && echo sqlite:vouch.db || echo "$where")" >vouch.conf
    v baseline --format json --output base.json
    expect_rc 0
    v gate --format tap --output gate.tap
    expect_rc 0
    v check rowcount
    expect_rc 0
    v runs 2 --format json --output run2.json
    expect_rc 0
    v verify
    expect_rc 0
    expect_out 'chain intact: 3 sealed runs verified$'
    # what differs by nature: the times, the WAL position, and so the digests
    grep -vE '"(started_at|finished_at|snapshot_time|lsn|digest|prev_digest)":' run2.json >run2.norm
    cp gate.tap gate.norm
    cd ..
done
check "runs 2 as JSON is the same on both" cmp -s same-sqlite/run2.norm same-pg/run2.norm
check "the gate as TAP is the same on both" cmp -s same-sqlite/gate.norm same-pg/gate.norm
check "the hostile name is in the run" grep -qF 'ird \\ tä\\nble 😀' same-pg/run2.json
end_case

test_case "hostile and unreachable URLs: one line, the documented code, no password anywhere"
secret=Pgst0reS3cret
v runs --store "postgresql://vouch:$secret@127.0.0.1:1/evidence"
expect_rc 3
expect_err '^vouch: could not connect to store "postgresql: user=vouch dbname=evidence host=127\.0\.0\.1 port=1": '
check "one line" test "$(wc -l <"$ERR")" = 1
v runs --store "postgresql://vouch:${secret}%zz@db/evidence"
expect_rc 2
expect_err '^vouch: store "postgresql://\.\.\.": not a connection URL libpq reads: '
v runs --store "postgresql:///vstore?host=$PGHOST&port=$PGPORT&nosuch=$secret"
expect_rc 2
expect_err 'invalid URI query parameter'
v gate --store "postgresql:///vstore?host=$PGHOST&port=$PGPORT&user=it_runner&password=$secret" --format json --output pw.json
expect_rc 0
v verify --store "postgresql:///vstore?host=$PGHOST&port=$PGPORT&password=$secret"
expect_rc 0
expect_out '^store postgresql: dbname=vstore host=[^ ]+ port=[0-9]+: chain intact'
expect_file_lacks "$secret" "$OUT" "$ERR" pw.json
pg_dump -d vstore -n vouch >dump.sql
expect_file_lacks "$secret" dump.sql
printf '[store]\nurl = %s\nanchor = x.head\n' "$STORE" >anchor.conf
v runs -c anchor.conf
expect_rc 2
expect_err '^vouch: \[store\] anchor applies to a SQLite store; a PostgreSQL store keeps no head file'
end_case

test_case "store init refuses a database that is not UTF8, and a runner's role"
dropdb --if-exists vlatin >/dev/null 2>&1 || true
createdb -E LATIN1 -T template0 --locale=C vlatin
v store init --url "$(url vlatin)"
expect_rc 2
expect_err "^vouch: store \"postgresql: dbname=vlatin .*\": the database's encoding is LATIN1; a vouch store needs UTF8"
check "nothing was made" test "$(psql_q -d vlatin -c "select to_regnamespace('vouch') is null")" = t
v store init --url "$STORE"
expect_rc 3
expect_err '^vouch: store "postgresql: user=it_runner dbname=vstore .*": could not create the vouch schema: (must be owner|permission denied)'
expect_err "^hint: store init runs as the role that is to own the store"
v verify --store "$READER"
expect_rc 0
end_case

test_case "a store of an older schema (6, before approvals) is read as it stands; a runner refuses it; store init brings it forward"
dropdb --if-exists vold6 >/dev/null 2>&1 || true
createdb vold6
v store init --url "$(url vold6)"
v baseline --store "$(url vold6)"
expect_rc 0
psql_q -d vold6 -c "alter table vouch.runs drop column target_name; drop table vouch.approvals; drop function vouch.sealed_run_only(); update vouch.meta set version = 6" >/dev/null
v runs --store "$(url vold6 it_auditor)"
expect_rc 0
expect_out '^1 +baseline +captured '
v verify --store "$(url vold6 it_auditor)"
expect_rc 0
expect_out 'chain intact: 1 sealed runs verified$'
v gate --store "$(url vold6 it_runner)"
expect_rc 3
expect_err 'has schema version 6; this vouch writes 8$'
expect_err "^hint: Have its owner run 'vouch store init --url URL' once to bring it forward\.$"
v store init --url "$(url vold6)"
expect_rc 0
check "version 8 now" test "$(psql_q -d vold6 -c 'select version from vouch.meta')" = 8
v gate --store "$(url vold6 it_runner)"
expect_rc 0
v verify --store "$(url vold6 it_auditor)"
expect_rc 0
expect_out 'chain intact: 2 sealed runs verified$'
end_case

test_case "a store of a newer schema is refused; store subcommands are checked"
psql_q -d vboth -c "update vouch.meta set version = 99" >/dev/null
v verify --store "$(url vboth)"
expect_rc 3
expect_err '^vouch: store "postgresql: dbname=vboth .*" has schema version 99; this vouch knows up to 8$'
v store
expect_rc 2
expect_err '^vouch: store needs init or copy$'
v store copy --from sq/vouch.db --to sq/other.db
expect_rc 2
expect_err 'store copy --to takes a PostgreSQL store'
v store init --url sq/other.db
expect_rc 2
expect_err 'store init makes a PostgreSQL store'
check "nothing was made" test ! -e sq/other.db
end_case
