// RecordReader: the hot-path view of a pino line, on the real fixtures (every line of
// e-edge-cases.ndjson, all of a-default.ndjson) and on each configuration and oddity of
// PINO-FORMAT.md §1 and §9. Every read is done three ways (in place with hostile padding bytes,
// unpadded, unpadded from the middle of a bigger buffer) and must give the same view.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/line_framer.h"
#include "parsers/pino_record.h"

using faultline::FieldValue;
using faultline::Line;
using faultline::LineFramer;
using faultline::PinoFormat;
using faultline::ReadOutcome;
using faultline::RecordReader;
using faultline::RecordSchema;
using faultline::RecordView;
using ErrShape = faultline::RecordView::ErrShape;

namespace {

// A RecordView copied out of the reader (its views die with the next read).
struct Got {
  ReadOutcome outcome = ReadOutcome::kNotJson;
  std::optional<int> level;
  std::string level_label;
  std::optional<int64_t> time_us;
  std::string message;
  ErrShape err = ErrShape::kNone;
  std::string request_id, trace_id, span_id, trace_flags;
  int status_code = 0;
  std::string job_id, queue;
  int attempts_made = -1, attempts = -1;
  std::string logger;
  bool completion = false;
  bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  os << "{outcome " << static_cast<int>(g.outcome) << ", level "
     << (g.level ? std::to_string(*g.level) : "-") << " '" << g.level_label << "', time "
     << (g.time_us ? std::to_string(*g.time_us) : "-") << ", msg '" << g.message.substr(0, 60)
     << "', err " << static_cast<int>(g.err) << ", req '" << g.request_id << "', trace '"
     << g.trace_id << "'/'" << g.span_id << "'/'" << g.trace_flags << "', status " << g.status_code
     << ", job '" << g.job_id << "' queue '" << g.queue << "' " << g.attempts_made << "/"
     << g.attempts << ", logger '" << g.logger << "', completion " << g.completion << "}";
  return os;
}

Got snapshot(ReadOutcome outcome, const RecordView& v) {
  Got g;
  g.outcome = outcome;
  g.level = v.level;
  g.level_label = std::string(v.level_label);
  g.time_us = v.time_us;
  g.message = std::string(v.message);
  g.err = v.err;
  g.request_id = std::string(v.request_id);
  g.trace_id = std::string(v.trace_id);
  g.span_id = std::string(v.span_id);
  g.trace_flags = std::string(v.trace_flags);
  g.status_code = v.status_code;
  g.job_id = std::string(v.job_id);
  g.queue = std::string(v.queue);
  g.attempts_made = v.attempts_made;
  g.attempts = v.attempts;
  g.logger = std::string(v.logger);
  g.completion = v.completion;
  return g;
}

// Padding bytes chosen to derail a reader that looks past the end of the line.
std::string hostile_padding() {
  std::string pad;
  for (size_t i = 0; i < simdjson::SIMDJSON_PADDING; ++i) pad.push_back("\"}]\\,:1"[i % 7]);
  return pad;
}

class Harness {
 public:
  explicit Harness(const PinoFormat& format = {}, const std::vector<std::string>& extra = {})
      : schema_(make(format, extra, slots_)), reader_(schema_) {}

  Got read(std::string_view line) {
    INFO("line: " << std::string(line.substr(0, 200)));
    RecordView view;
    // In place, followed by padding that is not whitespace.
    const std::string padded = std::string(line) + hostile_padding();
    const Got in_place = snapshot(reader_.read({padded.data(), line.size()}, view, true), view);
    // From the middle of a buffer, with more JSON right after the line's last byte.
    const std::string embedded = "{\"level\":1}" + std::string(line) + ",\"level\":99}";
    const Got middle =
        snapshot(reader_.read({embedded.data() + 11, line.size()}, view, false), view);
    REQUIRE(middle == in_place);
    // Unpadded, last, so that field() answers for this read.
    const std::string copy(line);
    const Got unpadded = snapshot(reader_.read(copy, view, false), view);
    REQUIRE(unpadded == in_place);
    return unpadded;
  }

  const FieldValue& field(size_t i) const { return reader_.field(slots_.at(i)); }
  RecordReader& reader() { return reader_; }

 private:
  static RecordSchema make(const PinoFormat& format, const std::vector<std::string>& extra,
                           std::vector<int>& slots) {
    auto schema = RecordSchema::build(format);
    REQUIRE(schema.ok());
    for (const std::string& path : extra) {
      auto slot = schema->add_field(path);
      REQUIRE(slot.ok());
      slots.push_back(*slot);
    }
    return std::move(schema).value();
  }

  std::vector<int> slots_;
  RecordSchema schema_;
  RecordReader reader_;
};

Got record() {
  Got g;
  g.outcome = ReadOutcome::kRecord;
  return g;
}

const Got kNotJson{};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The lines of a file, as the daemon sees them (through the framer: no '\n', no '\r').
std::vector<std::string> fixture_lines(const std::string& name) {
  const std::string bytes = read_file(std::string(FAULTLINE_DATA_DIR) + "/pino/" + name);
  std::vector<std::string> lines;
  LineFramer framer(size_t{4} << 20);
  framer.feed(bytes, [&](const Line& l) { lines.emplace_back(l.text); });
  framer.finish();
  Line tail;
  while (framer.next(tail)) lines.emplace_back(tail.text);
  return lines;
}

constexpr int64_t kMs = 1000;

}  // namespace

