// The built-in presets: the copies in the binary match the files, and each preset does what
// docs/rules.md says on events shaped like real pino-http output.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "parsers/json.h"
#include "rules/engine.h"
#include "rules/presets.h"

using faultline::FakeClock;
using faultline::json::Value;
using namespace faultline::rules;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

RuleSet with_presets(const std::string& presets, const std::string& dir = "") {
  const std::string rules_text = "rules:\n  presets: " + presets + "\n";
  CompileOptions opts;
  opts.presets_dir = dir;
  auto rs = RuleSet::compile_text(rules_text, "faultline.yaml", opts);
  INFO(rs.message());
  REQUIRE(rs.ok());
  return *rs;
}

Value parse(std::string_view text) {
  auto v = faultline::json::parse(text);
  INFO(text);
  REQUIRE(v.ok());
  return *v;
}

// An event as the event builder makes it for a pino-http request.
std::string request_event(const std::string& url, const std::string& status,
                          const std::string& type, const std::string& value,
                          const std::string& ua = "curl/8.5.0", const std::string& code = "") {
  std::string tags = R"("http.status_code": ")" + status + "\"";
  if (!code.empty()) tags += R"(, "error.code": ")" + code + "\"";
  return R"({"event_id": "0123456789abcdef0123456789abcdef", "level": "error",
    "exception": {"values": [{"type": ")" +
         type + R"(", "value": ")" + value + R"("}]},
    "request": {"method": "GET", "url": ")" +
         url + R"(", "headers": {"user-agent": ")" + ua + R"("},
                "data": {"password": "hunter2"}},
    "tags": {)" +
         tags + R"(}, "extra": {"body": {"password": "hunter2"}}})";
}

Verdict run(const RuleSet& rs, Value& e, Explain* ex = nullptr) {
  FakeClock clock;
  RuleEngine engine(rs, clock);
  return engine.apply(e, ex);
}

}  // namespace

TEST_CASE("presets: the copies built into the binary match rules/presets/*.yaml", "[presets]") {
  for (std::string_view name : preset_names()) {
    const std::string file =
        std::string(FAULTLINE_SOURCE_DIR "/rules/presets/") + std::string(name) + ".yaml";
    INFO(file << " differs from rules/presets_embedded.cpp; regenerate it with the snippet at "
                 "the top of that file");
    REQUIRE(read_file(file) == builtin_preset_text(name));
  }
}

TEST_CASE("presets: each compiles from the directory and from the built-in copy", "[presets]") {
  const std::string all = "[secrets, express-noise, areas, group-by-route]";
  RuleSet from_dir = with_presets(all, FAULTLINE_SOURCE_DIR "/rules/presets");
  RuleSet builtin = with_presets(all, "");
  REQUIRE(from_dir.labels() == builtin.labels());
  REQUIRE(builtin.size() == 13);
  REQUIRE(load_preset("secrets", "/nonexistent").file == "<built-in>/secrets.yaml");
  REQUIRE(default_presets() == std::vector<std::string_view>{"express-noise", "secrets"});
}

TEST_CASE("presets: express-noise drops health checks and probes", "[presets]") {
  RuleSet rs = with_presets("[express-noise]");
  Value health = parse(request_event("/health", "503", "Error", "db down"));
  Verdict v = run(rs, health);
  REQUIRE_FALSE(v.keep());
  REQUIRE(v.reason == "health check");
  Value probe = parse(request_event("/api/users", "404", "Error", "x", "kube-probe/1.30"));
  REQUIRE(run(rs, probe).reason == "bot or probe traffic");
  Value scanner = parse(request_event("/wp-login.php", "500", "Error", "x", "Googlebot/2.1"));
  REQUIRE(run(rs, scanner).reason == "bot or probe traffic");
  Value env = parse(request_event("/static/.env", "500", "Error", "x", "python-requests/2 bot"));
  REQUIRE(run(rs, env).reason == "bot or probe traffic");
  Value browser =
      parse(request_event("/api/users", "500", "Error", "x",
                          "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36"));
  REQUIRE(run(rs, browser).keep());
  REQUIRE(browser.find_path("tags")->find("client.bot") == nullptr);
}

