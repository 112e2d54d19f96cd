# baseline and gate against the sample portal and real restores of it.

fresh_db healthy
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=healthy

[rowcount]
table = public.audit_log at-least
table = public.share_links tolerance 1%
schema = public
exclude = public.residency_evidence
CONF

# restore_copy NAME: a real restore of the healthy database (pg_dump | pg_restore).
restore_copy() {
    pg_dump -Fc -d healthy -f healthy.dump
    dropdb --if-exists "$1" 2>/dev/null
    createdb "$1"
    pg_restore -d "$1" --no-owner healthy.dump 2>restore.log || true
}

test_case "baseline captures every configured table"
v baseline
expect_rc 0
expect_out '^vouch baseline 1 on host=.* dbname=healthy'
expect_out 'rowcount: 7 tables'
expect_out '^baseline 1 captured$'
expect_empty_err
end_case

test_case "a clean restore passes the gate"
restore_copy restored
v gate --target "dbname=restored"
expect_rc 0
expect_out 'vouch gate 2 against baseline 1 on .*dbname=restored'
expect_out '^pass +rowcount +public\.tasks '
expect_out '^pass +rowcount +public\.audit_log +>= [0-9]+'
expect_out '^gate open: 7 of 7 results passed$'
expect_not_out 'residency_evidence'
end_case

test_case "rows deleted from one table fail rowcount naming that table"
psql_q -d restored -c 'delete from public.tasks where id % 10 = 0'
v gate --target "dbname=restored"
expect_rc 1
expect_out '^FAIL +rowcount +public\.tasks +[0-9]+ +[0-9]+ +[0-9]+ rows missing \(-10\.[0-9]+%\); rule exact allows no difference$'
expect_out '^pass +rowcount +public\.projects '
expect_out '^gate closed: 1 of 7 results failed$'
end_case

test_case "--quiet shows only what did not pass"
v -q gate --target "dbname=restored"
expect_rc 1
expect_out '^FAIL +rowcount +public\.tasks'
expect_not_out '^pass '
end_case

test_case "--verbose tells on stderr what the run is doing"
v -v gate --target "dbname=restored"
expect_rc 1
expect_err '^vouch: connected to host=.* dbname=restored .*; snapshot at [0-9T:.-]+Z$'
expect_err '^vouch: rowcount: checked in [0-9.]+ s over 2 connections$'
expect_err "^vouch: sealed run [0-9]+ as failed in $(store_re) "
expect_out '^FAIL +rowcount +public\.tasks'
end_case

test_case "a dropped table fails naming it"
restore_copy dropped
psql_q -d dropped -c 'drop table public.assets cascade'
v gate --target "dbname=dropped"
expect_rc 1
expect_out '^FAIL +rowcount +public\.assets +[0-9]+ +missing +table public\.assets does not exist; the baseline had [0-9]+ rows$'
end_case

test_case "tolerance and at-least rules judge as configured"
restore_copy ruled
psql_q -d ruled -c "insert into public.audit_log (occurred_at, actor, action, agency_id, payload, prev_hash, row_hash)
                    select occurred_at + interval '1 second', actor, action, agency_id, payload, prev_hash, row_hash
                    from public.audit_log order by id desc limit 3"
v gate --target "dbname=ruled"
expect_rc 0
expect_out '^pass +rowcount +public\.audit_log +>= ([0-9]+) +[0-9]+ +3 rows more than the baseline'
end_case

test_case "--format junit names the failing table with expected and observed"
v gate --target "dbname=restored" --format junit --output gate.xml
expect_rc 1
check "gate.xml is well-formed XML" xmllint --noout gate.xml
check "one testsuite per check" grep -q '<testsuite name="vouch.rowcount" tests="7" failures="1" errors="0"' gate.xml
check "the failing testcase names the table, with its time" \
    grep -Eq '<testcase classname="vouch.rowcount" name="public.tasks" time="[0-9]+\.[0-9]{3}">' gate.xml
