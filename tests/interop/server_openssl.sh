#!/usr/bin/env bash
# tlscat --listen against openssl s_client: PSK table (known identity ok,
# unknown refused), certificate server, client certificates (valid ok,
# missing refused, untrusted refused).
#   server_openssl.sh path/to/tlscat
source "$(dirname "$0")/lib.sh"
require openssl ss
make_pki
V="$OPENSSL_VERSION"
note "peer: $V"
P=$PKI

PEER=s_client
# run_client NAME PORT ARGS: s_client sends its line and keeps reading
# (-quiet = -ign_eof).
run_client() {
    local name=$1 port=$2
    shift 2
    printf 'from client %s\n' "$name" | timeout "$T_PEER" openssl s_client -quiet \
        -connect "127.0.0.1:$port" "$@"
}

# server_case (lib.sh): NAME MODE WANT-RC REASON TLSCAT-ARGS -- S_CLIENT-ARGS

PSKS=(--psk-file "$P/psk.txt")
server_case psk_known "PSK server, known identity, PSK-AES128-GCM-SHA256" 0 "" "${PSKS[@]}" -- \
    -psk "$PSK_KEY" -psk_identity "$PSK_ID" -tls1_2 -cipher PSK-AES128-GCM-SHA256
grep -qF "TLS-PSK-WITH-AES-128-GCM-SHA256" "$WORK/psk_known.srv.err" ||
    fail psk_known_suite "suite not PSK-AES128-GCM-SHA256" "$WORK/psk_known.srv.err"
server_case psk_known_ecdhe "PSK server, known identity, ECDHE-PSK-CHACHA20-POLY1305" 0 "" "${PSKS[@]}" -- \
    -psk "$PSK_KEY" -psk_identity "$PSK_ID" -tls1_2 -cipher ECDHE-PSK-CHACHA20-POLY1305
server_case psk_unknown "PSK server, unknown identity" 1 "unknown PSK identity" "${PSKS[@]}" -- \
    -psk "$PSK_KEY" -psk_identity nobody -tls1_2
# the backend's own text for a bad record MAC
MAC_TEXT="message MAC failed"
is_openssl && MAC_TEXT="bad record mac"
server_case psk_wrong_key "PSK server, wrong key" 1 "$MAC_TEXT" "${PSKS[@]}" -- \
    -psk "$PSK_WRONG" -psk_identity "$PSK_ID" -tls1_2

CERTS=(--certfile "$P/server.pem" --keyfile "$P/server.key")
VERIFY=(-CAfile "$P/ca.pem" -verify_return_error -verify_hostname localhost -servername localhost)
server_case cert "certificate server" 0 "" "${CERTS[@]}" -- "${VERIFY[@]}"
server_case mtls_valid "client certificate required, valid" 0 "" "${CERTS[@]}" --cert-reqs required \
    --ca-certs "$P/ca.pem" -- "${VERIFY[@]}" -cert "$P/client.pem" -key "$P/client.key"
grep -qF "peer subject: O=tls_stream interop, CN=client1" "$WORK/mtls_valid.srv.err" ||
    fail mtls_valid_subject "tlscat -v does not show the client subject" "$WORK/mtls_valid.srv.err"
server_case mtls_missing "client certificate required, none sent" 1 "peer sent no certificate" "${CERTS[@]}" \
    --cert-reqs required --ca-certs "$P/ca.pem" -- "${VERIFY[@]}"
server_case mtls_untrusted "client certificate required, untrusted" 1 "untrusted" "${CERTS[@]}" \
    --cert-reqs required --ca-certs "$P/ca.pem" -- "${VERIFY[@]}" \
    -cert "$P/untrusted_client.pem" -key "$P/untrusted_client.key"
server_case mtls_optional_none "client certificate optional, none sent" 0 "" "${CERTS[@]}" \
    --cert-reqs optional --ca-certs "$P/ca.pem" -- "${VERIFY[@]}"

finish
