# share_tokens on token tables as real schemas hold them (tests/integration/fixtures/
# tokens_real.sql): rows without a token, expiry that is NULL or implicit, revocation as a
# flag or a status, composite keys, bytea hashes, tokens stored in plaintext, and a
# baseline that warns about what its first gate would fail. One config and one store per
# table; each fault is injected alone into a fresh copy of the healthy database.

real_db=tokreal_healthy
dropdb --if-exists "$real_db" >/dev/null 2>&1 || true
createdb "$real_db"
psql -X -q -v ON_ERROR_STOP=1 -d "$real_db" -f "$top/tests/integration/fixtures/tokens_real.sql" >/dev/null

# real_copy NAME: a copy of the healthy database as the baselines saw it.
real_copy() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    createdb -T "$real_db" "$1"
}
# real_conf FILE: a config for the healthy database from the [share_tokens] lines on stdin.
real_conf() {
    { printf '[target]\ndsn = dbname=%s\n\n[share_tokens]\n' "$real_db"; cat; } >"$1"
}
# real_gate CONF STORE COPY: share_tokens only, against copy COPY.
real_gate() {
    v -c "$1" --store "$2" check share_tokens --target "dbname=$3"
}

# ---------------------------------------------------------------- Devise users, NULL tokens
real_conf users.conf <<'CONF'
table = public.users
hash = reset_password_token
format = sha256-hex
created = reset_password_sent_at
lifetime = 6h
CONF
RESET=$(psql_q -d "$real_db" -c 'select reset_password_token from public.users where id = 10')

test_case "users: rows without a reset token are not tokens: the baseline warns of nothing"
v -c users.conf --store users.db baseline
expect_rc 0
expect_not_out '^WARN '
expect_file_lacks "$RESET" users.db
end_case

test_case "users: a clean copy passes, judging only the 20 pending resets"
real_copy tokreal_users
real_gate users.conf users.db tokreal_users
expect_rc 0
expect_out '^pass +share_tokens +public\.users hashes +sha256-hex +all 20 '
expect_out '^pass +share_tokens +public\.users duplicates +none +unique index +every reset_password_token value is unique'
expect_out '^pass +share_tokens +public\.users expiry +created \+ 6 hours +all within +every token expires at its creation \+ 6 hours'
expect_out '^pass +share_tokens +public\.users baseline +20 tokens +same, 0 new '
end_case

test_case "users: a reset used since the baseline passes, not as vanished"
real_copy tokreal_used
psql_q -d tokreal_used -c "update public.users set reset_password_token = NULL where id = 20"
real_gate users.conf users.db tokreal_used
expect_rc 0
expect_out '^pass +share_tokens +public\.users hashes +sha256-hex +all 19 '
expect_out '^pass +share_tokens +public\.users baseline +20 tokens +same, 0 new '
expect_out '\(0 revoked since, 1 cleared since: used or reset, they open nothing\)$'
end_case

test_case "users: a plaintext reset token and a prolonged one fail"
real_copy tokreal_users2
psql_q -d tokreal_users2 -c "update public.users set reset_password_token = NULL where id = 20;
    update public.users set reset_password_token = 'Zx9_live_reset_token' where id = 30;
    update public.users set reset_password_sent_at = reset_password_sent_at + interval '3 days' where id = 40"
real_gate users.conf users.db tokreal_users2
expect_rc 1
expect_out '^FAIL +share_tokens +public\.users hashes +sha256-hex +1 of 19 not +1 reset_password_token value is not sha256-hex \(ids 30\)'
expect_out '^FAIL +share_tokens +public\.users expiry moved +as baseline +1 token +.*\(ids 40\)'
expect_not_out 'vanished'
expect_file_lacks Zx9_live_reset_token "$OUT" "$ERR" users.db
end_case

test_case "users: an old reset token that came back fails as backdated"
real_copy tokreal_users3
psql_q -d tokreal_users3 -c "update public.users set reset_password_token = encode(sha256('old'::bytea), 'hex'),
    reset_password_sent_at = (now() at time zone 'UTC') - interval '2 days' where id = 7"
