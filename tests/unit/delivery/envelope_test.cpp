#include <catch2/catch.hpp>

#include "agent/delivery/envelope.h"
#include "support/receiver.h"

using namespace faultline::delivery;

namespace {
const std::string kId = "9ec79c33ec9942ab8353589fcb2e04dc";
const auto kSentAt =
    std::chrono::system_clock::time_point(std::chrono::milliseconds(1735689601042));
}  // namespace

TEST_CASE("envelope: exact bytes of a one-event envelope", "[envelope]") {
  const std::string event = R"({"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","level":"error"})";
  const std::string env = build_event_envelope(kId, event, kSentAt, SdkInfo{"faultline", "0.1.0"});
  CHECK(
      env ==
      "{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"sent_at\":\"2025-01-01T00:00:01.042Z\","
      "\"sdk\":{\"name\":\"faultline\",\"version\":\"0.1.0\"}}\n"
      "{\"type\":\"event\",\"length\":" +
          std::to_string(event.size()) + "}\n" + event + "\n");
}

TEST_CASE("envelope: length counts bytes, so newlines and UTF-8 in the payload are safe",
          "[envelope]") {
  const std::string event = "{\"message\":\"caf\xC3\xA9\\n\"}\n{\"not\":\"an item\"}";
  const std::string env = build_event_envelope(kId, event, kSentAt, SdkInfo{"a\"b", "1"});
  auto parsed = faultline::testing::parse_envelope(env);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->items.size() == 1);
  CHECK(parsed->items[0].payload == event);
  CHECK(parsed->event_id() == kId);
  CHECK(parsed->header.find_path("sdk.name")->as_string() == "a\"b");
}

TEST_CASE("envelope: event ids are 32 lowercase hex", "[envelope]") {
  CHECK(is_valid_event_id(kId));
  CHECK_FALSE(is_valid_event_id("9EC79C33EC9942AB8353589FCB2E04DC"));
  CHECK_FALSE(is_valid_event_id("9ec79c33-ec99-42ab-8353-589fcb2e04dc"));
  CHECK_FALSE(is_valid_event_id(kId.substr(1)));
  CHECK_FALSE(is_valid_event_id(""));
}

TEST_CASE("envelope: request headers, and gzip only above the threshold", "[envelope]") {
  auto dsn = parse_dsn("https://k123@o1.ingest.sentry.io/42");
  REQUIRE(dsn.ok());
  const SdkInfo sdk{"faultline", "1.2.3"};
  const std::string env = build_event_envelope(kId, std::string(2000, 'x'), kSentAt, sdk);

  auto plain = build_request(*dsn, sdk, env, env.size());
  REQUIRE(plain.ok());
  CHECK(plain->url == "https://o1.ingest.sentry.io/api/42/envelope/");
  CHECK(plain->body == env);
  CHECK(plain->headers == std::vector<std::string>{"Content-Type: application/x-sentry-envelope",
                                                   "X-Sentry-Auth: Sentry sentry_version=7, "
                                                   "sentry_client=faultline/1.2.3, sentry_key=k123",
                                                   "User-Agent: faultline/1.2.3"});

  auto packed = build_request(*dsn, sdk, env, env.size() - 1);
  REQUIRE(packed.ok());
  CHECK(packed->headers.back() == "Content-Encoding: gzip");
  CHECK(packed->body.size() < env.size());
  auto inflated = faultline::testing::gunzip(packed->body);
  REQUIRE(inflated.ok());
  CHECK(*inflated == env);
}

TEST_CASE("envelope: gzip of empty and of incompressible data round-trips", "[envelope]") {
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 100000; ++i) {
    x = x * 1664525u + 1013904223u;
    noise.push_back(static_cast<char>(x >> 24));
  }
  for (const std::string& data : {std::string(), noise}) {
    auto packed = gzip(data);
    REQUIRE(packed.ok());
    auto inflated = faultline::testing::gunzip(*packed);
    REQUIRE(inflated.ok());
    CHECK(*inflated == data);
  }
}
