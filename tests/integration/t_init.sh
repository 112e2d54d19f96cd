# init: a configuration proposed from the live database, which baseline and a gate
# against the unchanged database accept as it stands, on the sample portal and on every
# fixture schema; names from the database that could break the file are left out.

fresh_db init_portal

test_case "init --print: the sample portal's whole config, every line with its reason"
v init --target dbname=init_portal --print
expect_rc 0
expect_out '^\[rowcount\]$'
expect_out '^table = public\.audit_log at-least$'
expect_out '^table = public\.share_links$'
expect_out '^\[rls\]$'
expect_out '^schema = public$'
expect_out '^force = public\.share_links$'
expect_out '^force = public\.audit_log$'
expect_out '^role = portal_app$'
expect_out '^role = portal_readonly$'
expect_out '^role = portal_authenticator$'
expect_out '^# probe = portal_app public\.projects agency_id=TENANT app\.agency_id=TENANT$'
expect_out '^\[share_tokens "share_links"\]$'
expect_out '^hash = token_hash$'
expect_out '^format = sha256-hex$'
expect_out '^plaintext = legacy_token$'
expect_out '^expires = expires_at$'
expect_out '^\[audit_log "audit_log"\]$'
expect_out '^row_bytes = public\.audit_log_row_bytes\(id, occurred_at, actor, action, agency_id, payload\)$'
expect_out '^row_layout = id:int8, occurred_at:epoch_us, actor:text, action:text, agency_id:int8, payload:jsonb$'
expect_out '^function = public\.audit_log_append$'
expect_out '^trigger = public\.projects audit_project_change$'
expect_out '^\[settings\]$'
expect_out '^# \[residency\]$'
expect_out '^# \[backups\]$'
expect_err '^vouch init: wrote the configuration to standard output: [0-9]+ lines proposed \([0-9]+ of them guesses\)'
# every key line follows a comment that says why
check "a key line without a comment before it" awk '
    /^[a-z_]+ = / && prev !~ /^#/ { bad = 1; print "no reason for: " $0 > "/dev/stderr" }
    { prev = $0 } END { exit bad }' "$OUT"
check "a line longer than vouch.conf reads" awk 'length > 190 { bad = 1 } END { exit bad }' "$OUT"
cp "$OUT" portal.conf
end_case

# What the portal's hand-written config checks, the proposed one checks too.
test_case "init: at least as protective as tools/demo/vouch.conf"
for t in audit_log share_links tasks assets projects agencies residency_evidence; do
    grep -Eq "^table = public\.$t( at-least)?$" portal.conf || _fail "rowcount lacks public.$t"
done
for key in 'schema = public' 'force = public.share_links' 'force = public.audit_log' \
    'role = portal_app' 'role = portal_readonly' 'role = portal_authenticator' \
    'hash = token_hash' 'plaintext = legacy_token' 'expires = expires_at' 'created = created_at' \
    'revoked = revoked_at' 'time_column = occurred_at' 'row_hash_column = row_hash' \
    'prev_hash_column = prev_hash' 'rpo = 24h' 'trigger = public.projects audit_project_change' \
    'function = public.audit_log_append'; do
    grep -qxF "$key" portal.conf || _fail "the proposal lacks: $key"
done
end_case

test_case "init: baseline on the proposal, then a gate against an unchanged restore passes"
pg_dump -Fc -d init_portal -f init_portal.dump
dropdb --if-exists init_portal_restored 2>/dev/null
createdb init_portal_restored
pg_restore -d init_portal_restored init_portal.dump 2>/dev/null || true
v -c portal.conf baseline
expect_rc 0
expect_out '^baseline 1 captured$'
v -c portal.conf gate --target dbname=init_portal_restored
expect_rc 0
expect_out '^gate open: '
expect_out ' public\.audit_log row_layout +agrees with row_bytes +[0-9]+ rows agree '
end_case

test_case "init: a restore with a token table emptied fails the proposed gate"
psql_q -d init_portal_restored -c 'ALTER TABLE public.share_links DISABLE TRIGGER ALL' \
    -c 'DELETE FROM public.share_links WHERE id % 2 = 0'
v -c portal.conf gate --target dbname=init_portal_restored
expect_rc 1
expect_out '^FAIL +rowcount +public\.share_links'
end_case

