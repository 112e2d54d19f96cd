# Attacks on what turns the store into evidence: a store edited behind its chain, a pack
# whose chain file does not hold, odd files (FIFOs, links) in a pack, an unsorted
# MANIFEST, and the folder a killed 'vouch pack' leaves behind. Each case failed (or hung)
# before vouch refused it.

not() { ! "$@"; }
doc_block() { sed -n "/<!-- tested: $1 -->/,/^\`\`\`\$/p" "$top/docs/auditor.md" | sed '1,2d;$d'; }
run_doc() { # NAME DIR [CERT]: a command block of docs/auditor.md, verbatim, inside DIR
    local script
    script=$(doc_block "$1")
    [ -n "$script" ] || { echo "docs/auditor.md has no block \"$1\"" >"doc-$1.log"; return 2; }
    (cd "$2" && CERT=${3:-} bash -c "$script") >"doc-$1.log" 2>&1
}
# vt SECONDS ARGS...: v, but a vouch that hangs is killed and reported (RC 124)
vt() {
    set +e
    timeout -s KILL "$1" "$VOUCH" "${@:2}" >"$OUT" 2>"$ERR"
    RC=$?
    [ "$RC" != 137 ] || RC=124
    set -e
}
# remanifest DIR: the MANIFEST rewritten from the files present and signed again with
# the pack's own key: what a key holder who edits a pack by hand can do.
remanifest() {
    (cd "$1" && find . -type f ! -path ./MANIFEST ! -path ./MANIFEST.p7s | sed 's|^\./||' |
        LC_ALL=C sort | while read -r f; do
            printf '%s  %s  %s\n' "$(sha256sum "$f" | cut -c1-64)" "$(stat -c %s "$f")" "$f"
        done >MANIFEST)
    "$VOUCH" sign "$1/MANIFEST" >/dev/null
}
copy() { rm -rf "$1"; cp -a pack "$1"; }

quarter=$(date -u +%Y)-Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))
cert=$PWD/vouch-signing.crt

fresh_db advpack
printf '[target]\ndsn = dbname=advpack\n\n[rowcount]\ntable = public.tasks\n' >vouch.conf

test_case "a store with a baseline, two gates and a drill; a pack of it verifies"
v keygen --subject "CN=Portal DR"
expect_rc 0
v baseline
expect_rc 0
v gate
expect_rc 0
v gate
expect_rc 0
v drill run --scenario "adversary drill" --incident-at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --restore-cmd true --target dbname=advpack
expect_rc 0
v pack --period "$quarter" --out pack
expect_rc 0
v verify pack --cert "$cert"
expect_rc 0
expect_out '^  chain        4 runs and 1 drill recomputed from their canonical forms, linked without holes; every report is of one of them$'
end_case

test_case "every report and the pack state the store's head (position and digest of the newest run)"
head_pos=$(sqlite3 vouch.db 'select max(chain_pos) from runs')
head_digest=$(sqlite3 vouch.db "select digest from runs where chain_pos = $head_pos")
drill_digest=$(sqlite3 vouch.db 'select digest from drills order by chain_pos desc limit 1')
check "pack.json: store_head" \
    test "$(jq -r '.store_head | "\(.run_chain_pos) \(.run_digest) \(.drill_chain_pos) \(.drill_digest)"' pack/pack.json)" = "$head_pos $head_digest 1 $drill_digest"
for f in pack/gates/run-2.xml pack/drills/drill-1.xml pack/compliance.xml; do
    check "$f: <store-head>" grep -q "<store-head run-position=\"$head_pos\" run-digest=\"$head_digest\" drill-position=\"1\" drill-digest=\"$drill_digest\"/>" "$f"
done
for f in pack/gates/run-2.html pack/gates/run-2.md pack/drills/drill-1.html pack/drills/drill-1.md \
    pack/compliance.html pack/compliance.md; do
    check "$f names the head" grep -q "position $head_pos, digest $head_digest" "$f"
done
end_case

test_case "a result edited behind the trigger: report, pack refuse (exit 1, naming the run); runs warns"
cp vouch.db clean.db
trig=$(sqlite3 vouch.db "select sql from sqlite_master where name = 'results_append_only_update'")
sqlite3 vouch.db "drop trigger results_append_only_update;
    update results set status = 'pass', observed = '999999' where run_id = 3;
    $trig;"
