# Attacks on the SQL vouch sends: configured expressions that try to leave their
# parentheses or the read-only transaction, values that try to become SQL, and the
# connection plumbing under a lost backend and Ctrl-C. Each attack asserts the exit
# code, the message naming the key, and that nothing was written to the target.

fresh_db adv
psql_q -d adv <<'SQL'
create table public.tripwire (at timestamptz default now());
create sequence public.adv_seq;
create function public.adv_write() returns int language plpgsql as
  $$begin insert into public.tripwire default values; return 1; end$$;
SQL

# A fingerprint of what the target holds: every relation and the rows vouch might touch.
# Taken before and after each attack: equal means nothing was written.
fingerprint() {
    psql_q -d "$1" -c "select (select count(*) from pg_catalog.pg_class),
                              (select count(*) from public.audit_log),
                              (select count(*) from public.tripwire),
                              (select last_value from public.adv_seq),
                              (select count(*) from pg_catalog.pg_largeobject_metadata),
                              to_regclass('public.pwned') is null"
}
BEFORE=$(fingerprint adv)

expect_untouched() {
    check "public.pwned does not exist in $1" \
        test "$(psql_q -d "$1" -c "select to_regclass('public.pwned') is null")" = t
    check "the fingerprint of $1 is unchanged" test "$(fingerprint "$1")" = "$2"
}

# audit_conf KEY VALUE: an [audit_log] section with a chain and KEY = VALUE (digest or
# row_bytes; the other keeps its healthy value).
audit_conf() {
    local digest="" row_bytes='public.audit_log_row_bytes(id, occurred_at, actor, action, agency_id, payload)'
    [ "$1" = digest ] && digest="digest = $2"
    [ "$1" = row_bytes ] && row_bytes=$2
    cat >vouch.conf <<CONF
[target]
dsn = dbname=${3:-adv}

[audit_log]
table = public.audit_log
time_column = occurred_at
range = 1000
row_hash_column = row_hash
prev_hash_column = prev_hash
row_bytes = $row_bytes
$digest
CONF
}
line_of() { grep -n "^$1 = " vouch.conf | cut -d: -f1; }

test_case "row_bytes that ends the COPY and the transaction is refused before connecting"
audit_conf row_bytes 'NULL) FROM public.audit_log AS vouch_row) TO STDOUT; COMMIT; CREATE TABLE public.pwned AS SELECT 1; --'
v baseline
expect_rc 2
expect_err "^vouch: vouch\\.conf:$(line_of row_bytes): \\[audit_log\\] row_bytes: a '\\)' closes a parenthesis the expression did not open$"
expect_untouched adv "$BEFORE"
end_case

test_case "digest that closes its parentheses and adds a statement is refused"
audit_conf digest 'id) FROM public.audit_log AS vouch_row; CREATE TABLE public.pwned AS SELECT 1; SELECT (1'
v baseline
expect_rc 2
expect_err "^vouch: vouch\\.conf:$(line_of digest): \\[audit_log\\] digest: a '\\)' closes a parenthesis"
expect_untouched adv "$BEFORE"
end_case

test_case "the probe's trap (an expression that comments out the rest) is refused"
audit_conf digest '1) FROM public.audit_log AS vouch_row LIMIT 0 --'
v gate
expect_rc 2
expect_err "^vouch: vouch\\.conf:$(line_of digest): \\[audit_log\\] digest: a '\\)' closes"
audit_conf row_bytes 'public.audit_log_row_bytes(id, occurred_at, actor, action, agency_id, payload) -- x'
v baseline
expect_rc 2
expect_err "^vouch: vouch\\.conf:$(line_of row_bytes): \\[audit_log\\] row_bytes: a comment \\(--\\) is not allowed$"
expect_untouched adv "$BEFORE"
end_case

test_case "a ';' and a backslash quote are refused lexically"
audit_conf digest "id::text; CREATE TABLE public.pwned AS SELECT 1"
v baseline
expect_rc 2
expect_err "\\[audit_log\\] digest: a ';' outside quotes is not allowed"
# Under standard_conforming_strings = off the \' would not end the string.
audit_conf digest "'\\'); CREATE TABLE public.pwned AS SELECT 1; --'"
v baseline
expect_rc 2
expect_err "\\[audit_log\\] digest: a backslash in a '...' string is not allowed"
# Inside quotes the same characters are only text: this one is one expression.
audit_conf row_bytes "E'\\\\x00'::bytea || convert_to(\$q\$; -- ) \$q\$, 'UTF8')"
v baseline
expect_rc 0
expect_untouched adv "$BEFORE"
end_case

