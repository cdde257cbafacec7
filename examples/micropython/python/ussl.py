# ussl: the legacy module-level wrap_socket of the ussl documentation
# (keyfile/certfile/ca_certs as data or file paths, cert_reqs, and the esp32
# PSK keywords psk_ident/psk_key), over the native `tls` module.
# Written for this repository; the checks and messages are those of
# tls_stream's C ussl layer (include/tls_stream/ussl.h).
import tls
from tls import CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED

from ssl import _data  # data (bytes) or a file path (str)


def wrap_socket(
    sock,
    server_side=False,
    keyfile=None,
    certfile=None,
    cert_reqs=CERT_NONE,
    ca_certs=None,
    server_hostname=None,
    do_handshake=True,
    psk_ident=None,
    psk_key=None,
):
    psk = psk_ident is not None or psk_key is not None
    if psk:
        if server_side:
            raise ValueError("PSK ciphers only supported for client connections")
        if keyfile is not None or certfile is not None:
            raise ValueError("cannot have cert&key and psk_ident&psk_key")
        if psk_key is None:
            raise ValueError("psk_ident requires psk_key")
        if psk_ident is None:
            raise ValueError("psk_key requires psk_ident")
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER if server_side else tls.PROTOCOL_TLS_CLIENT)
    if keyfile is not None or certfile is not None:
        if keyfile is None:
            raise ValueError("certfile requires keyfile")
        key = _data(keyfile)
        try:
            # parses the key first: a bad key is "invalid key" whatever else is missing
            ctx.load_cert_chain(None if certfile is None else _data(certfile), key)
        except TypeError:
            if certfile is None:
                raise ValueError("keyfile requires certfile")
            raise
    if ca_certs is not None:
        ctx.load_verify_locations(_data(ca_certs))
    ctx.verify_mode = cert_reqs
    if psk:
        ctx.psk_identity = psk_ident
        ctx.psk_key = psk_key
    return ctx.wrap_socket(
        sock,
        server_side=server_side,
        do_handshake_on_connect=do_handshake,
        server_hostname=server_hostname,
    )