real_gate users.conf users.db tokreal_users3
expect_rc 1
expect_out '^FAIL +share_tokens +public\.users backdated +as baseline +1 token +.*\(ids 7\)'
end_case

# --------------------------------------------------- empty strings, partial unique index
real_conf accounts.conf <<'CONF'
table = public.accounts
hash = magic_link_digest
format = sha256-hex
created = magic_link_sent_at
lifetime = 15min
CONF

test_case "accounts: '' is no token; a digest copied into a row without one fails twice"
v -c accounts.conf --store accounts.db baseline
expect_rc 0
expect_not_out '^WARN '
real_copy tokreal_acc
psql_q -d tokreal_acc -c "drop index public.accounts_magic_link_digest_key;
    update public.accounts set magic_link_digest = (select magic_link_digest from public.accounts where id = 7),
        magic_link_sent_at = (select magic_link_sent_at from public.accounts where id = 7) where id = 8"
real_gate accounts.conf accounts.db tokreal_acc
expect_rc 1
expect_out '^pass +share_tokens +public\.accounts hashes +sha256-hex +all 18 '
expect_out '^FAIL +share_tokens +public\.accounts duplicates +none +2 rows share 1 +2 rows share 1 hash \(ids 7, 8\)'
expect_out '^FAIL +share_tokens +public\.accounts backdated +as baseline +1 token .*\(ids 8\)'
end_case

# ------------------------------------------- refresh tokens: revoked boolean, NULL expiry
real_conf refresh.conf <<'CONF'
table = public.refresh_tokens
hash = token_hash
format = sha256-hex
created = created_at
expires = expires_at
revoked = revoked
CONF

test_case "refresh_tokens: sessions without a hard expiry pass against the baseline"
v -c refresh.conf --store refresh.db baseline
expect_rc 0
expect_not_out '^WARN '
real_copy tokreal_ref
real_gate refresh.conf refresh.db tokreal_ref
expect_rc 0
expect_out '^pass +share_tokens +public\.refresh_tokens expiry +as baseline +all within '
expect_out '^pass +share_tokens +public\.refresh_tokens baseline +150 tokens +same, 0 new'
end_case

test_case "refresh_tokens: a revoked token live again and an expiry dropped to NULL fail"
REVOKED=$(psql_q -d "$real_db" -c "select id from public.refresh_tokens where revoked order by id::text limit 1")
DATED=$(psql_q -d "$real_db" -c "select id from public.refresh_tokens where expires_at is not null order by id::text limit 1")
real_copy tokreal_ref2
psql_q -d tokreal_ref2 -c "update public.refresh_tokens set revoked = false where id = '$REVOKED';
    update public.refresh_tokens set expires_at = NULL where id = '$DATED';
    update public.refresh_tokens set revoked = true where not revoked and id <> '$DATED' and user_id = 1"
REVOKED=\"$REVOKED\"
DATED=\"$DATED\"
real_gate refresh.conf refresh.db tokreal_ref2
expect_rc 1
expect_out "^FAIL +share_tokens +public\.refresh_tokens revived +as baseline +1 token .*\(ids $REVOKED\)"
expect_out "^ +id $REVOKED: revoked in the baseline, revoked is not true now$"
expect_out "^FAIL +share_tokens +public\.refresh_tokens expiry moved +as baseline +1 token .*\(ids $DATED\)"
expect_out "^ +id $DATED: expiry moved from 20[0-9T:.-]+Z to NULL$"
end_case

test_case "refresh_tokens: expiry_required warns at baseline, naming the rule and the rows"
{ cat refresh.conf; echo 'expiry_required = yes'; } >refresh_strict.conf
v -c refresh_strict.conf --store refresh_strict.db baseline
expect_rc 0
expect_out '^WARN +share_tokens +public\.refresh_tokens expiry +set +50 NULL +the healthy database breaks this rule, so the first gate will fail: 50 tokens never expire, expires_at is NULL \(ids "'
end_case

# ------------------------------------------------------- invitations: revoked by status
real_conf invitations.conf <<'CONF'
table = public.invitations
hash = token_digest
format = sha256-base64url
created = created_at
expires = expires_at
revoked = status in (accepted, revoked, 'it''s gone); drop table public.users; --')
max_lifetime = 7d
CONF

