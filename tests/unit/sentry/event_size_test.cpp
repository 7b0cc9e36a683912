#include <catch2/catch.hpp>

#include "agent/sentry/event_size.h"

using faultline::json::Array;
using faultline::json::Object;
using faultline::json::Value;
using faultline::sentry::fit_event;

namespace {

Value event_with(std::string message, size_t extra_bytes, size_t crumbs) {
  Object e;
  e.set("event_id", "0123456789abcdef0123456789abcdef");
  Object logentry;
  logentry.set("formatted", std::move(message));
  e.set("logentry", std::move(logentry));
  Object extra;
  extra.set("dump", std::string(extra_bytes, 'x'));
  e.set("extra", std::move(extra));
  Array values;
  for (size_t i = 0; i < crumbs; ++i) {
    Object c;
    c.set("message", "crumb " + std::to_string(i) + std::string(2000, 'y'));
    values.push_back(std::move(c));
  }
  Object b;
  b.set("values", std::move(values));
  e.set("breadcrumbs", std::move(b));
  return e;
}

size_t size_of(const Value& v) {
  return faultline::json::to_string(v).size();
}

}  // namespace

TEST_CASE("event size: a small event is left alone", "[event_size]") {
  Value e = event_with("short", 10, 2);
  const std::string before = faultline::json::to_string(e);
  CHECK_FALSE(fit_event(e));
  CHECK(faultline::json::to_string(e) == before);
}

TEST_CASE("event size: messages are cut at 8192 bytes on a character boundary", "[event_size]") {
  Value e = event_with(std::string(8190, 'a') + "\xC3\xA9\xC3\xA9\xC3\xA9", 10, 0);
  CHECK(fit_event(e));
  const std::string& m = e.find_path("logentry.formatted")->as_string();
  CHECK(m.size() <= 8192 + 3);
  CHECK(m.substr(0, 8190) == std::string(8190, 'a'));
  CHECK(m.find("faultline") == std::string::npos);
  CHECK(e.find_path("extra.faultline_truncated")->as_string().find("messages cut") == 0);
}

TEST_CASE("event size: a huge event is brought under the limit, saying what was cut",
          "[event_size]") {
  Value e = event_with("m", 5 * 1024 * 1024, 30);
  REQUIRE(size_of(e) > 1024 * 1024);
  CHECK(fit_event(e, 900 * 1024));
  CHECK(size_of(e) <= 900 * 1024);
  CHECK(e.find_path("extra.dump")->as_string().size() < 2000);
  CHECK(e.find_path("extra.faultline_truncated")->as_string().find("long strings cut") !=
        std::string::npos);
}

TEST_CASE("event size: breadcrumbs go oldest first when cutting strings is not enough",
          "[event_size]") {
  Value e = event_with("m", 10, 30);
  CHECK(fit_event(e, 20 * 1024));
  CHECK(size_of(e) <= 20 * 1024);
  const auto& crumbs = e.find_path("breadcrumbs.values")->as_array();
  REQUIRE(!crumbs.empty());
  CHECK(crumbs.back().find("message")->as_string().rfind("crumb 29", 0) == 0);
  CHECK(e.find_path("extra.faultline_truncated")->as_string().find("breadcrumbs dropped") !=
        std::string::npos);
}
