# Text that enters vouch and text that leaves it. Encodings: a LATIN1 and a SQL_ASCII
# database with a non-ASCII name in a result, a DSN with a byte that is not UTF-8, a store
# written by an older vouch holding such a byte; none may crash vouch or brick its store.

q() { sqlite3 vouch.db "$1"; }
# The store opens, and verify finds the chain intact.
store_sound() {
    "$VOUCH" runs >/dev/null 2>runs.err && "$VOUCH" verify >verify.out 2>&1 &&
        grep -q 'chain intact' verify.out
}

test_case "LATIN1 database: a failing result quotes public.\"café\"; the store stays sound"
dropdb --if-exists adv_latin1 >/dev/null 2>&1 || true
createdb -E LATIN1 -T template0 --locale=C adv_latin1
PGCLIENTENCODING=UTF8 psql_q -d adv_latin1 -c 'create table "café" (id int); insert into "café" values (1), (2);
    create table plain (id int); insert into plain values (1);'
mkdir -p latin1 && cd latin1
printf '[target]\ndsn = dbname=adv_latin1\n\n[rowcount]\nschema = public\n' >vouch.conf
v baseline
expect_rc 0
PGCLIENTENCODING=LATIN1 v baseline
expect_rc 0
check "the baselines' contents are equal with PGCLIENTENCODING=LATIN1 and unset" \
    test "$(q "select count(distinct content) || ' ' || count(*) from baselines")" = "1 2"
check "the baseline holds café in UTF-8" \
    test "$(q "select count(*) from baselines where content like '%\"café\"%'")" = 2
PGCLIENTENCODING=UTF8 psql_q -d adv_latin1 -c 'delete from "café" where id = 1'
PGCLIENTENCODING=LATIN1 v gate
expect_rc 1
expect_out '^FAIL +rowcount +public\."café" +2 +1 '
check "the store opens and verify says intact" store_sound
end_case
cd ..

test_case "SQL_ASCII database: a UTF-8 name passes through, a byte that is not UTF-8 fails clearly"
dropdb --if-exists adv_ascii >/dev/null 2>&1 || true
createdb -E SQL_ASCII -T template0 --locale=C adv_ascii
psql_q -d adv_ascii -c 'create table "café" (id int); insert into "café" values (1), (2);'
mkdir -p ascii && cd ascii
printf '[target]\ndsn = dbname=adv_ascii\n\n[rowcount]\nschema = public\n' >vouch.conf
v baseline
expect_rc 0
psql_q -d adv_ascii -c 'delete from "café" where id = 1'
v gate
expect_rc 1
expect_out '^FAIL +rowcount +public\."café" +2 +1 '
# a table whose name is Latin-1 bytes: the server cannot send it as UTF-8
psql_q -d adv_ascii -c "$(printf 'create table "caf\351" (id int)')"
v gate
expect_rc 1
expect_out '^ERROR +rowcount .*invalid byte sequence for encoding "UTF8": 0xe9'
check "the store opens and verify says intact" store_sound
end_case
cd ..

test_case "a DSN with a byte that is not UTF-8: exit 3, shown as \\xE9, the store stays sound"
fresh_db adv_dsn
mkdir -p dsn && cd dsn
printf '[target]\ndsn = dbname=adv_dsn\n\n[rowcount]\ntable = public.tasks\n' >vouch.conf
v baseline
expect_rc 0
v gate --target "$(printf 'dbname=caf\351')"
expect_rc 3
expect_out 'dbname=caf\\xE9'
expect_err 'database "caf\\xE9" does not exist'
check "the stored target shows the byte escaped" \
    test "$(q "select target from runs where id = 2")" = 'host='"$PGHOST"' port='"$PGPORT"' dbname=caf\xE9 user='"$PGUSER"
v runs
expect_rc 0
expect_out '^2 +gate +aborted '
check "the store opens and verify says intact" store_sound
v gate
expect_rc 0
end_case

test_case "a store written by an older vouch holds a byte that is not UTF-8: reaped, verified"
# what an older vouch left when it died sealing a gate on dbname=caf\xe9: a run still
# 'running', of a process that is gone, whose target holds the byte 0xE9
host=$(q "select host from runs where id = 1")
q "insert into runs (kind, status, started_at, target, baseline_id, checks, vouch_version, host, pid)
   values ('gate', 'running', '2026-01-01T00:00:00.000Z', CAST(X'64626E616D653D636166E9' AS TEXT),
           1, 'rowcount', '0.0.1', '$host', 2147483646)"
id=$(q "select max(id) from runs")
v runs
expect_rc 0
expect_out "^$id +gate +aborted .*dbname=caf\\\\xE9 .*the vouch process ended before the run finished"
check "the store opens and verify says intact" store_sound
v report run "$id" --format csv
expect_rc 0
end_case
cd ..
