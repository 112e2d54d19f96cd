# Text that enters vouch and text that leaves it. Encodings: a LATIN1 and a SQL_ASCII
# database with a non-ASCII name in a result, a DSN with a byte that is not UTF-8, a store
# written by an older vouch holding such a byte; none may crash vouch or brick its store.
# Secrets: a password in a restore command, in an unparsable DSN, in argv of a running gate;
# none may reach stdout, stderr, the store, a report, a pack or /proc/PID/cmdline.

q() { sqlite3 vouch.db "$1"; }
# The store opens, and verify finds the chain intact.
store_sound() {
    "$VOUCH" runs >/dev/null 2>runs.err && "$VOUCH" verify >verify.out 2>&1 &&
        grep -q 'chain intact' verify.out
}

test_case "LATIN1 database: a failing result quotes public.\"café\"; the store stays sound"
dropdb --if-exists adv_latin1 >/dev/null 2>&1 || true
createdb -E LATIN1 -T template0 --locale=C adv_latin1
PGCLIENTENCODING=UTF8 psql_q -d adv_latin1 -c 'create table "café" (id int); insert into "café" values (1), (2);
    create table plain (id int); insert into plain values (1);'
mkdir -p latin1 && cd latin1
printf '[target]\ndsn = dbname=adv_latin1\n\n[rowcount]\nschema = public\n' >vouch.conf
v baseline
expect_rc 0
PGCLIENTENCODING=LATIN1 v baseline
expect_rc 0
check "the baselines' contents are equal with PGCLIENTENCODING=LATIN1 and unset" \
    test "$(q "select count(distinct content) || ' ' || count(*) from baselines")" = "1 2"
check "the baseline holds café in UTF-8" \
    test "$(q "select count(*) from baselines where content like '%\"café\"%'")" = 2
PGCLIENTENCODING=UTF8 psql_q -d adv_latin1 -c 'delete from "café" where id = 1'
PGCLIENTENCODING=LATIN1 v gate
expect_rc 1
expect_out '^FAIL +rowcount +public\."café" +2 +1 '
check "the store opens and verify says intact" store_sound
end_case
cd ..

test_case "SQL_ASCII database: a UTF-8 name passes through, a byte that is not UTF-8 fails clearly"
dropdb --if-exists adv_ascii >/dev/null 2>&1 || true
createdb -E SQL_ASCII -T template0 --locale=C adv_ascii
psql_q -d adv_ascii -c 'create table "café" (id int); insert into "café" values (1), (2);'
mkdir -p ascii && cd ascii
printf '[target]\ndsn = dbname=adv_ascii\n\n[rowcount]\nschema = public\n' >vouch.conf
v baseline
expect_rc 0
psql_q -d adv_ascii -c 'delete from "café" where id = 1'
v gate
expect_rc 1
expect_out '^FAIL +rowcount +public\."café" +2 +1 '
# a table whose name is Latin-1 bytes: the server cannot send it as UTF-8
psql_q -d adv_ascii -c "$(printf 'create table "caf\351" (id int)')"
v gate
expect_rc 1
expect_out '^ERROR +rowcount .*invalid byte sequence for encoding "UTF8": 0xe9'
check "the store opens and verify says intact" store_sound
end_case
cd ..

test_case "a DSN with a byte that is not UTF-8: exit 3, shown as \\xE9, the store stays sound"
fresh_db adv_dsn
mkdir -p dsn && cd dsn
printf '[target]\ndsn = dbname=adv_dsn\n\n[rowcount]\ntable = public.tasks\n' >vouch.conf
v baseline
expect_rc 0
v gate --target "$(printf 'dbname=caf\351')"
expect_rc 3
expect_out 'dbname=caf\\xE9'
expect_err 'database "caf\\xE9" does not exist'
check "the stored target shows the byte escaped" \
    test "$(q "select target from runs where id = 2")" = 'host='"$PGHOST"' port='"$PGPORT"' dbname=caf\xE9 user='"$PGUSER"
v runs
expect_rc 0
expect_out '^2 +gate +aborted '
check "the store opens and verify says intact" store_sound
v gate
expect_rc 0
end_case

test_case "a store written by an older vouch holds a byte that is not UTF-8: reaped, verified"
# what an older vouch left when it died sealing a gate on dbname=caf\xe9: a run still
# 'running', of a process that is gone, whose target holds the byte 0xE9
host=$(q "select host from runs where id = 1")
q "insert into runs (kind, status, started_at, target, baseline_id, checks, vouch_version, host, pid)
   values ('gate', 'running', '2026-01-01T00:00:00.000Z', CAST(X'64626E616D653D636166E9' AS TEXT),
           1, 'rowcount', '0.0.1', '$host', 2147483646)"
