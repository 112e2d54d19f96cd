# rowcount: sequences a restore left behind. A data-only or selective restore loads the rows
# but not the sequences' positions: every check passes and the application's first INSERT
# fails on a duplicate key. The schema is tests/integration/fixtures/saas_tenancy.sql
# (serial, identity BY DEFAULT and ALWAYS, a sequence only a column default uses, and an
# unindexed column fed by a sequence).

fixture=$top/tests/integration/fixtures/saas_tenancy.sql
new_db() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    createdb "$1"
}
new_db seq_healthy
psql -X -q -v ON_ERROR_STOP=1 -d seq_healthy -f "$fixture" >/dev/null
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=seq_healthy

[rowcount]
schema = app
CONF
pg_dump -Fc -d seq_healthy -f healthy.dump
no_index='^WARN +rowcount +sequence app\.import_batches_batch_no_seq +checked +not checked +app\.import_batches_batch_no_seq was not checked against app\.import_batches\.batch_no: no btree index leads with app\.import_batches\.batch_no, and vouch does not scan a whole table for its maximum: run CREATE INDEX ON app\.import_batches \(batch_no\) to have it checked$'

test_case "baseline of a healthy database: only the unindexed column warns, as not checked"
v baseline
expect_rc 0
expect_out "$no_index"
expect_not_out 'sequence app\.(organizations|memberships|projects|invoices)'
expect_not_out 'invoice_number_seq'
end_case

test_case "the healthy database passes; the sequence of an unindexed column warns"
v gate
expect_rc 0
expect_out "$no_index"
check "no sequence fails" test "$(grep -Ec '^FAIL' "$OUT")" = 0
end_case

test_case "a selective data restore into a fresh database leaves every sequence behind"
new_db seq_data
pg_restore --schema-only -d seq_data healthy.dump
# The tables' data only, as a restore of chosen tables does: no SEQUENCE SET entries.
pg_restore --data-only --disable-triggers -t organizations -t memberships -t projects -t invoices \
    -t import_batches -d seq_data healthy.dump
check "the rows are back" test "$(psql_q -d seq_data -c 'select count(*) from app.invoices')" = 300
v gate --target dbname=seq_data
expect_rc 1
expect_out "^pass +rowcount +app\.invoices +300 +300 "
expect_out "^FAIL +rowcount +sequence app\.organizations_id_seq +past 40 +1 \(not yet called\) +app\.organizations_id_seq hands out 1 next, but app\.organizations\.id already holds up to 40 \(a data-only or selective restore leaves sequences behind\): the next INSERT fails on a duplicate key; run SELECT pg_catalog\.setval\('app\.organizations_id_seq', 40\)$"
# identity columns, BY DEFAULT and ALWAYS
expect_out "^FAIL +rowcount +sequence app\.memberships_id_seq +past 200 +1 \(not yet called\) .*setval\('app\.memberships_id_seq', 200\)$"
expect_out "^FAIL +rowcount +sequence app\.projects_id_seq +past 120 +1 \(not yet called\) .*setval\('app\.projects_id_seq', 120\)$"
# a sequence no column owns, only a column default uses
expect_out "^FAIL +rowcount +sequence app\.invoice_number_seq +past 1299 +1000 \(not yet called\) +app\.invoice_number_seq hands out 1000 next, but app\.invoices\.number already holds up to 1299 .*run SELECT pg_catalog\.setval\('app\.invoice_number_seq', 1299\)$"
expect_out "^FAIL +rowcount +sequence app\.invoices_id_seq +past 300 "
expect_out "$no_index"
check "five sequences fail" test "$(grep -Ec '^FAIL +rowcount +sequence' "$OUT")" = 5
end_case

test_case "the application's INSERT fails as the finding says, and the setvals fix it"
if psql_q -d seq_data -c "insert into app.invoices (organization_id, amount_cents) values (1, 5)" 2>insert.err; then
    _fail "the insert into a restored table with its sequence behind did not fail"
fi
check "a duplicate key" grep -q 'duplicate key value violates unique constraint' insert.err
grep -o 'run SELECT pg_catalog\.setval(.*)$' "$OUT" | sed 's/^run //; s/$/;/' >fix.sql
check "five setvals" test "$(wc -l <fix.sql)" = 5
psql_q -d seq_data -f fix.sql >/dev/null
v gate --target dbname=seq_data
expect_rc 0
expect_not_out '^FAIL'
psql_q -d seq_data -c "insert into app.invoices (organization_id, amount_cents) values (1, 5)"
end_case

