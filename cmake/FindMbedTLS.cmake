# Find mbedtls (Debian's libmbedtls-dev ships no CMake package config).
# Defines MbedTLS::mbedtls, MbedTLS::mbedx509, MbedTLS::mbedcrypto and
# MbedTLS_VERSION. Prefers an installed MbedTLSConfig.cmake when present
# (mbedtls 3.x installs one: -DCMAKE_PREFIX_PATH=<its prefix>).
# TLS_STREAM_MBEDTLS_EXPECT (e.g. "3.6"): fail unless that version is found,
# so a build meant for one version never falls back to another silently.
function(_tls_stream_mbedtls_expect)
  if(TLS_STREAM_MBEDTLS_EXPECT AND NOT MbedTLS_VERSION MATCHES "^${TLS_STREAM_MBEDTLS_EXPECT}")
    message(FATAL_ERROR "mbedtls ${TLS_STREAM_MBEDTLS_EXPECT} expected, found '${MbedTLS_VERSION}'"
                        " (for 3.6: bash .ci/build-mbedtls36, then the mbedtls36 preset)")
  endif()
endfunction()

find_package(MbedTLS CONFIG QUIET)
if(TARGET MbedTLS::mbedtls)
  set(MbedTLS_FOUND TRUE)
  _tls_stream_mbedtls_expect()
  return()
endif()

find_path(MbedTLS_INCLUDE_DIR mbedtls/ssl.h)
find_library(MbedTLS_TLS_LIBRARY mbedtls)
find_library(MbedTLS_X509_LIBRARY mbedx509)
find_library(MbedTLS_CRYPTO_LIBRARY mbedcrypto)

if(MbedTLS_INCLUDE_DIR)
  foreach(_h build_info.h version.h)
    if(EXISTS "${MbedTLS_INCLUDE_DIR}/mbedtls/${_h}")
      file(STRINGS "${MbedTLS_INCLUDE_DIR}/mbedtls/${_h}" _v
           REGEX "^#define[ \t]+MBEDTLS_VERSION_STRING[ \t]+\"[0-9.]+\"")
      if(_v)
        string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" MbedTLS_VERSION "${_v}")
        break()
      endif()
    endif()
  endforeach()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(MbedTLS
  REQUIRED_VARS MbedTLS_INCLUDE_DIR MbedTLS_TLS_LIBRARY MbedTLS_X509_LIBRARY MbedTLS_CRYPTO_LIBRARY
  VERSION_VAR MbedTLS_VERSION)

if(MbedTLS_FOUND)
  foreach(_c CRYPTO X509 TLS)
    string(TOLOWER "${_c}" _l)
    if(_c STREQUAL "CRYPTO")
      set(_n mbedcrypto)
    elseif(_c STREQUAL "X509")
      set(_n mbedx509)
    else()
      set(_n mbedtls)
    endif()
    if(NOT TARGET MbedTLS::${_n})
      add_library(MbedTLS::${_n} UNKNOWN IMPORTED)
      set_target_properties(MbedTLS::${_n} PROPERTIES
        IMPORTED_LOCATION "${MbedTLS_${_c}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${MbedTLS_INCLUDE_DIR}")
    endif()
  endforeach()
  set_property(TARGET MbedTLS::mbedx509 PROPERTY INTERFACE_LINK_LIBRARIES MbedTLS::mbedcrypto)
  set_property(TARGET MbedTLS::mbedtls PROPERTY INTERFACE_LINK_LIBRARIES MbedTLS::mbedx509)
endif()
_tls_stream_mbedtls_expect()
mark_as_advanced(MbedTLS_INCLUDE_DIR MbedTLS_TLS_LIBRARY MbedTLS_X509_LIBRARY MbedTLS_CRYPTO_LIBRARY)
