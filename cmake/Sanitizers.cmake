# Applies ONELINE_SANITIZER to every target of the build.
if(ONELINE_SANITIZER STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC's flow analysis under ASan's instrumentation flags a std::variant's string member as maybe
    # uninitialized (GCC 12, src/device/python_value.cpp); the plain builds keep the warning.
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
elseif(ONELINE_SANITIZER STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT ONELINE_SANITIZER STREQUAL "")
  message(FATAL_ERROR "ONELINE_SANITIZER must be empty, 'address' or 'thread', not '${ONELINE_SANITIZER}'")
endif()

if(ONELINE_COVERAGE)
  add_compile_options(--coverage -O0)
  add_link_options(--coverage)
endif()
