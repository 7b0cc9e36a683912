#include "agent/runtime/runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>

#include "agent/config/loader.h"
#include "agent/inputs/child_input.h"
#include "agent/inputs/file_tailer.h"
#include "agent/inputs/passthrough.h"
#include "agent/inputs/stream_input.h"
#include "agent/outputs/delivery_setup.h"
#include "agent/outputs/outputs.h"
#include "agent/pipeline/ack_tracker.h"
#include "agent/pipeline/pipeline.h"
#include "agent/runtime/acknowledger.h"
#include "agent/runtime/child_process.h"
#include "agent/runtime/signals.h"
#include "agent/telemetry/log.h"
#include "agent/telemetry/metrics.h"
#include "agent/telemetry/run_summary.h"
#include "base/clock.h"
#include "base/directories.h"

namespace faultline::runtime {

namespace {

const char* command_name(Mode mode) {
  switch (mode) {
    case Mode::kPipe:
      return "pipe";
    case Mode::kReplay:
      return "replay";
    case Mode::kRun:
      return "run";
    case Mode::kExplain:
      return "check";
    case Mode::kExec:
      return "exec";
  }
  return "faultline";
}

OutputPlan output_plan(const config::Config& config, const Plan& plan) {
  OutputPlan out;
  switch (plan.mode) {
    case Mode::kPipe:
    case Mode::kExec:
      out.print_path = plan.events_file;
      out.print_flush_each = true;
      out.deliver = true;
      if (config.sentry.dsn.empty() && plan.mode == Mode::kExec) {
        log::info("no DSN configured (sentry.dsn / SENTRY_DSN): events are counted, not sent");
      } else if (config.sentry.dsn.empty()) {
        // The natural mistake: `SENTRY_DSN=… node app.js | faultline pipe` sets it for the app.
        log::info(
            "no DSN configured: events are counted, not sent: set SENTRY_DSN for faultline, not "
            "only for the app (`node app.js | SENTRY_DSN=… faultline pipe`)");
      }
      out.queue_bytes = 16 * 1024 * 1024;
      break;
    case Mode::kReplay:
      if (plan.print) {
        out.print_path = "-";
      } else {
        out.deliver = true;
        out.queue_bytes = 64 * 1024 * 1024;
        if (config.sentry.dsn.empty()) {
          log::info(
              "no DSN configured (sentry.dsn / SENTRY_DSN): events are counted, not sent; "
              "use --print to see them");
        }
      }
      break;
    case Mode::kRun:
      out.print_path = plan.events_file;
      out.print_flush_each = true;
      out.deliver = true;
      out.queue_bytes = 16 * 1024 * 1024;
      break;
    case Mode::kExplain:
      break;
  }
  return out;
}

std::unique_ptr<Input> tail_input(const config::Config& config, Metrics& metrics) {
  TailOptions o;
  o.state_dir = config.state.dir;
  o.max_line_bytes = config.pino.max_line_bytes;
  o.bytes_read = &metrics.bytes_read;
  for (const config::Input& input : config.inputs) {
    TailSpec spec;
    spec.globs = input.paths;
    spec.exclude = input.exclude;
    spec.start_at_end = input.start_at != "beginning";
    spec.poll = input.poll;
    o.specs.push_back(std::move(spec));
  }
  return std::make_unique<FileTailer>(std::move(o));
}

std::vector<std::unique_ptr<Input>> make_inputs(const config::Config& config, const Plan& plan,
                                                Metrics& metrics, ChildProcess* child) {
  std::vector<std::unique_ptr<Input>> inputs;
  if (plan.mode == Mode::kRun) {
    inputs.push_back(tail_input(config, metrics));
    return inputs;
  }
  if (plan.mode == Mode::kExec) {
    ChildInputOptions o;
    o.out = {child->stdout_fd(), child->name() + " stdout", STDOUT_FILENO, "stdout"};
    o.err = {child->stderr_fd(), child->name() + " stderr", STDERR_FILENO, "stderr"};
    o.max_line_bytes = config.pino.max_line_bytes;
    o.child_exited = [child] { return child->reap(); };
    o.bytes_read = &metrics.bytes_read;
    o.skipped_lines = &metrics.skipped_lines;
    inputs.push_back(std::make_unique<ChildInput>(std::move(o)));
    return inputs;
  }
  StreamOptions base;
  base.max_line_bytes = config.pino.max_line_bytes;
  base.bytes_read = &metrics.bytes_read;
  if (plan.mode == Mode::kPipe) {
    StreamOptions o = base;
    o.path = "-";
    o.passthrough_fd = STDOUT_FILENO;
    // On SIGTERM/SIGINT the app is usually stopping too: read its last words (until stdin
    // closes) for up to half the grace period, keeping the other half for sending.
    o.stop_grace = config.delivery.shutdown_grace / 2;
    o.skipped_lines = &metrics.skipped_lines;
    inputs.push_back(std::make_unique<StreamInput>(std::move(o)));
    return inputs;
  }
  for (const std::string& file : plan.files) {
    StreamOptions o = base;
    o.path = file;
    o.progress = plan.mode == Mode::kReplay && ::isatty(STDERR_FILENO) != 0;
    inputs.push_back(std::make_unique<StreamInput>(std::move(o)));
  }
  return inputs;
}

// Waits until delivery has nothing left, the timeout passes, or a stop signal arrives (then for
// at most the shutdown grace). True when everything was accepted.
bool wait_for_delivery(delivery::Delivery& d, double timeout_seconds,
                       std::chrono::milliseconds grace) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto deadline =
      timeout_seconds > 0
          ? start + std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000))
          : clock::time_point::max();
  std::optional<clock::time_point> stop_deadline;
  while (true) {
    if (stop_requested() && !stop_deadline) stop_deadline = clock::now() + grace;
    auto step = clock::now() + std::chrono::milliseconds(250);
    const auto limit = stop_deadline ? std::min(deadline, *stop_deadline) : deadline;
    if (d.drain(std::min(step, limit))) return true;
    // drain() is also false when the spool is empty but something was dropped (a 413): more
    // waiting cannot change that. (Asked again: the last event may have been accepted between
    // drain()'s deadline and this check.)
    if (d.stats().spool_files.load() == 0) return d.drain(clock::now());
    if (clock::now() >= limit) return false;
  }
}

