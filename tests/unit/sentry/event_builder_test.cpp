#include <catch2/catch.hpp>

#include "agent/sentry/event_builder.h"

using faultline::json::Value;
using faultline::sentry::EventBuilder;
using faultline::sentry::EventSettings;
using faultline::sentry::Incident;
using faultline::sentry::KeptLine;

namespace {

Value build(const std::string& line, const std::string& completion = "",
            EventSettings settings = {}) {
  Incident incident;
  incident.source = "test";
  incident.source_key = "k";
  incident.error = KeptLine{line, 0, 1, false};
  incident.read_time_us = 1'900'000'000'000'000;
  if (!completion.empty()) incident.completion = KeptLine{completion, 100, 2, false};
  settings.sdk_version = "0.0.0";
  auto event = EventBuilder(settings).build(incident);
  REQUIRE(event.ok());
  return std::move(event).value();
}

std::string str(const Value* v) {
  return v && v->is_string() ? v->as_string() : "";
}

}  // namespace

TEST_CASE("event builder: a 5xx with only pino-http's placeholder is typed from the status",
          "[event_builder]") {
  const Value e = build(
      R"J({"level":30,"time":1795502011244,"req":{"id":5,"method":"GET","url":"/api/reports/42?x=1","headers":{"host":"h:1"}},"res":{"statusCode":503},"err":{"type":"Error","message":"failed with status code 503","stack":"Error: failed with status code 503\n    at onResFinished (/app/node_modules/pino-http/logger.js:115:39)"},"responseTime":30,"msg":"request errored"})J");
  const Value& ex = e.find_path("exception.values")->as_array().back();
  CHECK(str(ex.find("type")) == "ServiceUnavailable");
  CHECK(str(ex.find("value")) == "503 Service Unavailable: GET /api/reports/42");
  CHECK(ex.find_path("mechanism.synthetic")->as_bool());
  CHECK(str(e.find("level")) == "error");
  CHECK(str(e.find("transaction")) == "GET /api/reports/:id");
  CHECK(str(e.find_path("request.url")) == "http://h:1/api/reports/42");
  CHECK(str(e.find_path("request.query_string")) == "x=1");
  CHECK(e.find_path("contexts.http.response_time_ms")->as_double() == 30);
}

TEST_CASE("event builder: the completion adds status and duration to the handler's error",
          "[event_builder]") {
  const Value e = build(
      R"J({"level":50,"time":1795502011235,"req":{"id":5,"method":"POST","url":"/api/pay"},"userId":"u-7","err":{"type":"Error","message":"declined","stack":"Error: declined\n    at pay (/app/pay.js:3:9)"},"msg":"payment failed"})J",
      R"J({"level":30,"time":1795502011244,"req":{"id":5,"method":"POST","url":"/api/pay"},"res":{"statusCode":502},"responseTime":9,"msg":"request completed"})J");
  CHECK(str(e.find("tags")->find("http.status_code")) == "502");
  CHECK(str(e.find_path("user.id")) == "u-7");
  CHECK(str(e.find_path("logentry.formatted")) == "payment failed");  // differs from the error
  CHECK(e.find_path("extra.userId") == nullptr);  // used, so not repeated in extra
  CHECK(e.find("timestamp")->as_double() == Approx(1795502011.235).epsilon(0));
}

TEST_CASE("event builder: a completion the correlator parsed already is not parsed again",
          "[event_builder]") {
  Incident incident;
  incident.source_key = "k";
  incident.error = KeptLine{
      R"J({"level":50,"time":1795502011235,"req":{"id":5,"method":"POST","url":"/api/pay"},"msg":"payment failed"})J",
      0, 1, false};
  // The bytes would give 502; the DOM handed over says 504, and that is what the event reads.
  incident.completion = KeptLine{
      R"J({"level":30,"req":{"id":5},"res":{"statusCode":502},"msg":"request completed"})J", 100, 2,
      false};
  auto parsed = faultline::json::parse(
      R"J({"level":30,"req":{"id":5},"res":{"statusCode":504},"msg":"request completed"})J");
  REQUIRE(parsed.ok());
  incident.completion_record = std::make_shared<const Value>(std::move(parsed).value());
  auto event = EventBuilder(EventSettings{}).build(incident);
  REQUIRE(event.ok());
  CHECK(str(event->find("tags")->find("http.status_code")) == "504");
}

