# A drill's policy and roles: objectives from [objectives] recorded with each drill, who
# approved reopening, the honest verdict when the data-loss window is unknown.

RNG="$top/templates/report.rng"
fresh_db polsrc
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=polsrc

[objectives]
rto_target = 20min
rto = 2h
rpo = 15min
drill_every = 30d

[rowcount]
table = public.projects
CONF
q() { sqlite3 vouch.db "$1"; }
valid_xml() { xmllint --noout --relaxng "$RNG" "$1" 2>xmllint.err || { cat xmllint.err; return 1; }; }

test_case "bad [objectives] are refused before anything is stored, naming file, line and key"
printf '[objectives]\nrpo = a day\n' >bad1.conf
v -c bad1.conf drill start --scenario x --incident-at 2026-10-01T02:00:00Z
expect_rc 2
expect_err '^vouch: bad1\.conf:2: \[objectives\] rpo: expected a span such as 45min, 1h, 24h or 7d, not "a day"$'
printf '[objectives]\nrto_target = 90min\nrto = 1h\n' >bad2.conf
v -c bad2.conf drill start --scenario x --incident-at 2026-10-01T02:00:00Z
expect_rc 2
expect_err '^vouch: bad2\.conf:2: \[objectives\] rto_target: the drill target 90min is longer than the RTO 1h'
expect_err '^hint: Set rto_target to at most rto\.$'
printf '[objectives]\ndrill_every = sometimes\n' >bad3.conf
v -c bad3.conf drill start --scenario x --incident-at 2026-10-01T02:00:00Z
expect_rc 2
expect_err 'drill_every: expected quarterly or a span of at least a day such as 13w or 30d, not "sometimes"$'
check "nothing stored" test ! -e vouch.db
end_case

test_case "a drill records the objectives in force and who approved reopening"
v drill start --scenario "policy drill" --incident-at 2026-10-01T02:00:00Z --operator alice
expect_rc 0
v drill start --approved-by carol --scenario "second" --incident-at 2026-10-01T02:00:00Z
expect_rc 2
expect_err '^vouch: --approved-by does not apply to drill start$'
v drill finish --approved-by "Carol (incident lead)" --restore-point 2026-10-01T01:50:00Z
expect_rc 0
expect_out '^  operator   alice$'
expect_out '^  approved   Carol \(incident lead\) \(reopening\)$'
expect_out '^             pass  drill target 20 min$'
expect_out '^             pass  RTO 2 h$'
expect_out '^             pass  RPO 15 min$'
expect_out '^  cadence    a drill due every 30d \(\[objectives\] drill_every\)$'
expect_out '^drill 1 finished: RTO [0-9.]+ (ms|s), within the 20 min drill target; data loss 10 min, within the 15 min RPO$'
check "stored: the objectives in force, the cadence as configured, the approver" \
    test "$(q "select rto_target_ms || ' ' || rto_limit_ms || ' ' || rpo_ms || ' ' || drill_every || ' ' || approved_by from drills where id = 1")" = "1200000 7200000 900000 30d Carol (incident lead)"
v drills 1 --format json
expect_rc 0
expect_out '"approved_by": "Carol \(incident lead\)"'
expect_out '"drill_every": "30d"'
v drill finish --approved-by ""
expect_rc 2
expect_err '^vouch: --approved-by needs the name of who approved reopening$'
end_case

test_case "a later change to [objectives] does not re-judge a sealed drill"
sed -i 's/^rpo = 15min$/rpo = 5min/' vouch.conf
v drills 1
expect_rc 0
expect_out '^             pass  RPO 15 min$'
v verify
expect_rc 0
end_case

test_case "no restore point: the verdict says what was met and what was not measured"
v drill start --scenario "no restore point" --incident-at 2026-10-01T02:00:00Z
expect_rc 0
v drill finish
expect_rc 0
expect_out '^drill 2 finished: RTO [0-9.]+ (ms|s), within the 20 min drill target; data loss NOT MEASURED \(no restore point\)$'
v report drill 2 --out d2.html
expect_rc 0
check "HTML headline: RTO met, data loss not measured" \
    grep -q 'class="verdict-label">RTO met · data loss not measured<' d2.html
