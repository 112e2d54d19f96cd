# Named instances: one database with five token tables and three audit logs (fixture
# saas_tokens.sql) covered by ONE config and ONE store, where each [share_tokens] and
# [audit_log] had needed its own config and store. Each instance has its own results
# and baseline part; a fault in one names that instance in every output format.

createdb inst_healthy
# the configuration's store (on PostgreSQL, v gives the test store instead)
SQLITE_STORE=saas.db
psql -X -q -v ON_ERROR_STOP=1 -d inst_healthy -f "$top/tests/integration/fixtures/saas_tokens.sql" >/dev/null

cat >vouch.conf <<'CONF'
[target]
dsn = dbname=inst_healthy

[store]
path = saas.db

[share_tokens "refresh"]
table = auth.refresh_tokens
hash = token_hash
format = sha256-hex
expires = expires_at
created = created_at
revoked = revoked_at
max_lifetime = 30d

[share_tokens "one_time"]
table = auth.one_time_tokens
hash = token_hash
format = sha256-hex
expires = expires_at
created = created_at
max_lifetime = 1h

[share_tokens "personal_access"]
table = public.personal_access_tokens
hash = digest
format = sha512-hex
expires = expires_at
created = created_at
revoked = revoked_at
max_lifetime = 90d

[share_tokens "invitations"]
table = public.invitations
hash = token_hash
format = sha256-hex
expires = expires_at
created = invited_at
max_lifetime = 7d

[share_tokens "oauth_clients"]
table = auth.oauth_clients
hash = client_secret_hash
format = sha256-hex
expires = secret_expires_at
created = created_at
max_lifetime = 365d

[audit_log "app"]
table = public.audit_log
time_column = occurred_at
range = 500

[audit_log "service_logs"]
table = audit.service_logs
id_column = log_id
time_column = logged_at
range = 500

[audit_log "activity"]
table = public.activity_log
time_column = created_at
range = 500
CONF

inst_copy() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    createdb -T inst_healthy "$1"
}

test_case "one config, one store: the baseline captures all eight instances"
v baseline
expect_rc 0
for n in share_tokens/refresh share_tokens/one_time share_tokens/personal_access \
         share_tokens/invitations share_tokens/oauth_clients \
         audit_log/app audit_log/service_logs audit_log/activity; do
    expect_out "^  $n: "
done
on_pg || check "one store file" test -f saas.db
check "the baseline stores each instance under its own name" \
    test "$(store_sql "select count(distinct check_name) from baselines where check_name like '%/%'")" = 8
end_case

test_case "a clean copy passes every instance"
inst_copy inst_clean
v gate --target dbname=inst_clean
expect_rc 0
expect_out '^pass +share_tokens/refresh +auth\.refresh_tokens baseline '
expect_out '^pass +share_tokens/invitations +public\.invitations hashes +sha256-hex '
expect_out '^pass +share_tokens/personal_access +public\.personal_access_tokens hashes +sha512-hex '
expect_out '^pass +share_tokens/oauth_clients +auth\.oauth_clients '
expect_out '^pass +share_tokens/one_time +auth\.one_time_tokens '
expect_out '^pass +audit_log/app +public\.audit_log +[0-9]+ ranges +[0-9]+ match '
expect_out '^pass +audit_log/service_logs +audit\.service_logs +[0-9]+ ranges '
expect_out '^pass +audit_log/activity +public\.activity_log +[0-9]+ ranges '
expect_not_out '^FAIL'
end_case

test_case "a lost invitation fails share_tokens/invitations alone, in every format"
inst_copy inst_lost
psql_q -d inst_lost -c "delete from public.invitations where id = 7"
v gate --target dbname=inst_lost
expect_rc 1
expect_out '^FAIL +share_tokens/invitations +public\.invitations vanished +as baseline +1 token +1 token of the baseline is gone \(ids 7\)'
expect_not_out '^FAIL +share_tokens/(refresh|one_time|personal_access|oauth_clients) '
expect_not_out '^FAIL +audit_log'
v --format json gate --target dbname=inst_lost
expect_rc 1
check "json names the instance of the failure" \
    test "$(jq -r '[.results[] | select(.status == "fail") | .check] | unique | join(",")' "$OUT")" = share_tokens/invitations
