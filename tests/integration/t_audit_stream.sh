# audit_log streamed over several connections gives what one stream gives: every fault
# of t_audit_log.sh, and faults placed exactly at the seams between the parts, checked
# with jobs = 1 (one stream), 2 and 3, comparing every result (subject, status, expected,
# observed, reason, detail).
#
# The log holds ids 1..10000 in ranges of 1000 (11 ranges: key 0 holds 1-999, key 10 only
# 10000). The parts split at range boundaries with about as many baseline rows each:
# jobs = 2 splits at id 6000, jobs = 3 at 4000 and 7000.
#
# Then the scheduler: a gate at jobs 2 with other checks runs them beside the stream on a
# lent connection that joins the stream after (the same results as jobs 1, the connections
# really used in -v, the server's log showing which backend ran what), a run that stops in
# a check beside the stream, and an interrupt while both lanes run.

fresh_db stream_healthy
# jobs J: the configuration, vouch.conf (one name, so that reasons quoting FILE:LINE
# read the same), with jobs = J.
jobs() {
    cat >vouch.conf <<CONF
[target]
dsn = dbname=stream_healthy
jobs = $1

[store]
path = stream.db

[audit_log]
table = public.audit_log
time_column = occurred_at
range = 1000
row_hash_column = row_hash
prev_hash_column = prev_hash
row_bytes = public.audit_log_row_bytes(id, occurred_at, actor, action, agency_id, payload)
rpo = 24h
trigger = public.projects audit_project_change
function = public.audit_log_append
CONF
}

# stream_copy NAME SQL: a real restore of the healthy database, then SQL run on it.
stream_copy() {
    [ -f stream_healthy.dump ] || pg_dump -Fc -d stream_healthy -f stream_healthy.dump
    dropdb --if-exists "$1" 2>/dev/null
    createdb "$1"
    pg_restore -d "$1" --no-owner stream_healthy.dump 2>restore.log || true
    psql_q -d "$1" -c "$2" >/dev/null
}

# results DB JOBS [ARGS...]: the results of `check audit_log`, one JSON line each, into
# res.DB.JOBS; the exit code into rc.DB.JOBS.
results() {
    local db=$1 j=$2
    shift 2
    jobs "$j"
    v check audit_log --target "dbname=$db" --format json "$@"
    echo "$RC" >"rc.$db.$j"
    jq -c '.results[] | [.subject, .status, .expected, .observed, .reason, .detail]' "$OUT" \
        >"res.$db.$j"
}

# same_results DB [ARGS...]: jobs 2 and 3 give exactly jobs 1's results and exit code,
# and the log was really split (the parts' COPY statements reached the server).
same_results() {
    local db=$1
    shift
    results "$db" 1 "$@"
    check "jobs 1 gave results for $db" test -s "res.$db.1"
    for j in 2 3; do
        results "$db" "$j" "$@"
        if ! cmp -s "res.$db.1" "res.$db.$j"; then
            _fail "jobs $j differs from jobs 1 on $db: $(diff "res.$db.1" "res.$db.$j" | head -20)"
        fi
        check "jobs $j exit code on $db" cmp -s "rc.$db.1" "rc.$db.$j"
    done
}

test_case "the baseline, and a clean restore split at 6000 and at 4000, 7000"
jobs 1
v baseline
expect_rc 0
stream_copy s_clean "select 1"
before=$(wc -l <"$PGHOST/postgres.log")
jobs 3
PGOPTIONS="$PGOPTIONS -c log_statement=all" v -v check audit_log --target dbname=s_clean
expect_rc 0
expect_err '^vouch: audit_log: checked in [0-9.]+ s over 3 connections$'
tail -n +"$before" "$PGHOST/postgres.log" >statements.log
check "a part ends below 4000" grep -q 'vouch_row\."id" < 4000 ORDER BY' statements.log
check "a part starts at 4000 led by the row before" grep -q 'vouch_prev\."id" < 4000), 4000)' statements.log
check "the last part starts at 7000" grep -q 'vouch_prev\."id" < 7000), 7000) ORDER BY' statements.log
# A part the server refused would fall back to one stream of the whole log on the leader,
# with the same results: only the server's log shows it.
expect_file_lacks 'ERROR' statements.log
expect_file_lacks 'AS vouch_row ORDER BY' statements.log
same_results s_clean
check "clean passes" grep -q '"every link","10000 links ok"' res.s_clean.1
end_case

