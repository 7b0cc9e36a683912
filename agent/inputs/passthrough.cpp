#include "agent/inputs/passthrough.h"

#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/telemetry/log.h"

namespace faultline {

namespace {

constexpr int kPollMs = 200;  // how often a blocked reader or writer looks at quit_
constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

Passthrough::Passthrough(int in_fd, int out_fd, size_t max_queued_bytes, Counter* skipped_lines)
    : in_fd_(in_fd),
      out_fd_(out_fd),
      max_bytes_(max_queued_bytes),
      skipped_lines_(skipped_lines),
      reader_([this] { run(); }) {}

Passthrough::~Passthrough() {
  quit_.store(true);
  reader_.join();
}

bool Passthrough::write_out(const char* data, size_t size) {
  while (size > 0) {
    // Pieces of at most PIPE_BUF after POLLOUT never block on a pipe, so quit_ is always seen.
    pollfd p{out_fd_, POLLOUT, 0};
    const int ready = ::poll(&p, 1, kPollMs);
    if (quit_.load()) return false;
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) continue;
    if ((p.revents & (POLLERR | POLLNVAL)) != 0) {
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
    pollfd p{in_fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, kPollMs);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = ::read(in_fd_, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::string("stdin: read: ") + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    const size_t size = static_cast<size_t>(n);
    if (out_fd_ >= 0 && !write_out(buf.data(), size)) {
      if (quit_.load()) break;
      log::warn("stdout closed (" + std::string(std::strerror(errno)) +
                "); still reading stdin so the app is not blocked, no longer passing it through");
      out_fd_ = -1;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (queued_bytes_ + size > max_bytes_) {
      // The pipeline is behind: the app's output went through, faultline skips these lines.
      dropped_ += size;
      if (skipped_lines_ != nullptr) {
        uint64_t lines = 0;
        for (const char* at = buf.data();
             (at = static_cast<const char*>(std::memchr(at, '\n', size - (at - buf.data())))) !=
             nullptr;
             ++at) {
          ++lines;
        }
        skipped_lines_->add(lines);
      }
      continue;
    }
    queue_.push_back(Chunk{buf.substr(0, size), dropped_});
    queued_bytes_ += size;
    dropped_ = 0;
    ready_.notify_one();
  }
  std::lock_guard<std::mutex> lock(mu_);
  ended_ = true;
  ready_.notify_one();
}

Passthrough::Next Passthrough::pop(Chunk& out, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  ready_.wait_for(lock, timeout, [&] { return !queue_.empty() || ended_; });
  if (!queue_.empty()) {
    out = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= out.bytes.size();
    return Next::kData;
  }
  return ended_ ? Next::kEnd : Next::kIdle;
}

Status Passthrough::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_.empty() ? Status::Ok() : Status::Error(error_);
}

}  // namespace faultline