v --format tap gate --target dbname=inst_lost
expect_rc 1
expect_out '^not ok [0-9]+ - share_tokens/invitations public\.invitations vanished$'
check "tap fails nothing else" test "$(grep -c '^not ok' "$OUT")" = 1
v --format junit gate --target dbname=inst_lost
expect_rc 1
expect_out '<testsuite name="vouch\.share_tokens/invitations" tests="[0-9]+" failures="1"'
expect_out '<testsuite name="vouch\.share_tokens/refresh" tests="[0-9]+" failures="0"'
expect_out '<testcase classname="vouch\.share_tokens/invitations" name="public\.invitations vanished" time="[0-9]+\.[0-9]{3}">'
v report run --format xml --no-sign --out -
expect_rc 0
expect_out '<check name="share_tokens/invitations" results="[0-9]+" passed="[0-9]+" warnings="0" failed="1"'
expect_out '<check name="audit_log/service_logs" '
end_case

test_case "a gap in the service log fails audit_log/service_logs alone"
inst_copy inst_gap
psql_q -d inst_gap -c "delete from audit.service_logs where log_id between 700 and 710"
v gate --target dbname=inst_gap
expect_rc 1
expect_out '^FAIL +audit_log/service_logs +audit\.service_logs '
expect_not_out '^FAIL +audit_log/(app|activity) '
expect_not_out '^FAIL +share_tokens'
end_case

test_case "check share_tokens runs its five instances, check share_tokens/NAME one"
v check share_tokens --target dbname=inst_lost
expect_rc 1
check "five token instances and no audit log" \
    test "$(grep -Eo '^(pass|FAIL|WARN|ERROR) +[a-z_/]+' "$OUT" | awk '{print $2}' | sort -u | tr '\n' ' ')" = \
    "share_tokens/invitations share_tokens/oauth_clients share_tokens/one_time share_tokens/personal_access share_tokens/refresh "
v check share_tokens/refresh --target dbname=inst_lost
expect_rc 0
check "only share_tokens/refresh ran" \
    test "$(grep -Eo '^(pass|FAIL|WARN|ERROR) +[a-z_/]+' "$OUT" | awk '{print $2}' | sort -u)" = share_tokens/refresh
v check share_tokens/invitations audit_log/app --target dbname=inst_lost
expect_rc 1
expect_out '^FAIL +share_tokens/invitations '
expect_out '^pass +audit_log/app '
check "the run lists what was asked" test "$(store_sql 'select checks from runs order by id desc limit 1')" = share_tokens/invitations,audit_log/app
expect_not_out 'share_tokens/refresh'
v check share_tokens/sessions
expect_rc 2
expect_err "^vouch: check 'share_tokens/sessions' is not configured in vouch\.conf \(it has share_tokens/refresh, share_tokens/one_time, "
v check rowcount/big
expect_rc 2
expect_err "^vouch: check 'rowcount' takes no named instances, so 'rowcount/big' names nothing"
end_case

test_case "instance errors name FILE:LINE and the real header"
sed 's/^max_lifetime = 7d$/max_lifetime = seven days/' vouch.conf >badlife.conf
v -c badlife.conf gate
expect_rc 2
line=$(grep -n '^max_lifetime = seven days' badlife.conf | cut -d: -f1)
expect_err "^vouch: badlife\.conf:$line: \[share_tokens \"invitations\"\] max_lifetime: \"seven days\" is not a lifetime"
# a required key missing: the checker's own message, made to name the instance
awk '/^\[share_tokens "invitations"\]/ {inv = 1} /^\[/ && !/invitations/ {inv = 0}
     !(inv && /^hash = /)' vouch.conf >nohash.conf
