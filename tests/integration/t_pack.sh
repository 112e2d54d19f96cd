# vouch pack and vouch verify DIR: an evidence pack of this quarter, checked by vouch and by
# the stock openssl and sha256sum commands of docs/auditor.md; tampering of every kind fails.
# Also: reports written with --out are signed when a key is configured.

flip_byte() { # FILE OFFSET: flip the lowest bit of one byte in place
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# The auditor's checks, run exactly as docs/auditor.md gives them (each block marked
# "<!-- tested: NAME -->"), inside the pack, with CERT set.
doc_block() { sed -n "/<!-- tested: $1 -->/,/^\`\`\`\$/p" "$top/docs/auditor.md" | sed '1,2d;$d'; }
run_doc() { # NAME DIR [CERT]
    local script
    script=$(doc_block "$1")
    [ -n "$script" ] || { echo "docs/auditor.md has no block \"$1\"" >"doc-$1.log"; return 2; }
    (cd "$2" && CERT=${3:-} bash -c "$script") >"doc-$1.log" 2>&1
}
auditor_signature() { run_doc signature "$1" "$2"; }
auditor_hashes() { run_doc hashes "$1"; }
auditor_listing() { run_doc listing "$1"; }
auditor_files() { run_doc files "$1"; }
auditor_all() { auditor_files "$1" && auditor_signature "$1" "$2" && auditor_hashes "$1" && auditor_listing "$1"; }
not() { ! "$@"; }
no_leftovers() { ! ls -a | grep -q '\.tmp-'; }

quarter=$(date -u +%Y)-Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))
cert=$PWD/vouch-signing.crt

fresh_db packdb
cat >vouch.conf <<'CONF'
[target]
dsn = dbname=packdb

[rowcount]
table = public.audit_log at-least
schema = public
exclude = public.residency_evidence
CONF

test_case "a store for the quarter: baseline, a passing and a failing gate, a drill; a key"
v keygen --subject "CN=Portal DR,O=Example Agency,C=AU"
expect_rc 0
v baseline
expect_rc 0
v gate --incident-at "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
expect_rc 0
pg_dump -Fc -d packdb -f packdb.dump
createdb pack_restored
pg_restore -d pack_restored --no-owner packdb.dump 2>restore.log || true
psql_q -d pack_restored -c 'delete from public.tasks where id % 10 = 0'
v gate --target dbname=pack_restored
expect_rc 1
v drill run --scenario "restore drill" --incident-at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --restore-cmd true --target dbname=packdb
expect_rc 0
end_case

test_case "pack this quarter: every gate report, the drill, results.csv, chain.json, a signed MANIFEST"
v pack --period "$quarter" --out pack1
expect_rc 0
expect_empty_err
expect_out "^packed $quarter \\([0-9-]+ to [0-9-]+, UTC\\) into pack1$"
expect_out '^  gate runs    3 '
expect_out '^  baselines    1 '
expect_out '^  drills       1 '
expect_out '^  signed       MANIFEST\.p7s by CN=Portal DR,O=Example Agency,C=AU '
for f in gates/run-2.html gates/run-2.md gates/run-2.xml gates/run-2.csv gates/run-3.html \
    gates/run-3.md gates/run-4.html drills/drill-1.json drills/drill-1.html drills/drill-1.md \
    drills/drill-1.xml compliance.html compliance.md compliance.xml results.csv chain.json pack.json \
    chain/run-1.json chain/run-3.json chain/drill-1.json MANIFEST MANIFEST.p7s; do
    check "pack1/$f exists" test -s "pack1/$f"
done
check "no baseline report" test ! -e pack1/gates/run-1.html
v pack --period "$quarter" --out pack_progress --progress
expect_rc 0
expect_err '^vouch: progress: pack: runs read: 0 of [0-9]+ runs \(0%\)$'
expect_out "^packed $quarter "
expect_not_out 'vouch: progress'
rm -rf pack_progress
check "the compliance report is the period's" grep -q "$quarter" pack1/compliance.md
check "the drill's report names its scenario" grep -q 'Scenario' pack1/drills/drill-1.md
check "the failing gate's report says closed" grep -q 'Gate closed' pack1/gates/run-3.html
check "results.csv: the header and the failing row" \
    sh -c 'head -1 pack1/results.csv | grep -q "^\"run\",\"started\",\"check\"" && grep -q "^\"3\",.*\"public.tasks\",\"fail\"" pack1/results.csv'
check "MANIFEST lines are SHA256  SIZE  PATH, sorted" \
    sh -c 'grep -Evq "^[0-9a-f]{64}  [0-9]+  [A-Za-z0-9._/-]+$" pack1/MANIFEST && exit 1; awk "{print \$3}" pack1/MANIFEST | LC_ALL=C sort -c'
check "sizes in MANIFEST are the files' sizes" \
    sh -c 'cd pack1 && while read -r h s p; do test "$(stat -c %s "$p")" = "$s" || exit 1; done <MANIFEST'
