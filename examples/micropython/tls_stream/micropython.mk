# MicroPython user C module (make): the native `tls` module on tls_stream.
#
#   make -C ports/unix USER_C_MODULES=<repo>/examples/micropython \
#        MICROPY_PY_SSL=0 MICROPY_SSL_MBEDTLS=0
#
# MicroPython's own TLS module must be off (both define `tls`). The library's
# mbedtls backend links the platform's mbedtls (here Debian's libmbedtls;
# a firmware port builds mbedtls itself and drops the -l flags).
TLS_STREAM_MOD_DIR := $(USERMOD_DIR)
TLS_STREAM_ROOT := $(abspath $(USERMOD_DIR)/../../..)

SRC_USERMOD_C += $(addprefix $(TLS_STREAM_MOD_DIR)/,\
	mod_tls.c tls_context.c tls_socket.c tls_io.c tls_raise.c tls_alloc.c tls_backend.c)

# The library: core, mbedtls backend (with what the backends share), no
# default allocator (we pass ours).
SRC_USERMOD_LIB_C += $(wildcard $(TLS_STREAM_ROOT)/src/core/*.c) \
	$(wildcard $(TLS_STREAM_ROOT)/src/backend/mbedtls/*.c) \
	$(wildcard $(TLS_STREAM_ROOT)/src/backend/common/*.c) \
	$(TLS_STREAM_ROOT)/src/platform/alloc_none.c

CFLAGS_USERMOD += -I$(TLS_STREAM_ROOT)/include -DMICROPY_PY_TLS_STREAM=1
TLS_STREAM_MBEDTLS_LIBS ?= -lmbedtls -lmbedx509 -lmbedcrypto
LDFLAGS_USERMOD += $(TLS_STREAM_MBEDTLS_LIBS)
