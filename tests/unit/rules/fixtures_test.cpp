// Property test over real pino output (tests/data/pino): with the default presets, no
// secret from the fixtures survives in any event that would be sent, while what makes an event
// useful (route, status, error type, stack, ids) does. The secrets are found by an independent
// finder written here with its own patterns, not by the engine's detectors.
#include <re2/re2.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "parsers/json.h"
#include "rules/engine.h"

using faultline::FakeClock;
using faultline::json::Array;
using faultline::json::Object;
using faultline::json::Value;
using namespace faultline::rules;

namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string sentry_level(const Value* level) {
  if (!level || !level->is_int()) return "error";
  int64_t n = level->as_int();
  if (n >= 60) return "fatal";
  if (n >= 50) return "error";
  if (n >= 40) return "warning";
  if (n >= 30) return "info";
  return "debug";
}

Array frames_of(std::string_view stack) {
  static const RE2 kFrame(R"(^\s+at (?:(.+?) \()?([^()\s]+):(\d+):(\d+)\)?$)");
  Array frames;
  size_t pos = 0;
  while (pos < stack.size()) {
    size_t nl = stack.find('\n', pos);
    std::string_view line = stack.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? stack.size() : nl + 1;
    if (line.rfind("caused by:", 0) == 0) break;  // the logged error's own frames only
    std::string fn, file;
    int lineno = 0, colno = 0;
    if (RE2::FullMatch(re2::StringPiece(line.data(), line.size()), kFrame, &fn, &file, &lineno,
                       &colno)) {
      Object f;
      f.set("function", fn.empty() ? std::string("<anonymous>") : fn);
      f.set("filename", file);
      f.set("lineno", lineno);
      f.set("colno", colno);
      f.set("in_app",
            file.find("node_modules") == std::string::npos && file.rfind("node:", 0) != 0);
      frames.insert(frames.begin(), Value(std::move(f)));  // callers first
    }
  }
  return frames;
}

// A rough stand-in for the event builder: the record under `extra`, the err as the exception
// (its properties as a context table), req.url/headers/query in `request`, the status as a tag.
Value to_event(const Value& record, size_t n) {
  Object ev;
  char id[33];
  std::snprintf(id, sizeof id, "%032zx", n + 1);
  ev.set("event_id", std::string(id));
  ev.set("platform", "node");
  ev.set("level", sentry_level(record.find("level")));
  ev.set("release", "shop@1.0.0");
  ev.set("environment", "production");
  Object extra = record.as_object();
  Object tags;
  const Value* err = record.find("err");
  if (err && err->is_object()) {
    Object exc;
    const Value* type = err->find("type");
    std::string type_name = type && type->is_string() ? type->as_string() : "Error";
    exc.set("type", type_name);
    if (const Value* m = err->find("message")) exc.set("value", *m);
    if (const Value* s = err->find("stack"); s && s->is_string()) {
      Array frames = frames_of(s->as_string());
      if (!frames.empty()) {
        Object st;
        st.set("frames", std::move(frames));
        exc.set("stacktrace", std::move(st));
      }
    }
    Object ctx;
    for (const auto& m : err->as_object()) {
      if (m.key != "type" && m.key != "message" && m.key != "stack") ctx.set(m.key, m.value);
    }
    Object contexts;
    if (!ctx.empty()) contexts.set(type_name, std::move(ctx));
    ev.set("contexts", std::move(contexts));
    for (const char* k : {"statusCode", "status"}) {
      if (const Value* s = err->find(k); s && s->is_int()) {
        tags.set("http.status_code", std::to_string(s->as_int()));
      }
    }
    if (const Value* c = err->find("code"); c && c->is_string()) tags.set("error.code", *c);
    Object values;
    values.set("values", Array{Value(std::move(exc))});
    ev.set("exception", std::move(values));
    extra.erase("err");
  } else if (const Value* msg = record.find("msg"); msg && msg->is_string()) {
    ev.set("message", *msg);
  }
  extra.erase("msg");
  if (const Value* req = record.find("req"); req && req->is_object()) {
    Object request;
    for (const char* k : {"method", "url", "headers"}) {
      if (const Value* v = req->find(k)) request.set(k, *v);
    }
    if (const Value* q = req->find("query")) request.set("query_string", *q);
    if (const Value* ra = req->find("remoteAddress")) {
      Object env;
      env.set("REMOTE_ADDR", *ra);
      request.set("env", std::move(env));
    }
    ev.set("request", std::move(request));
    Object rest = req->as_object();
    for (const char* k : {"method", "url", "headers", "query"}) rest.erase(k);
    extra.set("req", std::move(rest));
  }
  if (const Value* res = record.find_path("res.statusCode"); res && res->is_int()) {
    tags.set("http.status_code", std::to_string(res->as_int()));
  }
  ev.set("tags", std::move(tags));
  ev.set("extra", std::move(extra));
  return Value(std::move(ev));
}

