# vouch report: the gate report of a stored run as HTML, Markdown, XML and CSV.

fresh_db healthy
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=healthy

[rowcount]
table = public.audit_log at-least
schema = public
exclude = public.residency_evidence

[report]
organisation = Acme "Portal" & Co | Ops
CONF

test_case "a store without gate runs says so"
v --store empty.db gate --baseline 1
expect_rc 2
check "a gate without a store makes none" test ! -e empty.db
v --store empty.db drill finish # opens the store (creating it) and records nothing
expect_rc 2
v --store empty.db report run
expect_rc 2
expect_err '^vouch: store "empty\.db" holds no gate or check runs to report$'
expect_err "^hint: Run 'vouch gate' first"
v baseline
expect_rc 0
v report run
expect_rc 2
expect_err 'holds no gate or check runs to report \(only baselines\)$'
end_case

pg_dump -Fc -d healthy -f healthy.dump
createdb report_restored
pg_restore -d report_restored --no-owner healthy.dump 2>restore.log || true
psql_q -d report_restored -c 'delete from public.tasks where id % 10 = 0'

test_case "the newest gate run is reported by default, as HTML"
v gate --target "dbname=report_restored password=hunter2secret"
expect_rc 1
v report run --out gate.html
expect_rc 0
expect_empty_err
check "gate.html exists" test -s gate.html
first_at() { grep -ob -- "$1" "$2" | head -1 | cut -d: -f1; }
check "the verdict comes before any result" \
    test "$(first_at 'class="verdict-label">Gate closed<' gate.html)" -lt "$(first_at 'public.<wbr>tasks' gate.html)"
check "the advice line" grep -q '1 of 7 results did not pass. Do not reopen' gate.html
check "the failing row: expected 2000-ish, observed fewer" \
    grep -Eq '<tr class="row-fail"[^>]*><td><span class="badge b-fail">FAIL</span></td><td class="mono">rowcount</td><td class="mono"><a href="#r[0-9]+">public.<wbr>tasks</a></td><td class="mono num">[0-9,]+</td><td class="mono num obs">[0-9,]+</td>' gate.html
check "the organisation, as text" grep -qF 'Acme "Portal" &amp; Co | Ops' gate.html
check "self-contained: no URL, script or link" sh -c '! grep -Eq "https?:|<script|<link|@import" gate.html'
check "a chart in SVG" grep -q '<svg class="bar"' gate.html
check "prints to A4" grep -q '^  size: A4; margin:' gate.html
check "the server" grep -Eq 'PostgreSQL 15\.[0-9]+' gate.html
check "the run digest" grep -Eq '<dd class="mono hash">[0-9a-f]{64}</dd>' gate.html
expect_file_lacks "hunter2secret" gate.html
v report run 2 --out again.html
check "the same store gives the same report, byte for byte" cmp -s gate.html again.html
end_case

test_case "Markdown shows the verdict and the failing row"
v report run 2 --format markdown --out gate.md
expect_rc 0
check "verdict line" grep -q '^> \*\*GATE CLOSED\*\*: 1 of 7 results did not pass\.' gate.md
check "failing row with expected and observed" \
    grep -Eq '^\| \*\*FAIL\*\* \| rowcount \| `public\.tasks` \| `([0-9,]+)` \| `[0-9,]+` \| [0-9]+ rows missing' gate.md
check "the pipe in the organisation is escaped" grep -qF 'Acme "Portal" \& Co \| Ops' gate.md
expect_file_lacks "hunter2secret" gate.md
check "seven rows in the check's table" test "$(grep -c '^| \(pass\|\*\*FAIL\*\*\) | `public\.' gate.md)" = 7
end_case

test_case "the XML validates against templates/report.rng with xmllint"
v report run 2 --format xml --out gate.xml
expect_rc 0
check "valid" xmllint --noout --relaxng "$top/templates/report.rng" gate.xml 2>xmllint.log
check "xmllint says so" grep -qx 'gate.xml validates' xmllint.log
check "verdict" grep -q '<verdict outcome="closed" results="7" passed="6" warnings="0" failed="1" errors="0">gate closed: 1 of 7 results failed</verdict>' gate.xml
# and the schema can say no: a verdict it does not know
sed 's/outcome="closed"/outcome="ajar"/' gate.xml >bad.xml
check "an unknown outcome is invalid" sh -c "! xmllint --noout --relaxng '$top/templates/report.rng' bad.xml 2>/dev/null"
end_case