TEST_CASE("pino_record: every line of e-edge-cases.ndjson", "[pino_record]") {
  struct Want {
    const char* kase;
    int level;
    const char* label;
    int64_t time_us;  // -1: none
    const char* msg;
    ErrShape err;
    const char* request_id;
    int status;
  };
  const int64_t t = 1795502017000 * kMs;  // most lines were written in this second
  const Want want[] = {
      {"err-default-cause", 50, "", t + 505 * kMs, "export failed", ErrShape::kObject, "", 0},
      {"err-with-cause", 50, "", t + 506 * kMs, "export failed", ErrShape::kObject, "", 0},
      {"error-only-arg", 50, "", t + 507 * kMs, "offset out of range: 4096", ErrShape::kObject, "",
       0},
      {"fetch-failed", 50, "", t + 545 * kMs, "upstream call failed", ErrShape::kObject, "", 0},
      {"aggregate-with-causes", 50, "", t + 547 * kMs, "fan-out query failed", ErrShape::kObject,
       "", 0},
      {"non-error-err", 50, "", t + 547 * kMs, "string thrown", ErrShape::kString, "", 0},
      {"non-error-err", 50, "", t + 547 * kMs, "error-like object thrown", ErrShape::kObject, "",
       0},
      {"non-error-err", 50, "", t + 547 * kMs, "number thrown", ErrShape::kOther, "", 0},
      {"circular-cause", 50, "", t + 548 * kMs, "circular cause", ErrShape::kObject, "", 0},
      {"nested-key", 30, "", t + 548 * kMs, "order placed", ErrShape::kNone, "", 0},
      {"duplicate-keys", 30, "", t + 548 * kMs, "duplicate reqId keys in one line", ErrShape::kNone,
       "req-from-call", 0},
      {"custom-levels", 35, "audit", t + 549 * kMs, "role changed", ErrShape::kNone, "", 0},
      {"custom-levels", 45, "alert", t + 549 * kMs, "disk 91% full", ErrShape::kNone, "", 0},
      {"time-unix", 30, "", t + 1000 * kMs, "epoch seconds", ErrShape::kNone, "", 0},
      {"time-iso-nano", 30, "", t + 549479, "rfc3339 nanos", ErrShape::kNone, "", 0},
      {"time-none", 30, "", -1, "no time field", ErrShape::kNone, "", 0},
      {"time-custom-key", 30, "", t + 551 * kMs, "custom time key", ErrShape::kNone, "", 0},
      {"gcp-style", 40, "WARN", t + 551 * kMs, "upstream degraded", ErrShape::kNone, "", 503},
      {"crlf", 30, "", t + 552 * kMs, R"(this line ends with \r\n)", ErrShape::kNone, "", 0},
      {"msg-prefix", 50, "", t + 552 * kMs, "[billing] [invoice] pdf render failed",
       ErrShape::kNone, "", 0},
      {"interpolation", 30, "", t + 552 * kMs,
       R"(user alice@example.com bought 3 items for {"total":99.5})", ErrShape::kNone, "", 0},
      {"interpolation", 30, "", t + 552 * kMs, "12345", ErrShape::kNone, "", 0},
      {"redact-censor-fn", 30, "", t + 553 * kMs, "bulk user sync", ErrShape::kNone, "", 0},
      {"err-odd-props", 50, "", t + 554 * kMs, "upload failed", ErrShape::kObject, "", 0},
      {"circular-object", 30, "", t + 554 * kMs, "circular merge object", ErrShape::kNone, "", 0},
      {"only-custom-levels", 33, "", t + 555 * kMs, "only custom levels", ErrShape::kNone, "", 0},
  };
  const std::vector<std::string> lines = fixture_lines("e-edge-cases.ndjson");
  REQUIRE(lines.size() == std::size(want));

  // The default format, and pino's nestedKey layout: pino's own keys (level, time, msg) stay on
  // top, so the nested-key line's `payload.level` string must not be taken for its level.
  PinoFormat nested;
  nested.nested_key = "payload";
  for (const PinoFormat& format : {PinoFormat{}, nested}) {
    Harness h(format, {"case"});
    for (size_t i = 0; i < lines.size(); ++i) {
      const Want& w = want[i];
      INFO("line " << i + 1 << " (" << w.kase << ")");
      const Got got = h.read(lines[i]);
      CHECK(h.field(0).text == w.kase);
      Got expected = record();
      expected.level = w.level;
      expected.level_label = w.label;
      if (w.time_us >= 0) expected.time_us = w.time_us;
      expected.message = w.msg;
      expected.err = w.err;
      expected.request_id = w.request_id;
      expected.status_code = w.status;
      expected.completion = w.status > 0;  // gcp-style carries httpRequest.status
      CHECK(got == expected);
    }
  }
}

