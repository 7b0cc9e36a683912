// Cost of the rule engine per event (docs/rules.md, "Cost"): the default presets (express-noise +
// secrets) applied to Sentry events shaped like faultline's, in a loop.
//
//   faultline-bench-scrub [--iterations N] [--explain] [EVENTS.ndjson]
//
// EVENTS.ndjson holds one Sentry event JSON per line (for example event payloads captured from a
// test receiver); without it, three built-in events are used: a pino-http error with headers,
// cookies, a JWT, a card number and breadcrumbs; a worker job failure; a message-only error. The
// copy of each event is timed separately and subtracted, so the numbers are the engine's own cost.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "parsers/json.h"
#include "rules/engine.h"

namespace {

using faultline::json::Value;
using Clock = std::chrono::steady_clock;

const char* kBuiltin[] = {
    R"json({"event_id":"9f0c4a5e1b2d4c6f8a9b0c1d2e3f4a5b","timestamp":1795502011.298,"platform":"node","level":"error","logger":"pino","server_name":"vm","release":"shop@1.4.2","environment":"production",
"exception":{"values":[{"type":"DatabaseError","value":"SELECT on table \"payments\" failed: connect ECONNREFUSED 10.0.3.4:5432","stacktrace":{"frames":[{"function":"processTicksAndRejections","module":"node:internal/process/task_queues","filename":"node:internal/process/task_queues","lineno":95,"colno":5,"in_app":false},{"function":"PaymentRepo.insert","filename":"/srv/app/src/repo/payments.js","lineno":41,"colno":13,"in_app":true}]},"mechanism":{"type":"generic","handled":true}},
{"type":"PaymentError","value":"charge failed for bob.smith@example.org","stacktrace":{"frames":[{"function":"Layer.handle","filename":"/srv/app/node_modules/express/lib/router/layer.js","lineno":95,"colno":5,"in_app":false},{"function":"charge","filename":"/srv/app/src/routes/payments.js","lineno":88,"colno":11,"in_app":true}]},"mechanism":{"type":"generic","handled":true}}]},
"request":{"method":"POST","url":"/api/payments?access_token=66f4a1a2a3cb3f6530e28de2","query_string":{"access_token":"66f4a1a2a3cb3f6530e28de2"},"headers":{"host":"127.0.0.1:3201","connection":"keep-alive","user-agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36","accept":"application/json","authorization":"Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0NzgiLCJlbWFpbCI6ImRhdmVAZXhhbXBsZS5jb20ifQ.72fed6ce644d57e2a3757a741831881bb3d52b93178","cookie":"session=31ff4607ed3b0479d6f3db2c123adcc9; csrftoken=e51192e0e914de10e5983613; theme=dark","x-forwarded-for":"203.0.113.83, 10.0.0.12","content-type":"application/json","accept-language":"*","accept-encoding":"gzip, deflate","content-length":"126"},"env":{"REMOTE_ADDR":"127.0.0.1"}},
"user":{"id":"478"},"transaction":"/api/payments","tags":{"level":"error","logger":"pino","request_id":"25","http.method":"POST","http.status_code":"500","route":"/api/payments","error.code":"ECONNREFUSED"},
"contexts":{"trace":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"},"runtime":{"name":"node","version":"v20.20.2"},"DatabaseError":{"code":"ECONNREFUSED","sql":"insert into payments (card, amount) values (?, ?)"}},
"extra":{"pid":8978,"req":{"id":25,"params":{},"remoteAddress":"127.0.0.1","remotePort":37204},"payment":{"paymentId":"pay_e18858ae16942fb7","cardNumber":"378282246310005","cvv":"503","expiry":"12/29","amount":867.68,"currency":"EUR","email":"bob.smith@example.org"},"responseTime":31},
"breadcrumbs":{"values":[{"timestamp":1795502011.2,"category":"pino","level":"info","message":"request received","data":{"reqId":25}},{"timestamp":1795502011.21,"category":"pino","level":"info","message":"cache miss, loading user 478 from database","data":{"component":"user-repo"}},{"timestamp":1795502011.25,"category":"pino","level":"info","message":"charging card","data":{"payment":{"cardNumber":"378282246310005","cvv":"503","email":"bob.smith@example.org"}}},{"timestamp":1795502011.27,"category":"pino","level":"warning","message":"retrying insert","data":{"attempt":2}}]}})json",
    R"json({"event_id":"0a1b2c3d4e5f60718293a4b5c6d7e8f9","timestamp":1795502012.5,"platform":"node","level":"error","logger":"pino","release":"shop@1.4.2","environment":"production",
"exception":{"values":[{"type":"Error","value":"550 5.1.1 <bounce-me@example.invalid>: Recipient address rejected: User unknown","stacktrace":{"frames":[{"function":"SMTPConnection._formatError","filename":"/srv/app/node_modules/nodemailer/lib/smtp-connection/index.js","lineno":798,"colno":19,"in_app":false},{"function":"sendWelcome","filename":"/srv/app/src/jobs/email.js","lineno":27,"colno":9,"in_app":true}]}}]},
"tags":{"queue":"emails","job.id":"1","error.code":"EENVELOPE"},"contexts":{"Error":{"code":"EENVELOPE","responseCode":550,"command":"RCPT TO"}},
"extra":{"component":"worker","jobName":"send-welcome-email","attemptsMade":1,"attempts":3,"failedReason":"550 5.1.1 <bounce-me@example.invalid>: Recipient address rejected: User unknown","data":{"to":"bounce-me@example.invalid","template":"welcome","requestId":18}}})json",
    R"json({"event_id":"1b2c3d4e5f60718293a4b5c6d7e8f90a","timestamp":1795502013.1,"platform":"node","level":"error","release":"shop@1.4.2","environment":"production","message":"user alice@example.com bought 3 items for {\"total\":99.5}","tags":{"level":"error"},"extra":{"pid":9055,"case":"interpolation"}})json",
};

