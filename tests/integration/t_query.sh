# query: the team's own regression queries on a Rails-style shop (fixtures/query_shop.sql),
# each expectation passing on a healthy copy and failing on a broken one, and the
# attacks: statements that write, two statements, comments, a changed query, the
# statement timeout, and result rows kept out of the store.

createdb shop
psql -X -q -v ON_ERROR_STOP=1 -d shop -f "$top/tests/integration/fixtures/query_shop.sql" >/dev/null

# shop_copy NAME SQL...: a copy of the healthy shop with the statements applied.
shop_copy() {
    local db=$1
    shift
    dropdb --if-exists "$db" 2>/dev/null
    createdb -T shop "$db"
    for sql in "$@"; do
        psql_q -d "$db" -c "$sql"
    done
}

# qconf SQL EXPECT [TARGET-EXTRA]: a config with one [query].
qconf() {
    cat >vouch.conf <<CONF
[target]
dsn = dbname=shop
${3:-}

[store]
path = q.db

[query]
sql = $1
expect = $2
CONF
}
line_of() { grep -n "^$1 = " vouch.conf | cut -d: -f1; }

# What vouch might touch: the tripwire, the sequence, the orders.
fingerprint() {
    psql_q -d "$1" -c "select (select count(*) from public.tripwire),
                              (select last_value from public.invoice_numbers),
                              (select count(*) from public.orders),
                              (select count(*) from pg_catalog.pg_class)"
}
SHOP=$(fingerprint shop)

ORPHANS='SELECT count(*) = 0 FROM public.orders o WHERE NOT EXISTS (SELECT 1 FROM public.accounts a WHERE a.id = o.account_id)'

test_case "query: expect = true passes on a healthy copy"
qconf "$ORPHANS" true
v baseline
expect_rc 0
expect_empty_err
expect_out '^  query: captured$'
shop_copy shop_ok
v gate --target dbname=shop_ok
expect_rc 0
expect_empty_err
expect_out '^pass +query +SELECT count\(\*\) = 0 FROM public\.orders o WHERE NOT EXISTS \(S\.\.\. +true +true +the query returns true$'
end_case

test_case "query: expect = true fails when the query returns false"
shop_copy shop_orphan 'delete from public.accounts where id = 3'
v gate --target dbname=shop_orphan
expect_rc 1
expect_empty_err
expect_out "^FAIL +query +SELECT count.* +true +false +the query returns false \\(vouch\\.conf:$(line_of sql)\\)$"
end_case

test_case "query: expect = true needs one boolean row"
qconf 'SELECT id FROM public.accounts' true
v gate --target dbname=shop_ok
expect_rc 1
expect_out "^FAIL +query +SELECT id FROM public\\.accounts +true +- +the query's column is bigint, not boolean \\(vouch\\.conf:$(line_of sql)\\)$"
end_case

PER_ACCOUNT='SELECT account_id, sum(total_cents) AS total FROM public.orders GROUP BY account_id;'

test_case "query: expect = baseline passes when the rows are the same"
qconf "$PER_ACCOUNT" baseline
v baseline
expect_rc 0
expect_empty_err
v gate --target dbname=shop_ok
expect_rc 0
expect_out '^pass +query +SELECT account_id, sum\(total_cents\) AS total FROM public\.ord\.\.\. +20 rows, digest [0-9a-f]{12} +20 rows, digest [0-9a-f]{12} +the query.s 20 rows equal the baseline.s$'
end_case

test_case "query: expect = baseline fails on rows moved between accounts (same count)"
shop_copy shop_moved 'update public.orders set account_id = 5 where id = 45'
v gate --target dbname=shop_moved
expect_rc 1
expect_empty_err
expect_out "^FAIL +query +SELECT account_id.* +20 rows, digest ([0-9a-f]{12}) +20 rows, digest [0-9a-f]{12} +the query returns as many rows as at the baseline but not the same ones: the digest differs \\(vouch\\.conf:$(line_of sql)\\)$"
end_case

