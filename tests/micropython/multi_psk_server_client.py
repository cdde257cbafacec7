# TLS-PSK in MicroPython's multi_net style (MicroPython 1.25 has no PSK
# tests): a PSK client (psk_identity, psk_key) and a PSK server
# (server_psk_keys) exchange data, with the server's keys in a dict, in an
# object with .get(identity), and with a binary (non-UTF-8) identity.
try:
    import socket
    import tls
except ImportError:
    print("SKIP")
    raise SystemExit

PORT = 8000
KEY = bytes(range(16))


class Keys:
    # any object with .get(identity) -> key or None
    def get(self, identity):
        print("get", identity)
        return KEY if identity == b"object" else None


CASES = (
    ("dict", b"micropython", {b"micropython": KEY, b"other": b"x" * 16}),
    ("get", b"object", Keys()),
    ("binary", b"\xff\xfe\xfd", {b"\xff\xfe\xfd": KEY}),
)


# Server
def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo("0.0.0.0", PORT)[0][-1])
    s.listen(1)
    multitest.next()
    for name, _, keys in CASES:
        s2, _ = s.accept()
        ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
        ctx.server_psk_keys = keys
        s2 = ctx.wrap_socket(s2, server_side=True)
        print(name, s2.read(16), "PSK" in s2.cipher()[0])
        s2.write(b"server to client")
        s2.close()
    s.close()


# Client
def instance1():
    multitest.next()
    for name, identity, _ in CASES:
        s = socket.socket()
        s.connect(socket.getaddrinfo(IP, PORT)[0][-1])
        ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
        ctx.psk_identity = identity
        ctx.psk_key = KEY
        # no server_hostname needed: the key authenticates the server
        s = ctx.wrap_socket(s)
        s.write(b"client to server")
        print(name, s.read(16), s.getpeercert(True))
        s.close()
