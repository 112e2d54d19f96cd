# Attacks on the configuration reader: a value given twice, a section given twice, a NUL
# byte inside a line. Each is a configuration error naming FILE:LINE (exit 2) and nothing
# is stored. And a configured table the target lacks stops a baseline as "could not
# finish" (exit 3, stored aborted, naming the table), never as exit 2.

fresh_db advcfg
export PGDATABASE=advcfg

# dup NAME SECTION-BODY FIRST-LINE-VALUE SECOND-LINE-VALUE EXPECTED-MESSAGE
# Writes NAME.conf: a [target] header, then [SECTION] and its lines (the duplicate last,
# on line $DUP_LINE), runs 'check SECTION', expects exit 2, the message and no store.
dup_case() {
    local what=$1 file=$2 check=$3 regex=$4
    test_case "$what"
    v -c "$file" check "$check"
    expect_rc 2
    expect_err "$regex"
    check "nothing was stored" test ! -e vouch.db
    end_case
}

printf '[rowcount]\ntable = public.tasks exact\ntable = public.projects\ntable = public.tasks at-least\n' >rc_table.conf
dup_case "rowcount: the same table with two rules is refused, not the first taken" \
    rc_table.conf rowcount \
    '^vouch: rc_table.conf:4: \[rowcount\] table: public\.tasks given twice \(first on line 2\)$'

printf '[rowcount]\ntable = public.tasks\ntable = "public".TASKS\n' >rc_fold.conf
dup_case "rowcount: a name spelt differently that SQL folds to the same table is refused" \
    rc_fold.conf rowcount \
    '^vouch: rc_fold.conf:3: \[rowcount\] table: public\.tasks given twice \(first on line 2\)$'

printf '[rowcount]\nschema = public\nexclude = public.tasks\nexclude = tasks\n' >rc_excl.conf
dup_case "rowcount: an exclude given twice is refused" rc_excl.conf rowcount \
    '^vouch: rc_excl.conf:4: \[rowcount\] exclude: public\.tasks given twice \(first on line 3\)$'

printf '[rls]\ntable = public.projects\nforce = public.tasks\nforce = public.tasks\n' >rls_force.conf
dup_case "rls: force given twice is refused" rls_force.conf rls \
    '^vouch: rls_force.conf:4: \[rls\] force: public\.tasks given twice \(first on line 3\)$'

printf '[rls]\nschema = public\nexclude = public.tasks\nexclude = public.tasks\n' >rls_excl.conf
dup_case "rls: exclude given twice is refused" rls_excl.conf rls \
    '^vouch: rls_excl.conf:4: \[rls\] exclude: public\.tasks given twice \(first on line 3\)$'

printf '[rls]\ntable = public.projects\nrole = app_user\nrole = APP_USER\n' >rls_role.conf
dup_case "rls: a role given twice is refused" rls_role.conf rls \
    '^vouch: rls_role.conf:4: \[rls\] role: app_user given twice \(first on line 3\)$'

cat >tok.conf <<'CONF'
[share_tokens]
table = public.share_links
hash = token_hash
format = sha256-hex
expires = expires_at
created = created_at
plaintext = legacy_token
plaintext = legacy_token
CONF
dup_case "share_tokens: a plaintext column given twice is refused" tok.conf share_tokens \
    '^vouch: tok.conf:8: \[share_tokens\] plaintext: legacy_token given twice \(first on line 7\)$'

printf '[settings]\nschema = public\nignore_role = postgres\nignore_role = postgres\n' >set.conf
dup_case "settings: an ignore_role given twice is refused" set.conf settings \
    '^vouch: set.conf:4: \[settings\] ignore_role: postgres given twice \(first on line 3\)$'

cat >res.conf <<'CONF'
[residency]
table = public.residency_evidence
regions = ap-southeast-2
host = *.ap-southeast-2.aws.neon.tech
host = *.ap-southeast-2.aws.neon.tech
CONF
dup_case "residency: a host given twice is refused" res.conf residency \
    '^vouch: res.conf:5: \[residency\] host: \*\.ap-southeast-2\.aws\.neon\.tech given twice \(first on line 4\)$'

cat >aud_trig.conf <<'CONF'
[audit_log]
table = public.audit_log
time_column = occurred_at
trigger = public.projects audit_project_change
trigger = projects audit_project_change
CONF
dup_case "audit_log: a trigger given twice is refused" aud_trig.conf audit_log \
    '^vouch: aud_trig.conf:5: \[audit_log\] trigger: public\.projects audit_project_change given twice \(first on line 4\)$'

