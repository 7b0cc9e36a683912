// A loopback stand-in for Sentry's envelope endpoint, for tests of delivery and of the faultline
// binary. It records every request (gzip bodies decompressed, envelope headers and items parsed)
// and answers from a script: "200", "fail the next N with 500", "429 with Retry-After: 2",
// "X-Sentry-Rate-Limits", "413", "answer after 3 s", "drop the connection" — plus a TLS mode
// serving a certificate from a CA the test makes (TestPki).
//
//   faultline::testing::Receiver rx;            // http://127.0.0.1:<random port>
//   rx.push(Reply::status_only(500), 3);         // the next 3 requests get 500, then the default
//   … run something with rx.dsn() …
//   REQUIRE(rx.wait_for_accepted(5));
//   REQUIRE(rx.accepted_event_ids().size() == 5);
//
// It listens on 127.0.0.1 only (on a port the kernel picks, or the one given to on_port()), and
// stops in its destructor (a delayed reply is cut short). Declare it before whatever sends to it,
// so the sender goes first: an open keep-alive connection holds the destructor up to 2 s.
// Every method is thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "parsers/json.h"

namespace httplib {
class Server;
}

namespace faultline::testing {

struct EnvelopeItem {
  json::Value header;   // the item header object
  std::string payload;  // raw bytes
};

// A parsed envelope (Sentry's grammar: header line, then items with or without `length`).
struct Envelope {
  json::Value header;  // the envelope header object
  std::vector<EnvelopeItem> items;
  std::string event_id() const;  // header "event_id", or ""
};

// Parses envelope bytes; the error says what was malformed and at which byte.
Result<Envelope> parse_envelope(std::string_view bytes);
// Inflates gzip or zlib data.
Result<std::string> gunzip(std::string_view data);

struct ReceivedRequest {
  size_t index = 0;                            // arrival order, from 0
  std::string method;                          // "POST"
  std::string target;                          // as sent: a path, or an absolute URL via a proxy
  std::map<std::string, std::string> headers;  // names lower-cased
  bool gzip = false;                           // Content-Encoding: gzip was sent
  std::string envelope;                        // the body, decompressed
  bool parsed = false;
  std::string parse_error;
  Envelope parsed_envelope;
  std::chrono::steady_clock::time_point received_at;  // when its body had been read
  int remote_port = 0;   // the client's port: equal ports = one reused connection
  int reply_status = 0;  // what was answered; 0 = the connection was dropped

  std::string header(std::string_view lower_name) const;  // "" when absent
  std::string event_id() const { return parsed_envelope.event_id(); }
};

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                    // empty with 2xx: {"id":"<event_id>"}
  std::chrono::milliseconds delay{0};  // wait before answering
  bool drop_connection = false;        // send a status line and headers, then close mid-body

  static Reply ok() { return Reply{}; }
  static Reply status_only(int status);
  static Reply retry_after(int status, std::string value);   // e.g. (429, "2")
  static Reply rate_limits(int status, std::string header);  // X-Sentry-Rate-Limits
  static Reply slow(std::chrono::milliseconds delay, int status = 200);
  static Reply drop();
};

class Receiver {
 public:
  struct Tls {
    std::string cert_pem;  // the server's certificate (chain), PEM
    std::string key_pem;   // its private key, PEM
  };

  Receiver();                         // plain HTTP on a port the kernel picks
  explicit Receiver(const Tls& tls);  // HTTPS on a port the kernel picks
  // Plain HTTP on a given port (e.g. the one an earlier Receiver had, to end an "outage").
  static std::unique_ptr<Receiver> on_port(int port);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  int port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT" or "https://…"
  std::string dsn(std::string_view key = "0123456789abcdef0123456789abcdef",
                  std::string_view project = "42") const;

  // The reply for requests when the script is empty (initially Reply::ok()).
  void set_default(Reply reply);
  // Appends `times` copies of `reply` to the script; each request consumes the first.
  void push(Reply reply, int times = 1);

  std::vector<ReceivedRequest> requests() const;
  std::vector<ReceivedRequest> accepted() const;  // answered 2xx
  size_t request_count() const;
  std::multiset<std::string> accepted_event_ids() const;
  // Real-time waits for the counts to reach `n`; false on timeout.
  bool wait_for_requests(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool wait_for_accepted(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  struct OnPort {};
  Receiver(OnPort, int port);
  void start(std::unique_ptr<httplib::Server> server, int port);

  bool tls_ = false;
  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable changed_;        // a request arrived, or stopping
  bool stopping_ = false;                  // guarded by mu_
  Reply default_;                          // guarded by mu_
  std::deque<Reply> script_;               // guarded by mu_
  std::vector<ReceivedRequest> requests_;  // guarded by mu_
};

// A throwaway certificate authority and a server certificate it signed, made with OpenSSL in
// memory: valid from an hour ago for a day, for IP 127.0.0.1 and DNS localhost. PEM strings.
struct TestPki {
  std::string ca_cert_pem;
  std::string server_cert_pem;
  std::string server_key_pem;

  static TestPki make();
};

}  // namespace faultline::testing
