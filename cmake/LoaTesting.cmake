find_package(doctest 2.4 REQUIRED CONFIG)
include(doctest)  # doctest_discover_tests

# loa_add_test(NAME SOURCES... LIBS ... [LABELS unit|integration])
# One doctest executable per concern; each TEST_CASE becomes one ctest test.
function(loa_add_test name)
  cmake_parse_arguments(arg "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT arg_LABELS)
    set(arg_LABELS unit)
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LIBS} loa_test_main loa_warnings)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  doctest_discover_tests(${name}
    PROPERTIES LABELS "${arg_LABELS}"
    TEST_PREFIX "${name}: "
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()
