# Neon point-in-time branches (docs/neon.md): 'vouch drill run --target-from-output' gates
# the connection string the restore command prints. A stand-in neonctl on PATH (no network)
# makes a "branch" a database created from the template of the healthy one. Its output is
# hostile: garbage, a table, a long line, control bytes, a password, a failing command.

fresh_db neonsrc
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=neonsrc

[rowcount]
table = public.projects
table = public.tasks
table = public.audit_log
CONF

here_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PATH=$here_dir/fixtures/neon:$PATH
export NEON_STANDIN_PARENT=neonsrc NEON_STANDIN_STATE=$PWD/neon-state NEON_PROJECT_ID=quiet-lake-123456
mkdir -p "$NEON_STANDIN_STATE"
PW=npg_StandInS3cretPW
q() { sqlite3 vouch.db "$1"; }
no_secret() {  # no_secret STRING: in nothing vouch showed or stored
    expect_file_lacks "$1" "$OUT" "$ERR" vouch.db vouch.db-wal
}

# The restore step of docs/neon.md: a branch at the incident time, its connection string
# as the last line of stdout, the branch's name kept for the promotion after the gate.
cat >restore-branch.sh <<'SH'
#!/bin/sh
set -eu
branch=${BRANCH:-restore-$(date -u +%Y%m%d%H%M%S)}
neonctl branches create --project-id "$NEON_PROJECT_ID" --name "$branch" \
    --parent "$INCIDENT_AT" --no-secrets >&2
echo "$branch" >restored-branch
echo "restored branch $branch at $INCIDENT_AT" >&2
neonctl connection-string "$branch" --project-id "$NEON_PROJECT_ID" \
    --database-name portal --role-name portal_owner
SH
chmod +x restore-branch.sh

test_case "drill run --target-from-output gates the branch the restore printed, never its password"
v baseline
expect_rc 0
export INCIDENT_AT=2026-10-01T02:00:00Z
v drill run --scenario "portal: Neon branch at the incident" --incident-at "$INCIDENT_AT" \
    --restore-cmd "BRANCH=drillbranch1 ./restore-branch.sh" --target-from-output \
    --smoke-cmd 'echo "smoke sees $VOUCH_TARGET_DSN"'
expect_rc 0
expect_out '^drill 1 finished: RTO '
expect_out '^  gate       run 2: gate open: 3 of 3 results passed$'
expect_err '^restored branch drillbranch1 at 2026-10-01T02:00:00Z$'
expect_err '^\| br-drillbranch1 \| drillbranch1 \| now \|$'
expect_err '^smoke sees .*dbname=drillbranch1'
no_secret "$PW"
check "the gate ran on the branch, not the configured target" \
    test "$(q "select target from runs where id = 2")" = "$(q "select target from runs where id = 1" | sed 's/neonsrc/drillbranch1/')"
check "the restore phase names the printed target, without its password" \
    test "$(q "select note from drill_phases where drill_id = 1 and name = 'restore finished'" | grep -c 'it printed the target: .*dbname=drillbranch1')" = 1
check "the branch exists and answers" test "$(psql_q -d drillbranch1 -c 'select count(*) > 0 from public.tasks')" = t
end_case

test_case "promotion after the gate opened: the drill's exit status decides set-default"
export INCIDENT_AT=2026-10-01T03:00:00Z
set +e
BRANCH=drillbranch2 "$VOUCH" drill run --scenario "restore and promote" --incident-at "$INCIDENT_AT" \
    --restore-cmd ./restore-branch.sh --target-from-output >"$OUT" 2>"$ERR" &&
    neonctl branches set-default "$(cat restored-branch)" --project-id "$NEON_PROJECT_ID" >>"$OUT"
RC=$?
set -e
expect_rc 0
check "the restored branch is the default" test "$(cat "$NEON_STANDIN_STATE/.default")" = drillbranch2
no_secret "$PW"
end_case

test_case "the restore's other stdout lines are read, not shown: only the last non-empty one counts"
v drill run --scenario "chatty restore" --incident-at 2026-10-01T04:00:00Z \
    --restore-cmd "echo 'creating branch... password=$PW'; printf 'dbname=neonsrc password=Leak3dW0rd\r\n\n  \n'" \
    --target-from-output
expect_rc 0
no_secret "$PW"
no_secret Leak3dW0rd
end_case

