// The one runtime behind `pipe`, `exec`, `replay`, `run` and `check --explain`: from a Config and a
// plan it builds inputs → pipeline → outputs, runs the inputs on the calling thread (the pipeline
// thread), wires the acknowledgement path (outputs settle tickets, the pipeline knows what is
// still unsafe, each input is told how far it may checkpoint), and on the end of input or a stop
// signal drains: held errors go out, the spool gets everything, delivery gets its grace period.
//
// The commands differ only in their plan. Not thread-safe: one run per process at a time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent/config/config.h"
#include "agent/sentry/incident.h"
#include "base/metrics.h"
#include "base/status.h"
#include "parsers/json.h"
#include "rules/engine.h"
#include "rules/explain.h"

namespace faultline::runtime {

// Exit codes (docs/cli.md): 0 success, 1 runtime failure, 2 usage or configuration error.
enum ExitCode : int { kExitOk = 0, kExitRuntime = 1, kExitUsage = 2 };

enum class Mode {
  kPipe,     // stdin → stdout unchanged, events on the side, until stdin closes or a stop
  kReplay,   // files (or "-") once, start to end, then wait for delivery
  kRun,      // the daemon: the configured inputs
  kExplain,  // one file, events to nobody, what each rule did to each (check --explain)
  kExec,     // runs a command, passes its stdout and stderr through and reads them, until it ends
};

// `check --explain`: called for every event with what each rule did to it (kept or dropped).
using ExplainHook = std::function<void(const sentry::Incident&, const json::Value& event,
                                       const rules::Verdict&, const rules::Explain&)>;

struct Plan {
  Mode mode = Mode::kPipe;
  std::vector<std::string> files;  // kReplay, kExplain: paths, "-" is stdin
  bool print = false;              // kReplay: print events on stdout instead of sending them
  std::string events_file;         // kPipe, kRun, kExec: also append every event to this file
  double timeout_seconds = 0;      // kReplay: how long to wait for delivery; 0 = as needed
  ExplainHook explain;             // kExplain
  std::vector<std::string> argv;   // kExec: the command (looked up in PATH) and its arguments
};

// Runs the plan to its end. Returns the exit code; logs what went wrong. With `metrics`, the
// run's registry (the pipeline's and delivery's metrics, by their Prometheus names) is handed to
// it at the end, for callers that report on the run themselves (check --explain, tests).
//
// kExec returns the command's status instead: its exit code, 128 + the signal that killed it, or
// 127 (not found) / 126 (not executable) when it could not be started. faultline's own failures
// (delivery that cannot start, events that could not be sent) are logged but never change it.
int run(const config::Config& config, const Plan& plan,
        const std::function<void(const Registry&)>& metrics = nullptr);

// `pipe` when its configuration is unusable: copies stdin to stdout unchanged until stdin closes,
// saying why on stderr at start and every 5 minutes; returns the usage exit code (2).
int copy_only(const std::string& problem);

// `exec` when its configuration is unusable: runs the command with faultline's stdout and stderr
// (nothing is read), forwards signals and reaps as `exec` does, and returns the command's status.
int exec_only(const std::vector<std::string>& argv, const std::string& problem);

// Loads the configuration file (or the built-in defaults for an empty path) and applies its log
// settings; on failure prints the message on stderr and returns it.
// `faultline spool flush`: sends what waits in the spool (what a pipe or a stopped daemon left),
// until it is empty, everything left was refused, or `timeout_seconds` (0: no limit) passed.
int flush_spool(const config::Config& config, double timeout_seconds);

// `log_level` (from --log-level or -v) overrides the file's log.level when not empty.
Result<config::Config> load_config(const std::string& path, const std::string& log_level = "");

}  // namespace faultline::runtime
