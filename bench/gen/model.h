// The simulated app's vocabulary of types: routes, failures, the steps of a request's script,
// the actors (requests in flight and worker jobs), the clients, the time model and the counters
// behind --stats. Every actor and client is owned by the Generator (scheduler.h) and reused, so
// a request costs no allocation once its strings have grown. Not thread-safe.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rng.h"
#include "vocab.h"

namespace gen {

enum Route : uint8_t {
  kHealth,
  kUserGet,
  kUserPost,
  kPayment,
  kSearch,
  kLogin,
  kJobEmail,
  kInventory,
  kOrderSummary,
  kReport,
  kNotFound,
  kSlow,
  kRates,
  kBroadcast,
  kOrderGet,
  kRouteCount
};
// Weights for clients other than the probe (which only calls kHealth).
inline constexpr uint16_t kRouteWeights[kRouteCount] = {0, 22, 10, 14, 10, 8, 5, 7,
                                                        5, 3,  3,  1,  4,  2, 6};

enum Failure : uint8_t {
  kNoFailure,
  kTypeError,       // orders summary: TypeError in a handler, 500
  kCauseChain,      // reports: Error <- DatabaseError <- ECONNREFUSED, 500
  kPaymentTimeout,  // custom error class with name/code, 504
  kAggregate,       // Promise.any: AggregateError, 500
  kStock,           // business error with details, 409 (summary is "completed")
  kPoolFatal,       // KnexTimeoutError logged at fatal (60), 503
  kBodySyntax,      // body-parser SyntaxError, 400
  kFetch,           // undici fetch failed, caused by ECONNREFUSED, 502
  kUnhandled,       // a normal request plus an unhandledRejection line without req
  kFailureCount
};
inline constexpr uint16_t kFailureWeights[kFailureCount] = {0, 22, 22, 10, 7, 8, 4, 8, 12, 7};

// How a failure shapes its request. Failures with route kRouteCount happen on any route (drawn
// by weight) and leave the request's own outcome alone; the others replace it with an error
// line at `level` and the given status.
struct FailureSpec {
  Route route;
  uint16_t status;
  bool json_body;     // false: Express's HTML error page
  bool charge_first;  // a "charging card" line before the error
  uint32_t extra_us;  // added to the response time, before the duration scale
  uint8_t level;
};
inline constexpr FailureSpec kFailures[kFailureCount] = {
    /* kNoFailure      */ {kRouteCount, 0, true, false, 0, 0},
    /* kTypeError      */ {kOrderSummary, 500, false, false, 0, 50},
    /* kCauseChain     */ {kReport, 500, false, false, 0, 50},
    /* kPaymentTimeout */ {kPayment, 504, false, true, 3000000, 50},
    /* kAggregate      */ {kBroadcast, 500, false, false, 0, 50},
    /* kStock          */ {kInventory, 409, false, false, 0, 50},
    /* kPoolFatal      */ {kOrderGet, 503, true, false, 2000000, 60},
    /* kBodySyntax     */ {kUserPost, 400, false, false, 0, 50},
    /* kFetch          */ {kRates, 502, false, false, 0, 50},
    /* kUnhandled      */ {kRouteCount, 0, true, false, 0, 0},
};

// What one line of a script writes. The handler lines come first, up to kReceived, so that
// request_lines.cpp can keep their level and msg in one table indexed by What.
enum What : uint8_t {
  kUserMiss,
  kUserLoaded,
  kUserInvalid,
  kUserCreated,
  kUserValidation,
  kPayCharging,
  kPayCaptured,
  kPayLuhn,
  kSearchDone,
  kLoginOk,
  kLoginFail,
  kJobEnqueued,
  kOrderSummaryDone,
  kReportDone,
  kBroadcastDone,
  kOrderLoaded,
  kReceived,       // pino-http customReceivedMessage, at the start of the request
  kErrorLine,      // the request's failure, level 50 or 60
  kUnhandledLine,  // no req
  kComplete,       // pino-http summary
  kJobRetry,       // worker, level 40 with err
  kJobDone,        // worker, level 30
  kJobFailed,      // worker, level 50 with err
};
inline constexpr int kHandlerLineCount = kReceived + 1;

// Lines at level >= 50: what the error-rate controller counts.
constexpr bool is_error_line(What w) {
  return w == kErrorLine || w == kUnhandledLine || w == kJobFailed;
}

struct Step {
  uint64_t at = 0;  // microseconds after the actor's start
  What what = kComplete;
  uint8_t arg = 0;  // jobs: the attempt number
};

inline constexpr int kMaxSteps = 7;

// A request in flight or a worker job: its script and the parameters its lines are drawn from.
struct Actor {
  bool job = false;
  bool live = false;
  bool wrote = false;  // has written at least one line
  Route route = kHealth;
  Failure failure = kNoFailure;
  uint8_t nsteps = 0, step = 0;
  bool json_body = true;  // summary response headers: JSON (etag) or Express's HTML error page
  bool set_cookie = false;
  uint16_t status = 200;  // 0 = aborted
  uint32_t client = 0;
  uint32_t req_id = 0;
  uint64_t start = 0, duration = 0;
  uint64_t first_line = 0;
  // Route parameters (ids, amounts, table indexes), read through the accessors below. Jobs
  // use them otherwise (jobs.cpp): p1 = job id, p2 = the enqueuing request's id, p3 = the
  // recipient.
  uint64_t p1 = 0, p2 = 0, p3 = 0;
  uint64_t bits = 0, bits2 = 0;  // random bits for hex ids and tokens
  Step steps[kMaxSteps];
  std::string req;  // the serialized "req":{...}, built once per request (pino-http binds it once)