# Every fixture schema of the suite: proposed, captured and gated unedited.
for fx in "$top"/tests/integration/fixtures/*.sql; do
    name=$(basename "$fx" .sql)
    test_case "init: fixture $name: proposal, baseline and a gate of the unchanged database"
    # roles are cluster-wide: those a fixture creates are dropped again below, so that the
    # test files after this one can create them
    roles_before=$(psql_q -d postgres -c 'SELECT rolname FROM pg_roles' | LC_ALL=C sort)
    dropdb --if-exists "init_$name" 2>/dev/null
    createdb "init_$name"
    psql -X -q -v ON_ERROR_STOP=1 -d "init_$name" -f "$fx" >/dev/null 2>&1 || _fail "$name did not load"
    mkdir -p "$name" && rm -f "$name"/*
    v init --target "dbname=init_$name" --out "$name/vouch.conf"
    expect_rc 0
    expect_err "^vouch init: wrote $name/vouch.conf: "
    v -c "$name/vouch.conf" baseline
    expect_rc 0
    v -c "$name/vouch.conf" -q gate
    if [ "$name" = content_saas ]; then
        # the fixture's own defect: ids inserted by hand, the sequence left at 1
        expect_rc 1
        expect_out 'FAIL +rowcount +sequence public\.organizations_id_seq'
    else
        expect_rc 0
    fi
    end_case
    dropdb "init_$name"
    LC_ALL=C comm -13 <(echo "$roles_before") \
        <(psql_q -d postgres -c 'SELECT rolname FROM pg_roles' | LC_ALL=C sort) |
        while read -r role; do psql_q -d postgres -c "DROP ROLE \"$role\""; done
done

test_case "init refuses to overwrite a file without --force, and replaces it with"
echo "# mine" >vouch.conf
v init --target dbname=init_portal
expect_rc 2
expect_err '^vouch: vouch.conf exists: vouch init does not overwrite it$'
expect_err '^hint: Give --out NEW-FILE, --print to review it, or --force to replace it\.$'
check "vouch.conf was changed" grep -qx '# mine' vouch.conf
v init --target dbname=init_portal --force
expect_rc 0
check "vouch.conf was not replaced" grep -qx '\[rowcount\]' vouch.conf
end_case

test_case "init never writes the DSN's password into the file"
v init --target 'host=/nonexistent dbname=x password=hunter2-secret' --out pw.conf
expect_rc 3
check "a file was left behind" test ! -e pw.conf
expect_file_lacks hunter2-secret "$ERR" "$OUT"
v init --target "dbname=init_portal password=hunter2-secret" --print
expect_rc 0
expect_out '^dsn = dbname=init_portal$'
expect_file_lacks hunter2-secret "$OUT" "$ERR"
end_case

test_case "init: names that would break vouch.conf are left out, never injected"
dropdb --if-exists init_hostile 2>/dev/null
createdb init_hostile
psql_q -d init_hostile <<'SQL'
CREATE TABLE public."evil
[target]
dsn = host=attacker.example" (id bigint PRIMARY KEY);
CREATE TABLE public."semi ;colon" (id bigint PRIMARY KEY);
CREATE TABLE public."Odd ""Name""" (id bigint PRIMARY KEY, token_hash text UNIQUE);
INSERT INTO public."Odd ""Name""" SELECT g, encode(sha256(g::text::bytea), 'hex') FROM generate_series(1, 5) g;
CREATE SCHEMA "my schema";
CREATE TABLE "my schema".café (id bigint PRIMARY KEY);
CREATE TABLE public."#hash" (id bigint PRIMARY KEY);
SQL
v init --target dbname=init_hostile --print
expect_rc 0
expect_not_out '^dsn = host=attacker'
check "a second [target] section" test "$(grep -c '^\[target\]$' "$OUT")" = 1
expect_out '^# left out: table = public\."evil\\x0A\[target\]\\x0Adsn = host=attacker\.example"'
expect_out '^# left out: table = public\."semi ;colon"'
expect_out '^table = public\."Odd ""Name"""$'
expect_out '^table = "my schema"\."café"$'
expect_out '^table = public\."#hash"$'
expect_out '^\[share_tokens "Odd__Name_"\]$'
cp "$OUT" hostile.conf
v -c hostile.conf baseline
expect_rc 0
v -c hostile.conf -q gate
expect_rc 0
end_case

test_case "init: --schema limits the proposal; a usage error names what is wrong"
v init --target dbname=init_portal --schema nosuch --print
expect_rc 0
expect_out '^# \[rowcount\]: no tables in the schemas looked at$'
v init --target dbname=init_portal --print --out x.conf
expect_rc 2
expect_err '^vouch: give --print or --out FILE, not both$'
v init --target dbname=init_portal extra
expect_rc 2
expect_err '^vouch: init takes no arguments'
v -c portal.conf init --print
expect_rc 2
expect_err '^vouch: -c does not apply to init: give --out FILE$'
v gate --schema public
expect_rc 2
expect_err "^vouch: option --schema does not apply to gate$"
end_case
