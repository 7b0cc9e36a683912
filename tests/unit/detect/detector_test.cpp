#include <catch2/catch.hpp>

#include "parsers/pino_record.h"
#include "rules/detect/detector.h"

using faultline::PinoFormat;
using faultline::ReadOutcome;
using faultline::RecordReader;
using faultline::RecordSchema;
using faultline::RecordView;
using faultline::rules::DetectOptions;
using faultline::rules::Detector;
using faultline::rules::DetectReason;
using faultline::rules::DetectRule;

namespace {

struct Fixture {
  explicit Fixture(DetectOptions options = {}, std::vector<std::string> extra_fields = {})
      : schema(RecordSchema::build(PinoFormat{}).value()) {
    for (const std::string& f : extra_fields) slots.push_back(schema.add_field(f).value());
    reader = std::make_unique<RecordReader>(schema);
    detector = std::make_unique<Detector>(std::move(options));
  }
  DetectReason classify(const std::string& line) {
    RecordView view;
    REQUIRE(reader->read(line, view, /*padded=*/false) == ReadOutcome::kRecord);
    return detector->classify(view, *reader);
  }
  RecordSchema schema;
  std::vector<int> slots;
  std::unique_ptr<RecordReader> reader;
  std::unique_ptr<Detector> detector;
};

}  // namespace

TEST_CASE("detector: level at or above error is an error record", "[detect]") {
  Fixture f;
  CHECK(f.classify(R"({"level":50,"msg":"x"})") == DetectReason::kLevel);
  CHECK(f.classify(R"({"level":60,"msg":"x"})") == DetectReason::kLevel);
  CHECK(f.classify(R"({"level":"error","msg":"x"})") == DetectReason::kLevel);
  CHECK(f.classify(R"({"level":30,"msg":"x"})") == DetectReason::kNone);
  CHECK(f.classify(R"({"msg":"no level at all"})") == DetectReason::kNone);
}

TEST_CASE("detector: an err object at warn counts, at info it does not", "[detect]") {
  Fixture f;
  CHECK(f.classify(R"({"level":40,"err":{"message":"m"}})") == DetectReason::kErrObject);
  CHECK(f.classify(R"({"level":30,"err":{"message":"m"}})") == DetectReason::kNone);
  // A string err is not an error object (pino passes non-error-likes through unchanged).
  CHECK(f.classify(R"({"level":40,"err":"just text"})") == DetectReason::kNone);
}

TEST_CASE("detector: pino-http 5xx completions logged at info are error records", "[detect]") {
  Fixture f;
  CHECK(f.classify(R"({"level":30,"res":{"statusCode":503},"responseTime":3})") ==
        DetectReason::kStatus5xx);
  CHECK(f.classify(R"({"level":30,"res":{"statusCode":404},"responseTime":3})") ==
        DetectReason::kNone);
  DetectOptions off;
  off.status_5xx = false;
  Fixture g(off);
  CHECK(g.classify(R"({"level":30,"res":{"statusCode":503}})") == DetectReason::kNone);
}

TEST_CASE("detector: worker retries at warn are not events, the last attempt is", "[detect]") {
  Fixture f;
  const char* retry =
      R"({"level":40,"queue":"emails","jobId":"9","attemptsMade":1,"attempts":3,"err":{"message":"x"}})";
  const char* last =
      R"({"level":40,"queue":"emails","jobId":"9","attemptsMade":3,"attempts":3,"err":{"message":"x"}})";
  CHECK(f.classify(retry) == DetectReason::kNone);
  CHECK(f.classify(last) == DetectReason::kJobFailure);
  CHECK(f.classify(R"({"level":50,"queue":"emails","jobId":"1","attemptsMade":1,"attempts":3})") ==
        DetectReason::kJobFailure);
  DetectOptions with_retries;
  with_retries.job_retries = true;
  Fixture g(with_retries);
  CHECK(g.classify(retry) == DetectReason::kJobFailure);
}

TEST_CASE("detector: include and exclude rules", "[detect]") {
  DetectOptions options;
  Fixture probe({}, {"orderId", "req.url"});
  DetectRule include;
  include.message = std::make_shared<RE2>("payment .* timed out");
  include.min_level = 30;
  options.include.push_back(include);
  DetectRule exclude;
  exclude.matches.push_back({probe.slots[1], std::make_shared<RE2>("^/health")});
  options.exclude.push_back(exclude);
  DetectRule present;
  present.present_slots.push_back(probe.slots[0]);
  present.status_min = 400;
  present.status_max = 499;
  options.include.push_back(present);
  Fixture f(options, {"orderId", "req.url"});

  CHECK(f.classify(R"({"level":30,"msg":"payment acme timed out"})") == DetectReason::kInclude);
  CHECK(f.classify(R"({"level":20,"msg":"payment acme timed out"})") == DetectReason::kNone);
  CHECK(f.classify(R"({"level":50,"req":{"url":"/health/live"}})") == DetectReason::kNone);
  CHECK(f.classify(R"({"level":50,"req":{"url":"/api"}})") == DetectReason::kLevel);
  CHECK(f.classify(R"({"level":30,"orderId":"o1","res":{"statusCode":409}})") ==
        DetectReason::kInclude);
  CHECK(f.classify(R"({"level":30,"orderId":null,"res":{"statusCode":409}})") ==
        DetectReason::kNone);
}
