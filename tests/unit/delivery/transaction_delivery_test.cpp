// Transactions in delivery: their own envelope item and trace header, their kind kept in the
// spool across a restart, and a rate limit of theirs that never holds back an error event (nor an
// error limit them).
#include <catch2/catch.hpp>

#include <thread>

#include "agent/delivery/delivery.h"
#include "agent/delivery/envelope.h"
#include "agent/delivery/spool.h"
#include "agent/delivery/trace_header.h"
#include "delivery_test_support.h"
#include "support/receiver.h"

using namespace faultline::delivery;
using faultline::FakeClock;
using namespace std::chrono_literals;
using faultline::delivery::test::event_id;
using faultline::delivery::test::http_response;

namespace {

constexpr const char* kKey = "f00df00df00df00df00df00df00df00d";

std::string transaction_json(int n, const char* source = "route") {
  return R"({"event_id":")" + event_id(n) +
         R"(","type":"transaction","transaction":"GET /api/orders/:id","transaction_info":{"source":")" +
         source +
         R"("},"release":"shop@1","environment":"staging","contexts":{"trace":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","data":{"sentry.sample_rate":0.1}}}})";
}
std::string event_json(int n) {
  return "{\"event_id\":\"" + event_id(n) + "\",\"n\":" + std::to_string(n) + "}";
}

struct Harness {
  test::TempDir tmp;
  FakeClock clock;
  test::FakeNetwork net;
  test::LogRecorder logs;

  std::unique_ptr<Delivery> open() {
    Options o;
    o.dsn = std::string("https://") + kKey + "@sentry.example/42";
    o.spool_dir = tmp.sub("spool");
    o.sdk_version = "0.1.0";
    o.clock = &clock;
    o.transport_factory = net.factory();
    o.random_unit = [] { return 1.0; };
    o.log = logs.fn();
    auto d = Delivery::open(std::move(o));
    REQUIRE(d.ok());
    return std::move(d).value();
  }
};

faultline::Status submit(Delivery& d, int n, ItemKind kind) {
  const std::string id = event_id(n);
  const std::string json = kind == ItemKind::kTransaction ? transaction_json(n) : event_json(n);
  const Delivery::Submission one{id, json, kind};
  return std::move(d.submit_batch(std::span<const Delivery::Submission>(&one, 1)).front());
}

faultline::testing::Envelope envelope_of(const Request& r) {
  auto env = faultline::testing::parse_envelope(r.body);
  REQUIRE(env.ok());
  return std::move(env).value();
}

std::vector<std::string> types_of(const std::vector<Request>& requests) {
  std::vector<std::string> types;
  for (const Request& r : requests) {
    types.push_back(envelope_of(r).items.at(0).header.find("type")->as_string());
  }
  return types;
}

}  // namespace

