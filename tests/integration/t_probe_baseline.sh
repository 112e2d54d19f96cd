# rls probes held to their baseline, on a multi-tenant SaaS starter
# (fixtures/probe_saas.sql): a probe that sees more rows than at the baseline, fewer, none,
# or as many but not the same ones fails naming probe, role, table and counts; JSON claims
# are written as they are, in quotes; a baseline without probe counts (an older vouch)
# warns asking for a new one.

drop_probe_roles() {
    for db in $(psql_q -d postgres -c "select datname from pg_database where datname like 'pb\\_%'"); do
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    done
    psql -X -q -d postgres -c 'DROP ROLE IF EXISTS pbt_app' -c 'DROP ROLE IF EXISTS pbt_authenticated' \
        >/dev/null 2>&1 || true
}
trap drop_probe_roles EXIT

createdb pb_healthy
psql -X -q -v ON_ERROR_STOP=1 -d pb_healthy -f "$top/tests/integration/fixtures/probe_saas.sql" >/dev/null
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=pb_healthy

[rls]
table = public.documents
table = public.notes
table = public.events
probe = pbt_app public.documents org_id=1 app.org_id=1
probe = pbt_authenticated public.notes owner_id=u1 request.jwt.claims='{"sub": "u1", "role": "authenticated"}'
probe = pbt_app public.events org_id=2 app.org_id=2
CONF

# pb_copy NAME SQL...: a copy of the healthy database with the statements applied.
pb_copy() {
    local db=$1
    shift
    dropdb --if-exists "$db" 2>/dev/null
    createdb -T pb_healthy "$db"
    for sql in "$@"; do
        psql_q -d "$db" -c "$sql"
    done
}

test_case "probe baseline: counts and digests are captured, no row"
v baseline
expect_rc 0
expect_empty_err
expect_out '^  rls: 0 roles, 1 schemas, 3 tables$'
check "the baseline holds the probes' counts" \
    test "$(sqlite3 vouch.db "select json_extract(content, '\$.probes.\"pbt_app public.documents org_id=1 app.org_id=1\".seen') from baselines where check_name = 'rls'")" = 10
sqlite3 vouch.db "select content from baselines where check_name = 'rls'" >rls.json
check "the digest is over the primary key" \
    test "$(sqlite3 vouch.db "select json_extract(content, '\$.probes.\"pbt_app public.documents org_id=1 app.org_id=1\".key') from baselines where check_name = 'rls'")" = 'org_id, id'
expect_file_lacks 'document 3' vouch.db vouch.db-wal
expect_file_lacks 'other user' vouch.db vouch.db-wal
end_case

test_case "probe baseline: a clean copy passes, JSON claims included"
pb_copy pb_clean
v gate --target dbname=pb_clean
expect_rc 0
expect_empty_err
expect_out '^pass +rls +probe documents as pbt_app +only org_id=1 +10 seen, 0 other +pbt_app sees 10 rows of public\.documents, all of its own tenant, the same as at the baseline$'
expect_out '^pass +rls +probe notes as pbt_authenticated +only owner_id=u1 +3 seen, 0 other +pbt_authenticated sees 3 rows of public\.notes, all of its own tenant, the same as at the baseline$'
expect_out '^pass +rls +probe events as pbt_app +only org_id=2 +4 seen, 0 other '
end_case

test_case "probe baseline: more rows than at the baseline fail (a row moved in from another tenant)"
pb_copy pb_more 'update public.documents set org_id = 1 where id = 15'
v gate --target dbname=pb_more
expect_rc 1
expect_empty_err
expect_out '^FAIL +rls +probe documents as pbt_app +only org_id=1 +11 seen, 0 other +pbt_app sees 11 rows of public\.documents \(org_id=1\), 10 at the baseline: rows it did not see then are visible now'
end_case

test_case "probe baseline: fewer rows than at the baseline fail"
pb_copy pb_fewer 'delete from public.documents where id in (3, 4)'
v gate --target dbname=pb_fewer
expect_rc 1
expect_out '^FAIL +rls +probe documents as pbt_app +only org_id=1 +8 seen, 0 other +pbt_app sees 8 rows of public\.documents \(org_id=1\), 10 at the baseline: the application lost its own rows, or its role or settings no longer match the data$'
end_case

