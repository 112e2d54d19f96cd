# The command line: help, version, usage errors.

test_case "--help lists commands, checks and exit codes"
v --help
expect_rc 0
expect_out '^usage: vouch'
expect_out '^  gate +run every configured check'
expect_out '^  rowcount '
expect_out 'Exit status: 0'
end_case

test_case "--version"
v --version
expect_rc 0
expect_out '^vouch [0-9]+\.[0-9]+\.[0-9]+$'
end_case

test_case "COMMAND --help answers for that command"
for cmd in baseline gate check runs verify; do
    v "$cmd" --help
    expect_rc 0
    expect_out "^usage: vouch \[OPTIONS\] $cmd"
done
end_case

test_case "a bad option exits 2"
v gate --no-such-option
expect_rc 2
expect_err "^vouch: unknown option '--no-such-option'$"
expect_err "^hint: Run 'vouch gate --help'\.$"
v --format
expect_rc 2
expect_err "^vouch: option '--format' needs a value$"
v -x gate
expect_rc 2
expect_err "^vouch: unknown option '-x'$"
end_case

test_case "an option of another command exits 2"
v runs --baseline 3
expect_rc 2
expect_err 'option --baseline does not apply to runs'
end_case

test_case "an unknown command exits 2"
v frobnicate
expect_rc 2
expect_err "unknown command 'frobnicate'"
end_case

test_case "no command prints usage to stderr and exits 2"
v
expect_rc 2
expect_err '^usage: vouch'
end_case

test_case "gate without a configuration exits 2"
v gate
expect_rc 2
expect_err 'no configuration: give -c FILE or create ./vouch.conf'
end_case

test_case "an unknown --format exits 2"
printf '[rowcount]\ntable = public.projects\n' >fmt.conf
v -c fmt.conf gate --format yaml
expect_rc 2
expect_err 'unknown format "yaml": use human, json, tap, junit'
end_case

test_case "runs on a missing store exits 2 and creates nothing"
v runs --store nowhere.db
expect_rc 2
expect_err 'no store at "nowhere.db"'
check "no store file was created" test ! -e nowhere.db
end_case
