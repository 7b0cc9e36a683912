#include "parsers/shape_advisor.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using faultline::PinoFormat;
using faultline::ShapeAdvisor;

namespace {

// Lines are parsed in place: each is followed by simdjson's padding, as a LineFramer line is.
class Feeder {
 public:
  explicit Feeder(ShapeAdvisor& advisor) : advisor_(advisor) {}
  void line(const std::string& text, bool recognised = false) {
    buffer_ = text;
    buffer_.append(simdjson::SIMDJSON_PADDING, ' ');
    advisor_.observe(std::string_view(buffer_.data(), text.size()), recognised, "app.log", ++n_);
  }

 private:
  ShapeAdvisor& advisor_;
  std::string buffer_;
  uint64_t n_ = 0;
};

const std::string kRenamedCompletion =
    R"({"level":30,"time":1,"httpReq":{"id":7,"method":"GET","url":"/api/orders/7"},)"
    R"("httpRes":{"statusCode":200,"headers":{}},"timeTaken":12,"msg":"request completed"})";
const std::string kDefaultCompletion =
    R"({"level":30,"time":1,"req":{"id":7,"method":"GET","url":"/a"},)"
    R"("res":{"statusCode":200},"responseTime":3,"msg":"request completed"})";
const std::string kUpstreamAnswer =
    R"({"level":30,"time":1,"response":{"statusCode":502},"durationMs":30,"msg":"upstream"})";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("shape advisor: renamed pino-http keys are advised after three completions",
          "[shape_advisor]") {
  PinoFormat format;
  ShapeAdvisor advisor(format);
  Feeder feed(advisor);
  feed.line(kRenamedCompletion);
  feed.line(kRenamedCompletion);
  CHECK(advisor.take_advice().empty());  // two lines are not yet a pattern
  feed.line(kRenamedCompletion);
  const std::string advice = advisor.take_advice();
  CHECK(contains(advice, "pino.status_keys: [httpRes.statusCode]"));
  CHECK(contains(advice, "pino.response_time_keys: [timeTaken]"));
  CHECK(contains(advice, "pino.request_keys: [httpReq]"));
  CHECK(contains(advice, "pino.request_id_keys: [httpReq.id]"));
  CHECK(contains(advice, "3 lines, first at app.log:1"));
  CHECK(advisor.completion_shaped() == 3);
  // Said once; a later line adds nothing new.
  feed.line(kRenamedCompletion);
  CHECK(advisor.take_advice().empty());
}

TEST_CASE("shape advisor: an error object under an unknown key is advised at once",
          "[shape_advisor]") {
  PinoFormat format;
  ShapeAdvisor advisor(format);
  Feeder feed(advisor);
  feed.line(R"({"level":30,"failure":{"type":"Error","message":"boom",)"
            R"j("stack":"Error: boom\n    at f (/app/a.js:1:2)"},"msg":"request errored"})j");
  CHECK(contains(advisor.take_advice(), "pino.error_key: [failure]"));
  // By name and message alone too; but the configured `err` and `error` never.
  ShapeAdvisor second(format);
  Feeder feed2(second);
  feed2.line(R"({"level":50,"exception":{"name":"TypeError","message":"x is undefined"}})");
  CHECK(contains(second.take_advice(), "pino.error_key: [exception]"));
  ShapeAdvisor third(format);
  Feeder feed3(third);
  feed3.line(
      R"j({"level":50,"err":{"type":"Error","message":"a","stack":"Error: a\n    at f (x.js:1:1)"}})j");
  feed3.line(R"({"level":50,"error":{"type":"Error","message":"b"}})");
  feed3.line(R"({"level":40,"job":{"name":"sync","message":"retry"}})");  // not an error's shape
  CHECK(third.advice().empty());
}

TEST_CASE("shape advisor: the default pino-http shape needs no advice", "[shape_advisor]") {
  PinoFormat format;
  ShapeAdvisor advisor(format);
  Feeder feed(advisor);
  for (int i = 0; i < 5; ++i) feed.line(kDefaultCompletion, /*recognised=*/true);
  CHECK(advisor.take_advice().empty());
  CHECK(advisor.advice().empty());
  CHECK(advisor.recognised_completions() == 5);
}

TEST_CASE("shape advisor: upstream answers beside recognised completions are not advised",
          "[shape_advisor]") {
  PinoFormat format;
  ShapeAdvisor advisor(format);
  Feeder feed(advisor);
  feed.line(kDefaultCompletion, /*recognised=*/true);
  for (int i = 0; i < 5; ++i) feed.line(kUpstreamAnswer);
  CHECK(advisor.take_advice().empty());
  CHECK(advisor.advice().empty());
  // Without the recognised completion, the same lines are advice.
  ShapeAdvisor alone(format);
  Feeder feed2(alone);
  for (int i = 0; i < 3; ++i) feed2.line(kUpstreamAnswer);
  const std::string advice = alone.take_advice();
  CHECK(contains(advice, "pino.status_keys: [response.statusCode]"));
  CHECK(contains(advice, "pino.response_time_keys: [durationMs]"));
}

TEST_CASE("shape advisor: a status alone, or a status out of range, is no completion",
          "[shape_advisor]") {
  PinoFormat format;
  ShapeAdvisor advisor(format);
  Feeder feed(advisor);
  for (int i = 0; i < 5; ++i) {
    feed.line(R"({"level":30,"response":{"statusCode":404},"msg":"lookup"})");
    feed.line(R"({"level":30,"job":{"status":3},"durationMs":5,"msg":"tick"})");
  }
  CHECK(advisor.completion_shaped() == 0);
  CHECK(advisor.advice().empty());
}

TEST_CASE("shape advisor: keys under pino's nestedKey are advised relative to it",
          "[shape_advisor]") {
  PinoFormat format;
  format.nested_key = "payload";
  ShapeAdvisor advisor(format);
  Feeder feed(advisor);
  for (int i = 0; i < 3; ++i) {
    feed.line(R"({"level":30,"msg":"done","payload":{"request":{"method":"GET","url":"/"},)"
              R"("response":{"statusCode":500},"elapsed":4}})");
  }
  const std::string advice = advisor.take_advice();
  CHECK(contains(advice, "pino.status_keys: [response.statusCode]"));
  CHECK(contains(advice, "pino.response_time_keys: [elapsed]"));
  CHECK_FALSE(contains(advice, "request_keys"));  // `request` is a default key
}

TEST_CASE("shape advisor: stops after its window and survives what is not an object",
          "[shape_advisor]") {
  PinoFormat format;
  ShapeAdvisor advisor(format, /*window=*/4);
  Feeder feed(advisor);
  feed.line("[1,2,3]");
  feed.line(R"({"level":30,"a":{"b":)");  // cut
  feed.line(R"({"level":30,"statusCode":"500","durationMs":"x"})");
  CHECK_FALSE(advisor.done());
  feed.line("{}");
  CHECK(advisor.done());
  feed.line(kRenamedCompletion);  // ignored: the window is over
  CHECK(advisor.records() == 4);
  CHECK(advisor.advice().empty());
}

TEST_CASE("shape advisor: completion shapes after a recognised one leave room for an error key",
          "[shape_advisor]") {
  PinoFormat format;
  ShapeAdvisor advisor(format);
  Feeder feed(advisor);
  feed.line(kDefaultCompletion, /*recognised=*/true);
  // Sixteen other completion shapes (upstream calls): never advice once a completion was
  // recognised, so they must not fill the advisor's table either.
  for (int i = 0; i < 16; ++i) {
    const std::string key = "upstream" + std::to_string(i);
    feed.line(R"({"level":30,")" + key + R"(":{"method":"GET","url":"/x","statusCode":502},)" +
              R"("msg":"upstream"})");
  }
  CHECK(advisor.completion_shaped() == 0);
  feed.line(R"({"level":50,"failure":{"type":"Error","message":"boom"},"msg":"failed"})");
  CHECK(contains(advisor.take_advice(), "pino.error_key: [failure]"));
}

TEST_CASE("shape advisor: a key written with a unicode escape is read as its letters",
          "[shape_advisor]") {
  // Lines are looked at only when their bytes hold a key the advisor compares by name; an
  // escaped key must not slip past that.
  PinoFormat format;
  ShapeAdvisor advisor(format);
  Feeder feed(advisor);
  feed.line(R"({"level":30,"res":{"statusCode":200},"responseTime":1,"msg":"done"})",
            /*recognised=*/true);
  feed.line(R"({"level":50,"failure":{"n\u0061me":"TypeError","mess\u0061ge":"x"}})");
  CHECK(contains(advisor.take_advice(), "pino.error_key: [failure]"));
}