test_case "probe baseline: a tenant renumbered by the restore (none seen) fails, no longer a warning"
pb_copy pb_none 'update public.documents set org_id = org_id + 100'
v gate --target dbname=pb_none
expect_rc 1
expect_out '^FAIL +rls +probe documents as pbt_app +only org_id=1 +0 seen, 0 other +pbt_app sees 0 rows of public\.documents \(org_id=1\), 10 at the baseline'
end_case

test_case "probe baseline: as many rows but not the same ones fail (rows swapped between tenants)"
pb_copy pb_swap 'update public.documents set org_id = 2 where id = 4' \
    'update public.documents set org_id = 1 where id = 14'
v gate --target dbname=pb_swap
expect_rc 1
expect_out '^FAIL +rls +probe documents as pbt_app +only org_id=1 +10 seen, 0 other +pbt_app sees 10 rows of public\.documents \(org_id=1\) as at the baseline, but not the same ones: the digest of their keys differs'
end_case

test_case "probe baseline: a table without a primary key is held by its whole rows"
pb_copy pb_events "update public.events set kind = 'export' where org_id = 2 and at = date '2026-03-05'" \
    "update public.events set kind = 'login' where org_id = 2 and at = date '2026-03-02'"
check "an event of org 2 changed" test "$(psql_q -d pb_events -c "select kind from public.events where org_id = 2 and at = date '2026-03-05'")" = export
v gate --target dbname=pb_events
expect_rc 1
expect_out '^FAIL +rls +probe events as pbt_app +only org_id=2 +4 seen, 0 other .*as at the baseline, but not the same ones'
end_case

test_case "probe baseline: a JSON-claims probe that sees fewer notes fails"
pb_copy pb_notes "delete from public.notes where body = 'second'"
v gate --target dbname=pb_notes
expect_rc 1
expect_out '^FAIL +rls +probe notes as pbt_authenticated +only owner_id=u1 +2 seen, 0 other +pbt_authenticated sees 2 rows of public\.notes \(owner_id=u1\), 3 at the baseline'
expect_out '^pass +rls +probe documents as pbt_app '
end_case

test_case "probe baseline: an unclosed quote is a configuration error naming file and line"
sed 's/"authenticated"}'"'"'$/"authenticated"}/' vouch.conf >bad.conf
check "the quote was removed" grep -q '"authenticated"}$' bad.conf
v -c bad.conf gate
expect_rc 2
expect_err "^vouch: bad\\.conf:$(grep -n 'request.jwt' bad.conf | cut -d: -f1): \\[rls\\] probe: the quoted value of request\\.jwt\\.claims is not closed: add the closing '$"
end_case

test_case "probe baseline: a probe new since the baseline warns asking for a new baseline"
cp vouch.conf new.conf
echo "probe = pbt_app public.documents org_id=3 app.org_id=3" >>new.conf
v -c new.conf gate --target dbname=pb_clean
expect_rc 0
expect_out '^WARN +rls +probe documents as pbt_app +only org_id=3 +10 seen, 0 other +pbt_app sees 10 rows of public\.documents, all of its own tenant, but the probe is not in the baseline \(new or changed since\): take a new baseline'
end_case

test_case "probe baseline: probe counts removed from the baseline in the store are refused, not compared"
# Someone who can write the store removes the probes' counts (so a leak would only warn):
# the gate refuses the baseline whose seal no longer holds. (The warning for a genuine
# older baseline without counts is in checks/rls_probe.c.)
sqlite3 vouch.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp vouch.db old.db
cp vouch.db.head old.db.head
trig=$(sqlite3 old.db "select sql || ';' from sqlite_master where type = 'trigger' and name = 'baselines_append_only_update'")
sqlite3 old.db "drop trigger baselines_append_only_update;
  update baselines set content = json_remove(content, '\$.probes') where check_name = 'rls'; $trig"
check "the probes are gone from the baseline" \
    test "$(sqlite3 old.db "select json_type(content, '\$.probes') is null from baselines where check_name = 'rls'")" = 1
v --store old.db gate --target dbname=pb_more
expect_rc 3
expect_err "^vouch: baseline [0-9]+ cannot be trusted: the store's chain is broken: run [0-9]+ does not match its digest"
expect_not_out '^WARN +rls +probe'
end_case
