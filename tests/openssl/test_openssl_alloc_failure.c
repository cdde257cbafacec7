/*
 * OpenSSL's own allocations refused one at a time.
 *
 * main() hands OpenSSL a malloc/realloc/free (CRYPTO_set_mem_functions(),
 * before any OpenSSL call: it is process-wide and only possible before
 * OpenSSL's first allocation, so it is this program's choice, never the
 * library's) that counts every allocation call and the blocks outstanding,
 * and can refuse the n-th call. Then, for each scenario, a clean run counts
 * the calls of its whole life — configurations (certificate, key and CA
 * files, or PSK), both streams over the in-memory pipe (tls_pair), the
 * handshake, a data exchange each way, close_notify both ways, with
 * tickets a session save and a second connection that resumes it, freeing
 * — and the sweep runs it again with call n refused, for every n of each
 * phase's first and last calls and a sample of the rest (next_index()).
 *
 * Every run must end in one of three ways (judge()):
 *   - full success: the handshake on the expected version, every byte
 *     received as sent, both close_notify seen (a resumption may fall back
 *     to a full handshake);
 *   - the call that met the refusal (its side and phase are known: the
 *     allocator notes them) returns an accepted error status (accepted())
 *     with a message, and the peer either waits (non-blocking: it would
 *     time out) or fails with what a peer of a failed side sees;
 *   - that side carried on without what it could not allocate and its peer
 *     refused the result in the handshake (refused_by_peer()).
 * And never a crash, a hang (every loop is bounded) or a leak: once
 * everything is freed, the outstanding blocks are back at the level of the
 * warm-up. OpenSSL keeps process-wide caches (providers, fetched
 * algorithms, names, this thread's error queue and DRBGs) allocated once;
 * the warm-up runs fill them, OPENSSL_cleanup() is never called, and only
 * what stays outstanding beyond that level counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "test_alloc.h"
#include "test_scale.h"
#include "tls_pair.h"
#include "tls_stream/openssl.h"
#include "tls_stream/options.h"

/* ---------------------------------------------------------------------- */
/* The allocator OpenSSL is given                                          */
/* ---------------------------------------------------------------------- */

/* Where the program is: the allocator notes it when it refuses a call. */
enum phase {
    PH_CONFIG, PH_NEW, PH_HANDSHAKE, PH_DATA, PH_CLOSE,
    PH_SAVE,   /* tls_stream_session_save() */
    PH_RESUME, /* the whole second connection, which offers the saved session */
    PH_FREE, PH_COUNT
};
static const char *const phase_name[PH_COUNT] = {"configuration", "stream creation", "handshake",
                                                 "data", "close", "session save", "resumption",
                                                 "free"};
#define SIDE_BOTH 2 /* tls_pair_new() creates both streams */

/* Every block has this header: the live blocks form a list, each with
 * where and in which run it was allocated, so what a run leaves behind can
 * be named. */
typedef struct block {
    struct block *prev, *next;
    size_t size;
    unsigned long run; /* om.run when allocated */
    const char *file;
    int line;
} block;

typedef union hdr {
    block b;
    long double ld; /* keep the block after the header aligned */
    void *p;
    long long ll;
} hdr;

static struct {
    unsigned long calls;   /* allocation calls (malloc, realloc to a new size) */
    unsigned long fail_at; /* refuse this call (1-based); 0: none */
    unsigned long failed;  /* calls refused */
    unsigned long run;     /* the current run's number */
    long live;             /* blocks outstanding */
    block head;            /* the list of live blocks */
    enum phase phase;      /* set by the scenario before each step */
    int side;              /* 0 client, 1 server, SIDE_BOTH */
    enum phase fail_phase; /* where the refusal happened */
    int fail_side;
    const char *fail_file; /* OpenSSL's caller */
    int fail_line;
    int in_ctx_new;      /* inside tls_stream_config_new() (SSL_CTX_new()) */
    int fail_in_ctx_new; /* the refusal was */
} om = {0, 0, 0, 0, 0, {&om.head, &om.head, 0, 0, NULL, 0}, PH_CONFIG, 0, PH_CONFIG, 0, NULL, 0, 0, 0};

/* Whether this call is the one to refuse (and note where it was). */
static int refuse(const char *file, int line)
{
    om.calls++;
    if (om.calls != om.fail_at)
        return 0;
    om.failed++;
    om.fail_phase = om.phase;
    om.fail_side = om.side;
    om.fail_file = file;
    om.fail_line = line;
    om.fail_in_ctx_new = om.in_ctx_new;
    return 1;
}

