# What a run records beside its results: the incident time it was judged against, who
# and what started it (OS user, host, CI job), the checks an aborted run did not evaluate,
# and each result's facts; shown in every output and report, sealed in the chain.

fresh_db recdb
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=recdb

[rowcount]
table = public.projects

[content]
table = public.tasks

[settings]
schema = public
CONF
# no CI variable of the machine running the tests leaks into these runs
unset GITHUB_ACTIONS GITHUB_SERVER_URL GITHUB_REPOSITORY GITHUB_RUN_ID GITHUB_RUN_ATTEMPT \
    CI_JOB_URL BUILD_URL CIRCLE_BUILD_URL BUILDKITE_BUILD_URL TRAVIS_BUILD_WEB_URL \
    DRONE_BUILD_LINK SYSTEM_COLLECTIONURI SUDO_USER
me=$(id -un)

test_case "a baseline that exits 2 stores no run; one that exits 3 is stored aborted, listing what it did not capture"
v --store none.db baseline --target 'nonsense=1'
expect_rc 2
expect_err '^vouch: invalid connection string'
check "no run stored" test "$(sqlite3 none.db 'select count(*) from runs')" = 0
printf '[target]\ndsn = dbname=recdb\n[rowcount]\ntable = public.projects\n[content]\ntable = public.nosuch\n' >bad.conf
v -c bad.conf --store bad.db baseline
expect_rc 3
expect_out '^baseline aborted: content: table public\.nosuch does not exist; 2 checks not evaluated$'
expect_out '^SKIP +rowcount +\(not evaluated\) .*not evaluated: the baseline stopped, so nothing it captured is kept: '
expect_out '^SKIP +content +\(not evaluated\) '
check "stored aborted, with both checks listed" \
    test "$(sqlite3 bad.db "select status, json_array_length(not_evaluated) from runs")" = "aborted|2"
check "and no baseline document of the check that did finish" \
    test "$(sqlite3 bad.db 'select count(*) from baselines')" = 0
end_case

test_case "--incident-at, the OS user and the CI job are stored with the run and shown"
v baseline
expect_rc 0
expect_out "^started by $me on $(hostname)\$"
CI_JOB_URL=https://ci.example/group/app/-/jobs/42 v gate --incident-at 2026-10-01T02:00+10:00
expect_rc 0
expect_out "^incident at 2026-09-30T16:00:00\.000Z, started by $me on $(hostname), ci job https://ci\.example/group/app/-/jobs/42\$"
v runs --format json
check "runs --json: incident_at, started_by, ci_job" \
    jq -e --arg me "$me" '.[0].incident_at == "2026-09-30T16:00:00.000Z" and .[0].started_by == $me
        and .[0].ci_job == "https://ci.example/group/app/-/jobs/42" and .[0].not_evaluated == 0
        and .[1].incident_at == null' "$OUT" >/dev/null
v runs 2 --format json
check "the run in JSON: the same, and the host" \
    jq -e '.incident_at == "2026-09-30T16:00:00.000Z" and (.host | length > 0)' "$OUT" >/dev/null
check "results carry facts as JSON" \
    jq -e '.results[] | select(.check == "rowcount") | .facts.rows == .facts.baseline_rows and (.facts.rows | type) == "number"' "$OUT" >/dev/null
v report run 2 --format xml --out gate.xml
expect_rc 0
check "the report: incident-at, started-by, host and a linked CI job" \
    grep -q "incident-at=\"2026-09-30T16:00:00.000Z\" started-by=\"$me\" host=\"" gate.xml
check "the CI job is a link" grep -q '<ci-job href="https://ci.example/group/app/-/jobs/42">' gate.xml
check "facts in the report" grep -q '<fact name="rows">' gate.xml
v report run 2 --out gate.html
check "HTML: the incident time" grep -q 'Incident at</div><div class="fact-v">2026-09-30 16:00:00 UTC' gate.html
check "HTML: the CI job linked" grep -q '<a href="https://ci.example/group/app/-/jobs/42" rel="noopener noreferrer">' gate.html
v report run 2 --format markdown --out gate.md
check "Markdown: started by" grep -q "^| Started by | $me on " gate.md
end_case

