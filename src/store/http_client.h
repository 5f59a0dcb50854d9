#pragma once
// The one header through which hearth includes cpp-httplib (the pull client here, the server in src/server).
// Debian's libcpp-httplib is a compiled library built with OpenSSL, zlib and brotli support, and those macros
// change the layout of its classes, so every translation unit must define the same ones: pkg-config passes
// them on the command line; these guards give the same result where it does not.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#ifndef CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#endif
#ifndef CPPHTTPLIB_BROTLI_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#endif
#include <httplib.h>
