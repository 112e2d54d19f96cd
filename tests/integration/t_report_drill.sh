# vouch report drill and vouch report period: a real drill (dump, drop, pg_restore timed by
# 'drill run') and one by hand, rendered as HTML, Markdown, XML (validated with xmllint
# against templates/report.rng) and CSV; an empty period; headless Chromium screenshots
# where Chromium is installed (VOUCH_SCREENSHOTS=DIR keeps copies of them).

RNG="$top/templates/report.rng"
fresh_db drsrc
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=drsrc

[rowcount]
table = public.projects
table = public.tasks
table = public.assets

[residency]
table = public.residency_evidence
regions = ap-southeast-2, ap-southeast-4
periods = 12
grace = 7d
CONF

q() { sqlite3 vouch.db "$1"; }
y=$(date -u +%Y)
m=$(date -u +%-m)
quarter="$y-Q$(( (m + 2) / 3 ))"
first_at() { grep -ob -- "$1" "$2" | head -1 | cut -d: -f1; }
valid_xml() { xmllint --noout --relaxng "$RNG" "$1" 2>xmllint.err || { cat xmllint.err; return 1; }; }

test_case "no drill yet: report drill says so; bad periods and a drill CSV are refused"
v baseline
expect_rc 0
v report drill
expect_rc 2
expect_err '^vouch: store "vouch\.db" holds no drills to report$'
v report period 2026-Q5
expect_rc 2
expect_err '^vouch: "2026-Q5" is not a period: use a quarter \(2026-Q3\), a month \(2026-10\) or two days'
v report period 2026-09-30..2026-07-01
expect_rc 2
expect_err '^vouch: period "2026-09-30\.\.2026-07-01" ends before it starts$'
v report period
expect_rc 2
expect_err '^vouch: report period takes one period$'
v report drill 1 --format csv
expect_rc 2
expect_err 'a drill report is html, markdown or xml, not csv'
end_case

test_case "a real drill and one by hand are stored"
pg_dump -Fc -d drsrc -f portal.dump
dropdb drsrc
v drill run --scenario "portal lost: restore last night's dump" --incident-at 2026-10-01T02:00:00Z \
    --restore-point 2026-09-30T20:00:00Z --operator alice \
    --restore-cmd "sleep 1 && createdb drsrc && pg_restore --no-owner -d drsrc portal.dump" \
    --target dbname=drsrc
expect_rc 0
v drill start --scenario "Neon PITR branch, by hand" --incident-at 2026-10-01T02:00:00Z --operator bob
expect_rc 0
sleep 1
v drill mark "branch created"
expect_rc 0
v drill mark "app pointed at branch"
expect_rc 0
v gate
expect_rc 1
v drill finish --note "DNS switch was manual: script it" --restore-point 2026-09-30T23:00:00Z
expect_rc 0
check "two finished drills" test "$(q "select group_concat(status) from drills")" = "finished,finished"
end_case

test_case "the drill report: verdict first, RTO against its objectives, phases on the timeline"
v report drill 1 --out drill1.html
expect_rc 0
expect_empty_err
rto=$(q "select rto_ms from drills where id = 1")
check "the verdict comes before the timeline" \
    test "$(first_at 'class="verdict-label">Objectives met<' drill1.html)" -lt "$(first_at 'class="chart timeline"' drill1.html)"
check "the verdict line" grep -Eq 'drill 1 finished: RTO [0-9.]+ s, within the 45 min drill target' drill1.html
check "the objectives: 45 min target, 1 h RTO, 24 h RPO" \
    sh -c 'grep -q "45 min target</text>" drill1.html && grep -q "1 h RTO</text>" drill1.html && grep -q "24 h RPO</text>" drill1.html'
check "the data-loss window: 6 h" grep -q '<div class="objective-value">6 h</div>' drill1.html
for p in "restore started" "restore finished" "gate finished" "drill finished"; do
    check "phase \"$p\" is a label on the SVG timeline" \
        grep -Eq "<text x=\"238\" y=\"[0-9]+\" text-anchor=\"end\" class=\"label\">$p</text>" drill1.html
done
check "the scenario, operator and restore command" \
    sh -c 'grep -q "portal lost: restore last night&#39;s dump\|portal lost: restore last night.s dump" drill1.html && grep -q ">alice<" drill1.html && grep -q "pg_restore --no-owner -d drsrc portal.dump" drill1.html'
check "the gate's results" grep -q 'public.<wbr>tasks' drill1.html
check "the first drill's RTO is one value against both objectives" \
    grep -q 'against the 45 min drill target and the 1 h RTO' drill1.html
check "self-contained: no URL, script or link" sh -c '! grep -Eq "https?:|<script|<link|@import" drill1.html'
v report drill 1 --format xml --out drill1.xml
expect_rc 0
check "drill1.xml validates against report.rng" valid_xml drill1.xml
check "the stored RTO is the report's" grep -q "<objective name=\"rto\" measured-ms=\"$rto\"" drill1.xml
v report drill --out drill2.html
expect_rc 0
check "the newest drill by default: drill 2 by hand" grep -q '<h1>Drill 2<' drill2.html
check "its marks on the timeline" \
    sh -c 'grep -q "class=\"label\">branch created</text>" drill2.html && grep -q "class=\"label\">app pointed at branch</text>" drill2.html'
check "the operator's note is a follow-up" grep -q 'DNS switch was manual: script it' drill2.html
check "the gate run during the drill by hand is its gate, listed with the runs while it was open" \
    sh -c 'grep -q "Runs while the drill was open" drill2.html && grep -q "gate 3 (the drill.s gate)" drill2.html && ! grep -q "No gate run is linked to this drill" drill2.html'
