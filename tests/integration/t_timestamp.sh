# Trusted timestamps (RFC 3161): with [signing] tsa, every signature gets a token from the
# TSA over its bytes (FILE.tsr) that vouch verify and stock 'openssl ts -verify' check.
# The TSA is tests/integration/tsa_server.c, started here on 127.0.0.1: nothing leaves the
# machine. A lying TSA, an untrusted one, one that is down and one that answers junk.

: "${TSA_SERVER:?the tests need TSA_SERVER (build/san/integration/tsa_server)}"
quarter="$(date -u +%Y)-Q$((($(date -u +%-m) + 2) / 3))"

# A CA and a TSA certificate it issues (extendedKeyUsage critical timeStamping), twice.
make_tsa() { # NAME
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1-ca.key" \
        -out "$1-ca.pem" -subj "/CN=$1 Root CA" -days 30 \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
        2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
        -out "$1.csr" -subj "/CN=$1 TSA" 2>/dev/null
    printf 'extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n' >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$1-ca.pem" -CAkey "$1-ca.key" -CAcreateserial \
        -out "$1.pem" -days 30 -extfile "$1.ext" 2>/dev/null
}
make_tsa good
make_tsa other

PIDS=()
stop_tsas() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_tsas EXIT
start_tsa() { # NAME KEY-AND-CERT-PREFIX [MODE]: sets the variable NAME to the TSA's URL
    rm -f "$1.port"
    "$TSA_SERVER" "$1.port" "$2.key" "$2.pem" ${3:-} 2>"$1.log" &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$1.port" ] && break; sleep 0.05; done
    printf -v "$1" 'http://127.0.0.1:%s/' "$(cat "$1.port")"
}
start_tsa tsa_good good
start_tsa tsa_lying good wrong-hash
start_tsa tsa_other other
start_tsa tsa_junk good not-tsr
start_tsa tsa_down good
kill "${PIDS[-1]}"
wait "${PIDS[-1]}" 2>/dev/null || true

