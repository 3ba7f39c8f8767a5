# Warnings and sanitizers for the project's own targets.

if(OXYDRA_SANITIZE)
  add_compile_options(-fsanitize=${OXYDRA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${OXYDRA_SANITIZE})
  # GCC warns that TSan does not model std::atomic_thread_fence, which asio's
  # handlers use; the warning is about asio's headers, not our code.
  if(OXYDRA_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
  endif()
endif()

# Unity builds (the presets' default: a third of the cold build time on two
# cores) put several .cc files in one translation unit; GCC then sees their
# anonymous-namespace types as coming from headers and warns wrongly.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-subobject-linkage)
endif()

# Fuzzing instruments the libraries under test as well as the fuzz targets.
if(OXYDRA_BUILD_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined)
endif()

# Applied to every target the project defines (never to third-party code).
function(oxydra_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wformat=2
    $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>)
endfunction()

# oxydra_library(NAME <name> SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ...)
# A library target oxydra_<name> (alias oxydra::<name>) with include/ public, src/ private.
function(oxydra_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(oxydra_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(oxydra::${ARG_NAME} ALIAS oxydra_${ARG_NAME})
  target_include_directories(oxydra_${ARG_NAME}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(oxydra_${ARG_NAME} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  oxydra_target_defaults(oxydra_${ARG_NAME})
endfunction()

# oxydra_test(NAME <name> SOURCES ... DEPS ... [LABELS ...] [LOCK <resource>])
# Every test case is its own ctest entry, named <name>.<Suite>.<Case>, so a
# failure names the case. Cases are listed when ctest runs (PRE_TEST), not at
# build time. Tests find binaries, sources and images without ctest's
# environment (testlib/paths.h), so a case runs the same by hand.
include(GoogleTest)
function(oxydra_test)
  cmake_parse_arguments(ARG "" "NAME;LOCK" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  oxydra_target_defaults(${ARG_NAME})
  # One label per test (a list would be split by the discovery script).
  set(label unit)
  if(ARG_LABELS)
    set(label ${ARG_LABELS})
  endif()
  # Cases that share a host resource (a fixed user's guests) run one at a time.
  set(lock "")
  if(ARG_LOCK)
    set(lock RESOURCE_LOCK ${ARG_LOCK})
  endif()
  gtest_discover_tests(${ARG_NAME}
    TEST_PREFIX "${ARG_NAME}."
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT 600 LABELS ${label} ${lock})
endfunction()

# Binaries land in one place so integration tests can find them.
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
