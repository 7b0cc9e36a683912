#include "agent/inputs/stream_reader.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "agent/telemetry/log.h"

namespace faultline {

namespace {

// Writes all of `data`; false when the reader of the passthrough went away (EPIPE) or failed,
// or when a stop was requested while the reader is not reading (a blocked write is interrupted
// by the signal): faultline must then still get to emit what it holds.
bool write_all(int fd, const char* data, size_t size, const std::atomic<bool>& stop) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR && stop.load(std::memory_order_relaxed)) return false;
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        if (stop.load(std::memory_order_relaxed)) return false;
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, 1000);
        continue;
      }
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

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

}  // namespace

Status read_stream(const StreamOptions& options, SourceState& source, Pipeline& pipeline,
                   Metrics& metrics, const std::atomic<bool>& stop) {
  LineFramer framer(options.max_line_bytes);
  ProgressBar progress(options.progress, options.size_hint);
  int passthrough = options.passthrough_fd;
  Line line;
  // After a stop request, a stream with a stop_grace goes on until it ends or the grace runs out:
  // in `pipe` the app usually gets the same signal and writes its last lines as it exits.
  std::optional<std::chrono::steady_clock::time_point> stop_deadline;
  while (true) {
    if (stop.load(std::memory_order_relaxed)) {
      const auto now = std::chrono::steady_clock::now();
      if (!stop_deadline) stop_deadline = now + options.stop_grace;
      if (now >= *stop_deadline) break;
    }
    pollfd p{options.fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(options.idle_tick.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Status::Error(source.name + ": poll: " + std::strerror(errno));
    }
    if (ready == 0) {  // quiet: let held errors go out in wall time
      pipeline.tick();
      continue;
    }
    std::span<char> space = framer.prepare();
    const ssize_t n = ::read(options.fd, space.data(), space.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::Error(source.name + ": read: " + std::strerror(errno));
    }
    if (n == 0) break;
    if (passthrough >= 0 && !write_all(passthrough, space.data(), static_cast<size_t>(n), stop)) {
      log::warn(stop.load() ? "stopping while stdout is not being read; no longer passing stdin "
                              "through"
                            : "stdout closed (" + std::string(std::strerror(errno)) +
                                  "); still reading stdin so the app is not blocked, no longer "
                                  "passing it through");
      passthrough = -1;
    }
    metrics.bytes_read.add(static_cast<uint64_t>(n));
    framer.commit(static_cast<size_t>(n));
    while (framer.next(line)) pipeline.on_line(source, line);
    progress.update(framer.bytes_committed());
  }
  framer.finish();
  while (framer.next(line)) pipeline.on_line(source, line);
  return Status::Ok();
}

}  // namespace faultline
