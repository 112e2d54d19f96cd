# share_tokens: hashed tokens stay hashed, unique, with sane expiries, unchanged since the
# baseline. Each fault is injected alone into a fresh copy of the healthy database.

fresh_db tok_healthy
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=tok_healthy

[share_tokens]
table = public.share_links
hash = token_hash
format = sha256-hex
plaintext = legacy_token
expires = expires_at
created = created_at
revoked = revoked_at
max_lifetime = 30d
CONF

# tok_copy NAME: a copy of the healthy database as the baseline saw it.
tok_copy() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    createdb -T tok_healthy "$1"
}
# tok_gate NAME: the gate against copy NAME, share_tokens only.
tok_gate() {
    v check share_tokens --target "dbname=$1"
}

SOME_HASH=$(psql_q -d tok_healthy -c 'select token_hash from public.share_links order by id limit 1')

test_case "baseline captures the ranges without any token hash"
v baseline
expect_rc 0
expect_out 'share_tokens: [0-9]+ ranges'
expect_file_lacks "$SOME_HASH" vouch.db
end_case

test_case "a clean copy passes every rule and the baseline"
tok_copy tok_clean
tok_gate tok_clean
expect_rc 0
expect_out '^pass +share_tokens +public\.share_links hashes +sha256-hex +all [0-9]+ '
expect_out '^pass +share_tokens +public\.share_links legacy_token +NULL or .. +empty '
expect_out '^pass +share_tokens +public\.share_links expiry +<= 30 days +all within '
expect_out '^pass +share_tokens +public\.share_links duplicates +none +unique index +every token_hash value is unique: unique index public\.share_links_token_hash_key holds'
expect_out '^pass +share_tokens +public\.share_links baseline +[0-9]+ tokens +same, 0 new '
end_case

test_case "a plaintext token restored into the hash column fails, never showing it"
tok_copy tok_plain
psql_q -d tok_plain -c "update public.share_links set token_hash = 'pst_live_secret_0123456789' where id = 3"
tok_gate tok_plain
expect_rc 1
expect_out '^FAIL +share_tokens +public\.share_links hashes +sha256-hex +1 of [0-9]+ not +1 token_hash value is not sha256-hex \(ids 3\): .*revoke these tokens'
expect_out '^FAIL +share_tokens +public\.share_links hash changed .*\(ids 3\)'
expect_file_lacks pst_live_secret "$OUT" "$ERR" vouch.db
v --format json check share_tokens --target dbname=tok_plain
expect_file_lacks pst_live_secret "$OUT"
end_case

test_case "a populated plaintext column fails naming the rows"
tok_copy tok_legacy
psql_q -d tok_legacy -c "update public.share_links set legacy_token = 'pst_legacy_' || id where id in (4, 6)"
tok_gate tok_legacy
expect_rc 1
expect_out "^FAIL +share_tokens +public\.share_links legacy_token +NULL or '' +2 rows hold data +2 rows hold plaintext in legacy_token \(ids 4, 6\): set it to NULL and revoke"
expect_file_lacks pst_legacy_ "$OUT" vouch.db
end_case

test_case "many offenders across ranges: the count, and the first five ids"
sed 's/^max_lifetime = 30d$/max_lifetime = 30d\nrange = 64/' vouch.conf >small_ranges.conf
v -c small_ranges.conf --store small.db baseline
expect_rc 0
tok_copy tok_many
psql_q -d tok_many -c "update public.share_links set legacy_token = 'pst_' || id where id between 60 and 70;
                       delete from public.share_links where id between 120 and 140"
v -c small_ranges.conf --store small.db gate --target dbname=tok_many
expect_rc 1
expect_out "^FAIL +share_tokens +public\.share_links legacy_token +NULL or '' +11 rows hold data +11 rows hold plaintext in legacy_token \(ids 60, 61, 62, 63, 64\)"
expect_out '^FAIL +share_tokens +public\.share_links vanished +as baseline +21 tokens +21 tokens of the baseline are gone \(ids 120, 121, 122, 123, 124\)'
expect_out '^ +\.\.\. and 1 more$'
end_case

