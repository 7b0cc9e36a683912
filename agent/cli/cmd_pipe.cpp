#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "agent/cli/commands.h"
#include "agent/inputs/stream_reader.h"
#include "agent/outputs/delivery_setup.h"
#include "agent/outputs/spooling_sink.h"
#include "agent/telemetry/log.h"
#include "agent/telemetry/run_summary.h"

namespace faultline::cli {

namespace {

constexpr size_t kQueueBytes = 16 * 1024 * 1024;

}  // namespace

int cmd_pipe(const PipeOptions& options) {
  auto config = load_config(options);
  if (!config.ok()) return kExitUsage;

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> events_file(nullptr, &std::fclose);
  if (!options.events_file.empty()) {
    events_file.reset(std::fopen(options.events_file.c_str(), "a"));
    if (!events_file) {
      log::error(options.events_file + ": cannot open for writing: " + std::strerror(errno));
      return kExitRuntime;
    }
  }
  Metrics metrics;
  std::unique_ptr<delivery::Delivery> delivery;
  std::unique_ptr<SpoolingSink> spooling;
  if (!config->sentry.dsn.empty()) {
    auto opened = open_delivery(*config);
    if (!opened.ok()) {
      log::error(opened.message());
      return kExitRuntime;
    }
    delivery = std::move(opened).value();
    spooling = std::make_unique<SpoolingSink>(*delivery, kQueueBytes,
                                              /*wait_when_full=*/false);
  }
  PrintSink print(events_file.get(), /*flush_each=*/true);
  NullSink null_sink;
  std::unique_ptr<TeeSink> tee;
  EventSink* sink = &null_sink;
  if (spooling && events_file) {
    tee = std::make_unique<TeeSink>(*spooling, print);
    sink = tee.get();
  } else if (spooling) {
    sink = spooling.get();
  } else if (events_file) {
    sink = &print;
  }

  Clock& clock = real_clock();
  Pipeline pipeline(*config, *sink, metrics, clock);
  StreamOptions stream;
  stream.fd = STDIN_FILENO;
  stream.passthrough_fd = STDOUT_FILENO;
  stream.max_line_bytes = config->pino.max_line_bytes;
  // On SIGTERM/SIGINT the app is usually stopping too: read its last words (until stdin closes)
  // for up to half the grace period, keeping the other half for sending.
  stream.stop_grace = config->delivery.shutdown_grace / 2;
  SourceState source("stdin");
  Status status = read_stream(stream, source, pipeline, metrics, stop_requested());
  // stdin closed (the app exited) or we were told to stop: whatever is still held goes out now,
  // which is the moment today's bridges lose the app's last words.
  pipeline.finish();
  if (delivery) {
    spooling->flush();
    // Keeps sending for the grace period (what is left of it after a stop signal); whatever is
    // not accepted by then stays in the spool for the next start.
    delivery->shutdown(stop_requested() ? config->delivery.shutdown_grace / 2
                                        : config->delivery.shutdown_grace);
    log::info("pipe: " + run_summary(metrics) + "; delivery: " + delivery_summary(*delivery));
  } else {
    log::info("pipe: " + run_summary(metrics));
  }
  if (!status.ok()) {
    log::error(status.message());
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace faultline::cli
