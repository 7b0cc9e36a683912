// faultline-bench-gen: writes realistic pino 10 + pino-http 11 NDJSON (an Express 5 app under
// load, as in shared/fixtures/pino/a-default.ndjson) of a given size and error rate, for the
// benchmarks in bench/run.sh. The output is a pure function of the flags: same flags, same bytes.
//
// Model: --open-requests N keep-alive clients each send one request at a time, so N requests are
// in flight and their lines interleave. A request is a small script of lines at times relative to
// its start (handler lines that repeat the whole req, maybe a level-50/60 error line, then
// pino-http's summary line). Events come off a min-heap ordered by (time, sequence), so times are
// monotonic. Requests that enqueue a job spawn a worker job (BullMQ-style lines with jobId, queue,
// attemptsMade). An error-rate controller decides which requests fail so that the share of lines
// at level >= 50 tracks --error-rate. The PRNG and its helpers are written here and the rest is
// integer and plain IEEE double arithmetic (no <random> distributions, no libm), so the bytes do
// not depend on the compiler or standard library.
//
// Usage: faultline-bench-gen [--size 100M] [--error-rate 0.01] [--seed 1] [--open-requests 64]
//                            [--received-message] [--restart-every SIZE] [--duration-scale N]
//                            [--stats] [--out FILE]
// The correlation memory benchmark input is --size 1G --open-requests 50000 --received-message.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---- deterministic PRNG: xoshiro256** seeded through splitmix64 ----------------------------

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& w : s_) w = splitmix64(x);
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n), multiply-shift on the top 32 bits (n < 2^32).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * n) >> 32); }
  uint32_t between(uint32_t lo, uint32_t hi) { return lo + below(hi - lo + 1); }
  bool percent(uint32_t p) { return below(100) < p; }
  bool per_million(uint32_t p) { return below(1000000) < p; }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  template <size_t N>
  size_t weighted(const uint16_t (&w)[N]) {
    uint32_t total = 0;
    for (uint16_t x : w) total += x;
    uint32_t r = below(total);
    for (size_t i = 0; i < N; ++i) {
      if (r < w[i]) return i;
      r -= w[i];
    }
    return N - 1;
  }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// ---- output: one big buffer, flushed with write(2) ------------------------------------------

class Out {
 public:
  static constexpr size_t kCap = 4u << 20;
  explicit Out(int fd) : fd_(fd), buf_(new char[kCap]) {}
  void append(const char* p, size_t n) {
    if (n > kCap - len_) {
      flush();
      if (n > kCap) {
        write_all(p, n);
        flushed_ += n;
        return;
      }
    }
    std::memcpy(buf_.get() + len_, p, n);
    len_ += n;
  }
  void flush() {
    write_all(buf_.get(), len_);
    flushed_ += len_;
    len_ = 0;
  }
  uint64_t total() const { return flushed_ + len_; }

 private:
  void write_all(const char* p, size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        std::fprintf(stderr, "faultline-bench-gen: write: %s\n", std::strerror(errno));
        std::exit(1);
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
  int fd_;
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;
  uint64_t flushed_ = 0;
};

// Appenders shared by Out and std::string (both have append(const char*, size_t)).
template <class S>
void put(S& s, std::string_view v) {
  s.append(v.data(), v.size());
}
template <class S>
void putch(S& s, char c) {
  s.append(&c, 1);
}
template <class S>
void putu(S& s, uint64_t v) {
  char b[24];
  const auto r = std::to_chars(b, b + sizeof b, v);
  s.append(b, static_cast<size_t>(r.ptr - b));
}
template <class S>
void puthex(S& s, uint64_t v, int n) {  // n <= 16 lowercase hex digits of v
  char b[16];
  for (int i = n - 1; i >= 0; --i) {
    b[i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  }
  s.append(b, static_cast<size_t>(n));
}
constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kB64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
template <class S>
void putrand64(S& s, uint64_t bits, int n, std::string_view alphabet) {  // n <= 10
  char b[10];
  for (int i = 0; i < n; ++i) {
    b[i] = alphabet[bits & 63];
    bits >>= 6;
  }
  s.append(b, static_cast<size_t>(n));
}
// A JS number of cents as JSON.stringify writes it: 12, 12.5, 12.34.
template <class S>
void putmoney(S& s, uint64_t cents) {
  putu(s, cents / 100);
  const uint64_t frac = cents % 100;
  if (frac == 0) return;
  putch(s, '.');
  putch(s, static_cast<char>('0' + frac / 10));
  if (frac % 10) putch(s, static_cast<char>('0' + frac % 10));
}
void b64url(std::string& out, std::string_view in) {
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v =
        (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(kB64Url[(v >> k) & 63]);
  }
  if (in.size() - i == 1) {
    const uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    out.push_back(kB64Url[(v >> 18) & 63]);
    out.push_back(kB64Url[(v >> 12) & 63]);
  } else if (in.size() - i == 2) {
    const uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out.push_back(kB64Url[(v >> 18) & 63]);
    out.push_back(kB64Url[(v >> 12) & 63]);
    out.push_back(kB64Url[(v >> 6) & 63]);
  }
}

// ---- fixed vocabulary --------------------------------------------------------------------------

constexpr std::string_view kAgents[] = {
    "kube-probe/1.30",
    "curl/8.5.0",
    "okhttp/4.12.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
    "Safari/537.36",
    "python-requests/2.32.3",
    "checkout-web/3.2.1 (+https://example.com)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
};
constexpr uint16_t kAgentWeights[] = {18, 18, 16, 14, 14, 12};  // kAgents[1..]

constexpr std::string_view kEmails[] = {
    "alice@example.com",        "bob.smith@example.org",     "carol+shop@example.net",
    "dave@example.com",         "erin.o-neil@example.co.uk", "frank.miller@example.com",
    "grace.hopper@example.org", "heidi@example.net",         "ivan.petrov@example.com",
    "judy@example.org",
};
constexpr std::string_view kNames[] = {"Alice", "Bob",   "Carol", "Dave", "Erin",
                                       "Frank", "Grace", "Heidi", "Ivan", "Judy"};
constexpr std::string_view kCards[] = {"4111111111111111", "5555555555554444", "378282246310005",
                                       "4242424242424242", "6011111111111117"};
constexpr std::string_view kCurrencies[] = {"EUR", "USD", "GBP", "CHF"};
// Search terms: {url-encoded, JSON string body}. Some carry PII or non-ASCII, one a quote.
struct Query {
  std::string_view url, json;
};
constexpr Query kSearches[] = {
    {"q=gift%20card", "\"q\":\"gift card\""},
    {"q=running%20shoes&page=2", "\"q\":\"running shoes\",\"page\":\"2\""},
    {"q=caf%C3%A9%20cr%C3%A8me", "\"q\":\"caf\xc3\xa9 cr\xc3\xa8me\""},
    {"q=usb-c%20cable&sort=price", "\"q\":\"usb-c cable\",\"sort\":\"price\""},
    {"q=27%22%20monitor", "\"q\":\"27\\\" monitor\""},
    {"q=gift%20card&email=carol%2Bshop%40example.net&access_token=66f4a1a2a3cb3f6530e28de2",
     "\"q\":\"gift card\",\"email\":\"carol+shop@example.net\",\"access_token\":"
     "\"66f4a1a2a3cb3f6530e28de2\""},
    {"q=%E3%82%B3%E3%83%BC%E3%83%92%E3%83%BC",
     "\"q\":\"\xe3\x82\xb3\xe3\x83\xbc\xe3\x83\x92\xe3"
     "\x83\xbc\""},
};
constexpr std::string_view kSearchText[] = {"gift card",
                                            "running shoes",
                                            "caf\xc3\xa9 cr\xc3\xa8me",
                                            "usb-c cable",
                                            "27\\\" monitor",
                                            "gift card",
                                            "\xe3\x82\xb3\xe3\x83\xbc\xe3\x83\x92\xe3\x83\xbc"};
constexpr std::string_view kNotFoundUrls[] = {"/favicon.ico", "/.env", "/wp-login.php",
                                              "/api/does-not-exist", "/api/v1/users"};

// Express 5 / router 2 frames below a route handler, outermost last.
constexpr std::string_view kRouterFrames[] = {
    "Layer.handleRequest (/srv/app/node_modules/router/lib/layer.js:152:17)",
    "next (/srv/app/node_modules/router/lib/route.js:157:13)",
    "Route.dispatch (/srv/app/node_modules/router/lib/route.js:117:3)",
    "handle (/srv/app/node_modules/router/index.js:435:11)",
    "Layer.handleRequest (/srv/app/node_modules/router/lib/layer.js:152:17)",
    "/srv/app/node_modules/router/index.js:295:15",
    "param (/srv/app/node_modules/router/index.js:600:14)",
    "param (/srv/app/node_modules/router/index.js:610:14)",
    "processParams (/srv/app/node_modules/router/index.js:663:3)",
    "next (/srv/app/node_modules/router/index.js:291:5)",
    "authenticate (/srv/app/src/middleware/auth.js:31:5)",
    "Layer.handleRequest (/srv/app/node_modules/router/lib/layer.js:152:17)",
};
constexpr std::string_view kPlaceholderStackTail =
    "\\n    at onResFinished (/srv/app/node_modules/pino-http/logger.js:115:39)"
    "\\n    at ServerResponse.onResponseComplete (/srv/app/node_modules/pino-http/logger.js:178:14)"
    "\\n    at ServerResponse.emit (node:events:536:35)"
    "\\n    at onFinish (node:_http_outgoing:1031:10)"
    "\\n    at callback (node:internal/streams/writable:766:21)"
    "\\n    at afterWrite (node:internal/streams/writable:710:5)"
    "\\n    at afterWriteTick (node:internal/streams/writable:696:10)"
    "\\n    at process.processTicksAndRejections (node:internal/process/task_queues:81:21)";

template <class S, size_t N>
void frames(S& s, const std::string_view (&list)[N], size_t n) {
  for (size_t i = 0; i < n && i < N; ++i) {
    put(s, "\\n    at ");
    put(s, list[i]);
  }
}

// ---- the simulated app ------------------------------------------------------------------------

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
// Weights for clients other than the probe.
constexpr uint16_t kRouteWeights[kRouteCount] = {0, 22, 10, 14, 10, 8, 5, 7, 5, 3, 3, 1, 4, 2, 6};

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
constexpr uint16_t kFailureWeights[kFailureCount] = {0, 22, 22, 10, 7, 8, 4, 8, 12, 7};

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
  kErrorLine,      // the request's failure, level 50 or 60
  kUnhandledLine,  // no req
  kComplete,       // pino-http summary
  kReceived,       // pino-http customReceivedMessage, at the start of the request
  kJobRetry,       // worker, level 40 with err
  kJobDone,        // worker, level 30
  kJobFailed,      // worker, level 50 with err
};

struct Step {
  uint64_t at = 0;  // microseconds after the actor's start
  What what = kComplete;
  uint8_t arg = 0;
};

constexpr int kMaxSteps = 7;

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
  uint64_t p1 = 0, p2 = 0, p3 = 0;  // route parameters (ids, amounts, table indexes)
  uint64_t bits = 0, bits2 = 0;     // random bits for hex ids and tokens
  Step steps[kMaxSteps];
  std::string req;  // the serialized "req":{...}, built once per request (pino-http binds it once)
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

struct Event {
  uint64_t t, seq;
  uint32_t actor;
};
struct Later {
  bool operator()(const Event& a, const Event& b) const {
    return a.t != b.t ? a.t > b.t : a.seq > b.seq;
  }
};

struct Options {
  uint64_t size = 100ull << 20;
  double error_rate = 0.01;
  uint64_t seed = 1;
  uint32_t open_requests = 64;
  uint64_t restart_every = 0;
  uint32_t duration_scale = 0;  // 0 = automatic: max(1, open_requests / 64)
  bool stats = false;
  bool received = false;  // pino-http customReceivedMessage: a line when each request starts
  std::string out;
};

struct Stats {
  uint64_t lines = 0, requests = 0, completed = 0, error_lines = 0, err_lines = 0, errored = 0,
           warn_lines = 0, fatal_lines = 0, non_json = 0, jobs = 0, restarts = 0;
  uint64_t open_with_lines = 0, max_open_with_lines = 0, sum_open_with_lines = 0;
  uint64_t span_lines = 0, spans = 0, max_span = 0;
  uint64_t response_ms = 0;
};

class Generator {
 public:
  Generator(const Options& opt, Out& out)
      : opt_(opt), out_(out), rng_(opt.seed), scale_(opt.duration_scale) {
    if (scale_ == 0) scale_ = std::max<uint32_t>(1, opt.open_requests / 64);
    hostname_ = "checkout-api-6f8d9c7b5d-";
    uint64_t h = rng_.next();
    for (int i = 0; i < 5; ++i, h /= 36)
      hostname_.push_back("abcdefghijklmnopqrstuvwxyz0123456789"[h % 36]);
    pid_ = rng_.between(7, 120);
    now_ = 1795502011075ull * 1000;
    t0_ = now_;
    // N application clients, each with one request in flight, plus a few kube-probe pollers.
    nclients_ = opt.open_requests + 2 + opt.open_requests / 64;
    clients_.resize(nclients_);
    for (uint32_t i = 0; i < nclients_; ++i) make_client(i, i >= opt.open_requests);
    actors_.resize(nclients_);
    heap_.reserve(nclients_ + 1024);
    job_fail_per_million_ = static_cast<uint32_t>(std::min(0.5, opt.error_rate * 15) * 1e6);
    job_retry_per_million_ = static_cast<uint32_t>(std::min(0.3, opt.error_rate * 20) * 1e6);
  }