test_case "duplicate hashes fail naming both rows"
tok_copy tok_dup
psql_q -d tok_dup -c "alter table public.share_links drop constraint share_links_token_hash_key;
                      update public.share_links set token_hash = (select token_hash from public.share_links where id = 1) where id = 2"
tok_gate tok_dup
expect_rc 1
expect_out '^FAIL +share_tokens +public\.share_links duplicates +none +2 rows share 1 +2 rows share 1 hash \(ids 1, 2\): one token opens several rows'
end_case

test_case "a NULL expiry fails"
tok_copy tok_null
psql_q -d tok_null -c "alter table public.share_links alter expires_at drop not null, drop constraint share_links_check;
                       update public.share_links set expires_at = NULL where id = 5"
tok_gate tok_null
expect_rc 1
expect_out '^FAIL +share_tokens +public\.share_links expiry +<= 30 days +1 NULL +1 token never expires, expires_at is NULL \(ids 5\): set an expiry or revoke them'
expect_out '^FAIL +share_tokens +public\.share_links expiry moved .*\(ids 5\)'
end_case

test_case "an expiry extended by a year fails twice: lifetime and against the baseline"
tok_copy tok_ext
psql_q -d tok_ext -c "update public.share_links set expires_at = expires_at + interval '1 year' where id = 7"
tok_gate tok_ext
expect_rc 1
expect_out '^FAIL +share_tokens +public\.share_links expiry +<= 30 days +1 longer +1 token expires more than 30 days after creation \(ids 7\)'
expect_out '^FAIL +share_tokens +public\.share_links expiry moved +as baseline +1 token +1 token expires later than in the baseline \(ids 7\)'
expect_out '^ +id 7: expiry moved from 20[0-9-]+T[0-9:.]+Z to 20[0-9-]+T[0-9:.]+Z$'
end_case

test_case "an expiry set to infinity fails as beyond the lifetime and as moved"
tok_copy tok_inf
psql_q -d tok_inf -c "update public.share_links set expires_at = 'infinity' where id = 14"
tok_gate tok_inf
expect_rc 1
expect_out '^FAIL +share_tokens +public\.share_links expiry +<= 30 days +1 longer +1 token expires more than 30 days after creation \(ids 14\)'
expect_out '^ +id 14: expiry moved from 20[0-9T:.-]+Z to infinity$'
end_case

test_case "an expiry moved within the lifetime still fails against the baseline"
tok_copy tok_ext2
psql_q -d tok_ext2 -c "update public.share_links set expires_at = expires_at + interval '1 minute' where id = 8"
tok_gate tok_ext2
expect_rc 1
expect_out '^pass +share_tokens +public\.share_links expiry +<= 30 days +all within'
expect_out '^FAIL +share_tokens +public\.share_links expiry moved .*\(ids 8\)'
end_case

test_case "a revoked link revived fails naming it"
REVOKED=$(psql_q -d tok_healthy -c 'select min(id) from public.share_links where revoked_at is not null')
tok_copy tok_rev
psql_q -d tok_rev -c "update public.share_links set revoked_at = NULL where id = $REVOKED"
tok_gate tok_rev
expect_rc 1
expect_out "^FAIL +share_tokens +public\.share_links revived +as baseline +1 token +1 token revoked in the baseline is live again \(ids $REVOKED\): revoke it again"
expect_out "^ +id $REVOKED: revoked at 20[0-9T:.-]+Z in the baseline, revoked_at is NULL now$"
end_case

test_case "a link revoked since the baseline passes"
tok_copy tok_revnow
psql_q -d tok_revnow -c "update public.share_links set revoked_at = now() where id = 9 and revoked_at is null"
tok_gate tok_revnow
expect_rc 0
expect_out '^pass +share_tokens +public\.share_links baseline .*\([01] revoked since\)'
end_case

test_case "deleted token rows fail as vanished"
tok_copy tok_del
psql_q -d tok_del -c "delete from public.share_links where id in (10, 11, 12)"
tok_gate tok_del
expect_rc 1
expect_out '^FAIL +share_tokens +public\.share_links vanished +as baseline +3 tokens +3 tokens of the baseline are gone \(ids 10, 11, 12\): the restore lost rows'
end_case

