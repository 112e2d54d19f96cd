# Restore drills: a real pg_dump / drop / pg_restore timed by 'vouch drill run', drills
# by hand, one open drill at a time, tamper evidence, interruption.

fresh_db drillsrc
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=drillsrc

[rowcount]
table = public.projects
table = public.tasks
table = public.assets
table = public.share_links
table = public.audit_log
CONF

now_utc() { date -u +%Y-%m-%dT%H:%M:%SZ; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
q() { store_sql "$1"; }
# phases DRILL: its phase names in order, joined by |.
phases() { q "select name from drill_phases where drill_id = $1 order by seq" | paste -sd"|"; }

test_case "drill run: dump, drop, pg_restore, gate; the stored RTO is the measured duration"
v baseline
expect_rc 0
pg_dump -Fc -d drillsrc -f portal.dump
dropdb drillsrc
incident=$(now_utc)
t0=$(now_ms)
v drill run --scenario "portal lost: restore from last dump" --incident-at "$incident" \
    --restore-cmd "sleep 1.5 && createdb drillsrc && pg_restore --no-owner -d drillsrc portal.dump" \
    --target dbname=drillsrc
t1=$(now_ms)
expect_rc 0
expect_out '^drill 1: portal lost: restore from last dump$'
expect_out '^pass +rowcount +public\.tasks '
expect_out '^  gate       run 2: gate open: 5 of 5 results passed$'
expect_out '^             pass  drill target 45 min$'
expect_out '^             pass  RTO 1 h$'
expect_out '^  data loss  unknown: no restore point'
expect_out '^drill 1 finished: RTO [0-9.]+ (ms|s), within the 45 min drill target; data loss NOT MEASURED \(no restore point\)$'
expect_out '^store head 2:[0-9a-f]{64}$'
expect_err '^vouch: drill 1: restore started at '
check "the drill is stored finished with its gate run" \
    test "$(q "select status || ' ' || gate_run_id || ' ' || restore_exit || ' ' || clock from drills where id = 1")" = "finished 2 0 monotonic"
rto=$(q "select rto_ms from drills where id = 1")
measured=$((t1 - t0))
check "stored RTO $rto ms is within a second of the $measured ms measured around the command" \
    test $((measured - rto)) -ge 0 -a $((measured - rto)) -le 1000
check "stored RTO $rto ms covers the restore command's 1.5 s" test "$rto" -ge 1500
check "phases in order" \
    test "$(phases 1)" = "restore started|restore finished|gate finished"
check "phase times never go backwards and stay within the RTO" \
    test "$(q "select count(*) from drill_phases a join drill_phases b on a.drill_id = b.drill_id and b.seq = a.seq + 1 where a.drill_id = 1 and (b.at < a.at or b.elapsed_ms < a.elapsed_ms or b.elapsed_ms > $rto)")" = 0
check "the restored database answers" test "$(psql_q -d drillsrc -c 'select count(*) > 0 from public.tasks')" = t
end_case

test_case "drill run with a failing restore command ends the drill failed, exit 1"
v drill run --scenario "restore into a database that is not there" --incident-at "$(now_utc)" \
    --restore-cmd "PGPASSWORD=Sup3rDrillSecret pg_restore -d no_such_database portal.dump" \
    --target dbname=drillsrc
expect_rc 1
expect_out '^  restore    PGPASSWORD=\*\*\* pg_restore -d no_such_database portal.dump  \(exit status 1\)$'
read -ra held <<<"$(store_files)"
expect_file_lacks Sup3rDrillSecret "$OUT" "${held[@]}"
expect_err 'pg_restore: error: .*no_such_database'
expect_out '^drill 2 FAILED: the restore command exited with status 1$'
expect_out '^  RTO        not achieved: the drill failed after '
expect_out '^             FAIL  RTO 1 h$'
check "stored as failed with the exit status, no gate, no RTO" \
    test "$(q "select status || ' ' || restore_exit || ' ' || coalesce(cast(gate_run_id as text), '-') || ' ' || coalesce(cast(rto_ms as text), '-') from drills where id = 2")" = "failed 1 - -"
check "phases say where it stopped" \
    test "$(phases 2)" = "restore started|restore failed"
end_case

test_case "drill run whose gate fails ends the drill failed, exit 1"
v drill run --scenario "restore that loses rows" --incident-at "$(now_utc)" \
    --restore-cmd "psql -X -q -d drillsrc -c 'delete from public.tasks where id % 10 = 0'" \
    --target dbname=drillsrc --restore-point 2026-11-01T00:00:00Z --format json --progress
expect_rc 1
expect_err '^vouch: progress: rowcount: running, 0 s$'
expect_not_out 'vouch: progress'
expect_out '^  "drill": 3,$'
expect_out '^  "status": "failed",$'
expect_out '"restore_point": "2026-11-01T00:00:00.000Z"'
expect_out '"source": "operator"'
expect_out '"verdict": "drill 3 FAILED: the gate stayed closed: the restored database is not whole"'
check "stored failed with its gate run and the operator's restore point" \
    test "$(q "select status || ' ' || case when gate_run_id > 0 then 1 else 0 end || ' ' || restore_point_source from drills where id = 3")" = "failed 1 operator"
end_case

test_case "a drill by hand: start, mark, finish, with its phases"
v drill start --scenario "neon branch restore, by hand" --incident-at "2026-11-25T02:00:00+10:00" --operator alice
expect_rc 0
expect_out '^drill 4 started at [0-9T:.-]+Z: neon branch restore, by hand$'
v drill mark "branch created" --note "from 01:55 AEST"
expect_rc 0
expect_out '^drill 4: branch created at [0-9T:.-]+Z \([0-9.]+ (ms|s) into the drill\)$'
v drill mark "app pointed at branch"
expect_rc 0
v drill finish --note "all good" --restore-point "2026-11-25T01:55:00+10:00"
expect_rc 0
expect_out '^store head [0-9]+:[0-9a-f]{64}$'
expect_out '^  operator   alice$'
expect_out '^  incident   2026-11-24T16:00:00\.000Z$'
expect_out '^  branch created +[0-9T:.-]+Z +[0-9.]+ (ms|s) .* — from 01:55 AEST$'
expect_out '^  data loss  5 min: from the restored data.s newest, 2026-11-24T15:55:00\.000Z \(given by the operator\), to the incident$'
expect_out '^             pass  RPO 24 h$'
expect_out '^drill 4 finished: RTO [0-9.]+ (ms|s), within the 45 min drill target; data loss 5 min, within the 24 h RPO$'
check "phases stored in order" \
    test "$(phases 4)" = "branch created|app pointed at branch"
check "stored: operator, data loss 300000 ms, realtime clock" \
    test "$(q "select operator || ' ' || data_loss_ms || ' ' || clock || ' ' || status from drills where id = 4")" = "alice 300000 realtime finished"
v drills
expect_rc 0
expect_out '^4 +finished +[0-9T:.-]+Z +[0-9.]+ (ms|s) +5 min +- +neon branch restore, by hand$'
expect_out '^2 +failed .* the restore command exited with status 1$'
v drills 4 --format json
expect_rc 0
expect_out '"data_loss_ms"|"within_rpo": true'
expect_out '"name": "app pointed at branch"'
end_case

test_case "only one drill is open at a time; mark and finish need an open drill"
v drill mark "too early"
expect_rc 2
expect_err "^vouch: no drill is open in store \"$(store_re)\" to mark\$"
v drill start --scenario "first" --incident-at "$(now_utc)"
expect_rc 0
v drill start --scenario "second" --incident-at "$(now_utc)"
expect_rc 2
expect_err "^vouch: drill 5 \\(\"first\", started [0-9T:.-]+Z\\) is still open in store \"$(store_re)\"\$"
expect_err "^hint: End it with 'vouch drill finish'"
v drill run --scenario "third" --incident-at "$(now_utc)" --restore-cmd true --target dbname=drillsrc
expect_rc 2
expect_err '^vouch: drill 5 \("first"'
v drill fail --note "abandoned: the branch never came up"
expect_rc 0
expect_out '^drill 5 FAILED: ended as failed by the operator$'
check "no second drill was stored" test "$(q "select count(*) from drills")" = 5
v drill start --scenario "missing incident"
expect_rc 2
expect_err '^vouch: drill start needs --incident-at TIME$'
end_case

test_case "an interrupted drill run is stored as interrupted, exit 3"
t0=$(now_ms)
set +e
"$VOUCH" ${VOUCH_TEST_STORE_URL:+--store "$VOUCH_TEST_STORE_URL"} drill run --scenario "interrupted" --incident-at "$(now_utc)" --restore-cmd "sleep 5" \
    --target dbname=drillsrc >"$OUT" 2>"$ERR" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
RC=$?
set -e
t1=$(now_ms)
expect_rc 3
expect_err '^vouch: interrupted during the restore command$'
expect_out '^drill 6 INTERRUPTED: interrupted during the restore command$'
check "the restore command was stopped, not waited for ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 4000
check "stored as interrupted and sealed" \
    test "$(q "select status || ' ' || case when digest is not null then 1 else 0 end from drills where id = 6")" = "interrupted 1"
v verify
expect_rc 0
expect_out "^store $(store_re): chain intact: [0-9]+ sealed runs and 6 sealed drills verified\$"
end_case

test_case "the store refuses changing or deleting drills and phases"
set +e
store_sql "update drills set rto_ms = 1 where id = 1" 2>upd.err; u=$?
store_sql "delete from drill_phases where drill_id = 1" 2>del.err; d=$?
set -e
check "update refused" test "$u" != 0
check "update says append-only" grep -q 'append-only' upd.err
check "delete refused" test "$d" != 0
check "delete says append-only" grep -q 'append-only' del.err
end_case

test_case "editing a stored drill with the sqlite3 shell (psql on PostgreSQL) breaks verification, naming it"
if on_pg; then
    store_sql "alter table drills disable trigger user; update drills set rto_ms = 60000 where id = 4; alter table drills enable trigger user"
else
    sqlite3 vouch.db "drop trigger drills_append_only_update; update drills set rto_ms = 60000 where id = 4"
fi
v verify
expect_rc 1
expect_out "^store $(store_re): BROKEN after [0-9]+ good runs and [0-9]+ good drills: drill 4 does not match its digest"
end_case