test_case "one stream reads the rows as they lie, in id order on the way, or sorted by the server"
# jobs 1 on the clean restore: one COPY, a plain scan without the server's sort.
jobs 1
before=$(wc -l <"$PGHOST/postgres.log")
PGOPTIONS="$PGOPTIONS -c log_statement=all" v -v check audit_log --target dbname=s_clean
expect_rc 0
tail -n +"$before" "$PGHOST/postgres.log" >statements.log
check "one COPY of the log" test "$(grep -c 'execute <unnamed>: COPY ' statements.log)" = 1
check "as the rows lie in the table" grep -q 'AS vouch_row) TO STDOUT' statements.log
expect_file_lacks 'AS vouch_row ORDER BY' statements.log
# o_reversed: every row stored in reverse id order (the chain intact): each row comes ahead
# of its place and is put there, within the bound (10 000 rows). o_moved: an early row moved
# to the end of the table comes after rows handed on: the scan stops, the server sorts.
# o_shuffled: rows updated to themselves after a VACUUM freed space on an early page, as the
# free space map places rows in a real log (the order the page then has is the server's).
stream_copy o_reversed "begin;
    create temp table keep on commit drop as select * from public.audit_log;
    delete from public.audit_log;
    insert into public.audit_log select * from keep order by id desc;
    commit"
stream_copy o_moved "begin;
    create temp table keep on commit drop as select * from public.audit_log where id = 5;
    delete from public.audit_log where id = 5;
    insert into public.audit_log select * from keep;
    commit"
stream_copy o_shuffled "update public.audit_log set payload = payload where id between 50 and 59"
psql_q -d o_shuffled -c "vacuum public.audit_log" >/dev/null
psql_q -d o_shuffled -c "update public.audit_log set payload = payload where id in (7000, 7001, 9998)" >/dev/null
psql_q -d o_shuffled -c "update public.audit_log set payload = payload where id between 50 and 59" >/dev/null
check "o_shuffled is stored out of id order" test "$(psql_q -d o_shuffled -c "select count(*) from
    (select id, lag(id) over (order by ctid) p from public.audit_log) s where id < p")" -gt 0
for db in o_reversed o_moved o_shuffled; do
    jobs 1
    before=$(wc -l <"$PGHOST/postgres.log")
    PGOPTIONS="$PGOPTIONS -c log_statement=all" v -v check audit_log --target "dbname=$db"
    expect_rc 0
    grep '^vouch: audit_log: checked' "$ERR" >"note.$db" || true
    tail -n +"$before" "$PGHOST/postgres.log" >statements.log
    grep 'execute <unnamed>: COPY ' statements.log |
        grep -oE 'AS vouch_row( ORDER BY vouch_row\."id")?\) TO STDOUT' | tr '\n' ' ' >"streams.$db"
    same_results "$db"
    check "$db passes: every link in order" grep -q '"every link","10000 links ok"' "res.$db.1"
done
check "o_reversed: put in order on the way, one scan" \
    test "$(cat streams.o_reversed)" = 'AS vouch_row) TO STDOUT '
check "o_moved: the scan, then the sorted stream" \
    test "$(cat streams.o_moved)" = 'AS vouch_row) TO STDOUT AS vouch_row ORDER BY vouch_row."id") TO STDOUT '
# vouch -v says which: the operator of a gate that took two scans' time reads why.
check "-v: o_reversed's rows put in place" \
    grep -qE '^vouch: audit_log: checked in [0-9.]+ s over 1 connection \(the rows as stored, 9999 put in their place\)$' note.o_reversed
check "-v: o_moved sorted by the server, and why" \
    grep -qE '^vouch: audit_log: checked in [0-9.]+ s over 1 connection \(sorted by the server: the rows as stored could not be put in id order \(a row came after rows with larger ids were judged, 10000 rows into the scan\)\)$' note.o_moved
end_case

test_case "a stream the server stops with an error reports the sorted stream's error"
# row_bytes raises for ids 3 and 9000, and row 3 is moved to the end of the table: the
# sorted stream walks the primary key and meets 3 first (as before the plain scan); the
# plain scan meets 9000 first. What is reported must not depend on where the rows lie.
stream_copy e_moved "begin;
    create temp table keep on commit drop as select * from public.audit_log where id = 3;
    delete from public.audit_log where id = 3;
    insert into public.audit_log select * from keep;
    create or replace function public.audit_log_row_bytes(
        id bigint, occurred_at timestamptz, actor text, action text, agency_id bigint,
        payload jsonb) returns bytea language plpgsql stable as \$f\$
    begin
        if id in (3, 9000) then raise exception 'bad row %', id; end if;
        return ''::bytea;
    end \$f\$;
    commit;
    analyze public.audit_log"