check "the trigger is back" test -n "$(sqlite3 vouch.db "select 1 from sqlite_master where name = 'results_append_only_update'")"
v report run 3 --format markdown
expect_rc 1
expect_err '^vouch: store vouch\.db: the chain is broken: run 3 does not match its digest'
expect_err "^hint: Nothing is reported or packed from a broken store"
check "nothing on stdout" test ! -s "$OUT"
v report run 3 --out edited.html --sign
expect_rc 1
check "no report file" test ! -e edited.html
v report period "$quarter" --format xml
expect_rc 1
v pack --period "$quarter" --out edited
expect_rc 1
expect_err 'run 3 does not match its digest'
check "no pack and no temporary folder" sh -c '! ls -d edited* 2>/dev/null'
v runs
expect_rc 0
expect_err '^warning: store vouch\.db: the chain is broken: run 3 does not match its digest'
expect_out '^RUN '
cp clean.db vouch.db
v runs
expect_rc 0
expect_empty_err
end_case

test_case "verify DIR recomputes chain.json: an edited canonical form, re-signed, fails"
copy c1
sed -i 's/"status":"passed"/"status":"failed"/' c1/chain/run-3.json
remanifest c1
v verify c1 --cert "$cert"
expect_rc 1
expect_err '^vouch: chain/run-3\.json: its canonical bytes do not hash to the digest chain\.json gives run 3$'
end_case

test_case "a run dropped from chain.json (a hole), re-signed, fails naming the report"
copy c2
jq '.runs |= map(select(.id != 2))' c2/chain.json >c2/chain.tmp && mv c2/chain.tmp c2/chain.json
rm c2/chain/run-2.json
remanifest c2
v verify c2 --cert "$cert"
expect_rc 1
expect_out '^FAILED  chain\.json: run 3 at chain position 3 follows position 1: the chain has a hole$'
expect_out '^FAILED  gates/run-2\.html: run 2 is not in chain\.json'
check "the auditor's chain block refuses it" not run_doc chain c2
check "naming the hole" grep -q '^HOLE BEFORE: chain/run-3.json$' doc-chain.log
end_case

test_case "a gate report whose stated digest is not the chain's, re-signed, fails"
copy c3
other=$(jq -r '.runs[] | select(.id == 2) | .digest' c3/chain.json)
mine=$(jq -r '.runs[] | select(.id == 3) | .digest' c3/chain.json)
sed -i "s/$mine/$other/" c3/gates/run-3.xml
remanifest c3
v verify c3 --cert "$cert"
expect_rc 1
expect_err '^vouch: gates/run-3\.xml: the run digest it states is not the one chain\.json recomputes$'
end_case

test_case "a pack.json whose store head is older than its chain, re-signed, fails"
copy c4
jq '.store_head.run_chain_pos = 2' c4/pack.json >c4/p.tmp && mv c4/p.tmp c4/pack.json
remanifest c4
v verify c4 --cert "$cert"
expect_rc 1
expect_err '^vouch: pack\.json: its store_head \(run 2, drill 1\) is before the last run or drill of chain\.json \(4, 1\)$'
end_case

test_case "a FIFO in place of a listed file: verify DIR refuses at once (it used to hang)"
copy f1
rm f1/gates/run-2.md
mkfifo f1/gates/run-2.md
vt 20 verify f1 --cert "$cert"
expect_rc 1
expect_err '^vouch: gates/run-2\.md: a FIFO, not a regular file$'
check "the auditor's first step refuses it" not run_doc files f1
check "naming it" grep -q '^not a regular file: p gates/run-2.md$' doc-files.log
copy f2
mv f2/MANIFEST f2/M && mkfifo f2/MANIFEST
vt 20 verify f2 --cert "$cert"
expect_rc 1
expect_err '^vouch: f2/MANIFEST: a FIFO, not a regular file$'
copy f3
rm f3/MANIFEST.p7s && mkfifo f3/MANIFEST.p7s
vt 20 verify f3 --cert "$cert"
expect_rc 1
expect_err '^vouch: f3/MANIFEST\.p7s: a FIFO, not a regular file$'
printf 'x\n' >lone.txt && mkfifo lone.txt.p7s
vt 20 verify lone.txt
expect_rc 1
expect_err '^vouch: lone\.txt: lone\.txt\.p7s is not a regular file$'
end_case

