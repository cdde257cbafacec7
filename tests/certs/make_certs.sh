#!/usr/bin/env bash
# Regenerate the test certificates and keys of tls_stream (tests/certs/).
#
# Run from any directory: everything is written next to this script, with
# fixed names. Needs only the openssl CLI (tested with OpenSSL 3.0). Keys are
# EC P-256 (small files) except rsa_server.key (RSA 2048). Running it again
# makes new keys and certificates; the tests only depend on the names.
#
#   ca.pem / ca.key / ca.der        "tls_stream test CA" (20 years)
#   server.pem / server.key         CN=localhost, SAN DNS:localhost, IP:127.0.0.1
#   server.der / server.key.der     the same in DER (key as PKCS#8)
#   server_enc.key                  server.key, PEM-encrypted (AES-256-CBC), password "test"
#   server_chain.pem                server.pem followed by ca.pem
#   client.pem / client.key         CN=client1, clientAuth, signed by ca
#   rsa_server.pem / rsa_server.key RSA 2048 server cert (CN=localhost), signed by ca
#   rsa512_server.pem / .key   RSA 512 server cert (CN=localhost), signed by ca
#   other_ca.pem / other_ca.key     an unrelated CA ("tls_stream other CA")
#   other_server.pem / .key         CN=localhost, signed by other_ca (untrusted)
#   expired.pem / expired.key       CN=localhost, signed by ca, valid 2000-2001 only
#   int1/int2/int3.pem + .key       intermediates: ca -> int1 -> int2 -> int3
#   deep_leaf.pem / deep_leaf.key   CN=localhost, signed by int3
#   deep_chain.pem                  deep_leaf, int3, int2, int1 (leaf first)
#   psk.txt                         "identity:hexkey" lines
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

days=7300
serial=1000

eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# ext_<kind> files for openssl x509 -extfile
cat >"$work/ext_ca" <<'EOF'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
cat >"$work/ext_server" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
cat >"$work/ext_client" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# selfsigned_ca NAME "CN"
selfsigned_ca() {
    eckey "$1.key"
    openssl req -new -x509 -sha256 -key "$1.key" -subj "/O=tls_stream/CN=$2" \
        -days "$days" -set_serial "$((serial++))" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" -out "$1.pem"
}

# issue NAME "CN" ISSUER EXT [keyfile-already-made]
issue() {
    local name="$1" cn="$2" issuer="$3" ext="$4"
    [ -f "$name.key.new" ] && mv "$name.key.new" "$name.key" || eckey "$name.key"
    openssl req -new -sha256 -key "$name.key" -subj "/O=tls_stream/CN=$cn" -out "$work/$name.csr"
    openssl x509 -req -sha256 -in "$work/$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" \
        -set_serial "$((serial++))" -days "$days" -extfile "$work/ext_$ext" \
        -out "$name.pem" 2>/dev/null
}

rm -f ./*.pem ./*.key ./*.der psk.txt

selfsigned_ca ca "tls_stream test CA"
issue server localhost ca server
issue client client1 ca client
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa_server.key.new 2>/dev/null
issue rsa_server localhost ca server
# RSA 512 (as MicroPython's test keys): too small for SHA-384/512 signatures
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:512 -out rsa512_server.key.new 2>/dev/null
issue rsa512_server localhost ca server

selfsigned_ca other_ca "tls_stream other CA"
issue other_server localhost other_ca server

issue int1 "tls_stream int1" ca ca
issue int2 "tls_stream int2" int1 ca
issue int3 "tls_stream int3" int2 ca
issue deep_leaf localhost int3 server
cat deep_leaf.pem int3.pem int2.pem int1.pem >deep_chain.pem

# expired: "openssl x509 -req" cannot set dates in the past on OpenSSL 3.0;
# "openssl ca" can (-startdate/-enddate).
eckey expired.key
openssl req -new -sha256 -key expired.key -subj "/O=tls_stream/CN=localhost" -out "$work/expired.csr"
: >"$work/index.txt"
printf '%04X\n' "$((serial++))" >"$work/serial"
cat >"$work/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $work/index.txt
serial = $work/serial
new_certs_dir = $work
default_md = sha256
policy = policy_any
copy_extensions = none
unique_subject = no
[ policy_any ]
organizationName = optional
commonName = supplied
[ ext_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
openssl ca -batch -notext -config "$work/ca.cnf" -cert ca.pem -keyfile ca.key \
    -startdate 20000101000000Z -enddate 20010101000000Z -extensions ext_server \
    -in "$work/expired.csr" -out expired.pem 2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }

cat server.pem ca.pem >server_chain.pem
openssl x509 -in ca.pem -outform DER -out ca.der
openssl x509 -in server.pem -outform DER -out server.der
openssl pkey -in server.key -outform DER -out server.key.der
# Traditional PEM encryption (DEK-Info AES-256-CBC): mbedtls 2.28 cannot
# decrypt PKCS#8 PBES2 with AES, which is OpenSSL 3's default.
openssl ec -in server.key -aes256 -passout pass:test -out server_enc.key 2>/dev/null

{
    echo "# identity:hexkey (tls_stream test PSKs)"
    echo "client1:$(openssl rand -hex 32)"
    echo "client2:$(openssl rand -hex 16)"
} >psk.txt

# Self-check: every leaf verifies against its CA, the expired one does not.
openssl verify -CAfile ca.pem server.pem client.pem rsa_server.pem >/dev/null
openssl verify -CAfile other_ca.pem other_server.pem >/dev/null
openssl verify -CAfile ca.pem -untrusted deep_chain.pem deep_leaf.pem >/dev/null
if openssl verify -CAfile ca.pem expired.pem >/dev/null 2>&1; then
    echo "expired.pem unexpectedly valid" >&2
    exit 1
fi
echo "certificates written to $dir"
