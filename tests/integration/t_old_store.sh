# A store written before baseline parts (schema 3, fixtures/store/schema3.sql): it still
# verifies, its baseline (share_tokens rows inside the document) still gates, and its runs
# keep their digests once this vouch has migrated it and sealed runs of its own, whose
# share_tokens baselines are in parts.

q() { sqlite3 "${STORE:-vouch.db}" "$1"; }
rm -f vouch.db vouch.db-wal vouch.db-shm vouch.db.head
sqlite3 vouch.db <"$here/fixtures/store/schema3.sql"
cp "$here/fixtures/store/schema3.head" vouch.db.head
old_digests=$(q "select digest from runs order by id")
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=old_healthy

[rowcount]
table = public.share_links
table = public.projects

[share_tokens]
table = public.share_links
hash = token_hash
format = sha256-hex
plaintext = legacy_token
expires = expires_at
created = created_at
revoked = revoked_at
max_lifetime = 30d
range = 64
CONF
fresh_db old_healthy
LOST=$(psql_q -d old_healthy -c 'select min(id) + 20 from public.share_links')

test_case "a schema-3 store verifies as it was written"
v verify
expect_rc 0
expect_out '^store vouch.db: chain intact: 2 sealed runs verified$'
end_case

test_case "its baseline (rows inside the document) passes a clean copy"
v gate --target dbname=old_healthy
expect_rc 0
expect_out '^pass +share_tokens +public\.share_links baseline +400 tokens +same, 0 new '
check "the store is migrated" test "$(q 'pragma user_version')" -ge 5
end_case

test_case "its baseline still names a lost token"
fresh_db old_lost
psql_q -d old_lost -c "delete from public.share_links where id = $LOST"
v gate --target dbname=old_lost
expect_rc 1
expect_out "^FAIL +share_tokens +public\.share_links vanished +as baseline +1 token +1 token of the baseline is gone \(ids $LOST\)"
end_case

test_case "the old runs keep their digests; the chain verifies across both formats"
check "digests unchanged" test "$(q 'select digest from runs where id <= 2 order by id')" = "$old_digests"
v baseline
expect_rc 0
expect_out 'share_tokens: [0-9]+ ranges'
new_base=$(q "select max(id) from runs where kind = 'baseline'")
check "the new baseline keeps its rows in parts" \
    test "$(q "select count(*) from baseline_parts where run_id = $new_base")" -ge 2
check "its document holds no rows" \
    test "$(q "select instr(content, '\"rows\":\"') from baselines where run_id = $new_base and check_name = 'share_tokens'")" = 0
v gate --target dbname=old_lost
expect_rc 1
expect_out "^FAIL +share_tokens +public\.share_links vanished +as baseline +1 token +1 token of the baseline is gone \(ids $LOST\)"
v verify
expect_rc 0
expect_out '^store vouch.db: chain intact: 6 sealed runs verified$'
end_case

test_case "the new baseline's parts name changes in several ranges, the last one too"
fresh_db old_late
LAST=$(psql_q -d old_late -c 'select max(id) from public.share_links')
MID=$(psql_q -d old_late -c 'select min(id) + 200 from public.share_links')
psql_q -d old_late -c "delete from public.share_links where id = $LAST" \
    -c "update public.share_links set token_hash = md5(token_hash) || md5(token_hash) where id = $MID"
v gate --target dbname=old_late
expect_rc 1
expect_out "^FAIL +share_tokens +public\.share_links vanished +as baseline +1 token +1 token of the baseline is gone \(ids $LAST\)"
expect_out "^FAIL +share_tokens +public\.share_links hash changed +as baseline +1 token .*\(ids $MID\)"
end_case

test_case "a part edited, dropped or added in the store breaks the baseline's digest"
upd=$(q "select sql || ';' from sqlite_master where name = 'baseline_parts_append_only_update'")
del=$(q "select sql || ';' from sqlite_master where name = 'baseline_parts_sealed_delete'")
add=$(q "select sql || ';' from sqlite_master where name = 'baseline_parts_open_run'")
cp vouch.db pristine.db
cp vouch.db.head pristine.db.head
for attack in \
    "drop trigger baseline_parts_append_only_update; update baseline_parts set content = replace(content, '\"b\":', '\"b\": ') where run_id = $new_base and seq = 1; $upd" \
    "drop trigger baseline_parts_sealed_delete; delete from baseline_parts where run_id = $new_base and seq = 2; $del" \
    "drop trigger baseline_parts_open_run; insert into baseline_parts values ($new_base, 'rowcount', 1, '{}'); $add"; do
    cp pristine.db vouch.db
    cp pristine.db.head vouch.db.head
    rm -f vouch.db-wal vouch.db-shm
    q "$attack"
    v verify
    expect_rc 1
    expect_out "^store vouch.db: BROKEN after [0-9]+ good runs: run $new_base does not match its digest"
    v gate --target dbname=old_healthy
    expect_rc 3
    expect_err "^vouch: baseline $new_base cannot be trusted"
done
end_case

test_case "a sealed baseline takes no new part, and keeps the ones it has"
cp pristine.db vouch.db
cp pristine.db.head vouch.db.head
rm -f vouch.db-wal vouch.db-shm
set +e
sqlite3 vouch.db "insert into baseline_parts values ($new_base, 'share_tokens', 999, '{}')" 2>ins.err
i=$?
sqlite3 vouch.db "delete from baseline_parts where run_id = $new_base" 2>del.err
d=$?
sqlite3 vouch.db "update baseline_parts set content = '{}' where run_id = $new_base" 2>upd.err
u=$?
set -e
check "insert refused" test "$i" != 0
check "insert says append-only" grep -q 'append-only' ins.err
check "delete refused" test "$d" != 0
check "delete says append-only" grep -q 'append-only' del.err
check "update refused" test "$u" != 0
check "update says append-only" grep -q 'append-only' upd.err
end_case

test_case "a baseline that stops after share_tokens was captured keeps none of its parts"
cp vouch.conf stops.conf
printf '\n[audit_log]\ntable = public.no_such_log\ntime_column = at\n' >>stops.conf
v -c stops.conf baseline
expect_rc 3
stopped=$(q "select max(id) from runs")
check "it is stored aborted" test "$(q "select status from runs where id = $stopped")" = aborted
check "no part of it is kept" test "$(q "select count(*) from baseline_parts where run_id = $stopped")" = 0
v verify
expect_rc 0
end_case
