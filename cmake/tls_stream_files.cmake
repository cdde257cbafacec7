# Source and include lists of tls_stream, for firmware builds that do not use
# our CMakeLists.txt: include() this file, then compile the lists you need.
#
#   TLS_STREAM_INCLUDE_DIR        public headers (add to the include path)
#   TLS_STREAM_CORE_SOURCES       portable core (C99, freestanding headers)
#   TLS_STREAM_USSL_SOURCES       MicroPython-compatible wrapper (portable)
#   TLS_STREAM_MEM_PIPE_SOURCES   in-memory pipe (portable)
#   TLS_STREAM_MBEDTLS_SOURCES    mbedtls backend (needs mbedtls headers)
#   TLS_STREAM_OPENSSL_SOURCES    OpenSSL 3 backend (needs OpenSSL headers, links libssl)
#   TLS_STREAM_POSIX_SOURCES      fd stream and file loaders (POSIX only)
#   TLS_STREAM_STDLIB_ALLOC_SOURCES  default allocator (malloc/free)
#   TLS_STREAM_NO_ALLOC_SOURCES   no default allocator (pass one to tls_stream_config_new)
#
# Compile-time options (e.g. -DTLS_STREAM_NO_MESSAGES=1): include/tls_stream/options.h
get_filename_component(_tls_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(TLS_STREAM_INCLUDE_DIR "${_tls_root}/include")
file(GLOB TLS_STREAM_CORE_SOURCES CONFIGURE_DEPENDS "${_tls_root}/src/core/*.c")
file(GLOB TLS_STREAM_USSL_SOURCES CONFIGURE_DEPENDS "${_tls_root}/src/ussl/*.c")
file(GLOB TLS_STREAM_MBEDTLS_SOURCES CONFIGURE_DEPENDS "${_tls_root}/src/backend/mbedtls/*.c")
file(GLOB TLS_STREAM_OPENSSL_SOURCES CONFIGURE_DEPENDS "${_tls_root}/src/backend/openssl/*.c")
set(TLS_STREAM_MEM_PIPE_SOURCES "${_tls_root}/src/io/mem_pipe.c")
file(GLOB TLS_STREAM_POSIX_SOURCES CONFIGURE_DEPENDS "${_tls_root}/src/io/posix*.c")
set(TLS_STREAM_STDLIB_ALLOC_SOURCES "${_tls_root}/src/platform/alloc_stdlib.c")
set(TLS_STREAM_NO_ALLOC_SOURCES "${_tls_root}/src/platform/alloc_none.c")
unset(_tls_root)
