#include <curl/curl.h>
#include <httplib.h>
#include <openssl/crypto.h>
#include <simdjson.h>
#include <zlib.h>
#include <CLI/Version.hpp>

#include <cstdio>

#include "agent/cli/commands.h"
#include "build_info.h"

namespace faultline::cli {

namespace {
#define FL_STRINGIFY_(x) #x
#define FL_STRINGIFY(x) FL_STRINGIFY_(x)
}  // namespace

int cmd_version() {
  std::printf("faultline %s (git %s)\n", build_info::kVersion, build_info::kGitSha);
  std::printf("  simdjson %s (On-Demand kernel: %s)\n", FL_STRINGIFY(SIMDJSON_VERSION),
              simdjson::builtin_implementation()->name().c_str());
  std::printf("  libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
  std::printf("  %s\n", OpenSSL_version(OPENSSL_VERSION));
  std::printf("  zlib %s\n", zlibVersion());
  std::printf("  yaml-cpp %s\n", build_info::kYamlCppVersion);
  std::printf("  RE2 %s\n", build_info::kRe2Version);
  std::printf("  CLI11 %s\n", CLI11_VERSION);
  std::printf("  cpp-httplib %s\n", CPPHTTPLIB_VERSION);
  std::printf("  libsystemd %s\n", build_info::kSystemdVersion);
  return kExitOk;
}

}  // namespace faultline::cli