TEST_CASE("pino_record: every line of a-default.ndjson is a record with a level", "[pino_record]") {
  const std::vector<std::string> lines = fixture_lines("a-default.ndjson");
  REQUIRE(lines.size() == 728);
  Harness h;
  std::map<int, int> levels;
  std::set<std::string> request_ids;
  int with_err = 0, completions = 0, aborted = 0, server_errors = 0, jobs = 0;
  int64_t status_sum = 0, attempts_made_sum = 0;
  std::set<std::string> queues;
  for (size_t i = 0; i < lines.size(); ++i) {
    INFO("line " << i + 1);
    const Got g = h.read(lines[i]);
    REQUIRE(g.outcome == ReadOutcome::kRecord);
    REQUIRE(g.level.has_value());
    REQUIRE(g.time_us.has_value());
    REQUIRE(*g.time_us % kMs == 0);  // epoch milliseconds
    REQUIRE(!g.message.empty());
    ++levels[*g.level];
    if (g.err != ErrShape::kNone) {
      REQUIRE(g.err == ErrShape::kObject);
      ++with_err;
    }
    if (!g.request_id.empty()) request_ids.insert(g.request_id);
    if (g.completion) ++completions;
    if (g.completion && g.status_code == 0) ++aborted;
    if (g.status_code >= 500) ++server_errors;
    status_sum += g.status_code;
    if (!g.job_id.empty()) ++jobs;
    if (g.attempts_made >= 0) attempts_made_sum += g.attempts_made;
    if (!g.queue.empty()) queues.insert(g.queue);
  }
  // Counted independently from the fixture (README.md and a JSON.parse walk).
  CHECK(levels == std::map<int, int>{{30, 602}, {40, 61}, {50, 61}, {60, 4}});
  CHECK(with_err == 115);
  CHECK(request_ids.size() == 352);
  CHECK(completions == 352);
  CHECK(aborted == 3);  // "request aborted": statusCode null, responseTime present
  CHECK(server_errors == 40);
  CHECK(status_sum == 98396);
  CHECK(jobs == 48);
  CHECK(attempts_made_sum == 44);
  CHECK(queues == std::set<std::string>{"emails"});
}

TEST_CASE("pino_record: numeric and label levels", "[pino_record]") {
  Harness h;
  struct Case {
    const char* line;
    std::optional<int> level;
    const char* label;
  };
  const Case cases[] = {
      {R"({"level":33})", 33, ""},
      {R"({"level":50})", 50, ""},
      {R"({"level":"error"})", 50, "error"},
      {R"({"level":"ERROR"})", 50, "ERROR"},
      {R"({"level":"warn"})", 40, "warn"},
      {R"({"severity":"WARN"})", 40, "WARN"},
      {R"({"severity":"WARNING"})", 40, "WARNING"},
      {R"({"severity":"CRITICAL"})", 60, "CRITICAL"},
      {R"({"severity":"DEFAULT"})", 30, "DEFAULT"},
      // A number in any level key beats a label.
      {R"({"level":"audit","severity":35})", 35, "audit"},
      {R"({"level":"info","severity":50})", 50, "info"},
      {R"({"severity":45,"level":"alert"})", 45, "alert"},
      // The first key with a label gives the label.
      {R"({"level":"error","severity":"INFO"})", 50, "error"},
      {R"({"level":null,"severity":"ERROR"})", 50, "ERROR"},
      {R"({"level":true,"severity":60})", 60, ""},
      // Unknown labels keep the label but give no number.
      {R"({"level":"verbose"})", std::nullopt, "verbose"},
      {R"({"level":"audit"})", std::nullopt, "audit"},
      {R"({"level":""})", std::nullopt, ""},
      {R"({"level":"50"})", std::nullopt, "50"},
      // Numbers: truncated to int, clamped far out.
      {R"({"level":50.9})", 50, ""},
      {R"({"level":5e1})", 50, ""},
      {R"({"level":-5})", -5, ""},
      {R"({"level":-0})", 0, ""},
      {R"({"level":1e12})", 1000000000, ""},
      {R"({"level":-1e12})", -1000000000, ""},
      // No usable level.
      {R"({"level":{"n":50}})", std::nullopt, ""},
      {R"({"level":[50]})", std::nullopt, ""},
      {R"({"level":null})", std::nullopt, ""},
      {R"({"msg":"no level at all"})", std::nullopt, ""},
      {R"({"Level":50})", std::nullopt, ""},  // keys are case-sensitive
  };
  for (const Case& c : cases) {
    INFO(c.line);
    const Got g = h.read(c.line);
    CHECK(g.outcome == ReadOutcome::kRecord);
    CHECK(g.level == c.level);
    CHECK(g.level_label == c.label);
  }
}

TEST_CASE("pino_record: custom levels come from PinoFormat.levels", "[pino_record]") {
  PinoFormat format;
  format.levels.set("audit", 35);
  format.levels.set("Verbose", 25);
  format.levels.set("error", 55);  // an override of a core label
  Harness h(format);
  CHECK(h.read(R"({"level":"audit"})").level == 35);
  CHECK(h.read(R"({"level":"AUDIT"})").level == 35);
  CHECK(h.read(R"({"level":"verbose"})").level == 25);
  CHECK(h.read(R"({"level":"error"})").level == 55);
  CHECK(h.read(R"({"level":"fatal"})").level == 60);
  CHECK(h.read(R"({"level":"audit","severity":36})").level == 36);
}

