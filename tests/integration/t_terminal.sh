# The terminal and the command line: the table fits the width, help fits 80 columns,
# "did you mean", argument errors first, one connection error, no empty store.

fresh_db term
export PGDATABASE=term
printf '[target]\ndsn = dbname=term\n[rowcount]\ntable = public.projects\ntable = public.tasks\n' >t.conf

# width LINES-FILE: the widest line, in characters
widest() {
    awk '{ n = length($0); if (n > m) m = n } END { print m + 0 }' "$1"
}

test_case "the reason column wraps at word boundaries to COLUMNS, 80 when not a terminal"
v -c t.conf baseline
expect_rc 0
psql_q -c "delete from public.tasks where id in (select id from public.tasks order by id desc limit 3)"
for cols in 60 80 200 unset; do
    if [ "$cols" = unset ]; then
        env -u COLUMNS "$VOUCH" -c t.conf gate >"$OUT" 2>"$ERR"; RC=$?
        want=80
    else
        COLUMNS=$cols "$VOUCH" -c t.conf gate >"$OUT" 2>"$ERR"; RC=$?
        want=$cols
    fi
    expect_rc 1
    grep -v '^vouch \|^server \|^store head ' "$OUT" >table.txt
    check "COLUMNS=$cols: every line fits $want columns (widest $(widest table.txt))" \
        test "$(widest table.txt)" -le "$want"
    # the reason's words are whole: joined again, the lines read as the stored reason
    reason=$("$VOUCH" -c t.conf runs 2 --format json |
        jq -r '.results[] | select(.subject == "public.tasks") | .reason')
    for word in $reason; do
        grep -qF -- "$word" "$OUT" || _fail "COLUMNS=$cols: the word '$word' is broken"
    done
done
COLUMNS=200 "$VOUCH" -c t.conf gate >"$OUT" 2>"$ERR"
expect_out "^FAIL +rowcount +public\.tasks .*$(printf '%s' "$reason" | cut -c1-40 | sed 's/[][().*+?^$|\\]/\\&/g')"
end_case

test_case "every command's --help fits 80 columns and lists only its own formats"
for cmd in baseline gate check check-config runs verify drill drills report pack keygen sign; do
    v "$cmd" --help
    expect_rc 0
    check "$cmd --help fits 80 columns (widest $(widest "$OUT"))" test "$(widest "$OUT")" -le 80
    expect_out '^Global options: -c FILE, --store FILE, --target DSN'
    check "$cmd --help has at most one --format line" test "$(grep -c -- '--format F ' "$OUT")" -le 1
done
v report --help
expect_out '^      --format F +html \(default\), markdown, xml or csv$'
expect_not_out 'junit'
v gate --help
expect_out '^      --format F +human, json, tap, junit'
v keygen --help
expect_not_out '--format'
v --help
check "vouch --help fits 80 columns (widest $(widest "$OUT"))" test "$(widest "$OUT")" -le 80
end_case

test_case "did you mean: a mistyped command, option or check"
v gtae
expect_rc 2
expect_err "^vouch: unknown command 'gtae'$"
expect_err "^hint: Did you mean 'vouch gate'\? 'vouch --help' lists the commands\.$"
v chek-config
expect_err "Did you mean 'vouch check-config'"
v frobnicate
expect_err "^hint: Run 'vouch --help' for the commands\.$"
v gate --basleine 3
expect_rc 2
expect_err "^vouch: unknown option '--basleine'$"
expect_err "^hint: Did you mean '--baseline'\? 'vouch gate --help' lists the options\.$"
v -c t.conf check rowcuont
expect_rc 2
expect_err "^vouch: unknown check 'rowcuont'$"
expect_err "^hint: Did you mean 'rowcount'\?"
v -c t.conf check share_token/invitations
expect_err "Did you mean 'share_tokens/invitations'\?"
end_case

test_case "argument errors come before 'no configuration' and 'no store'"
mkdir -p empty && cd empty
v gate extra
expect_rc 2
expect_err '^vouch: gate takes no arguments \(got "extra"\)$'
expect_not_out .
v baseline extra
expect_err '^vouch: baseline takes no arguments'
v check
expect_err '^vouch: check needs the names of the checks to run$'
v check rowcnt
expect_err "^vouch: unknown check 'rowcnt'$"
v runs 1 2
expect_err '^vouch: runs takes at most one id$'
v check-config extra
expect_err '^vouch: check-config takes no arguments'
check "nothing was created" test -z "$(ls)"
cd ..
end_case

test_case "gate and check without a store say how to take a baseline and create nothing"
mkdir -p nostore && cd nostore
v -c ../t.conf --store fresh.db gate
expect_rc 2
expect_err '^vouch: no store at "fresh.db": a gate compares with a baseline, and none was taken$'
expect_err "^hint: Run 'vouch baseline' against the healthy database first; it creates the store\.$"
v -c ../t.conf --store fresh.db check rowcount
expect_rc 2
expect_err '^vouch: no store at "fresh.db": a check compares with a baseline'
check "no store and no head file were created" test -z "$(ls)"
cd ..
end_case

test_case "the connection error is printed once, with libpq's sentences kept"
v -c t.conf --target "host=$PWD/no-socket-here dbname=term" gate
expect_rc 3
check "stdout and stderr together say 'could not connect' once" \
    test "$(cat "$OUT" "$ERR" | grep -c 'could not connect')" = 1
expect_out 'gate aborted: could not connect to .*: connection to server on socket ".*" failed: No such file or directory$'
expect_err "^hint: Is the server running locally and accepting connections on that socket\? Check --target"
# machine output on stdout: the person still reads why on stderr, once
v -c t.conf --target "host=$PWD/no-socket-here dbname=term" gate --format json
expect_rc 3
expect_err '^vouch: could not connect to .*failed: No such file or directory$'
check "stderr says it once" test "$(grep -c 'could not connect' "$ERR")" = 1
end_case
