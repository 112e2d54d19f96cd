# Shared helpers for the integration tests: sourced by tests/integration/run.
# Each test runs vouch as a user would and asserts exit code, stdout and stderr together.

PASSED=0
FAILED=0
CURRENT=""

# test NAME: start a test case (the previous one is finished).
test_case() {
    CURRENT=$1
    CASE_OK=1
    printf '  %s ... ' "$CURRENT"
}

_fail() {
    if [ "$CASE_OK" = 1 ]; then
        echo "FAIL"
    fi
    CASE_OK=0
    echo "      $*"
}

# skip_case WHY: the current case does not apply to this run (e.g. it edits vouch.db with the
# sqlite3 shell and the file runs on PostgreSQL): printed as skipped with why, counted as
# neither passed nor failed. Its assertions are not run: guard them with 'if on_pg'.
skip_case() {
    echo "skipped: $*"
    SKIPPED=$((${SKIPPED:-0} + 1))
    CASE_OK=skip
}

# end: record the verdict of the current test case.
end_case() {
    [ "$CASE_OK" != skip ] || return 0
    if [ "$CASE_OK" = 1 ]; then
        echo "ok"
        PASSED=$((PASSED + 1))
    else
        FAILED=$((FAILED + 1))
        echo "      --- stdout:"; sed 's/^/      | /' "$OUT" | head -40
        echo "      --- stderr:"; sed 's/^/      | /' "$ERR" | head -20
    fi
}

# v ARGS...: run vouch, keeping stdout in $OUT, stderr in $ERR, exit code in $RC.
# With VOUCH_TEST_STORE_URL (tests/integration/run sets it for VOUCH_TEST_STORE=postgresql),
# every command is given that store: the same file runs against the PostgreSQL back end.
v() {
    set +e
    if [ -n "${VOUCH_TEST_STORE_URL:-}" ]; then
        "$VOUCH" --store "$VOUCH_TEST_STORE_URL" "$@" >"$OUT" 2>"$ERR"
    else
        "$VOUCH" "$@" >"$OUT" 2>"$ERR"
    fi
    RC=$?
    set -e
}

# v_own ARGS...: v without the test store: for a configuration whose [store] line own_store
# wrote (a store of its own, beside the file's).
v_own() {
    VOUCH_TEST_STORE_URL='' v "$@"
}

# on_pg: the file runs against a PostgreSQL store (VOUCH_TEST_STORE=postgresql).
on_pg() {
    [ -n "${VOUCH_TEST_STORE_URL:-}" ]
}

# own_store NAME: prints the [store] line of a configuration that keeps a store of its own:
# "path = NAME.db" on SQLite; on PostgreSQL a new database store_FILE_NAME, made by
# 'vouch store init', and its url. Run vouch on that configuration with v_own.
own_store() {
    if on_pg; then
        local db=${VOUCH_TEST_STORE_DB}_$1
        local url="postgresql:///$db?host=$PGHOST&port=$PGPORT"
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
        createdb "$db"
        "$VOUCH" store init --url "$url" >/dev/null
        echo "url = $url"
    else
        echo "path = $1.db"
    fi
}

# use_own_store NAME FILE: the line "path = NAME.db" of configuration FILE becomes
# own_store NAME's line (the same on SQLite), in place: line numbers stay.
use_own_store() {
    local line
    line=$(own_store "$1")
    awk -v l="$line" -v p="path = $1.db" '$0 == p { print l; next } { print }' "$2" >"$2.tmp"
    mv "$2.tmp" "$2"
}

# store_re [REGEX]: a regex for the name vouch shows for the test store: REGEX (vouch\.db if
# none is given), or on PostgreSQL "postgresql: " and the connection's parameters (never
# its password).
store_re() {
    if on_pg; then
        echo 'postgresql: [^"]*dbname='"$VOUCH_TEST_STORE_DB"'[^"]*'
    else
        echo "${1:-vouch\.db}"
    fi
}

