# Attacks on the evidence store (docs/store.md): edits by someone who can write the
# SQLite file and the head file beside it, orphaned runs that jam every later command,
# read-only places, and a gate stuck on another process's lock.

fresh_db advdb
printf '[target]\ndsn = dbname=advdb\n[rowcount]\nschema = public\n' >vouch.conf
q() { sqlite3 "${STORE:-vouch.db}" "$1"; }

test_case "a store to attack: a baseline, gates, drills; every gate prints the head"
v keygen --subject "CN=adversary test"
expect_rc 0
v baseline
expect_rc 0
expect_out '^store head 1:[0-9a-f]{64}$'
for i in 1 2 3; do
    # who and what started it, and the incident time, are sealed with the run
    CI_JOB_URL=https://ci.example/jobs/$i v gate --incident-at 2026-11-25T00:00:00Z
    expect_rc 0
done
expect_out '^store head 4:[0-9a-f]{64}$'
v gate --format json --output gate.json
expect_rc 0
expect_err '^vouch: store head 5:[0-9a-f]{64}$'
check "machine output stays machine output" jq -e '.run' gate.json >/dev/null
v drill run --scenario "adversary drill" --incident-at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --restore-cmd true
expect_rc 0
v drill start --scenario "by hand" --incident-at 2026-11-25T02:00:00Z --operator alice
expect_rc 0
v drill mark "branch created" --note "first"
v drill mark "app pointed"
v drill finish --note "all good" --restore-point 2026-11-25T01:55:00Z
expect_rc 0
v gate
expect_rc 0
old_head=$(sed -n 's/^store head //p' "$OUT")
v gate
expect_rc 0
cp vouch.db.head older.head || : >older.head  # the head file as it stood before the last gate
v gate
expect_rc 0
last_head=$(sed -n 's/^store head //p' "$OUT")
check "head file: one line per sealed run and drill" \
    test "$(wc -l <vouch.db.head)" = "$(( $(q 'select count(*) from runs where digest is not null') + $(q 'select count(*) from drills where digest is not null') ))"
check "every line names a run or drill the store holds" \
    test "$(grep -c '^run [0-9]* [0-9a-f]\{64\}$' vouch.db.head)" = "$(q 'select count(*) from runs where digest is not null')"
v verify
expect_rc 0
expect_out '^store vouch.db: chain intact: [0-9]+ sealed runs and 2 sealed drills verified$'
expect_out '^head file vouch.db.head: [0-9]+ run and 2 drill lines match the store$'
expect_not_out '^note:'
v verify --head "$last_head"
expect_rc 0
expect_out '^head [0-9]+:[0-9a-f]{16}\.\.\. is in the chain: runs 1 to [0-9]+ are as they were'
sqlite3 vouch.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp vouch.db pristine.db
cp vouch.db.head pristine.head || : >pristine.head
end_case

# The SQL of a trigger exactly as vouch created it, to put back after an edit.
trigger_sql() { sqlite3 pristine.db "select sql || ';' from sqlite_master where type = 'trigger' and name = '$1'"; }
run_t=$(for t in runs_append_only_delete runs_append_only_update; do trigger_sql $t; done)
res_t=$(for t in results_append_only_update results_append_only_delete results_open_run; do trigger_sql $t; done)
base_t=$(for t in baselines_append_only_update baselines_append_only_delete baselines_open_run; do trigger_sql $t; done)
drill_t=$(for t in drills_append_only_delete drills_append_only_update drills_fixed_at_start; do trigger_sql $t; done)
phase_t=$(for t in drill_phases_append_only_update drill_phases_append_only_delete drill_phases_open_drill; do trigger_sql $t; done)
drop_all="drop trigger runs_append_only_delete; drop trigger runs_append_only_update;
 drop trigger results_append_only_update; drop trigger results_append_only_delete; drop trigger results_open_run;
 drop trigger baselines_append_only_update; drop trigger baselines_append_only_delete; drop trigger baselines_open_run;
 drop trigger drills_append_only_delete; drop trigger drills_append_only_update; drop trigger drills_fixed_at_start;
 drop trigger drill_phases_append_only_update; drop trigger drill_phases_append_only_delete; drop trigger drill_phases_open_drill;"
put_back="$run_t $res_t $base_t $drill_t $phase_t"
last_run=$(q 'select max(id) from runs')
mid_run=$(q "select id from runs where kind = 'gate' order by id limit 1 offset 1")
base_run=$(q "select id from runs where kind = 'baseline' limit 1")
last_drill=$(q 'select max(id) from drills')