fail_case() {  # fail_case NAME CMD ERR-REGEX: the drill is recorded failed, no gate runs
    local runs_before
    runs_before=$(q "select count(*) from runs")
    v drill run --scenario "$1" --incident-at 2026-10-01T05:00:00Z --restore-cmd "$2" \
        --target-from-output
    expect_rc 1
    expect_err "$3"
    expect_out '^drill [0-9]+ FAILED: '
    check "stored failed, the restore's output error as its phase note, no gate run" \
        test "$(q "select d.status || '|' || (p.note is not null) from drills d join drill_phases p on p.drill_id = d.id and p.name = 'restore failed' where d.id = (select max(id) from drills)")|$(q "select count(*) from runs")" = "failed|1|$runs_before"
    check "one error line" test "$(grep -v '^vouch: drill [0-9]' "$ERR" | grep -c '^vouch: ')" = 1
}
# script NAME BODY: an executable ./NAME that runs BODY, so that what it prints is in no
# command line vouch records
script() {
    printf '#!/bin/sh\n%s\n' "$2" >"$1"
    chmod +x "$1"
}

test_case "garbage output: one clear error, drill failed, no gate"
fail_case "garbage" "echo 'restored OK, have fun'" \
    "^vouch: the restore command's last line of output is not a connection string: "
end_case

test_case "neonctl's table not redirected: the URI with its password is never shown"
fail_case "table" "neonctl branches create --project-id \$NEON_PROJECT_ID --name tablebranch --parent main" \
    "last line of output is not a connection string"
no_secret "$PW"
end_case

test_case "a malformed URI holding a password: the error masks it"
script bad-uri.sh "echo 'postgresql://u:S3cretLeak%zz@/x'"
fail_case "bad uri" ./bad-uri.sh "not a connection string: .*\*\*\*"
no_secret S3cretLeak
end_case

test_case "no output, or only blank lines: says so"
fail_case "silent" "true" "printed no connection string \(0 bytes on stdout"
fail_case "blank" "printf '\n   \n\t\n'" "printed no connection string \([0-9]+ bytes on stdout, no non-empty line\)"
end_case

test_case "a very long last line: refused by its length, never parsed or shown"
script long.sh "printf 'dbname=x password=LongLeakPW%05000d\\n' 0"
fail_case "long" ./long.sh \
    "last line of output is longer than the 4096 bytes"
fail_case "huge" "head -c 100000 /dev/zero | tr '\\\\0' x" \
    "last line of output is longer than the 4096 bytes"
no_secret LongLeakPW
end_case

test_case "control bytes in the last line: refused"
fail_case "escape" "printf 'dbname=neonsrc\033[31m\n'" "holds a control byte \(0x1b at byte 15\)"
script nul.sh "printf 'dbname=neonsrc\\0password=NulLeakPW\\n'"
fail_case "nul" ./nul.sh "holds a control byte \(0x00 at byte 15\)"
no_secret NulLeakPW
end_case

test_case "a DSN that parses but reaches nothing: the gate cannot finish, the password stays hidden"
v drill run --scenario "wrong branch" --incident-at 2026-10-01T06:00:00Z \
    --restore-cmd "echo 'host=$PGHOST port=$PGPORT dbname=no_such_branch password=Unr3achablePW'" \
    --target-from-output
expect_rc 3
expect_err 'no_such_branch'
no_secret Unr3achablePW
end_case

test_case "the restore command failing: the drill fails on its exit status"
v drill run --scenario "no parent" --incident-at 2026-10-01T05:00:00Z --target-from-output \
    --restore-cmd "./restore-branch.sh; neonctl branches create --project-id \$NEON_PROJECT_ID --name x --parent nosuch"
expect_rc 1
expect_err '^neonctl: parent branch nosuch not found$'
expect_out '^drill [0-9]+ FAILED: the restore command exited with status 1$'
check "stored failed with its exit status" \
    test "$(q "select status || ' ' || restore_exit from drills where id = (select max(id) from drills)")" = "failed 1"
no_secret "$PW"
end_case

test_case "--target-from-output with --target, or outside drill run: usage errors"
v drill run --scenario x --incident-at 2026-10-01T06:00:00Z --restore-cmd true \
    --target-from-output --target dbname=neonsrc
expect_rc 2
expect_err '^vouch: --target and --target-from-output both say what to gate$'
v drill start --scenario x --incident-at 2026-10-01T06:00:00Z --target-from-output
expect_rc 2
expect_err 'target-from-output does not apply to drill start'
end_case

test_case "reports of these drills show the branch and none of the passwords"
v report drill 1 --out drill1.html --no-sign
expect_rc 0
v report drill 1 --format markdown --out drill1.md --no-sign
expect_rc 0
check "the HTML drill report names the branch gated, in the restore's note" grep -q 'it printed the target: .*dbname=drillbranch1' drill1.html
v report period "$(date -u +%Y-%m)" --format markdown --out period.md --no-sign
expect_rc 0
check "the period report holds every drill of this file" grep -q 'no parent' period.md
for s in "$PW" Leak3dW0rd S3cretLeak LongLeakPW NulLeakPW Unr3achablePW; do
    expect_file_lacks "$s" drill1.html drill1.md period.md "$OUT" "$ERR"
done
end_case

test_case "drill --help documents --target-from-output"
v drill --help
expect_rc 0
expect_out '^      --target-from-output$'
end_case