cat >aud_fn.conf <<'CONF'
[audit_log]
table = public.audit_log
time_column = occurred_at
function = public.audit_write
function = public.audit_write
CONF
dup_case "audit_log: a function given twice is refused" aud_fn.conf audit_log \
    '^vouch: aud_fn.conf:5: \[audit_log\] function: public\.audit_write given twice \(first on line 4\)$'

test_case "a section given twice is refused, not merged"
printf '[rowcount]\ntable = public.tasks\n\n[rowcount]\nrule = at-least\n' >sec2.conf
v -c sec2.conf baseline
expect_rc 2
expect_err '^vouch: sec2.conf:4: section \[rowcount\] given twice \(first on line 1\)$'
expect_err '^hint: Put every key of a section under one header\.$'
check "nothing was stored" test ! -e vouch.db
end_case

test_case "a NUL byte inside a line is refused, not read as the end of the line"
# Before, libinih read "table = public.projects" and dropped the rest of the line silently.
printf '[rowcount]\ntable = public.projects\000 at-least\n' >nul.conf
v -c nul.conf baseline
expect_rc 2
expect_err '^vouch: nul.conf:2: line contains a NUL byte$'
expect_err '^hint: Save the configuration as UTF-8 text, not UTF-16 or a binary file\.$'
check "nothing was stored" test ! -e vouch.db
end_case

test_case "a UTF-16 configuration is refused at its first line"
printf '[\000r\000o\000w\000c\000o\000u\000n\000t\000]\000\n\000' >utf16.conf
v -c utf16.conf gate
expect_rc 2
expect_err '^vouch: utf16.conf:1: line contains a NUL byte$'
check "nothing was stored" test ! -e vouch.db
end_case

test_case "a baseline against a target that lacks a configured table: exit 3, stored aborted"
printf '[rowcount]\ntable = public.projects\ntable = public.no_such_table\n' >missing.conf
v -c missing.conf baseline
expect_rc 3
expect_err '^vouch: rowcount: table public\.no_such_table does not exist$'
check "the store holds the run" test -e vouch.db
v -c missing.conf runs --format json
expect_rc 0
check "the run is stored aborted, naming the table" \
    jq -e 'length == 1 and .[0].status == "aborted" and .[0].kind == "baseline"' "$OUT" >/dev/null
v -c missing.conf runs 1 --format json
check "its error names the table" jq -e '.error | test("public\\.no_such_table does not exist")' "$OUT" >/dev/null
v -c missing.conf gate
expect_rc 2
expect_err 'holds no baseline'
end_case

test_case "the gate against a target that lacks a baselined table: exit 1, a finding"
printf '[rowcount]\ntable = public.projects\ntable = public.tasks\n' >g.conf
rm -f vouch.db vouch.db.head
v -c g.conf baseline
expect_rc 0
psql_q -c 'alter table public.tasks rename to tasks_gone'
v -c g.conf gate
expect_rc 1
expect_out '^FAIL +rowcount +public\.tasks +[0-9]+ +missing +table public\.tasks does not exist'
v -c g.conf check rowcount
expect_rc 1
expect_out '^FAIL +rowcount +public\.tasks +[0-9]+ +missing'
psql_q -c 'alter table public.tasks_gone rename to tasks'
end_case

test_case "a target that is not UTF-8 is sealed (aborted, exit 3), not a crash"
# Found by tests/fuzz/fuzz_canonical: vouch aborted with "out of memory (canonical run)".
rm -f vouch.db vouch.db.head
printf '[rowcount]\ntable = public.projects\n' >u.conf
v -c u.conf --target "$(printf 'host=/nonexistent dbname=caf\351')" baseline
expect_rc 3
expect_err 'could not connect'
v -c u.conf verify
expect_rc 0
v -c u.conf runs --format json
# and 'runs --format json' lists it (json_pack dropped a run whose target was not UTF-8)
check "the run is listed, stored aborted" \
    jq -e 'length == 1 and .[0].status == "aborted" and (.[0].target | test("dbname=caf\\\\xE9 "))' "$OUT" >/dev/null
end_case

test_case "a section removed after the baseline closes the gate instead of hiding its check"
rm -f vouch.db vouch.db.head
printf '[rowcount]\ntable = public.projects\n\n[rls]\nschema = public\n' >both.conf
printf '[rowcount]\ntable = public.projects\n' >fewer.conf
v -c both.conf baseline
expect_rc 0
v -c fewer.conf gate
expect_rc 1
expect_out '^FAIL +rls +\(configuration\) +checked, as at the baseline +not configured +baseline 1 holds rls, which this configuration no longer runs'
# 'check NAME' runs what it is asked to, nothing more: not a removal
v -c fewer.conf check rowcount
expect_rc 0
# a new baseline records a removal made on purpose
v -c fewer.conf baseline
expect_rc 0
v -c fewer.conf gate
expect_rc 0
end_case
