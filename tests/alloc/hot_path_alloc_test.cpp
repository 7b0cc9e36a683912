// The hot path allocates nothing per non-error line (ARCHITECTURE.md "The hot path"): after the
// pipeline has warmed up, reading, classifying and correlating ordinary lines of many concurrent
// requests must not touch the heap. Global operator new is replaced in this binary only, to count.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "agent/config/loader.h"
#include "agent/pipeline/pipeline.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

class CountingSink final : public faultline::EventSink {
 public:
  bool emit(const std::string&, const faultline::json::Value&, uint64_t) override {
    ++events;
    return true;
  }
  int events = 0;
};

// A pino-http request line, a handler line and a 200 completion for request `id`.
void request_lines(int id, std::string& a, std::string& b, std::string& c) {
  const std::string req =
      R"({"id":)" + std::to_string(id) + R"(,"method":"GET","url":"/api/users/)" +
      std::to_string(id) +
      R"(","query":{},"params":{},"headers":{"host":"127.0.0.1:3201","user-agent":"curl/8.5.0","accept":"application/json"},"remoteAddress":"127.0.0.1","remotePort":37130})";
  a = R"({"level":30,"time":1795502011214,"pid":1,"hostname":"checkout-api-7f9c6d5b8-x2x4q","req":)" +
      req +
      R"(,"component":"user-repo","userId":"204","msg":"cache miss, loading user from database"})";
  b = R"({"level":20,"time":1795502011215,"pid":1,"hostname":"checkout-api-7f9c6d5b8-x2x4q","req":)" +
      req + R"(,"msg":"user loaded"})";
  c = R"({"level":30,"time":1795502011216,"pid":1,"hostname":"checkout-api-7f9c6d5b8-x2x4q","req":)" +
      req +
      R"(,"res":{"statusCode":200,"headers":{"x-powered-by":"Express"}},"responseTime":6,"msg":"request completed"})";
}

// The pipeline as pipe and replay run it, fed line by line through a framer.
struct PipelineUnderTest {
  explicit PipelineUnderTest(const std::string& yaml)
      : config(faultline::config::load_text(
                   yaml, "test.yaml",
                   [](std::string_view) -> std::optional<std::string> { return std::nullopt; })
                   .value()),
        pipeline(config, sink, metrics, clock),
        source(pipeline.open_source("test")) {}

  void feed(const std::string& text) {
    std::span<char> space = framer.prepare();
    std::copy(text.begin(), text.end(), space.begin());
    framer.commit(text.size());
    faultline::Line line;
    while (framer.next(line)) pipeline.on_line(source, line);
  }

  faultline::config::Config config;
  faultline::Metrics metrics;
  faultline::FakeClock clock;
  CountingSink sink;
  faultline::Pipeline pipeline;
  faultline::LineFramer framer{1 << 20};
  faultline::SourceId source;
};

// Feeds the first half of `lines` to warm up, then counts the allocations the second half makes.
uint64_t allocations_after_warmup(PipelineUnderTest& p, const std::vector<std::string>& lines) {
  const size_t warm = lines.size() / 2;
  for (size_t i = 0; i < warm; ++i) p.feed(lines[i]);
  const uint64_t before = g_allocations.load();
  for (size_t i = warm; i < lines.size(); ++i) p.feed(lines[i]);
  return g_allocations.load() - before;
}

}  // namespace

TEST_CASE("hot path: ordinary lines allocate nothing once warmed up", "[alloc]") {
  // A small request table, so that the pool of request slots is full after the warm-up: the
  // steady state of a long-running process.
  PipelineUnderTest p("correlation:\n  max_requests: 300\n");

  // Lines are prepared up front: building them is the test's allocation, not the pipeline's.
  constexpr int kRequests = 4000;
  constexpr int kOpen = 200;  // requests in flight at once, interleaved
  std::vector<std::string> lines;
  for (int start = 0; start < kRequests; start += kOpen) {
    std::vector<std::string> a(kOpen), b(kOpen), c(kOpen);
    for (int i = 0; i < kOpen; ++i) request_lines(start + i + 1, a[i], b[i], c[i]);
    for (auto* group : {&a, &b, &c}) {
      for (std::string& l : *group) lines.push_back(std::move(l) + "\n");
    }
  }
  const auto feed = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) p.feed(lines[i]);
  };
  const size_t warm = lines.size() / 2;
  feed(0, warm);
  const uint64_t before = g_allocations.load();
  feed(warm, lines.size());
  const uint64_t after = g_allocations.load();
  CHECK(p.metrics.json_lines.get() == lines.size());
  CHECK(p.metrics.errors_detected.get() == 0);
  CHECK(p.metrics.requests_evicted.get() == 0);  // closed requests made room, nothing was lost
  CHECK(after - before == 0);
}