TRIED=0
CAUGHT=0
MISSED=""
LIMITS=0
# attempt NAME SQL [HEAD-EDIT [VERIFY-ARGS...]]: edit a copy of the pristine store with the
# triggers dropped and put back exactly (or as RESTORE says), edit its head file with the
# shell command HEAD-EDIT, and count whether vouch verify names it (exit 1, BROKEN). A NAME
# "limit: ..." is an attack the store cannot see on its own (docs/store.md): it must be
# missed, and is counted as tried.
attempt() {
    local name=$1 sql=$2 head_edit=${3:-true}
    shift 3 2>/dev/null || shift $#
    cp pristine.db a.db
    rm -f a.db-wal a.db-shm
    cp pristine.head a.db.head
    sqlite3 a.db "$drop_all $sql; ${RESTORE-$put_back}" >/dev/null 2>attempt.err || { _fail "$name: sqlite3: $(cat attempt.err)"; return; }
    (eval "$head_edit")
    TRIED=$((TRIED + 1))
    v --store a.db verify "$@"
    if [ "$RC" = 1 ] && grep -q 'BROKEN' "$OUT"; then
        CAUGHT=$((CAUGHT + 1))
        case $name in limit:*) _fail "$name: detected, so the documented limit is out of date" ;; esac
    elif [ "${name#limit:}" != "$name" ]; then
        LIMITS=$((LIMITS + 1))
    else
        MISSED="$MISSED
      missed: $name (exit $RC: $(head -1 "$OUT"))"
    fi
}

test_case "tampering with the store: every attempt is named by vouch verify"
attempt "edit a result's observed value" "update results set observed = '999' where run_id = $mid_run"
attempt "delete a result" "delete from results where run_id = $mid_run and seq = 1"
attempt "add a result to a sealed run" "insert into results (run_id, seq, check_name, subject, status, expected, observed, reason) values ($mid_run, 99, 'rowcount', 'public.x', 'pass', '1', '1', 'added')"
attempt "waive a failure of a sealed run" "update results set waiver = 'forged' where run_id = $mid_run and seq = 1"
attempt "give a sealed run a waiver" "update runs set waivers = '[{\"name\":\"forged\"}]' where id = $mid_run"
attempt "edit a run's incident time" "update runs set incident_at = '2026-11-24T00:00:00.000Z' where id = $mid_run"
attempt "clear a run's incident time" "update runs set incident_at = null where id = $mid_run"
attempt "edit who started a run" "update runs set started_by = 'mallory' where id = $mid_run"
attempt "edit a run's CI job" "update runs set ci_job = 'https://ci.example/jobs/9' where id = $mid_run"
attempt "clear a run's CI job" "update runs set ci_job = null where id = $mid_run"
attempt "edit a result's facts" "update results set facts = '{\"rows\":1}' where run_id = $mid_run and seq = 1"
attempt "clear a result's facts" "update results set facts = null where run_id = $mid_run"
attempt "list checks as not evaluated in a finished run" \
    "update runs set not_evaluated = '[{\"check\":\"rowcount\",\"reason\":\"x\"}]' where id = $mid_run"
attempt "turn a passed run into failed" "update runs set status = 'failed' where id = $mid_run"
attempt "edit a run's target" "update runs set target = 'dbname=other' where id = $mid_run"
attempt "give a sealed run a target name" "update runs set target_name = 'portal-au' where id = $mid_run"
attempt "edit a run's finish time" "update runs set finished_at = '2020-01-01T00:00:00.000Z' where id = $mid_run"
attempt "edit a run's host" "update runs set host = 'elsewhere' where id = $mid_run"
attempt "edit a run's pid" "update runs set pid = pid + 1 where id = $mid_run"
attempt "edit a run's id" "update runs set id = 9000 where id = $last_run; update results set run_id = 9000 where run_id = $last_run"
attempt "delete a run in the middle" "delete from results where run_id = $mid_run; delete from runs where id = $mid_run"
attempt "cut the newest run (triggers put back exactly)" \
    "delete from results where run_id = $last_run; delete from runs where id = $last_run"
attempt "limit: cut the newest run and its head file line" \
    "delete from results where run_id = $last_run; delete from runs where id = $last_run" \
    "sed -i '\$d' a.db.head"
attempt "cut the newest run and its head file line, check a head from a CI log" \
    "delete from results where run_id = $last_run; delete from runs where id = $last_run" \
    "sed -i '\$d' a.db.head" --head "$last_head"
attempt "limit: cut the newest run, put back an older head file" \
    "delete from results where run_id = $last_run; delete from runs where id = $last_run" \
    "cp older.head a.db.head"
attempt "cut the newest run and delete the head file" \
    "delete from results where run_id = $last_run; delete from runs where id = $last_run" \
    "rm a.db.head"
