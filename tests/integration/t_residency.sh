# residency: evidence for every required month, in allowed regions, unchanged since the
# baseline, through an allowed host; the server's facts recorded. Each fault alone.

fresh_db res_healthy
cat >vouch.conf <<CONF
[target]
dsn = dbname=res_healthy

[residency]
table = public.residency_evidence
regions = ap-southeast-2, ap-southeast-4
periods = 12
host = *.ap-southeast-2.aws.neon.tech
host = $PGHOST
CONF
# The sample data's anchor: evidence covers the 24 months before it.
AT=2026-10-01T00:00:00Z

res_restore() {
    pg_dump -Fc -d res_healthy -f res.dump
    dropdb --if-exists "$1" 2>/dev/null
    createdb "$1"
    pg_restore -d "$1" --no-owner res.dump 2>restore.log || true
}

test_case "baseline captures every evidence row"
v baseline
expect_rc 0
expect_out '^  residency: 48 rows$'
end_case

test_case "a clean restore passes and records the server's facts"
res_restore res_clean
v gate --target "dbname=res_clean" --incident-at "$AT"
expect_rc 0
expect_out '^pass +residency +server +- +PostgreSQL 15\.[0-9]+ +connected to .* port [0-9]+; PostgreSQL 15\.[0-9]+.*, TimeZone [^,]+, system identifier [0-9]+$'
expect_out "^pass +residency +host +.* +$PGHOST +connected through $PGHOST, which a host pattern allows$"
expect_out '^pass +residency +periods +12 months 2025-09\.\.2026-08 +12 of 12 '
expect_out '^pass +residency +regions +ap-southeast-2,ap-southeast-4 +48 rows '
expect_out '^pass +residency +baseline +48 rows unchanged +48 unchanged '
expect_out '^gate open: 5 of 5 results passed$'
end_case

test_case "the facts are in the detail (-v) and the stored JSON"
v -v gate --target "dbname=res_clean" --incident-at "$AT"
expect_rc 0
expect_out '^ +system identifier: [0-9]+$'
expect_out '^ +server address: \(Unix socket\)$'
v gate --target "dbname=res_clean" --incident-at "$AT" --format json
expect_out '"detail": "host: '
end_case

test_case "without --incident-at the months are judged as of the snapshot time"
v gate --target "dbname=res_clean"
expect_rc 1
expect_out '^FAIL +residency +periods +12 months [0-9-]+\.\.[0-9-]+ +[0-9]+ of 12 +no evidence in an allowed region for 20[0-9][0-9]-[0-9][0-9]'
end_case

test_case "a residency month deleted fails naming the month"
res_restore res_month
psql_q -d res_month -c "delete from public.residency_evidence where period = '2026-03-01'"
v gate --target "dbname=res_month" --incident-at "$AT"
expect_rc 1
expect_out '^FAIL +residency +periods +12 months 2025-09\.\.2026-08 +11 of 12 +no evidence in an allowed region for 2026-03: restore or re-record the attestation$'
expect_out '^FAIL +residency +baseline +48 rows unchanged +0 changed, 2 deleted +evidence changed since the baseline: 2026-03 ap-southeast-2: deleted'
expect_out '^pass +residency +regions '
end_case

test_case "a region changed to us-east-1 fails naming the row"
res_restore res_region
psql_q -d res_region -c "update public.residency_evidence set region = 'us-east-1'
                         where period = '2026-05-01' and region = 'ap-southeast-2'"
v gate --target "dbname=res_region" --incident-at "$AT"
expect_rc 1
expect_out '^FAIL +residency +regions +ap-southeast-2,ap-southeast-4 +us-east-1 +1 evidence row names a region outside ap-southeast-2,ap-southeast-4: period 2026-05 names us-east-1$'
expect_out '^FAIL +residency +baseline .* 2026-05 ap-southeast-2: deleted'
expect_out '^pass +residency +periods '
end_case

test_case "an edited document hash fails naming period and region"
res_restore res_hash
psql_q -d res_hash -c "update public.residency_evidence set document_sha256 = repeat('0', 64)
                       where period = '2026-02-01' and region = 'ap-southeast-4'"
v gate --target "dbname=res_hash" --incident-at "$AT"
expect_rc 1
expect_out '^FAIL +residency +baseline +48 rows unchanged +1 changed, 0 deleted +evidence changed since the baseline: 2026-02 ap-southeast-4: document hash [0-9a-f]{12}\.\.\. is now 000000000000\.\.\.$'
expect_out '^pass +residency +periods '
expect_out '^gate closed: 1 of 5 results failed$'
end_case

test_case "a host outside the patterns fails"
# the same server, reached through another path to its socket directory
ln -sfn "$PGHOST" "$PWD/elsewhere"
v gate --target "host=$PWD/elsewhere dbname=res_clean" --incident-at "$AT"
expect_rc 1
expect_out "^FAIL +residency +host +.* +$PWD/elsewhere +connected through $PWD/elsewhere, outside the allowed hosts \\*\\.ap-southeast-2\\.aws\\.neon\\.tech "
expect_out '^gate closed: 1 of 5 results failed$'
end_case

test_case "timestamptz periods and other column names"
psql_q -d res_clean -c "create table public.attest (month timestamptz, loc text, sha text);
                        insert into public.attest
                        select (date '2026-08-01' - n * interval '1 month') at time zone 'UTC',
                               'ap-southeast-2', md5(n::text) from generate_series(0, 11) n"
cat >attest.conf <<CONF
[target]
dsn = dbname=res_clean
[store]
path = attest.db
[residency]
table = public.attest
period_column = month
region_column = loc
hash_column = sha
regions = ap-southeast-2
grace = 0s
periods = 12
CONF
v -c attest.conf baseline
expect_rc 0
v -c attest.conf gate --incident-at 2026-09-15T00:00:00Z
expect_rc 0
expect_out '^pass +residency +periods +12 months 2025-09\.\.2026-08 +12 of 12 '
v -c attest.conf gate --incident-at 2026-10-01T00:00:00Z
expect_rc 1
expect_out '^FAIL +residency +periods +12 months 2025-10\.\.2026-09 +11 of 12 +no evidence in an allowed region for 2026-09:'
end_case

test_case "configuration errors exit 2 naming the key"
printf '[target]\ndsn = dbname=res_clean\n[residency]\ntable = public.residency_evidence\n' >bad.conf
v -c bad.conf gate --incident-at "$AT"
expect_rc 2
expect_err 'bad.conf: \[residency\] names no allowed region'
printf '[residency]\ntable = public.residency_evidence\nregions = a\ngrace = soon\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err 'bad.conf:4: \[residency\] grace: "soon" is not a span'
printf '[residency]\ntable = public.residency_evidence\nregions = a\nperiod_column = "x\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err 'bad.conf:4: \[residency\] period_column'
end_case

test_case "a missing column is an error result, not a crash"
printf '[target]\ndsn = dbname=res_clean\n[store]\npath = attest.db\n[residency]\ntable = public.attest\nperiod_column = month\nregion_column = region\nhash_column = sha\nregions = a\n' >col.conf
v -c col.conf gate --incident-at "$AT"
expect_rc 1
expect_out '^ERROR +residency +\(check\) .*public\.attest has no column region'
end_case
