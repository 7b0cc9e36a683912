#include "support/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace faultline::test {

namespace {

// A socket bound to 127.0.0.1 on a port the kernel picks; its port in `port`.
int bound_socket(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind() to 127.0.0.1 failed");
  }
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

int unused_port() {
  int port = 0;
  ::close(bound_socket(port));
  return port;
}

HeldPort::HeldPort() {
  fd_ = bound_socket(port_);
  if (::listen(fd_, 16) != 0) throw std::runtime_error("listen() failed");
}

HeldPort::~HeldPort() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace faultline::test
