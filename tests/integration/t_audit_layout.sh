# audit_log with [audit_log] row_layout: the row bytes built on the client from the raw
# columns give the results the row_bytes expression gives on every fault of t_audit_log.sh,
# at jobs 1 and 2 (the stream split at id 6000); with both keys a sample of rows is compared
# and a declaration that drifted is an error naming the first id; a column of the wrong type
# is refused with one line; hostile column names, NULLs, non-ASCII text and jsonb.

fresh_db layout_healthy
LAYOUT='id:int8, occurred_at:epoch_us, actor:text, action:text, agency_id:int8, payload:jsonb'
ROW_BYTES='public.audit_log_row_bytes(id, occurred_at, actor, action, agency_id, payload)'

# conf MODE JOBS [LAYOUT]: vouch.conf with row_bytes (rb), row_layout (rl) or both. Every key
# stays on its line whichever is set, so that reasons quoting FILE:LINE read the same.
conf() {
    local rb="row_bytes = $ROW_BYTES" rl="row_layout = ${3:-$LAYOUT}"
    [ "$1" = rl ] && rb="# no row_bytes"
    [ "$1" = rb ] && rl="# no row_layout"
    cat >vouch.conf <<CONF
[target]
dsn = dbname=layout_healthy
jobs = $2

[store]
path = layout.db

[audit_log]
table = public.audit_log
time_column = occurred_at
range = 1000
row_hash_column = row_hash
prev_hash_column = prev_hash
$rb
$rl
rpo = 24h
trigger = public.projects audit_project_change
function = public.audit_log_append
CONF
}

# layout_copy NAME SQL: a real restore of the healthy database, then SQL run on it.
layout_copy() {
    [ -f layout_healthy.dump ] || pg_dump -Fc -d layout_healthy -f layout_healthy.dump
    dropdb --if-exists "$1" 2>/dev/null
    createdb "$1"
    pg_restore -d "$1" --no-owner layout_healthy.dump 2>restore.log || true
    psql_q -d "$1" -c "$2" >/dev/null
}

# results DB MODE JOBS [ARGS...]: `check audit_log`'s results but the row_layout row, one JSON
# line each, into res.DB.MODE.JOBS, the exit code into rc.DB.MODE.JOBS, the human table into
# out.DB.MODE.JOBS.
results() {
    local db=$1 mode=$2 j=$3
    shift 3
    conf "$mode" "$j"
    v check audit_log --target "dbname=$db" --format json "$@"
    echo "$RC" >"rc.$db.$mode.$j"
    cp "$OUT" "json.$db.$mode.$j"
    jq -c '.results[] | select(.subject | endswith(" row_layout") | not)
           | [.subject, .status, .expected, .observed, .reason, .detail]' "$OUT" >"res.$db.$mode.$j"
}

