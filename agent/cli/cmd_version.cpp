#include <openssl/crypto.h>
#include <simdjson.h>
#include <zlib.h>
#include <CLI/Version.hpp>

#include <cstdio>

#include "agent/cli/commands.h"
#include "agent/delivery/curl_library.h"
#include "agent/server/http_module_loader.h"
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
  // The two libraries faultline opens only when it needs them: where they are, or why not.
  if (auto curl = delivery::curl_library(); curl.ok()) {
    std::printf("  libcurl %s (%s, opened on the first send)\n",
                (*curl)->version_info(CURLVERSION_NOW)->version,
                delivery::curl_library_name().c_str());
  } else {
    std::printf("  libcurl: %s\n", curl.message().c_str());
  }
  std::printf("  %s\n", OpenSSL_version(OPENSSL_VERSION));
  std::printf("  zlib %s\n", zlibVersion());
  std::printf("  yaml-cpp %s\n", build_info::kYamlCppVersion);
  std::printf("  RE2 %s\n", build_info::kRe2Version);
  std::printf("  CLI11 %s\n", CLI11_VERSION);
  const Result<std::string> module = find_http_module();
  std::printf("  cpp-httplib %s (%s%s)\n", build_info::kHttplibVersion,
              module.ok() ? module->c_str() : module.message().c_str(),
              module.ok() ? ", opened for server.listen" : "");
  std::printf("  libsystemd %s\n", build_info::kSystemdVersion);
  return kExitOk;
}

}  // namespace faultline::cli
