#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/cli/commands.h"
#include "agent/cli/run_summary.h"
#include "agent/inputs/stream_reader.h"
#include "agent/log.h"

namespace faultline::cli {

namespace {

// Counts events and sends them nowhere (no DSN and no --print).
class NullSink final : public EventSink {
 public:
  void emit(const std::string&, const json::Value&) override {}
};

}  // namespace

int cmd_replay(const ReplayOptions& options) {
  auto config = load_config(options);
  if (!config.ok()) return kExitUsage;

  Metrics metrics;
  SystemClock clock;
  PrintSink print(stdout, /*flush_each=*/false);
  NullSink null_sink;
  EventSink* sink = &print;
  if (!options.print) {
    sink = &null_sink;
    if (config->sentry.dsn.empty()) {
      log::info(
          "no DSN configured (sentry.dsn / SENTRY_DSN): events are counted, not sent; "
          "use --print to see them");
    } else {
      log::error("sending to Sentry is not available in this build yet; use --print");
      return kExitRuntime;
    }
  }
  Pipeline pipeline(*config, *sink, metrics, clock);

  bool input_failed = false;
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
    SourceState source(is_stdin ? "stdin" : input);
    Status status = read_stream(stream, source, pipeline, metrics, stop_requested());
    if (!is_stdin) ::close(fd);
    if (!status.ok()) {
      log::error(status.message());
      input_failed = true;
    }
  }
  pipeline.finish();
  log::info("replay: " + run_summary(metrics));
  return input_failed ? kExitRuntime : kExitOk;
}

}  // namespace faultline::cli
