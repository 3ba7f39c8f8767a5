# Reads images/names.env (KEY=VALUE lines) into CMake variables of the same
# names, and generates oxydra/types/guest_images.h from them, so scripts,
# code and tests name the guest images from one definition.
function(oxydra_generate_guest_image_names target)
  set(names_file ${PROJECT_SOURCE_DIR}/images/names.env)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${names_file})
  file(STRINGS ${names_file} lines REGEX "^[A-Z_]+=")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "^([A-Z_]+)=(.*)$" _ "${line}")
    set(${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  endforeach()
  foreach(required OXYDRA_IMAGE_SHELL_VM OXYDRA_IMAGE_OXYDRA_VM OXYDRA_IMAGE_DIR_CONTAINER
                   OXYDRA_IMAGE_DIR_MICRO_VM OXYDRA_GUEST_BIN_DIR OXYDRA_GUEST_LIB_DIR)
    if(NOT DEFINED ${required})
      message(FATAL_ERROR "${names_file}: ${required} is not defined")
    endif()
  endforeach()
  set(OXYDRA_IMAGE_TAG ${PROJECT_VERSION})
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/generated)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/guest_images.h.in
                 ${out_dir}/oxydra/types/guest_images.h @ONLY)
  target_include_directories(${target} PUBLIC ${out_dir})
endfunction()
