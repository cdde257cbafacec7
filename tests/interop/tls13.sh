#!/usr/bin/env bash
# TLS 1.3 against OpenSSL and GnuTLS, tlscat pinned to TLS 1.3 (--tls-min
# 1.3) on both sides: certificates, mutual TLS, external PSK (psk_dhe_ke and
# psk_ke), resumption with a ticket (tlscat client), and the failures (untrusted server,
# missing client certificate, wrong PSK key, unknown identity).
# With a backend without TLS 1.3 (mbedtls 2.28): tlscat refuses --tls-min
# 1.3, and its default against a TLS 1.3 server is TLS 1.2.
#   tls13.sh path/to/tlscat
source "$(dirname "$0")/lib.sh"
require openssl gnutls-serv gnutls-cli ss
make_pki
P=$PKI
VO="$OPENSSL_VERSION"
VG="GnuTLS $(gnutls-cli --version | head -n1 | awk '{print $2}')"
printf '%s:%s\n' "$PSK_ID" "$PSK_KEY" >"$WORK/gnutls.psk"
T13=(--tls-min 1.3)
VERIFY=(--ca-certs "$P/ca.pem" --server-hostname localhost)
CERTS=(--certfile "$P/server.pem" --keyfile "$P/server.key")
PSK=(--psk-ident "$PSK_ID" --psk-key "$PSK_KEY")

# --- tlscat as a client ---------------------------------------------------

# peer NAME CMD...: a peer server on 127.0.0.1, port 0 (stdin held open).
peer() {
    local name=$1
    shift
    hold_stdin "$name"
    SOUT=$WORK/$name.srv
    bg timeout 30 "$@" <"$FIFO" >"$SOUT" 2>&1
    SPID=$BG
    SPORT=$(listen_port "$SPID") || { fail "$name" "peer server did not start" "$SOUT"; return 1; }
}

# client_case NAME PEER VERSION MODE WANT-RC REASON TLSCAT-ARGS...: tlscat
# sends a line to $SPORT. WANT-RC 0: TLS 1.3 reported and the line arrived
# (the peer logs or echoes it); else exit WANT-RC with REASON on stderr.
client_case() {
    local name=$1 who=$2 ver=$3 mode=$4 want=$5 reason=$6 suite
    shift 6
    CERR=$WORK/$name.err
    printf 'hello %s\n' "$name" | timeout "$T_PEER" "$TLSCAT" -v "$@" 127.0.0.1 "$SPORT" \
        >"$WORK/$name.out" 2>"$CERR"
    local rc=$?
    if ! expect_rc "$name" "$want" "$rc" "$CERR" "$reason"; then
        matrix "$who" "$ver" "TLS 1.3: $mode" - FAIL
    elif [ "$want" -ne 0 ]; then
        pass "$name"
        matrix "$who" "$ver" "TLS 1.3: $mode" - "refused ($reason)"
    elif grep -qF "handshake done: TLSv1.3" "$CERR" &&
        { grep -qF "hello $name" "$SOUT" || grep -qF "hello $name" "$WORK/$name.out"; }; then
        suite=$(sed -n 's/^tlscat: handshake done: //p' "$CERR")
        pass "$name"
        matrix "$who" "$ver" "TLS 1.3: $mode" "$suite" pass
    else
        fail "$name" "not TLS 1.3, or the data did not arrive" "$CERR" "$SOUT"
        matrix "$who" "$ver" "TLS 1.3: $mode" - FAIL
    fi
    wait_pid "$SPID" 5 >/dev/null 2>&1
}

