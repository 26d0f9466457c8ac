# Tests of the SMPP session layer (window, rate limiter, back-off, sans-io session). Unit tier: nothing running.
loa_add_test(smpp_window_test SOURCES window_test.cpp LIBS loa_smpp)
loa_add_test(smpp_rate_limiter_test SOURCES rate_limiter_test.cpp carrier_model.cpp LIBS loa_smpp loa_smsc_sim)
loa_add_test(smpp_session_test SOURCES session_test.cpp LIBS loa_smpp)
