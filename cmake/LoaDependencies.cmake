# Every dependency comes from a Debian 12 package (tools/install-deps installs them).
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json)
find_package(ICU 72 REQUIRED COMPONENTS uc)
find_package(fmt 9 REQUIRED CONFIG)
find_package(CLI11 2 REQUIRED CONFIG)
find_package(yaml-cpp 0.7 REQUIRED CONFIG)
find_package(spdlog 1.10 REQUIRED CONFIG)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SMPP34 REQUIRED IMPORTED_TARGET libsmpp34>=1.14)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis>=0.14)
find_package(Threads REQUIRED)
# TLS: the CLI's https client, SMPP binds over TLS, the simulator's TLS listener, the gateway's HTTPS.
find_package(OpenSSL REQUIRED)