  void run() {
    boot();
    uint64_t restart_mark = opt_.restart_every;
    while (out_.total() < opt_.size) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      const Event ev = heap_.back();
      heap_.pop_back();
      now_ = ev.t;
      emit(actors_[ev.actor]);  // may spawn a job, which can grow actors_
      Actor& a = actors_[ev.actor];
      ++a.step;
      if (a.step < a.nsteps) {
        schedule(ev.actor, a.start + a.steps[a.step].at);
      } else if (a.job) {
        a.live = false;
        free_jobs_.push_back(ev.actor);
      } else {
        finish_request(a);
        // Probes (kube-probe) poll; other clients send their next request right away.
        const bool probe = clients_[ev.actor].probe;
        start_request(ev.actor, now_ + (probe ? ms(50, 150) : think()));
      }
      if (rng_.per_million(50)) console_line();
      if (opt_.restart_every && out_.total() >= restart_mark && out_.total() < opt_.size) {
        restart();
        restart_mark = out_.total() + opt_.restart_every;
      }
    }
    out_.flush();
  }

  const Stats& stats() const { return st_; }
  uint32_t scale() const { return scale_; }

 private:
  // ---- time and scheduling ----

  uint64_t ms(uint32_t lo, uint32_t hi) {
    return uint64_t(rng_.between(lo * 1000, hi * 1000)) * scale_;
  }
  uint64_t think() { return uint64_t(rng_.below(2000)) * scale_; }
  // A response time: mostly a few ms, a tail to a few hundred.
  uint64_t response_time() {
    static constexpr uint16_t w[] = {25, 30, 25, 15, 5};
    static constexpr uint32_t lo[] = {50, 1000, 5000, 20000, 60000};
    static constexpr uint32_t hi[] = {1000, 5000, 20000, 60000, 300000};
    const size_t b = rng_.weighted(w);
    return uint64_t(rng_.between(lo[b], hi[b])) * scale_;
  }

  void schedule(uint32_t actor, uint64_t t) {
    heap_.push_back(Event{t, seq_++, actor});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }

  // ---- clients ----

