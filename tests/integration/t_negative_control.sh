# gate --negative-control: every check of the sample portal run again against its baseline
# perturbed in memory, each shown failing; a check that passes its perturbation closes the
# gate naming it (the test build's VOUCH_TEST_NEGCTL_NOOP, and a configuration that truly
# cannot fail); the store's baseline never changes; [gate] negative_control weekly.

AT=2026-10-01T00:00:00Z
fresh_db healthy
"$top/tools/demo/backup-inventory" --until "$AT" >backups.csv
# the demo's configuration (every checker) and a [content] and three [query] instances
sed 's/^dsn = dbname=portal$/dsn = dbname=healthy/' "$top/tools/demo/vouch.conf" >vouch.conf
cat >>vouch.conf <<'CONF'

[content]
table = public.projects

[query "tasks_rows"]
sql = SELECT id, project_id FROM public.tasks
expect = baseline

[query "tasks_n"]
sql = SELECT count(*) FROM public.tasks
expect = tolerance 5%

[query "has_tasks"]
sql = SELECT count(*) > 0 FROM public.tasks
expect = true
CONF

# the checks with a baseline to perturb, and what each perturbation says
with_baseline="rowcount content rls share_tokens settings audit_log residency query/tasks_rows query/tasks_n"

# a database-level setting, which a restore into a new database drops unless it is set again
psql_q -d healthy -c "alter database healthy set app.data_region = 'ap-southeast-2'"
# restored_copy NAME: a copy of the healthy database with its setting
restored_copy() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    createdb -T healthy "$1"
    psql_q -d "$1" -c "alter database $1 set app.data_region = 'ap-southeast-2'"
}

test_case "setup: a baseline of every checker"
v baseline
expect_rc 0
expect_out '^baseline 1 captured$'
check "the demo configuration was read" grep -q '^\[audit_log\]' vouch.conf
end_case

baseline_digest() {
    { store_sql "select check_name || ':' || content from baselines where run_id = 1 order by check_name"
      store_sql "select check_name || ':' || seq || ':' || content from baseline_parts where run_id = 1 order by check_name, seq"
    } | sha256sum
}
before=$(baseline_digest)

test_case "a gate without the option runs no negative control"
v gate --incident-at "$AT"
expect_rc 0
expect_not_out 'negative control'
end_case

test_case "--negative-control: every check with a baseline fails against its perturbation"
restored_copy restored
v gate --negative-control --incident-at "$AT" --target dbname=restored
expect_rc 0
expect_empty_err
for c in $with_baseline; do
    expect_out "^pass +$c +\\(negative control\\) +fails on a perturbed baseline +failed \\([0-9]+ results?\\) +$c failed as it must against a perturbed baseline: "
done
expect_out '^pass +rowcount +\(negative control\) .* the baseline count of public\.audit_log raised from [0-9]+ to [0-9]+, and of 6 more tables likewise$'
expect_out '^pass +rls +\(negative control\) .* policy [a-z_]+ of public\.[a-z_]+ removed from the baseline$'
expect_out '^pass +share_tokens +\(negative control\) .* the hash of one token in range [0-9]+ of public\.share_links changed in the baseline$'
expect_out '^pass +settings +\(negative control\) .* setting app\.data_region of database dropped from the baseline$'
expect_out '^pass +audit_log +\(negative control\) .* the digest of the first anchored range of public\.audit_log flipped$'
expect_out '^pass +residency +\(negative control\) .* the hash of the ap-southeast-[24] evidence of [0-9-]+ changed in the baseline$'
expect_out '^pass +content +\(negative control\) .* the row digest sum of the first range of public\.projects changed \(a row changed\)$'
expect_out '^pass +backups +\(negative control\) +fails on a perturbed baseline +not applicable +not applicable: backups keeps no baseline'
expect_out '^pass +query/has_tasks +\(negative control\) .* not applicable +not applicable: expect = true judges'
expect_out '^negative control: every check shown able to fail \(not applicable, nothing of a baseline decides it: backups, query/has_tasks\)$'
expect_out '^gate open: [0-9]+ of [0-9]+ results passed$'
end_case
nc_run=$(store_sql "select max(id) from runs where kind = 'gate'")

test_case "the negative control's findings are not kept, only one result per check"
check "11 negative-control results in the store, one per check" \
    test "$(store_sql "select count(*) from results where run_id = $nc_run and subject = '(negative control)'")" = 11
check "a check's own findings appear once: rowcount's 7 tables, not 14" \
    test "$(store_sql "select count(*) from results where run_id = $nc_run and check_name = 'rowcount' and subject like 'public.%'")" = 7
check "the facts say what was perturbed and how it went" \
    test "$(store_sql "select $(sql_json facts negative_control) from results where run_id = $nc_run and check_name = 'rls' and subject = '(negative control)'")" = failed