// Gives delivery its time after the inputs ended: a pipe keeps sending for the grace period
// (what is left of it after a stop signal), a replay waits for everything (or its timeout).
// Whatever is not accepted stays in the spool for the next start. True when nothing failed.
bool drain_delivery(const config::Config& config, const Plan& plan, delivery::Delivery& d) {
  if (plan.mode == Mode::kReplay) {
    const bool delivered =
        wait_for_delivery(d, plan.timeout_seconds, config.delivery.shutdown_grace);
    d.shutdown(std::chrono::milliseconds(0));
    if (!delivered) {
      log::error(stop_requested()
                     ? "stopped before every event was accepted; the rest stay in the spool "
                       "for the next start"
                     : "not every event was accepted by Sentry (see above); what could still "
                       "be sent stays in the spool");
    }
    return delivered;
  }
  d.shutdown(stop_requested() ? config.delivery.shutdown_grace / 2
                              : config.delivery.shutdown_grace);
  return true;
}

}  // namespace

int run(const config::Config& config, const Plan& plan,
        const std::function<void(const Registry&)>& report) {
  if (plan.mode == Mode::kRun) {
    if (config.inputs.empty()) {
      log::error(
          "run: no inputs configured: add `inputs: [{path: /var/log/app/*.log}]` to the "
          "configuration (or read stdin with `faultline pipe`)");
      return kExitUsage;
    }
    if (Status made = make_directories(config.state.dir, "cannot create the state directory");
        !made.ok()) {
      log::error(made.message());
      return kExitRuntime;
    }
  }
  const std::atomic<bool>& stop = stop_requested();
  Metrics metrics;
  OutputPlan output = output_plan(config, plan);
  auto outputs = Outputs::open(config, output);
  // Fail open: the app's output matters more than faultline's events. A pipe whose delivery
  // cannot start (a malformed DSN, a spool another faultline holds, a state directory it cannot
  // write) still copies every byte, counts its events, and says why at the end and in its status.
  std::string degraded;
  if (!outputs.ok() && (plan.mode == Mode::kPipe || plan.mode == Mode::kExec) && output.deliver) {
    degraded = outputs.message();
    log::error(degraded +
               (plan.mode == Mode::kPipe ? "; passing stdin through" : "; running the app") +
               " and counting events, sending none");
    output.deliver = false;
    outputs = Outputs::open(config, output);
  }
  if (!outputs.ok()) {
    log::error(outputs.message());
    // The app runs anyway, its status is still the one returned.
    if (plan.mode == Mode::kExec) return exec_only(plan.argv, "faultline cannot start (see above)");
    return kExitRuntime;
  }
  // One registry for the run: what the summary, the logs and (later) /metrics read.
  Registry registry;
  metrics.register_in(registry);
  (*outputs)->register_metrics(registry);
  AckTracker acks;
  (*outputs)->sink().set_listener(&acks);
  Pipeline pipeline(config, (*outputs)->sink(), metrics, real_clock(), &acks);
  if (plan.explain) pipeline.set_explain_hook(plan.explain);

  std::unique_ptr<ChildProcess> child;
  if (plan.mode == Mode::kExec) {
    child = std::make_unique<ChildProcess>(plan.argv);
    if (Status started = child->start(); !started.ok()) {
      log::error(started.message());
      return child->exit_status();
    }
  }

  bool input_failed = false;
  auto inputs = make_inputs(config, plan, metrics, child.get());
  std::vector<std::unique_ptr<Acknowledger>> acknowledgers;
  for (auto& input : inputs) {
    if (stop.load() && plan.mode != Mode::kPipe && plan.mode != Mode::kExec) break;
    auto& ack = acknowledgers.emplace_back(std::make_unique<Acknowledger>(pipeline, *input));
    Status status = input->run(*ack, stop);
    if (!status.ok()) {
      log::error(status.message());
      input_failed = true;
    }
  }
  // Input ended (the app exited) or we were told to stop: whatever is still held goes out now,
  // which is the moment today's bridges lose the app's last words.
  pipeline.finish();
  (*outputs)->flush();
  for (auto& ack : acknowledgers) ack->acknowledge();

  bool delivered = true;
  std::string summary = std::string(command_name(plan.mode)) + ": " + run_summary(metrics);
  if (delivery::Delivery* d = (*outputs)->delivery()) {
    delivered = drain_delivery(config, plan, *d);
    summary += "; delivery: " + delivery_summary(*d);
  }
  if (plan.mode != Mode::kExplain) log::info(summary);
  if (!degraded.empty()) log::error("no event was sent: " + degraded);
  if (report) report(registry);
  if (child) {
    child->wait();  // its streams closed; it has usually exited already
    return child->exit_status();
  }
  return input_failed || !delivered || !degraded.empty() ? kExitRuntime : kExitOk;
}