test_case "rows that predate the baseline fail; rows made after it pass"
tok_copy tok_old
psql_q -d tok_old -c "insert into public.share_links (id, asset_id, agency_id, token_hash, created_at, expires_at)
    select 900001, asset_id, agency_id, encode(sha256('old-token'::bytea), 'hex'), '2025-03-01', '2025-03-08'
    from public.share_links where id = 1;
    insert into public.share_links (id, asset_id, agency_id, token_hash, created_at, expires_at)
    select 900002, asset_id, agency_id, encode(sha256('new-token'::bytea), 'hex'), now(), now() + interval '2 days'
    from public.share_links where id = 1"
tok_gate tok_old
expect_rc 1
expect_out '^FAIL +share_tokens +public\.share_links backdated +as baseline +1 token +1 token appeared that was created before the baseline \(ids 900001\)'
expect_not_out '900002'
tok_copy tok_new
psql_q -d tok_new -c "insert into public.share_links (id, asset_id, agency_id, token_hash, created_at, expires_at)
    select 900002, asset_id, agency_id, encode(sha256('new-token'::bytea), 'hex'), now(), now() + interval '2 days'
    from public.share_links where id = 1"
tok_gate tok_new
expect_rc 0
expect_out '^pass +share_tokens +public\.share_links baseline +[0-9]+ tokens +same, 1 new '
end_case

test_case "a lost column fails naming it"
tok_copy tok_col
psql_q -d tok_col -c "alter table public.share_links drop column legacy_token"
tok_gate tok_col
expect_rc 1
expect_out '^FAIL +share_tokens +public\.share_links .*has no column legacy_token'
end_case

# The format rule counts bytes where it once counted characters: a value of the right number
# of characters but more bytes, or with anything around the hash, still fails.
test_case "hex hashes near the format: non-ASCII, a trailing space, one digit short; upper case passes"
tok_copy tok_near
psql_q -d tok_near -c "update public.share_links set token_hash = 'é' || substr(token_hash, 2) where id = 2;
                       update public.share_links set token_hash = substr(token_hash, 1, 63) || 'ü' where id = 4;
                       update public.share_links set token_hash = token_hash || ' ' where id = 6;
                       update public.share_links set token_hash = upper(token_hash) where id = 8;
                       update public.share_links set token_hash = substr(token_hash, 1, 63) where id = 9"
tok_gate tok_near
expect_rc 1
expect_out '^FAIL +share_tokens +public\.share_links hashes +sha256-hex +4 of [0-9]+ not +4 token_hash values are not sha256-hex \(ids 2, 4, 6, 9\)'
expect_out '^FAIL +share_tokens +public\.share_links hash changed +as baseline +5 tokens +5 tokens hold another hash than in the baseline \(ids 2, 4, 6, 8, 9\)'
end_case

# A table nobody here wrote: bcrypt and argon2id hashes, integer ids, no revoked column.
psql_q -d tok_healthy -c "
create table public.api_tokens (
    id int primary key, bcrypt_hash text not null, argon_hash text not null,
    issued_at timestamp not null, valid_until timestamp not null);
insert into public.api_tokens
select i, extensions.crypt('api-token-' || i, extensions.gen_salt('bf', 4)),
       '\$argon2id\$v=19\$m=65536,t=3,p=4\$' || rtrim(encode(extensions.gen_random_bytes(16), 'base64'), '=')
           || '\$' || rtrim(encode(extensions.gen_random_bytes(32), 'base64'), '='),
       timestamp '2026-09-01' + i * interval '1 hour', timestamp '2026-09-01' + i * interval '1 hour' + interval '90 days'
from generate_series(1, 40) i"
for fmt in bcrypt argon2id; do
    col=bcrypt_hash
    [ "$fmt" = argon2id ] && col=argon_hash
    cat >"$fmt.conf" <<CONF
