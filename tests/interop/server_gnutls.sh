#!/usr/bin/env bash
# tlscat --listen against gnutls-cli: PSK table (known identity ok, unknown
# refused), certificate server, client certificates (valid ok, missing
# refused, untrusted refused).
#   server_gnutls.sh path/to/tlscat
source "$(dirname "$0")/lib.sh"
require gnutls-cli openssl ss
make_pki
V="GnuTLS $(gnutls-cli --version | head -n1 | awk '{print $2}')"
note "peer: $V"
P=$PKI

PEER=gnutls-cli
run_client() { gnutls_client "$@"; } # lib.sh

# server_case (lib.sh): NAME MODE WANT-RC REASON TLSCAT-ARGS -- GNUTLS-CLI-ARGS

# gnutls-cli 3.7.9 crashes on ECDHE-PSK (interop-notes): plain PSK only.
PSKPRIO=NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK
PSKS=(--psk-file "$P/psk.txt")
server_case psk_known "PSK server, known identity" 0 "" "${PSKS[@]}" -- \
    --pskusername "$PSK_ID" --pskkey "$PSK_KEY" --priority "$PSKPRIO"
grep -qF "TLS-PSK-WITH-" "$WORK/psk_known.srv.err" ||
    fail psk_known_suite "not a plain PSK suite" "$WORK/psk_known.srv.err"
server_case psk_unknown "PSK server, unknown identity" 1 "unknown PSK identity" "${PSKS[@]}" -- \
    --pskusername nobody --pskkey "$PSK_KEY" --priority "$PSKPRIO"

CERTS=(--certfile "$P/server.pem" --keyfile "$P/server.key")
VERIFY=(--x509cafile "$P/ca.pem" --verify-hostname localhost)
server_case cert "certificate server" 0 "" "${CERTS[@]}" -- "${VERIFY[@]}"
server_case mtls_valid "client certificate required, valid" 0 "" "${CERTS[@]}" --cert-reqs required \
    --ca-certs "$P/ca.pem" -- "${VERIFY[@]}" --x509certfile "$P/client.pem" --x509keyfile "$P/client.key"
grep -qF "peer subject: O=tls_stream interop, CN=client1" "$WORK/mtls_valid.srv.err" ||
    fail mtls_valid_subject "tlscat -v does not show the client subject" "$WORK/mtls_valid.srv.err"
server_case mtls_missing "client certificate required, none sent" 1 "peer sent no certificate" "${CERTS[@]}" \
    --cert-reqs required --ca-certs "$P/ca.pem" -- "${VERIFY[@]}"
server_case mtls_untrusted "client certificate required, untrusted" 1 "untrusted" "${CERTS[@]}" \
    --cert-reqs required --ca-certs "$P/ca.pem" -- "${VERIFY[@]}" \
    --x509certfile "$P/untrusted_client.pem" --x509keyfile "$P/untrusted_client.key"

finish
