// Self-tests of the loopback test receiver that the delivery and integration tests rely on.
#include <catch2/catch.hpp>

#include <httplib.h>

#include "support/receiver.h"

using faultline::testing::parse_envelope;
using faultline::testing::Receiver;
using faultline::testing::Reply;

TEST_CASE("receiver: parses envelopes with and without item lengths", "[receiver]") {
  auto env = parse_envelope(
      "{\"event_id\":\"abc\"}\n"
      "{\"type\":\"attachment\",\"length\":7}\n"
      "bin\nary\n"
      "{\"type\":\"event\"}\n"
      "{\"x\":1}\n");
  REQUIRE(env.ok());
  CHECK(env->event_id() == "abc");
  REQUIRE(env->items.size() == 2);
  CHECK(env->items[0].payload == "bin\nary");
  CHECK(env->items[1].payload == "{\"x\":1}");

  auto no_trailing_newline = parse_envelope("{}\n{\"type\":\"event\",\"length\":2}\n{}");
  REQUIRE(no_trailing_newline.ok());
  CHECK(no_trailing_newline->items.at(0).payload == "{}");
}

TEST_CASE("receiver: rejects malformed envelopes", "[receiver]") {
  CHECK_FALSE(parse_envelope("not json\n").ok());
  CHECK_FALSE(parse_envelope("{}\n{\"type\":\"event\",\"length\":10}\n{}\n").ok());
  CHECK_FALSE(parse_envelope("{}\n{\"type\":\"event\",\"length\":2}\n{}X").ok());
  CHECK_FALSE(parse_envelope("{}\n{\"type\":\"event\",\"length\":-1}\n").ok());
  CHECK_FALSE(parse_envelope("{}\nnot a header\n").ok());
}

TEST_CASE("receiver: answers from its script in order, then the default", "[receiver]") {
  Receiver rx;
  rx.push(Reply::status_only(500), 2);
  rx.push(Reply::retry_after(429, "7"));
  httplib::Client client("127.0.0.1", rx.port());
  const std::string body = "{\"event_id\":\"e1\"}\n{\"type\":\"event\",\"length\":2}\n{}\n";
  std::vector<int> statuses;
  std::string retry_after;
  for (int i = 0; i < 4; ++i) {
    auto res = client.Post("/api/1/envelope/", body, "application/x-sentry-envelope");
    REQUIRE(res);
    statuses.push_back(res->status);
    if (res->status == 429) retry_after = res->get_header_value("Retry-After");
  }
  CHECK(statuses == std::vector<int>{500, 500, 429, 200});
  CHECK(retry_after == "7");
  REQUIRE(rx.wait_for_accepted(1));
  auto requests = rx.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[3].index == 3);
  CHECK(requests[3].received_at >= requests[0].received_at);
  CHECK(requests[3].reply_status == 200);
  CHECK(requests[0].event_id() == "e1");
  CHECK(rx.accepted_event_ids() == std::multiset<std::string>{"e1"});
}

TEST_CASE("receiver: records unparsable bodies instead of failing", "[receiver]") {
  Receiver rx;
  httplib::Client client("127.0.0.1", rx.port());
  auto res = client.Post("/api/1/envelope/", "garbage", "text/plain");
  REQUIRE(res);
  auto requests = rx.requests();
  REQUIRE(requests.size() == 1);
  CHECK_FALSE(requests[0].parsed);
  CHECK_FALSE(requests[0].parse_error.empty());
}