TEST_CASE("presets: express-noise keeps a crawler's 5xx, tagged client.bot",
          "[presets][regression]") {
  RuleSet rs = with_presets("[express-noise]");
  Value bot = parse(
      request_event("/api/users", "500", "TypeError", "x",
                    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
  Explain ex;
  REQUIRE(run(rs, bot, &ex).keep());
  REQUIRE(bot.find_path("tags")->find("client.bot")->as_string() == "true");
  REQUIRE(ex.to_text().find("set tags client.bot") != std::string::npos);
  // The same crawler's 404 is still dropped.
  Value missing =
      parse(request_event("/api/users/9", "404", "NotFoundError", "x", "Googlebot/2.1"));
  REQUIRE(run(rs, missing).reason == "bot or probe traffic");
}

TEST_CASE("presets: express-noise drops client disconnects but not server-side resets",
          "[presets]") {
  RuleSet rs = with_presets("[express-noise]");
  Value aborted = parse(R"({"message": "request aborted", "tags": {}})");
  REQUIRE(run(rs, aborted).reason == "client disconnected");
  Value node_aborted =
      parse(request_event("/api/upload", "500", "Error", "aborted", "curl", "ECONNRESET"));
  REQUIRE(run(rs, node_aborted).reason == "client disconnected");
  Value raw_body = parse(request_event("/api/upload", "500", "BadRequestError", "request aborted",
                                       "curl", "ECONNABORTED"));
  REQUIRE_FALSE(run(rs, raw_body).keep());
  // A Redis connection reset is a real failure (fixture a: "read ECONNRESET", code ECONNRESET).
  Value redis =
      parse(request_event("/api/users", "500", "Error", "read ECONNRESET", "curl", "ECONNRESET"));
  REQUIRE(run(rs, redis).keep());
}

TEST_CASE("presets: express-noise drops 4xx even at error level, keeps 5xx", "[presets]") {
  RuleSet rs = with_presets("[express-noise]");
  Value bad_json = parse(request_event("/api/users", "400", "SyntaxError", "Expected property"));
  Verdict v = run(rs, bad_json);
  REQUIRE(v.reason == "client error (4xx)");
  REQUIRE(v.rule == "preset express-noise: 4xx client errors");
  Value conflict =
      parse(request_event("/api/inventory/OOS-1", "409", "Error", "insufficient stock"));
  REQUIRE_FALSE(run(rs, conflict).keep());
  Value server = parse(request_event("/api/payments", "504", "PaymentTimeoutError", "timeout"));
  REQUIRE(run(rs, server).keep());
  Value job = parse(
      R"({"exception": {"values": [{"type": "Error", "value": "550"}]}, "tags": {"queue": "emails"}})");
  REQUIRE(run(rs, job).keep());
}

TEST_CASE("presets: areas tags by route, url and queue", "[presets]") {
  RuleSet rs = with_presets("[areas]");
  auto area = [&](const std::string& json) {
    Value e = parse(json);
    REQUIRE(run(rs, e).keep());
    const Value* a = e.find_path("tags.area");
    return a ? a->as_string() : std::string("-");
  };
  REQUIRE(area(request_event("/api/payments", "504", "E", "x")) == "payments");
  REQUIRE(area(R"({"tags": {"route": "/api/pay/:id"}})") == "payments");
  REQUIRE(area(request_event("/api/login", "500", "E", "x")) == "auth");
  REQUIRE(area(request_event("/v1/files/upload", "500", "E", "x")) == "uploads");
  REQUIRE(area(R"({"tags": {"queue": "emails"}})") == "jobs");
  REQUIRE(area(request_event("/api/users/1", "500", "E", "x")) == "-");
}

TEST_CASE("presets: group-by-route fingerprints only events with a route", "[presets]") {
  RuleSet rs = with_presets("[group-by-route]");
  Value e = parse(R"({"release": "shop@1.2.3", "tags": {"route": "/api/users/:id"},
                      "exception": {"values": [{"type": "TypeError", "value": "x"}]}})");
  REQUIRE(run(rs, e).keep());
  REQUIRE(faultline::json::to_string(*e.find("fingerprint")) ==
          R"(["/api/users/:id","TypeError","shop@1.2.3"])");
  Value job = parse(R"({"exception": {"values": [{"type": "TypeError", "value": "x"}]}})");
  REQUIRE(run(rs, job).keep());
  REQUIRE(job.find("fingerprint") == nullptr);
}

TEST_CASE("presets: secrets drops bodies of login and payment routes only", "[presets]") {
  RuleSet rs = with_presets("[secrets]");
  Value login = parse(request_event("/api/login", "500", "Error", "x"));
  REQUIRE(run(rs, login).keep());
  REQUIRE(login.find_path("request.data") == nullptr);
  REQUIRE(login.find_path("extra.body") == nullptr);
  Value users = parse(request_event("/api/users", "500", "Error", "x"));
  REQUIRE(run(rs, users).keep());
  REQUIRE(faultline::json::to_string(*users.find_path("request.data")) ==
          R"({"password":"[Filtered]"})");
}

TEST_CASE("presets: secrets masks every cookie, in headers and in the table", "[presets]") {
  RuleSet rs = with_presets("[secrets]");
  Value e = parse(
      R"({"request": {"url": "/api/users", "headers": {"cookie": "connect.sid=s%3Aabc; theme=dark"},
                                  "cookies": {"connect.sid": "s%3Aabc", "theme": "dark"}},
                      "extra": {"res": {"headers": {"set-cookie": "session=kxgEvL6G; Path=/; HttpOnly"}}}})");
  REQUIRE(run(rs, e).keep());
  REQUIRE(e.find_path("request.headers.cookie")->as_string() == "[Filtered]");
  // The table stays an object (Sentry's schema wants one); every value in it is masked.
  REQUIRE(e.find_path("request.cookies")->is_object());
  for (const auto& cookie : e.find_path("request.cookies")->as_object()) {
    REQUIRE(cookie.value.as_string() == "[Filtered]");
  }
  REQUIRE(e.find_path("extra.res.headers.set-cookie")->as_string() == "[Filtered]");
}