attempt "cut the newest run, put back an older head file, check a head from a CI log" \
    "delete from results where run_id = $last_run; delete from runs where id = $last_run" \
    "cp older.head a.db.head" --head "$last_head"
attempt "swap two runs' chain positions" \
    "update runs set chain_pos = -1 where chain_pos = 2; update runs set chain_pos = 2 where chain_pos = 3; update runs set chain_pos = 3 where chain_pos = -1"
attempt "swap two runs' digests" \
    "update runs set digest = (select digest from runs where chain_pos = 3) where chain_pos = 2"
attempt "relink a run to another" "update runs set prev_digest = (select digest from runs where chain_pos = 1) where chain_pos = 3"
attempt "unseal a finished run" "update runs set digest = null, chain_pos = null where id = $last_run"
attempt "edit a baseline" "update baselines set content = '{}' where run_id = $base_run"
attempt "delete a baseline" "delete from baselines where run_id = $base_run"
attempt "edit a sealed drill's operator" "update drills set operator = 'mallory' where id = $last_drill"
attempt "edit a sealed drill's RTO" "update drills set rto_ms = 1 where id = 1"
attempt "cut the newest drill" "delete from drill_phases where drill_id = $last_drill; delete from drills where id = $last_drill"
attempt "edit a drill phase" "update drill_phases set note = 'edited' where drill_id = $last_drill"
attempt "delete a drill phase" "delete from drill_phases where drill_id = $last_drill and seq = 1"
attempt "add a drill phase to a sealed drill" "insert into drill_phases values ($last_drill, 99, 'added', '2026-11-25T02:00:00.000Z', 5, null)"
RESTORE="${put_back/"$(trigger_sql results_append_only_update)"/}" \
    attempt "a trigger left dropped" "select 1"
RESTORE="${put_back/"$(trigger_sql runs_append_only_delete)"/}" \
    attempt "a trigger replaced by one of the same name that does nothing" \
    "create trigger runs_append_only_delete before delete on runs begin select 1; end"
attempt "a trigger added that silently swallows deletes" \
    "create trigger zz_quiet before delete on results begin select raise(ignore); end"
attempt "edit a head file line" "select 1" "sed -i '1s/ [0-9a-f]/ f/' a.db.head"
attempt "a head file line for a run that never was" "select 1" \
    "echo 'run 999 0000000000000000000000000000000000000000000000000000000000000000' >>a.db.head"
echo "      store tampering: $CAUGHT/$TRIED attempts detected ($LIMITS of the misses are documented limits)"
check "every attempt but the documented limits was detected:$MISSED" test "$((CAUGHT + LIMITS))" = "$TRIED"
end_case

test_case "--head proves the chain up to its position, nothing after it"
cp pristine.db a.db
rm -f a.db-wal a.db-shm
sqlite3 a.db "$drop_all delete from results where run_id = $last_run; delete from runs where id = $last_run; $put_back"
cp older.head a.db.head
v --store a.db verify --head "$old_head"
expect_rc 0
expect_out "^head ${old_head%%:*}:[0-9a-f]{16}\.\.\. is in the chain: runs 1 to ${old_head%%:*} are as they were"
v --store a.db verify --head "$last_head"
expect_rc 1
expect_out "BROKEN after [0-9]+ good runs: the store's run chain ends at position [0-9]+, before the given head ${last_head%%:*}: sealed runs were cut from the store"
v --store a.db verify --head "${old_head%%:*}:$(printf '0%.0s' $(seq 64))"
expect_rc 1
expect_out "run chain position ${old_head%%:*} has digest [0-9a-f]{16}\.\.\., not the given 0{16}\.\.\.: the chain was rewritten up to there"
v --store a.db verify --head 12
expect_rc 2
expect_err '^vouch: --head expects POSITION:DIGEST, not "12"$'
v gate --head "$old_head"
expect_rc 2
expect_err '^vouch: option --head does not apply to gate$'
v verify gate.json --head "$old_head"
expect_rc 2
expect_err '^vouch: --head applies to verifying the store, not a FILE$'
end_case

