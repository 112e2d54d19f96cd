# vouch metrics: a store with a baseline, a failed gate and a drill, read as Prometheus
# text; hostile target text escaped; --out replaced atomically; a missing store refused.

gen=$top/tools/demo/backup-inventory
fresh_db met
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=met

[rowcount]
table = public.tasks

[backups]
inventory = backups.csv
timezone = Australia/Sydney
rpo = 24h
policy = nightly daily 02:00 keep 30d regions ap-southeast-2,ap-southeast-4

[objectives]
rto = 2h
rpo = 12h
drill_every = 30d
CONF
AT=2026-10-01T00:00:00Z
"$gen" --until "$AT" >backups.csv
# promtool_ok FILE: promtool accepts FILE (checked when promtool is installed)
promtool_ok() {
    if command -v promtool >/dev/null; then
        promtool check metrics <"$1" >promtool.out 2>&1 || { cat promtool.out; return 1; }
    fi
}

test_case "baseline, failed gate, drill: every metric with its value"
v baseline
expect_rc 0
psql_q -d met -c "delete from public.tasks where id in (select id from public.tasks limit 3)"
v gate --incident-at "$AT"
expect_rc 1
v drill start --scenario "metrics drill" --incident-at "2026-11-25T02:00:00Z"
expect_rc 0
v drill finish --restore-point "2026-11-25T01:55:00Z"
expect_rc 0
v metrics
expect_rc 0
expect_empty_err
expect_out '^# HELP vouch_last_run_timestamp_seconds '
expect_out '^# TYPE vouch_last_run_timestamp_seconds gauge$'
expect_out '^vouch_last_run_timestamp_seconds\{kind="gate",target="[^"]*dbname=met[^"]*"\} [0-9]{10}(\.[0-9]+)?$'
expect_out '^vouch_last_run_timestamp_seconds\{kind="baseline",target="[^"]*dbname=met[^"]*"\} [0-9]{10}(\.[0-9]+)?$'
expect_out '^vouch_last_run_passed\{kind="gate",target="[^"]*dbname=met[^"]*"\} 0$'
expect_out '^vouch_last_run_passed\{kind="baseline",target="[^"]*dbname=met[^"]*"\} 1$'
expect_out '^vouch_last_gate_failed_results\{target="[^"]*dbname=met[^"]*",check="rowcount"\} 1$'
expect_out '^vouch_last_gate_failed_results\{target="[^"]*dbname=met[^"]*",check="backups"\} 0$'
expect_out '^vouch_backups_worst_gap_seconds\{target="[^"]*dbname=met[^"]*",check="backups"\} [0-9]+$'
expect_out '^vouch_last_drill_rto_seconds [0-9.e-]+$'
expect_out '^vouch_last_drill_data_loss_seconds 300$'
expect_out '^vouch_objective_rto_seconds 7200$'
expect_out '^vouch_objective_rpo_seconds 43200$'
expect_out '^vouch_last_drill_timestamp_seconds [0-9]{10}(\.[0-9]+)?$'
expect_out '^vouch_drill_cadence_seconds 2592000$'
expect_out '^vouch_store_chain_verified 1$'
check "promtool check metrics accepts it" promtool_ok "$OUT"
worst=$(store_sql "select $(sql_json facts worst_gap_ms) from results where subject = 'rpo' order by run_id desc limit 1")
check "the worst gap is the stored fact ($worst ms)" \
    grep -Eq "^vouch_backups_worst_gap_seconds\\{target=\"[^\"]*dbname=met[^\"]*\",check=\"backups\"\\} $((worst / 1000))\$" "$OUT"
end_case

test_case "a hostile target is escaped in label values; its password never shown"
# a database name with a quote, a backslash, a newline and a byte that is not UTF-8: the
# gate cannot connect and is stored aborted under that target (libpq doubles the backslash)
hostile=$(printf "host=%s port=%s password=Sekr1tMetrics dbname='no\"such\\\\\\\\db\nx\377'" \
    "$PGHOST" "$PGPORT")
v gate --incident-at "$AT" --target "$hostile"
expect_rc 3
v metrics
expect_rc 0
expect_file_lacks Sekr1tMetrics "$OUT"
# the store keeps the stray byte as the text \xFF: its backslash is escaped like any other
check "quote, backslash and newline escaped, the stray byte shown as text" grep -qF \
    "vouch_last_run_passed{kind=\"gate\",target=\"host=$PGHOST port=$PGPORT dbname='no\\\"such\\\\\\\\db\\nx\\\\xFF' user=" \
    "$OUT"
