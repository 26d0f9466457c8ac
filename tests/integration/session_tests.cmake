# bind_driver over real TCP on 127.0.0.1: against the in-process fake SMSC (session_driver_test) and against
# the bundled simulator build/bin/loa-smsc-sim (session_sim_test).
loa_add_test(smpp_session_driver_test SOURCES session_driver_test.cpp LIBS loa_smpp loa_redis_fixture
  LABELS integration)
loa_add_test(smpp_session_sim_test SOURCES session_sim_test.cpp LIBS loa_smpp loa_test_fixtures Boost::json
  LABELS integration)
add_dependencies(smpp_session_sim_test loa-smsc-sim)
