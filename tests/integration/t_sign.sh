# Keys and signatures: vouch keygen, vouch sign, vouch verify FILE, and the stock
# openssl command of docs/signing.md on the same files. No database needed.

# The command docs/signing.md gives an auditor, as written there.
stock_verify() { # FILE CERT
    openssl cms -verify -binary -inform DER -in "$1.p7s" -content "$1" -CAfile "$2" \
        -purpose any -out /dev/null 2>/dev/null
}
flip_byte() { # FILE OFFSET: flip the lowest bit of one byte in place
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
mode_of() { stat -c %a "$1"; }
# flip_count TARGET SIG CONTENT CERT VOUCH-ARGS...: flip the lowest bit of each byte of
# TARGET in turn (restoring it after each), and count the flips refused by vouch (exit 1)
# and by the stock openssl command of docs/signing.md on SIG and CONTENT.
# Sets FLIPPED, VOUCH_CAUGHT, OPENSSL_CAUGHT and VOUCH_MISSED (the offsets it accepted).
flip_count() {
    local target=$1 sig=$2 content=$3 cert=$4 i rc
    shift 4
    cp "$target" flip-keep   # kept outside a pack: a file added to it would fail every flip
    FLIPPED=$(stat -c %s "$target") VOUCH_CAUGHT=0 OPENSSL_CAUGHT=0 VOUCH_MISSED=
    for ((i = 0; i < FLIPPED; i++)); do
        cp flip-keep "$target"
        flip_byte "$target" "$i"
        rc=0
        "$VOUCH" "$@" >/dev/null 2>&1 || rc=$?
        if [ "$rc" = 1 ]; then VOUCH_CAUGHT=$((VOUCH_CAUGHT + 1)); else VOUCH_MISSED="$VOUCH_MISSED $i"; fi
        openssl cms -verify -binary -inform DER -in "$sig" -content "$content" -CAfile "$cert" \
            -purpose any -out /dev/null >/dev/null 2>&1 || OPENSSL_CAUGHT=$((OPENSSL_CAUGHT + 1))
    done
    mv flip-keep "$target"
    printf '%s: %s bytes flipped one at a time: vouch refused %s, openssl refused %s\n' \
        "$target" "$FLIPPED" "$VOUCH_CAUGHT" "$OPENSSL_CAUGHT" >>flips.txt
}
not() { ! "$@"; }

test_case "keygen makes an ECDSA P-256 key (mode 0600) and a self-signed certificate"
v keygen --subject "CN=Portal DR,O=Example Agency,C=AU" --days 30
expect_rc 0
expect_out '^private key  vouch-signing\.key \(ECDSA P-256, mode 0600, not encrypted\)$'
expect_out '^  subject      CN=Portal DR,O=Example Agency,C=AU$'
expect_out '^  fingerprint  SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$'
check "key mode is 600 (is $(mode_of vouch-signing.key))" test "$(mode_of vouch-signing.key)" = 600
check "the key is P-256" sh -c 'openssl pkey -in vouch-signing.key -noout -text | grep -q "NIST CURVE: P-256"'
openssl x509 -in vouch-signing.crt -noout -text >cert.txt
check "subject as given" grep -q 'Subject: C = AU, O = Example Agency, CN = Portal DR' cert.txt
check "CA:FALSE, critical" grep -qA1 'Basic Constraints: critical' cert.txt
check "digital signature key usage" grep -q 'Digital Signature' cert.txt
fp=$(openssl x509 -in vouch-signing.crt -noout -fingerprint -sha256 | sed 's/.*=//')
expect_out "SHA-256 $fp\$"
end_case

test_case "keygen refuses to overwrite without --force"
cp vouch-signing.key before.key
v keygen
expect_rc 2
expect_err '^vouch: "vouch-signing\.key" already exists$'
expect_err 'hint: Give --force'
check "the key is unchanged" cmp -s before.key vouch-signing.key
v keygen --force --key other.key --cert other.crt
expect_rc 0
v keygen --subject "C=AUS"
expect_rc 2
v keygen --key x.key --cert x.crt --subject "C=AUS"
expect_rc 2
expect_err 'subject "C=AUS": C=AUS is not valid'
v keygen --key x.key --cert x.crt --subject "XX=1"
expect_rc 2
expect_err 'unknown attribute type "XX"'
v keygen --key x.key --cert x.crt --days 0
expect_rc 2
check "nothing written for bad requests" test ! -e x.key -a ! -e x.crt
end_case

test_case "ed25519: made and used where OpenSSL can CMS-sign with it, refused clearly where not"
openssl genpkey -algorithm ed25519 -out probe.key 2>/dev/null
openssl req -new -x509 -key probe.key -out probe.crt -days 1 -subj /CN=probe 2>/dev/null
echo probe >probe.txt
v keygen --algorithm ed25519 --key ed.key --cert ed.crt
if openssl cms -sign -binary -md sha512 -in probe.txt -signer probe.crt -inkey probe.key \
    -outform DER -out probe.p7s 2>/dev/null; then
    expect_rc 0
    expect_out 'Ed25519, mode 0600'
else
    expect_rc 2
    expect_err '^vouch: ED25519 keys cannot make CMS signatures with OpenSSL 3'
    expect_err 'hint: .*Use ECDSA P-256'
    check "no ed25519 key left behind" test ! -e ed.key -a ! -e ed.crt
fi
end_case

test_case "sign, then vouch verify and stock openssl cms -verify accept it"
printf '<html><body>drill report</body></html>\n' >report.html
v sign report.html
expect_rc 0
expect_out '^signed report\.html -> report\.html\.p7s$'
check "report.html.p7s is DER CMS" sh -c 'openssl cms -cmsout -print -inform DER -in report.html.p7s >print.txt'
check "signing time is a signed attribute" grep -q 'signingTime' print.txt
check "the certificate is included" grep -q 'Portal DR' print.txt
v verify report.html
expect_rc 0
expect_out '^verified report\.html$'
expect_out "^  size         $(stat -c %s report.html) bytes\$"
expect_out "^  sha256       $(sha256sum report.html | cut -c1-64)\$"
expect_out '^  signer       CN=Portal DR,O=Example Agency,C=AU$'
expect_out "^  fingerprint  SHA-256 $fp\$"
expect_out '^  signed at    20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
expect_out '^  trust        NOT PINNED: '
v verify report.html.p7s --cert vouch-signing.crt
expect_rc 0
expect_out '^  trust        pinned: the signer is, or is issued by, vouch-signing\.crt$'
check "stock openssl accepts it" stock_verify report.html vouch-signing.crt
end_case

test_case "one flipped byte in the file fails vouch and openssl"
cp report.html tampered.html
cp report.html.p7s tampered.html.p7s
flip_byte tampered.html 10
v verify tampered.html
expect_rc 1
expect_err '^vouch: tampered\.html: signature does not verify: the file.s contents changed since it was signed$'
check "stock openssl refuses it" not stock_verify tampered.html vouch-signing.crt
end_case

test_case "one flipped byte in the signature fails vouch and openssl"
cp report.html sigflip.html
cp report.html.p7s sigflip.html.p7s
flip_byte sigflip.html.p7s $(($(stat -c %s sigflip.html.p7s) - 1))   # in the signature value
v verify sigflip.html
expect_rc 1
expect_err '^vouch: sigflip\.html: signature does not verify: the signature is damaged'
check "stock openssl refuses it" not stock_verify sigflip.html vouch-signing.crt
cp report.html.p7s sigflip.html.p7s
flip_byte sigflip.html.p7s 300   # inside the signer's certificate
v verify sigflip.html --cert vouch-signing.crt
expect_rc 1
expect_err '^vouch: sigflip\.html: '
check "stock openssl refuses it" not stock_verify sigflip.html vouch-signing.crt
printf 'x' >>sigflip.html.p7s
v verify sigflip.html
expect_rc 1
expect_err 'is damaged: not a DER CMS signature'
end_case

test_case "every byte of a .p7s, of a pack's MANIFEST.p7s and of the signed file, flipped: vouch refuses each"
: >flips.txt
cp report.html every.html
cp report.html.p7s every.html.p7s
flip_count every.html.p7s every.html.p7s every.html vouch-signing.crt verify every.html --cert vouch-signing.crt
check "vouch refuses every flip of the .p7s (accepted at:$VOUCH_MISSED)" test "$VOUCH_CAUGHT" = "$FLIPPED"
check "openssl refuses no flip vouch accepts" test "$OPENSSL_CAUGHT" -le "$VOUCH_CAUGHT"
flip_count every.html every.html.p7s every.html vouch-signing.crt verify every.html --cert vouch-signing.crt
check "both refuse every flip of the signed file" test "$VOUCH_CAUGHT" = "$FLIPPED" -a "$OPENSSL_CAUGHT" = "$FLIPPED"
# a pack of a store that holds nothing in 2001-Q1 (a drill started now makes the store)
v drill start --scenario flips --incident-at 2026-10-01T00:00:00Z
expect_rc 0
v pack --period 2001-Q1 --out flipack
expect_rc 0
v verify flipack --cert vouch-signing.crt
expect_rc 0
flip_count flipack/MANIFEST.p7s flipack/MANIFEST.p7s flipack/MANIFEST vouch-signing.crt verify flipack --cert vouch-signing.crt
check "vouch refuses every flip of MANIFEST.p7s (accepted at:$VOUCH_MISSED)" test "$VOUCH_CAUGHT" = "$FLIPPED"
check "openssl refuses no flip vouch accepts" test "$OPENSSL_CAUGHT" -le "$VOUCH_CAUGHT"
flip_count flipack/MANIFEST flipack/MANIFEST.p7s flipack/MANIFEST vouch-signing.crt verify flipack --cert vouch-signing.crt
check "both refuse every flip of the MANIFEST" test "$VOUCH_CAUGHT" = "$FLIPPED" -a "$OPENSSL_CAUGHT" = "$FLIPPED"
end_case
sed 's/^/      figure: /' flips.txt

test_case "a signature by another key fails when the certificate is pinned"
printf 'other\n' >other.txt
v sign other.txt --key other.key --cert other.crt
expect_rc 0
v verify other.txt --cert vouch-signing.crt
expect_rc 1
expect_err '^vouch: other\.txt: signed by CN=vouch evidence signing \(SHA-256 [0-9A-F:]+\), which is not the pinned certificate vouch-signing\.crt nor issued by it'
check "stock openssl refuses it" not stock_verify other.txt vouch-signing.crt
v verify other.txt
expect_rc 0
expect_out 'NOT PINNED'
end_case

test_case "verify: a missing file exits 2, a missing signature 1, a folder without MANIFEST 1"
v verify no-such.html
expect_rc 2
expect_err '^vouch: could not verify "no-such\.html": '
printf 'unsigned\n' >unsigned.txt
v verify unsigned.txt
expect_rc 1
expect_err '^vouch: unsigned\.txt: not signed: unsigned\.txt\.p7s does not exist$'
mkdir -p pack
v verify pack
expect_rc 1
expect_err '^vouch: MANIFEST: missing or unreadable: this is not an evidence pack, or its MANIFEST was removed$'
v verify report.html --cert no-such.crt
expect_rc 2
expect_err 'could not open certificate "no-such\.crt"'
v gate --cert x
expect_rc 2
expect_err "^vouch: option --cert does not apply to gate$"
end_case

test_case "an encrypted key needs its passphrase"
export VOUCH_TEST_PASS='correct horse battery staple'
v keygen --key enc.key --cert enc.crt --passphrase-env VOUCH_TEST_PASS
expect_rc 0
expect_out 'mode 0600, encrypted: PKCS#8, AES-256-CBC'
check "PKCS#8 encrypted PEM" grep -q 'BEGIN ENCRYPTED PRIVATE KEY' enc.key
check "key mode is 600" test "$(mode_of enc.key)" = 600
v sign report.html --key enc.key --cert enc.crt
expect_rc 2
expect_err '^vouch: private key "enc\.key" is encrypted and no passphrase was given$'
VOUCH_TEST_PASS=wrong v sign report.html --key enc.key --cert enc.crt --passphrase-env VOUCH_TEST_PASS
expect_rc 2
expect_err '^vouch: could not decrypt private key "enc\.key": wrong passphrase$'
printf '%s\n' "$VOUCH_TEST_PASS" >pass.txt
v sign report.html --key enc.key --cert enc.crt --passphrase-file pass.txt
expect_rc 0
v verify report.html --cert enc.crt
expect_rc 0
check "stock openssl accepts it" stock_verify report.html enc.crt
v sign report.html --key enc.key --cert enc.crt --passphrase-env UNSET_VOUCH_VAR
expect_rc 2
expect_err 'passphrase variable UNSET_VOUCH_VAR is not set'
unset VOUCH_TEST_PASS
end_case

test_case "a private key readable by others is refused"
chmod 644 vouch-signing.key
v sign report.html
expect_rc 2
expect_err '^vouch: private key "vouch-signing\.key" is open to group or others \(mode 0644\): run chmod 600 vouch-signing\.key$'
chmod 640 vouch-signing.key
v sign report.html
expect_rc 2
expect_err 'mode 0640'
chmod 600 vouch-signing.key
v sign report.html
expect_rc 0
end_case

test_case "a key and certificate from the organisation's CA work the same way"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -out ca.crt -days 30 -subj "/CN=Example Agency CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout org.key \
    -out org.csr -subj "/O=Example Agency/CN=Portal DR signing" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' >leaf.ext
openssl x509 -req -in org.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
    -extfile leaf.ext -out org.crt 2>/dev/null
chmod 600 org.key
printf 'compliance\n' >compliance.html
v sign compliance.html --key org.key --cert org.crt
expect_rc 0
v verify compliance.html --cert ca.crt
expect_rc 0
expect_out '^  signer       CN=Portal DR signing,O=Example Agency$'
expect_out '^  issuer       CN=Example Agency CA$'
expect_out 'pinned: the signer is, or is issued by, ca\.crt'
v verify compliance.html --cert org.crt
expect_rc 0
check "stock openssl accepts it against the CA" stock_verify compliance.html ca.crt
v verify compliance.html --cert vouch-signing.crt
expect_rc 1
v sign compliance.html --key org.key --cert vouch-signing.crt
expect_rc 2
expect_err '^vouch: private key "org\.key" does not belong to certificate "vouch-signing\.crt"'
end_case

test_case "[signing] in vouch.conf: paths relative to the file, the certificate pinned"
mkdir -p conf
cp org.key conf/signing.key
cp org.crt conf/signing.crt
printf '[signing]\nkey = signing.key\ncertificate = signing.crt\n' >conf/vouch.conf
printf 'configured\n' >configured.txt
v -c conf/vouch.conf sign configured.txt
expect_rc 0
expect_out '^signer CN=Portal DR signing,O=Example Agency '
v -c conf/vouch.conf verify configured.txt
expect_rc 0
expect_out 'pinned: the signer is, or is issued by, conf/signing\.crt'
v -c conf/vouch.conf verify other.txt
expect_rc 1
printf '[signing]\npassphrase_env = A\npassphrase_file = b\n' >bad.conf
v -c bad.conf verify report.html
expect_rc 2
expect_err '^vouch: bad\.conf:3: \[signing\] passphrase_file: give passphrase_env or passphrase_file, not both$'
printf '[signing]\nkee = x\n' >bad.conf
v -c bad.conf verify report.html
expect_rc 2
expect_err '^vouch: bad\.conf:2: \[signing\] kee: unknown key'
end_case

test_case "verify without a path still verifies the store"
v verify --store none.db
expect_rc 2
v keygen --help
expect_rc 0
expect_out '--subject DN'
end_case