[target]
dsn = dbname=tok_healthy
[share_tokens]
table = api_tokens
hash = $col
format = $fmt
expires = valid_until
created = issued_at
max_lifetime = 13w
CONF
    test_case "a $fmt table of our own passes, and a bad value in it fails"
    v -c "$fmt.conf" --store "$fmt.db" baseline
    expect_rc 0
    v -c "$fmt.conf" --store "$fmt.db" gate
    expect_rc 0
    expect_out "^pass +share_tokens +public\.api_tokens hashes +$fmt +all 40 "
    # no unique index here: duplicates are looked for by grouping in the server
    expect_out "^pass +share_tokens +public\.api_tokens duplicates +none +none "
    tok_copy "tok_$fmt"
    psql_q -d "tok_$fmt" -c "update public.api_tokens set $col = 'api-token-17' where id = 17"
    v -c "$fmt.conf" --store "$fmt.db" gate --target "dbname=tok_$fmt"
    expect_rc 1
    expect_out "^FAIL +share_tokens +public\.api_tokens hashes +$fmt +1 of 40 not +1 $col value is not $fmt \(ids 17\)"
    expect_file_lacks api-token-17 "$OUT" "$fmt.db"
    end_case
done

# Another design: sessions keyed by uuid, sha256-base64 refresh-token hashes, no revocation.
psql_q -d tok_healthy -c "
create table public.sessions (
    session_id uuid primary key, refresh_hash text not null unique,
    created timestamptz not null, expires timestamptz not null);
insert into public.sessions
select md5('session-' || i)::uuid, encode(sha256(convert_to('refresh-' || i, 'UTF8')), 'base64'),
       timestamptz '2026-09-01 00:00+00' + i * interval '1 minute',
       timestamptz '2026-09-01 00:00+00' + i * interval '1 minute' + interval '14 days'
from generate_series(1, 300) i;
analyze public.sessions"
cat >sessions.conf <<'CONF'
[target]
dsn = dbname=tok_healthy
[share_tokens]
table = public.sessions
id = session_id
hash = refresh_hash
format = sha256-base64
expires = expires
created = created
max_lifetime = 14 days
range = 64
CONF
S17=$(psql_q -d tok_healthy -c "select md5('session-17')::uuid")
S18=$(psql_q -d tok_healthy -c "select md5('session-18')::uuid")

test_case "a sessions table with uuid ids and base64 hashes passes"
v -c sessions.conf --store sessions.db baseline
expect_rc 0
v -c sessions.conf --store sessions.db gate
expect_rc 0
expect_out '^pass +share_tokens +public\.sessions hashes +sha256-base64 +all 300 '
expect_out '^pass +share_tokens +public\.sessions baseline +300 tokens +same, 0 new '
end_case

test_case "sessions: an extended, a deleted and a plaintext row are each named"
tok_copy tok_sess
psql_q -d tok_sess -c "update public.sessions set expires = expires + interval '1 day' where session_id = '$S17';
                       delete from public.sessions where session_id = '$S18';
                       update public.sessions set refresh_hash = 'rt_plain_refresh_token' where session_id = md5('session-19')::uuid"
v -c sessions.conf --store sessions.db gate --target dbname=tok_sess
expect_rc 1
expect_out '^FAIL +share_tokens +public\.sessions hashes +sha256-base64 +1 of 299 not '
expect_out '^FAIL +share_tokens +public\.sessions expiry +<= 14 days +1 longer '
expect_out "^FAIL +share_tokens +public\.sessions expiry moved .*\"$S17\""
expect_out "^FAIL +share_tokens +public\.sessions vanished .*\"$S18\""
expect_out '^FAIL +share_tokens +public\.sessions hash changed '
expect_file_lacks rt_plain_refresh "$OUT" sessions.db
end_case

test_case "base64 hashes near the format: padded twice or non-ASCII fail, unpadded passes"
tok_copy tok_sess64
psql_q -d tok_sess64 -c "update public.sessions set refresh_hash = refresh_hash || '=' where session_id = md5('session-21')::uuid;
                         update public.sessions set refresh_hash = rtrim(refresh_hash, '=') where session_id = md5('session-22')::uuid;
                         update public.sessions set refresh_hash = 'é' || substr(refresh_hash, 2) where session_id = md5('session-23')::uuid"
