#include "agent/delivery/events.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/clock.h"

using namespace faultline;
using namespace faultline::delivery;
using namespace std::chrono_literals;

TEST_CASE("events: one line when sending starts to fail, one when it works again", "[events]") {
  Stats stats;
  FakeClock clock;
  std::vector<std::string> lines;
  Events events(
      stats, [&lines](LogLevel, std::string_view m) { lines.emplace_back(m); }, clock);
  const auto said = [&lines](const std::string& part) {
    size_t n = 0;
    for (const std::string& l : lines) n += l.find(part) != std::string::npos ? 1 : 0;
    return n;
  };

  events.send_accepted("a", 200);
  CHECK(said("accepts events again") == 0);  // it never failed
  for (int i = 0; i < 5; ++i) {
    events.send_retry("b", "Connection refused", /*network_error=*/true, 1s);
    clock.advance(30s);
  }
  CHECK(said("sending to Sentry fails (Connection refused)") == 1);
  events.send_accepted("b", 200);
  events.send_accepted("c", 200);
  CHECK(said("delivery: Sentry accepts events again, after 150.0 s and 5 failed attempts") == 1);

  events.send_retry("d", "HTTP 503", /*network_error=*/false, 1s);  // a new outage, a new line
  CHECK(said("sending to Sentry fails (HTTP 503)") == 1);
}