check "HTML: never 'Objectives met'" sh -c '! grep -q "Objectives met" d2.html'
check "HTML: the partial verdict is styled as a warning" grep -q 'class="verdict v-partial"' d2.html
check "HTML: the approver and the cadence facts" grep -q 'every 30d' d2.html
v report drill 2 --format markdown --out d2.md
expect_rc 0
check "Markdown headline" grep -Eq '^> \*\*RTO MET; DATA LOSS NOT MEASURED\*\*: drill 2 finished: RTO [0-9.]+ (ms|s), within the 20 min drill target; data loss NOT MEASURED' d2.md
check "Markdown: never OBJECTIVES MET" sh -c '! grep -q "OBJECTIVES MET" d2.md'
check "Markdown: the cadence" grep -q '^| Drills due | every 30d |$' d2.md
v report drill 1 --format markdown --out d1.md
check "Markdown: the approver of drill 1" grep -q '^| Approved reopening | Carol (incident lead) |$' d1.md
check "drill 1 met both: OBJECTIVES MET" grep -q '^> \*\*OBJECTIVES MET\*\*' d1.md
v report drill 2 --format xml --out d2.xml
check "d2.xml validates, outcome partial" sh -c "xmllint --noout --relaxng '$RNG' d2.xml 2>/dev/null && grep -q '<verdict outcome=\"partial\">' d2.xml"
q1=$(date -u +%Y)-Q$(( ($(date -u +%-m) + 2) / 3 ))
v report period "$q1" --format xml --out period.xml
expect_rc 0
check "period.xml validates" valid_xml period.xml
check "the compliance verdict names the unmeasured drill" grep -q "a drill's data loss was not measured" period.xml
check "and shows each drill's cadence and approver" \
    grep -q 'approved-by="Carol (incident lead)" drill-every="30d"' period.xml
end_case

test_case "drill run --smoke-cmd: run after the gate with the target's DSN, recorded as a phase"
v baseline
expect_rc 0
smoke='psql -X -qAt "$VOUCH_TARGET_DSN" -c "select count(*) from public.projects"'
v drill run --scenario "smoke tested" --incident-at 2026-10-01T02:00:00Z --restore-cmd true \
    --restore-point 2026-10-01T01:55:00Z --target dbname=polsrc --smoke-cmd "$smoke" --approved-by dave
expect_rc 0
want=$(psql_q -d polsrc -c "select count(*) from public.projects" | sha256sum | cut -d' ' -f1)
expect_err '^vouch: drill 3: smoke tests passed \(exit status 0, [0-9.]+ (ms|s), [0-9]+ bytes of output, sha256 [0-9a-f]{12}\)$'
expect_out "^             output sha256 $want\$"
expect_out '^  smoke      psql -X -qAt "\$VOUCH_TARGET_DSN" -c "select count\(\*\) from public\.projects"  \(exit status 0, [0-9.]+ (ms|s)\)$'
expect_out '^drill 3 finished: RTO '
check "stored: exit 0, a duration, the digest of what it printed" \
    test "$(q "select smoke_exit || ' ' || (smoke_ms >= 0) || ' ' || smoke_digest from drills where id = 3")" = "0 1 $want"
check "phases: the smoke tests after the gate" \
    test "$(q "select group_concat(name, '|') from (select name from drill_phases where drill_id = 3 order by seq)")" = "restore started|restore finished|gate finished|smoke tests started|smoke tests passed"
v report drill 3 --format xml --out d3.xml
check "d3.xml validates, with the smoke element" \
    sh -c "xmllint --noout --relaxng '$RNG' d3.xml 2>/dev/null && grep -q '<smoke exit=\"0\" duration-ms=\"[0-9]*\" output-sha256=\"$want\">' d3.xml"
v report drill 3 --out d3.html
check "HTML shows the smoke tests" grep -q 'Smoke tests' d3.html
v verify
expect_rc 0
end_case

