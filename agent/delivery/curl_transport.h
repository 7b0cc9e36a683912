// The libcurl Transport: one easy handle per instance, reused for every request so that the
// connection (and its TLS session) stays alive between envelopes.
//
// Each request: POST with the given headers plus an emptied `Expect:` (no 100-continue round
// trip); connect and total timeouts; TLS peer and host verification on unless the config turned
// them off (Options::tls_verify, logged at open); an optional CA file / directory; an HTTP(S)
// proxy from the config, or else from the environment as libcurl reads it (http_proxy,
// https_proxy / HTTPS_PROXY, all_proxy / ALL_PROXY, no_proxy / NO_PROXY; libcurl deliberately
// ignores upper-case HTTP_PROXY). Redirects are not followed. The response headers Retry-After,
// X-Sentry-Rate-Limits and X-Sentry-Error are captured, and the first few hundred bytes of the
// body. The abort flag is polled by curl's progress callback (at least once per second, more often
// while data moves), so a shutdown interrupts a transfer in progress.
//
// libcurl is loaded, and the handles made, by the first send() (curl_library.h), so an agent that
// never sends never loads it. When it cannot be loaded, every send() is a network error that says
// why: the sender retries with backoff and the events wait in the spool.
//
// Not thread-safe: one instance per sender worker.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "agent/delivery/curl_library.h"
#include "agent/delivery/transport.h"
#include "base/status.h"

namespace faultline::delivery {

struct CurlOptions {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{30000};  // the whole transfer
  bool tls_verify = true;
  std::string ca_file;  // PEM bundle; "" = libcurl's default
  std::string ca_path;  // OpenSSL hashed directory; "" = libcurl's default
  std::string proxy;    // "" = from the environment; e.g. "http://proxy:3128"
};

class CurlTransport final : public Transport {
 public:
  // `abort` outlives the transport. Touches no libcurl yet: never fails.
  static Result<std::unique_ptr<Transport>> create(const CurlOptions& options,
                                                   const std::atomic<bool>& abort);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Response send(const Request& request) override;

 private:
  CurlTransport(const CurlOptions& options, const std::atomic<bool>& abort);
  Status open();  // loads libcurl and makes the handles, once
  int perform();  // a CURLcode

  const CurlLibrary* curl_ = nullptr;  // set by open()
  CURL* handle_ = nullptr;
  // A transfer runs in a multi handle so that an abort ends it within one poll (a tenth of a
  // second) rather than at curl's next progress call (up to a second). It also holds the
  // connection cache that keep-alive reuses.
  CURLM* multi_ = nullptr;
  CurlOptions options_;
  const std::atomic<bool>& abort_;
};

// A TransportFactory that makes CurlTransports with `options`.
TransportFactory curl_transport_factory(CurlOptions options);

}  // namespace faultline::delivery
