/*
 * tls_bench: credentials, the modes compared, configurations for tls_stream,
 * and the suite-forcing shim over the mbedtls backend.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "tls_stream/mem_pipe.h"
#include "tls_stream/posix.h"

/* The shim reaches the backend's mbedtls_ssl_config: internal header. */
#include "backend/mbedtls/mbedtls_internal.h"

bench_creds g_creds;
const unsigned char g_psk_key[32] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
};
const char g_psk_identity[] = "bench-client";

static void load(const char *name, unsigned char **data, size_t *len)
{
    char path[1024];
    int rc;
    snprintf(path, sizeof path, "%s/%s", TLS_BENCH_CERTS, name);
    rc = tls_stream_read_file(path, data, len);
    if (rc != TLS_STREAM_OK)
        bench_die("cannot read %s (%d)", path, rc);
}

void bench_load_creds(void)
{
    load("ca.pem", &g_creds.ca, &g_creds.ca_len);
    load("server.pem", &g_creds.cert, &g_creds.cert_len);
    load("server.key", &g_creds.key, &g_creds.key_len);
}

void bench_free_creds(void)
{
    free(g_creds.ca);
    free(g_creds.cert);
    free(g_creds.key);
    memset(&g_creds, 0, sizeof g_creds);
}

/* ------------------------------------------------------------- modes */

static const int suites_psk_gcm[] = { MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256, 0 };
static const int suites_ecdhe_psk_chacha[] = {
    MBEDTLS_TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256, 0
};
static const int suites_ecdsa_gcm[] = { MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0 };


/* The same choices by name, for the public API (tls_stream_config_set_ciphersuites). */
static const char *const names_psk_gcm[] = { "TLS-PSK-WITH-AES-128-GCM-SHA256", NULL };
static const char *const names_ecdhe_psk_chacha[] = {
    "TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256", NULL
};
static const char *const names_ecdsa_gcm[] = { "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256", NULL };
static const char *const group_names[] = { "secp256r1", NULL };

static const char *const *mode_suite_names(bench_mode mode)
{
    switch (mode) {
    case BENCH_PSK_GCM:
        return names_psk_gcm;
    case BENCH_ECDHE_PSK_CHACHA:
        return names_ecdhe_psk_chacha;
    default:
        return names_ecdsa_gcm;
    }
}

const int *bench_mode_suites(bench_mode mode)
{
    switch (mode) {
    case BENCH_PSK_GCM:
        return suites_psk_gcm;
    case BENCH_ECDHE_PSK_CHACHA:
        return suites_ecdhe_psk_chacha;
    default:
        return suites_ecdsa_gcm;
    }
}

const char *bench_mode_name(bench_mode mode)
{
    switch (mode) {
    case BENCH_PSK_GCM:
        return "PSK-AES128-GCM";
    case BENCH_ECDHE_PSK_CHACHA:
        return "ECDHE-PSK-CHACHA20";
    default:
        return "ECDHE-ECDSA-AES128-GCM P-256";
    }
}

int bench_mode_is_psk(bench_mode mode)
{
    return mode != BENCH_ECDSA_GCM;
}

/* ------------------------------------------------------------ the shim */

/* Which suite list each live backend configuration gets at config_finish. */
#define SHIM_SLOTS 64
static struct {
    void *cfg;
    const int *suites;
} shim_map[SHIM_SLOTS];
static const int *shim_next_suites; /* for the next config_new */
static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;

void bench_shim_next(bench_mode mode)
{
    pthread_mutex_lock(&shim_lock);
    shim_next_suites = bench_mode_suites(mode);
    pthread_mutex_unlock(&shim_lock);
}

void bench_shim_clear(void)
{
    pthread_mutex_lock(&shim_lock);
    shim_next_suites = NULL;
    pthread_mutex_unlock(&shim_lock);
}

static tls_stream_backend shim;

