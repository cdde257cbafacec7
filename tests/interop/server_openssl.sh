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

# case NAME MODE WANT-RC REASON TLSCAT-ARGS -- S_CLIENT-ARGS
# tlscat serves on port 0 (--port-file); s_client sends "from client NAME"
# and keeps reading (-quiet = -ign_eof); tlscat sends "from server NAME",
# ends its input once the client's line arrived, and closes.
case_() {
    local name=$1 mode=$2 want=$3 reason=$4 targs=() sgot
    shift 4
    while [ "$1" != "--" ]; do targs+=("$1"); shift; done
    shift
    local pf=$WORK/$name.port sout=$WORK/$name.srv.out serr=$WORK/$name.srv.err
    local cout=$WORK/$name.cli.out
    printf 'from server %s\n' "$name" >"$WORK/$name.msg"
    WAIT_FILE=$sout WAIT_TEXT="from client $name" WAIT_SIZE= \
        bg timeout 15 "$TLSCAT" -v --listen --port-file "$pf" "${targs[@]}" 0 \
        < <(WAIT_FILE=$sout WAIT_TEXT="from client $name" WAIT_SIZE= feed_until "$WORK/$name.msg" 2>/dev/null) \
        >"$sout" 2>"$serr"
    local tpid=$BG
    wait_file "$pf" || { fail "$name" "tlscat did not listen" "$serr"; return; }
    printf 'from client %s\n' "$name" | timeout "$T_PEER" openssl s_client -quiet \
        -connect "127.0.0.1:$(cat "$pf")" "$@" >"$cout" 2>"$WORK/$name.cli.err"
    wait_pid "$tpid"
    local rc=$?
    if ! expect_rc "$name" "$want" "$rc" "$serr" "$reason"; then
        matrix s_client "$V" "$mode" - FAIL
        return
    fi
    if [ "$want" -eq 0 ]; then
        if grep -qF "from client $name" "$sout" && grep -qF "from server $name" "$cout"; then
            sgot=$(sed -n 's/^tlscat: handshake done: //p' "$serr")
            pass "$name"
            matrix s_client "$V" "$mode" "$sgot" pass
        else
            fail "$name" "data lost" "$sout" "$cout" "$WORK/$name.cli.err"
            matrix s_client "$V" "$mode" - FAIL
        fi
    else
        pass "$name"
        matrix s_client "$V" "$mode" - "refused ($reason)"
    fi
}

PSKS=(--psk-file "$P/psk.txt")
case_ psk_known "PSK server, known identity, PSK-AES128-GCM-SHA256" 0 "" "${PSKS[@]}" -- \
    -psk "$PSK_KEY" -psk_identity "$PSK_ID" -tls1_2 -cipher PSK-AES128-GCM-SHA256
grep -qF "TLS-PSK-WITH-AES-128-GCM-SHA256" "$WORK/psk_known.srv.err" ||
    fail psk_known_suite "suite not PSK-AES128-GCM-SHA256" "$WORK/psk_known.srv.err"
case_ psk_known_ecdhe "PSK server, known identity, ECDHE-PSK-CHACHA20-POLY1305" 0 "" "${PSKS[@]}" -- \
    -psk "$PSK_KEY" -psk_identity "$PSK_ID" -tls1_2 -cipher ECDHE-PSK-CHACHA20-POLY1305
case_ psk_unknown "PSK server, unknown identity" 1 "unknown PSK identity" "${PSKS[@]}" -- \
    -psk "$PSK_KEY" -psk_identity nobody -tls1_2
case_ psk_wrong_key "PSK server, wrong key" 1 "message MAC failed" "${PSKS[@]}" -- \
    -psk "$PSK_WRONG" -psk_identity "$PSK_ID" -tls1_2

CERTS=(--certfile "$P/server.pem" --keyfile "$P/server.key")
VERIFY=(-CAfile "$P/ca.pem" -verify_return_error -verify_hostname localhost -servername localhost)
case_ cert "certificate server" 0 "" "${CERTS[@]}" -- "${VERIFY[@]}"
case_ mtls_valid "client certificate required, valid" 0 "" "${CERTS[@]}" --cert-reqs required \
    --ca-certs "$P/ca.pem" -- "${VERIFY[@]}" -cert "$P/client.pem" -key "$P/client.key"
grep -qF "peer subject: O=tls_stream interop, CN=client1" "$WORK/mtls_valid.srv.err" ||
    fail mtls_valid_subject "tlscat -v does not show the client subject" "$WORK/mtls_valid.srv.err"
case_ mtls_missing "client certificate required, none sent" 1 "peer sent no certificate" "${CERTS[@]}" \
    --cert-reqs required --ca-certs "$P/ca.pem" -- "${VERIFY[@]}"
case_ mtls_untrusted "client certificate required, untrusted" 1 "untrusted" "${CERTS[@]}" \
    --cert-reqs required --ca-certs "$P/ca.pem" -- "${VERIFY[@]}" \
    -cert "$P/untrusted_client.pem" -key "$P/untrusted_client.key"
case_ mtls_optional_none "client certificate optional, none sent" 0 "" "${CERTS[@]}" \
    --cert-reqs optional --ca-certs "$P/ca.pem" -- "${VERIFY[@]}"

finish
