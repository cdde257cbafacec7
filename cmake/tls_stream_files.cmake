# Source and include lists of tls_stream, for firmware builds that do not use
# our CMakeLists.txt: include() this file, then compile the lists you need.
#
#   TLS_STREAM_INCLUDE_DIR        public headers (add to the include path)
#   TLS_STREAM_CORE_SOURCES       portable core (C99, freestanding headers)
#   TLS_STREAM_USSL_SOURCES       MicroPython-compatible wrapper (portable)
#   TLS_STREAM_MEM_PIPE_SOURCES   in-memory pipe (portable)
#   TLS_STREAM_MBEDTLS_SOURCES    mbedtls backend (needs mbedtls headers)
#   TLS_STREAM_OPENSSL_SOURCES    OpenSSL 3 backend (needs OpenSSL headers, links libssl)
#   TLS_STREAM_BACKEND_COMMON_SOURCES  what the backends share (portable); already
#                                 in each backend list above: a build of two
#                                 backends into one library compiles it once
#   TLS_STREAM_POSIX_SOURCES      fd stream and file loaders (POSIX only)
#   TLS_STREAM_STDLIB_ALLOC_SOURCES  default allocator (malloc/free)
#   TLS_STREAM_NO_ALLOC_SOURCES   no default allocator (pass one to tls_stream_config_new)
#
# Core and ussl need exactly one of the two allocator lists.
# Compile-time options (e.g. -DTLS_STREAM_NO_MESSAGES=1): include/tls_stream/options.h
# Every file is listed by name: a file that is missing fails the build.
get_filename_component(_tls_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(TLS_STREAM_INCLUDE_DIR "${_tls_root}/include")

# _tls_stream_list(<var> <folder> <files...>): absolute paths under src/<folder>
macro(_tls_stream_list var dir)
  set(${var})
  foreach(_f ${ARGN})
    list(APPEND ${var} "${_tls_root}/src/${dir}/${_f}")
  endforeach()
endmacro()

_tls_stream_list(TLS_STREAM_CORE_SOURCES core
  alloc.c bytes.c config.c error.c psk_table.c stream.c stream_info.c)
_tls_stream_list(TLS_STREAM_USSL_SOURCES ussl
  ussl_error.c ussl_hex.c ussl_poll.c ussl_socket.c ussl_wrap.c)
_tls_stream_list(TLS_STREAM_MEM_PIPE_SOURCES io mem_pipe.c)
_tls_stream_list(TLS_STREAM_POSIX_SOURCES io posix_fd.c posix_files.c posix_ussl_files.c)
_tls_stream_list(TLS_STREAM_BACKEND_COMMON_SOURCES backend/common
  backend_alloc.c backend_checks.c backend_psk.c backend_text.c)
_tls_stream_list(TLS_STREAM_MBEDTLS_SOURCES backend/mbedtls
  mbedtls_backend.c mbedtls_certs.c mbedtls_config.c mbedtls_errors.c mbedtls_io.c
  mbedtls_resume.c mbedtls_session.c mbedtls_sigalgs.c mbedtls_wire.c)
list(APPEND TLS_STREAM_MBEDTLS_SOURCES ${TLS_STREAM_BACKEND_COMMON_SOURCES})
_tls_stream_list(TLS_STREAM_OPENSSL_SOURCES backend/openssl
  openssl_backend.c openssl_bio.c openssl_config.c openssl_errors.c openssl_load.c
  openssl_names.c openssl_psk.c openssl_resume.c openssl_session.c openssl_verify.c)
list(APPEND TLS_STREAM_OPENSSL_SOURCES ${TLS_STREAM_BACKEND_COMMON_SOURCES})
_tls_stream_list(TLS_STREAM_STDLIB_ALLOC_SOURCES platform alloc_stdlib.c)
_tls_stream_list(TLS_STREAM_NO_ALLOC_SOURCES platform alloc_none.c)
unset(_tls_root)