test_case "query: expect = baseline fails on a lost row, naming both counts"
shop_copy shop_lost 'delete from public.orders where account_id = 9'
v gate --target dbname=shop_lost
expect_rc 1
expect_out '^FAIL +query +SELECT account_id.* +20 rows, digest [0-9a-f]{12} +19 rows, digest [0-9a-f]{12} +the query returns 19 rows, 20 at the baseline '
end_case

test_case "query: the digest does not hang on the session's time zone or date style"
qconf 'SELECT id, created_at, created_at::date, now() - created_at > interval $$1 day$$ FROM public.accounts' baseline
PGTZ=UTC PGDATESTYLE=ISO v baseline
expect_rc 0
PGTZ=Australia/Sydney PGDATESTYLE='SQL, DMY' v gate --target dbname=shop_ok
expect_rc 0
expect_out '^pass +query +SELECT id, created_at.* +20 rows, digest ([0-9a-f]{12}) +20 rows, digest [0-9a-f]{12} +the query.s 20 rows equal the baseline.s$'
end_case

test_case "query: a changed SQL text is reported, not compared"
qconf "$PER_ACCOUNT" baseline
v baseline
expect_rc 0
qconf 'SELECT account_id, count(*) FROM public.orders GROUP BY account_id' baseline
v gate --target dbname=shop_ok
expect_rc 1
expect_empty_err
expect_out "^ERROR +query +SELECT account_id, count\\(\\*\\) FROM public\\.orders GROUP BY acco\\.\\.\\. +- +- +the query's SQL changed since the baseline; take a new baseline \\(vouch\\.conf:$(line_of sql)\\)$"
expect_out '^ +at the baseline: SELECT account_id, sum\(total_cents\) AS total FROM public\.orders GROUP BY account_id$'
end_case

test_case "query: at-least N passes and fails on a single number"
qconf "SELECT count(*) FROM public.orders WHERE status = 'paid'" 'at-least 150'
v baseline
expect_rc 0
v gate --target dbname=shop_ok
expect_rc 0
expect_out '^pass +query +SELECT count.* +at least 150 +150 +the query returns 150, at least the minimum$'
shop_copy shop_fewer "delete from public.orders where id < 10"
v gate --target dbname=shop_fewer
expect_rc 1
expect_out "^FAIL +query +SELECT count.* +at least 150 +143 +the query returns 143, below the minimum 150 \\(vouch\\.conf:$(line_of sql)\\)$"
end_case

test_case "query: tolerance N% against the baseline's number"
qconf 'SELECT sum(total_cents) FROM public.orders' 'tolerance 5%'
v baseline
expect_rc 0
shop_copy shop_more 'insert into public.orders (account_id, total_cents, status) values (1, 50000, $$paid$$)'
v gate --target dbname=shop_more
expect_rc 0
expect_out '^pass +query +SELECT sum\(total_cents\) FROM public\.orders +2\.01e\+06 ± 5% +2060000 +the query returns 2060000, within the tolerance$'
shop_copy shop_double 'update public.orders set total_cents = total_cents * 2'
v gate --target dbname=shop_double
expect_rc 1
expect_out '^FAIL +query +SELECT sum.* +2\.01e\+06 ± 5% +4020000 +the query returns 4020000, more than 5% away from 2\.01e\+06 at the baseline'
end_case

test_case "query: result rows never reach the store"
qconf 'SELECT id, name, plan FROM public.accounts' baseline
v baseline
expect_rc 0
v gate --target dbname=shop_ok
expect_rc 0
check "the marker is in the database" test "$(psql_q -d shop -c 'select count(*) from public.accounts where name like $$zq-marker%$$')" = 1
expect_file_lacks 'zq-marker' q.db q.db-wal q.db-journal
expect_file_lacks 'account 13' q.db q.db-wal q.db-journal
end_case

# ------------------------------------------------------------------ attacks
# A harmless baseline, so that the gate runs each hostile query of expect = true.
qconf 'SELECT true' true
v baseline
expect_rc 0

# hostile SQL: the gate with this query and expect = true.
hostile() {
    qconf "$1" true
    v gate --target dbname=shop
}

