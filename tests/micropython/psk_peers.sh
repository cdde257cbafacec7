#!/usr/bin/env bash
# MicroPython (our tls module, unix port) against real PSK peers on loopback:
#   - openssl s_server -psk: the legacy ussl.wrap_socket(psk_ident, psk_key)
#     and tls.SSLContext's psk_identity/psk_key, each echoing a line; and a
#     non-blocking socket with select.poll;
#   - Ctrl-C (SIGINT) during a blocking read raises KeyboardInterrupt and
#     the connection still works afterwards;
#   - the mqtt_psk shape: publish over TLS-PSK to mosquitto with a psk_file
#     listener, received by mosquitto_sub; a wrong key is refused.
#   psk_peers.sh path/to/micropython
source "$(dirname "$0")/../interop/lib.sh"
MPY=$TLSCAT
require openssl mosquitto mosquitto_sub ss
ID=micropython
KEY=$(openssl rand -hex 16)
WRONG=$(openssl rand -hex 16)

# mpy NAME SCRIPT: run a MicroPython script in $WORK (not where a folder
# could shadow a module), bounded; output in $WORK/NAME.out
mpy() {
    (cd "$WORK" && timeout "$T_PEER" "$MPY" -c "$2") >"$WORK/$1.out" 2>&1
}

# ---- openssl s_server -psk ------------------------------------------------
# $1: how the client sets its PSK (a Python statement making ss from s)
openssl_case() {
    local name=$1 wrap=$2 port
    hold_stdin "$name"
    bg timeout "$T_PEER" openssl s_server -accept 0 -naccept 1 -nocert -rev \
        -psk "$KEY" -psk_identity "$ID" <"$FIFO" >"$WORK/$name.srv" 2>&1
    port=$(listen_port "$BG") || { fail "$name" "s_server did not listen" "$WORK/$name.srv"; return; }
    mpy "$name" "
import socket, binascii, tls, ussl
s = socket.socket()
s.connect(socket.getaddrinfo('127.0.0.1', $port)[0][-1])
$wrap
ss.write(b'hello psk\n')
print(ss.readline())
print('PSK' in ss.cipher()[0])
ss.close()
"
    if [ "$(cat "$WORK/$name.out")" = "$(printf "b'ksp olleh\\\\n'\nTrue")" ]; then
        pass "$name"
    else
        fail "$name" "unexpected output" "$WORK/$name.out" "$WORK/$name.srv"
    fi
}
openssl_case openssl_psk_ussl \
    "ss = ussl.wrap_socket(s, psk_ident='$ID', psk_key=binascii.unhexlify(b'$KEY'))"
openssl_case openssl_psk_nonblocking "
import select
s.setblocking(False)
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.psk_identity = b'$ID'
ctx.psk_key = binascii.unhexlify(b'$KEY')
ss = ctx.wrap_socket(s)  # non-blocking socket: the handshake loops in wrap_socket
class Lines:  # readline over a non-blocking socket, waiting with select.poll
    def __init__(self, ss):
        self.ss, self.p = ss, select.poll()
        self.p.register(ss, select.POLLIN)
    def readline(self):
        line = b''
        while not line.endswith(b'\\n'):
            self.p.poll(2000)
            r = self.ss.read(64)
            if r:
                line += r
        return line
    def write(self, b):
        return self.ss.write(b)
    def close(self):
        self.ss.close()
    def cipher(self):
        return self.ss.cipher()
ss = Lines(ss)"
openssl_case openssl_psk_sslcontext "
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.psk_identity = b'$ID'
ctx.psk_key = binascii.unhexlify(b'$KEY')
ss = ctx.wrap_socket(s)"

# ---- Ctrl-C during a blocking read: KeyboardInterrupt, the session lives on
hold_stdin sigint
bg timeout "$T_PEER" openssl s_server -accept 0 -naccept 1 -nocert -rev \
    -psk "$KEY" -psk_identity "$ID" <"$FIFO" >"$WORK/sigint.srv" 2>&1
port=$(listen_port "$BG")
bg timeout "$T_PEER" "$MPY" -c "
import socket, binascii, tls
s = socket.socket()
s.connect(socket.getaddrinfo('127.0.0.1', $port)[0][-1])
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.psk_identity = b'$ID'
ctx.psk_key = binascii.unhexlify(b'$KEY')
ss = ctx.wrap_socket(s)
print('reading')
try:
    ss.read(5)  # the server sends nothing: blocks until Ctrl-C
except KeyboardInterrupt:
    print('KeyboardInterrupt')
ss.write(b'after\n')
print(ss.readline())
ss.close()
" >"$WORK/sigint.out" 2>&1
MPID=$BG
wait_file "$WORK/sigint.out" && sleep 0.5
# to micropython itself: timeout would pass a signal on twice (child and group)
kill -INT "$(pgrep -P "$MPID")" 2>/dev/null
wait_pid "$MPID" 5
if [ "$(sed -n 2p "$WORK/sigint.out")" = KeyboardInterrupt ] &&
    [ "$(sed -n 3p "$WORK/sigint.out")" = "b'retfa\n'" ]; then
    pass ctrl_c_interrupts_read_session_survives
else
    fail ctrl_c_interrupts_read_session_survives "unexpected output" "$WORK/sigint.out" "$WORK/sigint.srv"
fi

# ---- mosquitto with a psk_file listener (the mqtt_psk shape) --------------
SUB_KEY=$(openssl rand -hex 16)
psk_broker "$(printf '%s:%s\nsub1:%s\n' "$ID" "$KEY" "$SUB_KEY")"

# publish HEXKEY MESSAGE: MQTT CONNECT, CONNACK, PUBLISH (QoS 0), DISCONNECT
publish() {
    mpy publish "
import socket, binascii, ussl
def field(b):
    return len(b).to_bytes(2, 'big') + b
def packet(kind, body):
    return bytes((kind, len(body))) + body
s = socket.socket()
s.connect(socket.getaddrinfo('127.0.0.1', $PORT)[0][-1])
try:
    ss = ussl.wrap_socket(s, psk_ident='$ID', psk_key=binascii.unhexlify(b'$1'))
except OSError as e:
    print('TLS failed', e)
    raise SystemExit
ss.write(packet(0x10, field(b'MQTT') + b'\x04\x02\x00\x3c' + field(b'$ID')))
print('connack', ss.read(4))
ss.write(packet(0x30, field(b'tls_stream/micropython') + b'$2'))
ss.write(b'\xe0\x00')
ss.close()
"
}

psk_subscriber sub1 "$SUB_KEY" tls_stream/micropython
MSG="hello from micropython $$"
publish "$KEY" "$MSG"
wait_pid "$SUBPID" 15
if grep -q "connack b' \\\\x02\\\\x00\\\\x00'" "$WORK/publish.out" && [ "$(cat "$WORK/sub.out")" = "$MSG" ]; then
    pass mqtt_psk_publish
else
    fail mqtt_psk_publish "subscriber got '$(cat "$WORK/sub.out")'" "$WORK/publish.out" "$WORK/sub.err" "$BLOG"
fi

publish "$WRONG" "must not arrive"
if grep -q "^TLS failed" "$WORK/publish.out"; then
    pass mqtt_psk_wrong_key
else
    fail mqtt_psk_wrong_key "the wrong key was not refused" "$WORK/publish.out" "$BLOG"
fi
finish
