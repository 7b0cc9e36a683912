// The HTTP edge of delivery, as an interface: one request out, one response (or failure) back.
// The sender owns one Transport per worker thread; the libcurl implementation is in
// curl_transport.h and tests substitute their own.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace faultline::delivery {

// An envelope ready to post. Built by build_request() (envelope.h); plain data.
struct Request {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // possibly gzip-compressed (see headers)
};

struct Response {
  enum class Kind {
    kHttp,          // a complete HTTP response: `status` and the headers below are set
    kNetworkError,  // no complete response: DNS, connect, TLS, timeout, reset, truncated body
    kAborted,       // stopped by the abort flag (shutdown); the outcome is unknown
  };
  Kind kind = Kind::kNetworkError;
  int status = 0;
  std::string retry_after;   // Retry-After, empty when absent
  std::string rate_limits;   // X-Sentry-Rate-Limits, empty when absent
  std::string sentry_error;  // X-Sentry-Error, empty when absent
  std::string body;          // the start of the response body, for logs (bounded)
  std::string error;         // what failed, for kNetworkError / kAborted; never holds the DSN key
};

// Not required to be thread-safe: each instance is used by one thread at a time.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Response send(const Request& request) = 0;
};

// Makes one transport per sender worker. `abort` outlives every transport made with it; when it
// becomes true, a send() in progress should return kAborted promptly.
using TransportFactory =
    std::function<Result<std::unique_ptr<Transport>>(const std::atomic<bool>& abort)>;

}  // namespace faultline::delivery
