# `cmake --install` puts the headers (with the generated oneline/version.hpp),
# the library, the `oneline` tool and a CMake package into the prefix, so that
# another project can write find_package(oneline) and link oneline::oneline.
include(CMakePackageConfigHelpers)

set(ONELINE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/oneline
    CACHE STRING "Where the oneline CMake package is installed, relative to the prefix")

install(TARGETS oneline EXPORT onelineTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/oneline
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/oneline/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/oneline)
if(TARGET oneline_cli)
  install(TARGETS oneline_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT onelineTargets NAMESPACE oneline:: DESTINATION ${ONELINE_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/onelineConfig.cmake.in
  ${PROJECT_BINARY_DIR}/onelineConfig.cmake
  INSTALL_DESTINATION ${ONELINE_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/onelineConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/onelineConfig.cmake ${PROJECT_BINARY_DIR}/onelineConfigVersion.cmake
  DESTINATION ${ONELINE_INSTALL_CMAKEDIR})

if(ONELINE_BUILD_TESTS AND TARGET oneline_cli)
  # Installs this build into a scratch prefix, then configures, builds and runs
  # a tiny consumer project against it (test/consumer). The consumer links with
  # this build's link options, so sanitizer and coverage builds work too.
  get_directory_property(consumer_link_options DIRECTORY ${PROJECT_SOURCE_DIR} LINK_OPTIONS)
  string(REPLACE ";" " " consumer_link_options "${consumer_link_options}")
  # A toolchain file given by a relative path (as the README shows) names one under the source
  # tree; the consumer is configured elsewhere, so it gets the absolute path.
  set(consumer_toolchain_file "")
  if(CMAKE_TOOLCHAIN_FILE)
    get_filename_component(consumer_toolchain_file "${CMAKE_TOOLCHAIN_FILE}" ABSOLUTE BASE_DIR "${PROJECT_SOURCE_DIR}")
  endif()
  add_test(NAME install_consumer
    COMMAND ${CMAKE_COMMAND}
      -DBUILD_DIR=${PROJECT_BINARY_DIR}
      -DCONSUMER_SOURCE_DIR=${PROJECT_SOURCE_DIR}/test/consumer
      -DWORK_DIR=${PROJECT_BINARY_DIR}/consumer-test
      -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
      -DTOOLCHAIN_FILE=${consumer_toolchain_file}
      "-DEMULATOR=${CMAKE_CROSSCOMPILING_EMULATOR}"
      -DEXECUTABLE_SUFFIX=${CMAKE_EXECUTABLE_SUFFIX}
      -DLINK_OPTIONS=${consumer_link_options}
      -DEXPECTED_VERSION=${PROJECT_VERSION}
      -DCONFIG=$<CONFIG>
      -P ${PROJECT_SOURCE_DIR}/test/consumer/run_consumer_test.cmake)
  set_tests_properties(install_consumer PROPERTIES LABELS install TIMEOUT 600 RUN_SERIAL TRUE)
endif()
