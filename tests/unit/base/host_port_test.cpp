#include "base/host_port.h"

#include <catch2/catch.hpp>

using faultline::parse_host_port;

TEST_CASE("host_port: IPv4, names and bracketed IPv6 with a port", "[host_port]") {
  auto a = parse_host_port("127.0.0.1:9464");
  REQUIRE(a.ok());
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 9464);
  auto b = parse_host_port("[::1]:0");
  REQUIRE(b.ok());
  CHECK(b->host == "::1");
  CHECK(b->port == 0);
  auto c = parse_host_port("localhost:65535");
  REQUIRE(c.ok());
  CHECK(c->host == "localhost");
}

TEST_CASE("host_port: what is not HOST:PORT says what was expected", "[host_port]") {
  for (const char* bad : {"9464", ":9464", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                          "127.0.0.1:94x", "::1:9464", "[::1:9464", "[]:1"}) {
    INFO(bad);
    auto r = parse_host_port(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.message() ==
          std::string("expected HOST:PORT such as 127.0.0.1:9464 or [::1]:9464, got \"") + bad +
              "\"");
  }
}
