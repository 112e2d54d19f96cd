# Configuration errors: exit 2, naming file, line and key; nothing runs.

fresh_db cfg
export PGDATABASE=cfg

test_case "an unknown key names file, line and key"
cat >bad.conf <<'CONF'
[target]
dsn = dbname=cfg

[rowcount]
table = public.projects
tabel = public.tasks
CONF
v -c bad.conf gate
expect_rc 2
expect_err '^vouch: bad.conf:6: \[rowcount\] tabel: unknown key$'
expect_err '^hint: Keys of \[rowcount\] are: table, schema, exclude, rule\.$'
check "no store was written" test ! -e vouch.db
end_case

test_case "an unknown section names its line"
printf '[rowcount]\ntable = projects\n\n[rowcnt]\ntable = x\n' >sec.conf
v -c sec.conf baseline
expect_rc 2
expect_err '^vouch: sec.conf:4: unknown section \[rowcnt\]$'
end_case

test_case "a bad rule names the line and the value"
printf '[rowcount]\ntable = projects\ntable = tasks roughly\n' >rule.conf
v -c rule.conf baseline
expect_rc 2
expect_err '^vouch: rule.conf:3: \[rowcount\] table: unknown rule "roughly": use exact, at-least or tolerance N%$'
end_case

test_case "a bad duration names the line"
printf '[target]\nstatement_timeout = soon\n[rowcount]\ntable = projects\n' >dur.conf
v -c dur.conf gate
expect_rc 2
expect_err '^vouch: dur.conf:2: \[target\] statement_timeout: expected a duration such as 30s, 5min or 250ms, not "soon"$'
end_case

test_case "a syntax error names the line"
printf '[rowcount]\ntable = projects\nthis line has no equals sign\n' >syntax.conf
v -c syntax.conf gate
expect_rc 2
expect_err "^vouch: syntax.conf:3: cannot parse line: expected '\[section\]' or 'key = value'$"
end_case

test_case "a key given twice names both lines"
printf '[rowcount]\ntable = projects\nrule = exact\nrule = at-least\n' >twice.conf
v -c twice.conf gate
expect_rc 2
expect_err '^vouch: twice.conf:4: \[rowcount\] rule: given twice \(first on line 3\)$'
end_case

test_case "a missing configuration file exits 2"
v -c missing.conf gate
expect_rc 2
expect_err '^vouch: could not open configuration "missing.conf": No such file or directory$'
end_case

test_case "check NAME of a check that is not configured exits 2"
printf '[target]\ndsn = dbname=cfg\n[rowcount]\ntable = projects\n' >ok.conf
v -c ok.conf check rls
expect_rc 2
expect_err "unknown check 'rls'|check 'rls' is not configured"
end_case

test_case "a schema that holds no table stops the baseline (could not finish, stored aborted)"
psql_q -d cfg -c 'create schema empty_one'
printf '[target]\ndsn = dbname=cfg\n[rowcount]\nschema = empty_one\n' >empty.conf
v -c empty.conf baseline
expect_rc 3
expect_out 'aborted'
expect_err 'rowcount: the configured schemas hold no table to count'
end_case
