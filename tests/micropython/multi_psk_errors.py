# TLS-PSK failures in MicroPython's multi_net style: each case fails on
# both sides with an exception (none hangs), and PSK never falls back to
# certificates or the reverse:
#   wrong key, unknown identity, .get() returning a non-key,
#   PSK client vs certificate-only server (the client also trusts its CA),
#   certificate client vs PSK-only server.
try:
    import socket
    import tls
except ImportError:
    print("SKIP")
    raise SystemExit

PORT = 8000
KEY = bytes(range(16))

with open("../certs/server.der", "rb") as f:
    CERT = f.read()
with open("../certs/server.key.der", "rb") as f:
    CERT_KEY = f.read()
with open("../certs/ca.der", "rb") as f:
    CA = f.read()


class BadKeys:
    def get(self, identity):
        return 42  # not a key: the identity is refused


# name, server's PSK keys (None: a certificate server), client (identity, key) or None (certificates)
CASES = (
    ("wrong key", {b"id": KEY}, (b"id", b"\x00" * 16)),
    ("unknown identity", {b"id": KEY}, (b"nobody", KEY)),
    ("bad get", BadKeys(), (b"id", KEY)),
    ("psk client, cert server", None, (b"id", KEY)),
    ("cert client, psk server", {b"id": KEY}, None),
)


def report(side, name, e):
    # the server's reason is deterministic; the client may see the server's
    # alert or, if the server closed first, the socket's error
    if side == "server":
        print(side, name, type(e).__name__, e.args)
    else:
        print(side, name, type(e).__name__)


# Server
def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo("0.0.0.0", PORT)[0][-1])
    s.listen(1)
    multitest.next()
    for name, keys, _ in CASES:
        s2, _ = s.accept()
        ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
        if keys is None:
            ctx.load_cert_chain(CERT, CERT_KEY)
        else:
            ctx.server_psk_keys = keys
        try:
            s3 = ctx.wrap_socket(s2, server_side=True)
            print("server", name, "connected:", s3.read(4))
            s3.close()
        except Exception as e:
            report("server", name, e)
        s2.close()
        multitest.broadcast(name)
    s.close()


# Client
def instance1():
    multitest.next()
    for name, _, psk in CASES:
        s = socket.socket()
        s.connect(socket.getaddrinfo(IP, PORT)[0][-1])
        ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(CA)
        if psk is not None:
            ctx.psk_identity, ctx.psk_key = psk
        try:
            s2 = ctx.wrap_socket(s, server_hostname="localhost")
            s2.write(b"data")
            print("client", name, "connected:", s2.read(4))
            s2.close()
        except Exception as e:
            report("client", name, e)
        s.close()
        multitest.wait(name)