check "the sorted stream walks the primary key" test "$(psql_q -d e_moved -c "explain (costs off)
    select id from public.audit_log as vouch_row order by vouch_row.id" | grep -c 'Index')" -ge 1
same_results e_moved
check "the stream's error is id 3's, the first in id order" grep -q 'bad row 3[^0-9]' res.e_moved.1
expect_file_lacks 'bad row 9000' res.e_moved.1
end_case

test_case "every fault of t_audit_log.sh gives the same results split or not"
stream_copy f_deleted 'delete from public.audit_log where id between 2000 and 2099'
same_results f_deleted
stream_copy f_cut "delete from public.audit_log
                   where occurred_at > (select max(occurred_at) - interval '36 hours' from public.audit_log)"
at=$(psql_q -d f_cut -c "select to_char((max(occurred_at) + interval '30 hours') at time zone 'UTC',
                                        'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') from public.audit_log")
same_results f_cut --incident-at "$at"
stream_copy f_grown "select public.audit_log_append('ops@example.gov.au', 'system.maintenance', null, '{}')
                     from generate_series(1, 3)"
same_results f_grown
stream_copy f_payload "update public.audit_log set payload = payload || '{\"ip\": \"10.9.9.9\"}' where id = 4321"
same_results f_payload
stream_copy f_hash 'update public.audit_log set row_hash = sha256(row_hash) where id = 5555'
same_results f_hash
stream_copy f_time "update public.audit_log set occurred_at = occurred_at - interval '30 days'
                    where id between 700 and 702"
same_results f_time
stream_copy f_reinsert "begin;
    create temp table moved on commit drop as select * from public.audit_log where id between 300 and 304;
    delete from public.audit_log where id between 300 and 304;
    insert into public.audit_log (occurred_at, actor, action, agency_id, payload, prev_hash, row_hash)
        select occurred_at, actor, action, agency_id, payload, prev_hash, row_hash from moved order by id;
    commit"
same_results f_reinsert
stream_copy f_trigger 'alter table public.projects disable trigger audit_project_change'
same_results f_trigger
stream_copy f_nobytes 'drop function public.audit_log_row_bytes(bigint, timestamptz, text, text, bigint, jsonb)'
same_results f_nobytes
check "the chain is not checked without row bytes" grep -q 'gaps, time order and chain not checked' res.f_nobytes.2
end_case

test_case "a deletion at a seam: the last row of a part, the first of the next, both, a whole range"
stream_copy d_last 'delete from public.audit_log where id = 5999'
same_results d_last
check "the gap at 5999 is found" grep -q '1 new gaps: 5999' res.d_last.2
stream_copy d_first 'delete from public.audit_log where id = 6000'
same_results d_first
check "the gap at 6000 is found" grep -q '1 new gaps: 6000' res.d_first.2
stream_copy d_both 'delete from public.audit_log where id between 3990 and 4010 or id between 5995 and 6004 or id = 7000'
same_results d_both
check "the chain breaks at 6005" grep -q 'id 6005: prev_hash is not the row_hash of id 5994' res.d_both.2
stream_copy d_range 'delete from public.audit_log where id between 6000 and 6999'
same_results d_range
check "the part's first row links over the emptied range" grep -q 'id 7000: prev_hash is not the row_hash of id 5999' res.d_range.2
stream_copy d_head 'delete from public.audit_log where id >= 7000'
same_results d_head
end_case

test_case "a chain break at a seam: the first row's link, the last row's hash"
stream_copy c_link "update public.audit_log set prev_hash = sha256(prev_hash) where id in (4000, 6000, 7000)"
same_results c_link
check "the link at 6000 is broken" grep -q 'id 6000: prev_hash is not the row_hash of id 5999' res.c_link.2
check "the link at 7000 is broken" grep -q 'id 7000: prev_hash is not the row_hash of id 6999' res.c_link.3
stream_copy c_hash "update public.audit_log set row_hash = sha256(row_hash) where id in (3999, 5999, 6999)"
same_results c_hash
check "the row before the seam is altered" grep -q 'id 6000: prev_hash is not the row_hash of id 5999' res.c_hash.2
stream_copy c_null "alter table public.audit_log alter row_hash drop not null,
                                                 drop constraint audit_log_row_hash_check;
                    update public.audit_log set row_hash = null where id = 5999"