static void link_block(block *b, size_t n, const char *file, int line)
{
    b->size = n;
    b->run = om.run;
    b->file = file;
    b->line = line;
    b->next = om.head.next;
    b->prev = &om.head;
    b->next->prev = b;
    om.head.next = b;
}

static void unlink_block(block *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

static void *om_malloc(size_t n, const char *file, int line)
{
    hdr *h;

    if (n == 0) /* as OpenSSL's own CRYPTO_malloc() */
        return NULL;
    if (refuse(file, line) || n > SIZE_MAX - sizeof *h)
        return NULL;
    h = malloc(sizeof *h + n);
    if (h == NULL)
        return NULL;
    link_block(&h->b, n, file, line);
    om.live++;
    return h + 1;
}

static void om_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    if (p == NULL)
        return;
    unlink_block(&((hdr *)p - 1)->b);
    om.live--;
    free((hdr *)p - 1);
}

static void *om_realloc(void *p, size_t n, const char *file, int line)
{
    hdr *h;

    if (p == NULL)
        return om_malloc(n, file, line);
    if (n == 0) { /* as OpenSSL's own CRYPTO_realloc() */
        om_free(p, file, line);
        return NULL;
    }
    if (refuse(file, line) || n > SIZE_MAX - sizeof *h)
        return NULL; /* the old block stays the caller's */
    h = (hdr *)p - 1;
    unlink_block(&h->b);
    h = realloc(h, sizeof *h + n);
    if (h == NULL) {
        h = (hdr *)p - 1;
        link_block(&h->b, h->b.size, h->b.file, h->b.line);
        return NULL;
    }
    link_block(&h->b, n, file, line);
    return h + 1;
}

/*
 * OpenSSL's thread-local error queue keeps the text buffers of its 16
 * slots for reuse (err.c, err_blocks.c: freed when the thread ends), so
 * which of them are allocated depends on the errors met so far: a cache
 * like the others, but one that a refused allocation changes. Its blocks
 * are counted apart (and bounded), the rest must come back to the warm-up
 * level exactly.
 */
static int is_error_queue(const block *b)
{
    return b->file != NULL && strstr(b->file, "crypto/err/") != NULL;
}

typedef struct census {
    long blocks;      /* live blocks, but the error queue's */
    long queue;       /* the error queue's */
} census;

static census count_live(void)
{
    census c = {0, 0};
    const block *b;

    for (b = om.head.next; b != &om.head; b = b->next) {
        if (is_error_queue(b))
            c.queue++;
        else
            c.blocks++;
    }
    return c;
}