  // Clears the script and outcome for a new request or job (the random fields are drawn anew
  // by the caller).
  void reset(bool is_job) {
    job = is_job;
    live = true;
    wrote = false;
    nsteps = 0;
    step = 0;
    failure = kNoFailure;
    json_body = true;
    set_cookie = false;
    status = 200;
  }
  void add_step(uint64_t at, What what, uint8_t arg = 0) {
    Step& s = steps[nsteps++];
    s.at = at;
    s.what = what;
    s.arg = arg;
  }

  // What a request's parameters stand for, wherever they are written (url, lines, err).
  std::string_view email() const { return pick(kEmails, p3); }
  std::string_view card() const { return pick(kCards, p3); }
  std::string_view currency() const { return pick(kCurrencies, p2); }
  uint64_t amount_cents() const { return 100 + p1 % 200000; }
  uint64_t sku() const { return p1 % 10000; }
  uint64_t report_id() const { return p1 % 100; }
  // A GET /api/users/:id that is rejected asks for "abc" or for a SQL injection.
  bool bad_user_id_is_word() const { return p3 % 2 != 0; }
};

struct Client {
  std::string headers;  // "host" .. "x-forwarded-for" (the per-client part, in pino order)
  std::string address;
  uint32_t port = 0;
  uint8_t agent = 0;
  uint8_t email = 0;
  uint32_t user = 0;
  bool probe = false;
};

// The time model: durations in microseconds of log time, stretched by --duration-scale (which
// changes timestamps only, never the order of draws). Shares the Generator's Rng.
class Timing {
 public:
  Timing(Rng& rng, uint32_t scale) : rng_(rng), scale_(scale) {}
  uint32_t scale() const { return scale_; }
  uint64_t scaled(uint64_t us) const { return us * scale_; }
  // Uniform in [lo, hi] milliseconds.
  uint64_t ms(uint32_t lo, uint32_t hi) {
    return uint64_t(rng_.between(lo * 1000, hi * 1000)) * scale_;
  }
  // Under 2 ms: a client's pause between requests, a health check.
  uint64_t brief() { return uint64_t(rng_.below(2000)) * scale_; }
  // A response time: mostly a few ms, a tail to a few hundred.
  uint64_t response_time() {
    static constexpr uint16_t w[] = {25, 30, 25, 15, 5};
    static constexpr uint32_t lo[] = {50, 1000, 5000, 20000, 60000};
    static constexpr uint32_t hi[] = {1000, 5000, 20000, 60000, 300000};
    const size_t b = rng_.weighted(w);
    return uint64_t(rng_.between(lo[b], hi[b])) * scale_;
  }

 private:
  Rng& rng_;
  uint32_t scale_;
};

// What was written, for --stats. Lines and their levels are counted by LineWriter; requests,
// jobs and the correlation figures by the Generator.
struct Stats {
  uint64_t lines = 0, requests = 0, completed = 0, error_lines = 0, err_lines = 0, errored = 0,
           warn_lines = 0, fatal_lines = 0, non_json = 0, jobs = 0, restarts = 0;
  uint64_t open_with_lines = 0, max_open_with_lines = 0, sum_open_with_lines = 0;
  uint64_t span_lines = 0, spans = 0, max_span = 0;
  uint64_t response_ms = 0;
};

}  // namespace gen
