# The `oneline` tool's man pages and bash completion, written from its --help
# each time the tool is linked (so they never lag behind it), and installed into
# share/man/man1 and share/bash-completion/completions. The man pages need
# help2man; without it the build goes on and says they are skipped. Neither is
# made where the built tool cannot run here (a cross build) or on Windows.
set(_docs_dir ${CMAKE_CURRENT_LIST_DIR})
find_program(BASH_PROGRAM bash)
find_program(HELP2MAN_PROGRAM help2man)
if(WIN32 OR CMAKE_CROSSCOMPILING OR NOT BASH_PROGRAM)
  message(STATUS "oneline: no man pages nor bash completion in this build (a cross build, Windows or no bash)")
else()
  set(ONELINE_MAN_DIR ${CMAKE_CURRENT_BINARY_DIR}/man)
  set(ONELINE_COMPLETION_FILE ${CMAKE_CURRENT_BINARY_DIR}/bash-completion/oneline)
  file(MAKE_DIRECTORY ${ONELINE_MAN_DIR} ${CMAKE_CURRENT_BINARY_DIR}/bash-completion)

  add_custom_command(TARGET oneline_cli POST_BUILD
    COMMAND ${BASH_PROGRAM} ${_docs_dir}/bash-completion.sh $<TARGET_FILE:oneline_cli> ${ONELINE_COMPLETION_FILE}
    COMMENT "Writing the bash completion of oneline from its --help"
    VERBATIM)
  install(FILES ${ONELINE_COMPLETION_FILE} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

  if(HELP2MAN_PROGRAM)
    add_custom_command(TARGET oneline_cli POST_BUILD
      COMMAND ${BASH_PROGRAM} ${_docs_dir}/man-pages.sh $<TARGET_FILE:oneline_cli> ${ONELINE_MAN_DIR} ${_docs_dir}
      COMMENT "Writing the man pages of oneline from its --help (help2man)"
      VERBATIM)
    install(DIRECTORY ${ONELINE_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1")
  else()
    message(STATUS "oneline: help2man not found, the man pages are skipped (Debian: apt-get install help2man)")
    add_custom_command(TARGET oneline_cli POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E echo "oneline: help2man not found, the man pages are skipped"
      VERBATIM)
  endif()
  if(ONELINE_BUILD_TESTS)
    # The help, the man pages, the completion (in real bash) and docs/cli.md held against the built tool;
    # every code block of README.md and docs/ compiled, parsed or run against the build; PyVISA as the
    # docs describe it.
    add_test(NAME cli_docs_pytest
             COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider --noconftest
                     ${PROJECT_SOURCE_DIR}/ver/test_cli_docs.py ${PROJECT_SOURCE_DIR}/ver/test_docs_blocks.py
                     ${PROJECT_SOURCE_DIR}/ver/test_pyvisa.py
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(cli_docs_pytest PROPERTIES
      LABELS cli
      TIMEOUT 300
      ENVIRONMENT "ONELINE_BIN=$<TARGET_FILE:oneline_cli>;ONELINE_BUILD_DIR=${PROJECT_BINARY_DIR}")
  endif()
  # The generators and the pages' hand-written parts make the tool relink, which writes them again.
  file(GLOB _man_parts CONFIGURE_DEPENDS ${_docs_dir}/*.h2m)
  set_property(TARGET oneline_cli APPEND PROPERTY LINK_DEPENDS
    ${_docs_dir}/help.sh ${_docs_dir}/bash-completion.sh ${_docs_dir}/man-pages.sh ${_man_parts})
  unset(_man_parts)
endif()
unset(_docs_dir)