v -c sessions.conf --store sessions.db gate --target dbname=tok_sess64
expect_rc 1
expect_out '^FAIL +share_tokens +public\.sessions hashes +sha256-base64 +2 of 300 not '
expect_out '^FAIL +share_tokens +public\.sessions hash changed +as baseline +3 tokens '
end_case

test_case "a custom regex format is matched in the server"
sed 's/^format = .*/format = regex:^[A-Za-z0-9+\/]{43}=$/' sessions.conf >regex.conf
v -c regex.conf --store sessions.db gate
expect_rc 0
expect_out '^pass +share_tokens +public\.sessions hashes +regex:.* +all 300 '
sed 's/^format = .*/format = regex:^[0-9a-f]{64}$/' sessions.conf >regex2.conf
v -c regex2.conf --store sessions.db gate
expect_rc 1
expect_out '^FAIL +share_tokens +public\.sessions hashes +regex:.* +300 of 300 not '
end_case

# Sparse integer ids (random, snowflake-like): ranged by a hash of the id, not by value.
psql_q -d tok_healthy -c "
create table public.device_tokens (
    id bigint primary key, token_sha256 text not null unique,
    created_at timestamptz not null, expires_at timestamptz not null, revoked_at timestamptz);
insert into public.device_tokens
select (hashint8(i) & 281474976710655) + 1, encode(sha256(convert_to('device-' || i, 'UTF8')), 'hex'),
       timestamptz '2026-09-01 00:00+00', timestamptz '2026-09-08 00:00+00',
       case when i % 10 = 0 then timestamptz '2026-09-02 00:00+00' end
from generate_series(1, 500) i"
printf '[target]\ndsn = dbname=tok_healthy\n[share_tokens]\ntable = device_tokens\nhash = token_sha256\nformat = sha256-hex\nexpires = expires_at\ncreated = created_at\nrevoked = revoked_at\nmax_lifetime = 7d\nrange = 64\n' >sparse.conf
GONE=$(psql_q -d tok_healthy -c "select min(id) from public.device_tokens")
BACK=$(psql_q -d tok_healthy -c "select max(id) from public.device_tokens where revoked_at is not null")

test_case "sparse integer ids are ranged by hash; a deleted and a revived row are named"
v -c sparse.conf --store sparse.db baseline
expect_rc 0
# 500 rows at 64 a range: 8 ranges by hash (by value, ids this sparse would make ~500)
expect_out 'share_tokens: 8 ranges$'
v -c sparse.conf --store sparse.db gate
expect_rc 0
tok_copy tok_sparse
psql_q -d tok_sparse -c "delete from public.device_tokens where id = $GONE; update public.device_tokens set revoked_at = NULL where id = $BACK"
v -c sparse.conf --store sparse.db gate --target dbname=tok_sparse
expect_rc 1
expect_out "^FAIL +share_tokens +public\.device_tokens vanished +as baseline +1 token +1 token of the baseline is gone \(ids $GONE\)"
expect_out "^FAIL +share_tokens +public\.device_tokens revived +as baseline +1 token .*\(ids $BACK\)"
end_case

# From 20 000 rows the gate's scan is split between two connections.
psql_q -d tok_healthy -c "
create table public.bulk_links (
    id bigint primary key, token_hash text not null, created_at timestamptz not null,
    expires_at timestamptz not null, revoked_at timestamptz);
insert into public.bulk_links
select i, encode(sha256(convert_to('bulk-' || i, 'UTF8')), 'hex'),
       timestamptz '2026-08-01 00:00+00' + i * interval '1 minute',
       timestamptz '2026-08-01 00:00+00' + i * interval '1 minute' + interval '7 days',
       case when i % 50 = 0 then timestamptz '2026-08-02 00:00+00' end
