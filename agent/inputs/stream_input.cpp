#include "agent/inputs/stream_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "agent/inputs/passthrough.h"
#include "agent/inputs/wakeup.h"
#include "agent/telemetry/log.h"

namespace faultline {

namespace {

class ProgressBar {
 public:
  ProgressBar(bool enabled, uint64_t total) : enabled_(enabled), total_(total) {}
  ~ProgressBar() {
    if (drawn_) std::fputs("\r\033[K", stderr);
  }
  void update(uint64_t done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    if (total_ > 0) {
      const int pct = static_cast<int>(done * 100 / std::max<uint64_t>(total_, 1));
      const int filled = pct * 30 / 100;
      std::fprintf(stderr, "\r[%.*s%*s] %3d%% %llu MiB", filled, "##############################",
                   30 - filled, "", pct, static_cast<unsigned long long>(done >> 20));
    } else {
      std::fprintf(stderr, "\r%llu MiB read", static_cast<unsigned long long>(done >> 20));
    }
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  uint64_t total_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// How long the input may wait before it must call on_idle(): the sink's timeout, shortened to
// what is left of the stop grace once a stop came.
std::optional<std::chrono::milliseconds> wait_limit(
    const LineSink& sink, std::optional<std::chrono::steady_clock::time_point> stop_deadline) {
  std::optional<std::chrono::milliseconds> limit = sink.idle_timeout();
  if (stop_deadline) {
    limit = earliest(limit, std::chrono::ceil<std::chrono::milliseconds>(
                                *stop_deadline - std::chrono::steady_clock::now()));
  }
  return limit;
}

}  // namespace

Status StreamInput::run(LineSink& sink, const std::atomic<bool>& stop) {
  const bool is_stdin = options_.path == "-";
  const int fd = is_stdin ? STDIN_FILENO : ::open(options_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error(options_.path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  Status status = options_.passthrough_fd >= 0
                      ? read_passthrough(fd, sink, stop)
                      : read_fd(fd, regular ? static_cast<uint64_t>(st.st_size) : 0, sink, stop);
  if (!is_stdin) ::close(fd);
  return status;
}

Status StreamInput::read_fd(int fd, uint64_t size_hint, LineSink& sink,
                            const std::atomic<bool>& stop) {
  const std::string name = options_.path == "-" ? "stdin" : options_.path;
  const SourceId source = sink.open_source(name);
  LineFramer framer(options_.max_line_bytes);
  ProgressBar progress(options_.progress && size_hint > 0, size_hint);
  Line line;
  std::optional<std::chrono::steady_clock::time_point> stop_deadline;
  while (true) {
    if (stop.load(std::memory_order_relaxed)) {
      const auto now = std::chrono::steady_clock::now();
      if (!stop_deadline) stop_deadline = now + options_.stop_grace;
      if (now >= *stop_deadline) break;
    }
    // Quiet until the sink's next deadline, or woken by it (a signal): held errors go out in
    // wall time, acknowledgements and reloads happen.
    if (wait_readable({fd, sink.wake_fd()}, wait_limit(sink, stop_deadline)) != 0) {
      sink.on_idle();
      continue;
    }
    std::span<char> space = framer.prepare();
    const ssize_t n = ::read(fd, space.data(), space.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::Error(name + ": read: " + std::strerror(errno));
    }
    if (n == 0) break;
    if (options_.counters != nullptr) options_.counters->bytes.add(static_cast<uint64_t>(n));
    framer.commit(static_cast<size_t>(n));
    while (framer.next(line)) hand_over(sink, source, line, options_.counters);
    progress.update(framer.bytes_committed());
  }
  framer.finish();
  while (framer.next(line)) hand_over(sink, source, line, options_.counters);
  return Status::Ok();
}

Status StreamInput::read_passthrough(int fd, LineSink& sink, const std::atomic<bool>& stop) {
  Passthrough copy({.in_fd = fd,
                    .out_fd = options_.passthrough_fd,
                    .max_queued_bytes = options_.max_queued_bytes,
                    .skipped_lines = options_.skipped_lines});
  QueuedLines lines(sink, sink.open_source("stdin"), options_.max_line_bytes, options_.counters);
  std::optional<std::chrono::steady_clock::time_point> stop_deadline;
  Passthrough::Chunk chunk;
  while (true) {
    if (stop.load(std::memory_order_relaxed)) {
      const auto now = std::chrono::steady_clock::now();
      if (!stop_deadline) stop_deadline = now + options_.stop_grace;
      if (now >= *stop_deadline) break;
    }
    const Passthrough::Next next = copy.pop(chunk);
    if (next == Passthrough::Next::kEnd) break;
    if (next == Passthrough::Next::kData) {
      lines.feed(chunk);
      continue;
    }
    // Nothing queued: asleep until bytes come, the sink's deadline or its wake-up (a signal).
    if (wait_readable({copy.ready_fd(), sink.wake_fd()}, wait_limit(sink, stop_deadline)) != 0) {
      sink.on_idle();
    }
  }
  lines.finish();
  return copy.status();
}

}  // namespace faultline