id=$(q "select max(id) from runs")
# runs only reads; the next command that writes the store (a gate here) reaps the orphan
v gate
expect_rc 0
v runs
expect_rc 0
expect_out "^$id +gate +aborted .*dbname=caf\\\\xE9 .*the vouch process ended before the run finished"
check "the store opens and verify says intact" store_sound
v report run "$id" --format csv
expect_rc 0
end_case
cd ..

# ---- secrets ----
fresh_db adv_secret
mkdir -p secret && cd secret
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=adv_secret

[rowcount]
table = public.tasks
table = public.projects
CONF
secrets=("S3cret PW" "S3cret" "Xy1 Zz2Secret" "Zz2Secret" "Qq9Secret" "Gx7LockSecret"
         "Pz4Uri" "Ipv6Secret" "Uk5Secret")
# every file here and below, and stdout/stderr of the last command
lacks_secrets() {
    local files
    mapfile -t files < <(find . -type f)
    for s in "${secrets[@]}"; do
        expect_file_lacks "$s" "$OUT" "$ERR" "${files[@]}"
    done
}

test_case "a restore command with PGPASSWORD='...', password='x y' and password = x: stored redacted"
v keygen --subject "CN=Adversary,O=Example,C=AU"
expect_rc 0
v baseline
expect_rc 0
v drill run --scenario "password in the restore command" --incident-at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --restore-cmd "PGPASSWORD='S3cret PW' psql -X -q -d \"dbname=adv_secret password='Xy1 Zz2Secret'\" -c 'select 1' && psql -X -q -d 'dbname=adv_secret password = Qq9Secret' -c 'select 2'" \
    --target dbname=adv_secret
expect_rc 0
expect_out "^  restore    PGPASSWORD=\*\*\* psql -X -q -d 'password=\*\*\* dbname=adv_secret' -c 'select 1' && psql -X -q -d 'password=\*\*\* dbname=adv_secret' -c 'select 2'  \(exit status 0\)$"
lacks_secrets
end_case

test_case "reports in every format and a pack hold no password"
quarter=$(date -u +%Y)-Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))
v report drill 1 --out drill.html
expect_rc 0
v report drill 1 --format markdown --out drill.md
expect_rc 0
v report drill 1 --format xml --out drill.xml
expect_rc 0
for f in html markdown xml csv; do
    v report period "$quarter" --format "$f" --out "period.$f"
    expect_rc 0
done
v report run 2 --format csv --out run.csv
expect_rc 0
v pack --period "$quarter" --out pack
expect_rc 0
check "the pack holds the drill" grep -rqF 'PGPASSWORD=***' pack
check "the drill report shows the redacted command" grep -qF 'PGPASSWORD=***' drill.md
lacks_secrets
end_case

test_case "a DSN libpq cannot parse: exit 2, its message without the password"
v gate --target 'postgresql://alice:S3cret%zzPW@localhost/adv_secret'
expect_rc 2
expect_err '^vouch: invalid connection string: invalid percent-encoded token: "\*\*\*"$'
expect_err '^hint: .*~/\.pgpass'
lacks_secrets
v gate --target 'postgresql://alice:Ipv6Secret@[::1/adv_secret'
expect_rc 2
expect_err '^vouch: invalid connection string: .*IPv6 host address in URI: "\*\*\*"$'
lacks_secrets
v gate --targt='dbname=adv_secret password=Uk5Secret'
expect_rc 2
expect_err "^vouch: unknown option '--targt'$"
lacks_secrets
v drill run --scenario x --incident-at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --restore-cmd true \
    --target "host=localhost password='Pz4Uri"
expect_rc 2
lacks_secrets
end_case

test_case "a running gate's /proc/PID/cmdline shows no password"
# hold a lock the gate's count must wait for, from a psql fed through a FIFO
mkfifo locker.in
psql -X -q -d adv_secret <locker.in >locker.out 2>&1 &
locker=$!
exec 7>locker.in
echo "BEGIN; LOCK TABLE public.tasks IN ACCESS EXCLUSIVE MODE; SELECT 'locked';" >&7
"$VOUCH" gate --target "dbname=adv_secret password=Gx7LockSecret" >gate.out 2>gate.err &
gate=$!
waiting=0
for _ in $(seq 1 200); do
    if [ "$(psql_q -d adv_secret -c "select count(*) from pg_stat_activity where application_name = 'vouch' and wait_event_type = 'Lock'")" != 0 ]; then
        waiting=1
        break
    fi
    sleep 0.05
done
check "the gate waits on the lock" test "$waiting" = 1
tr '\0' ' ' </proc/$gate/cmdline >cmdline.txt || true
ps -o args= -p "$gate" >ps.txt || true
echo "COMMIT;" >&7
exec 7>&-
wait "$locker" || true
set +e
wait "$gate"
RC=$?
set -e
expect_rc 0
check "cmdline was read while it ran" grep -q 'gate --target' cmdline.txt
check "cmdline shows the DSN redacted" grep -qF 'password=***' cmdline.txt
OUT=$PWD/gate.out ERR=$PWD/gate.err lacks_secrets
end_case
cd ..