int copy_only(const std::string& problem) {
  log::error(problem + "; passing stdin through unchanged, no events");
  Passthrough copy({.in_fd = STDIN_FILENO, .out_fd = STDOUT_FILENO});
  const auto remind_every = std::chrono::minutes(5);
  auto next_reminder = std::chrono::steady_clock::now() + remind_every;
  std::optional<std::chrono::steady_clock::time_point> stop_deadline;
  Passthrough::Chunk chunk;
  while (copy.pop(chunk, std::chrono::milliseconds(250)) != Passthrough::Next::kEnd) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_reminder) {
      log::error("still no events: " + problem);
      next_reminder += remind_every;
    }
    // After a stop signal the app's last words still pass, for as long as `pipe` would wait.
    if (stop_requested() && !stop_deadline) stop_deadline = now + std::chrono::seconds(5);
    if (stop_deadline && now >= *stop_deadline) break;
  }
  return kExitUsage;
}

int exec_only(const std::vector<std::string>& argv, const std::string& problem) {
  log::error(problem + "; running the app with its output untouched, no events");
  ChildProcess child(argv, ChildProcess::Output::kInherit);
  if (Status started = child.start(); !started.ok()) log::error(started.message());
  child.wait();
  return child.exit_status();
}

Result<config::Config> load_config(const std::string& path) {
  const config::Getenv env = config::process_getenv();
  auto config = path.empty() ? config::load_defaults(env) : config::load_file(path, env);
  if (!config.ok()) {
    std::cerr << "faultline: " << config.message() << "\n";
    return config;
  }
  log::Level level = log::Level::kInfo;
  log::parse_level(config->log.level, level);
  log::configure(level, config->log.format == "json");
  return config;
}

}  // namespace faultline::runtime
