#include "agent/cli/commands.h"

namespace faultline::cli {

int cmd_run(const CommonOptions& options) {
  auto config = runtime::load_config(options.config_path);
  if (!config.ok()) return kExitUsage;
  runtime::Plan plan;
  plan.mode = runtime::Mode::kRun;
  return runtime::run(*config, plan);
}

}  // namespace faultline::cli
