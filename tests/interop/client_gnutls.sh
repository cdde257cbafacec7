#!/usr/bin/env bash
# tlscat client against gnutls-serv (--echo): PSK suites, wrong PSK, every
# cert_reqs mode, bad certificates, SNI, mutual TLS, deferred handshake.
# TLS 1.2 (the TLS 1.3 rows are in tls13.sh).
#   client_gnutls.sh path/to/tlscat
source "$(dirname "$0")/lib.sh"
require gnutls-serv openssl ss
make_pki
V="GnuTLS $(gnutls-serv --version | head -n1 | awk '{print $2}')"
note "peer: $V"
P=$PKI
printf '%s:%s\n' "$PSK_ID" "$PSK_KEY" >"$WORK/gnutls.psk"

# server NAME ARGS...: gnutls-serv --echo on port 0 (it binds every address;
# the tests connect to 127.0.0.1 only). Serves many connections.
server() {
    local name=$1
    shift
    [ -n "${SPID:-}" ] && { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
    SOUT=$WORK/$name.srv
    bg timeout 120 gnutls-serv -p 0 --echo "$@" >"$SOUT" 2>&1
    SPID=$BG
    SPORT=$(listen_port "$SPID") || { fail "$name" "gnutls-serv did not start" "$SOUT"; exit 1; }
}

# run NAME TLSCAT-ARGS...: send one line, the echo comes back; sets RC.
run() {
    local name=$1
    shift
    CERR=$WORK/$name.err
    COUT=$WORK/$name.out
    printf 'hello %s\n' "$name" | timeout "$T_PEER" "$TLSCAT" -v "$@" 127.0.0.1 "$SPORT" \
        >"$COUT" 2>"$CERR"
    RC=$?
}

# ok NAME MODE SUITE-MBEDTLS TLSCAT-ARGS...: succeeds, echo intact, suite as expected.
ok() {
    local name=$1 mode=$2 suite=$3
    shift 3
    run "$name" "$@"
    if expect_rc "$name" 0 "$RC" "$CERR" && [ "$(cat "$COUT")" = "hello $name" ] &&
        grep -qF "handshake done: ${OKVER:-TLSv1.2}, $suite" "$CERR"; then
        suite=$(sed -n 's/^tlscat: handshake done: //p' "$CERR")
        pass "$name"
        matrix gnutls-serv "$V" "$mode" "$suite" pass
    else
        [ "$RC" -eq 0 ] && fail "$name" "echo or suite wrong" "$COUT" "$CERR" "$SOUT"
        matrix gnutls-serv "$V" "$mode" "$suite" FAIL
    fi
}

# bad NAME MODE REASON TLSCAT-ARGS...: exit 1 and REASON on stderr.
bad() {
    local name=$1 mode=$2 reason=$3
    shift 3
    run "$name" "$@"
    if expect_rc "$name" 1 "$RC" "$CERR" "$reason"; then
        pass "$name"
        matrix gnutls-serv "$V" "$mode" - "refused ($reason)"
    else
        matrix gnutls-serv "$V" "$mode" - FAIL
    fi
}

TLS12="NORMAL:-VERS-ALL:+VERS-TLS1.2"
PSK=(--psk-ident "$PSK_ID" --psk-key "$PSK_KEY")

# --- PSK
server psk_gcm --pskpasswd "$WORK/gnutls.psk" --priority "$TLS12:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-GCM"
ok psk_aes128_gcm "PSK client" TLS-PSK-WITH-AES-128-GCM-SHA256 "${PSK[@]}"
grep -q "Key Exchange: PSK" "$SOUT" || fail psk_aes128_gcm_server "server log lacks PSK" "$SOUT"
bad psk_wrong_key "PSK client, wrong key" "bad_record_mac" --psk-ident "$PSK_ID" --psk-key "$PSK_WRONG"
bad psk_unknown_identity "PSK client, unknown identity" "bad_record_mac" --psk-ident nobody --psk-key "$PSK_KEY"
server psk_chacha --pskpasswd "$WORK/gnutls.psk" --priority "$TLS12:-KX-ALL:+ECDHE-PSK:-CIPHER-ALL:+CHACHA20-POLY1305"
ok psk_ecdhe_chacha20 "ECDHE-PSK client" TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256 "${PSK[@]}"
grep -q "Key Exchange: ECDHE-PSK" "$SOUT" || fail psk_ecdhe_server "server log lacks ECDHE-PSK" "$SOUT"

# --- certificates; SNI: the server refuses any name but localhost
CSUITE=TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256
server cert --x509certfile "$P/server.pem" --x509keyfile "$P/server.key" \
    --sni-hostname localhost --sni-hostname-fatal --priority "$TLS12:-CIPHER-ALL:+AES-128-GCM"
for reqs in required optional none; do
    ok "cert_$reqs" "cert client, cert_reqs=$reqs" "$CSUITE" --cert-reqs "$reqs" \
        --ca-certs "$P/ca.pem" --server-hostname localhost
done
grep -qF "Given server name[1]: localhost" "$SOUT" && pass sni_seen ||
    fail sni_seen "gnutls-serv did not log SNI localhost" "$SOUT"
matrix gnutls-serv "$V" "SNI sent and seen" "$CSUITE" "$(grep -qF 'Given server name[1]: localhost' "$SOUT" && echo pass || echo FAIL)"
bad sni_other_name "SNI other name refused by the server" "unrecognized_name" \
    --cert-reqs none --server-hostname other.example

server wrongname --x509certfile "$P/wrongname.pem" --x509keyfile "$P/wrongname.key" \
    --priority "$TLS12:-CIPHER-ALL:+AES-128-GCM"
bad wrong_hostname_required "wrong host name, cert_reqs=required" "host name mismatch" \
    --cert-reqs required --ca-certs "$P/ca.pem" --server-hostname localhost
ok wrong_hostname_none "wrong host name, cert_reqs=none" "$CSUITE" --cert-reqs none --server-hostname localhost

server untrusted --x509certfile "$P/untrusted.pem" --x509keyfile "$P/untrusted.key" \
    --priority "$TLS12:-CIPHER-ALL:+AES-128-GCM"
bad untrusted_required "untrusted CA, cert_reqs=required" untrusted \
    --cert-reqs required --ca-certs "$P/ca.pem" --server-hostname localhost
ok untrusted_none "untrusted CA, cert_reqs=none" "$CSUITE" --cert-reqs none --server-hostname localhost

server expired --x509certfile "$P/expired.pem" --x509keyfile "$P/expired.key" \
    --priority "$TLS12:-CIPHER-ALL:+AES-128-GCM"
bad expired_required "expired certificate, cert_reqs=required" expired \
    --cert-reqs required --ca-certs "$P/ca.pem" --server-hostname localhost
ok expired_none "expired certificate, cert_reqs=none" "$CSUITE" --cert-reqs none --server-hostname localhost

# --- mutual TLS
server mtls --x509certfile "$P/server.pem" --x509keyfile "$P/server.key" --x509cafile "$P/ca.pem" \
    --require-client-cert --verify-client-cert --priority "$TLS12:-CIPHER-ALL:+AES-128-GCM"
ok mtls "mutual TLS, client certificate" "$CSUITE" --ca-certs "$P/ca.pem" \
    --server-hostname localhost --certfile "$P/client.pem" --keyfile "$P/client.key"
grep -q "client1" "$SOUT" || fail mtls_seen "gnutls-serv did not log the client certificate" "$SOUT"
bad mtls_missing "mutual TLS, no client certificate" "fatal alert" \
    --ca-certs "$P/ca.pem" --server-hostname localhost
bad mtls_untrusted "mutual TLS, untrusted client certificate" "fatal alert" \
    --ca-certs "$P/ca.pem" --server-hostname localhost \
    --certfile "$P/untrusted_client.pem" --keyfile "$P/untrusted_client.key"

# --- deferred handshake (the echo proves the late handshake worked)
server deferred --x509certfile "$P/server.pem" --x509keyfile "$P/server.key" --priority "$TLS12"
# (TLS 1.2 here, as every row of this script; tls13.sh has TLS 1.3's)
NH_VER=TLSv1.2 NH_SUITE=TLS-
OKVER=$NH_VER ok no_handshake "deferred handshake (do_handshake=False)" "$NH_SUITE" --no-handshake \
    --ca-certs "$P/ca.pem" --server-hostname localhost

kill "$SPID" 2>/dev/null
finish
