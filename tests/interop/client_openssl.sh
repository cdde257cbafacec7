#!/usr/bin/env bash
# tlscat client against openssl s_server: PSK suites, every cert_reqs mode,
# bad certificates, SNI, mutual TLS, deferred handshake.
#   client_openssl.sh path/to/tlscat
source "$(dirname "$0")/lib.sh"
require openssl ss stdbuf
make_pki
V="$OPENSSL_VERSION"
note "peer: $V"

# server NAME ARGS...: openssl s_server on 127.0.0.1, port 0, one connection;
# TLS 1.2 against the mbedtls backend (its TLS 1.3 rows are in tls13.sh).
server() {
    local name=$1 v12=-tls1_2
    shift
    is_openssl && v12=
    hold_stdin "$name"
    SOUT=$WORK/$name.srv
    bg timeout 30 stdbuf -o0 openssl s_server -accept 127.0.0.1:0 -naccept 1 $v12 "$@" \
        <"$FIFO" >"$SOUT" 2>&1
    SPID=$BG
    SPORT=$(listen_port "$SPID") || { fail "$name" "s_server did not start" "$SOUT"; return 1; }
}

# client NAME STDIN-TEXT TLSCAT-ARGS...: run tlscat against $SPORT; sets RC.
client() {
    local name=$1 text=$2
    shift 2
    COUT=$WORK/$name.out
    CERR=$WORK/$name.err
    printf '%s' "$text" | timeout "$T_PEER" "$TLSCAT" -v "$@" 127.0.0.1 "$SPORT" >"$COUT" 2>"$CERR"
    RC=$?
    wait_pid "$SPID" 5 >/dev/null 2>&1
}

# ok_case NAME MODE SUITE-OPENSSL SERVER-ARGS -- TLSCAT-ARGS: a case that must succeed.
ok_case() {
    local name=$1 mode=$2 suite=$3 sargs=() msg="hello $1"
    shift 3
    while [ "$1" != "--" ]; do sargs+=("$1"); shift; done
    shift
    server "$name" "${sargs[@]}" || { matrix s_server "$V" "$mode" "$suite" FAIL; return; }
    client "$name" "$msg" "$@"
    if expect_rc "$name" 0 "$RC" "$CERR" && grep -qF "$msg" "$SOUT" &&
        grep -qF "CIPHER is $suite" "$SOUT"; then
        pass "$name"
        matrix s_server "$V" "$mode" "$suite" pass
    else
        [ "$RC" -eq 0 ] && fail "$name" "s_server did not get the data or suite $suite" "$SOUT" "$CERR"
        matrix s_server "$V" "$mode" "$suite" FAIL
    fi
}

# bad_case NAME MODE REASON SERVER-ARGS -- TLSCAT-ARGS: must fail with exit 1 and REASON.
bad_case() {
    local name=$1 mode=$2 reason=$3 sargs=()
    shift 3
    while [ "$1" != "--" ]; do sargs+=("$1"); shift; done
    shift
    server "$name" "${sargs[@]}" || { matrix s_server "$V" "$mode" - FAIL; return; }
    client "$name" "must not arrive" "$@"
    if expect_rc "$name" 1 "$RC" "$CERR" "$reason"; then
        if grep -qF "must not arrive" "$SOUT"; then
            fail "$name" "data reached the server" "$SOUT"
            matrix s_server "$V" "$mode" - FAIL
        else
            pass "$name"
            matrix s_server "$V" "$mode" - "refused ($reason)"
        fi
    else
        matrix s_server "$V" "$mode" - FAIL
    fi
}

