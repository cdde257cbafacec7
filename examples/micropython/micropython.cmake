# USER_C_MODULES entry for CMake ports: every module of this folder.
include(${CMAKE_CURRENT_LIST_DIR}/tls_stream/micropython.cmake)
