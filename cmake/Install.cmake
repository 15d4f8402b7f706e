# `cmake --install` puts the headers (with the generated oneline/version.hpp and
# oneline/export.hpp), the library, the `oneline` tool, a CMake package and a pkg-config file
# into the prefix, so that another project can write find_package(oneline) and link
# oneline::oneline, or ask `pkg-config oneline`. A static and a shared build may be installed
# into one prefix: each brings its own targets file, and the package picks one (see
# onelineConfig.cmake.in).
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
install(FILES ${PROJECT_BINARY_DIR}/include/oneline/version.hpp ${PROJECT_BINARY_DIR}/include/oneline/export.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/oneline)
if(TARGET oneline_cli)
  install(TARGETS oneline_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CHANGELOG.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
if(NOT WIN32)
  # Where a Debian system looks for a package's license.
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)
endif()

get_target_property(oneline_type oneline TYPE)
if(oneline_type STREQUAL "SHARED_LIBRARY")
  set(oneline_targets_kind shared)
else()
  set(oneline_targets_kind static)
endif()
install(EXPORT onelineTargets NAMESPACE oneline:: DESTINATION ${ONELINE_INSTALL_CMAKEDIR}
  FILE onelineTargets-${oneline_targets_kind}.cmake)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/onelineConfig.cmake.in
  ${PROJECT_BINARY_DIR}/onelineConfig.cmake
  INSTALL_DESTINATION ${ONELINE_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/onelineConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/onelineConfig.cmake ${PROJECT_BINARY_DIR}/onelineConfigVersion.cmake
  DESTINATION ${ONELINE_INSTALL_CMAKEDIR})

# pkg-config: the file finds the prefix from where it lies (${pcfiledir}), so that a package made
# from this build (CPack installs under its own prefix) names the right directories. A static build
# names what its users must link besides (threads); a shared build leaves that to the library and
# lists it for `pkg-config --static`.
set(oneline_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(oneline_pc_prefix "${CMAKE_INSTALL_PREFIX}")
  set(oneline_pc_libdir "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(oneline_pc_includedir "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH oneline_pc_up /root/${oneline_pc_dir} /root)
  string(REGEX REPLACE "/$" "" oneline_pc_up "${oneline_pc_up}")
  set(oneline_pc_prefix "\${pcfiledir}/${oneline_pc_up}")
  set(oneline_pc_libdir "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(oneline_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
if(oneline_targets_kind STREQUAL "shared")
  set(oneline_pc_cflags "")
  set(oneline_pc_libs "")
  set(oneline_pc_libs_private "-pthread")
else()
  set(oneline_pc_cflags " -DONELINE_STATIC_DEFINE")
  set(oneline_pc_libs " -pthread")
  set(oneline_pc_libs_private "")
endif()
if(WIN32)
  string(APPEND oneline_pc_libs " -lws2_32")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/oneline.pc.in ${PROJECT_BINARY_DIR}/oneline.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/oneline.pc DESTINATION ${oneline_pc_dir})

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

if(ONELINE_BUILD_TESTS AND TARGET oneline_cli AND NOT WIN32 AND NOT CMAKE_CROSSCOMPILING)
  # The Debian package made from this build (and a shared build of the library beside it),
  # installed on this machine with dpkg -i, used, and removed (skips when not root).
  add_test(NAME package_deb
           COMMAND ${PROJECT_SOURCE_DIR}/test/package/deb_test.sh --build ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(package_deb PROPERTIES LABELS package TIMEOUT 600 RUN_SERIAL TRUE SKIP_RETURN_CODE 77)
endif()

if(ONELINE_BUILD_TESTS AND NOT CMAKE_CROSSCOMPILING AND NOT WIN32)
  # oneline built by another project with add_subdirectory (as FetchContent does): the library
  # alone, static and shared; the shared one with its SONAME and only the public API exported.
  foreach(kind static shared)
    add_test(NAME subproject_consumer_${kind}
             COMMAND ${PROJECT_SOURCE_DIR}/test/subproject/run.sh ${PROJECT_SOURCE_DIR}
                     ${PROJECT_BINARY_DIR}/subproject-${kind} ${PROJECT_VERSION} ${kind})
    set_tests_properties(subproject_consumer_${kind} PROPERTIES LABELS install TIMEOUT 600)
  endforeach()
endif()
