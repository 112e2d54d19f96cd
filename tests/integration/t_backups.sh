# backups: inventories from tools/demo/backup-inventory judged against the runbook
# policy in Sydney time; each fault alone, clean inputs across both DST changes.

gen=$top/tools/demo/backup-inventory
fresh_db bk
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=bk

[backups]
inventory = backups.csv
timezone = Australia/Sydney
slack = 1h
rpo = 24h
policy = hourly hourly keep 7d regions ap-southeast-2,ap-southeast-4
policy = nightly daily 02:00 keep 30d regions ap-southeast-2,ap-southeast-4
policy = weekly weekly sunday 03:00 keep 12w regions ap-southeast-2,ap-southeast-4 encrypted
policy = monthly monthly first-business-day 09:00 keep 12mo regions ap-southeast-2,ap-southeast-4
CONF
AT=2026-10-01T00:00:00Z
v baseline

# gate_on UNTIL [FAULT]: write backups.csv up to UNTIL and run the gate as of UNTIL.
gate_on() {
    "$gen" --until "$1" ${2:+--fault "$2"} >backups.csv
    v gate --incident-at "$1"
}

test_case "a clean inventory passes every row"
gate_on "$AT"
expect_rc 0
expect_out '^pass +backups +inventory +- +[0-9]+ backups +[0-9]+ backups live as of 2026-10-01 10:00 AEST in '
expect_out '^pass +backups +hourly schedule +hourly :00 +167 of 167 slots '
expect_out '^pass +backups +nightly schedule +daily 02:00 +30 of 30 slots '
expect_out '^pass +backups +weekly schedule +weekly sunday 03:00 +12 of 12 slots '
expect_out '^pass +backups +monthly schedule +monthly first-business-day 09:00 +12 of 12 slots '
expect_out '^pass +backups +monthly retention +keep 12mo +oldest '
expect_out '^pass +backups +weekly encryption +encrypted +12 of 12 '
expect_out '^pass +backups +rpo +<= 24h +worst [0-9]+ h( [0-9]+ min)? '
expect_out '^gate open: 15 of 15 results passed$'
end_case

test_case "clean across the spring change (2026-10-04, 02:00 -> 03:00)"
gate_on 2026-10-20T00:00:00Z
expect_rc 0
expect_out '^pass +backups +nightly schedule +daily 02:00 +30 of 30 slots +every nightly slot from 2026-09-21 02:00 AEST up to 2026-10-20 10:00 AEDT'
expect_out '^gate open: 15 of 15 results passed$'
check "the skipped 02:00 is served at 03:00 AEDT" grep -q '^nightly-20261004-0307,nightly,2026-10-04T03:07:00+11:00,' backups.csv
end_case

test_case "clean across the autumn change (2026-04-05, 03:00 -> 02:00)"
gate_on 2026-04-20T00:00:00Z
expect_rc 0
expect_out '^pass +backups +nightly schedule +daily 02:00 +30 of 30 slots +every nightly slot from 2026-03-22 02:00 AEDT up to 2026-04-20 09:00 AEST'
expect_out '^gate open: 15 of 15 results passed$'
gate_on 2026-04-05T12:00:00Z
expect_rc 0
expect_out '^pass +backups +hourly schedule +hourly :00 +167 of 167 slots '
end_case

test_case "a 3-hour hole in the hourly snapshots"
gate_on "$AT" hourly-hole
expect_rc 1
expect_out '^FAIL +backups +hourly schedule +hourly :00 +164 of 167 slots +3 hourly slots missing: 2026-09-29 08:00 AEST, 2026-09-29 09:00 AEST, 2026-09-29 10:00 AEST$'
expect_out '^pass +backups +rpo '
expect_out '^gate closed: 1 of 15 results failed$'
end_case

test_case "one nightly missing"
gate_on "$AT" nightly-missing
expect_rc 1
expect_out '^FAIL +backups +nightly schedule +daily 02:00 +29 of 30 slots +1 nightly slot missing: 2026-09-26 02:00 AEST$'
expect_out '^gate closed: 1 of 15 results failed$'
end_case

