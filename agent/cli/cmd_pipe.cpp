#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "agent/cli/commands.h"
#include "agent/cli/run_summary.h"
#include "agent/inputs/stream_reader.h"
#include "agent/log.h"

namespace faultline::cli {

namespace {

class NullSink final : public EventSink {
 public:
  void emit(const std::string&, const json::Value&) override {}
};

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
  PrintSink print(events_file.get(), /*flush_each=*/true);
  NullSink null_sink;
  EventSink* sink = events_file ? static_cast<EventSink*>(&print) : &null_sink;
  if (!config->sentry.dsn.empty()) {
    log::warn("sending to Sentry is not available in this build yet; events are only counted" +
              std::string(events_file ? " and written to " + options.events_file : ""));
  }

  Metrics metrics;
  SystemClock clock;
  Pipeline pipeline(*config, *sink, metrics, clock);
  StreamOptions stream;
  stream.fd = STDIN_FILENO;
  stream.passthrough_fd = STDOUT_FILENO;
  stream.max_line_bytes = config->pino.max_line_bytes;
  SourceState source("stdin");
  Status status = read_stream(stream, source, pipeline, metrics, stop_requested());
  // stdin closed (the app exited) or we were told to stop: whatever is still held goes out now,
  // which is the moment today's bridges lose the app's last words.
  pipeline.finish();
  log::info("pipe: " + run_summary(metrics));
  if (!status.ok()) {
    log::error(status.message());
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace faultline::cli