test_case "a baseline weakened in the store cannot open the gate on a broken restore"
cp pristine.db w.db
rm -f w.db-wal w.db-shm
cp pristine.head w.db.head
fresh_db advweak
psql_q -d advweak -c 'delete from public.tasks where id % 2 = 0'
upd=$(trigger_sql baselines_append_only_update)
# the attacker makes the baseline hold the broken restore's counts: take them from a
# throwaway store, then write them into the real one's baseline
printf '[target]\ndsn = dbname=advweak\n[rowcount]\nschema = public\n' >weak.conf
"$VOUCH" -c weak.conf --store weak-src.db baseline >/dev/null 2>&1
weak=$(sqlite3 weak-src.db "select content from baselines where check_name = 'rowcount'")
base=$(STORE=w.db q "select max(run_id) from baselines where check_name = 'rowcount'")
STORE=w.db q "drop trigger baselines_append_only_update;
    update baselines set content = '$(printf '%s' "$weak" | sed "s/'/''/g")'
    where check_name = 'rowcount' and run_id = $base;
    $upd"
v --store w.db gate --target dbname=advweak
expect_rc 3
expect_err "^vouch: baseline $base cannot be trusted: the store's chain is broken: run $base does not match its digest"
expect_not_out '^gate open'
check "the refused gate is stored aborted, not passed" \
    test "$(STORE=w.db q 'select status from runs order by id desc limit 1')" = aborted
end_case

test_case "a baseline row inserted by hand (never sealed) is never compared with"
cp pristine.db f.db
rm -f f.db-wal f.db-shm
cp pristine.head f.db.head
# the broken restore's counts, captured into a throwaway store, put in as a "captured" run
fresh_db advforge
psql_q -d advforge -c 'delete from public.tasks where id % 2 = 0'
printf '[target]\ndsn = dbname=advforge\n[rowcount]\nschema = public\n' >forge.conf
"$VOUCH" -c forge.conf --store forge-src.db baseline >/dev/null 2>&1
STORE=f.db q "insert into runs (kind, status, started_at, finished_at, target, checks, vouch_version, host, pid)
    values ('baseline', 'captured', '2030-01-01T00:00:00.000Z', '2030-01-01T00:00:01.000Z', 'x',
            'rowcount', '0', 'elsewhere', 1)"
fake=$(STORE=f.db q "select max(id) from runs")
STORE=f.db q "attach 'forge-src.db' as src;
    insert into baselines select $fake, check_name, content from src.baselines"
v --store f.db gate --target dbname=advforge
expect_rc 1
expect_out '^FAIL +rowcount +public\.tasks '
check "the gate compared with the newest sealed baseline, not the forged one" \
    test "$(STORE=f.db q 'select baseline_id from runs order by id desc limit 1')" != "$fake"
v --store f.db gate --target dbname=advforge --baseline "$fake"
expect_rc 2
expect_err "run $fake in store \"f.db\" is not a captured baseline"
end_case

test_case "a vouch that died between COMMIT and its head line: verify says which runs are not anchored"
cp pristine.db a.db
rm -f a.db-wal a.db-shm
head -n -1 pristine.head | grep -v '^drill' >a.db.head
grep '^drill' pristine.head >>a.db.head
v --store a.db verify
expect_rc 0
expect_out "^note: run chain positions $(q 'select max(chain_pos) from runs') to $(q 'select max(chain_pos) from runs') are sealed but not in head file a.db.head"
end_case

test_case "a head line cut short (a full disk): a note, not tampering; the next seal starts a line of its own"
cp pristine.db a.db
rm -f a.db-wal a.db-shm
cp pristine.head a.db.head
last=$(tail -n 1 a.db.head)
head -n -1 pristine.head >a.db.head
printf '%s' "${last:0:30}" >>a.db.head
v --store a.db verify
expect_rc 0
expect_out "^note: head file a.db.head line $(wc -l <pristine.head) was cut short \\(a write that did not finish, such as on a full disk\\): it anchors nothing"
expect_out "^note: (run|drill) chain positions [0-9]+ to [0-9]+ are sealed but not in head file a.db.head"
v --store a.db gate
expect_rc 0
check "the cut line is ended and the new one stands alone" \
    test "$(tail -n 2 a.db.head | head -n 1)" = "${last:0:30}"
check "the new line is whole" grep -Eq '^run [0-9]+ [0-9a-f]{64}$' <(tail -n 1 a.db.head)
v --store a.db verify
expect_rc 0
expect_out 'chain intact'
end_case