check "every file but MANIFEST and its signature is listed" \
    test "$(find pack1 -type f | wc -l)" = "$(( $(wc -l <pack1/MANIFEST) + 2 ))"
check "no temporary folder left" no_leftovers
end_case

test_case "vouch verify DIR: signature, every hash, nothing missing or added"
v verify pack1 --cert "$cert"
expect_rc 0
expect_out '^verified pack pack1$'
expect_out "^  period       $quarter \\("
expect_out '^  files        [0-9]+ listed, [0-9]+ bytes: every size and SHA-256 matches, none missing, none added$'
expect_out '^  signer       CN=Portal DR,O=Example Agency,C=AU$'
expect_out '^  fingerprint  SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$'
expect_out '^  signed at    [0-9-]+T[0-9:]+Z$'
expect_out '^  trust        pinned'
v verify pack1
expect_rc 0
expect_out '^  trust        NOT PINNED'
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key \
    -out other.crt -days 1 -subj /CN=other 2>/dev/null
v verify pack1 --cert other.crt
expect_rc 1
expect_err '^vouch: pack1/MANIFEST: '
v verify pack1/ --cert no-such.crt
expect_rc 2
expect_err '^vouch: could not open certificate "no-such\.crt"'
end_case

test_case "the auditor's openssl and sha256sum commands accept the pack, and the chain recomputes"
check "nothing but folders and regular files" auditor_files pack1
check "openssl cms -verify on MANIFEST" auditor_signature pack1 "$cert"
check "sha256sum -c on MANIFEST without its size column" auditor_hashes pack1
check "the files are exactly those listed" auditor_listing pack1
check "the chain block of docs/auditor.md recomputes every digest and link" run_doc chain pack1
check "it checked four runs and the drill" test "$(grep -c '^OK  chain/' doc-chain.log)" = 5
cp -a pack1 chainbad
sed -i 's/"status":"failed"/"status":"passed"/' chainbad/chain/run-3.json
check "an edited canonical form is caught" not run_doc chain chainbad
check "naming it" grep -q '^DIGEST DIFFERS: chain/run-3.json$' doc-chain.log
check "four runs in the chain" test "$(jq '.runs | length' pack1/chain.json)" = 4
end_case

# tamper COPY: a fresh copy of pack1 to spoil
tamper() { rm -rf "$1"; cp -a pack1 "$1"; }

test_case "one flipped byte in a report fails, naming it (and sha256sum fails)"
tamper t1
flip_byte t1/gates/run-3.html 500
v verify t1 --cert "$cert"
expect_rc 1
expect_out '^FAILED  gates/run-3\.html: its SHA-256 is not the one in MANIFEST'
expect_err '^vouch: gates/run-3\.html: its SHA-256 is not the one in MANIFEST'
check "sha256sum refuses it" not auditor_hashes t1
check "the signature alone still holds (it covers MANIFEST)" auditor_signature t1 "$cert"
end_case

test_case "a changed CSV fails, naming it"
tamper t2
sed -i 's/"fail"/"pass"/' t2/results.csv
v verify t2 --cert "$cert"
expect_rc 1
expect_err '^vouch: results\.csv: its SHA-256 is not the one in MANIFEST'
check "sha256sum refuses it" not auditor_hashes t2
end_case

test_case "a MANIFEST edited to match a changed file fails on its signature"
tamper t3
sed -i 's/"fail"/"pass"/' t3/results.csv
new=$(sha256sum t3/results.csv | cut -d' ' -f1)
sed -i -E "s/^[0-9a-f]{64}(  [0-9]+  results\\.csv)\$/$new\\1/" t3/MANIFEST
check "sha256sum is fooled by the edit" auditor_hashes t3
v verify t3 --cert "$cert"
expect_rc 1
expect_err '^vouch: t3/MANIFEST: signature does not verify'
check "openssl refuses the MANIFEST" not auditor_signature t3 "$cert"
end_case

test_case "a flipped byte in MANIFEST.p7s fails, naming it"
tamper t4
size=$(stat -c %s t4/MANIFEST.p7s)
flip_byte t4/MANIFEST.p7s $((size - 8))
v verify t4 --cert "$cert"
expect_rc 1
expect_err '^vouch: t4/MANIFEST(\.p7s)?: '
check "openssl refuses it" not auditor_signature t4 "$cert"
rm t4/MANIFEST.p7s
v verify t4 --cert "$cert"
expect_rc 1
expect_err 'MANIFEST\.p7s does not exist'
end_case

test_case "an added file and a removed file fail, each named"
tamper t5
echo "planted" >t5/gates/extra.html
v verify t5 --cert "$cert"
expect_rc 1
expect_err '^vouch: gates/extra\.html: not listed in MANIFEST \(a file was added\)$'
check "the listing check sees it" not auditor_listing t5
tamper t6
rm t6/drills/drill-1.json
v verify t6 --cert "$cert"
expect_rc 1
expect_err '^vouch: drills/drill-1\.json: listed in MANIFEST but missing$'
check "sha256sum sees it" not auditor_hashes t6
tamper t7
rm t7/gates/run-2.md
echo x >t7/stray
v verify t7 --cert "$cert"
expect_rc 1
expect_out '^FAILED  gates/run-2\.md: listed in MANIFEST but missing$'
expect_out '^FAILED  stray: not listed in MANIFEST'
expect_err '^hint: 2 problems in pack "t7"'
end_case

