# The MicroPython integration of the module: the library allocates on
# MicroPython's heap (allocator hook), the GC finaliser frees a socket
# without any I/O on the wrapped stream, and an exception raised by the
# wrapped stream (Ctrl-C during a blocking recv, or any error of a Python
# stream) interrupts a call without killing the TLS session. Also
# verify_callback: called once after the handshake (docs: A4), and data
# before a truncation is delivered first.
import gc
import io
import tls

base = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
with open(base + "/../certs/server.der", "rb") as f:
    CERT = f.read()
with open(base + "/../certs/server.key.der", "rb") as f:
    KEY = f.read()


class Pipe(io.IOBase):
    # one end of an in-memory, non-blocking pipe, logging what it is asked
    def __init__(self):
        self.other = None
        self.buf = bytearray()
        self.log = []
        self.raise_next = None  # exception raised by the next read or write
        self.eof = False  # the peer closed its end: reads return 0 once drained

    def _maybe_raise(self, op):
        if self.raise_next is not None:
            e, self.raise_next = self.raise_next, None
            self.log.append(op + " raised")
            raise e

    def readinto(self, buf):
        self._maybe_raise("read")
        if not self.buf:
            return 0 if self.eof else None
        n = min(len(buf), len(self.buf))
        buf[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n

    def write(self, buf):
        self._maybe_raise("write")
        self.log.append("write")
        self.other.buf.extend(buf)
        return len(buf)

    def ioctl(self, req, arg):
        self.log.append("ioctl %d" % req)
        return 0


def pair(verify_callback=None):
    a, b = Pipe(), Pipe()
    a.other, b.other = b, a
    cctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    cctx.verify_mode = tls.CERT_NONE
    cctx.verify_callback = verify_callback
    sctx = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(CERT, KEY)
    c = cctx.wrap_socket(a, do_handshake_on_connect=False)
    s = sctx.wrap_socket(b, server_side=True, do_handshake_on_connect=False)
    for _ in range(4):  # drive the handshake: each read returns None
        c.read(16)
        s.read(16)
    return a, b, c, s


# 1. the library's objects live on MicroPython's heap
gc.collect()
before = gc.mem_alloc()
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.verify_mode = tls.CERT_NONE
sock = ctx.wrap_socket(Pipe(), do_handshake_on_connect=False)
print("heap used by a context and a socket:", gc.mem_alloc() - before > 1000)
del ctx, sock

# 2. a working connection
a, b, c, s = pair()
c.write(b"ping")
print(s.read(4))

# 3. the finaliser frees without I/O: no write (close_notify), no close
a.log.clear()
b.log.clear()
c = s = None
gc.collect()
print("finaliser I/O:", a.log, b.log)

# 4. an exception in the wrapped stream interrupts read, the session survives
a, b, c, s = pair()
s.write(b"data")
a.raise_next = KeyboardInterrupt()
try:
    c.read(4)
except KeyboardInterrupt:
    print("read interrupted")
print(c.read(4))

# 5. ... and write: bytes the library accepted are reported (they will be
# sent), the exception comes with the next call; nothing is lost or doubled
a.raise_next = ValueError("stream error")
print(c.write(b"abcd"))
try:
    c.write(b"efgh")
except ValueError as e:
    print("write interrupted:", e)
c.write(b"efgh")
print(s.read(8))

# 6. an exception during the handshake of wrap_socket leaves the stream to the caller
p = Pipe()
p.other = Pipe()
p.raise_next = KeyboardInterrupt()
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.verify_mode = tls.CERT_NONE
try:
    ctx.wrap_socket(p)
except KeyboardInterrupt:
    print("handshake interrupted", p.log)

# 7. close() after all that: close_notify, then the wrapped stream's close
a.log.clear()
c.close()
print("close:", a.log)
print(s.read(4))
try:
    c.read(4)
except OSError as e:
    print("read after close: OSError", e.args[0] == 9)

# 8. verify_callback(cert, depth): once, after the handshake, with the
# peer's certificate; a non-zero result closes the connection
def accept(cert, depth):
    print("verify_callback", bytes(cert) == CERT, depth)
    return 0


a, b, c, s = pair(accept)
s.write(b"ok")
print(c.read(2))
try:
    pair(lambda cert, depth: 1)  # refused as the client's handshake ends
except OSError as e:
    print("refused:", e)

# 9. the peer's last data, then its transport closes without close_notify
# (MicroPython's own close() does that): read(n) returns the data, the
# next read raises (truncation is not a clean end)
a, b, c, s = pair()
s.write(b"last words")
a.eof = True
print(c.read(100))
try:
    c.read(100)
except OSError as e:
    print("then:", e)