  void make_client(uint32_t i, bool probe) {
    Client& c = clients_[i];
    c.agent = probe ? 0 : static_cast<uint8_t>(1 + rng_.weighted(kAgentWeights));
    c.probe = probe;
    c.email = static_cast<uint8_t>(rng_.below(std::size(kEmails)));
    c.user = rng_.between(1, 99999);
    c.port = 32768 + (i * 7919u + rng_.below(64)) % 28000;
    c.address.clear();
    if (rng_.percent(70)) {
      put(c.address, "::ffff:10.42.");
      putu(c.address, rng_.below(8));
      putch(c.address, '.');
      putu(c.address, rng_.between(2, 250));
    } else {
      put(c.address, "127.0.0.1");
    }
    std::string& h = c.headers;
    h.clear();
    put(h, "\"host\":\"api.shop.example.com\",\"connection\":\"keep-alive\",\"user-agent\":\"");
    put(h, kAgents[c.agent]);
    put(h, "\",\"accept\":\"");
    put(h, c.probe                          ? "*/*"
           : (c.agent == 3 || c.agent == 6) ? "application/json, text/plain, */*"
                                            : "application/json");
    putch(h, '"');
    if (c.probe) return;
    const uint32_t auth = rng_.below(100);
    if (auth < 40) {
      put(h, ",\"authorization\":\"Bearer ");
      jwt(h, c.user, c.email, 1718000000, rng_.next());
      putch(h, '"');
    } else if (auth < 48) {
      put(h, ",\"authorization\":\"Basic ");
      std::string cred = "svc-reporting:";
      puthex(cred, rng_.next(), 12);
      b64url(h, cred);  // close enough to base64 for a credential of hex digits
      putch(h, '"');
    }
    if (rng_.percent(40)) {
      put(h, ",\"cookie\":\"session=");
      puthex(h, rng_.next(), 16);
      puthex(h, rng_.next(), 16);
      put(h, "; csrftoken=");
      puthex(h, rng_.next(), 16);
      puthex(h, rng_.next(), 8);
      put(h, "; theme=dark\"");
    }
    if (rng_.percent(30)) {
      put(h, ",\"x-api-key\":\"ak_live_");
      puthex(h, rng_.next(), 16);
      puthex(h, rng_.next(), 16);
      putch(h, '"');
    }
    if (rng_.percent(25)) {
      put(h, ",\"x-forwarded-for\":\"203.0.113.");
      putu(h, rng_.between(1, 254));
      put(h, ", 10.0.0.12\"");
    }
  }