same_results c_null
end_case

test_case "time going back across a seam"
stream_copy t_back "update public.audit_log set occurred_at = occurred_at - interval '30 days'
                    where id in (4000, 6000, 7000)"
same_results t_back
check "time goes back first at 4000" grep -q "goes backwards at id 4000 " res.t_back.2
check "every seam is found" grep -q '"3 go back"' res.t_back.3
stream_copy t_null "alter table public.audit_log alter occurred_at drop not null;
                    update public.audit_log set occurred_at = null where id = 5999"
same_results t_null
end_case

test_case "rows without an id are counted as one stream counts them"
stream_copy n_null "alter table public.audit_log drop constraint audit_log_pkey cascade,
                                                 alter id drop not null;
                    update public.audit_log set id = null where id in (10, 6500)"
same_results n_null
check "the NULL ids are named" grep -q 'public.audit_log: 2 rows have a NULL id' res.n_null.2
end_case

test_case "a part the server refuses mid-stream: the leader streams alone, the same results"
stream_copy r_refused "create or replace function public.audit_log_row_bytes(
        id bigint, occurred_at timestamptz, actor text, action text, agency_id bigint, payload jsonb)
    returns bytea language plpgsql stable as \$fn\$
    begin
        if id = 6500 then raise exception 'row bytes refused for %', id; end if;
        return convert_to(id::text || '|' || (extract(epoch from occurred_at) * 1000000)::bigint::text
            || '|' || actor || '|' || action || '|' || coalesce(agency_id::text, '') || '|' || payload::text,
            'UTF8');
    end \$fn\$"
same_results r_refused
check "the refusal is reported" grep -q 'row bytes refused for 6500' res.r_refused.2
end_case

# The scheduler: a gate at jobs 2 runs rowcount, settings and query on a lent connection
# beside the stream, which that connection joins once they are done (query, after audit_log
# in selection order, loses its connection on g_lost). The stream is slowed (0.2 s
# at every thousandth row, the same bytes) so that it is still running then.
# gate_jobs J: vouch.conf as jobs J gives, with rowcount, settings, query, a store of its own.
gate_jobs() {
    jobs "$1"
    sed -i 's/^path = stream\.db$/path = gate.db/' vouch.conf
    cat >>vouch.conf <<CONF

[rowcount]
table = public.audit_log at-least
table = public.projects

[settings]
schema = public

[query]
sql = SELECT CASE WHEN pg_catalog.current_database() = 'g_lost' THEN pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid()) ELSE true END
expect = true
CONF
}
slow_bytes="create or replace function public.audit_log_row_bytes(
        id bigint, occurred_at timestamptz, actor text, action text, agency_id bigint, payload jsonb)
    returns bytea language plpgsql stable as \$fn\$
    begin
        if id % 1000 = 0 then perform pg_sleep(0.2); end if;
        return convert_to(id::text || '|' || (extract(epoch from occurred_at) * 1000000)::bigint::text
            || '|' || actor || '|' || action || '|' || coalesce(agency_id::text, '') || '|' || payload::text,
            'UTF8');
    end \$fn\$"
# gate_results DB J: the gate's results (check included) into gres.DB.J, its exit code into grc.DB.J
gate_results() {
    gate_jobs "$2"
    v -v gate --target "dbname=$1" --format json
    echo "$RC" >"grc.$1.$2"
    jq -c '.results[] | [.check, .subject, .status, .expected, .observed, .reason, .detail]' "$OUT" \
        >"gres.$1.$2"
}

test_case "a gate at jobs 2: the other checks run beside the stream, their connection joins it"
gate_jobs 1
v baseline --target dbname=stream_healthy
expect_rc 0
stream_copy g_slow "$slow_bytes"
gate_results g_slow 1
expect_err '^vouch: rowcount: checked in [0-9.]+ s over 1 connection$'
expect_err '^vouch: audit_log: checked in [0-9.]+ s over 1 connection$'
check "jobs 1 gave results" test -s gres.g_slow.1
before=$(wc -l <"$PGHOST/postgres.log")
PGOPTIONS="$PGOPTIONS -c log_statement=all" gate_results g_slow 2
tail -n +"$before" "$PGHOST/postgres.log" >gate_statements.log
if ! cmp -s gres.g_slow.1 gres.g_slow.2; then
    _fail "jobs 2 differs from jobs 1: $(diff gres.g_slow.1 gres.g_slow.2 | head -20)"
