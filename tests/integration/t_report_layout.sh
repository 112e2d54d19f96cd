# How the reports read (issue 13, "Reports"): identifiers break only at . _ - (a <wbr> after
# each), RLS failures show what differs, passing results fold to one line, a one-point RTO
# chart is a labelled value, headings stay with what follows in print, counts carry
# thousands separators and spans read as configured. Gate, drill and compliance reports of
# the sample portal, as HTML and Markdown; Chromium screenshots (desktop and A4) where it is
# installed (VOUCH_SCREENSHOTS=DIR keeps copies).

fresh_db layout
anchor=2026-10-01T00:00:00Z
"$top/tools/demo/backup-inventory" --until "$anchor" >backups.csv
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=layout

[rowcount]
table = public.audit_log at-least
table = public.share_links
table = public.tasks
table = public.assets
table = public.projects
table = public.residency_evidence

[rls]
schema = public
force = public.share_links
force = public.audit_log
role = portal_app
role = portal_readonly

[share_tokens]
table = public.share_links
hash = token_hash
format = sha256-hex
plaintext = legacy_token
expires = expires_at
created = created_at
revoked = revoked_at
max_lifetime = 30d

[residency]
table = public.residency_evidence
regions = ap-southeast-2, ap-southeast-4
periods = 12
grace = 7d

[backups]
inventory = backups.csv
timezone = Australia/Sydney
slack = 1h
rpo = 24h
policy = hourly hourly keep 7d regions ap-southeast-2,ap-southeast-4
policy = nightly daily 02:00 keep 30d regions ap-southeast-2,ap-southeast-4
policy = weekly weekly sunday 03:00 keep 12w regions ap-southeast-2,ap-southeast-4 encrypted
policy = monthly monthly first-business-day 09:00 keep 12mo regions ap-southeast-2,ap-southeast-4
CONF

test_case "a baseline, a drill that passes, a damaged restore's gate: the reports are made"
v baseline
expect_rc 0
v drill run --scenario "portal lost: restore the branch" --incident-at "$anchor" \
    --restore-point 2026-09-30T20:00:00Z --operator alice --restore-cmd "true" --target dbname=layout
expect_rc 0
# the restore changes one policy's expression and another's roles: same counts, other texts
psql_q -d layout -c "alter policy tenant_isolation on public.tasks using (true)" \
    -c "alter policy hide_revoked on public.share_links to portal_readonly"
v gate --incident-at "$anchor"
expect_rc 1
y=$(date -u +%Y); m=$(date -u +%-m)
quarter="$y-Q$(( (m + 2) / 3 ))"
for f in html markdown; do
    ext=$f; [ $f = markdown ] && ext=md
    v report run --format $f --out gate.$ext
    expect_rc 0
    v report drill --format $f --out drill.$ext
    expect_rc 0
    v report period "$quarter" --format $f --out compliance.$ext
    expect_rc 0
done
end_case

test_case "identifiers break at . _ - only"
check "subjects carry <wbr> after their dots and underscores" \
    grep -q 'public.<wbr>residency_<wbr>evidence' gate.html
check "check names too" grep -q '>share_<wbr>tokens<' gate.html
check "regions break after their commas and inner dashes" \
    grep -q 'ap-<wbr>southeast-2,<wbr>ap-<wbr>southeast-4' gate.html
check "never between a dash and its digit (ap-southeast-|2)" sh -c "! grep -q 'southeast-<wbr>' gate.html drill.html compliance.html"
check "the drill report's gate results too" grep -q 'public.<wbr>share_<wbr>links' drill.html
check "the check column has room for share_tokens" grep -q 'table.attention .c-check { width: 128px; }' gate.html
end_case

test_case "an RLS failure shows what differs"
rows=$(grep -E '^\| \*\*FAIL\*\* \| rls \|' gate.md || true)
check "the two RLS failures are listed" test "$(printf '%s\n' "$rows" | grep -c .)" = 2
same=$(printf '%s\n' "$rows" | awk -F' [|] ' '$4 == $5')
check "no RLS failure with the same expected and observed: $same" test -z "$same"
check "the changed USING: baseline's expression, then true" \
    grep -Fq '| `tenant_isolation: USING ((agency_id = ' gate.md