TEST_CASE("pino_record: time forms", "[pino_record]") {
  Harness h;
  const int64_t base = 1795502017505 * kMs;
  CHECK(h.read(R"({"time":1795502017505})").time_us == base);                        // epochTime
  CHECK(h.read(R"({"time":1795502018})").time_us == int64_t{1795502018} * 1000000);  // unixTime
  CHECK(h.read(R"({"time":"2026-11-24T06:33:37.505Z"})").time_us == base);           // isoTime
  CHECK(h.read(R"({"time":"2026-11-24T06:33:37.505123456Z"})").time_us == base + 123);
  CHECK(h.read(R"({"@timestamp":"2026-11-24T06:33:37.505Z"})").time_us == base);
  CHECK(h.read(R"({"timestamp":1795502017505})").time_us == base);
  CHECK(h.read(R"({"level":30,"msg":"no time"})").time_us == std::nullopt);
  // The first time key present wins; null counts as absent.
  CHECK(h.read(R"({"@timestamp":"2026-11-24T06:33:37.505Z","time":1})").time_us == 1000000);
  CHECK(h.read(R"({"time":null,"@timestamp":"2026-11-24T06:33:37.505Z"})").time_us == base);
  // Unusable times give no time, and the line is still a record.
  for (const char* line : {R"({"time":"yesterday","msg":"m"})", R"({"time":"","msg":"m"})",
                           R"({"time":"1795502017505","msg":"m"})", R"({"time":-5,"msg":"m"})",
                           R"({"time":true,"msg":"m"})", R"({"time":{"s":1},"msg":"m"})",
                           R"({"time":1e300,"msg":"m"})"}) {
    INFO(line);
    const Got g = h.read(line);
    CHECK(g.outcome == ReadOutcome::kRecord);
    CHECK(g.time_us == std::nullopt);
    CHECK(g.message == "m");
  }
}

TEST_CASE("pino_record: message keys and non-string messages", "[pino_record]") {
  Harness h;
  CHECK(h.read(R"({"msg":"hello"})").message == "hello");
  CHECK(h.read(R"({"message":"from message"})").message == "from message");
  CHECK(h.read(R"({"message":"second","msg":"first"})").message == "first");
  CHECK(h.read(R"({"msg":null,"message":"fallback"})").message == "fallback");
  CHECK(h.read(R"({"msg":{"a":1},"message":"fallback"})").message == "fallback");
  CHECK(h.read(R"({"msg":12345})").message == "12345");
  CHECK(h.read(R"({"msg":-1.5e3 })").message == "-1.5e3");
  CHECK(h.read(R"({"msg":true})").message == "");
  CHECK(h.read(R"({"msg":"","message":"ignored"})").message == "");
  // Escapes are decoded; U+2028 written raw by pino is kept.
  CHECK(h.read(R"({"msg":"a\nb\"c\u00e9\\ \ud83d\ude00"})").message ==
        "a\nb\"c\xC3\xA9\\ \xF0\x9F\x98\x80");
  CHECK(h.read("{\"msg\":\"line\xE2\x80\xA8sep\"}").message == "line\xE2\x80\xA8sep");
  CHECK(h.read(R"({"msg":"nul\u0000inside"})").message == std::string("nul\0inside", 10));
}

TEST_CASE("pino_record: err shapes", "[pino_record]") {
  Harness h;
  CHECK(h.read(R"({"err":{"type":"Error","message":"x","stack":"Error: x"}})").err ==
        ErrShape::kObject);
  // pino writes `{}` for an Error under a key its serializers do not know: no error object.
  CHECK(h.read(R"({"err":{}})").err == ErrShape::kNone);
  CHECK(h.read(R"({"err": { } ,"msg":"x"})").err == ErrShape::kNone);
  CHECK(h.read(R"({"err":{},"error":{"message":"x"}})").err == ErrShape::kObject);
  CHECK(h.read(R"({"err":{"a":{}}})").err == ErrShape::kObject);
  CHECK(h.read(R"({"err":"something bad happened"})").err == ErrShape::kString);
  CHECK(h.read(R"({"err":""})").err == ErrShape::kString);
  CHECK(h.read(R"({"err":42})").err == ErrShape::kOther);
  CHECK(h.read(R"({"err":true})").err == ErrShape::kOther);
  CHECK(h.read(R"({"err":[1,2]})").err == ErrShape::kOther);
  CHECK(h.read(R"({"err":null})").err == ErrShape::kNone);
  CHECK(h.read(R"({"msg":"no err"})").err == ErrShape::kNone);
  CHECK(h.read(R"({"error":"from error"})").err == ErrShape::kString);
  CHECK(h.read(R"({"err":null,"error":{"message":"x"}})").err == ErrShape::kObject);
  CHECK(h.read(R"({"error":{"message":"x"},"err":"wins"})").err == ErrShape::kString);
}

