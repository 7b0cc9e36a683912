#include "agent/delivery/retry_policy.h"

#include <algorithm>

namespace faultline::delivery {

Verdict classify(const Response& response) {
  switch (response.kind) {
    case Response::Kind::kAborted:
      return Verdict::kAborted;
    case Response::Kind::kNetworkError:
      return Verdict::kRetry;
    case Response::Kind::kHttp:
      break;
  }
  const int status = response.status;
  if (status >= 200 && status < 300) return Verdict::kAccepted;
  if (status == 429) return Verdict::kRateLimited;
  if (status == 408 || (status >= 500 && status < 600)) return Verdict::kRetry;
  return Verdict::kDrop;
}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(std::max(initial, std::chrono::milliseconds(1))), max_(std::max(max, initial_)) {}

std::chrono::milliseconds Backoff::ceiling(int attempt) const {
  std::chrono::milliseconds ceiling = initial_;
  for (int i = 1; i < attempt && ceiling < max_; ++i) ceiling *= 2;
  return std::min(ceiling, max_);
}

std::chrono::milliseconds Backoff::delay(int attempt, double unit) const {
  unit = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(ceiling(attempt).count()) * unit));
}

}  // namespace faultline::delivery
