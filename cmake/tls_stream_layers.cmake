# The library's targets, one per layer, and the umbrella.
#
#   tls_stream::core       config, stream, errors (+ the default allocator)
#   tls_stream::ussl       MicroPython-compatible wrap_socket layer
#   tls_stream::mem_pipe   in-memory pipe transport
#   tls_stream::posix      fd transport and file loaders        (TLS_STREAM_WITH_POSIX)
#   tls_stream::mbedtls    mbedtls backend                      (TLS_STREAM_WITH_MBEDTLS)
#   tls_stream::openssl    OpenSSL 3 backend                    (TLS_STREAM_WITH_OPENSSL)
#   tls_stream::tls_stream every layer that was built
#
# Static builds (the default) give one archive per layer, so a firmware link
# pulls in only the layers it names. A shared build gives one libtls_stream
# holding every built layer: the layers share internal helpers that stay
# hidden (-fvisibility=hidden; only TLS_STREAM_API functions are exported),
# and the per-layer targets then name that one library.
#
# TLS_STREAM_LAYERS lists the layers built, for the package files.

set(TLS_STREAM_LAYERS core ussl mem_pipe)
if(TLS_STREAM_WITH_POSIX)
  list(APPEND TLS_STREAM_LAYERS posix)
endif()
if(TLS_STREAM_WITH_MBEDTLS)
  list(APPEND TLS_STREAM_LAYERS mbedtls)
endif()
if(TLS_STREAM_WITH_OPENSSL)
  list(APPEND TLS_STREAM_LAYERS openssl)
endif()

set(_tls_layer_core_sources ${TLS_STREAM_CORE_SOURCES})
if(TLS_STREAM_STDLIB_ALLOC)
  list(APPEND _tls_layer_core_sources ${TLS_STREAM_STDLIB_ALLOC_SOURCES})
else()
  list(APPEND _tls_layer_core_sources ${TLS_STREAM_NO_ALLOC_SOURCES})
endif()
set(_tls_layer_ussl_sources ${TLS_STREAM_USSL_SOURCES})
set(_tls_layer_mem_pipe_sources ${TLS_STREAM_MEM_PIPE_SOURCES})
set(_tls_layer_posix_sources ${TLS_STREAM_POSIX_SOURCES})
set(_tls_layer_mbedtls_sources ${TLS_STREAM_MBEDTLS_SOURCES})
# What each layer needs: other layers (public) and outside libraries (private:
# no public header of ours exposes an mbedtls type).
set(_tls_layer_ussl_deps core)
set(_tls_layer_mem_pipe_deps core)
set(_tls_layer_posix_deps core ussl)
set(_tls_layer_mbedtls_deps core)
set(_tls_layer_mbedtls_private MbedTLS::mbedtls)
set(_tls_layer_openssl_sources ${TLS_STREAM_OPENSSL_SOURCES})
set(_tls_layer_openssl_deps core)
set(_tls_layer_openssl_private OpenSSL::SSL)

# Settings every compiled layer shares.
function(_tls_stream_compile_setup target)
  target_compile_features(${target} PUBLIC c_std_99)
  set_target_properties(${target} PROPERTIES C_EXTENSIONS OFF C_VISIBILITY_PRESET hidden
    POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${TLS_STREAM_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_options(${target} PRIVATE ${TLS_STREAM_WARNINGS})
  target_compile_definitions(${target} PRIVATE TLS_STREAM_BUILDING)
  if(TLS_STREAM_NO_MESSAGES)
    # PUBLIC: the tests include options.h to know which texts to expect
    target_compile_definitions(${target} PUBLIC TLS_STREAM_NO_MESSAGES=1)
  endif()
endfunction()

if(BUILD_SHARED_LIBS)
  add_library(tls_stream SHARED)
  _tls_stream_compile_setup(tls_stream)
  target_compile_definitions(tls_stream PUBLIC TLS_STREAM_SHARED)
  set_target_properties(tls_stream PROPERTIES
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
  foreach(layer ${TLS_STREAM_LAYERS})
    target_sources(tls_stream PRIVATE ${_tls_layer_${layer}_sources})
    if(_tls_layer_${layer}_private)
      target_link_libraries(tls_stream PRIVATE ${_tls_layer_${layer}_private})
    endif()
    add_library(tls_stream_${layer} INTERFACE)
    target_link_libraries(tls_stream_${layer} INTERFACE tls_stream)
  endforeach()
else()
  add_library(tls_stream INTERFACE)
  foreach(layer ${TLS_STREAM_LAYERS})
    add_library(tls_stream_${layer} STATIC ${_tls_layer_${layer}_sources})
    _tls_stream_compile_setup(tls_stream_${layer})
    foreach(dep ${_tls_layer_${layer}_deps})
      target_link_libraries(tls_stream_${layer} PUBLIC tls_stream_${dep})
    endforeach()
    if(_tls_layer_${layer}_private)
      target_link_libraries(tls_stream_${layer} PRIVATE ${_tls_layer_${layer}_private})
    endif()
    target_link_libraries(tls_stream INTERFACE tls_stream_${layer})
  endforeach()
endif()

add_library(tls_stream::tls_stream ALIAS tls_stream)
foreach(layer ${TLS_STREAM_LAYERS})
  set_target_properties(tls_stream_${layer} PROPERTIES EXPORT_NAME ${layer})
  add_library(tls_stream::${layer} ALIAS tls_stream_${layer})
endforeach()