TEST_CASE("event builder: a record without a time gets the read time and says so",
          "[event_builder]") {
  const Value e = build(R"J({"level":50,"msg":"no time"})J");
  CHECK(e.find("timestamp")->as_double() == Approx(1'900'000'000.0).epsilon(0));
  CHECK(str(e.find_path("extra.faultline_time")).rfind("read time", 0) == 0);
  const Value& ex = e.find_path("exception.values")->as_array().back();
  CHECK(str(ex.find("value")) == "no time");
  CHECK(ex.find_path("mechanism.synthetic")->as_bool());
  CHECK(e.find("logentry") == nullptr);  // the message is already the exception's value
}

TEST_CASE("event builder: runtime from the record, fatal is unhandled, release settings",
          "[event_builder]") {
  EventSettings settings;
  settings.release = "shop@1.2.3";
  settings.environment = "staging";
  settings.dist = "9";
  const Value e = build(
      R"J({"level":60,"time":1795502012671,"hostname":"api-1","node":"v20.20.2","err":{"type":"RangeError","message":"boom","stack":"RangeError: boom\n    at t (/app/a.js:1:1)"},"msg":"uncaught exception, exiting"})J",
      "", settings);
  CHECK(str(e.find_path("contexts.runtime.name")) == "node");
  CHECK(str(e.find_path("contexts.runtime.version")) == "v20.20.2");
  CHECK(e.find_path("extra.node") == nullptr);
  CHECK(str(e.find("level")) == "fatal");
  CHECK_FALSE(
      e.find_path("exception.values")->as_array().back().find_path("mechanism.handled")->as_bool());
  CHECK(str(e.find("release")) == "shop@1.2.3");
  CHECK(str(e.find("environment")) == "staging");
  CHECK(str(e.find("dist")) == "9");
  CHECK(str(e.find("server_name")) == "api-1");
}

TEST_CASE("event builder: a line that is not JSON is an error, not a crash", "[event_builder]") {
  Incident incident;
  incident.error = KeptLine{R"({"level":50,"msg":"cut in the mid)", 0, 1, true};
  EventSettings settings;
  CHECK_FALSE(EventBuilder(settings).build(incident).ok());
}

TEST_CASE("event builder: an upstream's status is the error's, the app's own the response's",
          "[event_builder]") {
  // axios: the partner answered 404; our own request (if any) did not.
  const Value upstream = build(
      R"J({"level":50,"time":1795502011235,"err":{"type":"AxiosError","message":"Request failed with status code 404","stack":"AxiosError: Request failed with status code 404\n    at settle (/app/node_modules/axios/lib/core/settle.js:19:12)","status":404,"code":"ERR_BAD_REQUEST"},"msg":"partner catalog sync failed"})J");
  CHECK(upstream.find_path("tags")->find("http.status_code") == nullptr);
  CHECK(str(upstream.find_path("tags")->find("error.status_code")) == "404");

  // http-errors (createError(404)): thrown by the app to answer with that status.
  const Value thrown = build(
      R"J({"level":50,"time":1795502011235,"err":{"type":"NotFoundError","message":"Not Found","stack":"NotFoundError: Not Found\n    at h (/app/routes.js:3:9)","expose":true,"statusCode":404,"status":404},"msg":"Not Found"})J");
  CHECK(str(thrown.find_path("tags")->find("http.status_code")) == "404");
  CHECK(thrown.find_path("tags")->find("error.status_code") == nullptr);
  // Not got's RequestError, though the name ends the same way.
  const Value bad_request = build(
      R"J({"level":50,"time":1795502011235,"err":{"type":"BadRequestError","message":"bad param","stack":"BadRequestError: bad param\n    at h (/app/routes.js:3:9)","expose":true,"status":400,"statusCode":400},"msg":"bad param"})J");
  CHECK(str(bad_request.find_path("tags")->find("http.status_code")) == "400");
  // An app's own error class with a status: Express answers with it (finalhandler).
  const Value own = build(
      R"J({"level":50,"time":1795502011235,"err":{"type":"NotFoundError","message":"order 7 not found","stack":"NotFoundError: order 7 not found\n    at h (/app/routes.js:3:9)","statusCode":404},"msg":"lookup failed"})J");
  CHECK(str(own.find_path("tags")->find("http.status_code")) == "404");
  // got's HTTPError, known by its class; a client's error known by the response it carries.
  const Value got = build(
      R"J({"level":50,"time":1795502011235,"err":{"type":"HTTPError","message":"Response code 401 (Unauthorized)","statusCode":401},"msg":"sync failed"})J");
  CHECK(got.find_path("tags")->find("http.status_code") == nullptr);
  const Value with_response = build(
      R"J({"level":50,"time":1795502011235,"err":{"type":"Error","message":"upstream said no","status":403,"response":{"status":403}},"msg":"sync failed"})J");
  CHECK(str(with_response.find_path("tags")->find("error.status_code")) == "403");

  // The response's status, when known, wins; the error's own is kept only when it differs.
  const Value both = build(
      R"J({"level":50,"time":1795502011235,"err":{"type":"StripeAuthenticationError","message":"Invalid API Key provided","statusCode":401},"msg":"charge failed"})J",
      R"J({"level":30,"time":1795502011244,"res":{"statusCode":502},"responseTime":9,"msg":"request completed"})J");
  CHECK(str(both.find_path("tags")->find("http.status_code")) == "502");
  CHECK(str(both.find_path("tags")->find("error.status_code")) == "401");
}

TEST_CASE("event builder: only a crash is unhandled, not a message that mentions the word",
          "[event_builder]") {
  const auto handled = [](const std::string& line) {
    const Value e = build(line);
    return e.find_path("exception.values")
        ->as_array()
        .back()
        .find_path("mechanism.handled")
        ->as_bool();
  };
  const std::string err =
      R"J("err":{"type":"Error","message":"boom","stack":"Error: boom\n    at t (/app/a.js:1:1)"})J";
  CHECK(handled(R"({"level":50,"time":1795502011235,)" + err + R"(,"msg":"Unhandled error"})"));
  CHECK(handled(R"({"level":50,"time":1795502011235,)" + err +
                R"(,"msg":"caught error while handling unhandled input"})"));
  CHECK_FALSE(
      handled(R"({"level":50,"time":1795502011235,)" + err + R"(,"msg":"uncaughtException"})"));
  CHECK_FALSE(handled(R"({"level":50,"time":1795502011235,)" + err +
                      R"(,"msg":"Unhandled promise rejection: boom"})"));
  CHECK_FALSE(handled(R"({"level":50,"time":1795502011235,)" + err +
                      R"(,"origin":"unhandledRejection","msg":"boom"})"));
  CHECK_FALSE(handled(R"({"level":60,"time":1795502011235,)" + err + R"(,"msg":"shutting down"})"));
}

TEST_CASE("event builder: an empty error object is no error, an emptied nestedKey is not extra",
          "[event_builder]") {
  // logger.error({ error: err }, 'sync failed') with errorKey err: pino writes "error":{}.
  const Value e = build(R"J({"level":50,"time":1795502011235,"error":{},"msg":"sync failed"})J");
  const Value& ex = e.find_path("exception.values")->as_array().back();
  CHECK(str(ex.find("type")) == "Error");
  CHECK(str(ex.find("value")) == "sync failed");
  CHECK(ex.find_path("mechanism.synthetic")->as_bool());

  EventSettings nested;
  nested.format.nested_key = "payload";
  const Value n = build(
      R"J({"level":50,"time":1795502011235,"payload":{"err":{"type":"Error","message":"x","stack":"Error: x\n    at f (/app/a.js:1:1)"},"reqId":"r1"},"msg":"failed"})J",
      "", nested);
  CHECK(n.find_path("extra.payload") == nullptr);
  CHECK(str(n.find_path("tags")->find("request_id")) == "r1");
}

TEST_CASE("event builder: a renamed response object is not repeated in extra", "[event_builder]") {
  EventSettings settings;
  settings.format.status_keys = {"resp.statusCode", "httpRequest.status"};
  const Value e = build(
      R"J({"level":50,"time":1795502011244,"resp":{"statusCode":500,"headers":{"set-cookie":"sid=abc"}},"responseTime":9,"err":{"type":"Error","message":"boom","stack":"Error: boom\n    at f (/app/a.js:1:1)"},"msg":"request errored"})J",
      "", settings);
  CHECK(str(e.find("tags")->find("http.status_code")) == "500");
  CHECK(e.find_path("extra.resp") == nullptr);
}

TEST_CASE("event builder: the request object is read from the configured keys", "[event_builder]") {
  EventSettings settings;
  settings.format.request_keys = {"httpReq"};
  const Value e = build(
      R"J({"level":50,"time":1795502011244,"httpReq":{"method":"PUT","url":"/api/carts/9","headers":{"host":"shop:1"}},"err":{"type":"Error","message":"boom","stack":"Error: boom\n    at f (/app/a.js:1:1)"},"msg":"cart update failed"})J",
      "", settings);
  CHECK(str(e.find_path("request.method")) == "PUT");
  CHECK(str(e.find_path("request.url")) == "http://shop:1/api/carts/9");
  CHECK(str(e.find("transaction")) == "PUT /api/carts/:id");
  CHECK(e.find_path("extra.httpReq") == nullptr);
}

TEST_CASE("event builder: a record parsed by the correlator is used, not the text parsed again",
          "[event_builder]") {
  Incident incident;
  incident.source = "test";
  incident.source_key = "k";
  // The text is not JSON: the event can only come from the DOM handed over.
  incident.error = KeptLine{"not json", 0, 1, false};
  incident.read_time_us = 1'900'000'000'000'000;
  auto record = faultline::json::parse(R"J({"level":50,"msg":"from the DOM"})J");
  REQUIRE(record.ok());
  EventSettings settings;
  settings.sdk_version = "0.0.0";
  auto event = EventBuilder(settings).build(incident, std::move(record).value());
  REQUIRE(event.ok());
  CHECK(faultline::json::to_string(*event).find("from the DOM") != std::string::npos);
  CHECK_FALSE(EventBuilder(settings).build(incident).ok());
}
