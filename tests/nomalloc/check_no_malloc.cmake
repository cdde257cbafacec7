# cmake -DNM=<nm> -DARCHIVES=<a.a,b.a,...> [-DCONTROL=<c.a>] -P check_no_malloc.cmake
#
# Fails when one of ARCHIVES (our layers' static libraries) has an undefined
# reference to a C library allocation function: a build without a default
# allocator must allocate only through the allocator hook. CONTROL, when
# given, is an archive that does call malloc (the POSIX file loaders return
# malloc'ed buffers by contract): the check must flag it, which proves it
# can fail. mbedtls's own library is not checked: it allocates with calloc.
set(_alloc_fns malloc calloc realloc free reallocarray aligned_alloc posix_memalign memalign
  valloc pvalloc strdup strndup)
if(NOT NM)
  message(FATAL_ERROR "FAIL: no nm (CMAKE_NM is empty)")
endif()

# _tls_alloc_refs(<archive> <out var>): the allocation functions it references.
function(_tls_alloc_refs archive out)
  if(NOT EXISTS "${archive}")
    message(FATAL_ERROR "FAIL: ${archive} does not exist")
  endif()
  execute_process(COMMAND "${NM}" -u -P "${archive}" RESULT_VARIABLE rc
    OUTPUT_VARIABLE text ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "FAIL: ${NM} -u -P ${archive}: ${rc} ${err}")
  endif()
  string(REGEX MATCHALL "[^\n]+ U[^\n]*" lines "${text}")
  if(NOT lines)
    message(FATAL_ERROR "FAIL: no undefined symbol at all in ${archive}: nm output not understood")
  endif()
  set(found)
  foreach(line ${lines})
    string(REGEX REPLACE " U.*$" "" sym "${line}")
    string(REGEX REPLACE "@.*$" "" sym "${sym}")
    list(FIND _alloc_fns "${sym}" i)
    if(i GREATER -1)
      list(APPEND found "${sym}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES found)
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

if(CONTROL)
  _tls_alloc_refs("${CONTROL}" refs)
  if(NOT refs)
    message(FATAL_ERROR "FAIL: the check does not see malloc/free in ${CONTROL}, which uses them")
  endif()
  message(STATUS "control: ${CONTROL} references ${refs} (as expected)")
endif()

string(REPLACE "," ";" ARCHIVES "${ARCHIVES}")
if(NOT ARCHIVES)
  message(FATAL_ERROR "FAIL: no archive to check")
endif()
set(bad 0)
foreach(a ${ARCHIVES})
  _tls_alloc_refs("${a}" refs)
  if(refs)
    message(STATUS "FAIL: ${a} references ${refs}")
    set(bad 1)
  else()
    message(STATUS "ok: ${a} references no allocation function")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "FAIL: a layer of ours calls the C library's allocator")
endif()
