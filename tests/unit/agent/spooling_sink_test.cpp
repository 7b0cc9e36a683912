// The spool writer in front of delivery: group commits of what arrived during the previous one,
// tickets settled only once their batch is durable, and backpressure instead of drops. A commit
// hook holds a commit half-way (the batch file written and fsynced, not yet renamed) so that the
// test sees what is settled while a commit is in progress.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "agent/outputs/spooling_sink.h"
#include "parsers/json.h"
#include "unit/delivery/delivery_test_support.h"

using namespace faultline;
using delivery::Spool;
using delivery::test::event_id;

namespace {

class Settled final : public SettleListener {
 public:
  void settled(uint64_t ticket) override {
    std::lock_guard<std::mutex> g(mu_);
    tickets_.insert(ticket);
  }
  std::set<uint64_t> tickets() const {
    std::lock_guard<std::mutex> g(mu_);
    return tickets_;
  }

 private:
  mutable std::mutex mu_;
  std::set<uint64_t> tickets_;
};

// Holds the first commit at `step` until release().
class Gate {
 public:
  void at(Spool::CommitStep step) {
    std::unique_lock<std::mutex> lock(mu_);
    if (step != Spool::CommitStep::kFileSynced || ++commits_ != 1) return;
    held_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
  }
  void wait_held() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return held_; });
  }
  void release() {
    std::lock_guard<std::mutex> g(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int commits_ = 0;
  bool held_ = false;
  bool released_ = false;
};

struct Harness {
  delivery::test::TempDir tmp;
  FakeClock clock;
  delivery::test::FakeNetwork net;
  Gate gate;
  std::unique_ptr<delivery::Delivery> d;

  Harness() {
    net.hold();  // nothing leaves the spool: this is about writing it
    delivery::Options o;
    o.dsn = "https://f00df00df00df00df00df00df00df00d@sentry.example/42";
    o.spool_dir = tmp.sub("spool");
    o.sdk_version = "0.1.0";
    o.clock = &clock;
    o.transport_factory = net.factory();
    o.commit_hook = [this](Spool::CommitStep s) { gate.at(s); };
    auto opened = delivery::Delivery::open(std::move(o));
    REQUIRE(opened.ok());
    d = std::move(opened).value();
  }
};

json::Value event_json() {
  auto v = json::parse(R"({"message":"boom","level":"error"})");
  REQUIRE(v.ok());
  return std::move(v).value();
}

}  // namespace

TEST_CASE(
    "spooling sink: tickets settle after their batch is durable - arrivals make the next batch",
    "[spooling_sink]") {
  Harness h;
  Settled settled;
  {
    SpoolingSink sink(*h.d, 16 << 20);
    sink.set_listener(&settled);
    const json::Value event = event_json();
    REQUIRE(sink.emit(event_id(1), event, 1));
    h.gate.wait_held();  // event 1's commit: written and fsynced, not yet renamed
    for (int i = 2; i <= 51; ++i) REQUIRE(sink.emit(event_id(i), event, i));
    CHECK(settled.tickets().empty());  // not one is durable yet
    h.gate.release();
    sink.flush();
    std::set<uint64_t> all;
    for (uint64_t t = 1; t <= 51; ++t) all.insert(t);
    CHECK(settled.tickets() == all);
  }
  const delivery::Stats& stats = h.d->stats();
  CHECK(stats.submitted == 51);
  CHECK(stats.spool_commits == 2);  // event 1, then the 50 that came while it was written
  CHECK(stats.spool_files == 51);
}

TEST_CASE("spooling sink: a full queue makes the pipeline wait - nothing is dropped",
          "[spooling_sink]") {
  Harness h;
  Settled settled;
  Registry registry;
  const json::Value event = event_json();
  const size_t one_event = json::to_string(event).size();
  {
    SpoolingSink sink(*h.d, one_event);  // room for one event
    sink.set_listener(&settled);
    sink.register_metrics(registry);
    REQUIRE(sink.emit(event_id(1), event, 1));
    h.gate.wait_held();
    CHECK(registry.value("faultline_spool_queue_bytes") == one_event);
    bool emitted = false;
    std::thread pipeline([&] { emitted = sink.emit(event_id(2), event, 2); });
    // It waits (counted) for the commit in progress to make room. (The deadline only turns a
    // hang into a failure.)
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (registry.value("faultline_spool_queue_waits_total") == 0u &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(registry.value("faultline_spool_queue_waits_total") == 1u);
    CHECK(settled.tickets().empty());
    h.gate.release();
    pipeline.join();
    CHECK(emitted);
    sink.flush();
    CHECK(settled.tickets() == std::set<uint64_t>{1, 2});
  }
  CHECK(h.d->stats().submitted == 2);
  CHECK(h.d->stats().dropped_spool_full == 0);
  CHECK(registry.size() == 3);
}
