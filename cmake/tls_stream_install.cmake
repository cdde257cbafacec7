# Install rules: headers, the layers' libraries, a CMake package with one
# component per built layer, and one pkg-config file per built layer plus
# the umbrella tls_stream.pc. Only what was built is named.
include(CMakePackageConfigHelpers)

set(_tls_targets tls_stream)
foreach(layer ${TLS_STREAM_LAYERS})
  list(APPEND _tls_targets tls_stream_${layer})
endforeach()
install(TARGETS ${_tls_targets} EXPORT tls_streamTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${TLS_STREAM_INCLUDE_DIR}/tls_stream DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(_cfgdir ${CMAKE_INSTALL_LIBDIR}/cmake/tls_stream)
install(EXPORT tls_streamTargets NAMESPACE tls_stream:: DESTINATION ${_cfgdir})
# The package config needs the backend's library only where a static archive
# still has to link it.
if(NOT BUILD_SHARED_LIBS AND TLS_STREAM_WITH_MBEDTLS)
  set(TLS_STREAM_NEEDS_MBEDTLS ON)
else()
  set(TLS_STREAM_NEEDS_MBEDTLS OFF)
endif()
# An mbedtls found through its own package (3.x, e.g. build/deps/mbedtls-3.6):
# consumers look there first, so they link the mbedtls we were built with.
if(MbedTLS_DIR)
  set(TLS_STREAM_MBEDTLS_DIR "${MbedTLS_DIR}")
  get_filename_component(_tls_mbedtls_libdir "${MbedTLS_DIR}/../.." ABSOLUTE)
  set(_tls_pc_mbedtls_libdir "-L${_tls_mbedtls_libdir} ")
else()
  set(TLS_STREAM_MBEDTLS_DIR "")
  set(_tls_pc_mbedtls_libdir "")
endif()
if(NOT BUILD_SHARED_LIBS AND TLS_STREAM_WITH_OPENSSL)
  set(TLS_STREAM_NEEDS_OPENSSL ON)
else()
  set(TLS_STREAM_NEEDS_OPENSSL OFF)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tls_streamConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tls_streamConfig.cmake INSTALL_DESTINATION ${_cfgdir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tls_streamConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tls_streamConfig.cmake
  ${PROJECT_BINARY_DIR}/tls_streamConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindMbedTLS.cmake DESTINATION ${_cfgdir})

# pkg-config: tls_stream-<layer>.pc per layer, tls_stream.pc requires them all.
# Relocatable: the prefix is found from the .pc file's own folder.
file(RELATIVE_PATH TLS_PC_PREFIX_FROM_PCDIR "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" TLS_PC_PREFIX_FROM_PCDIR "${TLS_PC_PREFIX_FROM_PCDIR}")
set(_tls_pc_core_private "")
set(_tls_pc_mbedtls_private "${_tls_pc_mbedtls_libdir}-lmbedtls -lmbedx509 -lmbedcrypto")
set(_tls_pc_openssl_private "-lssl -lcrypto")
set(_tls_pc_all "")
foreach(layer ${TLS_STREAM_LAYERS})
  set(TLS_PC_NAME "tls_stream-${layer}")
  set(TLS_PC_DESCRIPTION "tls_stream layer: ${layer}")
  set(TLS_PC_REQUIRES "")
  foreach(dep ${_tls_layer_${layer}_deps})
    string(APPEND TLS_PC_REQUIRES " tls_stream-${dep}")
  endforeach()
  if(BUILD_SHARED_LIBS)
    set(TLS_PC_LIBS "-ltls_stream")
    set(TLS_PC_LIBS_PRIVATE "")
  else()
    set(TLS_PC_LIBS "-ltls_stream_${layer}")
    set(TLS_PC_LIBS_PRIVATE "${_tls_pc_${layer}_private}")
  endif()
  configure_file(${PROJECT_SOURCE_DIR}/cmake/tls_stream.pc.in
    ${PROJECT_BINARY_DIR}/pkgconfig/tls_stream-${layer}.pc @ONLY)
  string(APPEND _tls_pc_all " tls_stream-${layer}")
endforeach()
set(TLS_PC_NAME "tls_stream")
set(TLS_PC_DESCRIPTION "TLS on any byte stream, with a MicroPython ussl-compatible layer")
set(TLS_PC_REQUIRES "${_tls_pc_all}")
set(TLS_PC_LIBS "")
set(TLS_PC_LIBS_PRIVATE "")
configure_file(${PROJECT_SOURCE_DIR}/cmake/tls_stream.pc.in
  ${PROJECT_BINARY_DIR}/pkgconfig/tls_stream.pc @ONLY)
install(DIRECTORY ${PROJECT_BINARY_DIR}/pkgconfig/ DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
