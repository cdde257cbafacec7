# MicroPython user C module (CMake ports: esp32, rp2): the native `tls`
# module on tls_stream. Pass USER_C_MODULES=<repo>/examples/micropython/micropython.cmake
# and turn MicroPython's own TLS module off (MICROPY_PY_SSL=0 in the board's
# config); link mbedtls as the port does (the port's mbedtls target).
add_library(usermod_tls_stream INTERFACE)

get_filename_component(TLS_STREAM_ROOT "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
include(${TLS_STREAM_ROOT}/cmake/tls_stream_files.cmake)

target_sources(usermod_tls_stream INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}/mod_tls.c
    ${CMAKE_CURRENT_LIST_DIR}/tls_context.c
    ${CMAKE_CURRENT_LIST_DIR}/tls_socket.c
    ${CMAKE_CURRENT_LIST_DIR}/tls_io.c
    ${CMAKE_CURRENT_LIST_DIR}/tls_raise.c
    ${CMAKE_CURRENT_LIST_DIR}/tls_alloc.c
    ${CMAKE_CURRENT_LIST_DIR}/tls_backend.c
    ${TLS_STREAM_CORE_SOURCES}
    ${TLS_STREAM_MBEDTLS_SOURCES}
    ${TLS_STREAM_NO_ALLOC_SOURCES}
)

target_include_directories(usermod_tls_stream INTERFACE
    ${CMAKE_CURRENT_LIST_DIR}
    ${TLS_STREAM_INCLUDE_DIR}
)

target_compile_definitions(usermod_tls_stream INTERFACE MICROPY_PY_TLS_STREAM=1)

target_link_libraries(usermod INTERFACE usermod_tls_stream)
