/*
 * mbedtls backend: what the records on the wire say, for the facts mbedtls
 * 3.x keeps private (whether the handshake resumed, which alert the peer
 * sent). We own the transport, so we see every record both ways; only
 * plaintext ones are read: the hellos and unencrypted alerts. The hello
 * capture (two 320-byte buffers and what the hellos said) is allocated for
 * the handshake only; afterwards the session keeps the incoming record
 * header and the last plaintext alert, a few dozen bytes. An mbedtls build
 * without resumption (TLS_STREAM_MBC_CAP_RESUME 0) never resumes: it keeps
 * no hello and has none of the hello code.
 *
 * Resumption, as RFC 5246 and RFC 8446 define it:
 *   TLS 1.2: the ServerHello echoes the ClientHello's non-empty session ID;
 *   TLS 1.3: the ServerHello selects a PSK, and that PSK is a ticket, not an
 *            external PSK (a server knows from its PSK callback; an mbedtls
 *            client lists its ticket first).
 */
#include <string.h>

#include "mbedtls_internal.h"

enum { REC_ALERT = 21, REC_HANDSHAKE = 22 };

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

#if TLS_STREAM_MBC_CAP_RESUME

enum { HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2 };
enum { EXT_PRE_SHARED_KEY = 41, EXT_SUPPORTED_VERSIONS = 43 };

/* A HelloRetryRequest is a ServerHello with this random (RFC 8446 4.1.3). */
static const unsigned char hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

static int hellos_new(tls_stream_mbt_wire *w, const tls_stream_allocator *alloc)
{
    w->hs = alloc->alloc(alloc->ctx, sizeof *w->hs);
    if (w->hs == NULL)
        return TLS_STREAM_ERR_NOMEM;
    memset(w->hs, 0, sizeof *w->hs);
    w->hs->server_hello.psk_selected = -1;
    return TLS_STREAM_OK;
}

void tls_stream_mbt_wire_free(tls_stream_mbt_wire *w, const tls_stream_allocator *alloc)
{
    if (w->hs != NULL)
        alloc->free(alloc->ctx, w->hs, sizeof *w->hs);
    w->hs = NULL;
}

/* Our records, followed while the capture is there; else NULL. */
static tls_stream_mbt_records *out_records(tls_stream_mbt_wire *w)
{
    return w->hs != NULL ? &w->hs->out : NULL;
}

/* Where a handshake record of this direction is kept, or NULL. */
static unsigned char *hello_cap(tls_stream_mbt_wire *w, int incoming)
{
    return w->hs != NULL ? w->hs->cap[incoming] : NULL;
}

/* The session ID of a hello (msg: the handshake message, len bytes of it
 * kept); returns the offset after it, 0 when the message is too short. */
static size_t read_sid(const unsigned char *msg, size_t len, tls_stream_mbt_hello *h)
{
    const size_t at = 4 + 2 + 32; /* header, legacy_version, random */
    size_t n;

    if (len < at + 1)
        return 0;
    n = msg[at];
    if (n > sizeof h->sid || len < at + 1 + n)
        return 0;
    memcpy(h->sid, msg + at + 1, n);
    h->sid_len = n;
    return at + 1 + n;
}

static void server_hello(const unsigned char *msg, size_t len, tls_stream_mbt_hello *h)
{
    size_t pos, end;

    if (len >= 4 + 2 + 32 && memcmp(msg + 6, hrr_random, sizeof hrr_random) == 0)
        return; /* a HelloRetryRequest: the ServerHello follows */
    if ((pos = read_sid(msg, len, h)) == 0)
        return;
    h->seen = 1;
    h->tls13 = 0;
    h->psk_selected = -1;
    pos += 2 + 1; /* cipher_suite, compression */
    if (pos + 2 > len)
        return;
    end = pos + 2 + get16(msg + pos);
    if (end > len)
        end = len; /* kept in part: read what is there */
    for (pos += 2; pos + 4 <= end;) {
        unsigned type = get16(msg + pos), elen = get16(msg + pos + 2);

        pos += 4;
        if (pos + elen > end)
            break;
        if (type == EXT_SUPPORTED_VERSIONS && elen == 2)
            h->tls13 = get16(msg + pos) == TLS_STREAM_TLS1_3;
        else if (type == EXT_PRE_SHARED_KEY && elen == 2)
            h->psk_selected = (int)get16(msg + pos);
        pos += elen;
    }
}

/* A handshake record ended, len bytes of it kept in cap. Only the first
 * hello of each kind (bar a HelloRetryRequest): later handshake records of
 * TLS 1.2 are encrypted and may start with any byte. */
static void hello_done(tls_stream_mbt_wire *w, const unsigned char *cap, size_t len)
{
    if (len < 4)
        return;
    if (cap[0] == HS_CLIENT_HELLO && !w->hs->client_hello.seen)
        w->hs->client_hello.seen = read_sid(cap, len, &w->hs->client_hello) != 0;
    else if (cap[0] == HS_SERVER_HELLO && !w->hs->server_hello.seen)
        server_hello(cap, len, &w->hs->server_hello);
}