check "one sample per line: no raw newline in a label" test "$(grep -c "^x" "$OUT")" = 0
check "the earlier target keeps its own samples" \
    grep -Eq '^vouch_last_run_passed\{kind="gate",target="[^"]*dbname=met[^"]*"\} 0$' "$OUT"
check "promtool check metrics accepts it" promtool_ok "$OUT"
end_case

test_case "--out replaces the file atomically, keeping no temporary beside it"
mkdir -p textfile
echo "stale" >textfile/vouch.prom
ino=$(stat -c %i textfile/vouch.prom)
v metrics --out textfile/vouch.prom
expect_rc 0
check "nothing on standard output" test ! -s "$OUT"
check "the file is mode 0644" test "$(stat -c %a textfile/vouch.prom)" = 644
check "the file holds the metrics" grep -q '^vouch_store_chain_verified 1$' textfile/vouch.prom
check "the old content is gone" test "$(grep -c stale textfile/vouch.prom)" = 0
check "a new file was moved into place (not rewritten in place)" \
    test "$(stat -c %i textfile/vouch.prom)" != "$ino"
check "only the one file in the directory" test "$(ls -A textfile | wc -l)" = 1
end_case

test_case "a store edited behind vouch's back: chain not verified, still written"
if on_pg; then
    v_own metrics --store "$(pg_edited_copy edited "update results set reason = 'edited' where (run_id, seq) = (select run_id, seq from results order by run_id, seq limit 1)")"
else
    cp vouch.db edited.db
    cp vouch.db.head edited.db.head
    sqlite3 edited.db "drop trigger results_append_only_update; update results set reason = 'edited' where rowid = 1"
    v metrics --store edited.db
fi
expect_rc 0
expect_out '^vouch_store_chain_verified 0$'
end_case

test_case "a missing store exits 2 with one line and creates nothing"
v metrics --store nowhere.db
expect_rc 2
expect_err 'no store at "nowhere.db"'
check "one line" test "$(wc -l <"$ERR")" = 1
check "no store file was created" test ! -e nowhere.db
end_case

test_case "metrics takes no arguments and no --format"
v metrics extra
expect_rc 2
expect_err 'metrics takes no arguments'
v metrics --format json
expect_rc 2
expect_err '--format does not apply to metrics'
end_case

test_case "--out into a directory that is not there exits 3 with one line"
v metrics --out no/such/dir/vouch.prom
expect_rc 3
expect_err '^vouch: could not (create|write) "no/such/dir/vouch\.prom'
check "nothing on standard output" test ! -s "$OUT"
end_case

test_case "the sample alert rules of docs/metrics.md load in promtool"
if command -v promtool >/dev/null; then
    awk '/^```yaml/ {f = 1; next} /^```/ {f = 0} f' "$top/docs/metrics.md" >rules.yml
    check "there are rules" grep -q 'alert: VouchStoreChainNotVerified' rules.yml
    check "promtool check rules accepts them" sh -c 'promtool check rules rules.yml >/dev/null'
fi
end_case

