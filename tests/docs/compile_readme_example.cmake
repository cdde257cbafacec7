# Extract the first ```c block after "## Example" from README and compile it
# with -Wall -Wextra -Werror (object only: it is a function, not a program).
# CC compiles it; FLAGS (a list) picks the language: C99 by default
# (tests/cxx passes a C++ compiler and -std=c++11;-pedantic).
if(NOT DEFINED FLAGS)
  set(FLAGS -std=c99 -Wno-missing-prototypes)
endif()
file(READ "${README}" text)
string(FIND "${text}" "## Example" at)
if(at LESS 0)
  message(FATAL_ERROR "README has no '## Example' section")
endif()
string(SUBSTRING "${text}" ${at} -1 text)
string(FIND "${text}" "```c\n" start)
string(SUBSTRING "${text}" ${start} -1 text)
string(LENGTH "```c\n" skip)
string(SUBSTRING "${text}" ${skip} -1 text)
string(FIND "${text}" "```" stop)
string(SUBSTRING "${text}" 0 ${stop} code)
file(WRITE "${OUT}" "${code}")
execute_process(
  COMMAND "${CC}" ${FLAGS} -Wall -Wextra -Werror -I "${INCLUDE}"
          -c "${OUT}" -o "${OUT}.o"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "README example does not compile:\n${out}")
endif()
message(STATUS "README example compiles")