P=$PKI
PSK=(--psk-ident "$PSK_ID" --psk-key "$PSK_KEY")
SRV_PSK=(-nocert -psk "$PSK_KEY" -psk_hint tls_stream)
is_openssl && SRV_PSK+=(-tls1_2) # (server() pins TLS 1.2 for mbedtls)
CERT=(-cert "$P/server.pem" -key "$P/server.key")
VERIFY=(--ca-certs "$P/ca.pem" --server-hostname localhost)
# certificate cases: TLS 1.2 with the suite s_server is told to use; on the
# OpenSSL backend TLS 1.3 (-cipher is TLS 1.2's list), s_server taking our
# first TLS 1.3 suite
CSUITE=ECDHE-ECDSA-AES128-GCM-SHA256
is_openssl && CSUITE=TLS_AES_256_GCM_SHA384
# a missing client certificate: TLS 1.3 has its own alert for it
NOCERT_ALERT=handshake_failure
is_openssl && NOCERT_ALERT=certificate_required

# --- TLS 1.2 PSK
ok_case psk_aes128_gcm "PSK client" PSK-AES128-GCM-SHA256 \
    "${SRV_PSK[@]}" -cipher PSK-AES128-GCM-SHA256 -- "${PSK[@]}"
grep -qF "handshake done: TLSv1.2, TLS-PSK-WITH-AES-128-GCM-SHA256" "$WORK/psk_aes128_gcm.err" ||
    fail psk_aes128_gcm_suite "tlscat -v does not report the PSK suite" "$WORK/psk_aes128_gcm.err"
ok_case psk_ecdhe_chacha20 "ECDHE-PSK client" ECDHE-PSK-CHACHA20-POLY1305 \
    "${SRV_PSK[@]}" -cipher ECDHE-PSK-CHACHA20-POLY1305 -- "${PSK[@]}"
grep -qF "TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256" "$WORK/psk_ecdhe_chacha20.err" ||
    fail psk_ecdhe_chacha20_suite "tlscat -v does not report the suite" "$WORK/psk_ecdhe_chacha20.err"
# a wrong key reaches the client as bad_record_mac (see interop-notes)
bad_case psk_wrong_key "PSK client, wrong key" "bad_record_mac" \
    "${SRV_PSK[@]}" -- --psk-ident "$PSK_ID" --psk-key "$PSK_WRONG"

# --- certificates: every cert_reqs mode against a good server
for reqs in required optional; do
    ok_case "cert_$reqs" "cert client, cert_reqs=$reqs" "$CSUITE" \
        "${CERT[@]}" -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -- --cert-reqs "$reqs" "${VERIFY[@]}"
done
grep -qF "peer subject: O=tls_stream interop, CN=localhost" "$WORK/cert_required.err" ||
    fail cert_required_subject "tlscat -v does not print the peer subject" "$WORK/cert_required.err"
ok_case cert_none "cert client, cert_reqs=none" "$CSUITE" \
    "${CERT[@]}" -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -- --cert-reqs none
grep -qF "warning: the server certificate is not verified" "$WORK/cert_none.err" ||
    fail cert_none_warning "no warning for an unverified server" "$WORK/cert_none.err"
ok_case cert_default_with_ca "cert client, default cert_reqs + CA" "$CSUITE" \
    "${CERT[@]}" -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -- "${VERIFY[@]}"

# --- bad certificates: refused under REQUIRED (and OPTIONAL), accepted under NONE
BADSUITE=ECDHE-ECDSA-AES128-GCM-SHA256
for reqs in required optional; do
    bad_case "untrusted_$reqs" "untrusted CA, cert_reqs=$reqs" "untrusted" \
        -cert "$P/untrusted.pem" -key "$P/untrusted.key" -- --cert-reqs "$reqs" "${VERIFY[@]}"
    bad_case "wrong_hostname_$reqs" "wrong host name, cert_reqs=$reqs" "host name mismatch" \
        "${CERT[@]}" -- --cert-reqs "$reqs" --ca-certs "$P/ca.pem" --server-hostname not-localhost.example
    bad_case "expired_$reqs" "expired certificate, cert_reqs=$reqs" "expired" \
        -cert "$P/expired.pem" -key "$P/expired.key" -- --cert-reqs "$reqs" "${VERIFY[@]}"