/* Print where the blocks of run still live (but the queue's) came from. */
static void print_left(unsigned long run)
{
    const block *b;
    int n = 0;

    for (b = om.head.next; b != &om.head && n < 8; b = b->next) {
        if (b->run == run && !is_error_queue(b)) {
            print_message("  left: %zu bytes from %s:%d\n", b->size, b->file, b->line);
            n++;
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Scenarios                                                               */
/* ---------------------------------------------------------------------- */

typedef struct scenario {
    const char *name;
    int psk;           /* PSK "client1", else certificates (ECDSA P-256) */
    int mutual;        /* certificates: the client shows one too */
    int version;       /* min and max: TLS_STREAM_TLS1_2 or _TLS1_3 */
    const char *suite; /* the one suite both offer */
    const char *expect_version;
    int resume; /* server tickets; a second connection resumes the first */
} scenario;

static const scenario ecdsa12 = {"TLS 1.2 ECDHE-ECDSA, resumed", 0, 0, TLS_STREAM_TLS1_2,
                                 "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256", "TLSv1.2", 1};
static const scenario psk12 = {"TLS 1.2 ECDHE-PSK", 1, 0, TLS_STREAM_TLS1_2,
                               "TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256", "TLSv1.2", 0};
static const scenario cert13 = {"TLS 1.3 certificates, mutual, resumed", 0, 1, TLS_STREAM_TLS1_3,
                                "TLS_AES_128_GCM_SHA256", "TLSv1.3", 1};
static const scenario psk13 = {"TLS 1.3 external PSK", 1, 0, TLS_STREAM_TLS1_3, "TLS_AES_128_GCM_SHA256",
                               "TLSv1.3", 0};

/* What one run did: each side's first error and its message. */
typedef struct outcome {
    int ok;
    int resumed; /* the second connection resumed (both sides say so) */
    int second;  /* in the second connection: every step is PH_RESUME */
    unsigned entered; /* bit ph: phase ph was entered */
    int err[2];
    enum phase err_phase[2]; /* where it was returned */
    int no_msg[2];           /* returned by tls_stream_config_new(): no message to read */
    char msg[2][160];
    unsigned long phase_start[PH_COUNT + 1]; /* om.calls when each phase began */
} outcome;

#define MSG_LEN 3000 /* bytes each way: fits the pipe, more than one record's header */

static void enter(outcome *o, enum phase ph, int side)
{
    if (o->second && ph != PH_FREE)
        ph = PH_RESUME;
    if (om.phase != ph)
        o->phase_start[ph] = om.calls;
    o->entered |= 1u << ph;
    om.phase = ph;
    om.side = side;
}

/* Note the first error of a side (a want is not one). */
static int note(outcome *o, int side, int rc, const char *msg)
{
    if (rc < 0 && rc != TLS_STREAM_WANT_READ && rc != TLS_STREAM_WANT_WRITE && o->err[side] == 0) {
        o->err[side] = rc;
        o->err_phase[side] = om.phase;
        snprintf(o->msg[side], sizeof o->msg[side], "%s", msg != NULL ? msg : "");
    }
    return rc;
}

static int note_cfg(outcome *o, int side, tls_stream_config *cfg, int rc)
{
    const char *msg = NULL;

    if (rc < 0 && cfg != NULL)
        tls_stream_config_error_detail(cfg, &msg);
    return note(o, side, rc, msg);
}

static int note_stream(outcome *o, int side, tls_stream *s, int rc)
{
    const char *msg = NULL;

    if (rc < 0)
        tls_stream_error_detail(s, &msg);
    return note(o, side, rc, msg);
}

static int config(outcome *o, const scenario *sc, tls_stream_role role, tls_stream_config **out)
{
    const char *suites[2];
    int side = role == TLS_STREAM_SERVER, rc;
    tls_stream_config *cfg = NULL;

    suites[0] = sc->suite;
    suites[1] = NULL;
    enter(o, PH_CONFIG, side);
    om.in_ctx_new = 1;
    rc = tls_stream_config_new(&cfg, tls_stream_backend_openssl(), role, tls_test_allocator());
    om.in_ctx_new = 0;
    rc = note(o, side, rc, NULL);
    /* no configuration, no message: config_new reports by status alone */
    o->no_msg[side] = rc != TLS_STREAM_OK;
    *out = cfg;
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_version(cfg, sc->version, sc->version);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_ciphersuites(cfg, suites);
    if (rc == TLS_STREAM_OK && sc->psk && role == TLS_STREAM_CLIENT)
        rc = tls_stream_config_set_psk(cfg, "client1", 7, tls_pair_client1.key, tls_pair_client1.len);
    if (rc == TLS_STREAM_OK && sc->psk && role == TLS_STREAM_SERVER)
        rc = tls_stream_config_add_psk(cfg, "client1", 7, tls_pair_client1.key, tls_pair_client1.len);
    if (!sc->psk && role == TLS_STREAM_CLIENT) {
        if (rc == TLS_STREAM_OK)
            rc = tls_pair_add_ca(cfg, "ca.pem");
        if (rc == TLS_STREAM_OK)
            rc = tls_stream_config_set_server_name(cfg, "localhost");
    }
    if (!sc->psk && (role == TLS_STREAM_SERVER || sc->mutual)) {
        if (rc == TLS_STREAM_OK)
            rc = tls_pair_set_cert(cfg, role == TLS_STREAM_SERVER ? "server.pem" : "client.pem");
        if (rc == TLS_STREAM_OK)
            rc = tls_pair_set_key(cfg, role == TLS_STREAM_SERVER ? "server.key" : "client.key", NULL);
    }
    if (rc == TLS_STREAM_OK && sc->resume && role == TLS_STREAM_SERVER)
        rc = tls_stream_config_set_session_tickets(cfg, 3600);
    if (!sc->psk && role == TLS_STREAM_SERVER && sc->mutual) {
        if (rc == TLS_STREAM_OK)
            rc = tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_REQUIRED);
        if (rc == TLS_STREAM_OK)
            rc = tls_pair_add_ca(cfg, "ca.pem");
    }
    return note_cfg(o, side, cfg, rc);
}

/* Step both sides of what until neither can move (bounded). */
#define MAX_ROUNDS 1000

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

static int handshake(outcome *o, tls_pair *p)
{
    int rc[2] = {TLS_STREAM_WANT_READ, TLS_STREAM_WANT_READ}, round, i;
    tls_stream *s[2];

    s[0] = p->client;
    s[1] = p->server;
    for (round = 0; round < MAX_ROUNDS && (is_want(rc[0]) || is_want(rc[1])); round++) {
        int moved = 0;
        for (i = 0; i < 2; i++) {
            if (!is_want(rc[i]))
                continue;
            enter(o, PH_HANDSHAKE, i);
            rc[i] = note_stream(o, i, s[i], tls_stream_handshake(s[i]));
            moved |= !is_want(rc[i]);
        }
        if (!moved && tls_stream_mem_pipe_buffered(p->pipe, 0) == 0 &&
            tls_stream_mem_pipe_buffered(p->pipe, 1) == 0)
            break; /* both wait for bytes that will not come */
    }
    return rc[0] == TLS_STREAM_OK && rc[1] == TLS_STREAM_OK ? TLS_STREAM_OK : -1;
}

/* from writes MSG_LEN pattern bytes, to reads and checks them. */
static int send_over(outcome *o, tls_pair *p, int from)
{
    tls_stream *w = from == 0 ? p->client : p->server, *r = from == 0 ? p->server : p->client;
    unsigned dir = from == 0 ? TLS_PAIR_C2S : TLS_PAIR_S2C;
    unsigned char out[MSG_LEN], in[MSG_LEN];
    size_t sent = 0, got = 0;
    int round, rc;

    tls_pair_fill(dir, 0, out, sizeof out);
    for (round = 0; round < MAX_ROUNDS && got < sizeof in; round++) {
        enter(o, PH_DATA, from);
        if (sent < sizeof out) {
            rc = note_stream(o, from, w, tls_stream_write(w, out + sent, sizeof out - sent));
            if (rc > 0)
                sent += (size_t)rc;
            else if (!is_want(rc))
                return -1;
        } else {
            rc = note_stream(o, from, w, tls_stream_flush(w));
            if (rc < 0 && !is_want(rc))
                return -1;
        }
        enter(o, PH_DATA, !from);
        rc = note_stream(o, !from, r, tls_stream_read(r, in + got, sizeof in - got));
        if (rc > 0)
            got += (size_t)rc;
        else if (rc == 0 || !is_want(rc))
            return -1;
        else if (sent == sizeof out && tls_stream_mem_pipe_buffered(p->pipe, from) == 0 &&
                 !tls_stream_wants(w))
            return -1; /* all sent and nothing left to read: stuck */
    }
    return got == sizeof in && memcmp(in, out, sizeof in) == 0 ? 0 : -1;
}

/* Both close: close_notify each way, and each side reads the other's. */
static int close_both(outcome *o, tls_pair *p)
{
    unsigned char byte;
    int i, rc, round;
    tls_stream *s[2];

    s[0] = p->client;
    s[1] = p->server;
    for (i = 0; i < 2; i++) {
        enter(o, PH_CLOSE, i);
        for (round = 0; (rc = note_stream(o, i, s[i], tls_stream_shutdown(s[i]))) != TLS_STREAM_OK;
             round++)
            if (!is_want(rc) || round == MAX_ROUNDS)
                return -1;
    }
    for (i = 0; i < 2; i++) {
        enter(o, PH_CLOSE, i);
        if (note_stream(o, i, s[i], tls_stream_read(s[i], &byte, 1)) != 0)
            return -1;
    }
    return 0;
}

/* tls_pair_new(), its failure noted for the configuration that has it
 * (tls_stream_new() finishes each configuration; the client's first). */
static int new_pair(outcome *o, tls_pair *p, tls_stream_config *c, tls_stream_config *s)
{
    const char *mc = "", *ms = "";
    int rc;

    enter(o, PH_NEW, SIDE_BOTH);
    rc = tls_pair_new(p, c, s, NULL);
    if (rc != TLS_STREAM_OK) {
        tls_stream_config_error_detail(c, &mc);
        tls_stream_config_error_detail(s, &ms);
        note(o, mc[0] != '\0' ? 0 : 1, rc, mc[0] != '\0' ? mc : ms);
    }
    return rc;
}

/* Handshake on the expected version, data both ways. */
static int connect_and_send(outcome *o, tls_pair *p, const scenario *sc)
{
    return handshake(o, p) == TLS_STREAM_OK &&
                   strcmp(tls_stream_version(p->client), sc->expect_version) == 0 &&
                   strcmp(tls_stream_version(p->server), sc->expect_version) == 0 &&
                   send_over(o, p, 0) == 0 && send_over(o, p, 1) == 0
               ? 0
               : -1;
}

/* The second connection: offers the session the first saved. */
static int resume(outcome *o, tls_pair *p, tls_stream_config *c, tls_stream_config *s,
                  const scenario *sc)
{
    unsigned char blob[4096];
    size_t len = 0;

    enter(o, PH_SAVE, 0);
    if (note_stream(o, 0, p->client,
                    tls_stream_session_save(p->client, blob, sizeof blob, &len)) != TLS_STREAM_OK)
        return -1;
    tls_pair_free(p);
    o->second = 1;
    if (new_pair(o, p, c, s) != TLS_STREAM_OK)
        return -1;
    enter(o, PH_RESUME, 0);
    if (note_stream(o, 0, p->client, tls_stream_session_load(p->client, blob, len)) != TLS_STREAM_OK ||
        connect_and_send(o, p, sc) != 0)
        return -1;
    o->resumed = tls_stream_resumed(p->client) && tls_stream_resumed(p->server);
    return 0;
}

/*
 * One life, from configurations to free. o->ok says whether it all worked
 * (a resumption may fall back to a full handshake: o->resumed says).
 */
static void run(const scenario *sc, outcome *o)
{
    tls_stream_config *c = NULL, *s = NULL;
    tls_pair p;
    int ph;

    memset(o, 0, sizeof *o);
    memset(&p, 0, sizeof p);
    om.phase = PH_COUNT;
    if (config(o, sc, TLS_STREAM_CLIENT, &c) == TLS_STREAM_OK &&
        config(o, sc, TLS_STREAM_SERVER, &s) == TLS_STREAM_OK && new_pair(o, &p, c, s) == TLS_STREAM_OK &&
        connect_and_send(o, &p, sc) == 0 && close_both(o, &p) == 0 &&
        (!sc->resume || resume(o, &p, c, s, sc) == 0))
        o->ok = 1;
    enter(o, PH_FREE, SIDE_BOTH);
    tls_pair_free(&p);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
    o->phase_start[PH_COUNT] = om.calls;
    for (ph = PH_COUNT - 1; ph >= 0; ph--) /* a phase never entered is empty */
        if (!(o->entered & (1u << ph)))
            o->phase_start[ph] = o->phase_start[ph + 1];
}

/*
 * What a side that met the refused allocation may return. The setters
 * (certificate, key, CA loading, configuration finish at the first
 * tls_stream_new()) report TLS_STREAM_ERR_NOMEM and nothing else. During
 * the connection OpenSSL 3.0 itself reports many refused allocations as
 * something else, without queueing ERR_R_MALLOC_FAILURE, so the backend
 * cannot tell them from what they say:
 *   TLS_STREAM_ERR_HANDSHAKE  "internal error", "not able to copy ctx",
 *                             "initialization error", "EVP lib", "EC lib"
 *                             (a digest, key or random number it could
 *                             not make);
 *   TLS_STREAM_ERR_VERIFY     X509_verify_cert() that could not finish
 *                             ("unspecified certificate verification
 *                             error", a signature it could not check);
 *   TLS_STREAM_ERR_HOSTNAME   X509_check_host() that could not copy a name
 *                             answers "no match";
 *   TLS_STREAM_ERR_PROTOCOL   after the handshake (a TLS 1.3 NewSessionTicket
 *                             the client could not take in: "internal
 *                             error", "init fail", "EVP lib"): the backend
 *                             says PROTOCOL for an unexplained failure once
 *                             the connection is open, though the peer did
 *                             nothing wrong.
 * They all fail closed: no connection, an alert to the peer.
 */
static int accepted(const outcome *o, int side)
{
    int rc = o->err[side];

    if (o->err_phase[side] <= PH_NEW || o->err_phase[side] == PH_SAVE)
        return rc == TLS_STREAM_ERR_NOMEM;
    if (rc == TLS_STREAM_ERR_PROTOCOL)
        return o->err_phase[side] == PH_DATA || o->err_phase[side] == PH_RESUME;
    return rc == TLS_STREAM_ERR_NOMEM || rc == TLS_STREAM_ERR_HANDSHAKE ||
           rc == TLS_STREAM_ERR_VERIFY || rc == TLS_STREAM_ERR_HOSTNAME;
}

/*
 * What the peer of that side may see: nothing yet (it waits: a real one
 * would time out), the alert it sent, or what the failed side's last
 * flight (a record OpenSSL could not finish, a certificate it could not
 * send) makes of the peer's own checks.
 */
static int peer_fallout(int rc)
{
    return rc == TLS_STREAM_OK || rc == TLS_STREAM_ERR_PEER_ALERT || rc == TLS_STREAM_ERR_HANDSHAKE ||
           rc == TLS_STREAM_ERR_PROTOCOL || rc == TLS_STREAM_ERR_VERIFY ||
           rc == TLS_STREAM_ERR_NO_PEER_CERT;
}

/*
 * A side may also carry on without what it could not allocate, and its
 * peer refuses the result during the handshake: SSL_CTX_new() disables a
 * signature algorithm or cipher it could not instantiate without a word
 * (the peer: "no suitable signature algorithm", "no shared cipher"); a
 * client certificate OpenSSL could not send ("peer did not return a
 * certificate"). The side then has the peer's alert, or nothing.
 */
static int refused_by_peer(const outcome *o, int side)
{
    return (o->err[side] == TLS_STREAM_OK || o->err[side] == TLS_STREAM_ERR_PEER_ALERT) &&
           o->err[!side] != TLS_STREAM_OK && o->err[!side] != TLS_STREAM_ERR_PEER_ALERT &&
           (o->err_phase[!side] == PH_HANDSHAKE || o->err_phase[!side] == PH_RESUME) &&
           peer_fallout(o->err[!side]);
}

/*
 * SSL_CTX_new() (in tls_stream_config_new()) that could not instantiate a
 * signature algorithm or cipher disables it without a word and succeeds;
 * no public call shows which. The handshake that needed it then fails
 * closed on either side ("unsupported protocol", "no suitable signature
 * algorithm"; the other side has the alert).
 */
static int lost_in_ctx_new(const outcome *o)
{
    int i, failed = 0;

    if (!om.fail_in_ctx_new)
        return 0;
    for (i = 0; i < 2; i++) {
        if (o->err[i] == TLS_STREAM_OK)
            continue;
        if ((o->err[i] != TLS_STREAM_ERR_HANDSHAKE && o->err[i] != TLS_STREAM_ERR_PEER_ALERT) ||
            (o->err_phase[i] != PH_HANDSHAKE && o->err_phase[i] != PH_RESUME))
            return 0;
        failed = 1;
    }
    return failed;
}

/* A library text as the build promises it: present, or "" without messages
 * (TLS_STREAM_NO_MESSAGES, see expect_text.h). */
static int text_ok(const char *msg)
{
#if TLS_STREAM_NO_MESSAGES
    return msg[0] == '\0';
#else
    return msg[0] != '\0';
#endif
}

/* The verdict on a run in which an allocation was refused. */
static int judge(const outcome *o)
{
    int side = om.fail_side, i;

    if (o->ok)
        return 1;
    if (side == SIDE_BOTH) /* tls_pair_new(): the side that reports */
        side = o->err[0] != 0 ? 0 : 1;
    for (i = 0; i < 2; i++) /* a message with every error (config_new has none to give) */
        if (o->err[i] != 0 && !text_ok(o->msg[i]) && !(o->no_msg[i] && o->err[i] == TLS_STREAM_ERR_NOMEM))
            return 0;
    if (refused_by_peer(o, side) || lost_in_ctx_new(o))
        return 1;
    /* what a configuration could not allocate, it reports itself: a
     * certificate, key or CA loaded short fails only later, misleadingly */
    if (om.fail_phase <= PH_NEW && o->err_phase[side] > PH_NEW)
        return 0;
    return o->err[side] != 0 && accepted(o, side) && peer_fallout(o->err[!side]);
}

/*
 * Which calls to refuse: every one of the first FIRST of each phase and
 * LAST of its last, and SAMPLES more spread over the rest (all of them with
 * TLS_TEST_FULL=1: about 35,000 runs, minutes). Fewer under valgrind
 * (TLS_TEST_REDUCED=1). TLS_TEST_FAIL_AT=n refuses call n only, to debug it.
 */
#define FIRST tls_test_count(120, 12)
#define LAST tls_test_count(20, 4)
#define SAMPLES tls_test_count(80, 8)

static unsigned long next_index(const outcome *clean, unsigned long n, int full)
{
    unsigned long first = (unsigned long)FIRST, last = (unsigned long)LAST;
    unsigned long samples = (unsigned long)SAMPLES;
    int ph;

    if (full)
        return n + 1;
    for (ph = 0; ph < PH_COUNT; ph++) {
        unsigned long a = clean->phase_start[ph] + 1, b = clean->phase_start[ph + 1];
        unsigned long stride;
        if (n + 1 < a || n + 1 > b)
            continue;
        if (n + 1 < a + first || n + 1 + last > b)
            return n + 1;
        stride = (b - a - first - last) / samples + 1;
        return n + stride < b - last ? n + stride : b - last + 1;
    }
    return n + 1;
}

static void sweep(const scenario *sc)
{
    outcome clean, o;
    unsigned long total, n, runs = 0, bad = 0;
    const char *only = getenv("TLS_TEST_FAIL_AT"), *full = getenv("TLS_TEST_FULL");
    census base, now;
    int ph;

    /* warm-up: OpenSSL's process-wide caches are filled by the first runs */
    om.fail_at = 0;
    run(sc, &o);
    assert_true(o.ok);
    run(sc, &o);
    assert_true(o.ok);
    base = count_live();
    om.calls = 0;
    run(sc, &clean);
    assert_true(clean.ok);
    assert_int_equal(clean.resumed, sc->resume);
    now = count_live();
    assert_int_equal(now.blocks, base.blocks);
    total = om.calls;
    print_message("%s: %lu OpenSSL allocations:", sc->name, total);
    for (ph = 0; ph < PH_COUNT; ph++)
        print_message(" %s %lu", phase_name[ph], clean.phase_start[ph + 1] - clean.phase_start[ph]);
    print_message("\n");
    for (n = only != NULL ? strtoul(only, NULL, 10) : 1; n <= total + 2;
         n = next_index(&clean, n, full != NULL && full[0] == '1')) {
        int good;
        om.calls = om.failed = 0;
        om.fail_at = n;
        om.run++;
        run(sc, &o);
        om.fail_at = 0;
        runs++;
        now = count_live();
        if (om.failed == 0) { /* past the last call of this run */
            good = o.ok;
        } else {
            good = judge(&o);
        }
        if (!good || now.blocks != base.blocks)
            print_message("%s: allocation %lu of %lu refused (%s, %s, %s:%d): %s, client %d (%s), "
                          "server %d (%s), %+ld blocks left\n",
                          sc->name, n, total, phase_name[om.fail_phase],
                          om.fail_side == 0 ? "client" : om.fail_side == 1 ? "server" : "both",
                          om.fail_file, om.fail_line, o.ok ? "completed" : "failed", o.err[0],
                          o.msg[0], o.err[1], o.msg[1], now.blocks - base.blocks);
        if (now.blocks != base.blocks)
            print_left(om.run);
        bad += !good || now.blocks != base.blocks;
        base.blocks = now.blocks; /* report each leak once */
        /* the queue's slots: 16 buffers of each kind at most */
        assert_true(now.queue <= 40);
        if (only != NULL)
            break;
    }
    print_message("%s: %lu runs, %lu with a wrong outcome or a leak\n", sc->name, runs, bad);
    assert_int_equal(bad, 0);
}

static void test_sweep(void **state)
{
    sweep(*state);
}

/* cmocka's state is not const; sweep() only reads it */
#define SWEEP(sc) cmocka_unit_test_prestate(test_sweep, (void *)(sc))

int main(void)
{
    const struct CMUnitTest tests[] = {
        SWEEP(&ecdsa12),
        SWEEP(&psk12),
        SWEEP(&cert13),
        SWEEP(&psk13),
    };

    /* before any OpenSSL call: refused once OpenSSL has allocated */
    if (!CRYPTO_set_mem_functions(om_malloc, om_realloc, om_free)) {
        fprintf(stderr, "CRYPTO_set_mem_functions refused: OpenSSL allocated already\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, tls_pair_load_client1, NULL);
}