  template <class S>
  void jwt(S& s, uint32_t user, uint8_t email, uint64_t iat, uint64_t sig) {
    std::string& payload = scratch_;
    payload.clear();
    put(payload, "{\"sub\":\"");
    putu(payload, user);
    put(payload, "\",\"email\":\"");
    put(payload, kEmails[email]);
    put(payload, "\",\"scope\":\"orders:read orders:write\",\"iat\":");
    putu(payload, iat);
    put(payload, ",\"exp\":");
    putu(payload, iat + 3600);
    putch(payload, '}');
    std::string& enc = scratch2_;
    enc.clear();
    b64url(enc, payload);
    put(s, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.");
    put(s, enc);
    putch(s, '.');
    for (int i = 0; i < 4; ++i) {
      putrand64(s, sig, 10, kB64Url);
      sig = Rng::splitmix64(sig);
    }
    putrand64(s, sig, 3, kB64Url);
  }

  // ---- the error-rate controller ----

  // Decides whether the next request fails, so that committed error lines track
  // error_rate * committed lines (committed = written + scripted in open requests and jobs).
  bool want_failure() {
    if (opt_.error_rate <= 0) return false;
    const double deficit =
        opt_.error_rate * double(committed_lines_ + 3) - double(committed_errors_);
    return rng_.unit() < deficit;
  }

  // Adds an actor's scripted lines to the committed counts. Lines scheduled after the estimated
  // end of the output will never be written, so they do not count: with tens of thousands of
  // requests open, long (failing) requests would otherwise hold back the realized error rate.
  void commit(const Actor& a) {
    const uint64_t eof = eof_estimate();
    for (int i = 0; i < a.nsteps; ++i) {
      if (a.start + a.steps[i].at >= eof) break;
      ++committed_lines_;
      const What w = a.steps[i].what;
      if (w == kErrorLine || w == kUnhandledLine || w == kJobFailed) ++committed_errors_;
    }
  }
  uint64_t eof_estimate() const {
    const uint64_t written = out_.total();
    if (written < (1u << 20) || now_ <= t0_ || written >= opt_.size) return UINT64_MAX;
    const double us_per_byte = double(now_ - t0_) / double(written);
    return now_ + static_cast<uint64_t>(double(opt_.size - written) * us_per_byte);
  }

  // ---- requests ----

  void add_step(Actor& a, uint64_t at, What what, uint8_t arg = 0) {
    Step& s = a.steps[a.nsteps++];
    s.at = at;
    s.what = what;
    s.arg = arg;
  }

  void start_request(uint32_t idx, uint64_t start) {
    Actor& a = actors_[idx];
    const Client& c = clients_[idx];
    a.job = false;
    a.live = true;
    a.wrote = false;
    a.client = idx;
    a.req_id = ++req_counter_;
    a.start = start;
    a.nsteps = 0;
    a.step = 0;
    a.failure = kNoFailure;
    a.json_body = true;
    a.set_cookie = false;
    a.status = 200;
    a.bits = rng_.next();
    a.bits2 = rng_.next();
    a.p1 = rng_.between(1, 99999);
    a.p2 = rng_.between(1, 9);
    a.p3 = rng_.below(1000);
    ++st_.requests;

    if (c.probe) {
      a.route = kHealth;
    } else if (want_failure()) {
      a.failure = static_cast<Failure>(rng_.weighted(kFailureWeights));
      switch (a.failure) {
        case kTypeError:
          a.route = kOrderSummary;
          break;
        case kCauseChain:
          a.route = kReport;
          break;
        case kPaymentTimeout:
          a.route = kPayment;
          break;
        case kAggregate:
          a.route = kBroadcast;
          break;
        case kStock:
          a.route = kInventory;
          break;
        case kPoolFatal:
          a.route = kOrderGet;
          break;
        case kBodySyntax:
          a.route = kUserPost;
          break;
        case kFetch:
          a.route = kRates;
          break;
        default:
          a.route = static_cast<Route>(rng_.weighted(kRouteWeights));
          break;
      }
    } else {
      a.route = static_cast<Route>(rng_.weighted(kRouteWeights));
    }
    script(a);
    build_req(a, c);
    commit(a);
    schedule(idx, start + a.steps[0].at);
  }

  // Fills the request's steps: handler lines spread over the response time, then the summary.
  void script(Actor& a) {
    uint64_t d = response_time();
    What mid[4];
    int n = 0;
    const uint32_t roll = rng_.below(100);
    switch (a.failure) {
      case kNoFailure:
      case kUnhandled:
        switch (a.route) {
          case kHealth:
            d = uint64_t(rng_.below(2000)) * scale_;
            break;
          case kUserGet:
            if (roll < 75) {
              mid[n++] = kUserMiss;
              mid[n++] = kUserLoaded;
            } else if (roll < 90) {
              mid[n++] = kUserLoaded;
            } else {
              mid[n++] = kUserInvalid;
              a.status = 400;
            }
            break;
          case kUserPost:
            if (roll < 80) {
              mid[n++] = kUserCreated;
              a.status = 201;
            } else {
              mid[n++] = kUserValidation;
              a.status = 400;
            }
            break;
          case kPayment:
            mid[n++] = kPayCharging;
            if (roll < 88) {
              mid[n++] = kPayCaptured;
            } else {
              mid[n++] = kPayLuhn;
              a.status = 422;
            }
            d += ms(40, 400);
            break;
          case kSearch:
            mid[n++] = kSearchDone;
            break;
          case kLogin:
            if (roll < 85) {
              mid[n++] = kLoginOk;
              a.set_cookie = true;
            } else {
              mid[n++] = kLoginFail;
              a.status = 401;
            }
            break;
          case kJobEmail:
            mid[n++] = kJobEnqueued;
            a.status = 202;
            break;
          case kInventory:
            break;
          case kOrderSummary:
            mid[n++] = kOrderSummaryDone;
            break;
          case kReport:
            mid[n++] = kReportDone;
            d += ms(100, 900);
            break;
          case kNotFound:
            a.status = 404;
            a.json_body = false;
            break;
          case kSlow:
            if (roll < 60) a.status = 0;  // the client gave up: "request aborted"
            d += ms(500, 5000);
            break;
          case kRates:
            break;
          case kBroadcast:
            mid[n++] = kBroadcastDone;
            break;
          case kOrderGet:
            mid[n++] = kOrderLoaded;
            break;
          case kRouteCount:
            break;
        }
        if (a.failure == kUnhandled) mid[n++] = kUnhandledLine;
        break;
      case kTypeError:
      case kCauseChain:
      case kAggregate:
      case kFetch:
        mid[n++] = kErrorLine;
        a.status = a.failure == kFetch ? 502 : 500;
        a.json_body = false;
        break;
      case kPaymentTimeout:
        mid[n++] = kPayCharging;
        mid[n++] = kErrorLine;
        a.status = 504;
        a.json_body = false;
        d += 3000000ull * scale_;
        break;
      case kStock:
        mid[n++] = kErrorLine;
        a.status = 409;
        a.json_body = false;
        break;
      case kPoolFatal:
        mid[n++] = kErrorLine;
        a.status = 503;
        d += 2000000ull * scale_;
        break;
      case kBodySyntax:
        mid[n++] = kErrorLine;
        a.status = 400;
        a.json_body = false;
        break;
      case kFailureCount:
        break;
    }
    a.duration = d;
    if (opt_.received) add_step(a, 0, kReceived);
    uint64_t prev = 0;
    for (int i = 0; i < n; ++i) {
      // Handler lines at increasing fractions of the response time.
      const uint64_t at = d * uint64_t(i + 1) / uint64_t(n + 1) + rng_.below(97);
      prev = std::max(prev, std::min(at, d));
      add_step(a, prev, mid[i]);
    }
    add_step(a, d, kComplete);
  }

  void build_req(Actor& a, const Client& c) {
    std::string& s = a.req;
    s.clear();
    bool post = false;
    uint32_t body = 0;
    put(s, "\"req\":{\"id\":");
    putu(s, a.req_id);
    std::string_view query = "";
    std::string& url = scratch_;
    url.clear();
    switch (a.route) {
      case kHealth:
        put(url, "/health");
        break;
      case kUserGet:
        if (a.status == 400) {
          put(url, a.p3 % 2 ? "/api/users/abc" : "/api/users/%27%20OR%201%3D1");
        } else {
          put(url, "/api/users/");
          putu(url, a.p1);
        }
        break;
      case kUserPost:
        post = true;
        body = 40 + uint32_t(a.p3 % 30);
        put(url, "/api/users");
        break;
      case kPayment:
        post = true;
        body = 110 + uint32_t(a.p3 % 30);
        put(url, "/api/payments");
        break;
      case kSearch: {
        const Query& q = kSearches[a.p3 % std::size(kSearches)];
        put(url, "/api/search?");
        put(url, q.url);
        query = q.json;
        break;
      }
      case kLogin:
        post = true;
        body = 50 + uint32_t(a.p3 % 20);
        put(url, "/api/login");
        break;
      case kJobEmail:
        post = true;
        body = 30 + uint32_t(a.p3 % 10);
        put(url, "/api/jobs/email");
        break;
      case kInventory:
        put(url, a.failure == kStock ? "/api/inventory/OOS-" : "/api/inventory/SKU-");
        putu(url, a.p1 % 10000);
        put(url, "?qty=");
        putu(url, a.p2);
        query = kQty[a.p2];
        break;
      case kOrderSummary:
        put(url, "/api/orders/");
        putu(url, a.p1);
        put(url, "/summary");
        break;
      case kReport:
        put(url, "/api/reports/");
        putu(url, a.p1 % 100);
        break;
      case kNotFound:
        put(url, kNotFoundUrls[a.p3 % std::size(kNotFoundUrls)]);
        break;
      case kSlow:
        put(url, "/api/slow");
        break;
      case kRates:
        put(url, "/api/rates/");
        put(url, kCurrencies[a.p3 % std::size(kCurrencies)]);
        break;
      case kBroadcast:
        post = true;
        body = 42;
        put(url, "/api/notifications/broadcast");
        break;
      case kOrderGet:
        put(url, "/api/orders/");
        putu(url, a.p1);
        break;
      case kRouteCount:
        break;
    }
    put(s, post ? ",\"method\":\"POST\",\"url\":\"" : ",\"method\":\"GET\",\"url\":\"");
    put(s, url);
    put(s, "\",\"query\":{");
    put(s, query);
    put(s, "},\"params\":{},\"headers\":{");
    put(s, c.headers);
    if (post) put(s, ",\"content-type\":\"application/json\"");
    put(s,
        ",\"accept-language\":\"*\",\"sec-fetch-mode\":\"cors\",\"accept-encoding\":\"gzip, "
        "deflate\"");
    if (post) {
      put(s, ",\"content-length\":\"");
      putu(s, body);
      putch(s, '"');
    }
    put(s, "},\"remoteAddress\":\"");
    put(s, c.address);
    put(s, "\",\"remotePort\":");
    putu(s, c.port);
    putch(s, '}');
  }
  static constexpr std::string_view kQty[10] = {
      "\"qty\":\"0\"", "\"qty\":\"1\"", "\"qty\":\"2\"", "\"qty\":\"3\"", "\"qty\":\"4\"",
      "\"qty\":\"5\"", "\"qty\":\"6\"", "\"qty\":\"7\"", "\"qty\":\"8\"", "\"qty\":\"9\""};

  void finish_request(Actor& a) {
    ++st_.completed;
    st_.response_ms += a.duration / 1000;
    if (a.wrote) {
      const uint64_t span = st_.lines - a.first_line;
      st_.span_lines += span;
      ++st_.spans;
      st_.max_span = std::max(st_.max_span, span);
      --st_.open_with_lines;
    }
    a.live = false;
  }

  // ---- jobs ----

  void spawn_job(uint32_t req_id, uint32_t client) {
    uint32_t idx;
    if (!free_jobs_.empty()) {
      idx = free_jobs_.back();
      free_jobs_.pop_back();
    } else {
      idx = static_cast<uint32_t>(actors_.size());
      actors_.emplace_back();
    }
    Actor& j = actors_[idx];
    j.job = true;
    j.live = true;
    j.wrote = false;
    j.nsteps = 0;
    j.step = 0;
    j.p1 = ++job_counter_;
    j.p2 = req_id;
    j.p3 = clients_[client].email;
    j.bits = rng_.next();
    j.bits2 = rng_.next();
    j.start = now_ + ms(2, 30);
    ++st_.jobs;
    // Fate: p3 >= 100 marks the recipient (100 bounces, 101 times out).
    if (rng_.per_million(job_fail_per_million_)) {
      if (rng_.percent(50)) {  // 550 bounce: UnrecoverableError on the first attempt
        j.p3 = 100;
        add_step(j, ms(5, 20), kJobFailed, 1);
      } else {  // timeouts until the attempts run out
        j.p3 = 101;
        add_step(j, ms(5, 20), kJobRetry, 1);
        add_step(j, 1000000ull * scale_ + ms(5, 20), kJobRetry, 2);
        add_step(j, 3000000ull * scale_ + ms(5, 20), kJobFailed, 3);
      }
    } else if (rng_.per_million(job_retry_per_million_)) {
      j.p3 = 101;
      add_step(j, ms(5, 20), kJobRetry, 1);
      add_step(j, 1000000ull * scale_ + ms(5, 20), kJobDone, 2);
    } else {
      add_step(j, ms(5, 20), kJobDone, 1);
    }
    commit(j);
    schedule(idx, j.start + j.steps[0].at);
  }

  // ---- writing lines ----

  void prefix(int level, uint64_t t) {
    put(out_, "{\"level\":");
    putu(out_, static_cast<uint64_t>(level));
    put(out_, ",\"time\":");
    putu(out_, t / 1000);
    put(out_, ",\"pid\":");
    putu(out_, pid_);
    put(out_, ",\"hostname\":\"");
    put(out_, hostname_);
    putch(out_, '"');
  }
  void end_line(std::string_view msg_json_body) {
    put(out_, ",\"msg\":\"");
    put(out_, msg_json_body);
    put(out_, "\"}\n");
  }
  void counted(int level, bool has_err) {
    ++st_.lines;
    if (level >= 50) ++st_.error_lines;
    if (level >= 60) ++st_.fatal_lines;
    if (level == 40) ++st_.warn_lines;
    if (has_err) ++st_.err_lines;
  }
  void req_line(const Actor& a, int level) {
    prefix(level, now_);
    putch(out_, ',');
    put(out_, a.req);
  }

  void emit(Actor& a) {
    if (!a.wrote) {
      a.wrote = true;
      a.first_line = st_.lines;
      if (!a.job) {
        ++st_.open_with_lines;
        st_.max_open_with_lines = std::max(st_.max_open_with_lines, st_.open_with_lines);
      }
    }
    st_.sum_open_with_lines += st_.open_with_lines;
    const Step& s = a.steps[a.step];
    const std::string_view email = kEmails[a.p3 % std::size(kEmails)];
    switch (s.what) {
      case kUserMiss:
        req_line(a, 30);
        put(out_, ",\"component\":\"user-repo\",\"userId\":\"");
        putu(out_, a.p1);
        put(out_, "\"");
        end_line("cache miss, loading user from database");
        counted(30, false);
        break;
      case kUserLoaded:
        req_line(a, 30);
        put(out_, ",\"userId\":");
        putu(out_, a.p1);
        put(out_, ",\"email\":\"user");
        putu(out_, a.p1);
        put(out_, "@example.com\"");
        end_line("user loaded");
        counted(30, false);
        break;
      case kUserInvalid:
        req_line(a, 40);
        put(out_, a.p3 % 2 ? ",\"userId\":\"abc\"" : ",\"userId\":\"' OR 1=1\"");
        end_line("invalid user id");
        counted(40, false);
        break;
      case kUserCreated:
        req_line(a, 30);
        put(out_, ",\"user\":{\"id\":");
        putu(out_, a.p1);
        put(out_, ",\"email\":\"");
        put(out_, email);
        put(out_, "\",\"name\":\"");
        put(out_, kNames[a.p3 % std::size(kNames)]);
        put(out_, "\"}");
        end_line("user created");
        counted(30, false);
        break;
      case kUserValidation:
        req_line(a, 40);
        put(out_,
            ",\"body\":{\"email\":\"not-an-email\",\"password\":\"short\"},\"validationErrors\":"
            "[{\"field\":\"email\",\"rule\":\"format\"},{\"field\":\"password\",\"rule\":"
            "\"minLength\",\"min\":8}]");
        end_line("validation failed");
        counted(40, false);
        break;
      case kPayCharging:
        req_line(a, 30);
        put(out_, ",\"payment\":{\"paymentId\":\"pay_");
        puthex(out_, a.bits, 16);
        put(out_, "\",\"cardNumber\":\"");
        put(out_, kCards[a.p3 % std::size(kCards)]);
        put(out_, "\",\"cvv\":\"");
        putu(out_, 100 + a.bits2 % 900);
        put(out_, "\",\"expiry\":\"");
        putu(out_, 10 + a.p2);
        put(out_, "/29\",\"amount\":");
        putmoney(out_, 100 + a.p1 % 200000);
        put(out_, ",\"currency\":\"");
        put(out_, kCurrencies[a.p2 % std::size(kCurrencies)]);
        put(out_, "\",\"email\":\"");
        put(out_, email);
        put(out_, "\"}");
        end_line("charging card");
        counted(30, false);
        break;
      case kPayCaptured: {
        req_line(a, 30);
        put(out_, ",\"paymentId\":\"pay_");
        puthex(out_, a.bits, 16);
        put(out_, "\",\"last4\":\"");
        const std::string_view card = kCards[a.p3 % std::size(kCards)];
        put(out_, card.substr(card.size() - 4));
        put(out_, "\",\"amount\":");
        putmoney(out_, 100 + a.p1 % 200000);
        put(out_, ",\"currency\":\"");
        put(out_, kCurrencies[a.p2 % std::size(kCurrencies)]);
        putch(out_, '"');
        end_line("payment captured");
        counted(30, false);
        break;
      }
      case kPayLuhn:
        req_line(a, 40);
        put(out_, ",\"paymentId\":\"pay_");
        puthex(out_, a.bits, 16);
        put(out_, "\",\"cardNumber\":\"1234567812345678\"");
        end_line("card number failed luhn check");
        counted(40, false);
        break;
      case kSearchDone:
        req_line(a, 30);
        put(out_, ",\"q\":\"");
        put(out_, kSearchText[a.p3 % std::size(kSearches)]);
        put(out_, "\",\"hits\":");
        putu(out_, a.p1 % 120);
        end_line("search executed");
        counted(30, false);
        break;
      case kLoginOk:
        req_line(a, 30);
        put(out_, ",\"username\":\"");
        put(out_, email);
        put(out_, "\",\"token\":\"");
        jwt(out_, uint32_t(a.p1), uint8_t(a.p3 % std::size(kEmails)), now_ / 1000000, a.bits);
        putch(out_, '"');
        end_line("login succeeded, issued access token");
        counted(30, false);
        break;
      case kLoginFail:
        req_line(a, 40);
        put(out_, ",\"username\":\"");
        put(out_, email);
        put(out_, "\",\"password\":\"wrong-password\"");
        end_line("login failed: bad credentials");
        counted(40, false);
        break;
      case kJobEnqueued:
        req_line(a, 30);
        put(out_, ",\"jobId\":\"");
        putu(out_, job_counter_ + 1);
        put(out_, "\",\"queue\":\"emails\"");
        end_line("job enqueued");
        counted(30, false);
        spawn_job(a.req_id, a.client);  // last: it may move `a`
        break;
      case kOrderSummaryDone:
        req_line(a, 30);
        put(out_, ",\"orderId\":");
        putu(out_, a.p1);
        put(out_, ",\"items\":");
        putu(out_, a.p2);
        put(out_, ",\"total\":");
        putmoney(out_, 500 + a.bits % 50000);
        end_line("order summary computed");
        counted(30, false);
        break;
      case kReportDone:
        req_line(a, 30);
        put(out_, ",\"reportId\":");
        putu(out_, a.p1 % 100);
        put(out_, ",\"rows\":");
        putu(out_, a.bits % 5000);
        end_line("report generated");
        counted(30, false);
        break;
      case kBroadcastDone:
        req_line(a, 30);
        put(out_, ",\"channels\":[\"sms\",\"push\",\"webhook\"],\"delivered\":");
        putu(out_, 1 + a.p2 % 3);
        end_line("broadcast delivered");
        counted(30, false);
        break;
      case kOrderLoaded:
        req_line(a, 30);
        put(out_, ",\"orderId\":");
        putu(out_, a.p1);
        put(out_, a.p2 % 2 ? ",\"status\":\"shipped\"" : ",\"status\":\"pending\"");
        end_line("order loaded");
        counted(30, false);
        break;
      case kErrorLine:
        error_line(a);
        break;
      case kUnhandledLine:
        prefix(50, now_);
        put(out_,
            ",\"err\":{\"type\":\"Error\",\"message\":\"read ECONNRESET\",\"stack\":\"Error: read "
            "ECONNRESET\\n    at TCP.onStreamRead (node:internal/stream_base_commons:218:20)\","
            "\"code\":\"ECONNRESET\",\"errno\":-104,\"syscall\":\"read\",\"command\":{\"name\":"
            "\"mget\",\"args\":[\"user:");
        putu(out_, a.p1);
        put(out_, "\",\"user:");
        putu(out_, a.p1 + 1);
        put(out_, "\"]}}");
        end_line("unhandled promise rejection");
        counted(50, true);
        break;
      case kComplete:
        complete_line(a);
        break;
      case kReceived:
        req_line(a, 30);
        end_line("request received");
        counted(30, false);
        break;
      case kJobRetry:
      case kJobDone:
      case kJobFailed:
        job_line(a, s);
        break;
    }
  }

  // Stack: "Type: message" then n frames.
  template <size_t N>
  void stack(std::string_view head, const std::string_view (&list)[N], size_t n) {
    put(out_, head);
    frames(out_, list, n);
  }
  uint32_t frame_count() { return rng_.between(6, 12); }

  void error_line(const Actor& a) {
    const int level = a.failure == kPoolFatal ? 60 : 50;
    req_line(a, level);
    switch (a.failure) {
      case kTypeError: {
        static constexpr std::string_view app[] = {
            "computeSummary (/srv/app/src/services/orders.js:88:46)",
            "/srv/app/src/routes/orders.js:41:22",
            kRouterFrames[0],
            kRouterFrames[1],
            kRouterFrames[2],
            kRouterFrames[3],
            kRouterFrames[4],
            kRouterFrames[5],
            kRouterFrames[6],
            kRouterFrames[8],
            kRouterFrames[9],
            kRouterFrames[10],
        };
        put(out_,
            ",\"err\":{\"type\":\"TypeError\",\"message\":\"Cannot read properties of undefined "
            "(reading 'total')\",\"stack\":\"");
        stack("TypeError: Cannot read properties of undefined (reading 'total')", app,
              frame_count());
        put(out_, "\"}");
        end_line("Cannot read properties of undefined (reading 'total')");
        break;
      }
      case kCauseChain: {
        static constexpr std::string_view outer[] = {
            "ReportService.generate (/srv/app/src/services/reports.js:61:13)",
            "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
            "async /srv/app/src/routes/reports.js:22:20",
            "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
            "async Promise.all (index 0)",
            "async ReportScheduler.run (/srv/app/src/services/scheduler.js:44:9)",
        };
        static constexpr std::string_view middle[] = {
            "Client.query (/srv/app/src/db/client.js:88:13)",
            "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
            "async ReportService.rows (/srv/app/src/services/reports.js:40:18)",
            "async ReportService.generate (/srv/app/src/services/reports.js:57:20)",
        };
        static constexpr std::string_view inner[] = {
            "TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)",
        };
        const bool two = a.bits % 2 == 0;
        const uint32_t total = frame_count();
        const uint32_t mid_n = two ? 2 + uint32_t(a.bits2 % 3) : 0;
        const uint32_t in_n = 1;
        const uint32_t out_n = std::max<uint32_t>(2, total - mid_n - in_n);
        put(out_, ",\"err\":{\"type\":\"Error\",\"message\":\"report ");
        putu(out_, a.p1 % 100);
        put(out_, " generation failed: ");
        if (two) put(out_, "SELECT on table \\\"report_rows\\\" failed: ");
        put(out_, "connect ECONNREFUSED 10.0.3.17:5432\",\"stack\":\"Error: report ");
        putu(out_, a.p1 % 100);
        put(out_, " generation failed");
        frames(out_, outer, out_n);
        if (two) {
          put(out_, "\\ncaused by: DatabaseError: SELECT on table \\\"report_rows\\\" failed");
          frames(out_, middle, mid_n);
        }
        put(out_, "\\ncaused by: Error: connect ECONNREFUSED 10.0.3.17:5432");
        frames(out_, inner, in_n);
        put(out_, "\"}");
        put(out_, ",\"msg\":\"report ");
        putu(out_, a.p1 % 100);
        put(out_, " generation failed\"}\n");
        break;
      }
      case kPaymentTimeout: {
        static constexpr std::string_view list[] = {
            "Timeout._onTimeout (/srv/app/src/payments/acme.js:74:11)",
            "listOnTimeout (node:internal/timers:581:17)",
            "process.processTimers (node:internal/timers:519:7)",
            "async AcmePayClient.charge (/srv/app/src/payments/acme.js:52:20)",
            "async PaymentService.capture (/srv/app/src/services/payments.js:33:18)",
            "async /srv/app/src/routes/payments.js:41:22",
            "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
            "async withRetry (/srv/app/src/lib/retry.js:18:14)",
            "async PaymentService.captureWithRetry (/srv/app/src/services/payments.js:61:12)",
            "async /srv/app/src/routes/payments.js:38:5",
            "async Promise.all (index 0)",
            "async Checkout.submit (/srv/app/src/services/checkout.js:90:3)",
        };
        put(out_,
            ",\"err\":{\"type\":\"PaymentTimeoutError\",\"message\":\"payment provider acme-pay "
            "did "
            "not respond within 3000ms\",\"stack\":\"");
        stack("PaymentTimeoutError: payment provider acme-pay did not respond within 3000ms", list,
              frame_count());
        put(out_,
            "\",\"name\":\"PaymentTimeoutError\",\"code\":\"PAYMENT_TIMEOUT\",\"status\":504,"
            "\"provider\":\"acme-pay\",\"timeoutMs\":3000,\"paymentId\":\"pay_");
        puthex(out_, a.bits, 16);
        put(out_, "\",\"amount\":");
        putmoney(out_, 100 + a.p1 % 200000);
        put(out_, ",\"currency\":\"");
        put(out_, kCurrencies[a.p2 % std::size(kCurrencies)]);
        put(out_, "\",\"retryable\":true}");
        end_line("payment provider acme-pay did not respond within 3000ms");
        break;
      }
      case kAggregate:
        put(out_,
            ",\"err\":{\"type\":\"AggregateError\",\"message\":\"All promises were rejected\","
            "\"stack\":\"AggregateError: All promises were rejected\",\"aggregateErrors\":["
            "{\"type\":\"Error\",\"message\":\"sms gateway timeout\",\"stack\":\"Error: sms "
            "gateway "
            "timeout\\n    at /srv/app/src/notify/sms.js:63:37\\n    at runNextTicks "
            "(node:internal/process/task_queues:60:5)\\n    at process.processTimers "
            "(node:internal/timers:516:9)\\n    at async Promise.any (index 0)\\n    at async "
            "/srv/app/src/routes/notifications.js:67:13\",\"code\":\"ETIMEDOUT\",\"provider\":"
            "\"sms\"},{\"type\":\"Error\",\"message\":\"push service responded 503 Service "
            "Unavailable\",\"stack\":\"Error: push service responded 503 Service Unavailable\\n    "
            "at /srv/app/src/notify/push.js:64:37\\n    at async Promise.any (index 1)\\n    at "
            "async /srv/app/src/routes/notifications.js:67:13\",\"statusCode\":503,\"provider\":"
            "\"push\"},{\"type\":\"TypeError\",\"message\":\"Cannot read properties of undefined "
            "(reading 'webhookUrl')\",\"stack\":\"TypeError: Cannot read properties of undefined "
            "(reading 'webhookUrl')\\n    at /srv/app/src/notify/webhook.js:65:61\\n    at async "
            "Promise.any (index 2)\\n    at async /srv/app/src/routes/notifications.js:67:13\"}]}");
        end_line("All promises were rejected");
        break;
      case kStock: {
        static constexpr std::string_view list[] = {
            "InventoryService.reserve (/srv/app/src/services/inventory.js:76:17)",
            "/srv/app/src/routes/inventory.js:19:31",
            kRouterFrames[0],
            kRouterFrames[1],
            kRouterFrames[2],
            kRouterFrames[3],
            kRouterFrames[4],
            kRouterFrames[5],
            kRouterFrames[6],
            kRouterFrames[8],
            kRouterFrames[9],
            kRouterFrames[10],
        };
        put(out_, ",\"err\":{\"type\":\"Error\",\"message\":\"insufficient stock for OOS-");
        putu(out_, a.p1 % 10000);
        put(out_, "\",\"stack\":\"Error: insufficient stock for OOS-");
        putu(out_, a.p1 % 10000);
        frames(out_, list, frame_count());
        put(out_, "\",\"code\":\"E_INSUFFICIENT_STOCK\",\"status\":409,\"sku\":\"OOS-");
        putu(out_, a.p1 % 10000);
        put(out_, "\",\"requested\":");
        putu(out_, a.p2);
        put(out_,
            ",\"available\":0,\"warehouse\":\"eu-west-1a\",\"details\":{\"reservedBy\":[\"ord-");
        putu(out_, 8000 + a.bits % 1000);
        put(out_, "\",\"ord-");
        putu(out_, 9000 + a.bits2 % 1000);
        put(out_, "\"],\"restockEta\":\"2026-12-01\"}}");
        put(out_, ",\"msg\":\"insufficient stock for OOS-");
        putu(out_, a.p1 % 10000);
        put(out_, "\"}\n");
        break;
      }
      case kPoolFatal: {
        static constexpr std::string_view list[] = {
            "/srv/app/node_modules/knex/lib/client.js:312:26",
            "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
            "async Runner.ensureConnection "
            "(/srv/app/node_modules/knex/lib/execution/runner.js:305:28)",
            "async Runner.run (/srv/app/node_modules/knex/lib/execution/runner.js:30:19)",
            "async OrderRepo.find (/srv/app/src/db/orders.js:22:17)",
            "async /srv/app/src/routes/orders.js:17:19",
            "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
            "async Promise.all (index 1)",
            "async OrderService.load (/srv/app/src/services/orders.js:31:5)",
            "async /srv/app/src/routes/orders.js:12:3",
            "async authenticate (/srv/app/src/middleware/auth.js:35:5)",
            "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
        };
        put(out_,
            ",\"err\":{\"type\":\"Error\",\"message\":\"Knex: Timeout acquiring a connection. The "
            "pool is probably full. Are you missing a .transacting(trx) call?\",\"stack\":\"");
        stack(
            "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. "
            "Are you missing a .transacting(trx) call?",
            list, frame_count());
        put(out_,
            "\",\"name\":\"KnexTimeoutError\",\"sql\":\"select * from \\\"orders\\\" where "
            "\\\"id\\\" = ?\",\"bindings\":[");
        putu(out_, a.p1);
        put(out_, "]},\"pool\":{\"size\":10,\"used\":10,\"waiting\":");
        putu(out_, 10 + a.bits % 90);
        putch(out_, '}');
        end_line("database connection pool exhausted");
        break;
      }
      case kBodySyntax: {
        static constexpr std::string_view list[] = {
            "JSON.parse (<anonymous>)",
            "parse (/srv/app/node_modules/body-parser/lib/types/json.js:93:21)",
            "/srv/app/node_modules/body-parser/lib/read.js:194:18",
            "AsyncResource.runInAsyncScope (node:async_hooks:206:9)",
            "invokeCallback (/srv/app/node_modules/raw-body/index.js:238:16)",
            "done (/srv/app/node_modules/raw-body/index.js:227:7)",
            "IncomingMessage.onEnd (/srv/app/node_modules/raw-body/index.js:287:7)",
            "IncomingMessage.emit (node:events:524:28)",
            "endReadableNT (node:internal/streams/readable:1698:12)",
            "process.processTicksAndRejections (node:internal/process/task_queues:82:21)",
        };
        put(out_,
            ",\"err\":{\"type\":\"SyntaxError\",\"message\":\"Expected double-quoted property name "
            "in JSON at position 54\",\"stack\":\"");
        stack("SyntaxError: Expected double-quoted property name in JSON at position 54", list,
              std::min<uint32_t>(frame_count(), 10));
        put(out_,
            "\",\"expose\":true,\"statusCode\":400,\"status\":400,\"body\":\"{\\\"email\\\": "
            "\\\"broken@example.com\\\", \\\"password\\\": \\\"hunter2\\\",\"}");
        end_line("Expected double-quoted property name in JSON at position 54");
        break;
      }
      case kFetch: {
        static constexpr std::string_view list[] = {
            "node:internal/deps/undici/undici:13502:13",
            "process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
            "async RatesClient.latest (/srv/app/src/clients/rates.js:27:17)",
            "async RatesCache.refresh (/srv/app/src/services/rates-cache.js:33:9)",
            "async /srv/app/src/routes/rates.js:14:19",
            "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
            "async Promise.all (index 0)",
            "async RatesCache.get (/srv/app/src/services/rates-cache.js:21:5)",
            "async /srv/app/src/routes/rates.js:10:3",
            "async authenticate (/srv/app/src/middleware/auth.js:35:5)",
            "async wrap (/srv/app/src/lib/async-handler.js:6:7)",
        };
        static constexpr std::string_view inner[] = {
            "TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)",
        };
        put(out_,
            ",\"err\":{\"type\":\"TypeError\",\"message\":\"fetch failed: connect ECONNREFUSED "
            "10.0.4.21:443\",\"stack\":\"TypeError: fetch failed");
        frames(out_, list, frame_count() - 1);
        put(out_, "\\ncaused by: Error: connect ECONNREFUSED 10.0.4.21:443");
        frames(out_, inner, 1);
        put(out_, "\"}");
        end_line("upstream rates service failed");
        break;
      }
      case kNoFailure:
      case kUnhandled:
      case kFailureCount:
        end_line("unreachable");
        break;
    }
    counted(level, true);
  }

  void complete_line(const Actor& a) {
    const bool errored = a.status >= 500;
    req_line(a, 30);
    if (a.status == 0) {
      put(out_, ",\"res\":{\"statusCode\":null,\"headers\":{\"x-powered-by\":\"Express\"}}");
    } else {
      put(out_, ",\"res\":{\"statusCode\":");
      putu(out_, a.status);
      put(out_, ",\"headers\":{\"x-powered-by\":\"Express\"");
      if (a.json_body) {
        if (a.set_cookie) {
          put(out_, ",\"set-cookie\":\"session=");
          putrand64(out_, a.bits2, 10, kB64Url);
          putrand64(out_, a.bits2 >> 7, 10, kB64Url);
          putrand64(out_, a.bits >> 3, 4, kB64Url);
          put(out_, "; Path=/; HttpOnly\"");
        }
        const uint64_t len = a.route == kHealth ? 36 : 16 + (a.bits2 >> 20) % 300;
        put(out_, ",\"content-type\":\"application/json; charset=utf-8\",\"content-length\":\"");
        putu(out_, len);
        put(out_, "\",\"etag\":\"W/\\\"");
        char hex[16];
        const auto r = std::to_chars(hex, hex + sizeof hex, len, 16);
        out_.append(hex, static_cast<size_t>(r.ptr - hex));
        putch(out_, '-');
        putrand64(out_, a.bits2, 10, kB64);
        putrand64(out_, a.bits, 10, kB64);
        putrand64(out_, a.bits >> 29, 7, kB64);
        put(out_, "\\\"\"");
      } else {
        put(out_,
            ",\"content-security-policy\":\"default-src 'none'\",\"x-content-type-options\":"
            "\"nosniff\",\"content-type\":\"text/html; charset=utf-8\",\"content-length\":");
        putu(out_, a.status == 404 ? 150 + a.p3 % 40 : 240 + a.p3 % 80);
      }
      put(out_, "}}");
    }
    if (errored) {
      put(out_, ",\"err\":{\"type\":\"Error\",\"message\":\"failed with status code ");
      putu(out_, a.status);
      put(out_, "\",\"stack\":\"Error: failed with status code ");
      putu(out_, a.status);
      put(out_, kPlaceholderStackTail);
      put(out_, "\"}");
      ++st_.errored;
    }
    put(out_, ",\"responseTime\":");
    putu(out_, a.duration / 1000);
    end_line(a.status == 0 ? "request aborted" : errored ? "request errored" : "request completed");
    counted(30, errored);
  }

  void job_line(const Actor& j, const Step& s) {
    const int level = s.what == kJobRetry ? 40 : s.what == kJobFailed ? 50 : 30;
    prefix(level, now_);
    put(out_, ",\"component\":\"worker\",\"queue\":\"emails\",\"jobId\":\"");
    putu(out_, j.p1);
    put(out_, "\",\"jobName\":\"send-welcome-email\",\"attemptsMade\":");
    putu(out_, s.arg);
    if (s.what == kJobDone) {
      put(out_, ",\"result\":{\"messageId\":\"<");
      puthex(out_, j.bits, 8);
      putch(out_, '-');
      puthex(out_, j.bits >> 32, 4);
      put(out_, "-4");
      puthex(out_, j.bits2, 3);
      putch(out_, '-');
      puthex(out_, 0x8000 | (j.bits2 >> 12 & 0x3fff), 4);
      putch(out_, '-');
      puthex(out_, j.bits2 >> 16, 12);
      put(out_, "@mailer.example.net>\"},\"duration\":");
      putu(out_, 3 + j.bits % 40);
      end_line("job completed");
      counted(30, false);
      return;
    }
    const bool bounce = j.p3 == 100;
    const std::string_view reason =
        bounce ? "550 5.1.1 <bounce-me@example.invalid>: Recipient address rejected: User unknown"
               : "Connection timeout";
    put(out_, ",\"attempts\":3,\"failedReason\":\"");
    put(out_, reason);
    put(out_, "\",\"requestId\":");
    putu(out_, j.p2);
    put(out_, ",\"data\":{\"to\":\"");
    put(out_, bounce ? "bounce-me@example.invalid" : "flaky.mx@example.org");
    put(out_, "\",\"template\":\"welcome\",\"requestId\":");
    putu(out_, j.p2);
    put(out_, "},\"err\":{\"type\":\"Error\",\"message\":\"");
    put(out_, reason);
    put(out_, "\",\"stack\":\"Error: ");
    put(out_, reason);
    put(out_, bounce ? "\\n    at processEmail (/srv/app/src/jobs/email.js:206:15)"
                     : "\\n    at processEmail (/srv/app/src/jobs/email.js:213:15)");
    if (j.bits % 2) {
      put(out_,
          "\\n    at runNextTicks (node:internal/process/task_queues:60:5)\\n    at "
          "process.processTimers (node:internal/timers:516:9)");
    }
    put(out_, "\\n    at async exec (/srv/app/src/jobs/worker.js:226:22)");
    put(out_, bounce ? "\",\"code\":\"EENVELOPE\",\"responseCode\":550,\"command\":\"RCPT TO\"}"
                     : "\",\"code\":\"ETIMEDOUT\",\"command\":\"CONN\"}");
    put(out_, ",\"msg\":\"job ");
    putu(out_, j.p1);
    put(out_, s.what == kJobRetry ? " failed, will retry\"}\n" : " failed permanently\"}\n");
    counted(level, true);
  }

  // console.log output that lands in the same stream: not JSON (one starts with '{').
  void console_line() {
    switch (rng_.below(3)) {
      case 0:
        put(out_, "cache warmup done { entries: ");
        putu(out_, rng_.between(100, 900));
        put(out_, ", ms: ");
        putu(out_, rng_.between(5, 90));
        put(out_, " }\n");
        break;
      case 1:
        put(out_, "{ userId: ");
        putu(out_, rng_.between(1, 99999));
        put(out_, ", cached: true }\n");
        break;
      default:
        put(out_, "rates refreshed at ");
        putu(out_, now_ / 1000);
        putch(out_, '\n');
        break;
    }
    ++st_.lines;
    ++st_.non_json;
    ++committed_lines_;
  }

  void listening_line() {
    prefix(30, now_);
    put(out_, ",\"port\":3000,\"node\":\"v20.20.2\",\"pino\":\"10.4.0\"");
    end_line("server listening");
    counted(30, false);
    ++committed_lines_;
  }

  void boot() {
    listening_line();
    for (uint32_t i = 0; i < nclients_; ++i) start_request(i, now_ + 1000 + think());
  }

  // An uncaught exception: fatal line, exit, restart (new pid, req ids from 1, open requests
  // and queued jobs lost).
  void restart() {
    prefix(60, now_);
    put(out_,
        ",\"err\":{\"type\":\"RangeError\",\"message\":\"ledger invariant violated: balance -12.4 "
        "< 0 for account acc_77\",\"stack\":\"RangeError: ledger invariant violated: balance "
        "-12.4 < 0 for account acc_77\\n    at Timeout._onTimeout "
        "(/srv/app/src/jobs/ledger.js:129:11)\\n    at listOnTimeout "
        "(node:internal/timers:581:17)\\n    at process.processTimers "
        "(node:internal/timers:519:7)\"},\"origin\":\"uncaughtException\"");
    end_line("uncaught exception, exiting");
    counted(60, true);
    ++committed_lines_;
    ++committed_errors_;
    ++st_.restarts;
    heap_.clear();
    for (Actor& a : actors_) {
      if (a.live && !a.job && a.wrote) --st_.open_with_lines;
      a.live = false;
    }
    actors_.resize(nclients_);
    free_jobs_.clear();
    pid_ += rng_.between(20, 400);
    req_counter_ = 0;
    now_ += 800000 + rng_.below(400000);
    boot();
  }

  const Options& opt_;
  Out& out_;
  Rng rng_;
  uint32_t scale_;
  uint32_t nclients_ = 0;
  std::string hostname_;
  uint64_t pid_ = 0;
  uint64_t now_ = 0, t0_ = 0;
  uint64_t seq_ = 0;
  uint32_t req_counter_ = 0;
  uint64_t job_counter_ = 0;
  uint64_t committed_lines_ = 0, committed_errors_ = 0;
  uint32_t job_fail_per_million_ = 0, job_retry_per_million_ = 0;
  std::vector<Client> clients_;
  std::vector<Actor> actors_;
  std::vector<uint32_t> free_jobs_;
  std::vector<Event> heap_;
  std::string scratch_, scratch2_;
  Stats st_;
};

// ---- command line ---------------------------------------------------------------------------

[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: faultline-bench-gen [options]\n"
               "  --size N            bytes to write; K/M/G suffixes are binary (default 100M)\n"
               "  --error-rate R      share of lines at level >= 50, 0..0.5 (default 0.01)\n"
               "  --seed N            PRNG seed (default 1)\n"
               "  --open-requests N   requests in flight at once (default 64; memory bench: "
               "50000)\n"
               "  --duration-scale N  stretch response times N-fold (default max(1, N/64))\n"
               "  --restart-every N   uncaught-exception crash + restart every N bytes (default "
               "0: never)\n"
               "  --received-message  pino-http customReceivedMessage: log \"request received\"\n"
               "                      when each request starts\n"
               "  --stats             print a summary to stderr\n"
               "  --out FILE          output file (default: stdout)\n");
  std::exit(code);
}