S_SERVER=(openssl s_server -accept 127.0.0.1:0 -naccept 1 -tls1_3)
tls13_client_rows() {
    peer o_cert "${S_SERVER[@]}" -cert "$P/server.pem" -key "$P/server.key" &&
        client_case o_cert s_server "$VO" "cert client, verified" 0 "" "${T13[@]}" "${VERIFY[@]}"
    peer o_untrusted "${S_SERVER[@]}" -cert "$P/untrusted.pem" -key "$P/untrusted.key" &&
        client_case o_untrusted s_server "$VO" "untrusted server" 1 "untrusted" "${T13[@]}" "${VERIFY[@]}"
    peer o_mtls "${S_SERVER[@]}" -cert "$P/server.pem" -key "$P/server.key" -Verify 1 -CAfile "$P/ca.pem" &&
        client_case o_mtls s_server "$VO" "mutual TLS" 0 "" "${T13[@]}" "${VERIFY[@]}" \
            --certfile "$P/client.pem" --keyfile "$P/client.key"
    # TLS 1.3: the client is done before the server judges it; the alert
    # (certificate_required) meets the client's first read
    peer o_mtls_missing "${S_SERVER[@]}" -cert "$P/server.pem" -key "$P/server.key" -Verify 1 \
        -CAfile "$P/ca.pem" &&
        client_case o_mtls_missing s_server "$VO" "mutual TLS, no client certificate" 1 \
            "fatal alert" "${T13[@]}" "${VERIFY[@]}"
    peer o_psk "${S_SERVER[@]}" -nocert -psk "$PSK_KEY" -psk_identity "$PSK_ID" &&
        client_case o_psk s_server "$VO" "PSK client (psk_dhe_ke)" 0 "" "${T13[@]}" "${PSK[@]}"
    peer o_psk_wrong "${S_SERVER[@]}" -nocert -psk "$PSK_WRONG" -psk_identity "$PSK_ID" &&
        client_case o_psk_wrong s_server "$VO" "PSK client, wrong key" 1 "fatal alert" \
            "${T13[@]}" "${PSK[@]}"

    # resumption: two connections to one s_server, the second offers the ticket
    peer o_resume openssl s_server -accept 127.0.0.1:0 -naccept 2 -tls1_3 \
        -cert "$P/server.pem" -key "$P/server.key" || return
    printf 'first\n' | timeout "$T_PEER" "$TLSCAT" -v "${T13[@]}" "${VERIFY[@]}" \
        --session-out "$WORK/o.sess" 127.0.0.1 "$SPORT" >/dev/null 2>"$WORK/o_resume1.err"
    client_case o_resume s_server "$VO" "resumption (ticket)" 0 "" "${T13[@]}" "${VERIFY[@]}" \
        --session-in "$WORK/o.sess"
    grep -qF "TLSv1.3" "$WORK/o_resume1.err" && ! grep -qF "resumed" "$WORK/o_resume1.err" &&
        grep -qF ", resumed" "$WORK/o_resume.err" && pass o_resumed ||
        fail o_resumed "first connection full, second resumed: not so" "$WORK/o_resume1.err" "$WORK/o_resume.err"

    G13=NORMAL:-VERS-ALL:+VERS-TLS1.3
    peer g_cert gnutls-serv -p 0 --echo --x509certfile "$P/server.pem" --x509keyfile "$P/server.key" \
        --priority "$G13" &&
        client_case g_cert gnutls-serv "$VG" "cert client, verified" 0 "" "${T13[@]}" "${VERIFY[@]}"
    kill "$SPID" 2>/dev/null
    peer g_psk_ke gnutls-serv -p 0 --echo --pskpasswd "$WORK/gnutls.psk" \
        --priority "$G13:-KX-ALL:+PSK" &&
        client_case g_psk_ke gnutls-serv "$VG" "PSK client (psk_ke)" 0 "" "${T13[@]}" "${PSK[@]}"
    kill "$SPID" 2>/dev/null
    peer g_psk_dhe gnutls-serv -p 0 --echo --pskpasswd "$WORK/gnutls.psk" \
        --priority "$G13:-KX-ALL:+ECDHE-PSK" &&
        client_case g_psk_dhe gnutls-serv "$VG" "PSK client (psk_dhe_ke)" 0 "" "${T13[@]}" "${PSK[@]}"
    kill "$SPID" 2>/dev/null
}

# --- tlscat as the server (lib.sh's server_case) --------------------------

PEER=s_client
V="$VO"
run_client() {
    local name=$1 port=$2
    shift 2
    printf 'from client %s\n' "$name" | timeout "$T_PEER" openssl s_client -quiet -tls1_3 \
        -connect "127.0.0.1:$port" "$@"
}
OVERIFY=(-CAfile "$P/ca.pem" -verify_return_error -verify_hostname localhost -servername localhost)

