# The evidence store: aborted runs, secrets, concurrency, tamper evidence.

fresh_db storedb
printf '[target]\ndsn = dbname=storedb\n[rowcount]\nschema = public\n' >vouch.conf

test_case "an unreachable server exits 3 and the run is stored as aborted"
v gate --target "host=$PWD/nothing-here port=1 dbname=storedb"
expect_rc 2
expect_err '^vouch: no store at "vouch.db": a gate compares with a baseline, and none was taken$'
check "the gate made no empty store" test ! -e vouch.db
v baseline --target "host=$PWD/nothing-here port=1 dbname=storedb"
expect_rc 3
expect_err '^vouch: could not connect to "host=.*/nothing-here port=1 dbname=storedb user=postgres": connection to server on socket'
expect_err '^hint: Is the server running locally and accepting connections on that socket\? Check --target'
v runs
expect_rc 0
expect_out '^1 +baseline +aborted .* could not connect to'
end_case

test_case "a connection string libpq cannot parse exits 2 and stores nothing"
runs_before=$(sqlite3 vouch.db 'select count(*) from runs')
v baseline --target "dbname=storedb sslmode=require foo=bar"
expect_rc 2
expect_err '^vouch: invalid connection string: invalid connection option "foo"$'
check "no run was stored" test "$(sqlite3 vouch.db 'select count(*) from runs')" = "$runs_before"
end_case

test_case "a password given in the DSN appears nowhere"
secret=Sup3rSecretPassw0rd
v baseline --target "dbname=storedb password=$secret"
expect_rc 0
v gate --target "postgresql:///storedb?host=$PGHOST&port=$PGPORT&password=$secret" --format json --output gate.json
expect_rc 0
v gate --target "host=$PWD/nothing-here port=1 password=$secret"
expect_rc 3
v runs
v runs 3
expect_file_lacks "$secret" "$OUT" "$ERR" gate.json vouch.db vouch.db-wal vouch.db-shm
sqlite3 vouch.db .dump >dump.sql
expect_file_lacks "$secret" dump.sql
end_case

test_case "two gates writing one store at once both land and the chain verifies"
before=$(sqlite3 vouch.db 'select count(*) from runs')
set +e
"$VOUCH" gate >g1.out 2>g1.err &
p1=$!
"$VOUCH" gate >g2.out 2>g2.err &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
set -e
check "first gate exits 0 (got $r1: $(cat g1.err))" test "$r1" = 0
check "second gate exits 0 (got $r2: $(cat g2.err))" test "$r2" = 0
after=$(sqlite3 vouch.db 'select count(*) from runs where status = '"'passed'")
check "both runs are stored" test "$(sqlite3 vouch.db 'select count(*) from runs')" = $((before + 2))
v verify
expect_rc 0
expect_out '^store vouch.db: chain intact: [0-9]+ sealed runs verified$'
end_case

test_case "the store refuses UPDATE and DELETE of results"
with_results=$(sqlite3 vouch.db "select run_id from results limit 1")
set +e
sqlite3 vouch.db "update results set observed = '1' where run_id = $with_results" 2>upd.err
u=$?
sqlite3 vouch.db "delete from runs where id = $with_results" 2>del.err
d=$?
set -e
check "update refused" test "$u" != 0
check "update says append-only" grep -q 'append-only' upd.err
check "delete refused" test "$d" != 0
check "delete says append-only" grep -q 'append-only' del.err
end_case

test_case "editing a stored result with the sqlite3 shell breaks verification, naming the run"
victim=$(sqlite3 vouch.db "select run_id from results order by run_id desc limit 1")
sqlite3 vouch.db "drop trigger results_append_only_update; update results set observed = '999999' where run_id = $victim"
v verify
expect_rc 1
expect_out "^store vouch.db: BROKEN after [0-9]+ good runs: run $victim does not match its digest"
end_case

test_case "[store] url = postgresql://... that cannot be reached exits 3 in one line, without the password"
mkdir -p pgurl && cd pgurl
printf '[target]\ndsn = dbname=storedb\n[rowcount]\nschema = public\n[store]\nurl = postgresql://vouch:Pgst0rePassw0rd@127.0.0.1:1/evidence\n' >vouch.conf
v baseline
expect_rc 3
expect_err '^vouch: could not connect to store "postgresql: user=vouch dbname=evidence host=127\.0\.0\.1 port=1": '
v gate
expect_rc 3
expect_err 'could not connect to store'
v runs --store "postgres://x:Pgst0rePassw0rd@127.0.0.1:1/z"
expect_rc 3
expect_err 'could not connect to store'
expect_file_lacks Pgst0rePassw0rd "$OUT" "$ERR"
check "nothing was made in the folder" test "$(ls)" = vouch.conf
cd ..
end_case

test_case "[store] url = sqlite:FILE is the SQLite store in FILE; path and url together are refused"
mkdir -p squrl && cd squrl
printf '[target]\ndsn = dbname=storedb\n[rowcount]\nschema = public\n[store]\nurl = sqlite:ev.db\n' >vouch.conf
v baseline
expect_rc 0
check "the store is ev.db" test -s ev.db -a -s ev.db.head -a ! -e vouch.db
v verify
expect_rc 0
printf '[target]\ndsn = dbname=storedb\n[store]\npath = a.db\nurl = sqlite:b.db\n' >both.conf
v runs --config both.conf
expect_rc 2
expect_err 'both.conf:[0-9]*.*give path or url, not both'
cd ..
end_case