check "the suite has its time" \
    grep -Eq '<testsuite name="vouch.rowcount" .* timestamp="[^"]+" time="[0-9]+\.[0-9]{3}">' gate.xml
check "the whole run has its time" grep -Eq '<testsuites name="vouch gate [0-9]+" .* time="[0-9]+\.[0-9]{3}">' gate.xml
check "the failure carries the reason" grep -Eq '<failure message="[0-9]+ rows missing' gate.xml
check "the failure body has expected and observed" grep -Eq '^expected: [0-9]+$' gate.xml
end_case

test_case "--format json is the stored run"
v gate --target "dbname=restored" --format json
expect_rc 1
expect_out '"status": "failed"'
expect_out '"fail": 1'
expect_out '"subject": "public.tasks"'
end_case

test_case "--format tap"
v gate --target "dbname=restored" --format tap
expect_rc 1
expect_out '^TAP version 14$'
expect_out '^1\.\.7$'
expect_out '^not ok [0-9] - rowcount public\.tasks$'
expect_out '^  message: "[0-9]+ rows missing'
end_case

test_case "one run, many outputs: human on stdout, JUnit and JSON to files, one run stored"
before=$(store_sql 'select count(*) from runs')
echo 'old' >gate.json
v gate --target "dbname=restored" --format human --format junit:many.xml --format json:gate.json
expect_rc 1
expect_out '^FAIL +rowcount +public\.tasks '
expect_out '^7 results: 6 passed, 1 failed$'
expect_out '^gate closed: 1 of 7 results failed$'
expect_not_out '<testsuites|"status"'
check "one run stored, not three" test "$(store_sql 'select count(*) from runs')" = $((before + 1))
run=$(store_sql 'select max(id) from runs')
check "the JUnit file is that run" grep -q "<testsuites name=\"vouch gate $run\"" many.xml
check "the JSON file is that run, replaced whole" jq -e ".run == $run and .status == \"failed\"" gate.json
check "no file left half written" test -z "$(ls -a | grep -E '^\.?(many\.xml|gate\.json)\..')"
end_case

test_case "--format X --output F and --out F keep working; the machine format alone on stdout"
v gate --target "dbname=restored" --format tap --out gate.tap --format junit:two.xml
expect_rc 1
check "--out took the format without a file" grep -q '^TAP version 14$' gate.tap
check "TAP counts the results" grep -Eq '^# 7 results: 6 passed, 1 failed$' gate.tap
check "two.xml written" xmllint --noout two.xml
v gate --target "dbname=restored" --format json:one.json --format tap
expect_rc 1
expect_out '^TAP version 14$'
expect_not_out '"status"'
end_case

test_case "bad --format lists are usage errors before anything runs or is written"
before=$(store_sql 'select count(*) from runs')
v gate --format human --format tap
expect_rc 2
expect_err '^vouch: --format human and --format tap both go to standard output$'
expect_err '^hint: Give the others a file: --format junit:gate.xml\.$'
v gate --format junit:same.xml --format json:same.xml
expect_rc 2
expect_err '^vouch: --format junit and --format json both write "same.xml"$'
v gate --format junit:gate.xml --out x.txt
expect_rc 2
expect_err '^vouch: --out "x.txt": every --format names its own file$'
v gate --format xml:gate.xml
expect_rc 2
expect_err '^vouch: unknown format "xml": use human, json, tap, junit$'
v gate --format junit:/nonexistent/dir/gate.xml
expect_rc 2
expect_err '^vouch: could not write output "/nonexistent/dir/gate.xml": folder "/nonexistent/dir": No such file or directory$'
v runs --format human --format json:runs.json
expect_rc 2
expect_err '^vouch: runs takes one --format$'
check "nothing was stored" test "$(store_sql 'select count(*) from runs')" = "$before"
check "no file was made" test ! -e same.xml -a ! -e x.txt
end_case

