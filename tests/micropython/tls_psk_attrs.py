# PSK attributes of tls.SSLContext (MicroPython's names): defaults, round
# trip, str or bytes, and an over-long key refused whichever of the pair is
# set last (keys are 1..32 bytes here: the ussl documentation's limit).
import tls

ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
print(ctx.psk_identity, ctx.psk_key, ctx.server_psk_keys)
ctx.psk_identity = b"\xff\x00id"
ctx.psk_key = b"k" * 32
print(ctx.psk_identity, len(ctx.psk_key))
ctx.psk_identity = "text identity"
print(ctx.psk_identity)

for n in (33, 49):
    # key set last
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    ctx.psk_identity = b"id"
    try:
        ctx.psk_key = b"k" * n
    except OSError as e:
        print(n, "key last: OSError", e.args[1])
    print(ctx.psk_key)
    # identity set last
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    ctx.psk_key = b"k" * n
    try:
        ctx.psk_identity = b"id"
    except OSError as e:
        print(n, "identity last: OSError", e.args[1])
    print(ctx.psk_identity)

try:
    ctx.psk_key = 123
except TypeError:
    print("TypeError")

# a server context takes any object with .get()
srv = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
srv.server_psk_keys = {b"id": b"k" * 16}
print(type(srv.server_psk_keys))
srv.server_psk_keys = None
print(srv.server_psk_keys)
