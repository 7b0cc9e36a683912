// systemd's notification protocol without libsystemd: the datagram on a path and on an abstract
// socket, and when the watchdog is meant for this process.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "agent/runtime/systemd_notify.h"

namespace systemd = faultline::runtime::systemd;

namespace {

// systemd's end: a datagram socket bound to `name` ('@' first: abstract), set as NOTIFY_SOCKET
// while it lives.
class Listener {
 public:
  explicit Listener(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name[0] == '@') address.sun_path[0] = '\0';
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())) == 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~Listener() {
    unsetenv("NOTIFY_SOCKET");
    ::close(fd_);
  }
  std::string receive() {
    char buffer[256];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  }

 private:
  int fd_ = -1;
};

}  // namespace

TEST_CASE("systemd notify: the state reaches a socket named by a path or an abstract name",
          "[systemd]") {
  SECTION("path") {
    const std::string path = std::filesystem::temp_directory_path() /
                             ("faultline-notify-" + std::to_string(::getpid()) + ".sock");
    std::filesystem::remove(path);
    {
      Listener systemd_end(path);
      CHECK(systemd::notify("READY=1"));
      CHECK(systemd_end.receive() == "READY=1");
    }
    std::filesystem::remove(path);
  }
  SECTION("abstract") {
    Listener systemd_end("@faultline-notify-" + std::to_string(::getpid()));
    CHECK(systemd::notify("STATUS=3 events"));
    CHECK(systemd_end.receive() == "STATUS=3 events");
  }
}

TEST_CASE("systemd notify: outside systemd there is nowhere to send", "[systemd]") {
  unsetenv("NOTIFY_SOCKET");
  CHECK_FALSE(systemd::notify("READY=1"));
  setenv("NOTIFY_SOCKET", "relative/path", 1);  // neither a path nor an abstract name
  CHECK_FALSE(systemd::notify("READY=1"));
  unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("systemd notify: the watchdog is this process's unless WATCHDOG_PID names another",
          "[systemd]") {
  unsetenv("WATCHDOG_PID");
  unsetenv("WATCHDOG_USEC");
  CHECK(systemd::watchdog_usec() == 0);
  setenv("WATCHDOG_USEC", "400000", 1);
  CHECK(systemd::watchdog_usec() == 400000);
  setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  CHECK(systemd::watchdog_usec() == 400000);
  setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  CHECK(systemd::watchdog_usec() == 0);  // the app's under exec, say: not ours
  setenv("WATCHDOG_PID", "x", 1);
  CHECK(systemd::watchdog_usec() == 0);
  unsetenv("WATCHDOG_PID");
  setenv("WATCHDOG_USEC", "soon", 1);
  CHECK(systemd::watchdog_usec() == 0);
  unsetenv("WATCHDOG_USEC");
}