test_case "nightlies taken at 02:00 UTC instead of Sydney time"
gate_on "$AT" nightly-utc
expect_rc 1
expect_out '^FAIL +backups +nightly schedule +daily 02:00 +0 of 30 slots +1 nightly slot missing, 29 nightly slots late beyond 1 h: 2026-09-02 02:00 AEST taken 2026-09-02 12:07 AEST \(10 h 7 min late\),'
expect_out '^ +late slot 2026-09-30 02:00 AEST taken 2026-09-30 12:07 AEST \(10 h 7 min late\)$'
expect_out '^gate closed: 1 of 15 results failed$'
end_case

test_case "a weekly stored in us-west-2"
gate_on "$AT" weekly-region
expect_rc 1
expect_out '^FAIL +backups +weekly regions +ap-southeast-2,ap-southeast-4 +us-west-2 +1 weekly backup outside ap-southeast-2,ap-southeast-4: weekly-20260927-0312 \(2026-09-27 03:12 AEST\) in us-west-2$'
expect_out '^gate closed: 1 of 15 results failed$'
end_case

test_case "an unencrypted weekly"
gate_on "$AT" weekly-unencrypted
expect_rc 1
expect_out '^FAIL +backups +weekly encryption +encrypted +unencrypted +1 weekly backup is not encrypted: weekly-20260927-0312 \(2026-09-27 03:12 AEST\)$'
expect_out '^gate closed: 1 of 15 results failed$'
end_case

test_case "monthlies kept 6 months"
gate_on "$AT" monthly-short
expect_rc 1
expect_out '^FAIL +backups +monthly retention +keep 12mo +kept 18[0-9] d( [0-9]+ h)? +6 monthly backups are retained shorter than 12mo, e.g. monthly-20260501-0920 \(2026-05-01 09:20 AEST\) kept '
expect_out '^gate closed: 1 of 15 results failed$'
end_case

test_case "retention by age: a warning unless the inventory provably reaches back"
# without expires_at only the oldest backup speaks for retention
cut -d, -f1-6 <backups.csv >short.csv
sed 's/^inventory = backups.csv$/inventory = short.csv/' vouch.conf >age.conf
printf 'since = 2025-09-01T00:00:00+10:00\n' >>age.conf
sed '/^since = /d' age.conf >noage.conf
v -c noage.conf gate --incident-at "$AT"
expect_rc 0
expect_out '^WARN +backups +monthly retention +keep 12mo +oldest 15[0-9] d( [0-9]+ h)? +cannot prove keep 12mo: the inventory starts 2026-05-01 09:20 AEST, after the monthly due 2025-11-03 09:00 AEDT; set .since. if it lists every backup$'
v -c age.conf gate --incident-at "$AT"
expect_rc 1
expect_out '^FAIL +backups +monthly retention +keep 12mo +oldest 15[0-9] d( [0-9]+ h)? +the oldest monthly backup is from 2026-05-01 09:20 AEST \(15[0-9] d( [0-9]+ h)? old\); keep 12mo needs the one due 2025-11-03 09:00 AEDT$'
# slots before the oldest kept backup are retention's to report, not the schedule's
expect_out '^pass +backups +monthly schedule .* 6 of 6 slots '
expect_out '^gate closed: 1 of 15 results failed$'
end_case

test_case "a line with a broken date is an error naming file and line"
gate_on "$AT" broken-date
line=$(grep -n '2026-09-31T' backups.csv | cut -d: -f1)
expect_rc 1
expect_out "^ERROR +backups +inventory +- +unreadable +backups\\.csv:$line: taken_at \"2026-09-31T02:07:00\\+10:00\" is not an ISO 8601 time with an offset"
expect_not_out '^pass +backups +hourly'
expect_out '^gate closed: 1 of 1 results failed$'
end_case

test_case "a missing inventory is an error result"
rm -f backups.csv
v gate --incident-at "$AT"
expect_rc 1
expect_out '^ERROR +backups +inventory +- +unreadable +could not open backup inventory backups\.csv: No such file or directory$'
end_case

