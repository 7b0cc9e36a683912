#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>

#include "agent/cli/commands.h"
#include "agent/runtime/signals.h"

namespace faultline::cli {

namespace {

// -c, --log-level and -v: on every command that reads a configuration.
void add_common(CLI::App* command, CommonOptions& options) {
  command->add_option("-c,--config", options.config_path, "Configuration file (YAML).");
  command
      ->add_option("--log-level", options.log_level,
                   "faultline's own log level, over the config's log.level.")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  command->add_flag_callback(
      "-v,--verbose", [&options] { options.log_level = "debug"; }, "Same as --log-level debug.");
}

// --timeout: a finite number of seconds above 0 (-1, 0, nan and inf would mean "forever").
CLI::Validator seconds_above_zero() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        double seconds = 0;
        if (!CLI::detail::lexical_cast(text, seconds) || !std::isfinite(seconds) || seconds <= 0 ||
            seconds > 1e9) {
          return "expected a number of seconds greater than 0, such as 30 or 2.5, got \"" + text +
                 "\"";
        }
        return {};
      },
      "SECONDS");
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"faultline: turns a Node.js service's Pino logs into Sentry events.", "faultline"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success, 1 runtime failure (an input could not be read, delivery failed),\n"
      "2 usage or configuration error (nothing was read).\n"
      "Without -c, built-in defaults apply; SENTRY_DSN, SENTRY_RELEASE, SENTRY_ENVIRONMENT and\n"
      "SENTRY_DIST are read from the environment. See docs/cli.md.");

  app.add_subcommand("version", "Print faultline's version and the versions of its libraries.");

  CheckOptions check;
  CLI::App* check_cmd =
      app.add_subcommand("check", "Validate the configuration and rules, then exit.");
  add_common(check_cmd, check);
  check_cmd->add_option("--explain", check.explain_file,
                        "Show, for each error record in FILE, what every rule did.");
  check_cmd->add_option("--sample", check.sample_file,
                        "Read a log sample (FILE, - for stdin) and say whether the configured "
                        "pino keys fit it, and which to set if not.");

  ReplayOptions replay;
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Read inputs once, start to end, turn their error records into events, exit.");
  add_common(replay_cmd, replay);
  replay_cmd->add_flag("--print", replay.print,
                       "Print each event as one line of JSON on stdout instead of sending it.");
  replay_cmd
      ->add_option("--timeout", replay.timeout_seconds,
                   "Stop waiting for delivery this many seconds after replay started (default: "
                   "as long as needed); what is not sent stays in the spool.")
      ->check(seconds_above_zero());
  // Not ->required(): CLI11 would say "inputs is required", which reads like the `inputs:`
  // config key. Checked after parsing instead.
  replay_cmd->add_option("inputs", replay.inputs, "Files to read; - is stdin.");

  PipeOptions pipe;
  CLI::App* pipe_cmd = app.add_subcommand(
      "pipe", "Copy stdin to stdout unchanged and turn its error records into events.");
  add_common(pipe_cmd, pipe);
  pipe_cmd->add_option("--events", pipe.events_file,
                       "Also write each event as one line of JSON to this file.");

  PipeOptions daemon;
  CLI::App* run_cmd = app.add_subcommand("run", "Run as a daemon, tailing the configured inputs.");
  add_common(run_cmd, daemon);
  run_cmd->add_option("--events", daemon.events_file,
                      "Also write each event as one line of JSON to this file.");

  ExecOptions exec;
  CLI::App* exec_cmd = app.add_subcommand(
      "exec",
      "Run a command (the app) as faultline's child: its stdout and stderr pass through and are "
      "read, signals are forwarded, and its exit status is faultline's.");
  add_common(exec_cmd, exec);
  exec_cmd->add_option("--events", exec.events_file,
                       "Also write each event as one line of JSON to this file.");
  // After `--` every word is the command's, dashes included (`-- node app.js --port 3000`).
  exec_cmd->add_option("command", exec.command, "The command to run and its arguments.")
      ->required();
  exec_cmd->footer(
      "Put -- before the command when its arguments have dashes:\n"
      "  faultline exec -c /etc/faultline.yaml -- node app.js --port 3000");

  CLI::App* spool_cmd = app.add_subcommand("spool", "Look at the spool, or send what waits in it.");
  spool_cmd->require_subcommand(1);
  CommonOptions spool_status;
  CLI::App* status_cmd = spool_cmd->add_subcommand(
      "status", "Events waiting, their bytes, the oldest, and whether a faultline holds it.");
  add_common(status_cmd, spool_status);
  SpoolFlushOptions spool_flush;
  CLI::App* flush_cmd = spool_cmd->add_subcommand(
      "flush", "Send what waits in the spool, then exit (0 when Sentry accepted all of it).");
  add_common(flush_cmd, spool_flush);
  flush_cmd
      ->add_option("--timeout", spool_flush.timeout_seconds,
                   "Stop after this many seconds (default: until the spool is empty).")
      ->check(seconds_above_zero());

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    const int code = e.get_exit_code();
    const bool command_missing = code == static_cast<int>(CLI::ExitCodes::ExtrasError) ||
                                 code == static_cast<int>(CLI::ExitCodes::RequiredError);
    if (exec_cmd->parsed() && command_missing) {
      std::cerr << "faultline: exec: put -- before the command: faultline exec [-c FILE] "
                   "[--events FILE] -- CMD ARGS...\n";
    }
    return kExitUsage;
  }

  if (replay_cmd->parsed() && replay.inputs.empty()) {
    std::cerr << "faultline: replay: give one or more files, or - for stdin\n";
    return kExitUsage;
  }

  runtime::install_signal_handlers();
  if (app.got_subcommand("version")) return cmd_version();
  if (check_cmd->parsed()) return cmd_check(check);
  if (replay_cmd->parsed()) return cmd_replay(replay);
  if (pipe_cmd->parsed()) return cmd_pipe(pipe);
  if (run_cmd->parsed()) return cmd_run(daemon);
  if (exec_cmd->parsed()) return cmd_exec(exec);
  if (status_cmd->parsed()) return cmd_spool_status(spool_status);
  if (flush_cmd->parsed()) return cmd_spool_flush(spool_flush);
  return kExitUsage;
}

}  // namespace faultline::cli
