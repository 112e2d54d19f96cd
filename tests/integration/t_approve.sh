# vouch approve: a signed approval of a sealed gate run, sealed into the store's approval
# chain; shown in gate and drill reports ("Reopening approved by CN=... at ..."), counted
# by distinct signer against [gate] approvals in vouch runs and the compliance report,
# carried in packs, checked by vouch verify and by the stock openssl recipe of
# docs/auditor.md. Edits of every kind are caught.

: "${TSA_SERVER:?the tests need TSA_SERVER (build/san/integration/tsa_server)}"
quarter=$(date -u +%Y)-Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))
q() { store_sql "$1"; }
flip_byte() { # FILE OFFSET
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# The auditor's approval check exactly as docs/auditor.md gives it, inside pack DIR, with
# APPROVERS the approvers' certificates.
doc_block() { sed -n "/<!-- tested: $1 -->/,/^\`\`\`\$/p" "$top/docs/auditor.md" | sed '1,2d;$d'; }
auditor_approvals() { # DIR APPROVERS
    local script
    script=$(doc_block approvals)
    [ -n "$script" ] || { echo "docs/auditor.md has no block approvals" >doc-approvals.log; return 2; }
    (cd "$1" && APPROVERS=$2 bash -c "$script") >doc-approvals.log 2>&1
}
not() { ! "$@"; }

fresh_db apdb
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=apdb

[rowcount]
table = public.projects
table = public.tasks
CONF
v keygen --key dana.key --cert dana.crt --subject "CN=Dana Reviewer,O=Example Agency,C=AU"
v keygen --key sam.key --cert sam.crt --subject "CN=Sam Second,O=Example Agency,C=AU"
v keygen --subject "CN=vouch evidence,O=Example Agency,C=AU"
cat dana.crt sam.crt >approvers.pem
v baseline
base=$(q "select max(id) from runs where kind = 'baseline'")
v gate
gate1=$(q "select max(id) from runs where kind = 'gate'")
v gate
gate2=$(q "select max(id) from runs where kind = 'gate'")

test_case "approve a passed gate: signed, sealed, and the store verifies"
v approve "$gate1" --key dana.key --cert dana.crt --note "restore checked with the service owner <ok> & reopening"
expect_rc 0
expect_out "^approved run $gate1 \\(gate passed, sealed at chain position [0-9]+\\)$"
expect_out '^  approval     1, approval chain 1:[0-9a-f]{64}$'
expect_out '^  signer       CN=Dana Reviewer,O=Example Agency,C=AU$'
expect_out '^  timestamp    none: the time is the signer'"'"'s own clock$'
expect_out '^  approvals    1 from distinct signers$'
check "one approval row" test "$(q 'select count(*) from approvals')" = 1
on_pg || check "the head file records it" grep -Eq '^approval 1 [0-9a-f]{64}$' vouch.db.head
v verify
expect_rc 0
expect_out 'chain intact: [0-9]+ sealed runs and 1 signed approval verified$'
on_pg || expect_out 'and 1 approval line match the store$' # the head file: SQLite's
expect_not_out '^note:'
end_case

test_case "the gate report shows who approved; an unapproved gate says not approved"
v report run "$gate1" --format xml --out g1.xml
expect_rc 0
check "xml: the approval, its note escaped" \
    grep -q '<approval id="1" signer="CN=Dana Reviewer,O=Example Agency,C=AU" fingerprint="[0-9A-F:]*" at="[0-9T:.-]*Z" chain-position="1" digest="[0-9a-f]*" timestamped="false">restore checked with the service owner &lt;ok&gt; &amp; reopening</approval>' g1.xml
check "xml: approvals met (none asked)" grep -q '<approvals required="0" distinct="1" met="true">' g1.xml
v report run "$gate1" --out g1.html
check "html: who and when" grep -Eq 'Reopening approved by <strong>CN=Dana Reviewer,O=Example Agency,C=AU</strong> at' g1.html
check "html: the note escaped" grep -q 'service owner &lt;ok&gt; &amp; reopening' g1.html
v report run "$gate1" --format markdown --out g1.md
check "markdown: who and when" grep -Eq '^- Reopening approved by CN=Dana Reviewer,O=Example Agency,C=AU at [0-9T:.-]+Z: ' g1.md
v report run "$gate2" --format markdown --out g2.md
expect_rc 0
check "markdown: not approved" grep -q '^Reopening not approved: no signed approval of this run is recorded.$' g2.md
v report run "$gate2" --out g2.html
check "html: not approved" grep -q 'Reopening not approved' g2.html
end_case

test_case "what cannot be approved, and how: exit 2, the store unchanged"
v approve 999 --key dana.key --cert dana.crt --note "x"
expect_rc 2
expect_err 'has no run 999'
v approve "$base" --key dana.key --cert dana.crt --note "x"
expect_rc 2
expect_err "run $base \\(baseline, captured\\) cannot be approved: it is a baseline, not a gate"
v approve "$gate2" --key dana.key --cert dana.crt
expect_rc 2
expect_err 'approve needs --note TEXT saying why reopening is approved: the note is missing'
v approve "$gate2" --key dana.key --cert dana.crt --note "   "
expect_rc 2
expect_err 'the note is blank'
v approve "$gate2" --key dana.key --cert dana.crt --note "$(printf 'two\nlines')"
expect_rc 2
expect_err 'control character'
v approve "$gate2" --key nosuch.key --cert dana.crt --note "x"
expect_rc 2
expect_err 'nosuch.key'
v approve "$gate2" --key dana.key --cert sam.crt --note "x"
expect_rc 2
expect_err 'private key "dana.key" does not belong to certificate "sam.crt"'
v approve "$gate2" "$gate1" --key dana.key --cert dana.crt --note "x"
expect_rc 2
v approve abc --key dana.key --cert dana.crt --note "x"
expect_rc 2
expect_err 'expected a run id, not "abc"'
check "still one approval" test "$(q 'select count(*) from approvals')" = 1
v verify
expect_rc 0
end_case

test_case "an aborted gate cannot be approved"
v --target "dbname=no_such_db_here" gate
expect_rc 3
aborted=$(q "select max(id) from runs where status = 'aborted'")
v approve "$aborted" --key dana.key --cert dana.crt --note "x"
expect_rc 2
expect_err 'it did not finish'
end_case

test_case "[gate] approvals = 2: distinct signers counted, the same signer once"
printf '\n[gate]\napprovals = 2\n' >>vouch.conf
v approve "$gate1" --key dana.key --cert dana.crt --note "again, the same person"
expect_rc 0
expect_out '^  approvals    1 from distinct signers \(this signer.s earlier approval counts once\), of 2 \[gate\] approvals asks$'
v runs
expect_rc 0
expect_out "^$gate1 .*\\[NOT APPROVED: 1 of 2 approvals\\]"
expect_out "^$gate2 .*\\[NOT APPROVED: 0 of 2 approvals\\]"
v approve "$gate1" --key sam.key --cert sam.crt --note "second pair of eyes"
expect_rc 0
expect_out '^  approvals    2 from distinct signers \(this signer.s earlier approval counts once\), of 2 \[gate\] approvals asks$'
v runs
expect_out "^$gate1 .*\\[approved by 2\\]"
expect_out "^$gate2 .*\\[NOT APPROVED: 0 of 2 approvals\\]"
v runs --format json
check "json: approvals and unapproved" sh -c "jq -e '.[] | select(.run == $gate1) | .approvals == 2 and .unapproved == false' $OUT >/dev/null && jq -e '.[] | select(.run == $gate2) | .unapproved' $OUT >/dev/null"
v report period "$quarter" --format xml --out p.xml
expect_rc 0
check "compliance xml: one unapproved gate of 2 asked" grep -q '<gates [^>]*approvals-required="2" unapproved="1">' p.xml
check "compliance xml: gate 2 flagged" grep -Eq "<gate run=\"$gate2\" kind=\"gate\" status=\"passed\"[^>]* approvals=\"0\" unapproved=\"true\"/>" p.xml
check "compliance xml: gate 1 not flagged" grep -Eq "<gate run=\"$gate1\" [^>]* approvals=\"2\"/>" p.xml
v report period "$quarter" --out p.html
check "compliance html: the flag" grep -q 'passed gate' p.html
check "compliance html: not approved badge" grep -q 'title="not approved: fewer signers than \[gate\] approvals asks">0 of 2<' p.html
v report period "$quarter" --format markdown --out p.md
check "compliance markdown: the flag" grep -q '^\*\*1 passed gate(s) without the 2 signed approvals' p.md
v report run "$gate2" --format markdown --out g2.md
check "gate report: the missing approvals said" grep -q '^\*\*\[gate\] approvals asks 2 approvals from distinct signers; this gate has 0.\*\*$' g2.md
v verify
expect_rc 0
expect_out 'and 3 signed approvals verified$'
if ! on_pg; then
    sqlite3 vouch.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    cp vouch.db pristine.db
    cp vouch.db.head pristine.head
fi
end_case

trigger_sql() { sqlite3 pristine.db "select sql || ';' from sqlite_master where type = 'trigger' and name = '$1'"; }
drop="drop trigger approvals_append_only_update; drop trigger approvals_append_only_delete;"
on_pg || back="$(trigger_sql approvals_append_only_update) $(trigger_sql approvals_append_only_delete)"
tamper() { # SQL: on a copy of the pristine store with the guards dropped and put back
    cp pristine.db a.db
    rm -f a.db-wal a.db-shm
    cp pristine.head a.db.head
    sqlite3 a.db "$drop $1; $back" >/dev/null
}

test_case "a tampered approval row is caught by vouch verify"
if on_pg; then
    skip_case "edits a copy of vouch.db and its head file (t_store_pg.sh: an approval edited on PostgreSQL)"
else
tamper "update approvals set note = 'approved by nobody' where id = 1"
v --store a.db verify
expect_rc 1
expect_out 'BROKEN.*approval 1 does not match its digest'
tamper "update approvals set signer = 'CN=Someone Else' where id = 2"
v --store a.db verify
expect_rc 1
expect_out 'BROKEN.*approval 2 does not match its digest'
tamper "delete from approvals where id = 3"
v --store a.db verify
expect_rc 1
expect_out 'BROKEN.*approval chain ends at position 2, but head file a.db.head .* records position 3'
tamper "update approvals set run_id = $gate2 where id = 3"
v --store a.db verify
expect_rc 1
expect_out 'BROKEN'
cp pristine.db guard.db
check "the guard refuses an edit" not sqlite3 guard.db "update approvals set note = 'x' where id = 1" 2>/dev/null
check "the guard refuses a delete" not sqlite3 guard.db "delete from approvals" 2>/dev/null
check "the guard refuses an approval of an unsealed run" \
    not sqlite3 guard.db "insert into approvals (run_id, statement, signature, signer, fingerprint, approved_at, note, chain_pos, digest) values (9999, '', x'00', '', '', '', '', 99, '')" 2>/dev/null
fi
end_case

test_case "a pack carries the approvals; vouch verify and the stock openssl recipe check them"
v pack --period "$quarter" --out pack
expect_rc 0
check "the statements and signatures are in the pack" \
    test -s pack/approvals/approval-1.json -a -s pack/approvals/approval-1.json.p7s -a -s pack/approvals/approval-3.json.p7s
check "they are in the MANIFEST" grep -q '  approvals/approval-1.json.p7s$' pack/MANIFEST
check "pack.json lists them" sh -c "jq -e '.approvals | length == 3 and .[0].signer == \"CN=Dana Reviewer,O=Example Agency,C=AU\"' pack/pack.json >/dev/null"
check "the statement binds the run's digest" \
    test "$(jq -r .run_digest pack/approvals/approval-1.json)" = "$(q "select digest from runs where id = $gate1")"
v verify pack --cert vouch-signing.crt
expect_rc 0
expect_out '^  approvals    3 signed approvals, each signature verified over its statement and the statement over a run of the chain$'
check "the auditor's recipe passes" auditor_approvals pack "$PWD/approvers.pem"
check "the recipe names each approver" grep -q "^OK  approvals/approval-3.json  run $gate1 approved by CN=Sam Second,O=Example Agency,C=AU at " doc-approvals.log
check "the gate report in the pack shows the approvers" grep -q 'Reopening approved by <strong>CN=Sam Second' "pack/gates/run-$gate1.html"
end_case

test_case "a changed approval in a pack is caught by vouch verify and by openssl"
cp -r pack bad1
flip_byte bad1/approvals/approval-1.json 40
v verify bad1 --cert vouch-signing.crt
expect_rc 1
expect_out 'FAILED  approvals/approval-1.json'
check "the recipe fails" not auditor_approvals bad1 "$PWD/approvers.pem"
check "saying which" grep -q '^SIGNATURE FAILS: approvals/approval-1.json$' doc-approvals.log
end_case

test_case "an approval signed over another run is refused, even re-signed whole"
# An attacker with a key of their own (sam's here) claims for gate 2 the approval made of
# gate 1 (its digest), signs the statement and the MANIFEST again: vouch verify without a
# pin and the recipe both refuse it.
cp -r pack forged
jq -c -S --argjson r "$gate2" '.run_id = $r' pack/approvals/approval-3.json | tr -d '\n' >forged/approvals/approval-3.json
openssl cms -sign -binary -outform DER -in forged/approvals/approval-3.json -signer sam.crt \
    -inkey sam.key -out forged/approvals/approval-3.json.p7s 2>/dev/null
# the statement's run must be in the pack for the attack to get this far
(cd forged && find . -type f ! -name MANIFEST ! -name MANIFEST.p7s | sed 's|^\./||' | LC_ALL=C sort |
    while read -r f; do printf '%s  %s  %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$f"; done >MANIFEST)
openssl cms -sign -binary -outform DER -in forged/MANIFEST -signer sam.crt -inkey sam.key \
    -out forged/MANIFEST.p7s 2>/dev/null
v verify forged
expect_rc 1
expect_out "FAILED  approvals/approval-3.json: the digest it approves is not run $gate2's in chain.json: it was made over another run"
check "the recipe refuses it" not auditor_approvals forged "$PWD/approvers.pem"
check "saying why" grep -q '^NOT THIS RUN: approvals/approval-3.json$' doc-approvals.log
v verify forged --cert vouch-signing.crt
expect_rc 1
end_case

test_case "with [signing] tsa, the approval's signature gets a timestamp token"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa-ca.key \
    -out tsa-ca.pem -subj "/CN=test Root CA" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key -out tsa.csr \
    -subj "/CN=test TSA" 2>/dev/null
printf 'extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n' >tsa.ext
openssl x509 -req -in tsa.csr -CA tsa-ca.pem -CAkey tsa-ca.key -CAcreateserial -out tsa.pem \
    -days 30 -extfile tsa.ext 2>/dev/null
rm -f tsa.port
"$TSA_SERVER" tsa.port tsa.key tsa.pem 2>tsa.log &
tsa_pid=$!
for _ in $(seq 100); do [ -s tsa.port ] && break; sleep 0.05; done
printf '\n[signing]\ntsa = http://127.0.0.1:%s/\ntsa_ca = tsa-ca.pem\n' "$(cat tsa.port)" >>vouch.conf
v approve "$gate2" --key sam.key --cert sam.crt --note "stamped"
expect_rc 0
expect_out '^  timestamp    RFC 3161 token over the signature, stored with it$'
v verify
expect_rc 0
expect_out '4 signed approvals verified$'
v report run "$gate2" --format xml --out g2s.xml
check "the report says timestamped" grep -q 'timestamped="true">stamped</approval>' g2s.xml
v pack --period "$quarter" --out pack2
expect_rc 0
kill "$tsa_pid" 2>/dev/null || true
wait "$tsa_pid" 2>/dev/null || true
check "the token is in the pack" test -s pack2/approvals/approval-4.json.tsr
check "openssl ts -verify accepts it" sh -c 'openssl ts -verify -data pack2/approvals/approval-4.json.p7s -in pack2/approvals/approval-4.json.tsr -CAfile tsa-ca.pem 2>&1 | grep -q "^Verification: OK$"'
v verify pack2 --cert vouch-signing.crt --tsa-ca tsa-ca.pem
expect_rc 0
expect_out '4 signed approvals'
cp -r pack2 bad2
flip_byte bad2/approvals/approval-4.json.tsr 60
v verify bad2 --cert vouch-signing.crt --tsa-ca tsa-ca.pem
expect_rc 1
expect_out 'FAILED  approvals/approval-4.json.tsr'
end_case

test_case "a drill's gate: the drill report shows who approved reopening"
v drill start --scenario "restore by hand" --incident-at 2026-10-01T02:00:00Z --operator bob
expect_rc 0
v gate
expect_rc 0
dgate=$(q "select max(id) from runs where kind = 'gate'")
v drill finish --restore-point 2026-10-01T01:00:00Z
expect_rc 0
drill=$(q "select max(id) from drills")
v report drill "$drill" --format markdown --out d0.md
expect_rc 0
check "markdown: not approved yet" grep -q '^Reopening not approved: no signed approval of this run is recorded.$' d0.md
v approve "$dgate" --key dana.key --cert dana.crt --note "drill: reopened after the smoke test"
expect_rc 0
v report drill "$drill" --out d1.html
expect_rc 0
check "html: the approver under the gate" grep -q 'Reopening approved by <strong>CN=Dana Reviewer,O=Example Agency,C=AU</strong>' d1.html
v report drill "$drill" --format markdown --out d1.md
check "markdown: the approver" grep -q '^- Reopening approved by CN=Dana Reviewer,O=Example Agency,C=AU at .*: drill: reopened after the smoke test' d1.md
v report drill "$drill" --format xml --out d1.xml
check "xml: the approval inside the drill's gate" grep -q 'timestamped="false">drill: reopened after the smoke test</approval>' d1.xml
v verify
expect_rc 0
expect_out 'and 1 sealed drill, 5 signed approvals verified$'
end_case

test_case "vouch approve --help names every option"
v approve --help
expect_rc 0
expect_out '^usage: vouch \[OPTIONS\] approve RUN --note TEXT'
expect_out '--note TEXT'
expect_out '--key FILE'
expect_out '--cert FILE'
v approve 1 --period 2026-Q1
expect_rc 2
end_case
