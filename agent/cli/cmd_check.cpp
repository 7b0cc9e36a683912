#include <cstdio>

#include "agent/cli/commands.h"

namespace faultline::cli {

int cmd_check(const CheckOptions& options) {
  auto config = load_config(options);
  if (!config.ok()) return kExitUsage;
  const std::string name = config->file.empty() ? "built-in defaults" : config->file;
  std::printf("config ok: %s\n", name.c_str());
  std::printf(
      "  release: %s\n",
      config->sentry.release.empty()
          ? "(none)"
          : (config->sentry.release + " (from " + config->sentry.release_source + ")").c_str());
  std::printf("  environment: %s\n", config->sentry.environment.c_str());
  std::printf("  dsn: %s\n", config->sentry.dsn.empty() ? "(none: nothing is sent)" : "set");
  return kExitOk;
}

}  // namespace faultline::cli
