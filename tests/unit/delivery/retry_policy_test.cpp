#include <catch2/catch.hpp>

#include "agent/delivery/retry_policy.h"

using namespace faultline::delivery;
using std::chrono::milliseconds;

namespace {
Response http(int status) {
  Response r;
  r.kind = Response::Kind::kHttp;
  r.status = status;
  return r;
}
}  // namespace

TEST_CASE("retry policy: verdict by response", "[retry]") {
  for (int s : {200, 201, 202, 299}) CHECK(classify(http(s)) == Verdict::kAccepted);
  CHECK(classify(http(429)) == Verdict::kRateLimited);
  for (int s : {408, 500, 502, 503, 504, 599}) CHECK(classify(http(s)) == Verdict::kRetry);
  for (int s : {400, 401, 403, 404, 413, 415, 499, 100, 301, 302, 304, 600}) {
    INFO(s);
    CHECK(classify(http(s)) == Verdict::kDrop);
  }
  Response network;
  network.kind = Response::Kind::kNetworkError;
  CHECK(classify(network) == Verdict::kRetry);
  Response aborted;
  aborted.kind = Response::Kind::kAborted;
  CHECK(classify(aborted) == Verdict::kAborted);
}

TEST_CASE("retry policy: the default ceilings double from 1 s and stop at 5 min", "[retry]") {
  const Backoff backoff;
  const std::vector<int64_t> expected = {1000,  2000,   4000,   8000,   16000,  32000,
                                         64000, 128000, 256000, 300000, 300000, 300000};
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(backoff.ceiling(static_cast<int>(i + 1)) == milliseconds(expected[i]));
  }
  CHECK(backoff.ceiling(0) == milliseconds(1000));
  CHECK(backoff.ceiling(1000000) == milliseconds(300000));
}

TEST_CASE("retry policy: full jitter spans [0, ceiling]", "[retry]") {
  const Backoff backoff(milliseconds(100), milliseconds(1000));
  CHECK(backoff.delay(1, 0.0) == milliseconds(0));
  CHECK(backoff.delay(1, 1.0) == milliseconds(100));
  CHECK(backoff.delay(3, 0.5) == milliseconds(200));
  CHECK(backoff.delay(10, 1.0) == milliseconds(1000));
  CHECK(backoff.delay(10, 7.0) == milliseconds(1000));  // out-of-range randomness is clamped
  CHECK(backoff.delay(10, -1.0) == milliseconds(0));
}
