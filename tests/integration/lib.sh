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

# end: record the verdict of the current test case.
end_case() {
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