test_case "a sequence set back on an otherwise faithful copy fails (is_called counts)"
dropdb --if-exists seq_back >/dev/null 2>&1 || true
createdb -T seq_healthy seq_back
psql_q -d seq_back -c "select setval('app.organizations_id_seq', 40, false)" >/dev/null
v gate --target dbname=seq_back
expect_rc 1
expect_out "^FAIL +rowcount +sequence app\.organizations_id_seq +past 40 +40 \(not yet called\) +app\.organizations_id_seq hands out 40 next"
psql_q -d seq_back -c "select setval('app.organizations_id_seq', 40)" >/dev/null
v gate --target dbname=seq_back
expect_rc 0
psql_q -d seq_back -c "select setval('app.organizations_id_seq', 39)" >/dev/null
v gate --target dbname=seq_back
expect_rc 1
expect_out "^FAIL +rowcount +sequence app\.organizations_id_seq +past 40 +39 +app\.organizations_id_seq hands out 40 next"
end_case

test_case "a healthy database with a stale sequence warns at baseline, naming it"
psql_q -d seq_back -c "select setval('app.invoice_number_seq', 1200)" >/dev/null
v --store back.db baseline --target dbname=seq_back
expect_rc 0
expect_out "^WARN +rowcount +sequence app\.invoice_number_seq +past 1299 +1200 +.*the next INSERT fails on a duplicate key \(the healthy database has this too\); run SELECT pg_catalog\.setval\('app\.invoice_number_seq', 1299\)$"
expect_out "^WARN +rowcount +sequence app\.organizations_id_seq "
end_case

test_case "a descending sequence is judged by the column's minimum"
dropdb --if-exists seq_desc >/dev/null 2>&1 || true
createdb seq_desc
psql_q -d seq_desc -c "create table public.ledger (id bigint generated by default as identity (increment by -1 start with -1) primary key, note text);
    insert into public.ledger (note) select 'n' from generate_series(1, 10);
    select setval('public.ledger_id_seq', -5)" >/dev/null
printf '[target]\ndsn = dbname=seq_desc\n[rowcount]\ntable = public.ledger\n' >desc.conf
v -c desc.conf --store desc.db baseline
expect_rc 0
expect_out "^WARN +rowcount +sequence public\.ledger_id_seq +below -10 +-5 +public\.ledger_id_seq hands out -6 next, but public\.ledger\.id already holds down to -10 .*setval\('public\.ledger_id_seq', -10\)$"
end_case

test_case "names that need quotes are quoted in the subject and in a setval that runs"
dropdb --if-exists seq_quoted >/dev/null 2>&1 || true
createdb seq_quoted
psql_q -d seq_quoted -c 'create schema "Billing";
    create table "Billing"."Tenant'"'"'s Orders" ("Order Id" serial primary key, note text);
    insert into "Billing"."Tenant'"'"'s Orders" (note) select '"'"'n'"'"' from generate_series(1, 7);
    select setval(pg_get_serial_sequence('"'"'"Billing"."Tenant'"''"'s Orders"'"'"', '"'"'Order Id'"'"'), 2)' >/dev/null
printf '[target]\ndsn = dbname=seq_quoted\n[rowcount]\nschema = "Billing"\n' >quoted.conf
v -c quoted.conf --store quoted.db baseline
expect_rc 0
expect_out "^WARN +rowcount +sequence \"Billing\"\.\"Tenant's Orders_Order Id_seq\" +past 7 +2 .*already holds up to 7 .*run SELECT pg_catalog\.setval\('\"Billing\"\.\"Tenant''s Orders_Order Id_seq\"', 7\)$"
grep -o 'run SELECT pg_catalog\.setval(.*)$' "$OUT" | sed 's/^run //; s/$/;/' >fix.sql
psql_q -d seq_quoted -f fix.sql >/dev/null
v -c quoted.conf --store quoted.db gate
expect_rc 0
expect_not_out 'sequence'
end_case

test_case "the maximum of an indexed column is read through its index, never a Seq Scan"
dropdb --if-exists seq_explain >/dev/null 2>&1 || true
createdb -T seq_healthy seq_explain
# Every plan vouch's sessions run is written to the server log.
psql_q -d seq_explain -c "alter database seq_explain set session_preload_libraries = 'auto_explain';
    alter database seq_explain set auto_explain.log_min_duration = 0"
log=$work/pg/postgres.log
before=$(wc -l <"$log")
v gate --target dbname=seq_explain
expect_rc 0
tail -n +"$((before + 1))" "$log" >plans.log
# The log entries (one per plan) whose query text reads a maximum.
awk '/^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { if (e ~ /Query Text: SELECT (max|min)\(/) print e "\n----"; e = "" } { e = e "\n" $0 }
     END { if (e ~ /Query Text: SELECT (max|min)\(/) print e "\n----" }' plans.log >max_plans.log
check "five maxima were read (the unindexed column's is not)" \
    test "$(grep -c 'Query Text: SELECT max(' max_plans.log)" = 5
check "every maximum came from an index" test "$(grep -c 'Index Only Scan Backward' max_plans.log)" = 5
check "no maximum was read by a Seq Scan" sh -c "! grep -q 'Seq Scan' max_plans.log"
check "the unindexed column's maximum was not read" sh -c "! grep -q 'max(batch_no)' plans.log"
end_case