test_case "invitations: an accepted invitation back to pending fails; the values stay values"
v -c invitations.conf --store invitations.db baseline
expect_rc 0
expect_not_out '^WARN '
real_copy tokreal_inv
psql_q -d tokreal_inv -c "update public.invitations set status = 'pending' where id = 4;
    update public.invitations set status = 'revoked' where id = 6"
real_gate invitations.conf invitations.db tokreal_inv
expect_rc 1
expect_out '^FAIL +share_tokens +public\.invitations revived +as baseline +1 token .*\(ids 4\)'
expect_out '^ +id 4: revoked in the baseline, status no longer one of \{"accepted","revoked","it.s gone\); drop table public\.users; --"\} now$'
expect_not_out 'revocation moved'
check "the users table is still there" psql_q -d tokreal_inv -o /dev/null -c 'select 1 from public.users limit 1'
end_case

# ---------------------------------- personal access tokens: (tenant_id, id), bytea sha256
real_conf pat.conf <<'CONF'
table = public.personal_access_tokens
id = tenant_id, id
hash = token_sha256
format = sha256-hex
created = created_at
expires = expires_at
revoked = revoked_at
CONF
PAT_HEX=$(psql_q -d "$real_db" -c "select encode(token_sha256, 'hex') from public.personal_access_tokens where tenant_id = 2 and id = 5")

test_case "personal_access_tokens: an id that is not the key is refused at baseline"
sed 's/^id = tenant_id, id$/id = id/' pat.conf >pat_bad.conf
v -c pat_bad.conf --store pat_bad.db baseline
expect_rc 3
expect_out '^baseline aborted: share_tokens: public\.personal_access_tokens: id does not identify a token: 25 values are shared by several rows \(1, 10, 11, 12, 13\); 1 check not evaluated$'
expect_err 'public\.personal_access_tokens: id does not identify a token: 25 values are shared by several rows \(1, 10, 11, 12, 13\)'
expect_err 'hint: Give every column of the key in \[share_tokens\] id, e\.g\. id = tenant_id, id'
end_case

test_case "personal_access_tokens: bytea hashes are judged as hex, rows named by both key columns"
v -c pat.conf --store pat.db baseline
expect_rc 0
expect_not_out '^WARN '
expect_file_lacks "$PAT_HEX" pat.db
real_copy tokreal_pat
psql_q -d tokreal_pat -c "update public.personal_access_tokens set token_sha256 = sha256('other'::bytea) where tenant_id = 2 and id = 5;
    update public.personal_access_tokens set token_sha256 = 'pat_plain'::bytea where tenant_id = 3 and id = 7"
real_gate pat.conf pat.db tokreal_pat
expect_rc 1
expect_out '^FAIL +share_tokens +public\.personal_access_tokens hashes +sha256-hex +1 of 75 not .*\(ids \["3","7"\]\)'
expect_out '^FAIL +share_tokens +public\.personal_access_tokens hash changed +as baseline +2 tokens .*\(ids \["2","5"\], \["3","7"\]\)'
expect_file_lacks "$PAT_HEX" "$OUT" pat.db
end_case

# ------------------------------------------------------------ plaintext sessions by design
real_conf sessions.conf <<'CONF'
table = public.sessions
hash = session_token
format = plaintext
created = created_at
expires = expires_at
max_lifetime = 14d
CONF
SESSION=$(psql_q -d "$real_db" -c 'select session_token from public.sessions where id = 3')

test_case "sessions: plaintext tokens are held to the baseline and said to be unhashed"
v -c sessions.conf --store sessions.db baseline
expect_rc 0
expect_out '^WARN +share_tokens +public\.sessions hashes +hashed +80 in plaintext +the 80 tokens in session_token are stored as issued, not hashed'
expect_file_lacks "$SESSION" sessions.db
real_copy tokreal_sess
real_gate sessions.conf sessions.db tokreal_sess
expect_rc 0
expect_out '^WARN +share_tokens +public\.sessions hashes +hashed +80 in plaintext '
expect_out '^pass +share_tokens +public\.sessions baseline +80 tokens +same'
psql_q -d tokreal_sess -c "update public.sessions set session_token = 'sess_attacker_chosen' where id = 3"
real_gate sessions.conf sessions.db tokreal_sess
expect_rc 1
expect_out '^FAIL +share_tokens +public\.sessions hash changed +as baseline +1 token .*\(ids 3\)'
expect_file_lacks "$SESSION" "$OUT" sessions.db
expect_file_lacks sess_attacker_chosen "$OUT" sessions.db
end_case