check "not applicable is a fact too" \
    test "$(store_sql "select $(sql_json facts negative_control) from results where run_id = $nc_run and check_name = 'backups' and subject = '(negative control)'")" = not_applicable
end_case

test_case "the perturbation never reaches the store: the baseline and its parts are unchanged"
check "baseline 1 and its parts hash as before" test "$(baseline_digest)" = "$before"
check "the share_tokens baseline is kept in parts (the parts were perturbed as read)" \
    test "$(store_sql "select count(*) from baseline_parts where run_id = 1 and check_name = 'share_tokens'")" -ge 1
v verify
expect_rc 0
end_case

test_case "a check that passes its perturbation is an error naming it, and the gate stays closed"
VOUCH_TEST_NEGCTL_NOOP=rls,query/tasks_n v gate --negative-control --incident-at "$AT" --target dbname=restored
expect_rc 1
expect_out '^ERROR +rls +\(negative control\) +fails on a perturbed baseline +passed +rls passed against a perturbed baseline \(policy .* removed from the baseline, not applied: VOUCH_TEST_NEGCTL_NOOP\): it cannot fail'
expect_out '^ERROR +query/tasks_n +\(negative control\) .* passed +query/tasks_n passed against a perturbed baseline'
expect_out '^pass +rowcount +\(negative control\) .* failed \('
expect_out '^pass +rls +public\.'
expect_out '^negative control: not every check shown able to fail: passed against a perturbed baseline: rls, query/tasks_n$'
expect_out '^gate closed: 2 of [0-9]+ results failed$'
end_case
noop_run=$(store_sql "select max(id) from runs where kind = 'gate'")

test_case "the JSON output holds the negative-control results"
v runs "$noop_run" --format json
expect_rc 0
check "rls's negative control is an error" test "$(jq -r '.results[] | select(.check == "rls" and .subject == "(negative control)") | .status' "$OUT")" = error
check "the run failed" test "$(jq -r '.status' "$OUT")" = failed
end_case

test_case "reports say every check was shown able to fail, or which was not"
v report run "$nc_run" --format markdown --no-sign
expect_rc 0
expect_out '^## Negative control$'
expect_out '^Every check shown able to fail \(not applicable, nothing of a baseline decides it: backups, query/has\\_tasks\)\.$'
v report run "$noop_run" --format markdown --no-sign
expect_rc 0
expect_out '^Not every check shown able to fail: passed against a perturbed baseline: rls, query/tasks\\_n\.$'
v report run "$nc_run" --format html --no-sign --out nc.html
expect_rc 0
check "the HTML report has the section" grep -q '<h2>Negative control</h2>' nc.html
check "and says every check was shown able to fail" grep -q 'callout ok">Every check shown able to fail' nc.html
v report run "$nc_run" --format xml --no-sign
expect_rc 0
expect_out '<negative-control outcome="able" checks="11" able="rowcount, content, rls, share_tokens, settings, audit_log, residency, query/tasks_rows, query/tasks_n" not-applicable="backups, query/has_tasks">'
v report run 2 --format markdown --no-sign
expect_rc 0
expect_not_out 'Negative control'
end_case

test_case "the compliance report of the period counts the gates that ran it"
quarter=$(date -u +%Y)-Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))
v report period "$quarter" --format markdown --no-sign
expect_rc 0
expect_out "^\| $nc_run \| .* \| open, every check shown able to fail \| "
expect_out "^\| $noop_run \| .* \| closed, not every check shown able to fail \| "
expect_out '^\| 2 \| .* \| open \| '
expect_out '^Negative control: 2 of these runs ran it, 1 showed every check able to fail\.$'
v report period "$quarter" --format xml --no-sign
expect_rc 0
expect_out '<gates total="[0-9]+" passed="[0-9]+" failed="[0-9]+" other="0" negative-controls="2" negative-controls-able="1"[ >]'
end_case

test_case "metrics say when the checks were last shown able to fail"
v metrics
expect_rc 0
nc_end=$(store_sql "select finished_at from runs where id = $nc_run")
check "the timestamp is run $nc_run's end ($nc_end), not the failed control's after it" \
    grep -Eq "^vouch_last_negative_control_timestamp_seconds $(date -u -d "$nc_end" +%s)(\.[0-9]+)?\$" "$OUT"
if command -v promtool >/dev/null; then
    check "promtool check metrics accepts it" sh -c "promtool check metrics <'$OUT' >/dev/null 2>&1"
fi

end_case

test_case "a configuration that cannot fail is caught without any hook"
# tolerance 100 % allows every table to be emptied: the negative control says so
cat >loose.conf <<'CONF'
[target]
dsn = dbname=healthy

[store]
path = loose.db

