# vouch check-config: the configuration is valid and every object it names exists in the
# target; nothing runs and no store is written (it need not exist).

fresh_db cc
export PGDATABASE=cc

# The demo's configuration, pointed at this database, and a backup inventory beside it.
sed -e 's/^dsn = .*/dsn = dbname=cc/' "$top/tools/demo/vouch.conf" >good.conf
printf 'taken_at,kind,region,encrypted\n' >backups.csv
# tokens of the demo sit in a column the sample portal calls token_hash too
test_case "a configuration whose every name exists exits 0 and writes no store"
v -c good.conf check-config
expect_rc 0
expect_out '^good.conf: valid; every table, column, role, trigger and function it names exists in '
expect_empty_err
check "no store was written" test ! -e vouch.db
check "no head file was written" test ! -e vouch.db.head
end_case

test_case "'vouch config check' is the same"
v -c good.conf config check
expect_rc 0
expect_out '^good.conf: valid;'
v -c good.conf config frob
expect_rc 2
expect_err '^vouch: config takes one subcommand: check$'
end_case

# One of everything missing, each named at the line of its key.
cat >bad.conf <<'CONF'
[target]
dsn = dbname=cc
[rowcount]
table = public.projects
table = public.gone_table at-least
schema = no_such_schema
[rls]
table = public.projects
role = portal_app
role = "Ghost Role"
probe = nobody public.projects agency_id=1
[share_tokens]
table = public.share_links
hash = token_hash
format = sha256-hex
expires = expiry_when
revoked = revoked_at
[audit_log]
table = public.audit_log
time_column = occurred_at
trigger = public.projects lost_trigger
function = public.no_such_function
[residency]
table = public.residency_evidence
region_column = zone
regions = ap-southeast-2
[backups]
inventory = missing.csv
policy = nightly daily 02:00 keep 30d
[query "orphans"]
sql = SELECT count(*) = 0 FROM public.tasks WHERE no_such_column IS NULL
expect = true
CONF
test_case "each missing object is one line with FILE:LINE of its key; exit 1"
v -c bad.conf check-config
expect_rc 1
expect_out '^bad.conf:5: \[rowcount\] table: table public.gone_table does not exist in the target$'
expect_out '^bad.conf:6: \[rowcount\] schema: schema no_such_schema does not exist in the target$'
expect_out '^bad.conf:10: \[rls\] role: role "Ghost Role" does not exist in the target$'
expect_out '^bad.conf:11: \[rls\] probe: role nobody does not exist in the target$'
expect_out '^bad.conf:16: \[share_tokens\] expires: table public.share_links has no column expiry_when$'
expect_out '^bad.conf:21: \[audit_log\] trigger: table public.projects has no trigger lost_trigger$'
expect_out '^bad.conf:22: \[audit_log\] function: function public.no_such_function does not exist in the target$'
expect_out '^bad.conf:25: \[residency\] region_column: table public.residency_evidence has no column zone$'
expect_out '^bad.conf:28: \[backups\] inventory: could not open inventory ".*missing.csv": No such file or directory$'
expect_out '^bad.conf:31: \[query "orphans"\] sql: the target refuses the query: .*no_such_column'
expect_out '^bad.conf: 10 named objects are missing from '
expect_not_out 'public.projects does not exist|portal_app|token_hash|revoked_at|occurred_at'
check "no store was written" test ! -e vouch.db
end_case

test_case "a default column the table lacks is named at the table's line"
psql_q -c 'create table public.attest (id int, period date, region text)'
printf '[target]\ndsn = dbname=cc\n[residency]\ntable = public.attest\nregions = x\n' >def.conf
v -c def.conf check-config
expect_rc 1
expect_out '^def.conf:4: \[residency\] table: table public.attest has no column document_sha256 \(the default of hash_column\)$'
expect_not_out 'column period|column region'
end_case

test_case "a bad configuration exits 2 before connecting"
printf '[target]\ndsn = dbname=cc\n[rowcount]\ntabel = x\n' >typo.conf
v -c typo.conf check-config
expect_rc 2
expect_err '^vouch: typo.conf:4: \[rowcount\] tabel: unknown key$'
expect_not_out .
end_case

test_case "an unreachable target exits 3 and says so once"
printf '[target]\ndsn = host=/nonexistent dbname=cc connect_timeout=2\n[rowcount]\ntable = public.projects\n' >far.conf
v -c far.conf check-config
expect_rc 3
expect_err 'could not connect'
check "the connection error is printed once" test "$(grep -c 'could not connect' "$ERR")" = 1
check "no store was written" test ! -e vouch.db
end_case