# same_results DB [ARGS...]: row_layout alone and both keys give row_bytes' results and exit
# code at jobs 1 and 2; with both keys the sample agrees.
same_results() {
    local db=$1
    shift
    results "$db" rb 1 "$@"
    check "row_bytes gave results for $db" test -s "res.$db.rb.1"
    local run mode j
    for run in "rb 2" "rl 1" "rl 2" "both 1" "both 2"; do
        mode=${run% *}
        j=${run#* }
        results "$db" "$mode" "$j" "$@"
        if ! cmp -s "res.$db.rb.1" "res.$db.$mode.$j"; then
            _fail "$mode at jobs $j differs from row_bytes on $db: $(diff "res.$db.rb.1" "res.$db.$mode.$j" | head -20)"
        fi
        check "$mode jobs $j exit code on $db" cmp -s "rc.$db.rb.1" "rc.$db.$mode.$j"
    done
    check "the sample agrees on $db" grep -q '"status": *"pass"' <(jq '.results[] | select(.subject == "public.audit_log row_layout")' "json.$db.both.2")
    check "row_layout alone reports no sample on $db" test -z "$(jq '.results[] | select(.subject == "public.audit_log row_layout")' "json.$db.rl.1")"
}

test_case "the baseline, and a clean restore: the same results, the bytes built on the client"
conf both 1
v baseline
expect_rc 0
layout_copy l_clean "select 1"
before=$(wc -l <"$PGHOST/postgres.log")
conf rl 2
PGOPTIONS="$PGOPTIONS -c log_statement=all" v -v check audit_log --target dbname=l_clean
expect_rc 0
expect_out '^pass +audit_log +public\.audit_log chain +every link +10000 links ok '
expect_err '^vouch: audit_log: checked in [0-9.]+ s over 2 connections$'
tail -n +"$before" "$PGHOST/postgres.log" >statements.log
# The id and the time ride in the stream's first two fields; the others follow the hashes.
check "the parts carry the raw columns" grep -q 'COPY (SELECT "id"::bigint, "occurred_at", "prev_hash", "row_hash", vouch_row."actor", vouch_row."action", vouch_row."agency_id"::bigint, vouch_row."payload" FROM "public"."audit_log" AS vouch_row WHERE vouch_row."id" >= COALESCE' statements.log
check "no COPY calls row_bytes" test -z "$(grep 'COPY' statements.log | grep 'audit_log_row_bytes')"
expect_file_lacks 'ERROR' statements.log
same_results l_clean
check "clean passes" grep -q '"every link","10000 links ok"' res.l_clean.rl.2
conf both 1
v check audit_log --target dbname=l_clean
expect_rc 0
expect_out '^pass +audit_log +public\.audit_log row_layout +agrees with row_bytes +10 rows agree +the row bytes built from row_layout are row_bytes. on every sampled row \(10: the first 8 ids and every id divisible by 4096\)$'
end_case

test_case "every fault of t_audit_log.sh gives row_bytes' results, at jobs 1 and 2"
layout_copy f_deleted 'delete from public.audit_log where id between 2000 and 2099'
same_results f_deleted
check "the deletion is found" grep -q '100 ids missing in 1 new gaps: 2000-2099' res.f_deleted.rl.2
layout_copy f_payload "update public.audit_log set payload = payload || '{\"ip\": \"10.9.9.9\"}' where id = 4321"
same_results f_payload
check "the changed row is named" grep -q 'first at id 4321: row_hash is not sha256(prev_hash || row bytes): the row was altered' res.f_payload.rl.2
layout_copy f_actor "update public.audit_log set actor = 'mallory@example.com' where id = 8192"
same_results f_actor
check "the changed actor (a sampled row) is named" grep -q 'first at id 8192: row_hash is not sha256' res.f_actor.both.2
layout_copy f_hash 'update public.audit_log set row_hash = sha256(row_hash) where id = 5999'
same_results f_hash
check "the chain breaks at the seam" grep -q 'id 6000: prev_hash is not the row_hash of id 5999' res.f_hash.rl.2
layout_copy f_time "update public.audit_log set occurred_at = occurred_at - interval '30 days'
                    where id in (700, 6000)"
same_results f_time
check "time goes back" grep -q 'goes backwards at id 700 ' res.f_time.rl.2
layout_copy f_cut "delete from public.audit_log
                   where occurred_at > (select max(occurred_at) - interval '36 hours' from public.audit_log)"
same_results f_cut
layout_copy f_grown "select public.audit_log_append('ops@example.gov.au', 'system.maintenance', null, '{\"ü\": \"ß\"}')
                     from generate_series(1, 3)"
same_results f_grown
check "the grown log verifies" grep -q '"every link","10003 links ok"' res.f_grown.rl.2
end_case

test_case "a declaration that drifted from row_bytes: an error at the first id, the chain by row_bytes"
swapped='id:int8, occurred_at:epoch_us, action:text, actor:text, agency_id:int8, payload:jsonb'
for j in 1 2; do
    conf both "$j" "$swapped"
    v check audit_log --target dbname=l_clean
    expect_rc 1
    expect_out '^ERROR +audit_log +public\.audit_log row_layout +agrees with row_bytes +10 of 10 differ +row_layout disagrees with row_bytes at id 1 \(vouch\.conf:15 and vouch\.conf:14\): the chain was verified with row_bytes; correct the declaration$'
    expect_out '^pass +audit_log +public\.audit_log chain +every link +10000 links ok '
done
# At the baseline the healthy log is sampled the same way: nothing is captured.
conf both 1 "$swapped"
v baseline
expect_rc 3
expect_err '^vouch: audit_log: row_layout disagrees with row_bytes at id 1 \(10 of 10 sampled rows differ; vouch\.conf:15 and vouch\.conf:14\)$'
# Alone, the same declaration breaks every link: that is what the sample guards against.
conf rl 1 "$swapped"
v check audit_log --target dbname=l_clean
expect_rc 1
expect_out '^FAIL +audit_log +public\.audit_log chain +every link +10000 broken '
end_case

test_case "a drift in later rows only is named at its first sampled id, split or not"
layout_copy d_late "create or replace function public.audit_log_row_bytes(
        id bigint, occurred_at timestamptz, actor text, action text, agency_id bigint, payload jsonb)
    returns bytea language sql stable
    return convert_to(id::text || '|' || (extract(epoch from occurred_at) * 1000000)::bigint::text
        || '|' || actor || '|' || action || '|' || coalesce(agency_id::text, '')
        || '|' || payload::text || case when id >= 7000 then ' ' else '' end, 'UTF8')"
