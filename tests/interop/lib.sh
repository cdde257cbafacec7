# Shared helpers of the interop scripts (sourced, not run).
#
#   TLSCAT     path of the tlscat binary (first argument of every script)
#   WORK       a private temporary folder, removed on exit
#   PKI        $WORK/pki: made by make_pki
#
# Every peer runs under `timeout`; every wait is bounded; everything started
# here is killed on exit by its pid. A missing peer binary fails the test.
# Each case prints "PASS name" or "FAIL name: why", and a matrix row
# "MATRIX|peer|version|mode|suite|result" that docs/interop.md is made from.

set -u
TLSCAT=${1:?usage: $0 path/to/tlscat}
[ -x "$TLSCAT" ] || { echo "FAIL: tlscat not executable: $TLSCAT"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tls_interop.XXXXXX")
PKI=$WORK/pki
PIDS=()
FAILS=0
CASES=0
T_PEER=10   # seconds any single peer or tlscat run may take

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# TLSCAT_BACKEND=mbedtls|openssl: every tlscat run uses that backend (a
# wrapper in $WORK adds --backend; tests/interop/CMakeLists.txt runs each
# script once per backend).
if [ -n "${TLSCAT_BACKEND:-}" ]; then
    printf '#!/bin/sh\nexec "%s" --backend "%s" "$@"\n' "$TLSCAT" "$TLSCAT_BACKEND" >"$WORK/tlscat"
    chmod +x "$WORK/tlscat"
    "$WORK/tlscat" --backend "$TLSCAT_BACKEND" --help >/dev/null ||
        { echo "FAIL: tlscat has no backend '$TLSCAT_BACKEND'"; exit 1; }
    TLSCAT=$WORK/tlscat
    echo "tlscat backend: $TLSCAT_BACKEND"
fi

# is_openssl: tlscat runs on the OpenSSL backend, which negotiates TLS 1.3
# with peers that offer it (the mbedtls backend stays on TLS 1.2).
is_openssl() { [ "${TLSCAT_BACKEND:-mbedtls}" = openssl ]; }

# require BIN...: a missing peer is a failure, never a skip.
require() {
    local b
    for b in "$@"; do
        if ! command -v "$b" >/dev/null 2>&1; then
            echo "FAIL: required peer binary '$b' not found (install it: see .ci/quickstart)"
            exit 1
        fi
    done
}

note() { printf '%s\n' "$*"; }

# pass NAME / fail NAME WHY [FILES to show]
pass() { CASES=$((CASES + 1)); note "PASS $1"; }
fail() {
    local name=$1 why=$2 f
    shift 2
    CASES=$((CASES + 1))
    FAILS=$((FAILS + 1))
    note "FAIL $name: $why"
    for f in "$@"; do
        [ -f "$f" ] || continue
        note "---- $(basename "$f") (last 15 lines)"
        tail -n 15 "$f" | cat -v
    done
}

# matrix PEER VERSION MODE SUITE RESULT
matrix() { note "MATRIX|$1|$2|$3|$4|$5"; }

finish() {
    note "$CASES cases, $FAILS failed"
    [ "$FAILS" -eq 0 ]
    exit $?
}

# ---- PKI -----------------------------------------------------------------

eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# make_pki: ca (trusted), server (localhost), client, wrongname (CN/SAN
# other.example), other_ca + untrusted (localhost by other_ca), expired
# (localhost, 2000-2001), PSK table. All in $PKI.
make_pki() {
    local d=$PKI serial=100
    mkdir -p "$d"
    cat >"$d/ext_server" <<'X'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
X
    cat >"$d/ext_wrong" <<'X'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
X
    cat >"$d/ext_client" <<'X'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
X
    mkca() {
        eckey "$d/$1.key"
        openssl req -new -x509 -sha256 -key "$d/$1.key" -subj "/O=tls_stream interop/CN=$2" \
            -days 30 -set_serial $((serial++)) -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$d/$1.pem" 2>/dev/null
    }
    issue() { # NAME CN ISSUER EXT
        eckey "$d/$1.key"
        openssl req -new -sha256 -key "$d/$1.key" -subj "/O=tls_stream interop/CN=$2" \
            -out "$d/$1.csr" 2>/dev/null
        openssl x509 -req -sha256 -in "$d/$1.csr" -CA "$d/$3.pem" -CAkey "$d/$3.key" \
            -set_serial $((serial++)) -days 30 -extfile "$d/ext_$4" -out "$d/$1.pem" 2>/dev/null
    }
    mkca ca "interop CA" &&
    issue server localhost ca server &&
    issue client client1 ca client &&
    issue wrongname other.example ca wrong &&
    mkca other_ca "untrusted CA" &&
    issue untrusted localhost other_ca server &&
    issue untrusted_client client1 other_ca client || { echo "FAIL: PKI"; exit 1; }
    # expired: only "openssl ca" sets dates in the past (OpenSSL 3.0)
    eckey "$d/expired.key"
    openssl req -new -sha256 -key "$d/expired.key" -subj "/O=tls_stream interop/CN=localhost" \
        -out "$d/expired.csr" 2>/dev/null
    : >"$d/index.txt"
    printf '%04X\n' $((serial++)) >"$d/serial"
    cat >"$d/ca.cnf" <<X
[ ca ]
default_ca = c
[ c ]
database = $d/index.txt
serial = $d/serial
new_certs_dir = $d
default_md = sha256
policy = p
copy_extensions = none
unique_subject = no
[ p ]
organizationName = optional
commonName = supplied
[ ext_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
X
    openssl ca -batch -notext -config "$d/ca.cnf" -cert "$d/ca.pem" -keyfile "$d/ca.key" \
        -startdate 20000101000000Z -enddate 20010101000000Z -extensions ext_server \
        -in "$d/expired.csr" -out "$d/expired.pem" >/dev/null 2>&1 ||
        { echo "FAIL: PKI (expired)"; exit 1; }
    PSK_ID=client1
    PSK_KEY=$(openssl rand -hex 16)
    PSK_WRONG=$(openssl rand -hex 16)
    printf '# identity:hexkey\n%s:%s\nclient2:%s\n' "$PSK_ID" "$PSK_KEY" \
        "$(openssl rand -hex 32)" >"$d/psk.txt"
}

# ---- processes and ports ------------------------------------------------

# bg CMD...: run in the background, remember the pid in $BG.
bg() {
    "$@" 0<&0 & # explicit: an async command would get /dev/null
    BG=$!
    PIDS+=("$BG")
}

# listen_port PID: the TCP port process PID (or its child) listens on.
# Waits up to 10 s. Race free: the peer binds port 0, we read the port.
listen_port() {
    local pid=$1 i port kids
    for i in $(seq 1 100); do
        kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')
        for p in $pid $kids; do
            port=$(ss -ltnpH 2>/dev/null | grep "pid=$p," | head -n1 |
                awk '{print $4}' | sed 's/.*://')
            if [ -n "$port" ]; then
                echo "$port"
                return 0
            fi
        done
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# wait_file PATH: wait up to 10 s for a non-empty file.
wait_file() {
    local i
    for i in $(seq 1 100); do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# wait_pid PID [SECONDS]: wait for a background process, bounded; its status.
wait_pid() {
    local pid=$1 limit=${2:-$T_PEER} i
    for i in $(seq 1 $((limit * 10))); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"
            return $?
        fi
        sleep 0.1
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 124
}

# free_port: a TCP port nobody listens on (for peers that cannot bind 0).
free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$((20000 + RANDOM % 40000))
        ss -ltnH "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}

# hold_stdin NAME: a fifo whose writer stays open until the test ends (for
# openssl s_server, which stops serving when stdin ends). Sets FIFO.
hold_stdin() {
    FIFO=$WORK/$1.stdin
    mkfifo "$FIFO"
    sleep 120 >"$FIFO" 2>/dev/null &
    PIDS+=("$!")
}

# TLS_STREAM_NO_MESSAGES=1 (set by tests/interop/CMakeLists.txt for such a
# build): the library's texts are empty, its status codes are not.
NO_MESSAGES=${TLS_STREAM_NO_MESSAGES:-0}

# reason_status REASON: the status (tls_stream/error.h, as tlscat prints it:
# "[status -0x7030]") that a refusal with the text REASON comes with.
reason_status() {
    case $1 in
    untrusted) echo "-0x7030" ;;                    # TLS_STREAM_ERR_VERIFY
    "host name mismatch") echo "-0x7031" ;;         # TLS_STREAM_ERR_HOSTNAME
    expired) echo "-0x7032" ;;                      # TLS_STREAM_ERR_CERT_EXPIRED
    "peer sent no certificate") echo "-0x7033" ;;   # TLS_STREAM_ERR_NO_PEER_CERT
    "unknown PSK identity") echo "-0x7034" ;;       # TLS_STREAM_ERR_PSK_IDENTITY
    "fatal alert" | bad_record_mac | handshake_failure | unrecognized_name | certificate_required)
        echo "-0x7040" ;;                           # TLS_STREAM_ERR_PEER_ALERT
    "message MAC failed" | "bad record mac")        # (mbedtls's text | OpenSSL's)
        echo "-0x7042" ;;                           # TLS_STREAM_ERR_PROTOCOL
    "this backend has no TLS 1.3") echo "-0x7013" ;; # TLS_STREAM_ERR_UNSUPPORTED
    *) return 1 ;;
    esac
}

