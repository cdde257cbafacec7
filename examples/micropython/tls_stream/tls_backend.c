/*
 * The crypto backend of this module: tls_stream's mbedtls backend. What the
 * module needs beyond the library's API comes from mbedtls's public headers:
 * its version (tls.MBEDTLS_VERSION), its cipher suite list (get_ciphers)
 * and the symbolic names MicroPython gives its error codes
 * (OSError(-29312, 'MBEDTLS_ERR_SSL_CONN_EOF')). Another backend would
 * replace this file only.
 */
#include <string.h>

#include "mbedtls/error.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_ciphersuites.h"
#include "mbedtls/version.h"
#include "mbedtls/x509.h"

#include "py/objstr.h"
#include "py/runtime.h"

#include "mod_tls.h"
#include "tls_stream/mbedtls.h"

MP_DEFINE_STR_OBJ(mp_tls_backend_version_obj, MBEDTLS_VERSION_STRING_FULL);

const tls_stream_backend *mp_tls_backend(void)
{
    return tls_stream_backend_mbedtls();
}

mp_obj_t mp_tls_backend_ciphers(void)
{
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (const int *id = mbedtls_ssl_list_ciphersuites(); *id != 0; id++) {
        const char *name = mbedtls_ssl_get_ciphersuite_name(*id);
        mp_obj_list_append(list, mp_obj_new_str_from_cstr(name));
    }
    return list;
}

bool mp_tls_backend_cipher_known(const char *name)
{
    return mbedtls_ssl_get_ciphersuite_id(name) != 0;
}

int mp_tls_backend_bad_config_code(void)
{
    return MBEDTLS_ERR_SSL_BAD_CONFIG;
}

#define NAME(code) { code, #code }
static const struct {
    int code;
    const char *name;
} names[] = {
    NAME(MBEDTLS_ERR_SSL_CONN_EOF),
    NAME(MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE),
    NAME(MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE),
    NAME(MBEDTLS_ERR_SSL_BAD_CONFIG),
    NAME(MBEDTLS_ERR_SSL_BAD_INPUT_DATA),
    NAME(MBEDTLS_ERR_SSL_INVALID_MAC),
    NAME(MBEDTLS_ERR_SSL_INVALID_RECORD),
    NAME(MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE),
    NAME(MBEDTLS_ERR_SSL_UNEXPECTED_RECORD),
    NAME(MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY),
    NAME(MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY),
    NAME(MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE),
#ifdef MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN /* 2.28 */
    NAME(MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN),
#endif
    NAME(MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED),
    NAME(MBEDTLS_ERR_SSL_PRIVATE_KEY_REQUIRED),
    NAME(MBEDTLS_ERR_SSL_ALLOC_FAILED),
    NAME(MBEDTLS_ERR_SSL_INTERNAL_ERROR),
    NAME(MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE),
    NAME(MBEDTLS_ERR_SSL_PK_TYPE_MISMATCH),
#ifdef MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE /* 3.x */
    NAME(MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE),
#endif
#ifdef MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION /* 3.x */
    NAME(MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION),
#endif
    NAME(MBEDTLS_ERR_X509_CERT_VERIFY_FAILED),
    NAME(MBEDTLS_ERR_X509_BAD_INPUT_DATA),
    NAME(MBEDTLS_ERR_PK_BAD_INPUT_DATA),
    NAME(MBEDTLS_ERR_ERROR_GENERIC_ERROR),
};

const char *mp_tls_backend_code_name(int code)
{
    for (size_t i = 0; i < MP_ARRAY_SIZE(names); i++) {
        if (names[i].code == code)
            return names[i].name;
    }
    return NULL;
}
