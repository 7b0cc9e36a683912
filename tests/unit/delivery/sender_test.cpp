// The sender's behaviour — order, retries, backoff, rate limits, drops, concurrency, shutdown —
// through the Delivery facade, with a fake clock and an in-memory network: no sleeping, no HTTP.
#include <catch2/catch.hpp>

#include "agent/delivery/delivery.h"
#include "agent/delivery/spool.h"
#include "delivery_test_support.h"
#include "support/receiver.h"

using namespace faultline::delivery;
using faultline::Clock;
using faultline::FakeClock;
using namespace std::chrono_literals;
using faultline::delivery::test::event_id;
using faultline::delivery::test::FakeNetwork;
using faultline::delivery::test::http_response;
using faultline::delivery::test::network_error;

namespace {

constexpr const char* kKey = "f00df00df00df00df00df00df00df00d";

struct Harness {
  test::TempDir tmp;
  FakeClock clock;
  FakeNetwork net;
  test::LogRecorder logs;

  Options options(int concurrency = 1) {
    Options o;
    o.dsn = std::string("https://") + kKey + "@sentry.example/42";
    o.spool_dir = tmp.sub("spool");
    o.sdk_version = "0.1.0";
    o.concurrency = concurrency;
    o.clock = &clock;
    o.transport_factory = net.factory();
    o.random_unit = [] { return 1.0; };  // every backoff is its ceiling: 1 s, 2 s, 4 s, …
    o.log = logs.fn();
    return o;
  }
  std::unique_ptr<Delivery> open(Options o) {
    auto d = Delivery::open(std::move(o));
    REQUIRE(d.ok());
    return std::move(d).value();
  }
  std::unique_ptr<Delivery> open(int concurrency = 1) { return open(options(concurrency)); }

  // The next fake instant the sender waits for (it is idle, not sending, until then).
  Clock::time_point next_wake() {
    const auto t = clock.await_sleeper_between(clock.now() + 1ns, clock.now() + 48h);
    REQUIRE(t != Clock::time_point::max());
    return t;
  }
  void advance_to(Clock::time_point t) { clock.advance(t - clock.now()); }
  // Moves fake time from one sender wake-up to the next until `done` (at most `turns` times).
  bool advance_until(const std::function<bool()>& done, int turns = 100) {
    for (int i = 0; i < turns && !done(); ++i) {
      const auto t = clock.await_sleeper_between(clock.now() + 1ns, clock.now() + 48h, 50ms);
      if (t != Clock::time_point::max()) advance_to(t);
    }
    return done();
  }
};

bool drained(Delivery& d) {
  return d.drain(std::chrono::steady_clock::now() + 10s);
}

faultline::testing::Envelope envelope_of(const Request& r) {
  auto env = faultline::testing::parse_envelope(r.body);
  REQUIRE(env.ok());
  return std::move(env).value();
}

std::vector<std::string> ids_of(const std::vector<Request>& requests) {
  std::vector<std::string> ids;
  for (const Request& r : requests) ids.push_back(envelope_of(r).event_id());
  return ids;
}

std::string event_json(int n) {
  return "{\"event_id\":\"" + event_id(n) + "\",\"n\":" + std::to_string(n) + "}";
}

}  // namespace

