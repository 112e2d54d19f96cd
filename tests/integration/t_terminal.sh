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
        RC=0; env -u COLUMNS "$VOUCH" -c t.conf gate >"$OUT" 2>"$ERR" || RC=$?
        want=80
    else
        RC=0; COLUMNS=$cols "$VOUCH" -c t.conf gate >"$OUT" 2>"$ERR" || RC=$?
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
COLUMNS=200 "$VOUCH" -c t.conf gate >"$OUT" 2>"$ERR" || true
expect_out "^FAIL +rowcount +public\.tasks .*$(printf '%s' "$reason" | cut -c1-40 | sed 's/[][().*+?^$|\\]/\\&/g')"
end_case

test_case "every command's --help fits 80 columns and lists only its own formats"
for cmd in baseline gate check check-config runs verify drill drills report pack metrics keygen sign; do
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
expect_out '^      --format F\[:FILE\] +human, json, tap or junit'
v keygen --help
expect_not_out '--format'
v metrics --help
expect_not_out '--format'
expect_out '^      --out FILE +replace FILE atomically'
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
# what was typed is shown escaped, in the message and in the suggestion
v -c t.conf check "$(printf 'rowcnt/\033[2Jx')"
expect_rc 2
check "no escape byte reaches the terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$ERR'"
expect_err "Did you mean 'rowcount/.x1B\[2Jx'"
v "$(printf 'gat\033[2J')"
check "no escape byte in the unknown command" sh -c "! grep -q \"\$(printf '\\033')\" '$ERR'"
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
# on one terminal (or file) stdout's verdict says it; stderr adds only the hint
RC=0; "$VOUCH" -c t.conf --target "host=$PWD/no-socket-here dbname=term" gate >both.txt 2>&1 || RC=$?
expect_rc 3
# (the rows of the checks it did not evaluate say why, each once, as SKIP rows)
check "'could not connect' is said once ($(grep -v '^SKIP' both.txt | grep -c 'could not connect'))" \
    test "$(grep -v '^SKIP' both.txt | grep -c 'could not connect')" = 1
check "the verdict keeps libpq's message as it is punctuated" \
    grep -Eq 'gate aborted: could not connect to .*: connection to server on socket ".*" failed: No such file or directory(; [0-9]+ checks? not evaluated)?$' both.txt
check "libpq's own question is the hint, whole" \
    grep -Eq "^hint: Is the server running locally and accepting connections on that socket\? Check --target" both.txt
# apart (stdout to a file, stderr to the person), each says it once
v -c t.conf --target "host=$PWD/no-socket-here dbname=term" gate
expect_rc 3
expect_out 'gate aborted: could not connect to'
expect_err '^vouch: could not connect to .*failed: No such file or directory$'
check "stderr says it once" test "$(grep -c 'could not connect' "$ERR")" = 1
v -c t.conf --target "host=$PWD/no-socket-here dbname=term" gate --format json
expect_rc 3
expect_err '^vouch: could not connect to .*failed: No such file or directory$'
check "stderr says it once" test "$(grep -c 'could not connect' "$ERR")" = 1
end_case

test_case "hints that point into docs/ name the checkout's docs, or the installed ones"
mkdir -p hints && cd hints
v gate
expect_rc 2
expect_err "^hint: $top/docs/configuration\.md describes every section; $top/tools/demo/vouch\.conf is an example\.$"
# laid out as 'make install PREFIX=...' lays it out
mkdir -p prefix/bin prefix/share/doc/vouch/examples
cp "$VOUCH" prefix/bin/vouch
cp "$top"/docs/*.md prefix/share/doc/vouch/
cp "$top/tools/demo/vouch.conf" prefix/share/doc/vouch/examples/
RC=0; prefix/bin/vouch gate >"$OUT" 2>"$ERR" || RC=$?
expect_rc 2
expect_err "^hint: $PWD/prefix/share/doc/vouch/configuration\.md describes every section; $PWD/prefix/share/doc/vouch/examples/vouch\.conf is an example\.$"
prefix/bin/vouch --help >"$OUT" 2>"$ERR" || true
expect_out "^Documentation: $PWD/prefix/share/doc/vouch/ and 'man vouch'\.$"
cd ..
end_case

# screen FILE: what a terminal shows of a typescript: each line as left after its last
# carriage return, with erase-to-end-of-line codes gone (and script's own header and
# footer lines left out).
screen() {
    perl -pe 's/\r\n/\n/g; s/.*\r//; s/\e\[K//g' "$1" | grep -av '^Script \(started\|done\) on ' || true
}

# lacks PATTERN FILE: no line of FILE matches (fixed string)
lacks() {
    ! grep -aqF -- "$1" "$2"
}

test_case "on a terminal a live progress line on stderr, erased when done, never on stdout"
script -qefc "$VOUCH -c t.conf gate >tty_out.txt" tty.txt >/dev/null 2>&1 || true
check "the line names the check running" grep -aq $'\rrowcount: running, 0 s\e\[K' tty.txt
check "and is erased" grep -aq $'\r\e\[K' tty.txt
check "nothing of it is left on the screen: $(screen tty.txt | od -c | head -5)" \
    test -z "$(screen tty.txt | tr -d '\n')"
check "stdout holds the table and no progress" grep -q '^gate closed: ' tty_out.txt
check "stdout holds no carriage return or escape" test -z "$(tr -d '\n[:print:]' <tty_out.txt)"
script -qefc "$VOUCH -c t.conf baseline >/dev/null" tty.txt >/dev/null 2>&1 || true
check "baseline shows it too" grep -aq $'\rrowcount: running' tty.txt
psql_q -c "delete from public.tasks where id in (select id from public.tasks order by id desc limit 1)"
end_case

test_case "-v lines and the progress line do not garble each other"
script -qefc "$VOUCH -v -c t.conf gate >/dev/null" tty.txt >/dev/null 2>&1 || true
screen tty.txt >screen.txt
check "the progress line was drawn" grep -aq $'\rrowcount: running' tty.txt
check "each -v line starts its own line" grep -q '^vouch: rowcount: checked in ' screen.txt
check "every line on the screen is a -v line: $(grep -v '^vouch: ' screen.txt | od -c | head -5)" \
    test -z "$(grep -v '^vouch: ' screen.txt)"
end_case

test_case "--no-progress and -q turn it off; --progress without a terminal gives plain lines on stderr"
script -qefc "$VOUCH --no-progress -c t.conf gate >/dev/null" tty.txt >/dev/null 2>&1 || true
check "--no-progress: no line" lacks 'running' tty.txt
script -qefc "$VOUCH -q -c t.conf gate >/dev/null" tty.txt >/dev/null 2>&1 || true
check "-q: no line" lacks 'running' tty.txt
v -c t.conf gate
expect_rc 1
check "not a terminal: no progress by default" lacks 'progress' "$ERR"
v -c t.conf gate --progress --format tap
expect_rc 1
expect_err '^vouch: progress: rowcount: running, 0 s$'
check "plain lines: no carriage return or escape" test -z "$(tr -d '\n[:print:]' <"$ERR")"
expect_out '^TAP version 14$'
expect_not_out 'progress'
end_case
