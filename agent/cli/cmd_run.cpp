#include "agent/cli/commands.h"

namespace faultline::cli {

int cmd_run(const PipeOptions& options) {
  auto config = runtime::load_config(options.config_path, options.log_level);
  if (!config.ok()) return kExitUsage;
  runtime::Plan plan;
  plan.mode = runtime::Mode::kRun;
  plan.events_file = options.events_file;
  return runtime::run(*config, plan);
}

}  // namespace faultline::cli
