#include "agent/cli/commands.h"

namespace faultline::cli {

int cmd_pipe(const PipeOptions& options) {
  auto config = runtime::load_config(options.config_path, options.log_level);
  // Fail open: a broken configuration must not cost the app its output.
  if (!config.ok()) return runtime::copy_only("the configuration is unusable (see above)");
  runtime::Plan plan;
  plan.mode = runtime::Mode::kPipe;
  plan.events_file = options.events_file;
  return runtime::run(*config, plan);
}

}  // namespace faultline::cli