test_case "[store] anchor puts the head file elsewhere; one that cannot be written is named"
mkdir -p elsewhere
printf '[target]\ndsn = dbname=advdb\n[rowcount]\nschema = public\n[store]\npath = anch.db\nanchor = elsewhere/anch.head\n' >anch.conf
v -c anch.conf baseline
expect_rc 0
check "the head file is where the configuration says" test -s elsewhere/anch.head
check "and not beside the store" test ! -e anch.db.head
v -c anch.conf verify
expect_rc 0
expect_out '^head file elsewhere/anch.head: 1 run and 0 drill lines match the store$'
sed 's|elsewhere/|nowhere/|' anch.conf >bad.conf
v -c bad.conf gate
expect_rc 0
expect_err '^vouch: warning: could not record run chain position 2 in head file "nowhere/anch.head": No such file or directory$'
expect_err "^hint: The run is sealed in the store; 'vouch verify' will name it as not anchored.$"
v -c bad.conf verify
expect_rc 1
expect_out '^store anch.db: BROKEN after 2 good runs: head file nowhere/anch.head is missing, but the runs from chain position 1 on were sealed'
v -c anch.conf verify
expect_rc 0
expect_out '^note: run chain positions 2 to 2 are sealed but not in head file elsewhere/anch.head'
end_case

test_case "a fake orphan with a result, then 16 gates at once: all stored, the chain verifies"
cp pristine.db dos.db
rm -f dos.db-wal dos.db-shm
cp pristine.head dos.db.head
sh -c 'exit 0' &
dead=$!
wait $dead
host=$(hostname)
STORE=dos.db q "insert into runs (kind, status, started_at, target, checks, vouch_version, host, pid)
  values ('gate', 'running', '2026-01-01T00:00:00.000Z', 'x', 'rowcount', '0', '$host', $dead);
  insert into results (run_id, seq, check_name, subject, status, expected, observed, reason) values (last_insert_rowid(), 1, 'rowcount', 'public.x', 'pass', '1', '1', 'fake')"
before=$(STORE=dos.db q 'select count(*) from runs')
pids=""
for i in $(seq 1 16); do
    "$VOUCH" --store dos.db gate >dos$i.out 2>dos$i.err &
    pids="$pids $!"
done
bad=0
for p in $pids; do
    wait "$p" || bad=$((bad + 1))
done
check "every gate exits 0 ($bad did not: $(cat dos*.err | sort -u | head -3))" test "$bad" = 0
check "all 16 runs are stored" test "$(STORE=dos.db q "select count(*) from runs where status = 'passed'")" -ge 16
check "the orphan is sealed as aborted, once" \
    test "$(STORE=dos.db q "select count(*) from runs where status = 'aborted' and error like 'the vouch process ended%'")" = 1
check "nothing is left running" test "$(STORE=dos.db q "select count(*) from runs where status = 'running'")" = 0
check "16 runs more" test "$(STORE=dos.db q 'select count(*) from runs')" = $((before + 16))
v --store dos.db verify
expect_rc 0
expect_out '^store dos.db: chain intact'
expect_not_out '^note:'
end_case

test_case "a store in a folder the user cannot write: runs, verify, report and pack read it"
mkdir -p ro
cp pristine.db ro/vouch.db
cp pristine.head ro/vouch.db.head
chmod 0644 ro/vouch.db ro/vouch.db.head
chmod 0755 ro
mkdir -p roout
chown postgres roout
cp vouch-signing.key vouch-signing.crt roout/
chown postgres roout/vouch-signing.key
printf '[store]\npath = %s/ro/vouch.db\n[signing]\nkey = vouch-signing.key\ncertificate = vouch-signing.crt\n' "$PWD" >roout/vouch.conf
chown postgres roout/vouch.conf
asp() { (cd roout && runuser -u postgres -- env ASAN_OPTIONS="$ASAN_OPTIONS" "$VOUCH" -c vouch.conf "$@" >"$OUT" 2>"$ERR"); }
set +e
asp runs; RC=$?
set -e
expect_rc 0
expect_out '^RUN +KIND'
set +e
asp verify; RC=$?
set -e
expect_rc 0
expect_out 'chain intact'
set +e
asp report run --out run.html; RC=$?
set -e
expect_rc 0
check "the report was written" test -s roout/run.html
set +e
asp pack --period "$(date -u +%Y)-Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))" --out pack; RC=$?
set -e
expect_rc 0
check "the pack was written" test -s roout/pack/MANIFEST
check "nothing was written beside the store" test "$(ls ro | sort | tr '\n' ' ')" = "vouch.db vouch.db.head "
end_case

test_case "SIGINT while another process holds the store's lock: exit 3 within seconds, interrupted"
{ echo 'BEGIN IMMEDIATE;'; sleep 20; echo 'ROLLBACK;'; } | sqlite3 vouch.db &
holder=$!
sleep 1
start=$(date +%s)
"$VOUCH" gate >"$OUT" 2>"$ERR" &
gate=$!
sleep 2
kill -INT $gate
set +e
wait $gate
RC=$?
set -e
took=$(( $(date +%s) - start ))
expect_rc 3
expect_err 'interrupted'
check "it ended within a few seconds (took $took s)" test "$took" -le 8
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
end_case
