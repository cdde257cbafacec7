# ssl: the CPython-style `ssl` module over MicroPython's native `tls` module
# (the role micropython-lib's python-stdlib/ssl plays; written for this
# repository). Works on MicroPython's own mbedtls `tls` and on ours.
import tls
from tls import *  # SSLContext constants: CERT_*, PROTOCOL_*, MBEDTLS_VERSION


def _data(x):
    # A str names a file (CPython's certfile/keyfile/cafile); bytes are data.
    if isinstance(x, str):
        with open(x, "rb") as f:
            return f.read()
    return x


class SSLContext:
    def __init__(self, *args):
        self._context = tls.SSLContext(*args)

    @property
    def verify_mode(self):
        return self._context.verify_mode

    @verify_mode.setter
    def verify_mode(self, val):
        self._context.verify_mode = val

    def load_cert_chain(self, certfile, keyfile):
        self._context.load_cert_chain(_data(certfile), _data(keyfile))

    def load_verify_locations(self, cafile=None, cadata=None):
        if cafile:
            cadata = _data(cafile)
        self._context.load_verify_locations(cadata)

    def get_ciphers(self):
        return self._context.get_ciphers()

    def set_ciphers(self, ciphers):
        self._context.set_ciphers(ciphers)

    def wrap_socket(
        self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None
    ):
        return self._context.wrap_socket(
            sock,
            server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            server_hostname=server_hostname,
        )

    def __getattr__(self, name):
        # verify_callback, PSK attributes and whatever else the native context has
        return getattr(self._context, name)

    def __setattr__(self, name, value):
        if name == "_context":
            object.__setattr__(self, name, value)
        else:
            setattr(self._context, name, value)


def wrap_socket(
    sock,
    server_side=False,
    key=None,
    cert=None,
    cert_reqs=CERT_NONE,
    cadata=None,
    server_hostname=None,
    do_handshake=True,
):
    ctx = SSLContext(PROTOCOL_TLS_SERVER if server_side else PROTOCOL_TLS_CLIENT)
    if cert or key:
        ctx.load_cert_chain(cert, key)
    if cadata:
        ctx.load_verify_locations(cadata=cadata)
    ctx.verify_mode = cert_reqs
    return ctx.wrap_socket(
        sock,
        server_side=server_side,
        do_handshake_on_connect=do_handshake,
        server_hostname=server_hostname,
    )
