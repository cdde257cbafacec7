# MicroPython's multi_net/sslcontext_verify_time_error.py with a server key
# that matches its expired certificate (MicroPython's expired_cert.der was
# made for another key, which tls_stream refuses: docs/micropython-compat.md).
# The client refuses the expired certificate with MicroPython's ValueError;
# the server fails with an OSError: the client's alert, or EPIPE when the
# client's close overtakes the server's last handshake write (timing).
try:
    import socket
    import tls
except ImportError:
    print("SKIP")
    raise SystemExit

PORT = 8000

with open("../certs/expired.pem", "rb") as f:
    cert = f.read()
with open("../certs/expired.key", "rb") as f:
    key = f.read()
with open("../certs/ca.pem", "rb") as f:
    cadata = f.read()


# Server
def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo("0.0.0.0", PORT)[0][-1])
    s.listen(1)
    multitest.next()
    s2, _ = s.accept()
    server_ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    try:
        s2 = server_ctx.wrap_socket(s2, server_side=True)
    except Exception as e:
        print(type(e).__name__)
    s2.close()
    s.close()


# Client
def instance1():
    multitest.next()
    s = socket.socket()
    s.connect(socket.getaddrinfo(IP, PORT)[0][-1])
    client_ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    client_ctx.verify_mode = tls.CERT_REQUIRED
    client_ctx.load_verify_locations(cadata)
    try:
        s = client_ctx.wrap_socket(s, server_hostname="localhost")
    except Exception as e:
        print(e)
    s.close()
