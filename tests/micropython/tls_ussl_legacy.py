# The legacy module-level ussl.wrap_socket() of the ussl documentation
# (keyfile, certfile, cert_reqs, ca_certs, psk_ident, psk_key), its argument
# checks, and where our module differs from MicroPython's mbedtls module
# (docs/micropython-compat.md, "Deliberate differences"):
#   - a key that does not match its certificate is refused;
#   - no DTLS.
import io
import tls
import ussl

base = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
CERT = base + "/../certs/server.pem"  # paths are read, bytes are data
KEY = base + "/../certs/server.key"
with open(base + "/../certs/expired.pem", "rb") as f:
    OTHER_CERT = f.read()  # signed for another key


def attempt(label, **kw):
    try:
        ussl.wrap_socket(io.BytesIO(), **kw)
        print(label, "ok")
    except Exception as e:
        print(label, type(e).__name__, e)


# key checks come first: a bad key is "invalid key" even without a cert
attempt("bad key", keyfile=b"!")
attempt("key, no cert", keyfile=KEY)
attempt("cert, no key", certfile=CERT)
attempt("bad cert", keyfile=KEY, certfile=b"!")
attempt("bad ca", ca_certs=b"!")
attempt("missing file", keyfile="/nonexistent.key", certfile=CERT)
# PSK keywords (esp32 fork): client only, not with certificates
attempt("psk server", server_side=True, psk_ident="id", psk_key=b"k" * 16)
attempt("psk and cert", keyfile=KEY, certfile=CERT, psk_ident="id", psk_key=b"k" * 16)
attempt("psk ident only", psk_ident="id", do_handshake=False)
attempt("psk key only", psk_key=b"k" * 16, do_handshake=False)
attempt("psk key too long", psk_ident="id", psk_key=b"k" * 49, do_handshake=False)
attempt("psk deferred", psk_ident="id", psk_key=b"k" * 16, do_handshake=False)
# verification
attempt("required, no hostname", cert_reqs=ussl.CERT_REQUIRED, ca_certs=CERT)
# a server: key and certificate from files, handshake deferred
attempt("server", server_side=True, keyfile=KEY, certfile=CERT, do_handshake=False)
# a server without key: the error comes with the handshake (MicroPython's behaviour)
s = ussl.wrap_socket(io.BytesIO(), server_side=True, do_handshake=False)
try:
    s.write(b"x")
except OSError as e:
    print("keyless server, first write: OSError", e.args[1])
s.close()
# ours only: a key that does not match the certificate is refused
ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
with open(KEY, "rb") as f:
    ctx.load_cert_chain(OTHER_CERT, f.read())
try:
    ctx.wrap_socket(io.BytesIO(), server_side=True)
except ValueError as e:
    print("mismatched key:", e)
# ours only: no DTLS (a stream library): the DTLS constants are absent, so
# MicroPython's DTLS tests skip or fail at their import
print("DTLS:", hasattr(tls, "PROTOCOL_DTLS_CLIENT"), hasattr(tls, "PROTOCOL_DTLS_SERVER"))
