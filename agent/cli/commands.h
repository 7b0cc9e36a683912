// faultline's command line (CLI11): `version`, `check`, `replay`, `pipe`, `run`, `exec`.
// Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error (docs/cli.md); `exec`
// exits with its command's status.
#pragma once

#include <string>
#include <vector>

#include "agent/config/config.h"
#include "agent/runtime/runtime.h"
#include "base/status.h"

namespace faultline::cli {

using runtime::kExitOk;
using runtime::kExitRuntime;
using runtime::kExitUsage;

struct CommonOptions {
  std::string config_path;  // empty: built-in defaults
  std::string log_level;    // --log-level or -v (debug); empty: the config's log.level
};

struct CheckOptions : CommonOptions {
  std::string explain_file;  // check --explain FILE
  std::string sample_file;   // check --sample FILE
};

struct ReplayOptions : CommonOptions {
  bool print = false;
  std::vector<std::string> inputs;
  double timeout_seconds = 0;  // 0: wait as long as delivery needs
};

struct SpoolFlushOptions : CommonOptions {
  double timeout_seconds = 0;  // 0: until the spool is empty
};

struct PipeOptions : CommonOptions {
  std::string events_file;  // also write every event as a JSON line here
};

struct ExecOptions : PipeOptions {
  std::vector<std::string> command;  // the program and its arguments
};

int run(int argc, char** argv);

int cmd_version();
int cmd_check(const CheckOptions& options);
// check --sample: the line counts of a log sample and the keys to set for it.
int check_sample(const config::Config& config, const std::string& file);
int cmd_replay(const ReplayOptions& options);
int cmd_pipe(const PipeOptions& options);
int cmd_run(const PipeOptions& options);
int cmd_exec(const ExecOptions& options);
int cmd_spool_status(const CommonOptions& options);
int cmd_spool_flush(const SpoolFlushOptions& options);

}  // namespace faultline::cli
