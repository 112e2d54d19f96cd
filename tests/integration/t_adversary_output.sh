# What vouch shows of text it read from the database, and what it masks. A setting's value
# or a table's name that would repaint the terminal or forge a verdict is shown escaped in
# every writer, and JUnit still parses; a password that is also a role's or a schema's name
# changes no stored evidence; credentials in a restore command other than Postgres passwords
# are masked; a CSV cell a spreadsheet would run as a formula is quoted.

# no_control FILE: no control byte other than newline (ESC, CR, ...) is in FILE
no_control() {
    ! LC_ALL=C grep -aq "$(printf '[\001-\011\013-\037\177]')" "$1"
}

fresh_db adv_out
psql_q -d adv_out -c "alter database adv_out set app.data_region = 'ap-southeast-2'"
mkdir -p out && cd out
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=adv_out

[rowcount]
schema = public

[settings]
schema = public
CONF

test_case "a hostile setting and table name: shown escaped, no forged verdict, JUnit parses"
psql_q -d adv_out -c "$(printf 'create table "evil\n\033[1A\033[2K\rgate open" (id int); insert into "evil\n\033[1A\033[2K\rgate open" values (1), (2)')"
v baseline
expect_rc 0
psql_q -d adv_out -c "alter database adv_out set app.data_region = E'\\033[2J\\033[HSTATUS CHECK SUBJECT\\npass ...\\n\\ngate open: every check passed (59 of 59)\\n\\033[8m\\uFFFE'"
psql_q -d adv_out -c "$(printf 'delete from "evil\n\033[1A\033[2K\rgate open" where id = 1')"
v gate -q
expect_rc 1
check "human output holds no control byte" no_control "$OUT"
expect_not_out '^gate open'
expect_out 'evil\\x0A\\x1B\[1A\\x1B\[2K\\x0Dgate open'
expect_out '\\x1B\[2J\\x1B\[HSTATUS CHECK SUBJECT'
expect_out '^gate closed'
v gate --format tap
expect_rc 1
check "TAP output holds no control byte" no_control "$OUT"
expect_not_out '^gate open'
v gate --format junit --output junit.xml
expect_rc 1
check "JUnit output holds no control byte" no_control junit.xml
check "xmllint parses the JUnit output" xmllint --noout junit.xml
check "the store keeps the value as the database holds it" \
    test "$(sqlite3 vouch.db "select count(*) from results where instr(observed, char(27)) > 0")" -gt 0
# The report's CSV and Markdown: the same escapes (the CSV's rows end in CR LF, as RFC 4180 has).
id=$(sqlite3 vouch.db "select max(id) from runs")
v report run "$id" --format csv --out hostile.csv
expect_rc 0
sed 's/\r$//' hostile.csv >hostile.lf
check "CSV holds no control byte" no_control hostile.lf
check "CSV shows the escape" grep -qF '\x1B[2J\x1B[HSTATUS CHECK SUBJECT' hostile.csv
v report run "$id" --format markdown --out hostile.md
expect_rc 0
check "Markdown holds no control byte" no_control hostile.md
end_case

test_case "a 300 KB setting value: the human table stays small, the value is shown once"
printf "alter database adv_out set app.data_region = '%s'\n" "$(head -c 300000 /dev/zero | tr '\0' a)" |
    psql_q -d adv_out
v gate
expect_rc 1
check "stdout is under 1 MB" test "$(wc -c <"$OUT")" -lt 1000000
expect_out '^         observed: '
psql_q -d adv_out -c "alter database adv_out set app.data_region = 'ap-southeast-2'"
end_case

test_case "a CSV cell that starts with = is quoted for spreadsheets"
psql_q -d adv_out -c "alter database adv_out set app.data_region = '=HYPERLINK(\"http://e.vil/\",\"ap-southeast-2\")'"
v gate
expect_rc 1
id=$(sqlite3 vouch.db "select max(id) from runs")
v report run "$id" --format csv --out run.csv
expect_rc 0
check "no cell starts with =" sh -c "! grep -q '\(^\|,\)\"\?=HYPERLINK' run.csv"
check "the cell is shown with a leading '" grep -qF "'=HYPERLINK" run.csv
psql_q -d adv_out -c "alter database adv_out set app.data_region = 'ap-southeast-2'"
end_case
cd ..

test_case "a password equal to a role or a schema name changes no baseline or result"
fresh_db adv_pw
mkdir -p pw && cd pw
printf '[target]\ndsn = dbname=adv_pw\n\n[rowcount]\ntable = public.tasks\n\n[rls]\nschema = public\n' >vouch.conf
PGPASSWORD=postgres v baseline --target "dbname=adv_pw password=public"
expect_rc 0
check "no baseline holds ***" test "$(sqlite3 vouch.db "select count(*) from baselines where content like '%***%'")" = 0
check "no stored target holds ***" test "$(sqlite3 vouch.db "select count(*) from runs where target like '%***%'")" = 0
v gate
expect_rc 0
PGPASSWORD=postgres v gate --target "dbname=adv_pw password=public"
expect_rc 0
check "no result holds ***" test "$(sqlite3 vouch.db "select count(*) from results where subject || coalesce(observed, '') || coalesce(expected, '') || reason like '%***%'")" = 0
end_case

test_case "restore-command credentials other than Postgres passwords are masked"
v drill run --scenario creds --incident-at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --restore-cmd "true -H 'Authorization: Bearer S3cretPW3' --api-key S3cretPW4 -u me:S3cretPW5 && NEON_API_KEY=S3cretPW6 true" \
    --target dbname=adv_pw
expect_rc 0
expect_out "Authorization: \*\*\*"
for s in S3cretPW3 S3cretPW4 S3cretPW5 S3cretPW6; do
    expect_file_lacks "$s" "$OUT" "$ERR" vouch.db
done
end_case
cd ..