TEST_CASE("pino_record: request id keys in priority order", "[pino_record]") {
  Harness h;
  CHECK(h.read(R"({"reqId":"r-1"})").request_id == "r-1");
  CHECK(h.read(R"({"req":{"id":7,"method":"GET"}})").request_id == "7");   // a number's token
  CHECK(h.read(R"({"req":{"id":7},"reqId":"r-2"})").request_id == "r-2");  // reqId first
  CHECK(h.read(R"({"requestId":"x","req":{"id":2}})").request_id == "2");  // then req.id
  CHECK(h.read(R"({"requestId":"rq"})").request_id == "rq");
  CHECK(h.read(R"({"request_id":"r_q"})").request_id == "r_q");
  CHECK(h.read(R"({"request":{"id":"nested"}})").request_id == "nested");
  CHECK(h.read(R"({"reqId":1})").request_id == "1");
  CHECK(h.read(R"({"reqId":1.50})").request_id == "1.50");
  CHECK(h.read(R"({"reqId":1e3 })").request_id == "1e3");
  // Empty, null and non-text values fall through to the next key.
  CHECK(h.read(R"({"reqId":"","req":{"id":5}})").request_id == "5");
  CHECK(h.read(R"({"reqId":null,"req":{"id":3}})").request_id == "3");
  CHECK(h.read(R"({"reqId":true,"req":{"id":"t"}})").request_id == "t");
  CHECK(h.read(R"({"reqId":{"id":1}})").request_id == "");
  CHECK(h.read(R"({"req":"GET /"})").request_id == "");
  CHECK(h.read(R"({"req":{"ID":1}})").request_id == "");
  // Keys with escapes are matched on their decoded text.
  CHECK(h.read(R"({"re\u0071Id":"escaped"})").request_id == "escaped");
}

TEST_CASE("pino_record: duplicate keys keep the last value", "[pino_record]") {
  Harness h({}, {"req"});
  CHECK(h.read(R"({"reqId":"a","msg":"m","reqId":"b"})").request_id == "b");
  CHECK(h.read(R"({"level":50,"level":30})").level == 30);
  CHECK(h.read(R"({"level":50,"level":"warn"})").level == 40);
  CHECK(h.read(R"({"msg":"a","msg":"b"})").message == "b");
  CHECK(h.read(R"({"reqId":"a","reqId":null,"req":{"id":9}})").request_id == "9");
  // A repeated object replaces the whole first one, as JSON.parse does.
  CHECK(h.read(R"({"req":{"id":1},"req":{"id":2}})").request_id == "2");
  CHECK(h.read(R"({"req":{"id":1,"method":"GET"},"req":{"method":"POST"}})").request_id == "");
  CHECK(h.read(R"({"req":{"id":1},"req":"str"})").request_id == "");
  CHECK(h.field(0).kind == FieldValue::Kind::kString);
  CHECK(h.read(R"({"req":"str","req":{"id":4}})").request_id == "4");
  CHECK(h.field(0).kind == FieldValue::Kind::kObject);
  CHECK(h.read(R"({"res":{"statusCode":500},"res":{"statusCode":null}})").status_code == 0);
  CHECK(h.read(R"({"job":{"opts":{"attempts":3}},"job":{"id":"j"}})").attempts == -1);
}

TEST_CASE("pino_record: nestedKey moves the call's fields, not pino's", "[pino_record]") {
  PinoFormat format;
  format.nested_key = "payload";
  Harness h(format);
  const Got g =
      h.read(R"({"level":50,"time":1795502017505,"pid":1,"hostname":"vm","name":"api",)"
             R"("payload":{"err":{"type":"Error","message":"x"},"reqId":"r-9","trace_id":"t1",)"
             R"("span_id":"s1","trace_flags":"01","res":{"statusCode":502},"responseTime":12,)"
             R"("jobId":"j1","queue":"q","attemptsMade":1,"attempts":3,"msg":"inner","level":10,)"
             R"("name":"inner-name"},"msg":"outer"})");
  Got want = record();
  want.level = 50;
  want.time_us = 1795502017505 * kMs;
  want.message = "outer";
  want.err = ErrShape::kObject;
  want.request_id = "r-9";
  want.trace_id = "t1";
  want.span_id = "s1";
  want.trace_flags = "01";
  want.status_code = 502;
  want.job_id = "j1";
  want.queue = "q";
  want.attempts_made = 1;
  want.attempts = 3;
  want.logger = "api";
  want.completion = true;
  CHECK(g == want);

  // Top-level keys are tried before nested ones (pino-http's req binding stays on top).
  CHECK(h.read(R"({"payload":{"reqId":"nested"},"req":{"id":1}})").request_id == "1");
  CHECK(h.read(R"({"payload":{"err":"nested"},"err":{"message":"top"}})").err == ErrShape::kObject);
  // An aborted request under nestedKey: status null, responseTime present.
  const Got aborted = h.read(
      R"({"level":30,"payload":{"res":{"statusCode":null},"responseTime":5},"msg":"request aborted"})");
  CHECK(aborted.status_code == 0);
  CHECK(aborted.completion);
  // A payload that is not an object is ignored.
  CHECK(h.read(R"({"payload":"text","level":30})").level == 30);
  CHECK(h.read(R"({"payload":[{"reqId":"x"}]})").request_id == "");

  // Without nested_key the payload is not looked into.
  Harness plain;
  CHECK(plain.read(R"({"payload":{"reqId":"n","err":{}}})") == record());
}