# expect_rc NAME WANT GOT [ERRFILE REASON]: check an exit code and stderr:
# tlscat's error line has REASON's status and (unless NO_MESSAGES) its text.
expect_rc() {
    local name=$1 want=$2 got=$3 errf=${4:-} sub=${5:-} status
    if [ "$got" -ne "$want" ]; then
        fail "$name" "exit $got, expected $want" "$errf"
        return 1
    fi
    [ -n "$sub" ] || return 0
    if ! status=$(reason_status "$sub"); then
        fail "$name" "no status known for the reason '$sub' (lib.sh: reason_status)"
        return 1
    fi
    if ! grep -qF -- "[status $status]" "$errf"; then
        fail "$name" "stderr lacks '[status $status]' ($sub)" "$errf"
        return 1
    fi
    if [ "$NO_MESSAGES" != 1 ] && ! grep -qF -- "$sub" "$errf"; then
        fail "$name" "stderr lacks '$sub'" "$errf"
        return 1
    fi
    return 0
}

# ---- tlscat as the server (server_*.sh) ----------------------------------

# server_case NAME MODE WANT-RC REASON TLSCAT-ARGS -- CLIENT-ARGS
# tlscat --listen serves on port 0 (--port-file), sends "from server NAME"
# and ends its input only once the client's line arrived (TLS 1.2 closes both
# directions at once). The calling script sets PEER and V (the matrix's peer
# and version) and defines run_client NAME PORT CLIENT-ARGS: the peer
# connects to 127.0.0.1:PORT, sends "from client NAME" and prints what it
# receives (stdout goes to $WORK/NAME.cli.out, stderr to $WORK/NAME.cli.err;
# it may log to $WORK/NAME.cli.log).
server_case() {
    local name=$1 mode=$2 want=$3 reason=$4 targs=() sgot
    shift 4
    while [ "$1" != "--" ]; do targs+=("$1"); shift; done
    shift
    local pf=$WORK/$name.port sout=$WORK/$name.srv.out serr=$WORK/$name.srv.err
    local cout=$WORK/$name.cli.out
    printf 'from server %s\n' "$name" >"$WORK/$name.smsg"
    bg timeout 15 "$TLSCAT" -v --listen --port-file "$pf" "${targs[@]}" 0 \
        < <(WAIT_FILE=$sout WAIT_TEXT="from client $name" WAIT_SIZE= \
            feed_until "$WORK/$name.smsg" 2>/dev/null) >"$sout" 2>"$serr"
    local tpid=$BG
    wait_file "$pf" || { fail "$name" "tlscat did not listen" "$serr"; return; }
    run_client "$name" "$(cat "$pf")" "$@" >"$cout" 2>"$WORK/$name.cli.err"
    wait_pid "$tpid"
    local rc=$?
    if ! expect_rc "$name" "$want" "$rc" "$serr" "$reason"; then
        matrix "$PEER" "$V" "$mode" - FAIL
        return
    fi
    if [ "$want" -eq 0 ]; then
        if grep -qF "from client $name" "$sout" && grep -qF "from server $name" "$cout"; then
            sgot=$(sed -n 's/^tlscat: handshake done: //p' "$serr")
            pass "$name"
            matrix "$PEER" "$V" "$mode" "$sgot" pass
        else
            fail "$name" "data lost" "$sout" "$cout" "$WORK/$name.cli.log" \
                "$WORK/$name.cli.err" "$serr"
            matrix "$PEER" "$V" "$mode" - FAIL
        fi
    else
        pass "$name"
        matrix "$PEER" "$V" "$mode" - "refused ($reason)"
    fi
}

