// The whole Delivery — spool, sender, libcurl — against the loopback test receiver, in real time
// with short backoffs. These are the delivery scenarios at library level; the same ones
// against the faultline binary belong in tests/integration.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <fstream>
#include <set>
#include <thread>

#include "agent/delivery/delivery.h"
#include "delivery_test_support.h"
#include "support/receiver.h"

using namespace faultline::delivery;
using namespace std::chrono_literals;
using faultline::delivery::test::event_id;
using faultline::delivery::test::wait_count;
using faultline::testing::Receiver;
using faultline::testing::Reply;
using faultline::testing::TestPki;

namespace {

struct NoProxyFromEnvironment {
  NoProxyFromEnvironment() { setenv("no_proxy", "127.0.0.1,localhost", 1); }
};
const NoProxyFromEnvironment no_proxy_from_environment;

Options options_for(const std::string& dsn, const test::TempDir& tmp, test::LogRecorder& logs) {
  Options o;
  o.dsn = dsn;
  o.spool_dir = tmp.sub("spool");
  o.sdk_version = "0.1.0";
  o.backoff_initial = 10ms;
  o.backoff_max = 100ms;
  o.connect_timeout = 2s;
  o.request_timeout = 5s;
  o.log = logs.fn();
  return o;
}

std::unique_ptr<Delivery> open(Options o) {
  auto d = Delivery::open(std::move(o));
  REQUIRE(d.ok());
  return std::move(d).value();
}

std::string event_json(int n) {
  return "{\"event_id\":\"" + event_id(n) + "\"}";
}

std::multiset<std::string> ids(int from, int to) {
  std::multiset<std::string> out;
  for (int i = from; i <= to; ++i) out.insert(event_id(i));
  return out;
}

bool drained(Delivery& d) {
  return d.drain(std::chrono::steady_clock::now() + 20s);
}

}  // namespace

TEST_CASE("delivery/http: outage, then Sentry is back: every event arrives, none twice",
          "[delivery-http]") {
  test::TempDir tmp;
  test::LogRecorder logs;
  int port = 0;
  { port = Receiver().port(); }  // a port with nothing listening: the outage
  auto d = open(options_for("http://k@127.0.0.1:" + std::to_string(port) + "/42", tmp, logs));
  for (int i = 1; i <= 5; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  REQUIRE(wait_count(d->stats().network_errors, 3));
  CHECK(d->stats().sent == 0);
  CHECK(d->stats().spool_files == 5);

  auto rx = Receiver::on_port(port);
  REQUIRE(drained(*d));
  CHECK(rx->accepted_event_ids() == ids(1, 5));
  CHECK(rx->request_count() == 5);
  CHECK(d->stats().sent == 5);
  d.reset();  // closes the kept-alive connection before the receiver stops
}

TEST_CASE("delivery/http: a 500 storm costs a bounded number of requests, then all arrive",
          "[delivery-http]") {
  Receiver rx;
  rx.push(Reply::status_only(500), 10);
  test::TempDir tmp;
  test::LogRecorder logs;
  auto d = open(options_for(rx.dsn(), tmp, logs));
  for (int i = 1; i <= 3; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  REQUIRE(drained(*d));
  CHECK(rx.request_count() == 13);
  CHECK(rx.accepted_event_ids() == ids(1, 3));
  CHECK(d->stats().retried == 10);
}

TEST_CASE("delivery/http: 413 is dropped and counted, the others arrive", "[delivery-http]") {
  Receiver rx;
  rx.push(Reply::status_only(413));
  test::TempDir tmp;
  test::LogRecorder logs;
  auto d = open(options_for(rx.dsn(), tmp, logs));
  for (int i = 1; i <= 4; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  CHECK_FALSE(drained(*d));
  CHECK(rx.accepted_event_ids() == ids(2, 4));
  CHECK(d->stats().dropped_for_status(413) == 1);
  CHECK(d->stats().spool_files == 0);
  CHECK(logs.contains("HTTP 413"));
}

TEST_CASE("delivery/http: 429 then the rest, with concurrency 3", "[delivery-http]") {
  Receiver rx;
  rx.push(Reply::rate_limits(429, "1:error:key"));
  test::TempDir tmp;
  test::LogRecorder logs;
  Options o = options_for(rx.dsn(), tmp, logs);
  o.concurrency = 3;
  auto d = open(o);
  for (int i = 1; i <= 9; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
  REQUIRE(drained(*d));
  CHECK(rx.accepted_event_ids() == ids(1, 9));
  CHECK(d->stats().rate_limited >= 1);
}

TEST_CASE("delivery/http: stopped while sending, restarted: nothing lost, repeats keep the id",
          "[delivery-http]") {
  Receiver rx;
  rx.push(Reply::slow(30s));  // the first request hangs until the process "dies"
  test::TempDir tmp;
  test::LogRecorder logs;
  {
    auto d = open(options_for(rx.dsn(), tmp, logs));
    for (int i = 1; i <= 4; ++i) REQUIRE(d->submit(event_id(i), event_json(i)).ok());
    REQUIRE(rx.wait_for_requests(1));
  }  // destroyed with the request in flight: aborted, everything stays in the spool
  auto d = open(options_for(rx.dsn(), tmp, logs));
  REQUIRE(drained(*d));
  const auto accepted = rx.accepted_event_ids();
  CHECK(std::set<std::string>(accepted.begin(), accepted.end()) ==
        std::set<std::string>{event_id(1), event_id(2), event_id(3), event_id(4)});
  for (const auto& id : accepted) CHECK(accepted.count(id) <= 2);
  // Each id was always sent with the same payload.
  for (const auto& r : rx.requests()) {
    CHECK(r.parsed_envelope.items.at(0).payload == "{\"event_id\":\"" + r.event_id() + "\"}");
  }
}

TEST_CASE("delivery/http: TLS with the test CA delivers, an unknown CA sends nothing",
          "[delivery-http][tls]") {
  test::TempDir tmp;
  test::LogRecorder logs;
  const TestPki pki = TestPki::make();
  Receiver rx(Receiver::Tls{pki.server_cert_pem, pki.server_key_pem});
  const std::string ca = tmp.sub("ca.pem");
  const std::string unknown = tmp.sub("unknown.pem");
  std::ofstream(ca) << pki.ca_cert_pem;
  std::ofstream(unknown) << TestPki::make().ca_cert_pem;

  SECTION("known CA") {
    Options o = options_for(rx.dsn(), tmp, logs);
    o.ca_file = ca;
    auto d = open(o);
    REQUIRE(d->submit(event_id(1), event_json(1)).ok());
    REQUIRE(drained(*d));
    CHECK(rx.accepted_event_ids() == ids(1, 1));
  }
  SECTION("unknown CA") {
    Options o = options_for(rx.dsn(), tmp, logs);
    o.ca_file = unknown;
    auto d = open(o);
    REQUIRE(d->submit(event_id(1), event_json(1)).ok());
    REQUIRE(wait_count(d->stats().network_errors, 2));
    CHECK_FALSE(d->drain(std::chrono::steady_clock::now()));
    CHECK(rx.request_count() == 0);
    CHECK(d->stats().spool_files == 1);
    CHECK(logs.contains("TLS: SSL certificate problem"));
  }
}