for j in 1 2; do
    conf both "$j"
    v check audit_log --target dbname=d_late
    expect_rc 1
    expect_out '^ERROR +audit_log +public\.audit_log row_layout +agrees with row_bytes +1 of 10 differ +row_layout disagrees with row_bytes at id 8192 '
    expect_out '^FAIL +audit_log +definition of public\.audit_log_row_bytes'
done
end_case

test_case "a column of the wrong type: one clear line at check-config, baseline and gate"
conf rl 1 'id:int8, occurred_at:epoch_us, actor:int8, action:text, agency_id:int8, payload:jsonb'
v check-config
expect_rc 1
expect_out '^vouch\.conf:15: \[audit_log\] row_layout: column actor is text, row_layout declares int8 \(which reads bigint, integer or smallint\)$'
v baseline
expect_rc 3
expect_err '^vouch: audit_log: vouch\.conf:15: \[audit_log\] row_layout: column actor is text, row_layout declares int8 \(which reads bigint, integer or smallint\)$'
v check audit_log --target dbname=l_clean
expect_rc 1
expect_out '^ERROR +audit_log +public\.audit_log rows +- +- +gaps, time order and chain not checked: vouch\.conf:15: \[audit_log\] row_layout: column actor is text, row_layout declares int8 '
expect_out '^pass +audit_log +public\.audit_log +11 ranges +11 match '
# With row_bytes as well, the chain is verified with row_bytes and the layout is an error.
conf both 1 'id:int8, occurred_at:epoch_us, actor:text, action:text, agency_id:int8, payload:text'
v check audit_log --target dbname=l_clean
expect_rc 1
expect_out '^ERROR +audit_log +public\.audit_log row_layout +- +- +vouch\.conf:15: \[audit_log\] row_layout: column payload is jsonb, row_layout declares text \(which reads text or character varying\): the chain was verified with row_bytes$'
expect_out '^pass +audit_log +public\.audit_log chain +every link +10000 links ok '
conf rl 1 'id:int8, occurred_at:epoch_us, "Actor":text, action:text, agency_id:int8, payload:jsonb'
v check-config
expect_rc 1
expect_out '^vouch\.conf:15: \[audit_log\] row_layout: table public\.audit_log has no column "Actor"$'
end_case

