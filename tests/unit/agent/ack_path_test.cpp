// The acknowledgement path with a fake input: an input is told it may checkpoint past a line only
// once every event from that line is durable (the output settled its ticket) or the line made
// none. Pipeline + AckTracker + outputs' tickets + the runtime's Acknowledger, no threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "agent/config/loader.h"
#include "agent/inputs/input.h"
#include "agent/outputs/event_sink.h"
#include "agent/pipeline/ack_tracker.h"
#include "agent/pipeline/pipeline.h"
#include "agent/runtime/acknowledger.h"

using namespace faultline;

namespace {

// An input whose lines the test queues; each run() hands over what is queued, then goes idle.
// It records what it is acknowledged, as a tailer would move its checkpoint.
class FakeInput final : public Input {
 public:
  // Queues one line; returns its offset.
  uint64_t push(const std::string& line) {
    const uint64_t offset = written_;
    queued_ += line + "\n";
    written_ += line.size() + 1;
    return offset;
  }
  uint64_t written() const { return written_; }

  Status run(LineSink& sink, const std::atomic<bool>&) override {
    if (!source_) source_ = sink.open_source("fake.log");
    framer_.feed(queued_, [&](const Line& line) { sink.on_line(*source_, line); });
    queued_.clear();
    sink.on_idle();
    return Status::Ok();
  }

  void acknowledge(SourceId source, uint64_t offset) override {
    REQUIRE(source == *source_);
    REQUIRE(offset >= checkpoint);  // acknowledgements never go back
    checkpoint = offset;
  }

  uint64_t checkpoint = 0;

 private:
  std::optional<SourceId> source_;
  LineFramer framer_{1 << 20};
  std::string queued_;
  uint64_t written_ = 0;
};

// An output that makes events durable only when the test says so (a slow disk).
class SlowSink final : public EventSink {
 public:
  bool emit(const std::string&, const json::Value&, uint64_t ticket) override {
    held_.push_back(ticket);
    ++events;
    return true;
  }
  void make_durable() {
    for (uint64_t t : held_) settle(t);
    held_.clear();
  }
  int events = 0;

 private:
  std::vector<uint64_t> held_;
};

config::Config test_config() {
  return config::load_text(
             "correlation:\n  hold: 5s\n", "test.yaml",
             [](std::string_view) -> std::optional<std::string> { return std::nullopt; })
      .value();
}

std::string req_line(int id, const std::string& rest) {
  return R"({"level":30,"time":1795502011214,"pid":1,"hostname":"h","req":{"id":)" +
         std::to_string(id) + R"(,"method":"GET","url":"/orders/)" + std::to_string(id) + R"("},)" +
         rest + "}";
}
std::string error_line(int id) {
  return req_line(id,
                  R"("level":50,"err":{"type":"TypeError","message":"boom )" + std::to_string(id) +
                      R"J(","stack":"TypeError: boom\n    at f (/app/x.js:1:1)"},"msg":"boom")J");
}
std::string completion_line(int id) {
  return req_line(id, R"("res":{"statusCode":500},"responseTime":5,"msg":"request errored")");
}
std::string info_line(int id) {
  return req_line(id, R"("msg":"loading")");
}

struct AckPath {
  config::Config config = test_config();
  Metrics metrics;
  FakeClock clock;
  AckTracker acks;
  SlowSink sink;
  Pipeline pipeline{config, sink, metrics, clock, &acks};
  FakeInput input;
  runtime::Acknowledger acknowledger{pipeline, input};
  std::atomic<bool> stop{false};

  AckPath() { sink.set_listener(&acks); }
  void run() { REQUIRE(input.run(acknowledger, stop).ok()); }
};

}  // namespace

TEST_CASE("ack path: lines that make no event are acknowledged once handed over", "[ack]") {
  AckPath p;
  p.input.push(info_line(1));
  p.input.push(info_line(2));
  p.run();
  CHECK(p.input.checkpoint == p.input.written());
}

TEST_CASE("ack path: a held error keeps the checkpoint at its line until its event is durable",
          "[ack]") {
  AckPath p;
  p.input.push(info_line(1));
  const uint64_t error_at = p.input.push(error_line(1));  // held: waits for its completion
  p.input.push(info_line(2));
  p.run();
  CHECK(p.sink.events == 0);
  CHECK(p.input.checkpoint == error_at);

  // The completion releases the event; the output has not made it durable yet.
  p.input.push(completion_line(1));
  p.input.push(info_line(3));
  p.run();
  CHECK(p.sink.events == 1);
  CHECK(p.input.checkpoint == error_at);

  p.sink.make_durable();
  p.run();  // nothing new: the idle turn passes the news on
  CHECK(p.input.checkpoint == p.input.written());
  CHECK(p.acks.open() == 0);
}

TEST_CASE("ack path: the oldest unsafe line wins across requests", "[ack]") {
  AckPath p;
  const uint64_t first = p.input.push(error_line(1));
  p.input.push(error_line(2));
  p.input.push(completion_line(2));  // request 2's event is out, request 1's still held
  p.run();
  CHECK(p.sink.events == 1);
  p.sink.make_durable();
  p.run();
  CHECK(p.input.checkpoint == first);

  p.pipeline.finish();  // shutdown: the held error goes out, forced
  CHECK(p.sink.events == 2);
  p.acknowledger.acknowledge();
  CHECK(p.input.checkpoint == first);
  p.sink.make_durable();
  p.acknowledger.acknowledge();
  CHECK(p.input.checkpoint == p.input.written());
}

TEST_CASE("ack tracker: a ticket settles once, the oldest open offset per source", "[ack]") {
  AckTracker acks;
  CHECK_FALSE(acks.oldest(0).has_value());
  const uint64_t a = acks.issue(0, 100);
  const uint64_t b = acks.issue(0, 100);
  const uint64_t c = acks.issue(0, 300);
  const uint64_t d = acks.issue(1, 50);
  CHECK(a != 0);
  CHECK(acks.oldest(0) == 100u);
  CHECK(acks.oldest(1) == 50u);
  acks.settled(a);
  acks.settled(a);  // twice: no effect
  CHECK(acks.oldest(0) == 100u);
  acks.settled(b);
  CHECK(acks.oldest(0) == 300u);
  acks.settled(c);
  acks.settled(d);
  acks.settled(0);
  CHECK_FALSE(acks.oldest(0).has_value());
  CHECK(acks.open() == 0);
}

namespace {

class RecordingListener final : public SettleListener {
 public:
  void settled(uint64_t ticket) override { tickets.push_back(ticket); }
  std::vector<uint64_t> tickets;
};

}  // namespace

TEST_CASE("fan-out: a ticket settles when every output settled it", "[ack]") {
  SlowSink slow;
  NullSink null;  // settles at once
  FanOut fan({&slow, &null});
  RecordingListener listener;
  fan.set_listener(&listener);
  json::Value event = json::Object{};
  fan.emit("id", event, 7);
  fan.emit("id", event, 0);  // nobody waits for ticket 0
  CHECK(listener.tickets.empty());
  slow.make_durable();
  CHECK(listener.tickets == std::vector<uint64_t>{7});
}