test_case "sessions: plaintext_status = fail closes the gate"
{ cat sessions.conf; echo 'plaintext_status = fail'; } >sessions_fail.conf
v -c sessions_fail.conf --store sessions.db check share_tokens --target dbname=tokreal_users
expect_rc 1
expect_out '^FAIL +share_tokens +public\.sessions hashes +hashed +80 in plaintext '
end_case

test_case "a table keyed by its token is refused: the id would put tokens in the store"
real_conf keyed.conf <<'CONF'
table = public.sessions
hash = id
format = plaintext
CONF
v -c keyed.conf --store keyed.db baseline
expect_rc 2
expect_err '^vouch: keyed\.conf:[0-9]+: \[share_tokens\] hash: column id is also the id: findings and the baseline name rows by their id, so the id must not be the token$'
{ cat sessions.conf; echo 'id = session_token'; echo 'plaintext = session_token'; } | sed 's/^hash = session_token$/hash = user_id/' >keyed2.conf
v -c keyed2.conf --store keyed.db baseline
expect_rc 2
expect_err '^vouch: keyed2\.conf:[0-9]+: \[share_tokens\] plaintext: column session_token is also the id'
check "no store was made" test ! -e keyed.db
end_case

# ---------------------------------------- passcodes: created only; recovery codes: nothing
real_conf otp.conf <<'CONF'
table = public.otp_codes
hash = code_hash
format = sha256-hex
created = created_at
lifetime = 10min
CONF

test_case "otp_codes: a passcode whose creation moved later fails as extended"
v -c otp.conf --store otp.db baseline
expect_rc 0
real_copy tokreal_otp
psql_q -d tokreal_otp -c "update public.otp_codes set created_at = created_at + interval '1 hour' where id = 12"
real_gate otp.conf otp.db tokreal_otp
expect_rc 1
expect_out '^FAIL +share_tokens +public\.otp_codes expiry moved +as baseline +1 token .*\(ids 12\)'
end_case

real_conf recovery.conf <<'CONF'
table = public.recovery_codes
hash = code_digest
format = sha256-hex
CONF

test_case "recovery_codes: no timestamp, still held to the baseline's (id, hash) set"
v -c recovery.conf --store recovery.db baseline
expect_rc 0
real_copy tokreal_rec
real_gate recovery.conf recovery.db tokreal_rec
expect_rc 0
expect_out '^pass +share_tokens +public\.recovery_codes expiry +not configured +not checked '
expect_out '^pass +share_tokens +public\.recovery_codes baseline +40 tokens +same, 0 new'
psql_q -d tokreal_rec -c "delete from public.recovery_codes where id = 9;
    insert into public.recovery_codes values (41, 1, encode(sha256('new'::bytea), 'hex'))"
real_gate recovery.conf recovery.db tokreal_rec
expect_rc 1
expect_out '^FAIL +share_tokens +public\.recovery_codes vanished +as baseline +1 token .*\(ids 9\)'
expect_out '^WARN +share_tokens +public\.recovery_codes new tokens +as baseline +1 token +1 token is not in the baseline \(ids 41\): the table has no creation time'
end_case

# ------------------------------------------------------------------------- the row filter
test_case "where: only the rows it selects are judged"
{ cat refresh.conf; echo 'where = user_id <> 1'; } >refresh_where.conf
v -c refresh_where.conf --store refresh_where.db baseline
expect_rc 0
real_copy tokreal_where
psql_q -d tokreal_where -c "update public.refresh_tokens set token_hash = 'plain' || id where user_id = 1"
real_gate refresh_where.conf refresh_where.db tokreal_where
expect_rc 0
expect_out '^pass +share_tokens +public\.refresh_tokens hashes +sha256-hex +all 146 '
end_case