test_case "the smoke test never sees the target's password, nor is it stored"
v drill run --scenario "password in the DSN" --incident-at 2026-10-01T02:00:00Z --restore-cmd true \
    --target "dbname=polsrc password=Sm0keSecret" \
    --smoke-cmd "PGPASSWORD=Sm0keCmdSecret env >smoke.env; psql -X -qAt \"\$VOUCH_TARGET_DSN\" -c 'select 1'"
expect_rc 0
check "the smoke test's environment has the DSN without the password" grep -qx 'VOUCH_TARGET_DSN=dbname=polsrc' smoke.env
expect_file_lacks Sm0keSecret smoke.env "$OUT" "$ERR" vouch.db
expect_file_lacks Sm0keCmdSecret "$OUT" vouch.db
expect_out '^  smoke      PGPASSWORD=\*\*\* env >smoke.env; '
end_case

test_case "a failing smoke test fails the drill, exit 1"
v drill run --scenario "smoke fails" --incident-at 2026-10-01T02:00:00Z --restore-cmd true \
    --target dbname=polsrc --smoke-cmd 'echo "login page: 500"; exit 3'
expect_rc 1
expect_err '^login page: 500$'
expect_out '^drill 5 FAILED: the smoke tests failed: exit status 3$'
check "stored failed, exit 3, no RTO" \
    test "$(q "select status || ' ' || smoke_exit || ' ' || ifnull(rto_ms, '-') from drills where id = 5")" = "failed 3 -"
check "the failed phase" test "$(q "select count(*) from drill_phases where drill_id = 5 and name = 'smoke tests failed'")" = 1
end_case

test_case "a smoke test that prints a lot: digested as it streams, memory stays flat"
if [ -x /usr/bin/time ]; then
    set +e
    /usr/bin/time -f '%M' -o rss.txt "$VOUCH" drill run --scenario "loud smoke" --incident-at 2026-10-01T02:00:00Z \
        --restore-cmd true --target dbname=polsrc --smoke-cmd 'head -c 200000000 /dev/zero' >"$OUT" 2>"$ERR"
    RC=$?
    set -e
    expect_rc 0
    want=$(head -c 200000000 /dev/zero | sha256sum | cut -d' ' -f1)
    check "the digest of all 200 MB" test "$(q "select smoke_digest from drills where id = 6")" = "$want"
    check "peak memory $(cat rss.txt) kB stays under 200 MB" test "$(tail -1 rss.txt)" -lt 204800
else
    echo "(skipped: no /usr/bin/time)"
fi
end_case

test_case "a smoke test that hangs is stopped by an interrupt: drill interrupted, exit 3"
set +e
"$VOUCH" drill run --scenario "hanging smoke" --incident-at 2026-10-01T02:00:00Z --restore-cmd true \
    --target dbname=polsrc --smoke-cmd 'sleep 60' >"$OUT" 2>"$ERR" &
pid=$!
for _ in $(seq 100); do
    grep -q 'smoke tests started' "$ERR" 2>/dev/null && break
    sleep 0.1
done
kill -INT $pid
wait $pid
RC=$?
set -e
expect_rc 3
expect_err '^vouch: interrupted during the smoke test$'
check "stored interrupted and sealed" \
    test "$(q "select status || ' ' || (digest is not null) from drills order by id desc limit 1")" = "interrupted 1"
check "no sleep left behind" sh -c '! pgrep -f "^sleep 60$" >/dev/null'
v verify
expect_rc 0
end_case

test_case "a smoke test that writes without pause is still stopped by an interrupt"
before=$(q "select max(id) from drills")
set +e
"$VOUCH" drill run --scenario "endless smoke" --incident-at 2026-10-01T02:00:00Z --restore-cmd true \
    --target dbname=polsrc --smoke-cmd 'yes' >"$OUT" 2>/dev/null &
pid=$!
for _ in $(seq 100); do
    test "$(q "select count(*) from drill_phases where drill_id > $before and name = 'smoke tests started'")" = 1 && break
    sleep 0.1