test_case "the newest gate of a target wins; a check run is not a gate"
fresh_db met
v gate --incident-at "$AT"
expect_rc 0
psql_q -d met -c "delete from public.tasks where id in (select id from public.tasks limit 3)"
v check rowcount
expect_rc 1
v metrics
expect_rc 0
expect_out '^vouch_last_run_passed\{kind="gate",target="[^"]*dbname=met[^"]*"\} 1$'
expect_out '^vouch_last_gate_failed_results\{target="[^"]*dbname=met[^"]*",check="rowcount"\} 0$'
check "one gate sample for the target" \
    test "$(grep -c '^vouch_last_run_passed{kind="gate",target="[^"]*dbname=met' "$OUT")" = 1
last=$(store_sql "select finished_at from runs where kind = 'gate' and status = 'passed' order by id desc limit 1")
check "its timestamp is that gate's end ($last)" \
    grep -Eq "^vouch_last_run_timestamp_seconds\\{kind=\"gate\",target=\"[^\"]*dbname=met[^\"]*\"\\} $(date -u -d "$last" +%s)(\\.[0-9]+)?\$" "$OUT"
end_case

test_case "without evidence_valid nothing expires; the last passed gate is apart from the last gate"
fresh_db met
v gate --incident-at "$AT"
expect_rc 0
psql_q -d met -c "delete from public.tasks where id in (select id from public.tasks limit 3)"
v gate --incident-at "$AT"
expect_rc 1
VOUCH_TEST_NOW=2030-01-01T00:00:00Z v metrics
expect_rc 0
passed=$(store_sql "select finished_at from runs where kind = 'gate' and status = 'passed' order by id desc limit 1")
check "the last passed gate's time is that gate's end ($passed)" \
    grep -Eq "^vouch_last_passed_run_timestamp_seconds\\{kind=\"gate\",target=\"[^\"]*dbname=met[^\"]*\"\\} $(date -u -d "$passed" +%s)(\\.[0-9]+)?\$" "$OUT"
expect_out '^vouch_last_run_passed\{kind="gate",target="[^"]*dbname=met[^"]*"\} 0$'
expect_not_out 'vouch_evidence_'
check "promtool check metrics accepts it" promtool_ok "$OUT"
VOUCH_TEST_NOW=2030-01-01T00:00:00Z v runs
expect_rc 0
expect_not_out '^expired'
end_case

test_case "evidence_valid: within it the proof stands, after it runs and metrics say it expired"
sed 's/^drill_every = 30d$/&\nevidence_valid = 30d/' vouch.conf >stale.conf
check "stale.conf sets evidence_valid" grep -q '^evidence_valid = 30d$' stale.conf
passed_id=$(store_sql "select id from runs where kind = 'gate' and status = 'passed' order by id desc limit 1")
passed_s=$(date -u -d "$passed" +%s)
soon=$(date -u -d "@$((passed_s + 29 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
late=$(date -u -d "@$((passed_s + 41 * 86400 + 60))" +%Y-%m-%dT%H:%M:%SZ)
VOUCH_TEST_NOW=$soon v -c stale.conf metrics
expect_rc 0
expect_out '^vouch_evidence_valid_seconds 2592000$'
expect_out '^vouch_evidence_expired\{target="[^"]*dbname=met[^"]*"\} 0$'
check "promtool check metrics accepts it" promtool_ok "$OUT"
VOUCH_TEST_NOW=$soon v -c stale.conf runs
expect_rc 0
expect_not_out '^expired: .*dbname=met'
# the hostile target of an earlier case never connected, so it has no proof at all
expect_out '^expired: .*dbname=.no.* has no passed gate'
VOUCH_TEST_NOW=$late v -c stale.conf metrics
expect_rc 0
expect_out '^vouch_evidence_expired\{target="[^"]*dbname=met[^"]*"\} 1$'
check "promtool check metrics accepts it" promtool_ok "$OUT"
VOUCH_TEST_NOW=$late v -c stale.conf runs
expect_rc 0
expect_out "^expired: the last passed gate of [^ ]*.*dbname=met.* \\(run $passed_id\\) is 41 days old \\(evidence_valid 30d\\)\$"
end_case

test_case "a target whose gates never passed has expired evidence"
fresh_db never
psql_q -d never -c "delete from public.tasks where id in (select id from public.tasks limit 3)"
v -c stale.conf gate --incident-at "$AT" --target dbname=never
expect_rc 1
never_id=$(store_sql "select max(id) from runs where kind = 'gate'")
VOUCH_TEST_NOW=$soon v -c stale.conf runs
expect_rc 0
expect_out "^expired: .*dbname=never.* has no passed gate \\(the newest, run $never_id, did not pass; evidence_valid 30d\\)\$"
VOUCH_TEST_NOW=$soon v -c stale.conf metrics
expect_rc 0
expect_out '^vouch_evidence_expired\{target="[^"]*dbname=never[^"]*"\} 1$'
expect_not_out 'vouch_last_passed_run_timestamp_seconds\{kind="gate",target="[^"]*dbname=never'
check "promtool check metrics accepts it" promtool_ok "$OUT"
end_case

test_case "a bad evidence_valid is a configuration error"
printf '[objectives]\nevidence_valid = soon\n' >bad.conf
v -c bad.conf metrics
expect_rc 2
expect_err 'bad.conf:2: \[objectives\] evidence_valid: expected a span'
end_case