TEST_CASE("pino_record: trace ids in both spellings", "[pino_record]") {
  Harness h;
  const Got snake = h.read(
      R"({"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01"})");
  CHECK(snake.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(snake.span_id == "00f067aa0ba902b7");
  CHECK(snake.trace_flags == "01");
  const Got camel = h.read(R"({"traceId":"abc","spanId":"def","traceFlags":1})");
  CHECK(camel.trace_id == "abc");
  CHECK(camel.span_id == "def");
  CHECK(camel.trace_flags == "1");
  // trace_id is listed first and wins over traceId wherever each appears.
  CHECK(h.read(R"({"traceId":"camel","trace_id":"snake"})").trace_id == "snake");
  CHECK(h.read(R"({"trace_id":"","traceId":"camel"})").trace_id == "camel");
}

TEST_CASE("pino_record: response status and completion lines", "[pino_record]") {
  Harness h;
  struct Case {
    const char* line;
    int status;
    bool completion;
  };
  const Case cases[] = {
      {R"({"res":{"statusCode":500},"responseTime":12,"msg":"request errored"})", 500, true},
      // A status without pino-http's responseTime is a handler logging `res`, not the summary.
      {R"({"res":{"statusCode":200},"msg":"request completed"})", 200, false},
      {R"({"res":{"statusCode":null},"responseTime":3,"msg":"request aborted"})", 0, true},
      {R"({"responseTime":0})", 0, true},
      {R"({"responseTime":null})", 0, false},
      {R"({"res":{"statusCode":null}})", 0, false},
      {R"({"res":{"statusCode":"500"}})", 0, false},
      {R"({"res":"500"})", 0, false},
      // An upstream answer an app logged: not this request's status.
      {R"({"response":{"statusCode":404}})", 0, false},
      {R"({"httpRequest":{"status":503}})", 503, true},
      {R"({"res":{"statusCode":502.7},"responseTime":1})", 502, true},
      {R"({"res":{"statusCode":0}})", 0, false},
      {R"({"msg":"plain"})", 0, false},
      {R"({"statusCode":500})", 0, false},  // only the configured paths
  };
  for (const Case& c : cases) {
    INFO(c.line);
    const Got g = h.read(c.line);
    CHECK(g.status_code == c.status);
    CHECK(g.completion == c.completion);
  }
}

TEST_CASE("pino_record: job fields", "[pino_record]") {
  Harness h;
  const Got flat = h.read(
      R"({"jobId":"42","jobName":"send","queue":"emails","attemptsMade":3,"attempts":5,"msg":"job failed"})");
  CHECK(flat.job_id == "42");
  CHECK(flat.queue == "emails");
  CHECK(flat.attempts_made == 3);
  CHECK(flat.attempts == 5);
  const Got nested =
      h.read(R"({"job":{"id":"7","queueName":"reports","attemptsMade":1,"opts":{"attempts":3}}})");
  CHECK(nested.job_id == "7");
  CHECK(nested.queue == "reports");
  CHECK(nested.attempts_made == 1);
  CHECK(nested.attempts == 3);
  CHECK(h.read(R"({"jobId":17,"queueName":"q2","maxAttempts":4})").job_id == "17");
  CHECK(h.read(R"({"jobId":17,"queueName":"q2","maxAttempts":4})").queue == "q2");
  CHECK(h.read(R"({"jobId":17,"queueName":"q2","maxAttempts":4})").attempts == 4);
  const Got none = h.read(R"({"msg":"no job"})");
  CHECK(none.job_id == "");
  CHECK(none.attempts_made == -1);
  CHECK(none.attempts == -1);
  CHECK(h.read(R"({"attemptsMade":"3"})").attempts_made == -1);
  CHECK(h.read(R"({"attemptsMade":2.9})").attempts_made == 2);
}

TEST_CASE("pino_record: logger name", "[pino_record]") {
  Harness h;
  CHECK(h.read(R"({"name":"api","msg":"m"})").logger == "api");
  CHECK(h.read(R"({"name":{"first":"x"}})").logger == "");
}

TEST_CASE("pino_record: lines that are not a JSON object", "[pino_record]") {
  Harness h;
  const char* lines[] = {
      "",
      "   ",
      "\t",
      "server listening on port 3000",
      "Error: boom",
      "    at Object.<anonymous> (/srv/app/app.js:1:2)",
      "{ code: 'E_QUOTA', limit: 100 }",  // util.inspect output starts with '{' too
      "{",
      "{\"",
      "{}}",
      R"({"a":1} x)",
      R"({"a":1}})",
      R"({"a":1}{"b":2})",
      R"({"a":1},)",
      R"({"a":1,})",
      R"({"a" 1})",
      R"({'a':1})",
      R"({a:1})",
      R"({"level":50,"msg":"trunc)",
      R"({"level":50,)",
      R"({"level":50)",
      R"({"level":)",
      R"({"lev)",
      R"({"level":tru})",
      R"({"level":50,"msg":"bad \q escape"})",
      "42",
      "-1",
      "null",
      "true",
      R"("a string")",
      "[1,2]",
      R"([{"level":50}])",
      "\xEF\xBB\xBF{\"level\":50}",  // a byte-order mark
  };
  for (const char* line : lines) {
    INFO("line: " << line);
    CHECK(h.read(line) == kNotJson);
  }
  // Whitespace around the object is fine.
  CHECK(h.read(R"(  {"level":50}  )").level == 50);
  CHECK(h.read("\t{ \"level\" : 50 ,\r\n \"msg\" : \"x\" }\r").level == 50);
  CHECK(h.read("{}") == record());
}