check "the changed USING is shown" grep -Fq '`tenant_isolation: USING (true)`' gate.md
check "the changed roles are shown" grep -Fq '`hide_revoked: TO portal_app` | `hide_revoked: TO portal_readonly`' gate.md
end_case

test_case "passing results fold to one line; failures in full"
passes=$(grep -c '^| pass |' gate.md || true)
check "the Markdown gate report lists no passing row ($passes)" test "$passes" = 0
check "it counts them instead" grep -Eq '^[0-9]+ passed results? (are|is) not listed' gate.md
check "the HTML folds a check's passing results into <details>" grep -q '<details class="passed">' gate.html
check "a check that passed whole is one line" grep -q '<details class="check passed" id="check-rowcount">' gate.html
check "the drill report too" grep -q '<details class="check passed" id="check-rowcount">' drill.html
check "what did not pass is not folded" sh -c "! grep -q '<details class=\"check passed\" id=\"check-rls\">' gate.html"
check "and its Markdown lists no passing row" sh -c "! grep -q '^| pass |' drill.md"
check "failures stay in the open" grep -Eq '<tr class="row-fail"' gate.html
end_case

test_case "a one-point RTO chart is one labelled value"
check "the first drill's RTO chart is a single value" \
    grep -Eq '<div class="one-point"[^>]*><span class="one-point-value">[0-9.]+ (ms|s)</span>' drill.html
check "labelled as this drill, against its objectives" \
    grep -Eq 'class="one-point-label">#1 \(this\) · [0-9-]{10} · against the 45 min drill target and the 1 h RTO' drill.html
check "no empty frame of bars" sh -c "! grep -q 'class=\"chart bars\"' drill.html"
end_case

test_case "print: headings stay with what follows"
check "headings avoid a break after" grep -q 'h2, h3, .lede, .panel-title { break-after: avoid' gate.html
check "figures do not split" grep -q 'figure, svg.chart' gate.html
end_case

test_case "counts carry thousands separators; spans read as configured"
check "the audit log's count has a separator" grep -Eq '>[0-9]{1,3},[0-9]{3}<' gate.html
check "no bare five-digit count in a number cell" sh -c "! grep -Eq 'class=\"mono num[^\"]*\">[0-9]{4,}<' gate.html"
# a short report lists its passing rows: a check run of rowcount alone
v check rowcount
expect_rc 0
v report run --format markdown --out rowcount.md
expect_rc 0
check "Markdown too" grep -Eq '^\| pass \| `public\.audit_log` \| `>= [0-9]{1,3},[0-9]{3}` \| `[0-9]{1,3},[0-9]{3}` \|' rowcount.md
check "a short report is not folded" sh -c "! grep -q 'not listed' rowcount.md"
check "keep 12w reads keep 12w" grep -q 'keep 12w' gate.html
check "never keep 84d" sh -c "! grep -q 'keep 84d' gate.html gate.md"
end_case

test_case "headless Chromium: desktop and A4 screenshots of every report"
if [ -x /usr/bin/chromium ]; then
    for f in gate drill compliance; do
        timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$(mktemp -d)" --screenshot="$PWD/$f-desktop.png" --window-size=1280,2400 \
            "file://$PWD/$f.html" >chromium.log 2>&1 || true
        check "$f-desktop.png rendered" test -s "$f-desktop.png"
        timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync \
            --user-data-dir="$(mktemp -d)" --no-pdf-header-footer --print-to-pdf="$PWD/$f.pdf" \
            "file://$PWD/$f.html" >chromium.log 2>&1 || true
        check "$f.pdf printed" test -s "$f.pdf"
        if command -v pdftoppm >/dev/null; then
            pdftoppm -png -r 60 "$f.pdf" "$f-a4"
            check "$f printed to A4 pages" test -s "$f-a4-1.png"
        fi
        if [ -n "${VOUCH_SCREENSHOTS:-}" ]; then
            mkdir -p "$VOUCH_SCREENSHOTS" && cp "$f".* "$f"-*.png "$VOUCH_SCREENSHOTS/"
        fi
    done
    [ -n "${VOUCH_SCREENSHOTS:-}" ] && cp gate.md drill.md compliance.md "$VOUCH_SCREENSHOTS/"
else
    echo "(skipped: no /usr/bin/chromium)"
fi
end_case