static int shim_config_new(const tls_stream_backend_env *env, void **out)
{
    int rc = tls_stream_backend_mbedtls()->config_new(env, out);
    int i;
    if (rc != TLS_STREAM_OK)
        return rc;
    pthread_mutex_lock(&shim_lock);
    for (i = 0; i < SHIM_SLOTS; i++) {
        if (shim_map[i].cfg == NULL) {
            shim_map[i].cfg = *out;
            shim_map[i].suites = shim_next_suites;
            pthread_mutex_unlock(&shim_lock);
            return TLS_STREAM_OK;
        }
    }
    bench_die("too many live configurations");
    return TLS_STREAM_ERR_INTERNAL;
}

static int shim_config_finish(void *vcfg, const tls_stream_settings *st)
{
    tls_stream_mbt_config *cfg = vcfg;
    int rc = tls_stream_backend_mbedtls()->config_finish(vcfg, st);
    int i;
    if (rc != TLS_STREAM_OK)
        return rc;
    pthread_mutex_lock(&shim_lock);
    for (i = 0; i < SHIM_SLOTS; i++) {
        if (shim_map[i].cfg == vcfg && shim_map[i].suites != NULL)
            mbedtls_ssl_conf_ciphersuites(&cfg->conf, shim_map[i].suites);
    }
    pthread_mutex_unlock(&shim_lock);
    bench_conf_p256(&cfg->conf);
    bench_conf_tls12(&cfg->conf);
    return TLS_STREAM_OK;
}

static void shim_config_free(void *vcfg)
{
    int i;
    pthread_mutex_lock(&shim_lock);
    for (i = 0; i < SHIM_SLOTS; i++) {
        if (shim_map[i].cfg == vcfg)
            shim_map[i].cfg = NULL;
    }
    pthread_mutex_unlock(&shim_lock);
    tls_stream_backend_mbedtls()->config_free(vcfg);
}

const tls_stream_backend *bench_backend(void)
{
    if (shim.config_new == NULL) {
        shim = *tls_stream_backend_mbedtls();
        shim.config_new = shim_config_new;
        shim.config_finish = shim_config_finish;
        shim.config_free = shim_config_free;
    }
    return &shim;
}

int bench_config_new(tls_stream_config **out, bench_mode mode, tls_stream_role role,
                     const tls_stream_allocator *alloc)
{
    tls_stream_config *cfg;
    int rc;
    /* the public calls force the same single suite and curve as the raw
     * side; only ussl configurations, which have no suite keyword, need the
     * shim (bench_backend()) */
    rc = tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), role,
                               alloc != NULL ? alloc : tls_test_allocator());
    if (rc != TLS_STREAM_OK)
        return rc;
    rc = tls_stream_config_set_ciphersuites(cfg, mode_suite_names(mode));
    if (rc == TLS_STREAM_OK) /* the raw side speaks TLS 1.2: so do we */
        rc = tls_stream_config_set_version(cfg, TLS_STREAM_TLS1_2, TLS_STREAM_TLS1_2);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_groups(cfg, group_names);
    if (rc != TLS_STREAM_OK) {
        tls_stream_config_free(cfg);
        return rc;
    }
    if (bench_mode_is_psk(mode)) {
        if (role == TLS_STREAM_CLIENT)
            rc = tls_stream_config_set_psk(cfg, g_psk_identity, strlen(g_psk_identity), g_psk_key,
                                    sizeof g_psk_key);
        else
            rc = tls_stream_config_add_psk(cfg, g_psk_identity, strlen(g_psk_identity), g_psk_key,
                                    sizeof g_psk_key);
    } else if (role == TLS_STREAM_CLIENT) {
        rc = tls_stream_config_add_ca(cfg, g_creds.ca, g_creds.ca_len);
        if (rc == TLS_STREAM_OK)
            rc = tls_stream_config_set_server_name(cfg, BENCH_SERVER_NAME);
    } else {
        rc = tls_stream_config_set_cert(cfg, g_creds.cert, g_creds.cert_len);
        if (rc == TLS_STREAM_OK)
            rc = tls_stream_config_set_key(cfg, g_creds.key, g_creds.key_len, NULL);
    }
    if (rc != TLS_STREAM_OK) {
        tls_stream_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return TLS_STREAM_OK;
}

tls_stream_io bench_pipe_io_noclose(void *pipe, int end)
{
    tls_stream_io io = tls_stream_mem_pipe_io((tls_stream_mem_pipe *)pipe, end);
    io.close = NULL;
    return io;
}
