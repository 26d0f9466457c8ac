find_package(doctest 2.4 REQUIRED CONFIG)
include(doctest)  # doctest_discover_tests

# loa_add_test(NAME SOURCES... LIBS ... [LABELS unit|integration] [PROPERTIES ctest-property value...])
# One doctest executable per concern; each TEST_CASE becomes one ctest test.
function(loa_add_test name)
  cmake_parse_arguments(arg "" "" "SOURCES;LIBS;LABELS;PROPERTIES" ${ARGN})
  if(NOT arg_LABELS)
    set(arg_LABELS unit)
  endif()
  # ctest reads the discovered names as a CMake list: a ';' in a test case's name splits it into halves that
  # run nothing and pass. Refuse such names at configure time.
  foreach(source IN LISTS arg_SOURCES)
    file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/${source} split_names REGEX "TEST_CASE\\(\"[^\"]*;")
    if(split_names)
      message(FATAL_ERROR "${source}: a TEST_CASE name contains ';', which ctest splits: ${split_names}")
    endif()
  endforeach()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LIBS} loa_test_main loa_warnings)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  doctest_discover_tests(${name}
    PROPERTIES LABELS "${arg_LABELS}" ${arg_PROPERTIES}
    TEST_PREFIX "${name}: "
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()

# The cases of doctest executable `name` (made by loa_add_test) registered once more, run against one-node
# Redis Clusters (LOA_TEST_REDIS_CLUSTER=1, tests/fixtures/redis_server.hpp): a script or MULTI whose keys span
# two slots fails there with CROSSSLOT, as on a real Cluster, so a store change that breaks the slot plan of
# docs/SCALING.md fails CI. Named "cluster NAME: CASE", labelled `cluster` (ctest -L cluster runs only them; one label: doctest.cmake splits a list).
function(loa_add_cluster_tests name)
  doctest_discover_tests(${name}
    TEST_SPEC "*"  # another spec than loa_add_test's: doctest names its generated files after it
    PROPERTIES LABELS cluster ENVIRONMENT LOA_TEST_REDIS_CLUSTER=1
    TEST_PREFIX "cluster ${name}: "
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()