fi
check "the same exit code" cmp -s grc.g_slow.1 grc.g_slow.2
check "the results name every check in selection order" \
    test "$(jq -r '.[0]' gres.g_slow.2 | uniq | tr '\n' ' ')" = "rowcount settings audit_log query "
# The -v lines, in selection order, say the connections each check really used.
expect_err '^vouch: rowcount: checked in [0-9.]+ s over 1 connection$'
expect_err '^vouch: settings: checked in [0-9.]+ s over 1 connection$'
expect_err '^vouch: audit_log: checked in [0-9.]+ s over 2 connections$'
expect_err '^vouch: query: checked in [0-9.]+ s over 1 connection$'
check "-v lines in selection order" \
    test "$(grep -oE '^vouch: [a-z_]+: checked' "$ERR" | tr '\n' ' ')" = \
    "vouch: rowcount: checked vouch: settings: checked vouch: audit_log: checked vouch: query: checked "
# The server's log: the count ran on another backend than the stream's first part, and
# that backend then streamed a part of the log.
pid_of() { grep -m1 -E "$1" gate_statements.log | sed -E 's/^[^[]*\[([0-9]+)\].*/\1/'; }
leader=$(pid_of 'execute <unnamed>: COPY ')
counter=$(pid_of 'execute <unnamed>: SELECT count\(\*\) FROM .*projects')
check "the stream's first part and the count were seen" test -n "$leader" -a -n "$counter"
check "the count ran beside the stream, on another connection" test "$leader" != "$counter"
check "the count's connection then streamed a part" \
    grep -qE "\[$counter\] .*execute <unnamed>: COPY " gate_statements.log
end_case

test_case "a check beside the stream that loses its connection: jobs 2 ends the run as jobs 1 does"
# query, after audit_log in selection order, has its backend terminated: the run stops there
# at jobs 1 and at jobs 2 alike, what came before it is kept, and nothing of query.
stream_copy g_lost "$slow_bytes"
gate_results g_lost 1
expect_rc 3
gate_results g_lost 2
expect_rc 3
expect_err '^vouch: query: stopped in [0-9.]+ s over 1 connection$'
if ! cmp -s gres.g_lost.1 gres.g_lost.2; then
    _fail "jobs 2 differs from jobs 1: $(diff gres.g_lost.1 gres.g_lost.2 | head -20)"
fi
check "query is not evaluated: it stopped" \
    grep -q '"query","(not evaluated)","not_evaluated",null,null,"not evaluated: the run stopped while this check ran' gres.g_lost.2
check "audit_log, done before it, is kept" \
    test "$(jq -r 'select(.[0] == "audit_log" and .[2] == "pass") | .[1]' gres.g_lost.2 | head -1)" = public.audit_log
end_case

test_case "a gate at jobs 2 interrupted while both lanes run: aborted, exit 3, nothing half kept"
(psql -X -d g_slow -c 'begin; lock table public.projects in access exclusive mode; select pg_sleep(4); commit' >/dev/null 2>&1 &)
sleep 0.5
gate_jobs 2
set +e
"$VOUCH" ${VOUCH_TEST_STORE_URL:+--store "$VOUCH_TEST_STORE_URL"} -c vouch.conf gate --target dbname=g_slow >"$OUT" 2>"$ERR" &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
RC=$?
set -e
expect_rc 3
expect_err '^vouch: could not count public\.projects: interrupted$'
expect_out '^gate aborted: could not count public\.projects: interrupted; 4 checks not evaluated$'
expect_out '^SKIP +rowcount +\(not evaluated\) .* the run stopped while this check ran: could not count public\.projects: interrupted$'
expect_out '^SKIP +settings +\(not evaluated\) .* the run stopped before this check ran: could not count public\.projects: interrupted$'
expect_out '^SKIP +audit_log +\(not evaluated\) .* the run stopped while this check ran: could not count public\.projects: interrupted$'
expect_out '^SKIP +query +\(not evaluated\) .* the run stopped before this check ran: could not count public\.projects: interrupted$'
expect_not_out '^(PASS|FAIL) '
v runs
expect_out '^[0-9]+ +gate +aborted .* interrupted$'
sleep 3
end_case