test_case "the row bytes function lost in the restore: row_layout still verifies the chain"
layout_copy f_nobytes 'drop function public.audit_log_row_bytes(bigint, timestamptz, text, text, bigint, jsonb)'
conf rl 2
v check audit_log --target dbname=f_nobytes
expect_rc 1
expect_out '^pass +audit_log +public\.audit_log chain +every link +10000 links ok '
expect_not_out 'not checked'
conf both 2
v check audit_log --target dbname=f_nobytes
expect_rc 1
expect_out '^ERROR +audit_log +public\.audit_log row_layout +agrees with row_bytes +not compared +row_layout could not be compared with row_bytes, which the server refused \(vouch\.conf:14: \[audit_log\] row_bytes: not usable as one bytea value per row of public\.audit_log: function public\.audit_log_row_bytes\(.*\) does not exist'
expect_out '^pass +audit_log +public\.audit_log chain +every link +10000 links ok '
end_case

test_case "row_bytes refused mid-stream on a sampled row: row_bytes' own error, split or not"
layout_copy r_refused "create or replace function public.audit_log_row_bytes(
        id bigint, occurred_at timestamptz, actor text, action text, agency_id bigint, payload jsonb)
    returns bytea language plpgsql stable as \$fn\$
    begin
        if id = 8192 then raise exception 'row bytes refused for %', id; end if;
        return convert_to(id::text || '|' || (extract(epoch from occurred_at) * 1000000)::bigint::text
            || '|' || actor || '|' || action || '|' || coalesce(agency_id::text, '') || '|' || payload::text,
            'UTF8');
    end \$fn\$"
results r_refused rb 1
for j in 1 2; do
    results r_refused both "$j"
    check "both at jobs $j gives row_bytes' results" cmp -s res.r_refused.rb.1 "res.r_refused.both.$j"
done
check "the refusal is reported" grep -q 'gaps, time order and chain not checked: .*row bytes refused for 8192' res.r_refused.both.2
# Alone, the layout never calls the function: the chain is verified.
results r_refused rl 2
check "row_layout alone verifies the chain" grep -q '"every link","10000 links ok"' res.r_refused.rl.2
end_case

test_case "row_layout without a chain, or with an unknown encoding, is refused before connecting"
printf '[target]\ndsn = dbname=layout_healthy\n[audit_log]\ntable = public.audit_log\ntime_column = occurred_at\nrow_layout = id:int8\n' >nochain.conf
v -c nochain.conf check-config
expect_rc 2
expect_err '^vouch: nochain\.conf:6: \[audit_log\] row_layout: a chain needs all of row_hash_column, prev_hash_column and row_bytes or row_layout$'
conf rl 1 'id:int8, occurred_at:timestamptz'
v check-config
expect_rc 2
expect_err '^vouch: vouch\.conf:15: \[audit_log\] row_layout: unknown encoding "timestamptz" \(int8, epoch_us, text or jsonb\)$'
end_case

# A log of someone else's making: hostile column names, a zone-less timestamp, an integer
# that may be NULL, varchar, non-ASCII text and jsonb, chained by the same rule in SQL.
fresh_db layout_odd
psql_q -d layout_odd >/dev/null <<'SQL'
create schema "Odd ""Schema""";
create table "Odd ""Schema""".log (
    "Id; drop table x" bigint primary key,
    "at" timestamp not null,
    "Who, ""q"":x" text,
    "select" varchar(40) not null,
    "n)--" integer,
    doc jsonb not null,
    prev bytea, hash bytea);
create function "Odd ""Schema""".bytes(r "Odd ""Schema""".log) returns bytea language sql immutable
    return convert_to(r."Id; drop table x"::text || '|' || (extract(epoch from r.at) * 1000000)::bigint::text
        || '|' || r."Who, ""q"":x" || '|' || r."select" || '|' || coalesce(r."n)--"::text, '')
        || '|' || r.doc::text, 'UTF8');
insert into "Odd ""Schema""".log ("Id; drop table x", at, "Who, ""q"":x", "select", "n)--", doc)
select i, timestamp '2026-01-01 00:00:00.000001' + i * interval '1 minute 0.5 ms',
       case when i = 5 then null when i % 3 = 0 then 'Zoë 日本語 ✓ ' || i else 'a|b' || i end,
       'sel ' || i, case when i % 2 = 0 then null else -i * 1000003 end,
       jsonb_build_object('z', i, 'a', 'ünï "q" \ ' || i, 'nested', jsonb_build_array(1.50, null, true))
