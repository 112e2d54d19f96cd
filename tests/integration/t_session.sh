# The libpq session itself, through a cmocka program against this sandbox.

fresh_db sessiondb
test_case "read-only snapshot, shared with workers, identity recorded, secrets dropped"
set +e
PGDATABASE=sessiondb "$SESSION_TEST" >"$OUT" 2>"$ERR"
RC=$?
set -e
expect_rc 0
expect_err 'PASSED.*7 test'
end_case