int tls_stream_mbt_wire_resumed(const tls_stream_mbt_wire *w, tls_stream_role role, int offered,
                                int client_psk, int ext_psk_used)
{
    const tls_stream_mbt_hello *ch, *sh;

    if (w->hs == NULL)
        return 0;
    ch = &w->hs->client_hello;
    sh = &w->hs->server_hello;
    if (!sh->seen)
        return 0;
    if (sh->tls13) {
        if (sh->psk_selected < 0)
            return 0;
        if (role == TLS_STREAM_SERVER)
            return !ext_psk_used;
        return offered && (!client_psk || sh->psk_selected == 0);
    }
    return ch->seen && sh->sid_len > 0 && sh->sid_len == ch->sid_len &&
           memcmp(sh->sid, ch->sid, sh->sid_len) == 0;
}

#else /* no resumption in this mbedtls build: no hello to keep */

static int hellos_new(tls_stream_mbt_wire *w, const tls_stream_allocator *alloc)
{
    (void)w;
    (void)alloc;
    return TLS_STREAM_OK;
}

void tls_stream_mbt_wire_free(tls_stream_mbt_wire *w, const tls_stream_allocator *alloc)
{
    (void)w;
    (void)alloc;
}

static tls_stream_mbt_records *out_records(tls_stream_mbt_wire *w)
{
    (void)w;
    return NULL;
}

static unsigned char *hello_cap(tls_stream_mbt_wire *w, int incoming)
{
    (void)w;
    (void)incoming;
    return NULL;
}

static void hello_done(tls_stream_mbt_wire *w, const unsigned char *cap, size_t len)
{
    (void)w;
    (void)cap;
    (void)len;
}

int tls_stream_mbt_wire_resumed(const tls_stream_mbt_wire *w, tls_stream_role role, int offered,
                                int client_psk, int ext_psk_used)
{
    (void)w;
    (void)role;
    (void)offered;
    (void)client_psk;
    (void)ext_psk_used;
    return 0;
}

#endif /* TLS_STREAM_MBC_CAP_RESUME */

int tls_stream_mbt_wire_init(tls_stream_mbt_wire *w, const tls_stream_allocator *alloc)
{
    memset(w, 0, sizeof *w);
    w->last_alert = -1;
    return hellos_new(w, alloc);
}

/* Where the current record's body is kept (size bytes), or NULL: an
 * incoming alert's two bytes; a hello while the capture is there. */
static unsigned char *keep_in(tls_stream_mbt_wire *w, int incoming, const tls_stream_mbt_records *r,
                              size_t *size)
{
    if (r->hdr[0] == REC_ALERT) {
        *size = sizeof w->alert;
        return incoming ? w->alert : NULL;
    }
    *size = TLS_STREAM_MBT_HELLO_CAP;
    return r->hdr[0] == REC_HANDSHAKE ? hello_cap(w, incoming) : NULL;
}

static void record_done(tls_stream_mbt_wire *w, int incoming, const tls_stream_mbt_records *r)
{
    size_t size;
    const unsigned char *cap = keep_in(w, incoming, r, &size);

    if (cap == NULL)
        return;
    if (r->hdr[0] != REC_ALERT) {
        hello_done(w, cap, r->cap_len);
    } else if (get16(r->hdr + 3) == 2 && r->cap_len == 2) {
        w->last_alert = cap[1];
        w->alert_last = cap[0] == 2; /* fatal */
    }
}

void tls_stream_mbt_wire_feed(tls_stream_mbt_wire *w, int incoming, const unsigned char *buf,
                              size_t n)
{
    tls_stream_mbt_records *r = incoming ? &w->in : out_records(w);

    if (r == NULL)
        return; /* after the handshake only the peer's records matter */
    while (n > 0) {
        size_t take, size;
        unsigned char *cap;

        if (r->hdr_len < sizeof r->hdr) {
            r->hdr[r->hdr_len++] = *buf++;
            n--;
            if (r->hdr_len < sizeof r->hdr)
                continue;
            r->body_left = get16(r->hdr + 3);
            r->cap_len = 0;
            if (incoming) {
                w->in_headers++;
                w->alert_last = 0; /* a record after the alert */
            }
        } else {
            take = n < r->body_left ? n : r->body_left;
            if ((cap = keep_in(w, incoming, r, &size)) != NULL && r->cap_len < size) {
                size_t room = size - r->cap_len;
                memcpy(cap + r->cap_len, buf, take < room ? take : room);
                r->cap_len += take < room ? take : room;
            }
            buf += take;
            n -= take;
            r->body_left -= take;
        }
        if (r->body_left == 0) {
            record_done(w, incoming, r);
            r->hdr_len = 0;
        }
    }
}