TEST_CASE("presets: a user rule's rewrite survives the secrets preset", "[presets]") {
  const std::string rules_text = R"(
rules:
  presets: [secrets]
  list:
    - scrub: {keys: ['^cardNumber$'], method: {keep-last: 4}}
)";
  auto rs = RuleSet::compile_text(rules_text, "faultline.yaml");
  REQUIRE(rs.ok());
  Value e = parse(R"({"extra": {"payment": {"cardNumber": "4111111111111111", "cvv": "123"}}})");
  REQUIRE(run(*rs, e).keep());
  REQUIRE(e.find_path("extra.payment.cardNumber")->as_string() == "************1111");
  REQUIRE(e.find_path("extra.payment.cvv")->as_string() == "[Filtered]");
}

TEST_CASE("presets: secrets masks keys beyond the English list", "[presets][regression]") {
  RuleSet rs = with_presets("[secrets]");
  Value e = parse(R"({"extra": {"cfg": {
      "passwort": "s1", "Kennwort": "s2", "pw": "s3", "db_pw": "s4", "MYSQL_PWD": "s5",
      "bearer": "s6", "aws_secret_access_key": "s7", "contraseña": "s8", "mot_de_passe": "s9",
      "senha": "s10", "wachtwoord": "s11", "пароль": "s12", "SMTP_PASS": "s13", "passcode": "s14",
      "signingKey": "s15",
      "pwa": "kept", "bypass": "kept", "compass": "kept", "hasLogo": "kept", "theslogan": "kept",
      "keyboard": "kept", "pathname": "kept"}}})");
  REQUIRE(run(rs, e).keep());
  for (const auto& m : e.find_path("extra.cfg")->as_object()) {
    INFO(m.key);
    const std::string& v = m.value.as_string();
    REQUIRE((v == "kept" || v == "[Filtered]"));
    REQUIRE((v == "kept") == (m.key == "pwa" || m.key == "bypass" || m.key == "compass" ||
                              m.key == "hasLogo" || m.key == "theslogan" || m.key == "keyboard" ||
                              m.key == "pathname"));
  }
}

TEST_CASE("presets: secrets keeps server addresses, masks the client's", "[presets][regression]") {
  RuleSet rs = with_presets("[secrets]");
  Value e = parse(R"({
    "exception": {"values": [{"type": "Error", "value": "connect ECONNREFUSED 10.0.3.7:5432"}]},
    "message": "upstream 203.0.113.50:443 timed out",
    "request": {"url": "/api/users", "headers": {"x-forwarded-for": "198.51.100.23, 10.0.0.1",
                                                 "x-real-ip": "198.51.100.23", "host": "10.0.0.5:3000"},
                "env": {"REMOTE_ADDR": "198.51.100.24"}},
    "user": {"id": "42", "ip_address": "198.51.100.25"},
    "extra": {"req": {"remoteAddress": "198.51.100.26", "remotePort": 51234}, "ip": "198.51.100.27",
              "db": {"host": "10.0.3.7", "port": 5432}}})");
  REQUIRE(run(rs, e).keep());
  REQUIRE(e.find_path("exception.values")->as_array()[0].find("value")->as_string() ==
          "connect ECONNREFUSED 10.0.3.7:5432");
  REQUIRE(e.find("message")->as_string() == "upstream 203.0.113.50:443 timed out");
  REQUIRE(e.find_path("request.headers.host")->as_string() == "10.0.0.5:3000");
  REQUIRE(e.find_path("extra.db.host")->as_string() == "10.0.3.7");
  REQUIRE(e.find_path("request.headers.x-forwarded-for")->as_string() == "[Filtered]");
  REQUIRE(e.find_path("request.headers.x-real-ip")->as_string() == "[Filtered]");
  REQUIRE(e.find_path("request.env.REMOTE_ADDR")->as_string() == "[Filtered]");
  REQUIRE(e.find_path("extra.req.remoteAddress")->as_string() == "[Filtered]");
  REQUIRE(e.find_path("extra.req.remotePort")->as_int() == 51234);
  REQUIRE(e.find_path("extra.ip")->as_string() == "[Filtered]");
  // Sentry wants an address or nothing there.
  REQUIRE(e.find_path("user.ip_address") == nullptr);
  REQUIRE(e.find_path("user.id")->as_string() == "42");
}
