#include "agent/cli/commands.h"

namespace faultline::cli {

int cmd_exec(const ExecOptions& options) {
  auto config = runtime::load_config(options.config_path, options.log_level);
  // Fail open: a broken configuration must not keep the app from running.
  if (!config.ok()) {
    return runtime::exec_only(options.command, "the configuration is unusable (see above)");
  }
  runtime::Plan plan;
  plan.mode = runtime::Mode::kExec;
  plan.events_file = options.events_file;
  plan.argv = options.command;
  return runtime::run(*config, plan);
}

}  // namespace faultline::cli