# gnutls_client NAME PORT ARGS: a run_client for server_case: gnutls-cli ends
# its input only once the server's line arrived.
gnutls_client() {
    local name=$1 port=$2
    shift 2
    printf 'from client %s\n' "$name" >"$WORK/$name.cmsg"
    timeout "$T_PEER" gnutls-cli --logfile "$WORK/$name.cli.log" -p "$port" "$@" 127.0.0.1 \
        < <(WAIT_FILE=$WORK/$name.cli.out WAIT_TEXT="from server $name" WAIT_SIZE= \
            feed_until "$WORK/$name.cmsg" 2>/dev/null)
}

random_file() { head -c "$2" /dev/urandom >"$1"; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }

OPENSSL_VERSION=$(openssl version 2>/dev/null | awk '{print $1" "$2}')

# feed_until FILE... | : print each argument file, then wait (up to 20 s)
# until $WAIT_FILE holds $WAIT_SIZE bytes or the text $WAIT_TEXT. Used as a
# peer's stdin so that its end of file (and so its close_notify) comes only
# after it has received everything: TLS 1.2 closes both directions at once.
feed_until() {
    local f i
    for f in "$@"; do cat "$f"; done
    for i in $(seq 1 200); do
        [ -d "$WORK" ] || return 0 # the test ended
        if [ -n "${WAIT_SIZE:-}" ]; then
            [ "$(stat -c %s "$WAIT_FILE" 2>/dev/null || echo 0)" -ge "$WAIT_SIZE" ] && return 0
        elif grep -qF -- "$WAIT_TEXT" "$WAIT_FILE" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
}