bool parse_size(std::string_view s, uint64_t& out) {
  uint64_t mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'k':
      case 'K':
        mult = 1ull << 10;
        break;
      case 'm':
      case 'M':
        mult = 1ull << 20;
        break;
      case 'g':
      case 'G':
        mult = 1ull << 30;
        break;
      default:
        break;
    }
    if (mult != 1) s.remove_suffix(1);
  }
  uint64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
  out = v * mult;
  return true;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    bool inline_value = false;
    if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    auto need = [&]() -> std::string_view {
      if (inline_value) return value;
      if (i + 1 >= argc) {
        std::fprintf(stderr, "faultline-bench-gen: %s needs a value\n", argv[i]);
        usage(2);
      }
      return argv[++i];
    };
    auto bad = [&](std::string_view v) {
      std::fprintf(stderr, "faultline-bench-gen: bad value for %.*s: %.*s\n", int(arg.size()),
                   arg.data(), int(v.size()), v.data());
      usage(2);
    };
    if (arg == "--help" || arg == "-h") {
      usage(0);
    } else if (arg == "--size") {
      const std::string_view v = need();
      if (!parse_size(v, o.size) || o.size == 0) bad(v);
    } else if (arg == "--error-rate") {
      const std::string v(need());
      char* end = nullptr;
      o.error_rate = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end || !(o.error_rate >= 0 && o.error_rate <= 0.5)) bad(v);
    } else if (arg == "--seed") {
      const std::string_view v = need();
      if (std::from_chars(v.data(), v.data() + v.size(), o.seed).ec != std::errc()) bad(v);
    } else if (arg == "--open-requests") {
      const std::string_view v = need();
      if (std::from_chars(v.data(), v.data() + v.size(), o.open_requests).ec != std::errc() ||
          o.open_requests == 0 || o.open_requests > 10000000) {
        bad(v);
      }
    } else if (arg == "--duration-scale") {
      const std::string_view v = need();
      if (std::from_chars(v.data(), v.data() + v.size(), o.duration_scale).ec != std::errc() ||
          o.duration_scale > 100000) {
        bad(v);
      }
    } else if (arg == "--restart-every") {
      const std::string_view v = need();
      if (!parse_size(v, o.restart_every)) bad(v);
    } else if (arg == "--received-message") {
      o.received = true;
    } else if (arg == "--stats") {
      o.stats = true;
    } else if (arg == "--out" || arg == "-o") {
      o.out = std::string(need());
    } else {
      std::fprintf(stderr, "faultline-bench-gen: unknown argument %s\n", argv[i]);
      usage(2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  int fd = STDOUT_FILENO;
  if (!opt.out.empty() && opt.out != "-") {
    fd = ::open(opt.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      std::fprintf(stderr, "faultline-bench-gen: %s: %s\n", opt.out.c_str(), std::strerror(errno));
      return 1;
    }
  }
  Out out(fd);
  Generator gen(opt, out);
  gen.run();
  if (fd != STDOUT_FILENO && ::close(fd) != 0) {
    std::fprintf(stderr, "faultline-bench-gen: close: %s\n", std::strerror(errno));
    return 1;
  }
  if (opt.stats) {
    const Stats& s = gen.stats();
    const double lines = s.lines ? double(s.lines) : 1.0;
    std::fprintf(stderr,
                 "faultline-bench-gen: bytes=%llu lines=%llu requests=%llu completed=%llu "
                 "error_lines=%llu (%.4f%%) fatal=%llu warn=%llu err_lines=%llu "
                 "request_errored=%llu non_json=%llu jobs=%llu restarts=%llu\n"
                 "faultline-bench-gen: open_requests=%u duration_scale=%u "
                 "open_with_lines(max=%llu avg=%.0f) request_span_lines(avg=%.0f max=%llu) "
                 "avg_response_ms=%.1f\n",
                 (unsigned long long)out.total(), (unsigned long long)s.lines,
                 (unsigned long long)s.requests, (unsigned long long)s.completed,
                 (unsigned long long)s.error_lines, 100.0 * double(s.error_lines) / lines,
                 (unsigned long long)s.fatal_lines, (unsigned long long)s.warn_lines,
                 (unsigned long long)s.err_lines, (unsigned long long)s.errored,
                 (unsigned long long)s.non_json, (unsigned long long)s.jobs,
                 (unsigned long long)s.restarts, opt.open_requests, gen.scale(),
                 (unsigned long long)s.max_open_with_lines, double(s.sum_open_with_lines) / lines,
                 s.spans ? double(s.span_lines) / double(s.spans) : 0.0,
                 (unsigned long long)s.max_span,
                 s.completed ? double(s.response_ms) / double(s.completed) : 0.0);
  }
  return 0;
}
