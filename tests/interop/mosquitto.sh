#!/usr/bin/env bash
# examples/mqtt_psk against a real mosquitto broker on loopback with a
# psk_file listener: the publish reaches mosquitto_sub; a wrong key is refused.
#   mosquitto.sh path/to/tlscat path/to/mqtt_psk
source "$(dirname "$0")/lib.sh"
MQTT_PSK=${2:?usage: $0 tlscat mqtt_psk}
[ -x "$MQTT_PSK" ] || { echo "FAIL: mqtt_psk not executable: $MQTT_PSK"; exit 1; }
require mosquitto mosquitto_sub openssl ss
make_pki
V="mosquitto $(mosquitto -h 2>/dev/null | head -n1 | awk '{print $3}')"
note "peer: $V"

SUB_KEY=$(openssl rand -hex 16)
psk_broker "$(printf '%s:%s\nsub1:%s\n' "$PSK_ID" "$PSK_KEY" "$SUB_KEY")"

# publish IDENT HEXKEY MESSAGE: the mqtt_psk example's command line
# (mqtt_psk HOST PORT TOPIC MESSAGE --psk-ident ID --psk-key HEX; exit 3 = TLS failed).
publish() {
    timeout "$T_PEER" "$MQTT_PSK" 127.0.0.1 "$PORT" tls_stream/interop "$3" \
        --psk-ident "$1" --psk-key "$2" >"$WORK/pub.out" 2>"$WORK/pub.err"
}

psk_subscriber sub1 "$SUB_KEY" tls_stream/interop
MSG="hello from mqtt_psk $$"
publish "$PSK_ID" "$PSK_KEY" "$MSG"
rc=$?
wait_pid "$SUBPID" 15
if [ "$rc" -eq 0 ] && [ "$(cat "$WORK/sub.out")" = "$MSG" ]; then
    pass mqtt_psk_publish
    matrix mosquitto "$V" "mqtt_psk publish over PSK, mosquitto_sub receives" "PSK (broker's choice)" pass
else
    fail mqtt_psk_publish "publish rc=$rc, subscriber got '$(cat "$WORK/sub.out")'" \
        "$WORK/pub.out" "$WORK/pub.err" "$WORK/sub.err" "$BLOG"
    matrix mosquitto "$V" "mqtt_psk publish over PSK" - FAIL
fi

publish "$PSK_ID" "$PSK_WRONG" "must not arrive"
rc=$?
if [ "$rc" -eq 3 ]; then
    pass mqtt_psk_wrong_key
    matrix mosquitto "$V" "mqtt_psk, wrong PSK key" - "refused (exit $rc)"
else
    fail mqtt_psk_wrong_key "exit $rc, expected 3 (TLS failed)" "$WORK/pub.err" "$BLOG"
    matrix mosquitto "$V" "mqtt_psk, wrong PSK key" - FAIL
fi

# the broker really checks keys: mosquitto_sub with a wrong key fails too
timeout 10 mosquitto_sub -h 127.0.0.1 -p "$PORT" --psk "$PSK_WRONG" --psk-identity sub1 -i sub1 \
    -t x -C 1 -W 3 >/dev/null 2>&1
rc=$?
[ "$rc" -ne 0 ] && pass broker_refuses_wrong_key || fail broker_refuses_wrong_key "mosquitto_sub exit $rc"

finish