TEST_CASE("pino_record: a non-JSON line after a record leaves an empty view", "[pino_record]") {
  Harness h;
  RecordView view;
  RecordReader& reader = h.reader();
  const std::string good = R"({"level":50,"msg":"m","reqId":"r","err":{}})";
  REQUIRE(reader.read(good, view, false) == ReadOutcome::kRecord);
  REQUIRE(view.request_id == "r");
  REQUIRE(reader.read(R"({"level":60,"msg":"trunc)", view, false) == ReadOutcome::kNotJson);
  CHECK(snapshot(ReadOutcome::kNotJson, view) == kNotJson);
  REQUIRE(reader.read("plain text", view, false) == ReadOutcome::kNotJson);
  CHECK(snapshot(ReadOutcome::kNotJson, view) == kNotJson);
}

TEST_CASE("pino_record: invalid UTF-8 is repaired and the fields still read", "[pino_record]") {
  Harness h;
  const std::string fffd = "\xEF\xBF\xBD";
  const Got g =
      h.read("{\"level\":50,\"msg\":\"bad \xFF byte\",\"reqId\":\"r1\",\"err\":{\"m\":\"\xC3\"}}");
  Got want = record();
  want.outcome = ReadOutcome::kInvalidUtf8;
  want.level = 50;
  want.message = "bad " + fffd + " byte";
  want.request_id = "r1";
  want.err = ErrShape::kObject;
  CHECK(g == want);
  // In a key, and a truncated sequence at the end of a value.
  const Got key = h.read("{\"lev\xC3\":40,\"msg\":\"end\xE2\x82\"}");
  CHECK(key.outcome == ReadOutcome::kInvalidUtf8);
  CHECK(key.level == std::nullopt);
  CHECK(key.message == "end" + fffd);
  // Broken JSON stays broken.
  CHECK(h.read("{\"msg\":\"\xFF").outcome == ReadOutcome::kNotJson);
  CHECK(h.read("\xFF{\"msg\":1}").outcome == ReadOutcome::kNotJson);
}

TEST_CASE("pino_record: lone surrogate escapes are repaired, not a lost record", "[pino_record]") {
  // pino writes a lone surrogate in a long string as a \ud800 escape (PINO-FORMAT.md §1).
  Harness h;
  const std::string fffd = "\xEF\xBF\xBD";
  const Got g = h.read(R"({"level":50,"msg":"x\ud800y","reqId":"r"})");
  CHECK(g.outcome == ReadOutcome::kInvalidUtf8);
  CHECK(g.level == 50);
  CHECK(g.message == "x" + fffd + "y");
  CHECK(g.request_id == "r");
  CHECK(h.read(R"({"msg":"\udc00 low first"})").message == fffd + " low first");
  CHECK(h.read(R"({"msg":"pair \ud83d\ude00 ok"})").outcome == ReadOutcome::kRecord);
  // An escaped backslash before "ud800" is not an escape.
  const Got literal = h.read(R"({"msg":"\\ud800"})");
  CHECK(literal.outcome == ReadOutcome::kRecord);
  CHECK(literal.message == R"(\ud800)");
}

TEST_CASE("pino_record: hostile values", "[pino_record]") {
  Harness h;
  // A 10 MB string in the message, and one in a key nobody reads.
  const std::string big(10'000'000, 'x');
  const Got g = h.read(R"({"level":50,"msg":")" + big + R"(","reqId":"after"})");
  CHECK(g.outcome == ReadOutcome::kRecord);
  CHECK(g.message.size() == big.size());
  CHECK(g.request_id == "after");
  const Got skipped = h.read(R"({"blob":")" + big + R"(","level":40})");
  CHECK(skipped.level == 40);
  // Deep nesting in a skipped value, and in a followed one.
  const std::string deep = std::string(500, '[') + std::string(500, ']');
  CHECK(h.read(R"({"x":)" + deep + R"(,"level":30})").level == 30);
  CHECK(h.read(R"({"req":)" + deep + R"(,"level":30})").level == 30);
  // A level that is an object, a time that cannot be read.
  const Got odd = h.read(R"({"level":{"value":50},"time":"not a time","msg":"m"})");
  CHECK(odd.outcome == ReadOutcome::kRecord);
  CHECK(odd.level == std::nullopt);
  CHECK(odd.time_us == std::nullopt);
  CHECK(odd.message == "m");
  // Integers beyond 64 bits are numbers too.
  CHECK(h.read(R"({"reqId":123456789012345678901234567890})").request_id ==
        "123456789012345678901234567890");
}

TEST_CASE("pino_record: an odd value in a field it reads leaves the line a record",
          "[pino_record]") {
  // Valid JSON all: JSON.parse reads 1e309 as Infinity and 1e-400 as 0. The line is still
  // classified by its other fields, and an odd value where a number is read reads as JSON.parse
  // would read it.
  Harness h({}, {"n"});
  const Got time = h.read(R"({"level":30,"time":1e309,"msg":"m","reqId":"r"})");
  CHECK(time.outcome == ReadOutcome::kRecord);
  CHECK(time.level == 30);
  CHECK(time.time_us == std::nullopt);
  CHECK(time.message == "m");
  CHECK(time.request_id == "r");
  const Got level = h.read(R"({"level":-1e309,"msg":"m"})");
  CHECK(level.outcome == ReadOutcome::kRecord);
  CHECK(level.message == "m");
  const Got id = h.read(R"({"level":50,"reqId":1e400,"res":{"statusCode":1e-400}})");
  CHECK(id.outcome == ReadOutcome::kRecord);
  CHECK(id.level == 50);
  CHECK(id.request_id == "1e400");  // an identity: the token as written
  CHECK(id.status_code == 0);
  const Got rule = h.read(R"({"level":40,"n":-1e999})");
  CHECK(rule.level == 40);
  CHECK(h.field(0).kind == FieldValue::Kind::kNumber);
  CHECK(h.field(0).number == -std::numeric_limits<double>::infinity());
  CHECK(h.field(0).text == "-1e999");
  // The rest of the odd values: beyond int64, nested deep, in fields read and not.
  const Got big = h.read(R"({"level":30,"reqId":-9223372036854775809,"n":18446744073709551615})");
  CHECK(big.request_id == "-9223372036854775809");
  CHECK(h.field(0).text == "18446744073709551615");
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  CHECK(h.read(R"({"level":30,"n":)" + deep + R"(,"msg":"after"})").message == "after");
  CHECK(h.read(R"({"level":30,"x":)" + deep + R"(,"msg":"after"})").message == "after");
  // Not JSON stays not JSON.
  CHECK(h.read(R"({"level":30,"time":01})") == kNotJson);
  CHECK(h.read(R"({"level":30,"n":1e})") == kNotJson);
}

TEST_CASE("pino_record: unpadded reads see only the given bytes", "[pino_record]") {
  Harness h;
  RecordReader& reader = h.reader();
  RecordView view;
  // Two records back to back; the view covers the first only.
  const std::string buf =
      R"({"level":50,"msg":"one"}{"level":60,"msg":"two"})" + std::string(64, ' ');
  const std::string_view first(buf.data(), 24);
  REQUIRE(first == R"({"level":50,"msg":"one"})");
  CHECK(reader.read(first, view, false) == ReadOutcome::kRecord);
  CHECK(view.level == 50);
  CHECK(view.message == "one");
  // Padded reads also stop at the given length: what follows is only padding.
  CHECK(reader.read(first, view, true) == ReadOutcome::kRecord);
  CHECK(view.message == "one");
  // A view cut inside the object is a truncated line.
  CHECK(reader.read(std::string_view(buf.data(), 20), view, false) == ReadOutcome::kNotJson);
}

TEST_CASE("pino_record: extra fields registered by the rules", "[pino_record]") {
  Harness h({}, {"req.method", R"(req.headers["x-api-key"])", R"(["a.b"])", "user", "flag",
                 "nothing", "count", "list", "n"});
  const Got g = h.read(
      R"({"req":{"method":"POST","headers":{"x-api-key":"k-1"}},"a.b":"dotted","user":{"id":1},)"
      R"("flag":false,"nothing":null,"count":-2.5,"list":[1,{"a":2}],"n":18446744073709551616})");
  CHECK(g.outcome == ReadOutcome::kRecord);
  CHECK(h.field(0).kind == FieldValue::Kind::kString);
  CHECK(h.field(0).text == "POST");
  CHECK(h.field(1).text == "k-1");
  CHECK(h.field(2).text == "dotted");
  CHECK(h.field(3).kind == FieldValue::Kind::kObject);
  CHECK(h.field(4).kind == FieldValue::Kind::kBool);
  CHECK_FALSE(h.field(4).boolean);
  CHECK(h.field(5).kind == FieldValue::Kind::kNull);
  CHECK_FALSE(h.field(5).has_text());
  CHECK(h.field(6).kind == FieldValue::Kind::kNumber);
  CHECK(h.field(6).number == -2.5);
  CHECK(h.field(6).text == "-2.5");
  CHECK(h.field(7).kind == FieldValue::Kind::kArray);
  CHECK(h.field(8).number == 18446744073709551616.0);
  CHECK(h.field(8).text == "18446744073709551616");
  // Fields absent from the next line are absent, not left over.
  h.read(R"({"level":30})");
  for (size_t i = 0; i < 9; ++i) CHECK_FALSE(h.field(i).present());
}