v -c nohash.conf gate
expect_rc 2
line=$(grep -n '^\[share_tokens "invitations"\]' nohash.conf | cut -d: -f1)
expect_err "^vouch: nohash\.conf:$line: \[share_tokens \"invitations\"\] is missing required key 'hash'"
printf '[target]\n[rowcount "big"]\ntable = public.organizations\n' >rowinst.conf
v -c rowinst.conf gate
expect_rc 2
expect_err '^vouch: rowinst\.conf:2: section \[rowcount "big"\]: rowcount takes no named instances'
printf '[target]\n[share_tokens "a b"]\n' >badname.conf
v -c badname.conf gate
expect_rc 2
expect_err '^vouch: badname\.conf:2: section \[share_tokens "a b"\]: "a b" is not a valid instance name'
cat vouch.conf >twice.conf
printf '\n[audit_log "app"]\ntable = public.activity_log\ntime_column = created_at\n' >>twice.conf
line=$(grep -n '^\[audit_log "app"\]' twice.conf | tail -1 | cut -d: -f1)
first=$(grep -n '^\[audit_log "app"\]' twice.conf | head -1 | cut -d: -f1)
v -c twice.conf gate
expect_rc 2
expect_err "^vouch: twice\.conf:$line: section \[audit_log \"app\"\] given twice \(first on line $first\)"
check "no store was opened for a configuration error" test ! -e twice.db
end_case

test_case "a baseline of bare sections stays usable; an instance added later needs a new one"
{ echo '[store]'; own_store bare; } >bare.conf
cat >>bare.conf <<'CONF'
[target]
dsn = dbname=inst_healthy
[share_tokens]
table = public.invitations
hash = token_hash
format = sha256-hex
expires = expires_at
created = invited_at
[audit_log]
table = public.audit_log
time_column = occurred_at
CONF
v_own -c bare.conf baseline
expect_rc 0
expect_out '^  share_tokens: '
check "bare sections keep their names in the baseline" \
    test "$(store_sql -s bare "select check_name from baselines order by check_name" | paste -sd,)" = audit_log,share_tokens
cp bare.conf grown.conf
printf '[share_tokens "refresh"]\ntable = auth.refresh_tokens\nhash = token_hash\nformat = sha256-hex\nexpires = expires_at\ncreated = created_at\n' >>grown.conf
v_own -c grown.conf gate --target dbname=inst_clean
expect_rc 1
expect_out '^pass +share_tokens +public\.invitations baseline '
expect_out '^pass +audit_log +public\.audit_log '
expect_out '^ERROR +share_tokens/refresh +\(baseline\) .*holds no capture for share_tokens/refresh'
v_own -c bare.conf gate --target dbname=inst_clean
expect_rc 0
end_case

test_case "errors found while capturing or checking name the instance and its header"
grep -v '^store\|^path = saas.db' vouch.conf >missing.conf
printf '[audit_log "gone"]\ntable = public.no_such_log\ntime_column = at\n' >>missing.conf
v -c missing.conf --store missing.db baseline
expect_rc 3
expect_err '^vouch: audit_log/gone: table public\.no_such_log does not exist$'
expect_err '^hint: Check \[audit_log "gone"\] in the configuration'
cp vouch.conf digest.conf
printf '[audit_log "bad_digest"]\ntable = public.activity_log\ntime_column = created_at\ndigest = sum(count(*))\n' >>digest.conf
line=$(grep -n '^digest = sum' digest.conf | cut -d: -f1)
v -c digest.conf --store digest.db baseline
expect_rc 3
expect_err "^vouch: audit_log/bad_digest: digest\\.conf:$line: \\[audit_log \"bad_digest\"\\] digest: not usable as one text value per row of public\\.activity_log: aggregate function calls cannot be nested\$"
end_case

test_case "a drill takes its restore point from the latest newest event of the three audit logs"
# the service log's newest event is the latest: 10 min after the app log's, 30 after the feed's
incident=$(psql_q -d inst_healthy -c "select to_char((max(logged_at) + interval '1 hour') at time zone 'UTC',
                                        'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') from audit.service_logs")
newest=$(psql_q -d inst_healthy -c "select to_char(max(logged_at) at time zone 'UTC',
                                      'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') from audit.service_logs")
dropdb --if-exists inst_drilled >/dev/null 2>&1 || true
v drill run --scenario "restore the SaaS database" --incident-at "$incident" \
    --restore-cmd "createdb -T inst_healthy inst_drilled" --target dbname=inst_drilled
expect_rc 0
expect_out "^  data loss  1 h: from the restored data's newest, $newest \(audit_log's newest event\), to the incident"
end_case
