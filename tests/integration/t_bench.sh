# tools/bench at a tiny scale, one round: the report holds every row of issue 12's table and
# of each check against its floor, each with a figure. Timings are not asserted, only that
# they are there; the bench runs its own sandbox cluster, as a user's run does.

# bench ARGS...: run tools/bench on vouch under test, output in $OUT/$ERR, exit code in $RC
bench() {
    set +e
    BENCH_DIR=$T/bench BENCH_OUT=$T/latest.md BENCH_SMALL_SCALE=0.0002 "$top/tools/bench" "$@" >"$OUT" 2>"$ERR"
    RC=$?
    set -e
}
# expect_row LABEL FIGURE: the report has a row that starts with LABEL and holds FIGURE (regexes)
expect_row() {
    grep -Eq -- "^\\| $1.*\\| $2" "$T/latest.md" || _fail "latest.md has no row /$1/ with /$2/"
}
ratio='[0-9]+\.[0-9]{2}× \([0-9]+\.[0-9]{2} s / [0-9]+\.[0-9]{2} s\)'
rss='([0-9]+\.[0-9] MiB → [0-9]+\.[0-9] MiB \([0-9]+\.[0-9]{2}×\)|not measured \(no GNU time)'

test_case "a scale that is not a number is a usage error, said in one line"
bench '0.1;drop'
expect_rc 2
expect_err '^bench: SCALE "0\.1;drop" is not a number above 0 and at most 10$'
check "one line on stderr" test "$(wc -l <"$ERR")" = 1
check "no report written" test ! -e "$T/latest.md"
end_case

test_case "zero rounds is a usage error"
bench 0.002 0
expect_rc 2
expect_err '^bench: ROUNDS "0" is not a whole number from 1 to 100$'
end_case

test_case "one round at scale 0.002: every row of the table, each with a figure"
bench 0.002 1
expect_rc 0
expect_err 'scale 0\.002: loading database portal_s0_002'
expect_row 'gate, every check, `jobs = 1` / binary COPY of audit_log on 1 connection' "$ratio"
expect_row 'gate, every check, `jobs = 2` / the same COPY split over 2 connections' "$ratio"
expect_row 'gate `jobs = 2` / gate `jobs = 1`' "$ratio"
expect_row '`check share_tokens` / binary COPY of the six columns it judges' "$ratio"
expect_row 'peak RSS of the gate, scale 0\.0002 → 0\.002' "$rss"
expect_row 'peak RSS of `baseline`, scale 0\.0002 → 0\.002' "$rss"
for c in rowcount rls share_tokens settings audit_log residency backups; do
    expect_row "\`check $c\`" "$ratio"
done
expect_row '`check rowcount` \| psql: `count\(\*\)` of the same 7 tables' "$ratio"
expect_row '`check rowcount rls` \| pgTAP' "($ratio|not measured \(no pgTAP)"
expect_row '`check audit_log`, `row_bytes` alone \(no `row_layout`: the server builds the row bytes\) \| binary COPY of `audit_log`' "$ratio"
expect_row '`check audit_log` \(`row_layout` and the sample\) \| the same check with `row_bytes` alone' "$ratio"
check "stdout is the report" cmp -s "$OUT" "$T/latest.md"
end_case

test_case "BENCH_DIR keeps the loaded databases: a second run loads nothing"
bench 0.002 1
expect_rc 0
expect_err 'scale 0\.002: using database portal_s0_002 already loaded'
expect_err 'scale 0\.0002: using database portal_s0_0002 already loaded'
check "nothing loaded again" test "$(grep -c 'loading database' "$ERR")" = 0
expect_row 'gate, every check, `jobs = 1` / binary COPY of audit_log on 1 connection' "$ratio"
check "the sandbox is stopped at the end" test "$("$top/tools/pg-sandbox" status "$T/bench/pg" >/dev/null 2>&1; echo $?)" = 3
end_case

test_case "a gate that does not pass is not timed: exit 3 and what failed, in one line"
(
    eval "$("$top/tools/pg-sandbox" start "$T/bench/pg" 2>/dev/null)"
    psql_q -d portal_s0_002 -c "UPDATE public.share_links SET legacy_token = 'plain-token' WHERE id = (SELECT min(id) FROM public.share_links)"
    "$top/tools/pg-sandbox" stop "$T/bench/pg" >/dev/null 2>&1
)
rm -f "$T/latest.md"
bench 0.002 1
expect_rc 3
expect_err '^bench: the gate does not pass on the demo at scale 0\.002: fail share_tokens '
check "one error line" test "$(grep -c '^bench:' "$ERR")" = 1
check "no report written" test ! -e "$T/latest.md"
end_case
