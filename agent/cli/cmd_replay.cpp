#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>

#include "agent/cli/commands.h"
#include "agent/inputs/stream_reader.h"
#include "agent/outputs/delivery_setup.h"
#include "agent/outputs/spooling_sink.h"
#include "agent/telemetry/log.h"
#include "agent/telemetry/run_summary.h"

namespace faultline::cli {

namespace {

constexpr size_t kQueueBytes = 64 * 1024 * 1024;

// Waits until delivery has nothing left, the timeout passes, or a stop signal arrives (then
// for at most the shutdown grace). True when everything was accepted.
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

}  // namespace

int cmd_replay(const ReplayOptions& options) {
  auto config = load_config(options);
  if (!config.ok()) return kExitUsage;

  Metrics metrics;
  Clock& clock = real_clock();
  PrintSink print(stdout, /*flush_each=*/false);
  NullSink null_sink;
  std::unique_ptr<delivery::Delivery> delivery;
  std::unique_ptr<SpoolingSink> spooling;
  EventSink* sink = &print;
  if (!options.print) {
    if (config->sentry.dsn.empty()) {
      log::info(
          "no DSN configured (sentry.dsn / SENTRY_DSN): events are counted, not sent; "
          "use --print to see them");
      sink = &null_sink;
    } else {
      auto opened = open_delivery(*config);
      if (!opened.ok()) {
        log::error(opened.message());
        return kExitRuntime;
      }
      delivery = std::move(opened).value();
      spooling = std::make_unique<SpoolingSink>(*delivery, kQueueBytes,
                                                /*wait_when_full=*/true);
      sink = spooling.get();
    }
  }
  Pipeline pipeline(*config, *sink, metrics, clock);

  bool input_failed = false;
  // Held requests point at their input's state until the end of the run (pipeline.finish()).
  std::deque<SourceState> sources;
  for (const std::string& input : options.inputs) {
    if (stop_requested()) break;
    const bool is_stdin = input == "-";
    const int fd = is_stdin ? STDIN_FILENO : ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      log::error(input + ": cannot open: " + std::strerror(errno));
      input_failed = true;
      continue;
    }
    struct stat st {};
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    StreamOptions stream;
    stream.fd = fd;
    stream.max_line_bytes = config->pino.max_line_bytes;
    stream.size_hint = regular ? static_cast<uint64_t>(st.st_size) : 0;
    stream.progress = ::isatty(STDERR_FILENO) != 0;
    SourceState& source = sources.emplace_back(is_stdin ? "stdin" : input);
    Status status = read_stream(stream, source, pipeline, metrics, stop_requested());
    if (!is_stdin) ::close(fd);
    if (!status.ok()) {
      log::error(status.message());
      input_failed = true;
    }
  }
  pipeline.finish();

  bool delivered = true;
  if (delivery) {
    spooling->flush();
    delivered =
        wait_for_delivery(*delivery, options.timeout_seconds, config->delivery.shutdown_grace);
    delivery->shutdown(std::chrono::milliseconds(0));
    log::info("replay: " + run_summary(metrics) + "; delivery: " + delivery_summary(*delivery));
    if (!delivered) {
      log::error(stop_requested()
                     ? "stopped before every event was accepted; the rest stay in the spool "
                       "for the next start"
                     : "not every event was accepted by Sentry (see above); what could still "
                       "be sent stays in the spool");
    }
  } else {
    log::info("replay: " + run_summary(metrics));
  }
  return input_failed || !delivered ? kExitRuntime : kExitOk;
}

}  // namespace faultline::cli
