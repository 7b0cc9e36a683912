#include "agent/runtime/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace faultline::runtime::systemd {
namespace {

// A positive decimal number, or 0 for anything else.
uint64_t positive(const char* text) {
  if (text == nullptr || *text < '0' || *text > '9') return 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  return *end == '\0' ? value : 0;
}

}  // namespace

bool notify(std::string_view state) {
  const char* name = std::getenv("NOTIFY_SOCKET");
  if (name == nullptr || (name[0] != '/' && name[0] != '@')) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const size_t length = std::strlen(name);
  if (length >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, name, length);
  if (name[0] == '@') address.sun_path[0] = '\0';  // an abstract name: no file, no trailing NUL
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const ssize_t sent =
      ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&address),
               static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length));
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

uint64_t watchdog_usec() {
  const uint64_t usec = positive(std::getenv("WATCHDOG_USEC"));
  if (usec == 0) return 0;
  const char* pid = std::getenv("WATCHDOG_PID");
  if (pid != nullptr && positive(pid) != static_cast<uint64_t>(::getpid())) return 0;
  return usec;
}

}  // namespace faultline::runtime::systemd