TEST_CASE("transaction delivery: the trace header is the Dynamic Sampling Context",
          "[delivery][transaction]") {
  auto dsc = faultline::json::parse(trace_header(transaction_json(1), kKey));
  REQUIRE(dsc.ok());
  CHECK(dsc->find("trace_id")->as_string() == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(dsc->find("public_key")->as_string() == kKey);
  CHECK(dsc->find("sample_rate")->as_string() == "0.1");
  CHECK(dsc->find("sampled")->as_string() == "true");
  CHECK(dsc->find("release")->as_string() == "shop@1");
  CHECK(dsc->find("environment")->as_string() == "staging");
  CHECK(dsc->find("transaction")->as_string() == "GET /api/orders/:id");
  // A name from a URL stays out, as the SDK leaves it out.
  auto from_url = faultline::json::parse(trace_header(transaction_json(1, "url"), kKey));
  REQUIRE(from_url.ok());
  CHECK(from_url->find("transaction") == nullptr);
  CHECK(trace_header("{\"type\":\"transaction\"}", kKey).empty());
  CHECK(trace_header("not json", kKey).empty());
}

TEST_CASE("transaction delivery: a transaction envelope has a transaction item",
          "[delivery][transaction]") {
  const std::string envelope =
      build_envelope(ItemKind::kTransaction, event_id(1), transaction_json(1),
                     std::chrono::system_clock::time_point(), SdkInfo{"faultline", "0.1.0"},
                     trace_header(transaction_json(1), kKey));
  auto env = faultline::testing::parse_envelope(envelope);
  REQUIRE(env.ok());
  CHECK(env->header.find_path("trace.public_key")->as_string() == kKey);
  REQUIRE(env->items.size() == 1);
  CHECK(env->items[0].header.find("type")->as_string() == "transaction");
  CHECK(env->items[0].payload == transaction_json(1));
  // An event's envelope is what it always was.
  CHECK(build_envelope(ItemKind::kEvent, event_id(2), event_json(2),
                       std::chrono::system_clock::time_point(), SdkInfo{"faultline", "0.1.0"}) ==
        build_event_envelope(event_id(2), event_json(2), std::chrono::system_clock::time_point(),
                             SdkInfo{"faultline", "0.1.0"}));
}

TEST_CASE("transaction delivery: the spool keeps each payload's kind across a restart",
          "[delivery][transaction]") {
  test::TempDir tmp;
  FakeClock clock;
  Stats stats;
  Events events(stats, nullptr, clock);
  const std::string tx = transaction_json(1);
  const std::string ev = event_json(2);
  {
    auto spool = Spool::open(tmp.sub("spool"), 1 << 20, events);
    REQUIRE(spool.ok());
    const std::string id1 = event_id(1), id2 = event_id(2);
    const Spool::Item items[] = {{id1, tx, ItemKind::kTransaction}, {id2, ev, ItemKind::kEvent}};
    for (const auto& r : (*spool)->put_batch(items)) {
      INFO(r.message());
      REQUIRE(r.ok());
    }
  }
  // On disk: an event's record as it always was, a transaction's with its kind.
  CHECK(spool_file_header(event_id(2), ev) ==
        "faultline-spool 1 " + event_id(2) + " " + std::to_string(ev.size()) +
            spool_file_header(event_id(2), ev)
                .substr(18 + 32 + 1 + std::to_string(ev.size()).size()));
  CHECK(spool_file_header(event_id(1), tx, ItemKind::kTransaction)
            .rfind("faultline-spool 2 transaction " + event_id(1) + " ", 0) == 0);
  CHECK(spool_record_size(event_id(1), tx, ItemKind::kTransaction) ==
        spool_file_header(event_id(1), tx, ItemKind::kTransaction).size() + tx.size());

  auto spool = Spool::open(tmp.sub("spool"), 1 << 20, events);
  REQUIRE(spool.ok());
  faultline::Clock::time_point next;
  // Only events: the transaction is skipped, not claimed.
  auto only_event = (*spool)->claim(clock.now(), &next, KindSet::none().with(ItemKind::kEvent));
  REQUIRE(only_event.has_value());
  CHECK(only_event->event_id == event_id(2));
  CHECK(only_event->kind == ItemKind::kEvent);
  CHECK_FALSE((*spool)->claim(clock.now(), &next, KindSet::none().with(ItemKind::kEvent)));
  auto transaction = (*spool)->claim(clock.now(), &next);
  REQUIRE(transaction.has_value());
  CHECK(transaction->kind == ItemKind::kTransaction);
  auto payload = (*spool)->read(*transaction);
  REQUIRE(payload.ok());
  CHECK(*payload == tx);
  CHECK(stats.corrupt_moved_aside == 0);
}

TEST_CASE("transaction delivery: a transaction rate limit drops transactions, not errors",
          "[delivery][transaction]") {
  Harness h;
  // The first answer limits transactions for an hour.
  h.net.push(http_response(200, "", "3600:transaction:key"));
  auto d = h.open();
  REQUIRE(submit(*d, 1, ItemKind::kEvent).ok());
  REQUIRE(h.net.wait_for(1));
  REQUIRE(submit(*d, 2, ItemKind::kTransaction).ok());
  REQUIRE(submit(*d, 3, ItemKind::kEvent).ok());
  REQUIRE(submit(*d, 4, ItemKind::kTransaction).ok());
  REQUIRE(submit(*d, 5, ItemKind::kEvent).ok());
  // No fake time passes: the errors go now, the transactions not at all.
  REQUIRE(d->drain(std::chrono::steady_clock::now() + 10s));
  CHECK(types_of(h.net.requests()) == std::vector<std::string>{"event", "event", "event"});
  CHECK(d->stats().sent == 3);
  CHECK(d->stats().transactions_rate_limited == 2);
  CHECK(d->stats().spool_files == 0);
}

TEST_CASE("transaction delivery: an error rate limit holds errors, not transactions",
          "[delivery][transaction]") {
  Harness h;
  h.net.push(http_response(200, "", "60:error:key"));
  auto d = h.open();
  const auto start = h.clock.now();
  REQUIRE(submit(*d, 1, ItemKind::kEvent).ok());
  REQUIRE(h.net.wait_for(1));
  REQUIRE(submit(*d, 2, ItemKind::kEvent).ok());
  REQUIRE(submit(*d, 3, ItemKind::kTransaction).ok());
  // The transaction goes at once; the error waits in the spool for the limit to run out.
  REQUIRE(h.net.wait_for(2));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (d->stats().sent < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  CHECK(d->stats().sent == 2);
  CHECK(types_of(h.net.requests()) == std::vector<std::string>{"event", "transaction"});
  CHECK(envelope_of(h.net.requests()[1]).header.find_path("trace.trace_id")->as_string() ==
        "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(d->stats().spool_files == 1);
  REQUIRE(h.clock.await_sleeper(start + 60s));
  h.clock.advance(60s);
  REQUIRE(d->drain(std::chrono::steady_clock::now() + 10s));
  CHECK(types_of(h.net.requests()) == std::vector<std::string>{"event", "transaction", "event"});
  CHECK(d->stats().transactions_rate_limited == 0);
}
