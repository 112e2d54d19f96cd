# content: range digests of chosen tables on a multi-tenant SaaS schema
# (tests/integration/fixtures/content_saas.sql), against a real pg_dump | pg_restore
# and restores with one fault injected at a time that keeps every count.

fixture=$here/fixtures/content_saas.sql

dropdb --if-exists content_healthy >/dev/null 2>&1 || true
createdb content_healthy
psql_q -d content_healthy -f "$fixture" >/dev/null

cat >vouch.conf <<'CONF'
[target]
dsn = dbname=content_healthy

[rowcount]
table = public.projects
table = public.tasks
table = public.memberships

[content]
table = public.organizations
table = public.projects
columns = public.projects: tenant_id, owner_id, archived
table = public.tasks
columns = public.tasks: tenant_id, project_id, due_on, created_at
table = public.memberships
table = public.org_settings
range = 1000
CONF

pg_dump -Fc -d content_healthy -f content_healthy.dump
# faulty NAME SQL...: a real restore of the healthy database with the statements applied.
faulty() {
    local db=$1
    shift
    dropdb --if-exists "$db" 2>/dev/null || true
    createdb "$db"
    pg_restore -d "$db" content_healthy.dump
    for sql in "$@"; do
        psql_q -d "$db" -c "$sql" >/dev/null
    done
}

test_case "content: baseline digests five tables"
v baseline
expect_rc 0
expect_empty_err
expect_out '^baseline 1 captured$'
end_case

test_case "content: a clean pg_dump | pg_restore passes, the 120 000-row table in 121 ranges"
faulty content_clean
v gate --target dbname=content_clean
expect_rc 0
expect_out '^pass +content +public\.tasks +120000 rows as at the baseline +120000 rows, 121 ranges equal'
expect_out '^pass +content +public\.memberships .*ranges by key hash'
expect_out '^pass +content +public\.org_settings '
end_case

test_case "content: a project moved to another tenant fails naming the key and column; counts pass"
faulty content_moved "UPDATE public.projects SET tenant_id = tenant_id % 50 + 1 WHERE id = 42"
v gate --target dbname=content_moved
expect_rc 1
expect_out '^pass +rowcount +public\.projects '
expect_out '^FAIL +content +public\.projects .*id 42 changed in tenant_id$'
expect_out '^pass +content +public\.tasks '
end_case

test_case "content: a foreign key repointed fails naming the task and project_id"
faulty content_fk "UPDATE public.tasks SET project_id = 7, tenant_id = 8 WHERE id = 65432"
v gate --target dbname=content_fk
expect_rc 1
expect_out '^FAIL +content +public\.tasks .*id 65432 changed in tenant_id, project_id$'
expect_out '^pass +rowcount +public\.tasks '
end_case

test_case "content: a row deleted and another inserted, same count, both named"
faulty content_swap "DELETE FROM public.tasks WHERE id = 500" \
    "INSERT INTO public.tasks (id, tenant_id, project_id, title, created_at)
       VALUES (120001, 3, 3, 'Task new', '2025-05-01')"
v gate --target dbname=content_swap
expect_rc 1
expect_out '^pass +rowcount +public\.tasks '
expect_out '^FAIL +content +public\.tasks .*id 500 removed; id 120001 added'
end_case

test_case "content: delete and insert in one range are told apart"
faulty content_swap2 "DELETE FROM public.tasks WHERE id = 500" \
    "INSERT INTO public.tasks (id, tenant_id, project_id, title, created_at)
       VALUES (0, 3, 3, 'Task new', '2025-05-01')"
v gate --target dbname=content_swap2
expect_rc 1
expect_out '^pass +rowcount +public\.tasks '
expect_out '^FAIL +content +public\.tasks .*id 500 removed; id 0 added$'
end_case