check "both drills on the RTO chart" sh -c 'grep -q ">#1</text>" drill2.html && grep -q ">#2 (this)</text>" drill2.html'
check "with both target lines" \
    sh -c 'grep -q "class=\"chart bars\"" drill2.html && grep -q "45 min drill target</text>" drill2.html && grep -q "1 h RTO</text>" drill2.html'
v report drill 2 --format markdown --out drill2.md
expect_rc 0
check "Markdown: verdict first" grep -Eq '^> \*\*OBJECTIVES MET\*\*: drill 2 finished: RTO ' drill2.md
check "Markdown: the timeline table" grep -Eq '^\| app pointed at branch \| [0-9:]+ \| [0-9:]+ \| [0-9.]+ (ms|s) \|$' drill2.md
v report drill 2 --format xml --out drill2.xml
check "drill2.xml validates" valid_xml drill2.xml
v report drill 2 --out drill2-again.html
check "the same store gives the same drill report, byte for byte" cmp -s drill2.html drill2-again.html
end_case

test_case "the compliance report of the quarter"
v report period "$quarter" --out period.html
expect_rc 0
expect_empty_err
check "the drills-held line" \
    grep -q "2 drills held in $quarter against a cadence of at least one per quarter: met (1 of 1 quarter with a drill)." period.html
check "the verdict: gaps (the hand drill's gate stayed closed)" grep -q 'class="verdict-label">Gaps found<' period.html
check "every gate: two rows" test "$(grep -o '<td class="mono">[0-9]*</td><td class="mono">20[0-9-]* [0-9:]*</td>' period.html | wc -l)" = 2
check "residency month by month, one missing" \
    sh -c 'grep -q "class=\"month m-present\"" period.html && grep -q "class=\"month m-missing\"" period.html'
check "open failures name the residency months" grep -Eq 'class="row-fail"><td><span class="badge b-fail">FAIL</span></td><td class="mono">residency</td><td class="mono">periods</td>' period.html
check "checks shown generically" sh -c 'grep -q "<td class=\"mono\">rowcount</td>" period.html && grep -q "<td class=\"mono\">residency</td>" period.html'
check "trend charts" test "$(grep -c 'class="chart bars"' period.html)" -ge 1
check "no backups check: said so" grep -q 'No run in this period checked the backup policy' period.html
v report period "$quarter" --format markdown --out period.md
check "Markdown: the drills-held line" grep -q "^2 drills held in $quarter against a cadence of at least one per quarter: met.$" period.md
v report period "$quarter" --format xml --out period.xml
check "period.xml validates" valid_xml period.xml
v report period "$quarter" --format csv --out period.csv
expect_rc 0
runs_results=$(q "select count(*) from results r join runs u on u.id = r.run_id where u.kind != 'baseline'")
check "the CSV: a header and every result of the period ($runs_results)" \
    test "$(($(grep -c $'\r$' period.csv) - 1))" = "$runs_results"
check "CSV header" sh -c 'head -1 period.csv | grep -q "^\"run\",\"started\",\"check\",\"subject\",\"status\""'
v report period "$quarter" --out period-again.html
check "the same store gives the same compliance report, byte for byte" cmp -s period.html period-again.html
end_case

test_case "a period with nothing recorded says so instead of empty tables"
v report period 2020-Q1 --out empty.html
expect_rc 0
check "it says so" grep -q '<h2>Nothing recorded in this period</h2>' empty.html
check "the verdict" grep -q 'class="verdict-label">Nothing recorded<' empty.html
check "the missed quarter" grep -q '<b>Quarter 2020-Q1 had no drill</b>' empty.html
check "no table at all" sh -c '! grep -q "<table" empty.html'
v report period 2020-01-01..2020-01-31 --format markdown --out empty.md
check "Markdown says so" grep -q '^## Nothing recorded in this period$' empty.md
check "Markdown: no table" sh -c '! grep -q "^|" empty.md'
v report period 2020-02 --format xml --out empty.xml
check "empty.xml validates" valid_xml empty.xml
check "outcome empty" grep -q '<verdict outcome="empty"' empty.xml
end_case

test_case "a failed drill: no RTO, how long it ran, why it failed as a follow-up"
v --store failed.db baseline
expect_rc 0
v --store failed.db drill run --scenario "restore from a missing dump" --incident-at 2026-10-01T02:00:00Z \
    --restore-cmd "pg_restore -d drsrc no-such.dump" --target dbname=drsrc
expect_rc 1
v --store failed.db report drill --out failed.html
expect_rc 0
check "the verdict" grep -q 'class="verdict-label">Drill failed<' failed.html
check "no RTO, and how long it ran" \
    sh -c 'grep -q "<div class=\"objective-value\">no RTO</div>" failed.html && grep -q "service was not restored; the drill ran" failed.html'
check "why it failed is a follow-up" grep -q 'The drill failed: the restore command exited with status 1' failed.html
check "the failed step on the timeline" grep -q 'class="label">restore failed</text>' failed.html
v --store failed.db report drill --format xml --out failed.xml
check "failed.xml validates" valid_xml failed.xml
check "outcome failed, RTO not achieved" \
    sh -c 'grep -q "<verdict outcome=\"failed\">" failed.xml && grep -q "judged=\"not-achieved\"" failed.xml'
end_case

test_case "headless Chromium renders the reports to PNG"
if [ -x /usr/bin/chromium ]; then
    for f in drill1 drill2 failed period empty; do
        timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$(mktemp -d)" --screenshot="$PWD/$f.png" --window-size=1240,1754 \
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
