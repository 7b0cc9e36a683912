#include "agent/runtime/runtime.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>

#include "agent/config/loader.h"
#include "agent/inputs/child_input.h"
#include "agent/inputs/file_tailer.h"
#include "agent/inputs/passthrough.h"
#include "agent/inputs/stream_input.h"
#include "agent/inputs/wakeup.h"
#include "agent/outputs/delivery_setup.h"
#include "agent/outputs/outputs.h"
#include "agent/outputs/temporary_spool.h"
#include "agent/pipeline/ack_tracker.h"
#include "agent/pipeline/pipeline.h"
#include "agent/runtime/acknowledger.h"
#include "agent/runtime/child_process.h"
#include "agent/runtime/periodic.h"
#include "agent/runtime/service.h"
#include "agent/runtime/signals.h"
#include "agent/telemetry/log.h"
#include "agent/telemetry/metrics.h"
#include "agent/telemetry/run_summary.h"
#include "base/clock.h"
#include "base/directories.h"
#include "build_info.h"

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

// What each input is called in faultline_input_*_total{input}, in make_inputs()'s order.
std::vector<std::string> input_names(const config::Config& config, const Plan& plan) {
  std::vector<std::string> names;
  if (plan.mode == Mode::kRun) {
    for (const config::Input& input : config.inputs) {
      std::string name;
      for (const std::string& path : input.paths) name += (name.empty() ? "" : ",") + path;
      names.push_back(std::move(name));
    }
  } else if (plan.mode == Mode::kExec) {
    names.push_back(plan.argv.empty() ? "exec" : plan.argv.front());
  } else if (plan.mode == Mode::kPipe) {
    names.push_back("stdin");
  } else {
    for (const std::string& file : plan.files) names.push_back(file == "-" ? "stdin" : file);
  }
  return names;
}

// The counters of each input (input_names()) and the tailer's checkpoint lag, registered before
// the run starts, filled by the inputs.
struct InputTelemetry {
  std::deque<InputMetrics> inputs;
  SeriesBoard checkpoint_lag;
};

std::unique_ptr<Input> tail_input(const config::Config& config, InputTelemetry& telemetry) {
  TailOptions o;
  o.state_dir = config.state.dir;
  o.max_line_bytes = config.pino.max_line_bytes;
  o.checkpoint_lag = &telemetry.checkpoint_lag;
  for (size_t i = 0; i < config.inputs.size(); ++i) {
    const config::Input& input = config.inputs[i];
    TailSpec spec;
    spec.counters = &telemetry.inputs[i];
    spec.globs = input.paths;
    spec.exclude = input.exclude;
    spec.start_at_end = input.start_at != "beginning";
    spec.poll = input.poll;
    spec.traits.plain_text = input.plain_text.value_or(config.detect.plain_text);
    o.specs.push_back(std::move(spec));
  }
  return std::make_unique<FileTailer>(std::move(o));
}

std::vector<std::unique_ptr<Input>> make_inputs(const config::Config& config, const Plan& plan,
                                                Metrics& metrics, InputTelemetry& telemetry,
                                                ChildProcess* child) {
  std::vector<std::unique_ptr<Input>> inputs;
  if (plan.mode == Mode::kRun) {
    inputs.push_back(tail_input(config, telemetry));
    return inputs;
  }
  if (plan.mode == Mode::kExec) {
    ChildInputOptions o;
    o.out = {child->stdout_fd(), child->name() + " stdout", STDOUT_FILENO, "stdout"};
    o.err = {child->stderr_fd(), child->name() + " stderr", STDERR_FILENO, "stderr"};
    o.max_line_bytes = config.pino.max_line_bytes;
    o.child_exited = [child] { return child->reap(); };
    o.counters = &telemetry.inputs.front();
    o.skipped_lines = &metrics.skipped_lines;
    inputs.push_back(std::make_unique<ChildInput>(std::move(o)));
    return inputs;
  }
  StreamOptions base;
  base.max_line_bytes = config.pino.max_line_bytes;
  if (plan.mode == Mode::kPipe) {
    StreamOptions o = base;
    o.counters = &telemetry.inputs.front();
    o.path = "-";
    o.passthrough_fd = STDOUT_FILENO;
    // On SIGTERM/SIGINT the app is usually stopping too: read its last words (until stdin
    // closes) for up to half the grace period, keeping the other half for sending.
    o.stop_grace = config.delivery.shutdown_grace / 2;
    o.skipped_lines = &metrics.skipped_lines;
    inputs.push_back(std::make_unique<StreamInput>(std::move(o)));
    return inputs;
  }
  for (size_t i = 0; i < plan.files.size(); ++i) {
    const std::string& file = plan.files[i];
    StreamOptions o = base;
    o.counters = &telemetry.inputs[i];
    o.path = file;
    o.progress = plan.mode == Mode::kReplay && ::isatty(STDERR_FILENO) != 0;
    inputs.push_back(std::make_unique<StreamInput>(std::move(o)));
  }
  return inputs;
}