TEST_CASE("hot path: completions tracing does not sample allocate nothing", "[alloc]") {
  // Tracing on, at a rate that keeps none of these requests: each completion is decided by its
  // trace's draw (an id derived from the request id) before anything is parsed or built. And
  // with respect_parent, a trace that says "not sampled" is decided by its flags alone.
  PipelineUnderTest p("correlation:\n  max_requests: 300\ntracing:\n  sample_rate: 0.0000001\n");
  constexpr int kRequests = 4000;
  constexpr int kOpen = 200;
  std::vector<std::string> lines;
  for (int start = 0; start < kRequests; start += kOpen) {
    std::vector<std::string> a(kOpen), b(kOpen), c(kOpen);
    for (int i = 0; i < kOpen; ++i) {
      request_lines(start + i + 1, a[i], b[i], c[i]);
      // Every other request carries OpenTelemetry's ids with the "not sampled" flag.
      if (i % 2 == 0) {
        c[i].insert(
            c[i].size() - 1,
            R"(,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"00")");
      }
    }
    for (auto* group : {&a, &b, &c}) {
      for (std::string& l : *group) lines.push_back(std::move(l) + "\n");
    }
  }
  const uint64_t allocations = allocations_after_warmup(p, lines);
  CHECK(p.metrics.tracing.sampled.get() == 0);
  CHECK(p.metrics.tracing.dropped_rate.get() == kRequests / 2);
  CHECK(p.metrics.tracing.dropped_parent.get() == kRequests / 2);
  CHECK(allocations == 0);
}

TEST_CASE("hot path: job ends tracing does not sample allocate nothing", "[alloc]") {
  // A worker's jobs, each enqueued by a request, started and completed: at a rate that keeps
  // none, each end line is decided by its trace's draw before anything is parsed or built.
  PipelineUnderTest p("correlation:\n  max_requests: 300\ntracing:\n  sample_rate: 0.0000001\n");
  constexpr int kJobs = 4000;
  std::vector<std::string> lines;
  for (int id = 1; id <= kJobs; ++id) {
    const std::string job = R"(,"pid":1,"hostname":"vm","queue":"emails","jobId":")" +
                            std::to_string(id) + R"(","jobName":"send-welcome-email")";
    lines.push_back(R"({"level":30,"time":1795502011214,"req":{"id":)" + std::to_string(id) +
                    R"(,"method":"POST","url":"/api/jobs/email"})" + job +
                    R"(,"msg":"job enqueued"})" + "\n");
    lines.push_back(R"({"level":30,"time":1795502011215)" + job + R"(,"msg":"job active"})" + "\n");
    lines.push_back(R"({"level":30,"time":1795502011216)" + job +
                    R"(,"attemptsMade":1,"duration":9,"msg":"job completed"})" + "\n");
  }
  const uint64_t allocations = allocations_after_warmup(p, lines);
  CHECK(p.metrics.tracing.sampled.get() == 0);
  CHECK(p.metrics.tracing.dropped_rate.get() == kJobs);
  CHECK(allocations == 0);
}

TEST_CASE("hot path: lines that are not JSON allocate nothing once warmed up", "[alloc]") {
  PipelineUnderTest p("");

  // Console output mixed into the log, and lines that start like JSON but are not: one cut off
  // mid-string with a (valid) escape in it, which must not be copied to look for a repair.
  const std::vector<std::string> kinds = {
      "Server listening on port 3000\n",
      "\n",
      R"({"level":30,"time":1795502011214,"msg":"caf\u00e9 au lait","req":{"id":)"
      "\n",
      R"({"level":30,"msg":"unterminated)"
      "\n",
  };
  const auto feed = [&](int rounds) {
    for (int r = 0; r < rounds; ++r) {
      for (const std::string& text : kinds) p.feed(text);
    }
  };
  feed(100);
  const uint64_t before = g_allocations.load();
  feed(1000);
  const uint64_t after = g_allocations.load();
  CHECK(p.metrics.non_json_lines.get() == 1100 * kinds.size());
  CHECK(after - before == 0);
}

TEST_CASE("hot path: text that only looks like an error dump allocates nothing once warmed up",
          "[alloc]") {
  PipelineUnderTest p("");

  // Lines the plain-text assembler has to hold before it can tell they are no dump: headers that
  // get no frames, a morgan access line ending in "Error", a crash preamble cut short; each group
  // ends with a JSON record, which decides what is held.
  const std::vector<std::string> kinds = {
      "Error: config file missing, using defaults\n",
      "GET /api/orders 500 - Internal Server Error\n",
      "Server listening on port 3000\n",
      "/srv/app/server.js:12\n",
      "  const x = y;\n",
      R"({"level":30,"time":1795502011214,"msg":"cache warmed"})"
      "\n",
  };
  const auto feed = [&](int rounds) {
    for (int r = 0; r < rounds; ++r) {
      for (const std::string& text : kinds) p.feed(text);
    }
  };
  // A real dump in the warm-up: its event allocates, as every event does.
  p.feed("TypeError: x is not a function\n    at run (/srv/app/a.js:1:2)\n");
  feed(100);
  REQUIRE(p.metrics.plain_text_dumps.get() == 1);
  const uint64_t non_json = p.metrics.non_json_lines.get();
  const uint64_t before = g_allocations.load();
  feed(1000);
  const uint64_t after = g_allocations.load();
  CHECK(p.metrics.non_json_lines.get() - non_json == 1000 * (kinds.size() - 1));
  CHECK(p.metrics.plain_text_dumps.get() == 1);
  CHECK(after - before == 0);
}