# store_sql [-s NAME] SQL: the query's rows (columns split by |) from the test store: sqlite3
# on vouch.db (with SQLITE_STORE set, that file), or psql on the PostgreSQL store with its
# schema vouch first in the search path; with -s NAME, own_store NAME's store instead.
# Keep SQL to what both read alike (count, max, plain columns; sql_json for JSON).
store_sql() {
    local own=''
    if [ "$1" = -s ]; then
        own=$2
        shift 2
    fi
    if on_pg; then
        PGOPTIONS="${PGOPTIONS:-} -c search_path=vouch" \
            psql_q -d "$VOUCH_TEST_STORE_DB${own:+_$own}" -c "$1"
    else
        local file=${SQLITE_STORE:-vouch.db}
        [ -z "$own" ] || file=$own.db
        sqlite3 "$file" "$1"
    fi
}

# sql_json COLUMN KEY: the SQL for a top-level key of a JSON text column, as text, in the
# test store's dialect: json_extract on SQLite, ->> on PostgreSQL.
sql_json() {
    if on_pg; then
        echo "(($1)::json->>'$2')"
    else
        echo "json_extract($1, '\$.$2')"
    fi
}

# pg_edited_copy NAME SQL: on PostgreSQL, a copy of the test store (the database
# store_FILE_NAME) with SQL run on it behind vouch's back: every trigger of the store's tables
# disabled around it, then enabled again. Prints the copy's URL, for --store.
pg_edited_copy() {
    local db=${VOUCH_TEST_STORE_DB}_$1
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    createdb -T "$VOUCH_TEST_STORE_DB" "$db"
    local t tables=(runs results baselines baseline_parts drills drill_phases approvals) on='' off=''
    for t in "${tables[@]}"; do
        off+="alter table $t disable trigger user; "
        on+="alter table $t enable trigger user; "
    done
    PGOPTIONS="${PGOPTIONS:-} -c search_path=vouch" psql_q -d "$db" -c "$off $2; $on" >/dev/null
    echo "postgresql:///$db?host=$PGHOST&port=$PGPORT"
}

# store_files: prints the files that hold the test store's bytes, to search: vouch.db and its
# WAL, or on PostgreSQL a plain pg_dump of the store's database (store.dump.sql).
store_files() {
    if on_pg; then
        pg_dump -d "$VOUCH_TEST_STORE_DB" -f store.dump.sql
        echo store.dump.sql
    else
        echo vouch.db vouch.db-wal
    fi
}

expect_rc() {
    [ "$RC" = "$1" ] || _fail "expected exit code $1, got $RC"
}

# expect_out REGEX / expect_err REGEX: grep -E on stdout / stderr.
expect_out() {
    grep -Eq -- "$1" "$OUT" || _fail "stdout lacks /$1/"
}
expect_err() {
    grep -Eq -- "$1" "$ERR" || _fail "stderr lacks /$1/"
}
expect_not_out() {
    ! grep -Eq -- "$1" "$OUT" || _fail "stdout has /$1/"
}
expect_empty_err() {
    [ ! -s "$ERR" ] || _fail "stderr is not empty"
}
# expect_file_lacks FIXED-STRING FILE...: the string appears in none of the files (binary too).
expect_file_lacks() {
    local s=$1
    shift
    for f in "$@"; do
        [ -e "$f" ] || continue
        if grep -aqF -- "$s" "$f"; then
            _fail "$f contains \"$s\""
        fi
    done
}
check() {
    # check DESCRIPTION COMMAND...: a free-form assertion
    local what=$1
    shift
    "$@" || _fail "$what"
}

psql_q() {
    psql -X -v ON_ERROR_STOP=1 -qAt "$@"
}

# fresh_db NAME: a new database cloned from the loaded sample portal.
fresh_db() {
    dropdb --if-exists "$1" >/dev/null 2>&1 || true
    createdb -T portal_template "$1"
}
