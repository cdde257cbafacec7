#!/usr/bin/env bash
# The firmware test (ctest label "firmware"): build the Cortex-M4 images
# (examples/firmware/build.sh: against mbedtls 3.6 and 2.28, both cached in
# build/deps), then run them
# under QEMU's mps2-an386 as TLS-PSK clients over UART0 against
# `openssl s_server -psk -nocert` and `tlscat --listen`, and print their
# flash (from the link maps), static RAM, heap and stack figures.
#
#   bash tests/firmware/firmware_test.sh TLSCAT FIRMWARE_BUILD_DIR
#
# Every QEMU and peer run is bounded by `timeout`; everything started here
# is killed on exit by its pid. A missing tool fails the test.
TLSCAT=${1:?usage: $0 TLSCAT FIRMWARE_BUILD_DIR}
OUT=${2:?usage: $0 TLSCAT FIRMWARE_BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# WORK, PIDS, pass/fail/finish, bg, listen_port, wait_file, wait_pid
# shellcheck source=../interop/lib.sh
. "$HERE/../interop/lib.sh" "$TLSCAT"
T_PEER=60 # seconds any QEMU or peer run may take (QEMU emulates the M4)
KEY=4f3e2d1c0b0a09080706050403020100
BADKEY=4f3e2d1c0b0a09080706050403020101
ID=fw-client
MESSAGE="hello from a cortex-m4"
PSK=TLS-PSK-WITH-AES-128-GCM-SHA256
CCM=TLS-PSK-WITH-AES-128-CCM
ECDHE=TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256
ST_PEER_ALERT=-28736 # TLS_STREAM_ERR_PEER_ALERT
ST_TIMEOUT=-28707    # TLS_STREAM_ERR_TIMEOUT

require qemu-system-arm openssl arm-none-eabi-gcc arm-none-eabi-size awk timeout ss

# ---- build -----------------------------------------------------------------
start=$(date +%s)
if ! bash "$ROOT/examples/firmware/build.sh" "$OUT" > "$WORK/build.log" 2>&1; then
    fail build "examples/firmware/build.sh failed" "$WORK/build.log"
    exit 1
fi
echo "built the images in $(( $(date +%s) - start )) s"

# ---- peers -----------------------------------------------------------------
# start_openssl LOG: s_server on a port of its choosing (echoes each line
# reversed); sets PEER and PORT.
start_openssl() {
    bg timeout "$T_PEER" openssl s_server -accept 127.0.0.1:0 -nocert -psk "$KEY" \
        -psk_identity "$ID" -cipher 'PSK:ECDHE-PSK' -rev -naccept 1 > "$1" 2>&1
    PEER=$BG
    PORT=$(listen_port "$PEER")
}

# start_tlscat LOG REPLY_FILE: tlscat --listen, sending REPLY_FILE; sets PEER and PORT.
start_tlscat() {
    rm -f "$WORK/port"
    bg timeout "$T_PEER" "$TLSCAT" --listen --psk-file "$WORK/psk.txt" --port-file "$WORK/port" 0 \
        < "$2" > "$1" 2> "$1.err"
    PEER=$BG
    wait_file "$WORK/port" && PORT=$(cat "$WORK/port")
}

# run_fw IMAGE SUITE KEY OUTFILE [GROUP]: the image as a client of
# 127.0.0.1:$PORT; UART1 goes to OUTFILE. Returns QEMU's exit status (the image's).
run_fw() {
    timeout "$T_PEER" qemu-system-arm -M mps2-an386 -display none -monitor none -nographic \
        -serial "tcp:127.0.0.1:$PORT" -serial "file:$4" \
        -semihosting-config "enable=on,target=native,arg=$1,arg=$2,arg=$ID,arg=$3${5:+,arg=$5}" \
        -kernel "$OUT/$1.elf" > "$4.qemu" 2>&1
}

# run_fw_local IMAGE SUITE KEY OUTFILE [MORE_ARGS]: the same with UART0
# connected to nothing (bytes sent are dropped, none ever arrive).
run_fw_local() {
    timeout "$T_PEER" qemu-system-arm -M mps2-an386 -display none -monitor none -nographic \
        -serial null -serial "file:$4" \
        -semihosting-config "enable=on,target=native,arg=$1,arg=$2,arg=$ID,arg=$3${5:+,$5}" \
        -kernel "$OUT/$1.elf" > "$4.qemu" 2>&1
}

field() { sed -n "s/^FW $2 //p" "$1" | head -n 1; }

reversed=
for ((i = ${#MESSAGE} - 1; i >= 0; i--)); do reversed+=${MESSAGE:i:1}; done
printf 'reply from tlscat\n' > "$WORK/reply.txt"
printf '%s:%s\n' "$ID" "$KEY" > "$WORK/psk.txt"
MEASURES=()

# ok_case NAME IMAGE SUITE PEER(openssl|tlscat) [GROUP]
ok_case() {
    local name=$1 image=$2 suite=$3 peer=$4 group=${5:-} fw=$WORK/$1.fw log=$WORK/$1.peer rc expect
    if [ "$peer" = openssl ]; then
        start_openssl "$log" || { fail "$name" "openssl s_server did not start" "$log"; return; }
        expect=$reversed
    else
        start_tlscat "$log" "$WORK/reply.txt" ||
            { fail "$name" "tlscat --listen did not start" "$log.err"; return; }
        expect="reply from tlscat"
    fi
    run_fw "$image" "$suite" "$KEY" "$fw" "$group"
    rc=$?
    wait_pid "$PEER" >/dev/null
    if [ $rc -ne 0 ]; then
        fail "$name" "the image exited with $rc" "$fw" "$fw.qemu" "$log" "$log.err"
    elif [ "$(field "$fw" handshake)" != "ok TLSv1.2 $suite" ]; then
        fail "$name" "handshake line: '$(field "$fw" handshake)'" "$fw"
    elif [ "$(field "$fw" reply)" != "$expect" ]; then
        fail "$name" "reply '$(field "$fw" reply)', expected '$expect'" "$fw" "$log"
    elif [ "$(field "$fw" close)" != ok ] || [ "$(field "$fw" result)" != ok ]; then
        fail "$name" "no clean close" "$fw"
    elif [ "$peer" = openssl ] && ! grep -q "^CONNECTION CLOSED" "$log"; then
        fail "$name" "s_server did not see a clean close" "$log"
    elif [ "$peer" = tlscat ] && [ "$(cat "$log")" != "$MESSAGE" ]; then
        fail "$name" "tlscat received '$(cat "$log")'" "$log" "$log.err"
    elif [ "$(field "$fw" 'heap end')" != "ours=0 mbedtls=0 total=0" ]; then
        fail "$name" "heap not all freed: $(field "$fw" 'heap end')" "$fw"
    else
        pass "$name"
        MEASURES+=("$name|$image|$fw")
    fi
}

# bad_key_case NAME PEER [IMAGE]: the wrong PSK must end in
# TLS_STREAM_ERR_PEER_ALERT (bad_record_mac: the peer cannot decrypt our
# Finished), exit status 1.
bad_key_case() {
    local name=$1 peer=$2 image=${3:-tls_fw} fw=$WORK/$1.fw log=$WORK/$1.peer rc
    if [ "$peer" = openssl ]; then
        start_openssl "$log" || { fail "$name" "openssl s_server did not start" "$log"; return; }
    else
        start_tlscat "$log" "$WORK/reply.txt" ||
            { fail "$name" "tlscat --listen did not start" "$log.err"; return; }
    fi
    run_fw "$image" "$PSK" "$BADKEY" "$fw"
    rc=$?
    wait_pid "$PEER" >/dev/null
    if [ $rc -ne 1 ]; then
        fail "$name" "the image exited with $rc, expected 1" "$fw" "$fw.qemu" "$log"
    elif ! grep -q "^FW result error where=handshake status=$ST_PEER_ALERT .*\"peer alert 20 (bad_record_mac)\"" "$fw"; then
        fail "$name" "not the bad_record_mac alert: $(field "$fw" result)" "$fw" "$log"
    elif [ "$(field "$fw" 'heap end')" != "ours=0 mbedtls=0 total=0" ]; then
        fail "$name" "heap not all freed: $(field "$fw" 'heap end')" "$fw"
    else
        pass "$name"
    fi
}

# features_case NAME IMAGE GROUPS: a PSK-only mbedtls says no to
# certificates, ALPN, the server role, debug output and signature algorithms with
# TLS_STREAM_ERR_UNSUPPORTED (-28691); to (EC)DHE groups too (GROUPS=-28691)
# when it has no elliptic curves, else they are accepted (GROUPS=0).
features_case() {
    local name=$1 fw=$WORK/$1.fw u=-28691 groups=$3 rc
    run_fw_local "$2" - "$KEY" "$fw"
    rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name" "the image exited with $rc" "$fw" "$fw.qemu"
    elif [ "$(field "$fw" features)" != "add_ca=$u set_cert=$u set_key=$u alpn=$u server=$u debug=$u sigalgs=$u groups=$groups" ]; then
        fail "$name" "got: $(field "$fw" features)" "$fw"
    elif [ "$(field "$fw" 'heap end')" != "ours=0 mbedtls=0 total=0" ]; then
        fail "$name" "heap not all freed: $(field "$fw" 'heap end')" "$fw"
    else
        pass "$name"
    fi
}

# silent_peer_case: nobody answers the ClientHello; with a 2 s timeout the
# handshake must end in TLS_STREAM_ERR_TIMEOUT, not hang.
silent_peer_case() {
    local fw=$WORK/silent.fw rc t0 t1
    t0=$(date +%s)
    run_fw_local tls_fw "$PSK" "$KEY" "$fw" "arg=-,arg=2000"
    rc=$?
    t1=$(date +%s)
    if [ $rc -ne 1 ]; then
        fail silent_peer "the image exited with $rc, expected 1" "$fw" "$fw.qemu"
    elif ! grep -q "^FW result error where=handshake status=$ST_TIMEOUT " "$fw"; then
        fail silent_peer "not a timeout: $(field "$fw" result)" "$fw"
    elif [ $((t1 - t0)) -gt 20 ]; then
        fail silent_peer "took $((t1 - t0)) s for a 2 s timeout" "$fw"
    elif [ "$(field "$fw" 'heap end')" != "ours=0 mbedtls=0 total=0" ]; then
        fail silent_peer "heap not all freed: $(field "$fw" 'heap end')" "$fw"
    else
        pass silent_peer
    fi
}

M228=mbedtls-2.28/tls_fw # the same image against Debian 12's mbedtls 2.28
PLAIN=psk-plain/tls_fw   # 3.6 without ECDHE (mbedtls_config_psk_plain.h)
features_case features tls_fw_features 0
silent_peer_case
ok_case openssl_psk_gcm tls_fw "$PSK" openssl
ok_case openssl_ecdhe_x25519 tls_fw "$ECDHE" openssl x25519
ok_case openssl_ecdhe_p256 tls_fw "$ECDHE" openssl secp256r1
ok_case openssl_psk_gcm_nomsg tls_fw_nomsg "$PSK" openssl
ok_case openssl_ecdhe_x25519_nomsg tls_fw_nomsg "$ECDHE" openssl x25519
ok_case openssl_psk_ccm_nomsg tls_fw_nomsg "$CCM" openssl
ok_case tlscat_psk_gcm tls_fw "$PSK" tlscat
ok_case tlscat_ecdhe_p256 tls_fw "$ECDHE" tlscat secp256r1
bad_key_case openssl_wrong_key openssl
bad_key_case tlscat_wrong_key tlscat
features_case features_228 "${M228}_features" 0
features_case features_plain "${PLAIN}_features" -28691
ok_case openssl_psk_gcm_plain "$PLAIN" "$PSK" openssl
ok_case tlscat_psk_ccm_plain "$PLAIN" "$CCM" tlscat
ok_case openssl_psk_gcm_228 "$M228" "$PSK" openssl
ok_case openssl_ecdhe_x25519_228 "$M228" "$ECDHE" openssl x25519
ok_case tlscat_psk_ccm_228 "$M228" "$CCM" tlscat
bad_key_case openssl_wrong_key_228 openssl "$M228"

# ---- figures ---------------------------------------------------------------
# Printed, and kept in OUT/figures.txt (docs/performance.md is made from it).
figures() {
    echo
    echo "== flash and static RAM by layer (bytes, from the link maps, --gc-sections)"
    for image in tls_fw tls_fw_nomsg mbedtls-2.28/tls_fw mbedtls-2.28/tls_fw_nomsg \
        psk-plain/tls_fw psk-plain/tls_fw_nomsg; do
        echo "-- $image ($(case $image in *nomsg) echo TLS_STREAM_NO_MESSAGES=1 ;; *) echo with messages ;; esac)," \
            "mbedtls $(case $image in mbedtls-2.28/*) echo 2.28 ;; psk-plain/*) echo 3.6 without ECDHE ;; *) echo 3.6 ;; esac))"
        awk -f "$HERE/map_layers.awk" "$OUT/$image.map" | sed 's/^LAYER /  /'
        ussl=$(arm-none-eabi-size -t "$OUT/$(dirname "$image")/lib$(basename "$image")_ussl.a" |
            awk '$NF == "(TOTALS)" {print $1 + $2}')
        echo "  ussl (not linked: this C client does not use it) objects text+data=$ussl"
    done
    echo
    echo "== heap (bytes, through the allocator hooks) and stack, per connection"
    echo "(idle: after the handshake; hs-peak: most at once up to the end of the handshake,"
    echo " ours / mbedtls's / both; peak: the whole connection; arena: what malloc took from"
    echo " the heap region, its overhead included; stack: high-water, bytes)"
    printf '%-26s %-20s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n' case image idle-o idle-m idle hs-o hs-m hs-peak peak arena stack
    for m in "${MEASURES[@]}"; do
        IFS='|' read -r name image fw <<< "$m"
        idle=$(field "$fw" 'heap idle')
        hs=$(field "$fw" 'heap handshake-peak')
        pk=$(field "$fw" 'heap peak')
        st=$(field "$fw" stack)
        printf '%-26s %-20s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n' "$name" "$image" \
            "$(echo "$idle" | sed 's/.*ours=\([0-9]*\).*/\1/')" \
            "$(echo "$idle" | sed 's/.*mbedtls=\([0-9]*\).*/\1/')" \
            "$(echo "$idle" | sed 's/.*total=\([0-9]*\).*/\1/')" \
            "$(echo "$hs" | sed 's/.*ours=\([0-9]*\).*/\1/')" \
            "$(echo "$hs" | sed 's/.*mbedtls=\([0-9]*\).*/\1/')" \
            "$(echo "$hs" | sed 's/.*total=\([0-9]*\).*/\1/')" \
            "$(echo "$pk" | sed 's/.*total=\([0-9]*\).*/\1/')" \
            "$(field "$fw" malloc-arena)" \
            "$(echo "$st" | sed 's/used=\([0-9]*\).*/\1/')"
    done
    echo "static RAM (.data+.bss, without the heap and stack reserves): $(field "$WORK/openssl_psk_gcm.fw" static-ram) bytes"
}
figures | tee "$OUT/figures.txt"
echo
echo "took $(( $(date +%s) - start )) s"
finish