conf() { # URL [MORE LINES]: a configuration with the TSA at URL, pinned to good-ca.pem
    printf '[signing]\ntsa = %s\ntsa_ca = good-ca.pem\n%s' "$1" "${2:-}" >vouch.conf
}
stock_ts_verify() { # FILE CA
    openssl ts -verify -data "$1.p7s" -in "$1.tsr" -CAfile "$2" >ts.out 2>&1 &&
        grep -q '^Verification: OK$' ts.out
}
not_() { ! "$@"; }
flip_byte() { # FILE OFFSET
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

test_case "sign: the signature gets a token from the TSA, which vouch and openssl ts verify"
conf "$tsa_good"
v keygen --subject "CN=Portal DR,O=Example Agency,C=AU"
expect_rc 0
echo "evidence" >report.html
v sign report.html
expect_rc 0
expect_empty_err
check "no report.html.tsr" test -s report.html.tsr
check "openssl ts -verify refuses the token" stock_ts_verify report.html good-ca.pem
v verify report.html --cert vouch-signing.crt
expect_rc 0
expect_out '^  timestamp    20[0-9-]+T[0-9:]+Z by CN=good TSA \(RFC 3161, report\.html\.tsr\), TSA pinned$'
end_case

test_case "verify: a token edited, one of another signature, or a missing one is refused"
cp report.html.tsr keep.tsr
size=$(stat -c %s report.html.tsr)
flip_byte report.html.tsr $((size - 10))
v verify report.html --cert vouch-signing.crt
expect_rc 1
expect_err '^vouch: report\.html\.tsr: the time-stamp token'
check "openssl ts -verify accepted an edited token" not_ stock_ts_verify report.html good-ca.pem
echo "other evidence" >other.html
v sign other.html
cp other.html.tsr report.html.tsr
v verify report.html --cert vouch-signing.crt
expect_rc 1
expect_err 'report\.html\.tsr: the time-stamp token does not verify'
check "openssl ts -verify accepted another file's token" not_ stock_ts_verify report.html good-ca.pem
rm report.html.tsr
v verify report.html --cert vouch-signing.crt
expect_rc 1
expect_err '^vouch: report\.html: no time-stamp token \(report\.html\.tsr\), and a TSA was given'
v verify report.html --cert vouch-signing.crt --tsa-ca other-ca.pem
expect_rc 1
cp keep.tsr report.html.tsr
v verify report.html --cert vouch-signing.crt --tsa-ca other-ca.pem
expect_rc 1
expect_err 'the time-stamp token does not verify'
end_case

test_case "a TSA whose token covers other bytes: signed with a warning, no token kept"
conf "$tsa_lying"
v sign other.html
expect_rc 0
expect_err '^vouch: warning: other\.html signed without a trusted time: the TSA at http://127\.0\.0\.1:[0-9]+/: the time-stamp token does not verify'
check "a lying TSA's token was kept" test ! -e other.html.tsr
check "the signature is gone" test -s other.html.p7s
end_case

test_case "a TSA that does not chain to tsa_ca, one that answers junk, one that is down"
conf "$tsa_other"
v sign other.html
expect_rc 0
expect_err '^vouch: warning: other\.html signed without a trusted time: .*does not verify'
check "an untrusted TSA's token was kept" test ! -e other.html.tsr
conf "$tsa_junk"
v sign other.html
expect_rc 0
expect_err 'answered with something that is not a time-stamp response$'
conf "$tsa_down"
v sign other.html
expect_rc 0
expect_err '^vouch: warning: other\.html signed without a trusted time: could not reach the TSA at http://127\.0\.0\.1:[0-9]+/'
check "the signature was not made" test -s other.html.p7s
end_case

test_case "tsa_required: no signature without its time"
conf "$tsa_down" "tsa_required = yes"$'\n'
rm -f other.html.p7s other.html.tsr
v sign other.html
expect_rc 1
expect_err '^vouch: could not timestamp the signature of "other\.html": could not reach the TSA'
expect_err '^hint: \[signing\] tsa_required is set'
check "a signature was left without its time" test ! -e other.html.p7s
printf '[signing]\ntsa_required = yes\n' >vouch.conf
v sign other.html
expect_rc 2
expect_err 'tsa_required needs tsa'
printf '[signing]\ntsa = file:///etc/passwd\n' >vouch.conf
v sign other.html
expect_rc 2
expect_err 'a TSA is reached over http:// or https://, not "file:///etc/passwd"'
end_case

test_case "a token from an unpinned TSA verifies its signature but says NOT PINNED"
printf '[signing]\ntsa = %s\n' "$tsa_other" >vouch.conf
v sign other.html
expect_rc 0
expect_empty_err
v verify other.html --cert vouch-signing.crt
expect_rc 0
expect_out 'by CN=other TSA .*TSA NOT PINNED'
v verify other.html --cert vouch-signing.crt --tsa-ca other-ca.pem
expect_rc 0
expect_out 'TSA pinned$'
end_case

test_case "pack and report: MANIFEST.tsr and FILE.tsr, verified by vouch and openssl ts"
fresh_db tsdb
printf '[target]\ndsn = dbname=tsdb\n[rowcount]\ntable = public.tasks\n[signing]\ntsa = %s\ntsa_ca = good-ca.pem\n' \
    "$tsa_good" >vouch.conf
v baseline
expect_rc 0
v gate
expect_rc 0
v report run --out gate.html
expect_rc 0
check "the report's token is missing" test -s gate.html.tsr
check "openssl ts -verify refuses the report's token" stock_ts_verify gate.html good-ca.pem
v pack --period "$quarter" --out pack
expect_rc 0
check "the pack has no MANIFEST.tsr" test -s pack/MANIFEST.tsr
check "openssl ts -verify refuses the MANIFEST's token" stock_ts_verify pack/MANIFEST good-ca.pem
v verify pack --cert vouch-signing.crt
expect_rc 0
expect_out '^  timestamp    .* by CN=good TSA \(RFC 3161, pack/MANIFEST\.tsr\), TSA pinned$'
# docs/auditor.md's steps, as written there, on a pack that has a MANIFEST.tsr
doc_block() { sed -n "/<!-- tested: $1 -->/,/^\`\`\`\$/p" "$top/docs/auditor.md" | sed '1,2d;$d'; }
check "auditor step 5 (openssl ts -verify) fails on the pack" \
    bash -c "cd pack && TSA_CA='$PWD/good-ca.pem' && $(doc_block timestamp) 2>&1 | grep -q '^Verification: OK$'"
check "auditor step 4 (nothing added) fails on a pack with MANIFEST.tsr" \
    bash -c "cd pack && $(doc_block listing)"
flip_byte pack/MANIFEST.tsr 40
v verify pack --cert vouch-signing.crt
expect_rc 1
expect_err 'MANIFEST\.tsr'
end_case
