/*
 * The rules every backend checks on a new session. The core refuses these
 * before a backend sees them; a backend checks them again to stay safe on
 * its own, and every backend says so in the same words.
 */
#include "backend_common.h"

int tls_stream_bk_check_session(const tls_stream_session_env *env, int finished, tls_stream_role role,
                                tls_stream_verify verify, int is_psk)
{
    if (env->io == NULL || env->io->read == NULL || env->io->write == NULL || env->detail == NULL)
        return TLS_STREAM_ERR_ARG;
    if (!finished)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_STATE, 0,
                                     TLS_STREAM_MSG("configuration not finished"));
    if (role == TLS_STREAM_CLIENT && verify != TLS_STREAM_VERIFY_NONE && !is_psk && env->server_name == NULL)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_CONFIG, 0,
                                     TLS_STREAM_MSG("verifying client without server name"));
    return TLS_STREAM_OK;
}