test_case "an inventory with a header and nothing else fails"
echo "taken_at,kind,region,encrypted" >backups.csv
v gate --incident-at "$AT"
expect_rc 1
expect_out '^FAIL +backups +inventory +- +0 backups +backups\.csv lists no backup that exists as of 2026-10-01 10:00 AEST$'
expect_out '^FAIL +backups +rpo +<= 24h +no backup '
end_case

test_case "the RPO: no restore point for two days"
"$gen" --until "$AT" >backups.csv
v gate --incident-at 2026-10-03T00:00:00Z
expect_rc 1
expect_out '^FAIL +backups +rpo +<= 24h +worst 2 d +2 d without a restore point from 2026-10-01 09:20 AEST to 2026-10-03 10:00 AEST \(the as-of time\) exceeds the RPO 24h$'
end_case

test_case "pgbackrest info JSON: types as kinds, repository cipher as encryption"
{
    printf '[{"name":"main","cipher":"none","repo":[{"key":1,"cipher":"aes-256-cbc"}],"backup":['
    sep=""
    # a full every Sunday 01:00 UTC and an incr every day at 01:30 UTC, four weeks
    for ((d = 27; d >= 0; d--)); do
        t=$(( $(date -u -d 2026-09-30T01:00:00Z +%s) - d * 86400 ))
        if [ "$(date -u -d "@$t" +%u)" = 7 ]; then
            printf '%s{"label":"F%s","type":"full","timestamp":{"start":%s,"stop":%s},"database":{"id":1,"repo-key":1},"info":{"repository":{"size":10}}}' \
                "$sep" "$t" "$t" $(( t + 300 ))
            sep=,
        fi
        printf '%s{"label":"I%s","type":"incr","timestamp":{"start":%s,"stop":%s},"database":{"id":1,"repo-key":1}}' \
            "$sep" "$t" $(( t + 1800 )) $(( t + 2100 ))
        sep=,
    done
    printf ']}]\n'
} >info.json
cat >pgbr.conf <<'CONF'
[target]
dsn = dbname=bk
[backups]
inventory = info.json
format = pgbackrest
region = ap-southeast-2
rpo = 25h
policy = full weekly sunday 01:00 keep 21d regions ap-southeast-2 encrypted
policy = incr daily 01:30 keep 7d regions ap-southeast-2
CONF
v -c pgbr.conf gate --incident-at 2026-09-30T12:00:00Z
expect_rc 0
expect_out '^pass +backups +full schedule +weekly sunday 01:00 +3 of 3 slots '
expect_out '^pass +backups +full encryption +encrypted +4 of 4 '
expect_out '^pass +backups +incr schedule +daily 01:30 +7 of 7 slots '
expect_out '^gate open: 9 of 9 results passed$'
sed -i 's/"aes-256-cbc"/"none"/' info.json
v -c pgbr.conf gate --incident-at 2026-09-30T12:00:00Z
expect_rc 1
expect_out '^FAIL +backups +full encryption +encrypted +unencrypted +4 full backups are not encrypted: main/F[0-9]+ '
end_case

test_case "configuration errors exit 2 naming file, line and key"
printf '[backups]\ninventory = b.csv\npolicy = nightly daily 2am keep 30d\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err 'bad.conf:3: \[backups\] policy: daily needs a local time such as 02:00, not "2am"'
printf '[backups]\ninventory = b.csv\ntimezone = Australia/Atlantis\npolicy = n daily 02:00 keep 1d\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err 'bad.conf:3: \[backups\] timezone: unknown time zone "Australia/Atlantis"'
printf '[backups]\ninventory = b.csv\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err 'bad.conf: \[backups\] has no policy'
printf '[backups]\ninventory = b.csv\npolicy = n daily 02:00 keep 1d\npolicy = n daily 03:00 keep 1d\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err 'bad.conf:4: \[backups\] policy: kind n has a policy already'
end_case