test_case "where: text that leaves its parentheses is refused before anything runs"
{ cat refresh.conf; echo 'where = true) or (select pg_sleep(1)) is null or (true'; } >where_bad.conf
v -c where_bad.conf --store where_bad.db baseline
expect_rc 2
expect_err 'where_bad\.conf:[0-9]+: \[share_tokens\] where: '
check "no store was made" test ! -e where_bad.db
end_case

test_case "where: a condition the server refuses stops the baseline naming the line"
{ cat refresh.conf; echo 'where = no_such_column > 0'; } >where_col.conf
v -c where_col.conf --store where_col.db baseline
expect_rc 3
expect_err 'where_col\.conf:[0-9]+: \[share_tokens\] where: not usable as a condition on the rows of public\.refresh_tokens: .*no_such_column'
end_case

# --------------------------------------------------- a baseline that breaks its own rules
test_case "a rule the healthy database breaks is a warning at baseline, naming rule and rows"
real_conf users_strict.conf <<'CONF'
table = public.users
hash = confirmation_token
format = sha256-hex
plaintext = encrypted_password
CONF
psql_q -d "$real_db" -c "update public.users set encrypted_password = 'x' where id in (3, 4)"
v -c users_strict.conf --store users_strict.db baseline
psql_q -d "$real_db" -c "update public.users set encrypted_password = '' where id in (3, 4)"
expect_rc 0
expect_out "^WARN +share_tokens +public\.users encrypted_password +NULL or '' +2 rows hold data +the healthy database breaks this rule, so the first gate will fail: 2 rows hold plaintext in encrypted_password \(ids 3, 4\)"
end_case

# ------------------------------------------ a big table: the two-connection split still holds
# 26 000 users, 22 000 of them with a pending token (bytea, a boolean revoked flag), 1 000 rows
# soft-deleted and left out by where.
psql_q -d "$real_db" -c "
create table public.big_tokens (
    id bigint primary key, token_sha256 bytea, used boolean not null default false,
    sent_at timestamptz, deleted_at timestamptz);
insert into public.big_tokens
select i, case when i % 13 <> 0 then sha256(convert_to('big-' || i, 'UTF8')) end,
       i % 40 = 0, case when i % 13 <> 0 then now() - interval '1 hour' end,
       case when i % 26 = 1 then now() end
from generate_series(1, 26000) i"
real_conf big.conf <<'CONF'
table = public.big_tokens
hash = token_sha256
format = sha256-hex
created = sent_at
lifetime = 24h
revoked = used
where = deleted_at IS NULL
CONF

test_case "big: rows without a token, a filter, bytea and a flag, over two connections"
v -c big.conf --store big.db baseline
expect_rc 0
expect_not_out '^WARN '
real_copy tokreal_big
v -v -c big.conf --store big.db check share_tokens --target dbname=tokreal_big
expect_rc 0
expect_err '^vouch: share_tokens: checked in [0-9.]+ s over 2 connections$'
expect_out '^pass +share_tokens +public\.big_tokens hashes +sha256-hex +all 23000 '
expect_out '^pass +share_tokens +public\.big_tokens baseline +23000 tokens +same, 0 new'
psql_q -d tokreal_big -c "update public.big_tokens set token_sha256 = 'raw-token-9'::bytea where id = 9;
    update public.big_tokens set used = false where id in (80, 25960);
    update public.big_tokens set token_sha256 = NULL where id = 25999;
    update public.big_tokens set token_sha256 = 'ignored'::bytea where id = 27"
v -v -c big.conf --store big.db check share_tokens --target dbname=tokreal_big
expect_rc 1
expect_err '^vouch: share_tokens: checked in [0-9.]+ s over 2 connections$'
expect_out '^FAIL +share_tokens +public\.big_tokens hashes +sha256-hex +1 of 22999 not +.*\(ids 9\)'
expect_out '^FAIL +share_tokens +public\.big_tokens revived +as baseline +2 tokens +.*\(ids 80, 25960\)'
expect_out '^FAIL +share_tokens +public\.big_tokens hash changed +as baseline +1 token +.*\(ids 9\)'
expect_not_out 'vanished'
expect_not_out 'ids 27'
expect_file_lacks "raw-token-9" "$OUT" big.db
end_case