[rowcount]
table = public.tasks tolerance 100%
CONF
use_own_store loose loose.conf
v_own -c loose.conf baseline
expect_rc 0
v_own -c loose.conf gate --negative-control
expect_rc 1
expect_out '^pass +rowcount +public\.tasks '
expect_out '^ERROR +rowcount +\(negative control\) .* passed +rowcount passed against a perturbed baseline \(the baseline count of public\.tasks raised from [0-9]+ to [0-9]+\): it cannot fail'
expect_out '^gate closed: 1 of 2 results failed$'
end_case

test_case "a real damage still fails the gate, and the negative control still runs"
restored_copy damaged
psql_q -d damaged -c "delete from public.tasks where id % 10 = 0"
v gate --negative-control --incident-at "$AT" --target dbname=damaged
expect_rc 1
expect_out '^FAIL +rowcount +public\.tasks '
expect_out '^pass +rowcount +\(negative control\) .* failed \('
expect_out '^gate closed: [0-9]+ of [0-9]+ results failed$'
end_case

test_case "waivers do not cover a negative control's error"
{ cat vouch.conf; printf '\n[waiver "all-rls"]\ncheck = rls\nsubject = *\nreason = test\nexpires = 2099-01-01\n'; } >waive.conf
VOUCH_TEST_NEGCTL_NOOP=rls v -c waive.conf gate --negative-control --incident-at "$AT" --target dbname=restored
expect_rc 1
expect_out '^ERROR +rls +\(negative control\) .* passed +rls passed against a perturbed baseline'
end_case

test_case "[gate] negative_control = weekly runs it when the last one is a week old"
{ cat vouch.conf; printf '\n[gate]\nnegative_control = weekly\n'; } >weekly.conf
# the last negative control that showed every check able to fail ran minutes ago
last_nc=$(store_sql "select max(run_id) from results r where subject = '(negative control)'
    and not exists (select 1 from results x where x.run_id = r.run_id and x.subject = '(negative control)' and x.status <> 'pass')")
v -v -c weekly.conf gate --incident-at "$AT" --target dbname=restored
expect_rc 0
expect_not_out 'negative control'
expect_err "^vouch: negative control: run $last_nc showed every check able to fail on .*, under a week ago \\(\\[gate\\] negative_control = weekly\\)\$"
in6=$(date -u -d '+6 days' +%Y-%m-%dT%H:%M:%SZ)
in8=$(date -u -d '+8 days' +%Y-%m-%dT%H:%M:%SZ)
VOUCH_TEST_NOW=$in6 v -c weekly.conf gate --incident-at "$AT" --target dbname=restored
expect_rc 0
expect_not_out 'negative control'
VOUCH_TEST_NOW=$in8 v -c weekly.conf gate --incident-at "$AT" --target dbname=restored
expect_rc 0
expect_out '^pass +rls +\(negative control\) '
end_case

test_case "weekly: a negative control with an error does not count, the next gate runs it again"
VOUCH_TEST_NEGCTL_NOOP=rls VOUCH_TEST_NOW=$in8 v -c weekly.conf gate --incident-at "$AT" --target dbname=restored
expect_rc 1
expect_out '^ERROR +rls +\(negative control\) '
# the newest all-pass negative control is the one just before: within a week of real now
v -c weekly.conf gate --incident-at "$AT" --target dbname=restored
expect_rc 0
expect_not_out 'negative control'
end_case

test_case "weekly in an empty store's first gate, and always, run it"
cat >fresh.conf <<'CONF'
[target]
dsn = dbname=healthy

[store]
path = fresh.db

[rowcount]
table = public.tasks

[gate]
negative_control = weekly
CONF
use_own_store fresh fresh.conf
v_own -c fresh.conf baseline
expect_rc 0
v_own -c fresh.conf gate
expect_rc 0
expect_out '^pass +rowcount +\(negative control\) '
sed 's/= weekly/= always/' fresh.conf >always.conf
v_own -c always.conf gate
expect_rc 0
expect_out '^pass +rowcount +\(negative control\) '
sed 's/= weekly/= never/' fresh.conf >never.conf
v_own -c never.conf gate
expect_rc 0
expect_not_out 'negative control'
end_case

test_case "bad values and misplaced options exit 2"
sed 's/= weekly/= monthly/' fresh.conf >bad.conf
v_own -c bad.conf gate
expect_rc 2
expect_err '^vouch: bad.conf:11: \[gate\] negative_control: expected never, weekly or always, not "monthly"$'
v check rowcount --negative-control
expect_rc 2
expect_err 'option --negative-control does not apply to check'
v --negative-control gate
expect_rc 2
expect_err 'option --negative-control does not apply before a command'
v gate --help
expect_rc 0
expect_out '--negative-control'
end_case