test_case "a CI job's URL is hostile text: <script> and javascript: are shown as text, never a link"
CI_JOB_URL='https://ci.example/"><script>alert(1)</script>' v gate
expect_rc 0
id1=$(store_sql 'select max(id) from runs')
GITHUB_SERVER_URL='javascript:alert(1)//' GITHUB_REPOSITORY=o/r GITHUB_RUN_ID=7 v gate
expect_rc 0
expect_out '^started by .*, ci job javascript:alert\(1\)///o/r/actions/runs/7$'
id2=$(store_sql 'select max(id) from runs')
CI_JOB_URL=$'https://ci.example/\e[2Jx' v gate
expect_rc 0
check "a control character never reaches the terminal" sh -c "! grep -q \$'\\e' '$OUT'"
expect_out 'ci job https://ci\.example/\?\[2Jx$'
for id in "$id1" "$id2"; do
    v report run "$id" --out "ci$id.html"
    expect_rc 0
    check "run $id: no script element" sh -c "! grep -qi '<script' ci$id.html"
    check "run $id: no link to the CI job" sh -c "! grep -q '<a href=\"[^#]' ci$id.html"
    v report run "$id" --format markdown --out "ci$id.md"
    check "run $id: Markdown escapes the markup" sh -c "! grep -q '[^\\\\]<script' ci$id.md"
done
check "the markup is there, as text" grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "ci$id1.html"
check "javascript: is there, as text" grep -q '>javascript:alert(1)///o/r/actions/runs/7<' "ci$id2.html"
check "Markdown: the markup escaped" grep -q '^| CI job | https://ci.example/">\\<script>alert(1)\\</script> |$' "ci$id1.md"
end_case

test_case "a gate that aborts lists every check it did not evaluate, in every output"
base=$(store_sql "select max(id) from runs where kind = 'baseline'")
(psql -X -d recdb -c 'begin; lock table public.tasks in access exclusive mode; select pg_sleep(4); commit' >/dev/null 2>&1 &)
sleep 0.5
set +e
"$VOUCH" ${VOUCH_TEST_STORE_URL:+--store "$VOUCH_TEST_STORE_URL"} gate >"$OUT" 2>"$ERR" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
RC=$?
set -e
expect_rc 3
expect_out '^pass +rowcount +public\.projects '
expect_out '^SKIP +content +\(not evaluated\) .*not evaluated: the run stopped while this check ran: .*interrupted'
expect_out '^SKIP +settings +\(not evaluated\) .*not evaluated: the run stopped before this check ran: '
expect_out '^gate aborted: .*interrupted; 2 checks not evaluated$'
id=$(store_sql 'select max(id) from runs')
check "stored aborted, the finished check's result kept" \
    test "$(store_sql "select status, (select count(*) from results where run_id = $id) from runs where id = $id")" = "aborted|1"
v runs "$id" --format json
check "JSON: not_evaluated counted, never passed" \
    jq -e '.passed == false and .counts.not_evaluated == 2 and .counts.pass == 1
        and ([.results[] | select(.status == "not_evaluated") | .check] == ["content", "settings"])' "$OUT" >/dev/null
v runs "$id" --format tap
expect_out '^1\.\.3$'
expect_out '^ok 2 - content \(not evaluated\) # SKIP not evaluated: '
expect_out '^ok 3 - settings \(not evaluated\) # SKIP not evaluated: '
expect_out '^Bail out! gate [0-9]+ aborted: '
expect_out '^# 3 results: 1 passed, 2 skipped$'
v runs "$id" --format junit
expect_out '<testsuites name="vouch gate [0-9]+" tests="4" failures="0" errors="1" skipped="2" time="[0-9]+\.[0-9]{3}">'
expect_out '<skipped message="not evaluated: the run stopped while this check ran: '
v report run "$id" --format xml --out aborted.xml
expect_rc 0
check "report: counted" grep -q 'not-evaluated="2"' aborted.xml
check "report: listed" test "$(xmllint --xpath 'count(//*[local-name()="result"][@status="not_evaluated"])' aborted.xml)" = 2
v report run "$id" --format markdown --out aborted.md
check "Markdown: not evaluated, needing attention" grep -q '^| \*\*not evaluated\*\* | content |' aborted.md
v runs
expect_out "^$id +gate +aborted .* 1/3 "
v verify
expect_rc 0
sleep 3
end_case

test_case "an edit of the incident time, the user, the CI job, facts or the not-evaluated list is named by verify"
if ! on_pg; then
    sqlite3 vouch.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    cp vouch.db clean.db
    cp vouch.db.head clean.db.head
fi
tamper() {
    if on_pg; then
        v_own --store "$(pg_edited_copy t "$1")" verify
    else
        cp clean.db t.db
        cp clean.db.head t.db.head
        sqlite3 t.db "drop trigger runs_append_only_update; drop trigger results_append_only_update; $1"
        v --store t.db verify
    fi
    expect_rc 1
    expect_out "BROKEN after [0-9]+ good runs: run $2 does not match its digest"
}
tamper "update runs set incident_at = '2026-10-01T00:00:00.000Z' where id = 2" 2
tamper "update runs set started_by = 'mallory' where id = 2" 2
tamper "update runs set ci_job = null where id = 2" 2
tamper "update results set facts = '{\"rows\":1}' where run_id = 2 and check_name = 'rowcount'" 2
tamper "update runs set not_evaluated = null where id = $id" "$id"
end_case
