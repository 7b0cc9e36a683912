// Pino set-ups beyond the default capture, captured from real pino 10 / pino-http 11 / Express 4
// (tests/data/pino/README.md): cluster workers sharing one stdout, a restarted process,
// pino-http's customAttributeKeys, and error shapes from real libraries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "parsers/json.h"
#include "support/json_lines.h"
#include "support/process.h"

using namespace faultline::test;
using faultline::json::Value;

namespace {

std::string data(const std::string& name) {
  return source_dir() + "/tests/data/pino/" + name;
}

std::vector<Value> events_of(const std::vector<std::string>& args) {
  RunResult r = run_faultline({.args = args});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json_lines(r.out);
}

std::string text(const Value& event, const std::string& path) {
  const Value* v = event.find_path(path);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

std::string tag(const Value& event, const std::string& name) {
  const Value* tags = event.find("tags");
  const Value* v = tags == nullptr ? nullptr : tags->find(name);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

const Value& outer_exception(const Value& event) {
  return event.find_path("exception.values")->as_array().back();
}

}  // namespace

TEST_CASE("pino configs: cluster workers with the same request ids keep their own requests",
          "[pino-configs]") {
  // Each of two workers serves GET /slow-fail as its request 1 (500) while the other's request 1
  // is GET /ok (200): one event per worker, each with its own 500 completion.
  const auto events = events_of({"replay", "--print", data("cluster.ndjson")});
  REQUIRE(events.size() == 2);
  for (const Value& e : events) {
    CHECK(text(outer_exception(e), "value") == "ledger write failed");
    CHECK(tag(e, "http.status_code") == "500");
    CHECK(text(e, "transaction") == "GET /slow-fail");
  }
  CHECK(tag(events[0], "request_id") == "1");

  // Without the process keys the two workers' request 1 are one request: the 200 closes the
  // failing one, whose own 500 then becomes an event of its own.
  TempDir dir;
  const std::string unscoped =
      dir.write("faultline.yaml", "pino:\n  pid_keys: []\n  hostname_keys: []\n");
  CHECK(events_of({"replay", "-c", unscoped, "--print", data("cluster.ndjson")}).size() == 3);
}

TEST_CASE("pino configs: a restarted process's request 1 is not the crashed one's",
          "[pino-configs]") {
  const auto events = events_of({"replay", "--print", data("restart.ndjson")});
  REQUIRE(events.size() == 1);
  CHECK(text(events[0], "request.method") == "POST");
  CHECK(tag(events[0], "http.status_code").empty());  // it never completed
  CHECK(text(events[0], "transaction") == "POST /orders");
}

TEST_CASE("pino configs: pino-http's customAttributeKeys are read with three keys configured",
          "[pino-configs]") {
  TempDir dir;
  const std::string config = dir.write("faultline.yaml",
                                       "pino:\n"
                                       "  status_keys: [response.statusCode]\n"
                                       "  response_time_keys: [timeTaken]\n");
  const auto events =
      events_of({"replay", "-c", config, "--print", data("http-attribute-keys.ndjson")});
  // Five 5xx responses (one of them with the handler's own PaymentError) and one 200 route.
  REQUIRE(events.size() == 6);
  std::vector<std::string> statuses;
  for (const Value& e : events) {
    statuses.push_back(tag(e, "http.status_code"));
    CHECK_FALSE(text(e, "request.url").empty());
  }
  std::sort(statuses.begin(), statuses.end());
  CHECK(statuses == std::vector<std::string>{"500", "500", "500", "500", "502", "503"});
  const auto payment = std::find_if(events.begin(), events.end(), [](const Value& e) {
    return text(outer_exception(e), "type") == "PaymentError";
  });
  REQUIRE(payment != events.end());
  CHECK(tag(*payment, "http.status_code") == "500");
  CHECK(payment->find_path("contexts.http.response_time_ms") != nullptr);
}

TEST_CASE("pino configs: an upstream's 4xx error is kept, an empty error object is no error",
          "[pino-configs]") {
  const auto events = events_of({"replay", "--print", data("error-shapes.ndjson")});
  const auto find = [&](const std::string& type, const std::string& value_prefix) {
    return std::find_if(events.begin(), events.end(), [&](const Value& e) {
      const Value& ex = outer_exception(e);
      return text(ex, "type") == type && text(ex, "value").rfind(value_prefix, 0) == 0;
    });
  };
  // axios's 404: a failure of ours, not a 4xx response to drop as noise.
  const auto axios = find("AxiosError", "Request failed with status code 404");
  REQUIRE(axios != events.end());
  CHECK(tag(*axios, "error.status_code") == "404");
  CHECK(tag(*axios, "http.status_code").empty());
  // logger.error({ error: err }, 'sync failed') with the default errorKey: pino writes {}.
  const auto sync = find("Error", "sync failed");
  REQUIRE(sync != events.end());
  CHECK(sync->find_path("exception.values")->as_array().size() == 1);
}

TEST_CASE("pino configs: Fastify's events get the request from its incoming-request line",
          "[pino-configs]") {
  const auto events = events_of({"replay", "--print", data("fastify.ndjson")});
  REQUIRE(events.size() == 6);
  for (const Value& e : events) {
    INFO(text(outer_exception(e), "value"));
    CHECK_FALSE(tag(e, "http.method").empty());
    CHECK_FALSE(text(e, "transaction").empty());
    CHECK(text(e, "request.url").rfind("http://127.0.0.1:", 0) == 0);
  }
  const auto synthetic = std::find_if(events.begin(), events.end(), [](const Value& e) {
    return text(outer_exception(e), "type") == "ServiceUnavailable";
  });
  REQUIRE(synthetic != events.end());
  CHECK(text(outer_exception(*synthetic), "value") == "503 Service Unavailable: GET /status503");
}