test_case "what the lexer passes but is not one value a row is refused by the server's parse"
# Only the server can tell, so the run has begun: the baseline stops (exit 3, stored aborted
# naming the key) and captures nothing.
audit_conf digest 'count(*)'
v baseline
expect_rc 3
expect_err "^vouch: audit_log: vouch\\.conf:$(line_of digest): \\[audit_log\\] digest: not usable as one text value per row of public\\.audit_log: aggregate function calls cannot be nested$"
audit_conf row_bytes '(id, actor)'
v baseline
expect_rc 3
expect_err "^vouch: audit_log: vouch\\.conf:$(line_of row_bytes): \\[audit_log\\] row_bytes: not usable as one bytea value per row of public\\.audit_log: cannot cast type record to bytea$"
audit_conf digest 'no_such_column'
v baseline
expect_rc 3
expect_err '\[audit_log\] digest: not usable as one text value per row of public\.audit_log: column "no_such_column" does not exist'
expect_untouched adv "$BEFORE"
end_case

test_case "side effects through a subquery: the read-only snapshot refuses the write"
audit_conf digest '(SELECT public.adv_write())::text || id'
v baseline
expect_rc 3
expect_err 'cannot execute INSERT in a read-only transaction'
audit_conf digest "pg_catalog.nextval('public.adv_seq')"
v baseline
expect_rc 3
expect_err 'cannot execute nextval\(\) in a read-only transaction'
# lo_create is one write PostgreSQL allows in a READ ONLY transaction: vouch's final
# ROLLBACK (never a COMMIT) is what undoes it.
audit_conf digest "pg_catalog.lo_create(0)::text"
v baseline
expect_rc 0
expect_untouched adv "$BEFORE"
end_case

test_case "a digest the restore broke is an error result naming the key; the rest goes on"
fresh_db adv_digest
psql_q -d adv_digest -c 'create function public.adv_digest(bigint) returns text immutable language sql as $$select $1::text$$'
audit_conf digest 'public.adv_digest(id)' adv_digest
v baseline
expect_rc 0
psql_q -d adv_digest -c 'drop function public.adv_digest(bigint)'
v gate
expect_rc 1
expect_out "^ERROR +audit_log +public\\.audit_log +- +- +nothing checked: vouch\\.conf:$(line_of digest): \\[audit_log\\] digest: not usable as one text value per row of public\\.audit_log: function public\\.adv_digest\\(bigint\\) does not exist"
expect_out '^pass +audit_log +trigger|^gate closed'
end_case

test_case "values that look like SQL stay values: rls probe and share_tokens regex"
before_tok=$(fingerprint adv)
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=adv

[rls]
table = public.projects
probe = portal_app public.projects agency_id=1');CREATE/**/TABLE/**/public.pwned/**/AS/**/SELECT/**/1;-- app.agency_id=1');CREATE/**/TABLE/**/public.pwned();--

[share_tokens]
table = public.share_links
hash = token_hash
format = regex:^[0-9a-f]{64}$|x'\); CREATE TABLE public.pwned AS SELECT 1; --
expires = expires_at
created = created_at
CONF
v baseline
expect_rc 0
v gate
expect_rc 1
# The tenant value reaches the server as a value: it is not a bigint, and no more.
expect_out "^FAIL +rls +probe projects as portal_app .* could not run: invalid input syntax for type bigint: \"1'\\);CREATE/\\*\\*/TABLE"
expect_out "^pass +share_tokens +public\\.share_links hashes +regex:.*CREATE TABLE public\\.pwned AS SELECT 1; -- +all 400 "
expect_untouched adv "$before_tok"
end_case

test_case "a probe may not set the session's own settings"
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=adv

[rls]
table = public.projects
probe = portal_app public.projects agency_id=1 transaction_read_only=off
CONF
v gate
expect_rc 2
expect_err "^vouch: vouch\\.conf:$(line_of probe): \\[rls\\] probe: \"transaction_read_only\" is not a custom setting name"
expect_untouched adv "$BEFORE"
end_case

# ------------------------------------------------ the connections under stress
# A switch turns the views below slow (or failing) after the baseline is taken.
fresh_db adv_conn
psql_q -d adv_conn <<'SQL'
create table public.switch (flag text);
create function public.maybe_fail() returns boolean volatile language plpgsql as
  $$begin if exists (select from public.switch) then raise exception 'adv: this count fails'; end if;
          return true; end$$;
create function public.maybe_sleep() returns boolean volatile language plpgsql as
  $$begin if exists (select from public.switch) then perform pg_catalog.pg_sleep(0.5); end if;
          return true; end$$;