test_case "CSV: a header and one row per result"
v report run 2 --format csv
expect_rc 0
cp "$OUT" gate.csv
expect_file_lacks "hunter2secret" gate.csv gate.xml
# Read back by a real CSV reader (sqlite3's), never by pattern: a header of 10 columns,
# 7 results, the one failure public.tasks with fewer rows observed than expected.
csv_query() {
    sqlite3 -batch :memory: -cmd '.import --csv gate.csv t' "$1"
}
check "a CSV reader sees the 10 columns of the header" \
    test "$(csv_query "select group_concat(name, ',') from pragma_table_info('t')")" = \
    "run,started,check,subject,status,expected,observed,reason,detail,facts,waiver"
check "the facts column holds each result's facts as JSON" \
    test "$(csv_query "select json_extract(facts, '$.rows') from t where subject = 'public.tasks'")" -lt \
    "$(csv_query "select json_extract(facts, '$.baseline_rows') from t where subject = 'public.tasks'")"
check "a CSV reader sees 7 results" test "$(csv_query 'select count(*) from t')" = 7
check "one failure, public.tasks, short of rows" \
    test "$(csv_query "select subject from t where status = 'fail' and cast(observed as integer) < cast(expected as integer)")" = public.tasks
check "and no other" test "$(csv_query "select count(*) from t where status <> 'pass'")" = 1
end_case

test_case "an unknown run id, a baseline id, a bad format: exit 2"
v report run 99
expect_rc 2
expect_err "^vouch: store \"$(store_re)\" has no run 99\$"
v report run 1
expect_rc 2
expect_err 'run 1 is a baseline'
v report run 2 --format pdf
expect_rc 2
expect_err 'unknown report format "pdf": use html, markdown, xml or csv'
v report
expect_rc 2
expect_err 'report needs what to report on'
end_case

test_case "--templates: your own stylesheets; a hostile one is refused"
mkdir -p mine
cat >mine/markdown.xsl <<'XSL'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:v="urn:x-vouch:report">
  <xsl:output method="text"/>
  <xsl:template match="/">Run <xsl:value-of select="/*/v:run/@id"/>: <xsl:value-of select="/*/v:verdict"/></xsl:template>
</xsl:stylesheet>
XSL
v report run 2 --format markdown --templates mine
expect_rc 0
expect_out '^Run 2: gate closed: 1 of 7 results failed$'
# the same folder from [report] templates (relative to the configuration) and VOUCH_TEMPLATES
mkdir -p conf
printf '[report]\ntemplates = ../mine\n' >conf/vouch.conf
v -c conf/vouch.conf report run 2 --format markdown
expect_rc 0
expect_out '^Run 2: gate closed'
export VOUCH_TEMPLATES=mine
v report run 2 --format markdown
unset VOUCH_TEMPLATES
expect_rc 0
expect_out '^Run 2: gate closed'
cat >mine/html.xsl <<'XSL'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:exsl="http://exslt.org/common" extension-element-prefixes="exsl">
  <xsl:template match="/"><exsl:document href="pwned.txt" method="text">pwned</exsl:document></xsl:template>
</xsl:stylesheet>
XSL
v report run 2 --templates mine --out evil.html
expect_rc 2
expect_err 'File write for .*pwned\.txt refused'
check "nothing written" test ! -e mine/pwned.txt -a ! -e pwned.txt -a ! -e evil.html
v report run 2 --templates nowhere
expect_rc 2
expect_err '^vouch: --templates: "nowhere" is not a folder$'
end_case

test_case "the HTML renders in headless Chromium"
if [ -x /usr/bin/chromium ]; then
    profile=$(mktemp -d)
    timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --screenshot="$PWD/gate.png" --window-size=1240,1754 \
        "file://$PWD/gate.html" >chromium.log 2>&1 || true
    rm -rf "$profile"
    check "gate.png is a PNG" sh -c 'test -s gate.png && head -c 8 gate.png | od -An -c | grep -q "P   N   G"'
    [ -z "${REPORT_PNG:-}" ] || cp gate.png "$REPORT_PNG"
    end_case
else
    echo "skipped (no /usr/bin/chromium)"
fi