bool luhn(const std::string& d) {
  int sum = 0;
  bool dbl = false;
  for (size_t i = d.size(); i-- > 0;) {
    int x = d[i] - '0';
    if (dbl && (x *= 2) > 9) x -= 9;
    sum += x;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

// Secrets in one raw line: long values to look for anywhere, and short ones only where they were
// (`"key":"value"`).
struct Secrets {
  std::set<std::string> anywhere;
  std::set<std::string> keyed;  // e.g. "\"cvv\":\"503\""
};

Secrets find_secrets(const std::string& line) {
  Secrets s;
  auto all = [&](const char* pattern, auto&& add) {
    RE2 re(pattern);
    REQUIRE(re.ok());
    re2::StringPiece in(line);
    std::string m;
    while (RE2::FindAndConsume(&in, re, &m)) add(m);
  };
  auto anywhere = [&](const std::string& v) {
    if (v.size() >= 6) s.anywhere.insert(v);
  };
  all(R"((eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*))", anywhere);
  all(R"((?i)bearer ([A-Za-z0-9._~+/=-]+))", anywhere);
  all(R"((?i)basic ([A-Za-z0-9+/=]{8,}))", anywhere);
  all(R"re("x-api-key":"([^"]+)")re", anywhere);
  all(R"re("(?:set-)?cookie":"([^"]+)")re", [&](const std::string& header) {
    RE2 pair(R"(([^=;\s]+)=([^;]+))");
    re2::StringPiece in(header);
    std::string name, value;
    while (RE2::FindAndConsume(&in, pair, &name, &value)) {
      if (name != "Path" && name != "theme") anywhere(value);
    }
  });
  all(R"(\b(\d{13,19})\b)", [&](const std::string& d) {
    if (luhn(d) && d[0] >= '3' && d[0] <= '6') s.anywhere.insert(d);
  });
  all(R"re(\\?"(?:cvv|cardNumber|password|token|access_token)\\?":\s*\\?"([^"\\]+))re",
      [&](const std::string& v) {
        anywhere(v);
        if (v.size() < 6) s.keyed.insert(v);
      });
  all(R"((?:access_token|api_key)=([^&"\s]+))", anywhere);
  all(R"(([A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}))", anywhere);
  return s;
}

struct Totals {
  size_t lines = 0, kept = 0, dropped = 0, secrets = 0;
  std::vector<std::string> leaks;  // "file line N: what"
};

void check_file(const std::string& path, const RuleSet& rules, Totals& t) {
  FakeClock clock;
  RuleEngine engine(rules, clock);
  const auto lines = read_lines(path);
  for (size_t n = 0; n < lines.size(); ++n) {
    auto record = faultline::json::parse(lines[n]);
    REQUIRE(record.ok());
    Value event = to_event(*record, n);
    const Value before = event;
    Explain ex;
    Verdict v = engine.apply(event, &ex);
    ++t.lines;
    const std::string explain = ex.to_text();
    const Secrets secrets = find_secrets(lines[n]);
    t.secrets += secrets.anywhere.size() + secrets.keyed.size();
    const std::string where = path.substr(path.rfind('/') + 1) + " line " + std::to_string(n + 1);
    for (const std::string& s : secrets.anywhere) {
      if (explain.find(s) != std::string::npos) t.leaks.push_back(where + ": explain shows " + s);
    }
    if (!v.keep()) {
      ++t.dropped;
      continue;
    }
    ++t.kept;
    const std::string out = faultline::json::to_string(event);
    for (const std::string& s : secrets.anywhere) {
      if (out.find(s) != std::string::npos) t.leaks.push_back(where + ": event has " + s);
    }
    for (const std::string& s : secrets.keyed) {
      for (const char* key : {"cvv", "password", "token", "cardNumber"}) {
        if (out.find(std::string("\"") + key + "\":\"" + s + "\"") != std::string::npos) {
          t.leaks.push_back(where + ": event has " + key + "=" + s);
        }
      }
    }
    // What makes the event useful is still there.
    for (const char* p : {"event_id", "level", "release", "tags", "request.method"}) {
      const Value* a = before.find_path(p);
      const Value* b = event.find_path(p);
      INFO(path << " line " << n + 1 << ": " << p);
      REQUIRE((a == nullptr) == (b == nullptr));
      if (a) REQUIRE(*a == *b);
    }
    if (const Value* url = before.find_path("request.url")) {
      std::string u = url->as_string();
      REQUIRE(event.find_path("request.url")->as_string().rfind(u.substr(0, u.find('?')), 0) == 0);
    }
    if (const Value* exc = before.find("exception")) {
      const Value& a = exc->find("values")->as_array().back();
      const Value& b = event.find("exception")->find("values")->as_array().back();
      REQUIRE(*a.find("type") == *b.find("type"));
      if (const Value* st = a.find("stacktrace")) REQUIRE(*st == *b.find("stacktrace"));
    }
  }
}

RuleSet compile(const std::string& presets) {
  const std::string rules_text = "rules:\n  presets: " + presets + "\n";
  auto rs = RuleSet::compile_text(rules_text, "faultline.yaml");
  REQUIRE(rs.ok());
  return *rs;
}

const std::string kFixtures = FAULTLINE_DATA_DIR "/pino/";

}  // namespace

TEST_CASE("fixtures: default presets leave no secret in any event that is sent", "[fixtures]") {
  auto d = RuleSet::defaults();
  REQUIRE(d.ok());
  Totals t;
  check_file(kFixtures + "a-default.ndjson", *d, t);
  check_file(kFixtures + "e-edge-cases.ndjson", *d, t);
  INFO((t.leaks.empty() ? std::string() : t.leaks.front()));
  REQUIRE(t.leaks.empty());
  REQUIRE(t.lines == 728 + 26);
  REQUIRE(t.kept > 500);      // noise is dropped, the rest is sent...
  REQUIRE(t.dropped > 50);    // ...(health checks, probes, 4xx, aborted requests)
  REQUIRE(t.secrets > 1000);  // the finder did find the fixtures' secrets
}

TEST_CASE("fixtures: the secrets preset alone scrubs every line", "[fixtures]") {
  Totals t;
  check_file(kFixtures + "a-default.ndjson", compile("[secrets]"), t);
  check_file(kFixtures + "e-edge-cases.ndjson", compile("[secrets]"), t);
  INFO((t.leaks.empty() ? std::string() : t.leaks.front()));
  REQUIRE(t.leaks.empty());
  REQUIRE(t.kept == t.lines);
}

TEST_CASE("fixtures: without the secrets preset the same check finds leaks", "[fixtures]") {
  // The control for the two tests above: they can fail.
  Totals t;
  check_file(kFixtures + "a-default.ndjson", compile("[express-noise]"), t);
  REQUIRE(t.leaks.size() > 1000);
}

TEST_CASE("fixtures: the independent finder finds what it should", "[fixtures]") {
  Secrets s = find_secrets(
      R"({"headers":{"authorization":"Bearer abcdef.ghijkl","cookie":"session=31ff4607ed3b; theme=dark",)"
      R"("x-api-key":"ak_demo_123456"},"payment":{"cardNumber":"4111111111111111","cvv":"503"},)"
      R"("url":"/s?email=carol%2Bshop%40example.net&access_token=66f4a1a2","n":"1234567812345678"})");
  REQUIRE(s.anywhere.count("abcdef.ghijkl"));
  REQUIRE(s.anywhere.count("31ff4607ed3b"));
  REQUIRE_FALSE(s.anywhere.count("dark"));
  REQUIRE(s.anywhere.count("ak_demo_123456"));
  REQUIRE(s.anywhere.count("4111111111111111"));
  REQUIRE_FALSE(s.anywhere.count("1234567812345678"));  // fails Luhn
  REQUIRE(s.keyed.count("503"));
  REQUIRE(s.anywhere.count("carol%2Bshop%40example.net"));
  REQUIRE(s.anywhere.count("66f4a1a2"));
}