create view public.v_fails as select * from public.projects where public.maybe_fail();
create view public.v_slow_count as select * from public.tasks where public.maybe_sleep();
create view public.v_slow_evidence as
  select * from public.residency_evidence where public.maybe_sleep();
SQL

# wait_for_query PATTERN: the pid of the vouch backend whose running query matches, within 30 s.
wait_for_query() {
    local pid="" i
    for i in $(seq 1 300); do
        pid=$(psql_q -d adv_conn -c "select pid from pg_catalog.pg_stat_activity
                                     where application_name = 'vouch' and state = 'active'
                                     and query like '%$1%' limit 1")
        [ -n "$pid" ] && break
        sleep 0.1
    done
    echo "$pid"
}
# wait_exit PID SECONDS: wait for vouch to end; its exit code in RC, or 124 if it did not.
wait_exit() {
    local i
    for i in $(seq 1 $(($2 * 10))); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$1" 2>/dev/null; then
        kill -KILL "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
        RC=124
    else
        set +e
        wait "$1"
        RC=$?
        set -e
    fi
}
end_vouch_backends() {
    psql_q -d adv_conn -c "select pg_catalog.pg_terminate_backend(pid) from pg_catalog.pg_stat_activity
                           where application_name = 'vouch'" >/dev/null
}

test_case "Ctrl-C still cancels the leader's query after a worker's query failed"
cat >vouch.conf <<CONF
[target]
dsn = dbname=adv_conn
jobs = 2

[rowcount]
table = public.projects
table = public.v_fails

[residency]
table = public.v_slow_evidence
regions = ap-southeast-2, ap-southeast-4
host = $PGHOST
CONF
v baseline
expect_rc 0
psql_q -d adv_conn -c "insert into public.switch values ('on')"
"$VOUCH" ${VOUCH_TEST_STORE_URL:+--store "$VOUCH_TEST_STORE_URL"} gate >"$OUT" 2>"$ERR" &
gate_pid=$!
slow=$(wait_for_query v_slow_evidence)
check "the slow residency query runs" test -n "$slow"
# rowcount's failed worker is closed: the leader is vouch's only connection left.
check "the failed worker is gone" test "$(psql_q -d adv_conn -c "select count(*) from
    pg_catalog.pg_stat_activity where application_name = 'vouch'")" = 1
started=$SECONDS
kill -INT "$gate_pid"
wait_exit "$gate_pid" 20
expect_rc 3
check "vouch ended within 5 s of SIGINT (took $((SECONDS - started)) s)" test $((SECONDS - started)) -le 5
expect_err 'interrupted'
end_vouch_backends
psql_q -d adv_conn -c "delete from public.switch"
end_case

test_case "a worker's lost connection names the query that was lost"
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=adv_conn
jobs = 2

[rowcount]
table = public.audit_log
table = public.v_slow_count
CONF
v baseline
expect_rc 0
psql_q -d adv_conn -c "insert into public.switch values ('on')"
"$VOUCH" ${VOUCH_TEST_STORE_URL:+--store "$VOUCH_TEST_STORE_URL"} gate >"$OUT" 2>"$ERR" &
gate_pid=$!
slow=$(wait_for_query v_slow_count)
check "the slow count runs" test -n "$slow"
psql_q -d adv_conn -c "select pg_catalog.pg_terminate_backend($slow)" >/dev/null
wait_exit "$gate_pid" 20
expect_rc 1
expect_out '^ERROR +rowcount .*could not count public\.v_slow_count: lost the connection: terminating connection due to administrator command'
expect_not_out 'could not count public\.audit_log'
end_vouch_backends
psql_q -d adv_conn -c "delete from public.switch"
end_case

test_case "the leader's lost connection names its query and aborts the run"
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=adv_conn
jobs = 2

[rowcount]
table = public.v_slow_count
table = public.audit_log
CONF
v baseline
expect_rc 0
psql_q -d adv_conn -c "insert into public.switch values ('on')"
"$VOUCH" ${VOUCH_TEST_STORE_URL:+--store "$VOUCH_TEST_STORE_URL"} gate >"$OUT" 2>"$ERR" &
gate_pid=$!
slow=$(wait_for_query v_slow_count)
check "the slow count runs" test -n "$slow"
psql_q -d adv_conn -c "select pg_catalog.pg_terminate_backend($slow)" >/dev/null
wait_exit "$gate_pid" 20
expect_rc 3
expect_err 'could not count public\.v_slow_count: lost the connection: terminating connection due to administrator command'
expect_not_out 'could not count public\.audit_log'
end_vouch_backends
psql_q -d adv_conn -c "delete from public.switch"
end_case
