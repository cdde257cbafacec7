/*
 * One program, two TLS libraries: libtls (tls_init, tls_config_new...) and
 * ours (tls_stream_...). Links only if no symbol collides; runs a call of
 * each and checks both answered as their own library would.
 */
#include <stdio.h>
#include <tls.h>

#include "tls_stream/mbedtls.h"
#include "tls_stream/tls_stream.h"

#include "consumer/app_alloc.h"

int main(void)
{
    struct tls_config *theirs;
    tls_stream_config *ours = NULL;
    int rc;

    if (tls_init() != 0 || (theirs = tls_config_new()) == NULL) {
        fprintf(stderr, "libtls: tls_init/tls_config_new failed\n");
        return 1;
    }
    rc = tls_stream_config_new(&ours, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT, &app_allocator);
    if (rc != TLS_STREAM_OK || ours == NULL) {
        fprintf(stderr, "tls_stream_config_new: %d\n", rc);
        return 1;
    }
    /* each library's own setter on its own object */
    if (tls_config_set_ciphers(theirs, "secure") != 0) {
        fprintf(stderr, "libtls: tls_config_set_ciphers failed\n");
        return 1;
    }
    rc = tls_stream_config_set_verify_depth(ours, 3);
    if (rc != TLS_STREAM_OK) {
        fprintf(stderr, "tls_stream_config_set_verify_depth: %d\n", rc);
        return 1;
    }
    tls_config_free(theirs);
    tls_stream_config_free(ours);
    printf("libtls and tls_stream linked together\n");
    return 0;
}