test_case "packed twice from the same store: identical but for MANIFEST.p7s"
v pack --period "$quarter" --out pack2
expect_rc 0
check "diff -r finds nothing else" diff -r -x MANIFEST.p7s pack1 pack2
v verify pack2 --cert "$cert"
expect_rc 0
end_case

test_case "a period with no runs still packs, and says nothing was recorded"
v pack --period 2001-Q1 --out empty
expect_rc 0
expect_out '^  nothing was recorded in this period: the pack says so$'
check "pack.json says so" grep -q '"summary": "nothing was recorded in 2001-Q1: no gate or check run, no baseline and no drill started from 2001-01-01 to 2001-03-31 (UTC)"' empty/pack.json
check "results.csv holds the header only" test "$(wc -l <empty/results.csv)" = 1
check "no gate reports" test ! -e empty/gates
check "the compliance report says nothing was recorded" grep -qi 'nothing recorded' empty/compliance.md
v verify empty --cert "$cert"
expect_rc 0
expect_out '^  contents     nothing was recorded in 2001-Q1'
check "the auditor's commands accept it" auditor_all empty "$cert"
end_case

test_case "DIR existing and not empty is refused; an empty one is used"
mkdir full && echo keep >full/note
v pack --period "$quarter" --out full
expect_rc 2
expect_err '^vouch: "full" exists and is not empty: a pack goes into a new or empty folder$'
check "its file is untouched, nothing added" test "$(ls full)" = note
mkdir hollow
v pack --period 2026-10 --out hollow
expect_rc 0
check "packed into the empty folder" test -s hollow/MANIFEST.p7s
check "no temporary folder left" no_leftovers
end_case

test_case "usage: periods, missing options, a missing key; a failed pack leaves nothing"
v pack --period 2026-Q5 --out x
expect_rc 2
expect_err '^vouch: "2026-Q5" is not a period: use a quarter \(2026-Q3\), a month \(2026-10\) or two days'
v pack --period 2026-13 --out x
expect_rc 2
v pack --period 2026-09-31..2026-10-02 --out x
expect_rc 2
expect_err '^vouch: "2026-09-31\.\.2026-10-02" is not a period'
v pack --out x
expect_rc 2
expect_err '^vouch: pack needs --period and --out$'
v pack --period "$quarter" --out no/such/folder
expect_rc 2
expect_err '^vouch: could not create a folder beside "no/such/folder": No such file or directory$'
echo file >afile
v pack --period "$quarter" --out afile
expect_rc 2
expect_err '^vouch: "afile" exists and is not a folder$'
v pack --period 2026-Q3 --sign --out x
expect_rc 2
v verify pack1 extra
expect_rc 2
# A configuration without a key over the same store (on PostgreSQL, v gives its --store).
mkdir nokey && cp vouch.conf nokey/
on_pg || cp vouch.db vouch.db.head nokey/
cd nokey && v pack --period "$quarter" --out p && cd ..
expect_rc 2
expect_err '^vouch: no signing key'
expect_err "^hint: Make one with 'vouch keygen'"
check "nothing made without a key" test ! -e nokey/p
mkdir badtpl
cp vouch.conf broken.conf && printf '[report]\ntemplates = badtpl\n' >>broken.conf
v -c broken.conf pack --period "$quarter" --out half
expect_rc 2
expect_err 'badtpl'
check "a failed pack leaves no folder" test ! -e half
check "and no temporary folder" no_leftovers
end_case

test_case "reports written with --out are signed when a key is configured"
v report run 3 --out r.html
expect_rc 0
check "r.html.p7s beside it" test -s r.html.p7s
v verify r.html --cert "$cert"
expect_rc 0
v report run 3 --out n.html --no-sign
expect_rc 0
check "--no-sign: no signature" test ! -e n.html.p7s
v report run 3 --format csv --out r.csv --sign
expect_rc 0
check "r.csv.p7s" test -s r.csv.p7s
v report run 3 --sign
expect_rc 2
expect_err '^vouch: --sign needs --out FILE'
cd nokey && v report run 3 --out plain.html && cd ..
expect_rc 0
check "no key configured: not signed" test ! -e nokey/plain.html.p7s
cd nokey && v report run 3 --out s.html --sign && cd ..
expect_rc 2
expect_err '^vouch: no signing key'
check "--sign without a key writes no report" test ! -e nokey/s.html
v pack --period "$quarter" --out p --no-sign
expect_rc 2
expect_err '^vouch: option --no-sign does not apply to pack$'
end_case
