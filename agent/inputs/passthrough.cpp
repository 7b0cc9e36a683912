#include "agent/inputs/passthrough.h"

#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "agent/telemetry/log.h"

namespace faultline {

namespace {

constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

Passthrough::Passthrough(PassthroughOptions options)
    : options_(std::move(options)), out_fd_(options_.out_fd), reader_([this] { run(); }) {}

Passthrough::~Passthrough() {
  quit_.store(true);
  quit_wake_.ring();
  reader_.join();
}

bool Passthrough::write_out(const char* data, size_t size) {
  while (size > 0) {
    // Pieces of at most PIPE_BUF after POLLOUT never block on a pipe, so a quit is always seen.
    pollfd p[2] = {{out_fd_, POLLOUT, 0}, {quit_wake_.fd(), POLLIN, 0}};
    const int ready = ::poll(p, 2, -1);
    if (quit_.load()) return false;
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0 || p[0].revents == 0) continue;
    if ((p[0].revents & (POLLERR | POLLNVAL)) != 0) {
      errno = EPIPE;
      return false;
    }
    const ssize_t n = ::write(out_fd_, data, std::min<size_t>(size, PIPE_BUF));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void Passthrough::run() {
  std::string buf(kReadChunk, '\0');
  while (!quit_.load()) {
    // Asleep until the app writes, its output closes, or the destructor rings.
    if (wait_readable({options_.in_fd, quit_wake_.fd()}, std::nullopt) != 0) continue;
    const ssize_t n = ::read(options_.in_fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      std::lock_guard<std::mutex> lock(mu_);
      error_ = options_.in_name + ": read: " + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    const size_t size = static_cast<size_t>(n);
    if (out_fd_ >= 0 && !write_out(buf.data(), size)) {
      if (quit_.load()) break;
      log::warn(options_.out_name + " closed (" + std::strerror(errno) + "); still reading " +
                options_.in_name + " so the app is not blocked, no longer passing it through");
      out_fd_ = -1;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (queued_bytes_ + size > options_.max_queued_bytes) {
      // The pipeline is behind: the app's output went through, faultline skips these lines.
      dropped_ += size;
      if (options_.skipped_lines != nullptr) {
        options_.skipped_lines->add(
            static_cast<uint64_t>(std::count(buf.data(), buf.data() + size, '\n')));
      }
      continue;
    }
    queue_.push_back(Chunk{buf.substr(0, size), dropped_});
    queued_bytes_ += size;
    dropped_ = 0;
    ready_.ring();
  }
  std::lock_guard<std::mutex> lock(mu_);
  ended_ = true;
  ready_.ring();
}

Passthrough::Next Passthrough::pop(Chunk& out) {
  std::lock_guard<std::mutex> lock(mu_);
  // Cleared under the lock the reader rings under: a chunk queued after this pop rings again.
  if (queue_.empty()) {
    if (ended_) return Next::kEnd;  // stays rung: every later wait returns at once
    ready_.clear();
    return Next::kEmpty;
  }
  out = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= out.bytes.size();
  if (queue_.empty() && !ended_) ready_.clear();
  return Next::kData;
}

Status Passthrough::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_.empty() ? Status::Ok() : Status::Error(error_);
}

QueuedLines::QueuedLines(LineSink& sink, SourceId source, size_t max_line_bytes,
                         InputMetrics* counters)
    : sink_(sink),
      source_(source),
      max_line_bytes_(max_line_bytes),
      counters_(counters),
      framer_(std::make_unique<LineFramer>(max_line_bytes)) {}

void QueuedLines::feed(const Passthrough::Chunk& chunk) {
  if (counters_ != nullptr) counters_->bytes.add(chunk.bytes.size());
  std::string_view data = chunk.bytes;
  if (chunk.dropped_before > 0) {
    // Bytes went by unprocessed: the line in progress lost its middle.
    offset_ += chunk.dropped_before;
    resync_ = true;
  }
  if (resync_) {
    const size_t nl = data.find('\n');
    const size_t skip = nl == std::string_view::npos ? data.size() : nl + 1;
    offset_ += skip;
    data.remove_prefix(skip);
    if (nl == std::string_view::npos) return;
    resync_ = false;
    framer_ = std::make_unique<LineFramer>(max_line_bytes_, LineFramer::kDefaultReadChunk, offset_);
  }
  framer_->feed(data, [&](const Line& line) { hand_over(sink_, source_, line, counters_); });
  offset_ += data.size();
}

void QueuedLines::finish() {
  framer_->finish();
  Line line;
  while (framer_->next(line)) hand_over(sink_, source_, line, counters_);
}

}  // namespace faultline