test_case "check NAME runs only that check"
v check rowcount --target "dbname=restored"
expect_rc 1
expect_out '^vouch check [0-9]+ against baseline 1'
expect_out '^checks failed: 1 of 7 results failed$'
end_case

test_case "--baseline picks an older baseline; a non-baseline id exits 2"
v gate --baseline 2 --target "dbname=restored"
expect_rc 2
expect_err "run 2 in store \"$(store_re)\" is not a captured baseline"
v gate --baseline 1
expect_rc 0
end_case

test_case "a table named like SQL is quoted, never executed"
psql_q -d healthy -c 'create table public.b (x int); create table public."a; drop table b" (x int); insert into public."a; drop table b" values (1), (2)'
printf '[target]\ndsn = dbname=healthy\n[rowcount]\ntable = "a; drop table b"\ntable = b\n' >inject.conf
v -c inject.conf --store inject.db baseline
expect_rc 0
v -c inject.conf --store inject.db gate
expect_rc 0
expect_out '^pass +rowcount +public\."a; drop table b" +2 +2 '
check "table b still exists" test "$(psql_q -d healthy -c "select count(*) from pg_class where relname = 'b'")" = 1
end_case

test_case "a statement timeout cancels a blocked count and closes the gate"
# A lock held by another session blocks count(*); the timeout turns it into an error result.
printf '[target]\ndsn = dbname=healthy\nstatement_timeout = 300ms\n[rowcount]\ntable = projects\n' >slow.conf
v -c slow.conf --store slow.db baseline
expect_rc 0
(psql -X -d healthy -c 'begin; lock table public.projects in access exclusive mode; select pg_sleep(3); commit' >/dev/null 2>&1 &)
sleep 0.5
v -c slow.conf --store slow.db gate
expect_rc 1
expect_out '^ERROR +rowcount +\(check\) .*could not finish: could not count public\.projects: canceling statement due to statement timeout'
sleep 2.6
end_case

test_case "a role that row-level security would filter is refused, never counted short"
psql_q -d postgres -c "drop role if exists vouch_filtered; create role vouch_filtered login; grant pg_read_all_data to vouch_filtered"
v gate --target "dbname=healthy user=vouch_filtered"
expect_rc 1
expect_out '^ERROR +rowcount +\(check\) .*query would be affected by row-level security policy for table'
expect_out 'connect as a role with BYPASSRLS'
expect_not_out '^FAIL '
v --store filtered.db baseline --target "dbname=healthy user=vouch_filtered"
expect_rc 3
expect_err 'row-level security'
expect_err '^hint: vouch must see every row'
psql_q -d postgres -c "alter role vouch_filtered bypassrls"
v gate --target "dbname=healthy user=vouch_filtered"
expect_rc 0
end_case

test_case "an interrupted gate is stored as aborted and exits 3"
printf '[target]\ndsn = dbname=healthy\n[rowcount]\ntable = projects\n' >intr.conf
v -c intr.conf --store intr.db baseline
(psql -X -d healthy -c 'begin; lock table public.projects in access exclusive mode; select pg_sleep(3); commit' >/dev/null 2>&1 &)
sleep 0.5
set +e
"$VOUCH" -c intr.conf --store intr.db gate >"$OUT" 2>"$ERR" &
pid=$!
sleep 0.7
kill -INT "$pid"
wait "$pid"
RC=$?
set -e
expect_rc 3
expect_err '^vouch: could not count public\.projects: interrupted$'
expect_out '^gate aborted: could not count public\.projects: interrupted; 1 check not evaluated$'
expect_out '^SKIP +rowcount +\(not evaluated\) .* not evaluated: the run stopped while this check ran: could not count public\.projects: interrupted$'
v --store intr.db runs
expect_out '^2 +gate +aborted .* interrupted$'
sleep 2
end_case