TEST_CASE("sender: events go out oldest first, as envelopes, and leave the spool", "[sender]") {
  Harness h;
  auto d = h.open();
  for (int i = 1; i <= 3; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  REQUIRE(drained(*d));
  const auto requests = h.net.requests();
  CHECK(ids_of(requests) == std::vector<std::string>{event_id(1), event_id(2), event_id(3)});
  const Request& r = requests[0];
  CHECK(r.url == "https://sentry.example/api/42/envelope/");
  CHECK(std::find(r.headers.begin(), r.headers.end(), "User-Agent: faultline/0.1.0") !=
        r.headers.end());
  auto env = envelope_of(r);
  CHECK(env.header.find_path("sdk.name")->as_string() == "faultline");
  REQUIRE(env.items.size() == 1);
  CHECK(env.items[0].header.find("type")->as_string() == "event");
  CHECK(env.items[0].payload == event_json(1));
  CHECK(d->stats().submitted == 3);
  CHECK(d->stats().sent == 3);
  CHECK(d->stats().requests == 3);
  CHECK(d->stats().spool_files == 0);
  CHECK(test::files_in(h.tmp.sub("spool")) == std::vector<std::string>{".lock"});
}

TEST_CASE("sender: sent_at is the time of sending, not of spooling", "[sender]") {
  Harness h;
  h.net.push(http_response(503));
  auto d = h.open();
  REQUIRE(d->submit(event_id(1), event_json(1)).ok());
  REQUIRE(h.net.wait_for(1));
  h.advance_to(h.next_wake());  // the 1 s backoff
  REQUIRE(drained(*d));
  const auto requests = h.net.requests();
  REQUIRE(requests.size() == 2);
  CHECK(envelope_of(requests[0]).header.find("sent_at")->as_string() == "2025-01-01T00:00:00.000Z");
  CHECK(envelope_of(requests[1]).header.find("sent_at")->as_string() == "2025-01-01T00:00:01.000Z");
}

TEST_CASE("sender: 429 with Retry-After 2 sends nothing for 2 s, then everything", "[sender]") {
  Harness h;
  h.net.push(http_response(429, "2"));
  auto d = h.open();
  const auto start = h.clock.now();
  for (int i = 1; i <= 3; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  REQUIRE(h.net.wait_for(1));
  REQUIRE(h.clock.await_sleeper(start + 2s));  // idle until the limit expires…
  CHECK(h.net.count() == 1);
  h.clock.advance(1999ms);
  REQUIRE(h.clock.await_sleeper(start + 2s));  // …still, 1 ms before it
  CHECK(h.net.count() == 1);
  h.clock.advance(1ms);
  REQUIRE(drained(*d));
  CHECK(ids_of(h.net.requests()) ==
        std::vector<std::string>{event_id(1), event_id(1), event_id(2), event_id(3)});
  CHECK(d->stats().rate_limited == 1);
  CHECK(d->stats().retried == 0);
  CHECK(d->stats().sent == 3);
  CHECK(h.logs.contains("rate limited by Sentry (HTTP 429); sending paused for 2.0 s"));
}

TEST_CASE("sender: X-Sentry-Rate-Limits on a 200 pauses the error category", "[sender]") {
  Harness h;
  h.net.push(http_response(200, "", "5:error;default:key"));
  auto d = h.open();
  const auto start = h.clock.now();
  REQUIRE(d->submit(event_id(1), event_json(1)).ok());
  REQUIRE(d->submit(event_id(2), event_json(2)).ok());
  REQUIRE(h.clock.await_sleeper(start + 5s));
  CHECK(h.net.count() == 1);
  CHECK(d->stats().sent == 1);
  h.clock.advance(5s);
  REQUIRE(drained(*d));
  CHECK(h.net.count() == 2);
}

TEST_CASE("sender: limits on other categories do not hold events back", "[sender]") {
  Harness h;
  h.net.push(http_response(200, "", "3600:transaction;session:key"));
  auto d = h.open();
  for (int i = 1; i <= 3; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  REQUIRE(drained(*d));
  CHECK(h.net.count() == 3);
}

TEST_CASE("sender: a 500 storm costs one request per backoff period, then delivery completes",
          "[sender]") {
  Harness h;
  h.net.set_fallback(http_response(500));
  auto d = h.open();
  const auto start = h.clock.now();
  REQUIRE(d->submit(event_id(1), event_json(1)).ok());
  REQUIRE(h.net.wait_for(1));
  // Backoff ceilings 1, 2, 4, 8, 16, 32 s: tries at t = 0, 1, 3, 7, 15, 31, then 63.
  std::vector<int64_t> tries_at = {0};
  while (true) {
    const auto wake = h.next_wake();
    if (wake - start > 60s) break;
    const size_t before = h.net.count();
    h.advance_to(wake);
    REQUIRE(h.net.wait_for(before + 1));
    tries_at.push_back(std::chrono::duration_cast<std::chrono::seconds>(wake - start).count());
  }
  CHECK(tries_at == std::vector<int64_t>{0, 1, 3, 7, 15, 31});
  CHECK(h.net.count() == 6);
  CHECK(d->stats().retried == 6);
  CHECK(h.logs.contains("failed (HTTP 500); kept in the spool, next try in 1.0 s"));

  h.net.set_fallback(http_response(200));
  h.advance_to(h.next_wake());
  REQUIRE(drained(*d));
  CHECK(h.net.count() == 7);
  CHECK(d->stats().sent == 1);
}

TEST_CASE("sender: network errors and 408 are retried until the event is sent", "[sender]") {
  Harness h;
  h.net.push(network_error("Failed to connect to sentry.example port 443"));
  h.net.push(http_response(408));
  auto d = h.open();
  REQUIRE(d->submit(event_id(1), event_json(1)).ok());
  REQUIRE(h.net.wait_for(1));
  h.advance_to(h.next_wake());
  REQUIRE(h.net.wait_for(2));
  h.advance_to(h.next_wake());
  REQUIRE(drained(*d));
  CHECK(h.net.count() == 3);
  CHECK(d->stats().retried == 2);
  CHECK(d->stats().network_errors == 1);
  CHECK(h.logs.contains("Failed to connect to sentry.example port 443"));
}

TEST_CASE("sender: a 503 with Retry-After waits that long, not the shorter backoff", "[sender]") {
  Harness h;
  h.net.push(http_response(503, "30"));
  auto d = h.open();
  const auto start = h.clock.now();
  REQUIRE(d->submit(event_id(1), event_json(1)).ok());
  REQUIRE(h.net.wait_for(1));
  CHECK(h.next_wake() == start + 30s);
  CHECK(h.net.count() == 1);
  h.advance_to(start + 30s);
  REQUIRE(drained(*d));
  CHECK(h.net.count() == 2);
  CHECK(d->stats().rate_limited == 0);
}

TEST_CASE("sender: permanent rejections are dropped, counted by status, and logged", "[sender]") {
  Harness h;
  Response too_large = http_response(413);
  too_large.sentry_error = "envelope exceeded size limits";
  h.net.push(too_large);
  h.net.push(http_response(400));
  h.net.push(http_response(401));
  h.net.push(http_response(403));
  auto d = h.open();
  for (int i = 1; i <= 5; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  CHECK_FALSE(drained(*d));  // empty, but not everything was accepted
  CHECK(h.net.count() == 5);
  CHECK(d->stats().sent == 1);
  CHECK(d->stats().dropped_permanent == 4);
  for (int status : {400, 401, 403, 413}) CHECK(d->stats().dropped_for_status(status) == 1);
  CHECK(d->stats().spool_files == 0);
  CHECK(h.logs.contains("rejected event " + event_id(1) +
                        " (HTTP 413: envelope exceeded size limits); dropped for good"));
}

TEST_CASE("sender: the DSN key never reaches a log line", "[sender]") {
  Harness h;
  Response denied = http_response(401);
  denied.body = std::string("{\"detail\":\"unknown public key ") + kKey + "\"}";
  h.net.push(denied);
  h.net.push(network_error(std::string("proxy said: bad key ") + kKey));
  auto d = h.open();
  REQUIRE(d->submit(event_id(1), event_json(1)).ok());
  REQUIRE(d->submit(event_id(2), event_json(2)).ok());
  REQUIRE(h.net.wait_for(2));
  h.advance_to(h.next_wake());
  REQUIRE(h.net.wait_for(3));
  d->shutdown(0ms);
  const auto lines = h.logs.lines();
  REQUIRE(lines.size() >= 3);
  CHECK(h.logs.contains("unknown public key [key]"));
  CHECK(h.logs.contains("bad key [key]"));
  for (const std::string& line : lines) CHECK(line.find(kKey) == std::string::npos);
}

TEST_CASE("sender: an event that keeps failing does not block the ones behind it", "[sender]") {
  Harness h;
  const std::string poison = event_id(1);
  h.net.set_rule([&](const Request& r) -> std::optional<Response> {
    if (r.body.find(poison) != std::string::npos) return http_response(500);
    return std::nullopt;
  });
  auto d = h.open();
  for (int i = 1; i <= 4; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  REQUIRE(h.advance_until([&] { return d->stats().sent == 3; }));
  CHECK(d->stats().spool_files == 1);
  const auto ids = ids_of(h.net.requests());
  CHECK(std::count(ids.begin(), ids.end(), poison) < 5);
}

TEST_CASE("sender: concurrency 4 sends four at once, each event exactly once", "[sender]") {
  Harness h;
  h.net.hold();
  auto d = h.open(4);
  for (int i = 1; i <= 12; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  REQUIRE(h.net.wait_for(4));
  CHECK(h.net.max_in_flight() == 4);
  h.net.release();
  REQUIRE(drained(*d));
  auto ids = ids_of(h.net.requests());
  CHECK(ids.size() == 12);
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  CHECK(d->stats().sent == 12);
}

TEST_CASE("sender: while failing, concurrent workers send one probe at a time", "[sender]") {
  Harness h;
  h.net.set_fallback(http_response(503));
  h.net.hold();
  auto d = h.open(4);
  const auto start = h.clock.now();
  for (int i = 1; i <= 8; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  REQUIRE(h.net.wait_for(4));  // the first round, before anything has failed
  h.net.release();
  REQUIRE(test::wait_count(d->stats().retried, 4));
  // Four failures in a row: the shared backoff is 8 s, then 16 s, 32 s, 64 s after each probe.
  Clock::time_point gate = start + 8s;
  for (uint64_t probe = 1; probe <= 3; ++probe) {
    REQUIRE(h.clock.await_sleeper(gate));  // every worker is idle until the backoff ends
    CHECK(h.net.count() == 4 + probe - 1);
    h.advance_to(gate);
    REQUIRE(test::wait_count(d->stats().retried, 4 + probe));
    gate += std::chrono::seconds(8 << probe);
  }
  REQUIRE(h.clock.await_sleeper(gate));
  CHECK(h.net.count() == 7);  // one request per backoff period, not one per worker
  h.net.set_fallback(http_response(200));
  REQUIRE(h.advance_until([&] { return d->stats().sent == 8; }));
  REQUIRE(drained(*d));
  CHECK(d->stats().sent == 8);
}

TEST_CASE("sender: shutdown aborts what is in flight and keeps it for the next start", "[sender]") {
  Harness h;
  h.net.hold();
  {
    auto d = h.open();
    REQUIRE(d->submit(event_id(1), event_json(1)).ok());
    REQUIRE(d->submit(event_id(2), event_json(2)).ok());
    REQUIRE(h.net.wait_for(1));
    d->shutdown(0ms);
    CHECK(d->stats().sent == 0);
    CHECK(d->stats().spool_files == 2);
    // Still spools after shutdown: the event waits for the next start.
    REQUIRE(d->submit(event_id(3), event_json(3)).ok());
  }
  CHECK(h.net.count() == 1);
  h.net.release();
  auto again = h.open();
  REQUIRE(drained(*again));
  CHECK(ids_of(h.net.requests()) ==
        std::vector<std::string>{event_id(1), event_id(1), event_id(2), event_id(3)});
}

TEST_CASE("sender: shutdown keeps sending during its grace period", "[sender]") {
  Harness h;
  auto d = h.open();
  for (int i = 1; i <= 5; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  d->shutdown(10s);
  CHECK(d->stats().sent == 5);
  CHECK(d->stats().spool_files == 0);
}

TEST_CASE("sender: drain gives up at its deadline while rate limited", "[sender]") {
  Harness h;
  h.net.push(http_response(429, "60"));
  auto d = h.open();
  REQUIRE(d->submit(event_id(1), event_json(1)).ok());
  REQUIRE(h.net.wait_for(1));
  CHECK_FALSE(d->drain(std::chrono::steady_clock::now() + 20ms));
  CHECK(d->stats().spool_files == 1);
}

TEST_CASE("delivery: an empty DSN sends nothing and counts what it discards", "[delivery]") {
  Harness h;
  Options o = h.options();
  o.dsn = "";
  auto d = h.open(std::move(o));
  CHECK_FALSE(d->enabled());
  CHECK(d->drain(std::chrono::steady_clock::now()));
  REQUIRE(d->submit(event_id(1), event_json(1)).ok());
  CHECK(d->stats().discarded_no_dsn == 1);
  CHECK_FALSE(d->drain(std::chrono::steady_clock::now()));
  CHECK(h.net.count() == 0);
  CHECK_FALSE(std::filesystem::exists(h.tmp.sub("spool")));
  CHECK(h.logs.contains("no DSN configured"));
}

TEST_CASE("delivery: bad options fail open() with a clear message", "[delivery]") {
  Harness h;
  Options bad_dsn = h.options();
  bad_dsn.dsn = std::string("htp://") + kKey + "@x/1";
  auto d1 = Delivery::open(bad_dsn);
  REQUIRE_FALSE(d1.ok());
  CHECK(d1.message().find("invalid DSN") != std::string::npos);
  CHECK(d1.message().find(kKey) == std::string::npos);

  Options five = h.options(5);
  auto d2 = Delivery::open(five);
  REQUIRE_FALSE(d2.ok());
  CHECK(d2.message().find("concurrency must be from 1 to 4") != std::string::npos);

  Options no_version = h.options();
  no_version.sdk_version = "";
  CHECK_FALSE(Delivery::open(no_version).ok());
}

TEST_CASE("delivery: invalid event ids are refused and counted", "[delivery]") {
  Harness h;
  auto d = h.open();
  CHECK_FALSE(d->submit("not-an-id", "{}").ok());
  CHECK_FALSE(d->submit("9EC79C33EC9942AB8353589FCB2E04DC", "{}").ok());
  CHECK(d->stats().dropped_spool_error == 2);
  CHECK(d->stats().submitted == 0);
}

TEST_CASE("delivery: turning TLS verification off is logged at open", "[delivery]") {
  Harness h;
  Options o = h.options();
  o.tls_verify = false;
  auto d = h.open(std::move(o));
  CHECK(h.logs.contains("TLS certificate verification is DISABLED"));
}