from generate_series(1, 300) i;
do $$ declare r record; p bytea := '\x0000000000000000000000000000000000000000000000000000000000000000';
begin
    for r in select "Id; drop table x" as id from "Odd ""Schema""".log order by 1 loop
        update "Odd ""Schema""".log o set prev = p,
               hash = sha256(p || coalesce("Odd ""Schema""".bytes(o), '\x'::bytea))
         where o."Id; drop table x" = r.id returning hash into p;
    end loop;
end $$;
SQL
# odd MODE: the configuration of that log.
odd() {
    local rb='row_bytes = "Odd ""Schema""".bytes(vouch_row)'
    local rl='row_layout = "Id; drop table x":int8, at:epoch_us, "Who, ""q"":x":text, "select":text, "n)--":int8, doc:jsonb'
    [ "$1" = rl ] && rb="# no row_bytes"
    [ "$1" = rb ] && rl="# no row_layout"
    cat >odd.conf <<CONF
[target]
dsn = dbname=layout_odd
jobs = 2

[store]
path = odd.db

[audit_log]
table = "Odd ""Schema""".log
id_column = "Id; drop table x"
time_column = at
range = 100
row_hash_column = hash
prev_hash_column = prev
$rb
$rl
CONF
}

test_case "hostile column names, NULLs, non-ASCII text, jsonb: built as the SQL rule builds them"
odd both
v -c odd.conf check-config
expect_rc 0
v -c odd.conf baseline
expect_rc 0
v -c odd.conf check audit_log
expect_rc 1
expect_out '^pass +audit_log +"Odd ""Schema"""\.log row_layout +agrees with row_bytes +8 rows agree '
# The one row whose text is NULL has no bytes either way: one broken link, named.
expect_out '^FAIL +audit_log +"Odd ""Schema"""\.log chain +every link +1 broken +1 of 300 links broken, first at id 5: row_layout gives no bytes: a declared column is NULL \(other than an int8\) or cannot be encoded$'
odd rb
v -c odd.conf check audit_log
expect_out '^FAIL +audit_log +"Odd ""Schema"""\.log chain +every link +1 broken +1 of 300 links broken, first at id 5: the row bytes expression gave NULL$'
odd rl
v -c odd.conf check audit_log --format json
jq -c '.results[] | select(.subject | endswith("chain") | not) | [.subject, .status, .reason]' "$OUT" >odd.rl
odd rb
v -c odd.conf check audit_log --format json
jq -c '.results[] | select(.subject | endswith("chain") | not) | [.subject, .status, .reason]' "$OUT" >odd.rb
check "row_layout and row_bytes agree on everything but the NULL row's words" cmp -s odd.rb odd.rl
check "the table is still there" test "$(psql_q -d layout_odd -c 'select count(*) from "Odd ""Schema""".log')" = 300
end_case

test_case "non-ASCII text and jsonb edited in one row: named by row_layout as by row_bytes"
psql_q -d layout_odd >/dev/null <<'SQL'
update "Odd ""Schema""".log set doc = doc || '{"a": "ünï \"q\" \\ 8!"}' where "Id; drop table x" = 8;
update "Odd ""Schema""".log set "Who, ""q"":x" = 'Zoë 日本語 ✓ 9' where "Id; drop table x" = 10;
SQL
for m in rb rl both; do
    odd $m
    v -c odd.conf check audit_log
    expect_rc 1
    expect_out '^FAIL +audit_log +"Odd ""Schema"""\.log chain +every link +3 broken +3 of 300 links broken, first at id 5: '
    expect_out '^ +id 8: row_hash is not sha256\(prev_hash \|\| row bytes\): the row was altered$'
    expect_out '^ +id 10: row_hash is not sha256\(prev_hash \|\| row bytes\): the row was altered$'
done
end_case
