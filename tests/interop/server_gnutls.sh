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

# case NAME MODE WANT-RC REASON TLSCAT-ARGS -- GNUTLS-CLI-ARGS
# Each side writes one line and ends its input only once the other's line
# arrived (TLS 1.2 closes both directions at once).
case_() {
    local name=$1 mode=$2 want=$3 reason=$4 targs=() sgot
    shift 4
    while [ "$1" != "--" ]; do targs+=("$1"); shift; done
    shift
    local pf=$WORK/$name.port sout=$WORK/$name.srv.out serr=$WORK/$name.srv.err
    local cout=$WORK/$name.cli.out
    printf 'from server %s\n' "$name" >"$WORK/$name.smsg"
    printf 'from client %s\n' "$name" >"$WORK/$name.cmsg"
    bg timeout 15 "$TLSCAT" -v --listen --port-file "$pf" "${targs[@]}" 0 \
        < <(WAIT_FILE=$sout WAIT_TEXT="from client $name" WAIT_SIZE= \
            feed_until "$WORK/$name.smsg" 2>/dev/null) >"$sout" 2>"$serr"
    local tpid=$BG
    wait_file "$pf" || { fail "$name" "tlscat did not listen" "$serr"; return; }
    timeout "$T_PEER" gnutls-cli --logfile "$WORK/$name.cli.log" -p "$(cat "$pf")" "$@" 127.0.0.1 \
        < <(WAIT_FILE=$cout WAIT_TEXT="from server $name" WAIT_SIZE= \
            feed_until "$WORK/$name.cmsg" 2>/dev/null) >"$cout" 2>"$WORK/$name.cli.err"
    wait_pid "$tpid"
    local rc=$?
    if ! expect_rc "$name" "$want" "$rc" "$serr" "$reason"; then
        matrix gnutls-cli "$V" "$mode" - FAIL
        return
    fi
    if [ "$want" -eq 0 ]; then
        if grep -qF "from client $name" "$sout" && grep -qF "from server $name" "$cout"; then
            sgot=$(sed -n 's/^tlscat: handshake done: //p' "$serr")
            pass "$name"
            matrix gnutls-cli "$V" "$mode" "$sgot" pass
        else
            fail "$name" "data lost" "$sout" "$cout" "$WORK/$name.cli.log" "$serr"
            matrix gnutls-cli "$V" "$mode" - FAIL
        fi
    else
        pass "$name"
        matrix gnutls-cli "$V" "$mode" - "refused ($reason)"
    fi
}

# gnutls-cli 3.7.9 crashes on ECDHE-PSK (interop-notes): plain PSK only.
PSKPRIO=NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK
PSKS=(--psk-file "$P/psk.txt")
case_ psk_known "PSK server, known identity" 0 "" "${PSKS[@]}" -- \
    --pskusername "$PSK_ID" --pskkey "$PSK_KEY" --priority "$PSKPRIO"
grep -qF "TLS-PSK-WITH-" "$WORK/psk_known.srv.err" ||
    fail psk_known_suite "not a plain PSK suite" "$WORK/psk_known.srv.err"
case_ psk_unknown "PSK server, unknown identity" 1 "unknown PSK identity" "${PSKS[@]}" -- \
    --pskusername nobody --pskkey "$PSK_KEY" --priority "$PSKPRIO"

CERTS=(--certfile "$P/server.pem" --keyfile "$P/server.key")
VERIFY=(--x509cafile "$P/ca.pem" --verify-hostname localhost)
case_ cert "certificate server" 0 "" "${CERTS[@]}" -- "${VERIFY[@]}"
case_ mtls_valid "client certificate required, valid" 0 "" "${CERTS[@]}" --cert-reqs required \
    --ca-certs "$P/ca.pem" -- "${VERIFY[@]}" --x509certfile "$P/client.pem" --x509keyfile "$P/client.key"
grep -qF "peer subject: O=tls_stream interop, CN=client1" "$WORK/mtls_valid.srv.err" ||
    fail mtls_valid_subject "tlscat -v does not show the client subject" "$WORK/mtls_valid.srv.err"
case_ mtls_missing "client certificate required, none sent" 1 "peer sent no certificate" "${CERTS[@]}" \
    --cert-reqs required --ca-certs "$P/ca.pem" -- "${VERIFY[@]}"
case_ mtls_untrusted "client certificate required, untrusted" 1 "untrusted" "${CERTS[@]}" \
    --cert-reqs required --ca-certs "$P/ca.pem" -- "${VERIFY[@]}" \
    --x509certfile "$P/untrusted_client.pem" --x509keyfile "$P/untrusted_client.key"

finish
