# Warnings and sanitizers for the project's own targets.

if(OXYDRA_SANITIZE)
  add_compile_options(-fsanitize=${OXYDRA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${OXYDRA_SANITIZE})
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

# oxydra_test(NAME <name> SOURCES ... DEPS ... [LABELS ...])
function(oxydra_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  oxydra_target_defaults(${ARG_NAME})
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  set_tests_properties(${ARG_NAME} PROPERTIES
    ENVIRONMENT "OXYDRA_BIN_DIR=${CMAKE_BINARY_DIR}/bin;OXYDRA_SOURCE_DIR=${CMAKE_SOURCE_DIR};OXYDRA_IMAGES_DIR=${OXYDRA_IMAGES_DIR}"
    TIMEOUT 600)
  if(ARG_LABELS)
    set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# Binaries land in one place so integration tests can find them.
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