done
sleep 0.5
kill -INT $pid
for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && kill -KILL $pid
wait $pid
RC=$?
set -e
expect_rc 3
check "stored interrupted" \
    test "$(q "select status from drills where id > $before")" = "interrupted"
# a process sent SIGTERM may take a moment to be gone
for _ in $(seq 50); do pgrep -x yes >/dev/null || break; sleep 0.1; done
check "no yes left behind" sh -c '! pgrep -x yes >/dev/null'
end_case

test_case "--smoke-cmd belongs to drill run"
v drill start --scenario x --incident-at 2026-10-01T02:00:00Z --smoke-cmd true
expect_rc 2
expect_err '^vouch: --smoke-cmd does not apply to drill start$'
v drill run --scenario x --incident-at 2026-10-01T02:00:00Z --restore-cmd true --smoke-cmd ""
expect_rc 2
expect_err '^vouch: --smoke-cmd needs the command that runs the smoke tests$'
end_case

test_case "gate runs while a drill is open belong to it: in the store, the chains and the report"
v drill start --scenario "by hand with gates" --incident-at 2026-10-01T02:00:00Z
expect_rc 0
drill=$(q "select id from drills where status = 'running'")
v gate
expect_rc 0
first=$(q "select max(id) from runs")
v check rowcount
expect_rc 0
v gate
expect_rc 0
last=$(q "select max(id) from runs where kind = 'gate'")
v drill finish --restore-point 2026-10-01T01:00:00Z
expect_rc 0
expect_out "^  gate       run $last: gate open: "
check "the three runs carry the drill's id" \
    test "$(q "select count(*) from runs where drill_id = $drill")" = 3
check "the drill's gate run is the newest gate run of the drill, its digest sealed into the drill" \
    test "$(q "select (d.gate_run_id = $last) || ' ' || (d.gate_digest = r.digest) from drills d join runs r on r.id = d.gate_run_id where d.id = $drill")" = "1 1"
v gate
expect_rc 0
after=$(q "select max(id) from runs")
check "a gate after the drill ended is not linked" test "$(q "select ifnull(drill_id, '-') from runs where id = $after")" = "-"
v report drill "$drill" --format xml --out linked.xml
expect_rc 0
check "linked.xml validates" valid_xml linked.xml
check "the report lists the three runs" \
    test "$(xmllint --xpath 'count(//*[local-name()="linked-runs"]/*[@status="passed"])' linked.xml)" = 3
v report drill "$drill" --out linked.html
check "HTML: runs while the drill was open" grep -q 'Runs while the drill was open' linked.html
check "HTML: the drill's gate is marked" grep -q "gate $last (the drill.s gate)" linked.html
v report drill "$drill" --format markdown --out linked.md
check "Markdown: the runs table" grep -q "^| gate $first | passed | " linked.md
v verify
expect_rc 0
end_case

test_case "a drill run's own gate run is linked to it"
run_gate=$(q "select gate_run_id from drills where id = 3")
check "run $run_gate carries drill 3" test "$(q "select drill_id from runs where id = $run_gate")" = 3
end_case

test_case "moving a run to another drill, or out of it, breaks verification"
cp vouch.db tamper.db
cp vouch.db.head tamper.db.head
sqlite3 tamper.db "drop trigger runs_append_only_update; update runs set drill_id = NULL where id = $first"
v --store tamper.db verify
expect_rc 1
expect_out "BROKEN .*run $first does not match its digest"
end_case

test_case "headless Chromium renders the partial, smoke-tested and linked drill reports"
if [ -x /usr/bin/chromium ]; then
    for f in d2 d3 linked; do
        timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$(mktemp -d)" --screenshot="$PWD/$f.png" --window-size=1280,2000 \
            "file://$PWD/$f.html" >chromium.log 2>&1 || true
        check "$f.png rendered" test -s "$f.png"
        if [ -n "${VOUCH_SCREENSHOTS:-}" ]; then
            mkdir -p "$VOUCH_SCREENSHOTS" && cp "$f".* "$VOUCH_SCREENSHOTS/"
        fi
    done
else
    echo "(skipped: no /usr/bin/chromium)"
fi
end_case