test_case "query: INSERT ... RETURNING is refused before connecting"
hostile 'INSERT INTO public.tripwire DEFAULT VALUES RETURNING true'
expect_rc 2
expect_err "^vouch: vouch\\.conf:$(line_of sql): \\[query\\] sql: the query starts with \"INSERT\": give one SELECT, WITH, VALUES or TABLE statement that returns rows$"
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: a CTE that deletes is refused by the server, nothing deleted"
hostile 'WITH gone AS (DELETE FROM public.orders RETURNING id) SELECT count(*) > 0 FROM gone'
expect_rc 1
expect_out "^ERROR +query +WITH gone AS .* +- +- +the server refuses the query \\(vouch\\.conf:$(line_of sql)\\): WITH clause containing a data-modifying statement must be at the top level"
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: a WITH that ends in INSERT ... RETURNING is refused by the server"
hostile 'WITH x AS (SELECT 1) INSERT INTO public.tripwire SELECT now() FROM x RETURNING true'
expect_rc 1
expect_out "^ERROR +query +WITH x AS .* +- +- +the server refuses the query \\(vouch\\.conf:$(line_of sql)\\): syntax error at or near \"INSERT\""
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: SELECT ... FOR UPDATE takes no lock in the read-only snapshot"
hostile 'SELECT count(*) > 0 FROM (SELECT id FROM public.orders FOR UPDATE) AS locked'
expect_rc 1
expect_out '^ERROR +query +SELECT count.* +the query could not run .*: cannot execute SELECT FOR UPDATE in a read-only transaction'
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: nextval() fails in the read-only snapshot, the sequence stays"
hostile "SELECT nextval('public.invoice_numbers') > 0"
expect_rc 1
expect_out '^ERROR +query +SELECT nextval.* +the query could not run \(vouch\.conf:[0-9]+\): cannot execute nextval\(\) in a read-only transaction'
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: a function that writes fails, the tripwire stays empty"
hostile 'SELECT public.touch_tripwire()'
expect_rc 1
expect_out '^ERROR +query +SELECT public\.touch_tripwire\(\) +- +- +the query could not run .*: cannot execute INSERT in a read-only transaction'
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: a write at baseline time stops the baseline and writes nothing"
qconf 'SELECT public.touch_tripwire()' true
v baseline
expect_rc 3
expect_err "^vouch: query: vouch\\.conf:$(line_of sql): \\[query\\] sql: the query could not run: cannot execute INSERT in a read-only transaction"
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: two statements are refused"
hostile 'SELECT true; DELETE FROM public.orders'
expect_rc 2
expect_err "^vouch: vouch\\.conf:$(line_of sql): \\[query\\] sql: a ';' outside quotes is not allowed: give one statement$"
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: a statement that closes vouch's parenthesis is refused"
hostile 'SELECT 1) AS vouch_q; DELETE FROM public.orders; SELECT (true'
expect_rc 2
expect_err "^vouch: vouch\\.conf:$(line_of sql): \\[query\\] sql: a '\\)' closes a parenthesis the statement did not open$"
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: a comment that would eat vouch's closing parenthesis is refused"
hostile 'SELECT true --'
expect_rc 2
expect_err "^vouch: vouch\\.conf:$(line_of sql): \\[query\\] sql: a comment \\(--\\) is not allowed$"
hostile 'SELECT true /* ) AS q; DELETE FROM public.orders; */'
expect_rc 2
expect_err 'a comment \(/\* \*/\) is not allowed'
check "shop untouched" test "$(fingerprint shop)" = "$SHOP"
end_case

test_case "query: the run's statement timeout applies"
qconf 'SELECT pg_sleep(3) IS NOT NULL' true 'statement_timeout = 300ms'
v gate --target dbname=shop
expect_rc 1
expect_out '^ERROR +query +SELECT pg_sleep\(3\) IS NOT NULL +- +- +the query could not run .*: canceling statement due to statement timeout'
end_case

test_case "query: a missing expect and an unknown one are configuration errors"
printf '[query]\nsql = SELECT true\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err "bad\\.conf:1: \\[query\\] is missing required key 'expect'"
printf '[query]\nsql = SELECT true\nexpect = mostly\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err 'bad\.conf:3: \[query\] expect: unknown expectation "mostly": use true, baseline, at-least N or tolerance N%'
end_case