done
ok_case untrusted_none "untrusted CA, cert_reqs=none" "$CSUITE" \
    -cert "$P/untrusted.pem" -key "$P/untrusted.key" -cipher "$BADSUITE" -- --cert-reqs none "${VERIFY[@]}"
ok_case wrong_hostname_none "wrong host name, cert_reqs=none" "$CSUITE" \
    "${CERT[@]}" -cipher "$BADSUITE" -- --cert-reqs none --ca-certs "$P/ca.pem" --server-hostname not-localhost.example
ok_case expired_none "expired certificate, cert_reqs=none" "$CSUITE" \
    -cert "$P/expired.pem" -key "$P/expired.key" -cipher "$BADSUITE" -- --cert-reqs none "${VERIFY[@]}"

# --- SNI: the default certificate is for other.example; only the SNI name
# "localhost" selects the localhost certificate, which verification needs.
ok_case sni "SNI selects the certificate" "$CSUITE" \
    -cert "$P/wrongname.pem" -key "$P/wrongname.key" -servername localhost \
    -cert2 "$P/server.pem" -key2 "$P/server.key" -cipher "$BADSUITE" -- --cert-reqs required "${VERIFY[@]}"
grep -qF 'Hostname in TLS extension: "localhost"' "$WORK/sni.srv" ||
    fail sni_seen "s_server did not see SNI localhost" "$WORK/sni.srv"

# --- mutual TLS
ok_case mtls "mutual TLS, client certificate" "$CSUITE" \
    "${CERT[@]}" -Verify 1 -CAfile "$P/ca.pem" -cipher "$BADSUITE" -- \
    "${VERIFY[@]}" --certfile "$P/client.pem" --keyfile "$P/client.key"
grep -qE 'subject=.*CN ?= ?client1' "$WORK/mtls.srv" ||
    fail mtls_subject "s_server did not see the client certificate" "$WORK/mtls.srv"
bad_case mtls_missing "mutual TLS, no client certificate" "$NOCERT_ALERT" \
    "${CERT[@]}" -Verify 1 -CAfile "$P/ca.pem" -- "${VERIFY[@]}"

# --- deferred handshake: no ClientHello until stdin has data. Control first:
# the eager client's ClientHello shows within the same delay.
deferred() { # NAME MODE FLAG...
    local name=$1 mode=$2 early
    shift 2
    server "$name" "${CERT[@]}" -msg -quiet || return
    mkfifo "$WORK/$name.in"
    timeout "$T_PEER" "$TLSCAT" -v "$@" "${VERIFY[@]}" 127.0.0.1 "$SPORT" \
        <"$WORK/$name.in" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    local cpid=$!
    exec 7>"$WORK/$name.in"
    sleep 1
    early=no
    grep -q ClientHello "$SOUT" && early=yes
    printf 'deferred data' >&7
    exec 7>&-
    wait_pid "$cpid"
    RC=$?
    wait_pid "$SPID" 5 >/dev/null 2>&1
    EARLY=$early
}
deferred eager_control "eager handshake (control)"
if [ "$RC" -eq 0 ] && [ "$EARLY" = yes ]; then pass eager_control; else
    fail eager_control "rc=$RC, ClientHello before data: $EARLY (expected yes)" "$SOUT" "$WORK/eager_control.err"; fi
deferred no_handshake "deferred handshake" --no-handshake
if [ "$RC" -eq 0 ] && [ "$EARLY" = no ] && grep -q "deferred data" "$SOUT"; then
    pass no_handshake
    matrix s_server "$V" "deferred handshake (do_handshake=False)" - pass
else
    fail no_handshake "rc=$RC, ClientHello before data: $EARLY (expected no)" "$SOUT" "$WORK/no_handshake.err"
    matrix s_server "$V" "deferred handshake (do_handshake=False)" - FAIL
fi

finish
