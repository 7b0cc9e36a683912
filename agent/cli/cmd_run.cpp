#include "agent/cli/commands.h"
#include "agent/telemetry/log.h"

namespace faultline::cli {

int cmd_run(const CommonOptions& options) {
  auto config = load_config(options);
  if (!config.ok()) return kExitUsage;
  log::error(
      "run: the daemon that tails the configured inputs is not in this version yet. "
      "Use `node app.js | faultline pipe` or `faultline replay FILE` meanwhile.");
  return kExitRuntime;
}

}  // namespace faultline::cli