from generate_series(1, 24000) i"
printf '[target]\ndsn = dbname=tok_healthy\n[share_tokens]\ntable = bulk_links\nhash = token_hash\nformat = sha256-hex\nexpires = expires_at\ncreated = created_at\nrevoked = revoked_at\nmax_lifetime = 7d\n' >bulk.conf

test_case "a large table is scanned over two connections, and faults in both halves are found"
v -c bulk.conf --store bulk.db baseline
expect_rc 0
v -v -c bulk.conf --store bulk.db gate
expect_rc 0
expect_err '^vouch: share_tokens: checked in [0-9.]+ s over 2 connections$'
expect_out '^pass +share_tokens +public\.bulk_links hashes +sha256-hex +all 24000 '
expect_out '^pass +share_tokens +public\.bulk_links duplicates +none +none '
tok_copy tok_bulk
psql_q -d tok_bulk -c "update public.bulk_links set token_hash = 'bulk-7' where id = 7;
                       update public.bulk_links set token_hash = 'bulk-23990' where id = 23990;
                       update public.bulk_links set revoked_at = NULL where id in (100, 23950);
                       update public.bulk_links set token_hash = (select token_hash from public.bulk_links where id = 1) where id = 20000"
v -c bulk.conf --store bulk.db gate --target dbname=tok_bulk
expect_rc 1
expect_out '^FAIL +share_tokens +public\.bulk_links hashes +sha256-hex +2 of 24000 not +2 token_hash values are not sha256-hex \(ids 7, 23990\)'
expect_out '^FAIL +share_tokens +public\.bulk_links duplicates +none +2 rows share 1 +.*\(ids 1, 20000\)'
expect_out '^FAIL +share_tokens +public\.bulk_links revived +as baseline +2 tokens +.*\(ids 100, 23950\)'
expect_out '^FAIL +share_tokens +public\.bulk_links hash changed +as baseline +3 tokens +.*\(ids 7, 20000, 23990\)'
expect_file_lacks bulk-23990 "$OUT" bulk.db
end_case

test_case "with one connection the large table is one scan, with the same findings"
sed 's/^dsn = dbname=tok_healthy$/dsn = dbname=tok_healthy\njobs = 1/' bulk.conf >bulk1.conf
v -v -c bulk1.conf --store bulk.db gate --target dbname=tok_bulk
expect_rc 1
expect_err '^vouch: share_tokens: checked in [0-9.]+ s over 1 connection$'
expect_out '^FAIL +share_tokens +public\.bulk_links hashes +sha256-hex +2 of 24000 not +2 token_hash values are not sha256-hex \(ids 7, 23990\)'
expect_out '^FAIL +share_tokens +public\.bulk_links duplicates +none +2 rows share 1 +.*\(ids 1, 20000\)'
expect_out '^FAIL +share_tokens +public\.bulk_links revived +as baseline +2 tokens +.*\(ids 100, 23950\)'
expect_out '^FAIL +share_tokens +public\.bulk_links hash changed +as baseline +3 tokens +.*\(ids 7, 20000, 23990\)'
end_case

test_case "configuration mistakes exit 2 naming the line"
printf '[share_tokens]\ntable = share_links\nhash = token_hash\nformat = md5\nexpires = expires_at\ncreated = created_at\n' >bad.conf
v -c bad.conf gate
expect_rc 2
expect_err '^vouch: bad.conf:4: \[share_tokens\] format: unknown format "md5"'
printf '[share_tokens]\ntable = share_links\nhash = token_hash\nformat = bcrypt\nexpires = expires_at\ncreated = created_at\nmax_lifetime = a month\n' >bad2.conf
v -c bad2.conf gate
expect_rc 2
expect_err '^vouch: bad2.conf:7: \[share_tokens\] max_lifetime: "a month" is not a lifetime'
end_case

test_case "a missing required key names the section's line"
printf '[target]\ndsn = dbname=tok_healthy\n\n[share_tokens]\ntable = share_links\nformat = sha256-hex\nexpires = expires_at\ncreated = created_at\n' >nohash.conf
v -c nohash.conf gate
expect_rc 2
expect_err "^vouch: nohash.conf:4: \[share_tokens\] is missing required key 'hash'$"
end_case