std::vector<Value> load(const char* file) {
  std::vector<Value> events;
  if (!file) {
    for (const char* text : kBuiltin) events.push_back(*faultline::json::parse(text));
    return events;
  }
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    auto v = faultline::json::parse(line);
    if (v.ok() && v->is_object()) events.push_back(std::move(*v));
  }
  return events;
}

}  // namespace

int main(int argc, char** argv) {
  size_t iterations = 20000;
  bool explain = false;
  const char* file = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--iterations") && i + 1 < argc) {
      iterations = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--explain")) {
      explain = true;
    } else {
      file = argv[i];
    }
  }
  std::vector<Value> events = load(file);
  if (events.empty()) {
    std::fprintf(stderr, "no events\n");
    return 1;
  }
  auto rules = faultline::rules::RuleSet::defaults();
  if (!rules.ok()) {
    std::fprintf(stderr, "%s\n", rules.message().c_str());
    return 1;
  }
  faultline::rules::RuleEngine engine(*rules, faultline::real_clock());
  faultline::rules::Explain ex;

  size_t bytes = 0;
  for (const Value& e : events) bytes += faultline::json::to_string(e).size();

  // Copies alone, to subtract.
  auto t0 = Clock::now();
  size_t sink = 0;
  for (size_t i = 0; i < iterations; ++i) {
    Value copy = events[i % events.size()];
    sink += copy.is_object();
  }
  auto t1 = Clock::now();
  size_t kept = 0;
  for (size_t i = 0; i < iterations; ++i) {
    Value copy = events[i % events.size()];
    kept += engine.apply(copy, explain ? &ex : nullptr).keep();
  }
  auto t2 = Clock::now();

  const double copy_ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / iterations;
  const double total_ns = std::chrono::duration<double, std::nano>(t2 - t1).count() / iterations;
  const double rules_ns = total_ns - copy_ns;
  std::printf("events: %zu distinct, %zu applications (%zu kept), avg %.0f bytes of JSON\n",
              events.size(), iterations, kept, static_cast<double>(bytes) / events.size());
  std::printf("rules (express-noise + secrets%s): %.1f us/event, %.0f events/s\n",
              explain ? ", with explain" : "", rules_ns / 1000.0, 1e9 / rules_ns);
  std::printf("(event copy, subtracted: %.1f us/event; sink %zu)\n", copy_ns / 1000.0, sink);
  return 0;
}
