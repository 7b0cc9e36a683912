#include "agent/cli/commands.h"

namespace faultline::cli {

int cmd_replay(const ReplayOptions& options) {
  auto config = runtime::load_config(options.config_path, options.log_level);
  if (!config.ok()) return kExitUsage;
  runtime::Plan plan;
  plan.mode = runtime::Mode::kReplay;
  plan.files = options.inputs;
  plan.print = options.print;
  plan.timeout_seconds = options.timeout_seconds;
  return runtime::run(*config, plan);
}

}  // namespace faultline::cli