test_case "content: a composite key's row changed in place is named by its key"
faulty content_role "UPDATE public.memberships SET role = 'owner' WHERE org_id = 3 AND user_id = 17"
v gate --target dbname=content_role
expect_rc 1
expect_out '^FAIL +content +public\.memberships .*\(org_id, user_id\) \(3,17\) changed in role$'
end_case

test_case "content: a text key removed and another added, same count"
faulty content_text "DELETE FROM public.org_settings WHERE name = 'setting.7'" \
    "INSERT INTO public.org_settings VALUES ('setting.new', 'v')"
v gate --target dbname=content_text
expect_rc 1
expect_out '^FAIL +content +public\.org_settings '
expect_out 'name setting\.new added|setting\.new'
end_case

test_case "content: the store and the reports hold keys and column names, not values"
v report run --format markdown --out report.md --no-sign
expect_rc 0
read -ra held <<<"$(store_files)"
check "the store holds the baseline's digests" grep -aqF '"sums"' "${held[0]}"
for s in Quetzal Zanzibar Marmalade org-42 'value 7' 2025-02-; do
    expect_file_lacks "$s" "${held[@]}" report.md
done
end_case

test_case "content: a table without a primary key is refused at baseline"
{ echo '[store]'; own_store nokey; } >nokey.conf
cat >>nokey.conf <<'CONF'
[target]
dsn = dbname=content_healthy
[content]
table = public.audit_events
CONF
v_own -c nokey.conf baseline
expect_rc 3
expect_err 'table public\.audit_events has no primary key: name one with .key = public\.audit_events: COLUMN, \.\.\..'
sed -i 's/^table = public.audit_events$/&\nkey = public.audit_events: org_id/' nokey.conf
v_own -c nokey.conf baseline
expect_rc 3
expect_err 'key does not name one row: 50 values are held by more than one row'
sed -i 's/^key = public.audit_events: org_id$/key = public.audit_events: occurred_at/' nokey.conf
v_own -c nokey.conf baseline
expect_rc 0
end_case

test_case "content: configured names are identifiers, never SQL"
{ echo '[store]'; own_store bad; } >bad.conf
cat >>bad.conf <<'CONF'
[target]
dsn = dbname=content_healthy
[content]
table = public.projects
columns = public.projects: tenant_id, "x); DROP TABLE public.projects; --"
CONF
v_own -c bad.conf baseline
expect_rc 3
expect_err 'table public\.projects has no column x\); DROP TABLE public\.projects; -- \(named in columns\)'
check "projects is still there" psql_q -d content_healthy -o /dev/null -c 'SELECT 1 FROM public.projects LIMIT 1'
sed -i 's/^columns = .*/columns = public.organizations: name/' bad.conf
v_own -c bad.conf baseline
expect_rc 2
expect_err 'public\.organizations is not a listed table'
end_case

test_case "content: a column left out of columns is not compared; the docs say so"
faulty content_name "UPDATE public.projects SET name = 'renamed' WHERE id = 42"
v gate --target dbname=content_name
expect_rc 0
expect_out '^pass +content +public\.projects '
end_case

test_case "content: a dropped table fails; a table digested differently asks for a baseline"
faulty content_dropped "DROP TABLE public.org_settings"
v gate --target dbname=content_dropped
expect_rc 1
expect_out '^FAIL +content +public\.org_settings .*table public\.org_settings does not exist$'
sed 's/^columns = public.projects: tenant_id, owner_id, archived$/columns = public.projects: tenant_id/' \
    vouch.conf >narrower.conf
v -c narrower.conf gate --target dbname=content_clean
expect_rc 1
expect_out '^ERROR +content +public\.projects .*the baseline digests public\.projects by key \(id\), columns \(tenant_id, owner_id, archived\), range 1000; the configuration or the table differs: run .vouch baseline.$'
end_case

test_case "content: the JSON output names the key and column, and only them"
v gate --target dbname=content_moved --format json
expect_rc 1
expect_out 'id 42 changed in tenant_id'
expect_not_out 'Quetzal'
end_case
