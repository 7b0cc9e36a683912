#include "agent/inputs/wakeup.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace faultline {

Wakeup::Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) {
    std::perror("faultline: eventfd");
    std::abort();
  }
}

Wakeup::~Wakeup() {
  ::close(fd_);
}

void Wakeup::ring() const noexcept {
  const uint64_t one = 1;
  // Only fails when the counter would overflow (it is then readable anyway) or on EINTR.
  while (::write(fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

bool Wakeup::clear() const noexcept {
  uint64_t count = 0;
  return ::read(fd_, &count, sizeof count) == sizeof count;  // EAGAIN: not rung
}

int wait_readable(std::initializer_list<int> fds,
                  std::optional<std::chrono::milliseconds> timeout) {
  pollfd polled[4];
  int index[4];
  int n = 0;
  int i = 0;
  for (int fd : fds) {
    if (fd >= 0 && n < 4) {
      polled[n] = pollfd{fd, POLLIN, 0};
      index[n++] = i;
    }
    ++i;
  }
  int ms = -1;
  if (timeout) ms = static_cast<int>(std::clamp<int64_t>(timeout->count(), 0, 24 * 3600 * 1000));
  if (::poll(polled, static_cast<nfds_t>(n), ms) <= 0) return -1;  // timeout, EINTR
  for (int k = 0; k < n; ++k) {
    if (polled[k].revents != 0) return index[k];
  }
  return -1;
}

std::optional<std::chrono::milliseconds> earliest(std::optional<std::chrono::milliseconds> a,
                                                  std::optional<std::chrono::milliseconds> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace faultline
