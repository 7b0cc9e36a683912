// Loopback ports for tests: one nothing listens on, one held so that nothing else can listen.
#pragma once

namespace faultline::test {

// A port on 127.0.0.1 that nothing listens on (bound, read, closed): connections are refused
// until something is started on it.
int unused_port();

// A socket bound and listening on 127.0.0.1 (never accepting), closed with the object: the
// port is "in use" for anything else that tries to listen on it.
class HeldPort {
 public:
  HeldPort();
  ~HeldPort();
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace faultline::test