# ---- mosquitto -----------------------------------------------------------

# psk_broker PSK_FILE_TEXT: start mosquitto on loopback with a psk_file
# listener ("identity:hexkey" lines; identities become user names). Sets
# BROKER (its folder), PORT, BPID and BLOG (its log). Started as root,
# mosquitto drops to the "mosquitto" user, which must be able to read its
# configuration and psk_file (interop-notes).
psk_broker() {
    local try
    chmod 755 "$WORK"
    BROKER=$WORK/broker
    mkdir -m 755 "$BROKER"
    printf '%s\n' "$1" >"$BROKER/psk_file"
    chmod 644 "$BROKER/psk_file"
    for try in 1 2 3 4 5; do
        PORT=$(free_port) || break
        cat >"$BROKER/mosquitto.conf" <<X
per_listener_settings false
allow_anonymous true
persistence false
log_dest stderr
log_type all
listener $PORT 127.0.0.1
psk_hint tls_stream
psk_file $BROKER/psk_file
use_identity_as_username true
X
        chmod 644 "$BROKER/mosquitto.conf"
        bg timeout 60 mosquitto -c "$BROKER/mosquitto.conf" 2>"$BROKER/log.$try"
        BPID=$BG
        BLOG=$BROKER/log.$try
        for _ in $(seq 1 50); do
            ss -ltnH "sport = :$PORT" | grep -q . && return 0
            kill -0 "$BPID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$BPID" 2>/dev/null
    done
    fail broker "mosquitto did not start" "$BLOG"
    finish
}

# psk_subscriber IDENTITY HEXKEY TOPIC: one message, bounded, into $WORK/sub.out;
# returns once the broker acknowledged the subscription. Sets SUBPID.
psk_subscriber() {
    bg timeout 20 mosquitto_sub -h 127.0.0.1 -p "$PORT" --psk "$2" --psk-identity "$1" -i "$1" \
        -t "$3" -C 1 -W 15 >"$WORK/sub.out" 2>"$WORK/sub.err"
    SUBPID=$BG
    for _ in $(seq 1 100); do
        grep -q "Sending SUBACK to $1" "$BLOG" 2>/dev/null && return 0
        sleep 0.1
    done
    fail subscribe "mosquitto_sub did not subscribe" "$WORK/sub.err" "$BLOG"
}