test_case "an added FIFO or symbolic link is named by vouch and by the auditor's listing"
copy f4
mkfifo f4/gates/pipe
ln -s ../compliance.html f4/gates/link.html
ln -s ../gates f4/drills/dirlink
vt 20 verify f4 --cert "$cert"
expect_rc 1
expect_out '^FAILED  drills/dirlink: not listed in MANIFEST \(a symbolic link was added\)$'
expect_out '^FAILED  gates/link\.html: not listed in MANIFEST \(a symbolic link was added\)$'
expect_out '^FAILED  gates/pipe: not listed in MANIFEST \(a FIFO was added\)$'
check "the auditor's listing fails" not run_doc listing f4
check "naming the FIFO" grep -q '^< gates/pipe$' doc-listing.log
check "naming the link" grep -q '^< gates/link.html$' doc-listing.log
copy f5
rm f5/gates/run-2.csv
ln -s run-3.csv f5/gates/run-2.csv
v verify f5 --cert "$cert"
expect_rc 1
expect_err '^vouch: gates/run-2\.csv: a symbolic link, not a regular file$'
end_case

test_case "an unsorted MANIFEST, signed: vouch refuses it as the auditor's diff does"
copy u1
(cd u1 && { sed -n 2p MANIFEST; sed -n 1p MANIFEST; sed -n '3,$p' MANIFEST; } >M && mv M MANIFEST)
"$VOUCH" sign u1/MANIFEST >/dev/null
check "the auditor's listing refuses it" not run_doc listing u1
v verify u1 --cert "$cert"
expect_rc 1
expect_err '^vouch: MANIFEST line 2: out of order: the lines are sorted by path, bytewise \(LC_ALL=C sort\)$'
copy u2
(cd u2 && { sed -n 1p MANIFEST; cat MANIFEST; } >M && mv M MANIFEST)
"$VOUCH" sign u2/MANIFEST >/dev/null
check "the auditor's listing refuses it" not run_doc listing u2
v verify u2 --cert "$cert"
expect_rc 1
expect_err '^vouch: MANIFEST line 2: the path is listed twice$'
end_case

test_case "bytes appended after the signature's DER: vouch refuses them (openssl does not notice)"
copy s1
printf 'appended' >>s1/MANIFEST.p7s
v verify s1 --cert "$cert"
expect_rc 1
expect_err 'MANIFEST\.p7s is damaged: not a DER CMS signature \(bytes after its end\)$'
end_case

test_case "SIGKILL of pack leaves DIR.tmp-XXXXXX; the next pack removes it, and only it"
# A pack that blocks reading its schema (a FIFO) is killed while its folder is half-made.
mkdir -p slowtpl
cp "$top"/templates/*.xsl slowtpl/
mkfifo slowtpl/report.rng
cp vouch.conf slow.conf && printf '\n[report]\ntemplates = slowtpl\n' >>slow.conf
"$VOUCH" -c slow.conf pack --period "$quarter" --out killed >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do ls -d killed.tmp-* >/dev/null 2>&1 && break; sleep 0.2; done
sleep 0.5
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
left=$(ls -d killed.tmp-* 2>/dev/null | head -1)
check "the killed pack left its folder" test -n "$left"
check "marked as a pack's" grep -q "^vouch-pack-owner/1 folder=$left " "$left/.vouch-pack-owner"
mkdir decoy.tmp-abcdef && echo mine >decoy.tmp-abcdef/keep
mkdir forged.tmp-abcdef && sed "s/folder=$left /folder=elsewhere /" "$left/.vouch-pack-owner" \
    >forged.tmp-abcdef/.vouch-pack-owner
mkdir alive.tmp-abcdef && printf 'vouch-pack-owner/1 folder=alive.tmp-abcdef host=%s boot=%s pid=%s start=%s\n' \
    "$(hostname)" "$(cat /proc/sys/kernel/random/boot_id)" "$$" \
    "$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20)" >alive.tmp-abcdef/.vouch-pack-owner
v pack --period "$quarter" --out killed
expect_rc 0
expect_out '^  cleaned      1 folder left beside it by a pack that was killed$'
check "the killed pack's folder is gone" test ! -e "$left"
check "a folder without the marker is kept" test -s decoy.tmp-abcdef/keep
check "a marker naming another folder is not proof" test -e forged.tmp-abcdef/.vouch-pack-owner
check "a folder of a live process is kept" test -e alive.tmp-abcdef/.vouch-pack-owner
check "no marker inside the pack" test ! -e killed/.vouch-pack-owner
v verify killed --cert "$cert"
expect_rc 0
end_case