// The end of a --timeout of `seconds` counted from `started`; 0 is no limit.
std::chrono::steady_clock::time_point deadline_after(std::chrono::steady_clock::time_point started,
                                                     double seconds) {
  if (seconds <= 0) return std::chrono::steady_clock::time_point::max();
  return started + std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6));
}

// Waits until delivery has nothing left, the timeout passes, or a stop signal arrives (then for
// at most the shutdown grace). True when everything was accepted.
bool wait_for_delivery(delivery::Delivery& d, std::chrono::steady_clock::time_point deadline,
                       std::chrono::milliseconds grace) {
  using clock = std::chrono::steady_clock;
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
bool drain_delivery(const config::Config& config, const Plan& plan, delivery::Delivery& d,
                    std::chrono::steady_clock::time_point started) {
  if (plan.mode == Mode::kReplay) {
    // --timeout bounds the whole command: what reading and spooling took is not waited again.
    const bool delivered = wait_for_delivery(d, deadline_after(started, plan.timeout_seconds),
                                             config.delivery.shutdown_grace);
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

// SIGHUP: the configuration file read and validated again; a good one takes effect for what comes
// next (Pipeline::reload), a bad one is reported and the running one kept.
void reload(const config::Config& running, Pipeline& pipeline) {
  if (running.file.empty()) {
    log::warn("reload (SIGHUP): running on the built-in defaults (no -c): nothing to read again");
    return;
  }
  auto fresh = config::load_file(running.file, config::process_getenv());
  if (!fresh.ok()) {
    log::error("reload (SIGHUP): " + fresh.message() + "; keeping the running configuration");
    return;
  }
  pipeline.reload(*fresh);
  log::Level level = log::Level::kInfo;
  log::parse_level(fresh->log.level, level);
  log::configure(level, log::json_format(fresh->log.format));
  log::info("reload (SIGHUP): " + running.file + ": " +
            std::to_string(fresh->rules.rule_set->size()) +
            " rules, the release, environment, dist and log level now apply; changes to inputs, "
            "pino, correlation, rules.detect, delivery, state and server apply at the next start");
}

}  // namespace

int run(const config::Config& config, const Plan& plan,
        const std::function<void(const Registry&)>& report) {
  const auto started = std::chrono::steady_clock::now();
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
  std::optional<TemporarySpool> temporary_spool;  // both outlive the outputs that use them
  std::optional<config::Config> fallback_config;
  auto outputs = Outputs::open(config, output);
  // Fail open: the app's output matters more than faultline's events. A pipe whose delivery
  // cannot start (a spool another faultline holds, a state directory it cannot write) still
  // copies every byte; its events go out through a temporary spool in memory, or, when even that
  // fails, are counted and not sent. It says why at the start, every few minutes, at the end and
  // in its status.
  std::string degraded;
  if (!outputs.ok() && (plan.mode == Mode::kPipe || plan.mode == Mode::kExec) && output.deliver) {
    degraded = outputs.message();
    const std::string passing =
        plan.mode == Mode::kPipe ? "; passing stdin through" : "; running the app";
    temporary_spool = TemporarySpool::create();
    if (temporary_spool) {
      fallback_config = config;
      fallback_config->delivery.spool_dir = temporary_spool->dir();
      fallback_config->delivery.spool_max_bytes =
          std::min(config.delivery.spool_max_bytes, TemporarySpool::kMaxBytes);
      outputs = Outputs::open(*fallback_config, output);
      if (outputs.ok()) {
        log::error(degraded + passing + " and sending events through a temporary spool in " +
                   temporary_spool->dir() +
                   " (16 MiB at most; what is not sent when faultline stops is lost)");
      }
    }
    if (!outputs.ok()) {
      temporary_spool.reset();
      log::error(degraded + passing + " and counting events, sending none");
      output.deliver = false;
      outputs = Outputs::open(config, output);
    }
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
  InputTelemetry input_telemetry;
  for (std::string& name : input_names(config, plan)) {
    input_telemetry.inputs.emplace_back(std::move(name)).register_in(registry);
  }
  if (plan.mode == Mode::kRun) {
    input_telemetry.checkpoint_lag.register_as(
        registry, "faultline_checkpoint_lag_bytes",
        "Bytes of a followed file past its checkpoint: not yet read, or read with events not yet "
        "durable (a restart would read them again).",
        Registry::Type::kGauge);
  }
  (*outputs)->register_metrics(registry);
  registry.add_info("faultline_build_info", "The running faultline's version and git revision.",
                    std::string("version=\"") + build_info::kVersion + "\",revision=\"" +
                        build_info::kGitSha + "\"");
  AckTracker acks;
  (*outputs)->sink().set_listener(&acks);
  // A replay (and check --explain, which shows what a replay does) is a function of its input:
  // correlation and throttling run on record time alone, not on how fast the input is read.
  const bool from_records = plan.mode == Mode::kReplay || plan.mode == Mode::kExplain;
  Pipeline pipeline(config, (*outputs)->sink(), metrics, real_clock(), &acks,
                    from_records ? TimeBase::kRecordTime : TimeBase::kLive);
  if (plan.explain) pipeline.set_explain_hook(plan.explain);
  std::optional<Periodic> reminder;
  if (!degraded.empty()) {
    const bool sending = temporary_spool.has_value();
    reminder.emplace(config.log.reminder_interval, [&metrics, &degraded, sending] {
      log::error(std::string(sending ? "still sending through a temporary spool: "
                                     : "still sending no events: ") +
                 degraded + " (" + std::to_string(metrics.events.get()) + " events so far)");
    });
  }
  delivery::Delivery* delivery = (*outputs)->delivery();
  const auto summary_line = [&metrics, delivery, mode = plan.mode] {
    std::string line = std::string(command_name(mode)) + ": " + run_summary(metrics);
    if (delivery != nullptr) line += "; delivery: " + delivery_summary(*delivery);
    return line;
  };
  std::function<Health::Progress()> progress;
  if (delivery != nullptr) {
    progress = [delivery] {
      return Health::Progress{delivery->stats().sent.load(), delivery->stats().spool_files.load()};
    };
  }
  // The daemon's face to systemd, probes and scrapers; replay and check end on their own.
  const bool long_running =
      plan.mode == Mode::kRun || plan.mode == Mode::kPipe || plan.mode == Mode::kExec;
  std::optional<Service> service;
  if (long_running) {
    service.emplace(config, registry, summary_line, std::move(progress));
    if (Status serving = service->serve(); !serving.ok()) {
      log::error(serving.message());
      // The daemon's probes would fail for a reason nobody sees: refuse. A pipe or an app under
      // exec goes on (fail open), without its endpoints.
      if (plan.mode == Mode::kRun) return kExitRuntime;
    }
  }

  std::unique_ptr<ChildProcess> child;
  if (plan.mode == Mode::kExec) {
    child = std::make_unique<ChildProcess>(plan.argv);
    if (Status started = child->start(); !started.ok()) {
      log::error(started.message());
      return child->exit_status();
    }
  }

  bool input_failed = false;
  auto inputs = make_inputs(config, plan, metrics, input_telemetry, child.get());
  std::vector<std::unique_ptr<Acknowledger>> acknowledgers;
  if (service) service->ready();
  for (auto& input : inputs) {
    if (stop.load() && plan.mode != Mode::kPipe && plan.mode != Mode::kExec) break;
    auto& ack = acknowledgers.emplace_back(std::make_unique<Acknowledger>(pipeline, *input));
    // A stop, a reload or a child's exit wakes the input at once, whatever it waits for.
    ack->set_wakeup(&signal_wakeup());
    if (service) {
      ack->set_heartbeat(
          [&service, &pipeline, &config, mode = plan.mode] {
            service->heartbeat();
            // exec forwards SIGHUP to the app; run and pipe reload at this turn of the pipeline.
            if (mode != Mode::kExec && reload_requested().exchange(false)) reload(config, pipeline);
          },
          service->heartbeat_interval());
    }
    Status status = input->run(*ack, stop);
    if (!status.ok()) {
      log::error(status.message());
      input_failed = true;
    }
  }
  // Input ended (the app exited) or we were told to stop: whatever is still held goes out now,
  // which is the moment today's bridges lose the app's last words.
  if (service) service->stopping();
  pipeline.finish();
  (*outputs)->flush();
  for (auto& ack : acknowledgers) ack->acknowledge();
  reminder.reset();

  bool delivered = true;
  if (delivery != nullptr) delivered = drain_delivery(config, plan, *delivery, started);
  if (plan.mode != Mode::kExplain) log::info(summary_line());
  if (temporary_spool) {
    const uint64_t lost = delivery->stats().spool_files.load();
    log::error(std::to_string(lost) +
               " events not sent are lost with the temporary spool: " + degraded);
  } else if (!degraded.empty()) {
    log::error("no event was sent: " + degraded);
  }
  if (report) report(registry);
  if (child) {
    child->wait();  // its streams closed; it has usually exited already
    return child->exit_status();
  }
  return input_failed || !delivered || !degraded.empty() ? kExitRuntime : kExitOk;
}

int flush_spool(const config::Config& config, double timeout_seconds) {
  if (config.sentry.dsn.empty()) {
    log::error("spool flush: no DSN (sentry.dsn or SENTRY_DSN): there is nowhere to send to");
    return kExitUsage;
  }
  const auto started = std::chrono::steady_clock::now();
  auto opened = open_delivery(config);
  if (!opened.ok()) {
    log::error("spool flush: " + opened.message());
    return kExitRuntime;
  }
  delivery::Delivery& d = **opened;
  log::info("spool flush: " + std::to_string(d.stats().spool_files.load()) +
            " events to send from " + config.delivery.spool_dir);
  const bool delivered = wait_for_delivery(d, deadline_after(started, timeout_seconds),
                                           config.delivery.shutdown_grace);
  d.shutdown(std::chrono::milliseconds(0));
  log::info("spool flush: " + delivery_summary(d));
  return delivered ? kExitOk : kExitRuntime;
}

int copy_only(const std::string& problem) {
  log::error(problem + "; passing stdin through unchanged, no events");
  Passthrough copy({.in_fd = STDIN_FILENO, .out_fd = STDOUT_FILENO});
  // The configuration is what failed, so its reminder_interval is not known: the default.
  Periodic reminder(config::Log{}.reminder_interval,
                    [&problem] { log::error("still no events: " + problem); });
  using clock = std::chrono::steady_clock;
  std::optional<clock::time_point> stop_deadline;
  Passthrough::Chunk chunk;  // already passed through: nothing more is done with it
  while (true) {
    // After a stop signal the app's last words still pass, for as long as `pipe` would wait.
    if (stop_requested() && !stop_deadline) stop_deadline = clock::now() + std::chrono::seconds(5);
    std::optional<std::chrono::milliseconds> left;
    if (stop_deadline) {
      left = std::chrono::ceil<std::chrono::milliseconds>(*stop_deadline - clock::now());
      if (left->count() <= 0) break;
    }
    const Passthrough::Next next = copy.pop(chunk);
    if (next == Passthrough::Next::kEnd) break;
    if (next == Passthrough::Next::kData) continue;
    // Asleep until bytes come, a signal, or the end of the stop's grace.
    if (wait_readable({copy.ready_fd(), signal_wakeup().fd()}, left) == 1) signal_wakeup().clear();
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

Result<config::Config> load_config(const std::string& path, const std::string& log_level) {
  const config::Getenv env = config::process_getenv();
  auto config = path.empty() ? config::load_defaults(env) : config::load_file(path, env);
  if (!config.ok()) {
    log::error(config.message());
    return config;
  }
  if (!log_level.empty()) config->log.level = log_level;
  log::Level level = log::Level::kInfo;
  log::parse_level(config->log.level, level);
  log::configure(level, log::json_format(config->log.format));
  return config;
}

}  // namespace faultline::runtime
