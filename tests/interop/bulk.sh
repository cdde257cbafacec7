#!/usr/bin/env bash
# 8 MiB of random bytes each way at once, compared by SHA-256:
#   tlscat client  <-> openssl s_server (certificate, verified)
#   tlscat --listen <-> gnutls-cli (certificate, verified)
# Each side ends its input only after it received all of the other's data.
#   bulk.sh path/to/tlscat
source "$(dirname "$0")/lib.sh"
require openssl gnutls-cli ss sha256sum
make_pki
P=$PKI
SIZE=$((8 * 1024 * 1024))
random_file "$WORK/up" "$SIZE"
random_file "$WORK/down" "$SIZE"
UP=$(sha "$WORK/up")
DOWN=$(sha "$WORK/down")

# check NAME PEER VERSION RC-TLSCAT RC-PEER UP-GOT DOWN-GOT TLSCAT-ERR
check() {
    local name=$1 peer=$2 ver=$3 rct=$4 rcp=$5 upgot=$6 downgot=$7 err=$8 suite
    suite=$(sed -n 's/^tlscat: handshake done: //p' "$err")
    if [ "$rct" -eq 0 ] && [ "$rcp" -eq 0 ] && [ "$(sha "$upgot")" = "$UP" ] &&
        [ "$(sha "$downgot")" = "$DOWN" ]; then
        pass "$name"
        matrix "$peer" "$ver" "bulk: 8 MiB each way, SHA-256 equal" "$suite" pass
    else
        fail "$name" "tlscat rc=$rct peer rc=$rcp; sizes up $(stat -c %s "$upgot") down $(stat -c %s "$downgot")" "$err"
        matrix "$peer" "$ver" "bulk: 8 MiB each way" "$suite" FAIL
    fi
}

# --- tlscat client <-> openssl s_server. s_server -quiet: raw data only on
# stdout, no stdin commands; its stdin stays open (hold_stdin) after the data.
start=$(date +%s)
hold_stdin s_server
bg timeout 60 openssl s_server -quiet -accept 127.0.0.1:0 -naccept 1 \
    -cert "$P/server.pem" -key "$P/server.key" <"$FIFO" >"$WORK/up.got" 2>"$WORK/s_server.err"
SPID=$BG
bg cat "$WORK/down" >"$FIFO"
SPORT=$(listen_port "$SPID") || { fail s_server_bulk "s_server did not start" "$WORK/s_server.err"; finish; }
timeout 60 "$TLSCAT" -v --ca-certs "$P/ca.pem" --server-hostname localhost 127.0.0.1 "$SPORT" \
    < <(WAIT_FILE=$WORK/down.got WAIT_SIZE=$SIZE feed_until "$WORK/up" 2>/dev/null) \
    >"$WORK/down.got" 2>"$WORK/tlscat1.err"
rct=$?
wait_pid "$SPID" 10
rcp=$?
check bulk_openssl_s_server s_server "$OPENSSL_VERSION" "$rct" "$rcp" "$WORK/up.got" \
    "$WORK/down.got" "$WORK/tlscat1.err"
note "s_server bulk: $(($(date +%s) - start)) s"

# --- tlscat --listen <-> gnutls-cli
start=$(date +%s)
V="GnuTLS $(gnutls-cli --version | head -n1 | awk '{print $2}')"
bg timeout 60 "$TLSCAT" -v --listen --port-file "$WORK/port" \
    --certfile "$P/server.pem" --keyfile "$P/server.key" 0 \
    < <(WAIT_FILE=$WORK/up2.got WAIT_SIZE=$SIZE feed_until "$WORK/down" 2>/dev/null) \
    >"$WORK/up2.got" 2>"$WORK/tlscat2.err"
TPID=$BG
wait_file "$WORK/port" || { fail gnutls_bulk "tlscat did not listen" "$WORK/tlscat2.err"; finish; }
timeout 60 gnutls-cli --logfile "$WORK/gnutls-cli.log" --x509cafile "$P/ca.pem" \
    --verify-hostname localhost -p "$(cat "$WORK/port")" 127.0.0.1 \
    < <(WAIT_FILE=$WORK/down2.got WAIT_SIZE=$SIZE feed_until "$WORK/up" 2>/dev/null) \
    >"$WORK/down2.got" 2>"$WORK/gnutls-cli.err"
rcp=$?
wait_pid "$TPID" 10
rct=$?
check bulk_gnutls_cli gnutls-cli "$V" "$rct" "$rcp" "$WORK/up2.got" "$WORK/down2.got" "$WORK/tlscat2.err"
note "gnutls-cli bulk: $(($(date +%s) - start)) s"

finish