tls13_server_rows() {
    server_case s_cert "TLS 1.3: certificate server" 0 "" "${T13[@]}" "${CERTS[@]}" -- "${OVERIFY[@]}"
    server_case s_mtls "TLS 1.3: client certificate required, valid" 0 "" "${T13[@]}" "${CERTS[@]}" \
        --cert-reqs required --ca-certs "$P/ca.pem" -- "${OVERIFY[@]}" \
        -cert "$P/client.pem" -key "$P/client.key"
    server_case s_mtls_missing "TLS 1.3: client certificate required, none sent" 1 \
        "peer sent no certificate" "${T13[@]}" "${CERTS[@]}" --cert-reqs required \
        --ca-certs "$P/ca.pem" -- "${OVERIFY[@]}"
    server_case s_psk "TLS 1.3: PSK server" 0 "" "${T13[@]}" --psk-file "$P/psk.txt" -- \
        -psk "$PSK_KEY" -psk_identity "$PSK_ID"
    server_case s_psk_unknown "TLS 1.3: PSK server, unknown identity" 1 "unknown PSK identity" \
        "${T13[@]}" --psk-file "$P/psk.txt" -- -psk "$PSK_KEY" -psk_identity nobody
    for f in s_cert s_mtls s_psk; do
        grep -qF "handshake done: TLSv1.3" "$WORK/$f.srv.err" ||
            fail "${f}_version" "not TLS 1.3" "$WORK/$f.srv.err"
    done
    # (resumption against tlscat --listen is not a row: it serves one
    # connection, and its ticket key dies with it; test_tls13 covers ours)

    PEER=gnutls-cli
    V="$VG"
    run_client() { gnutls_client "$@"; } # lib.sh
    server_case s_g_cert "TLS 1.3: certificate server" 0 "" "${T13[@]}" "${CERTS[@]}" -- \
        --x509cafile "$P/ca.pem" --verify-hostname localhost
    server_case s_g_psk_ke "TLS 1.3: PSK server (psk_ke)" 0 "" "${T13[@]}" --psk-file "$P/psk.txt" -- \
        --pskusername "$PSK_ID" --pskkey "$PSK_KEY" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+PSK"
    grep -qF "handshake done: TLSv1.3" "$WORK/s_g_psk_ke.srv.err" ||
        fail s_g_psk_ke_version "not TLS 1.3" "$WORK/s_g_psk_ke.srv.err"
}

# --- mbedtls 2.28: no TLS 1.3 ----------------------------------------------

no_tls13_rows() {
    "$TLSCAT" "${T13[@]}" 127.0.0.1 1 >/dev/null 2>"$WORK/refuse.err"
    expect_rc refuse_tls13 2 $? "$WORK/refuse.err" "this backend has no TLS 1.3" && pass refuse_tls13
    peer n_default openssl s_server -accept 127.0.0.1:0 -naccept 1 -cert "$P/server.pem" -key "$P/server.key" || return
    printf 'hello n_default\n' | timeout "$T_PEER" "$TLSCAT" -v "${VERIFY[@]}" 127.0.0.1 "$SPORT" \
        >/dev/null 2>"$WORK/n_default.err"
    if expect_rc n_default 0 $? "$WORK/n_default.err" &&
        grep -qF "handshake done: TLSv1.2" "$WORK/n_default.err"; then
        pass n_default
        matrix s_server "$VO" "TLS 1.3 server, client without TLS 1.3" TLSv1.2 pass
    else
        fail n_default "not TLS 1.2" "$WORK/n_default.err"
        matrix s_server "$VO" "TLS 1.3 server, client without TLS 1.3" - FAIL
    fi
    wait_pid "$SPID" 5 >/dev/null 2>&1
}

# Without TLS 1.3 the configuration fails (exit 2); with it, the connection
# to port 1 does (exit 3).
"$TLSCAT" "${T13[@]}" 127.0.0.1 1 >/dev/null 2>&1
if [ $? -eq 2 ]; then
    note "tlscat's backend has no TLS 1.3"
    no_tls13_rows
else
    tls13_client_rows
    tls13_server_rows
fi
finish
