#include "agent/telemetry/health.h"

namespace faultline {

Health::Health(std::chrono::milliseconds unhealthy_after, std::function<Progress()> progress)
    : unhealthy_after_(unhealthy_after), progress_(std::move(progress)) {}

void Health::set_ready(bool ready) {
  std::lock_guard<std::mutex> lock(mu_);
  ready_ = ready;
}

void Health::set_stopping() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  ready_ = false;
}

Health::Answer Health::healthy(time_point now) {
  const Progress p = progress_ ? progress_() : Progress{};
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return {false, "stopping"};
  if (p.sent != last_sent_ || p.waiting == 0) {
    last_sent_ = p.sent;
    stalled_ = false;
    return {true, "ok"};
  }
  if (!stalled_) {
    stalled_ = true;
    stalled_since_ = now;
  }
  const auto stalled_for = std::chrono::duration_cast<std::chrono::seconds>(now - stalled_since_);
  if (now - stalled_since_ < unhealthy_after_) return {true, "ok"};
  return {false, "sender stalled: " + std::to_string(p.waiting) +
                     " events waiting, none accepted for " + std::to_string(stalled_for.count()) +
                     " s"};
}

Health::Answer Health::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return {false, "stopping"};
  if (!ready_) return {false, "starting"};
  return {true, "ok"};
}

}  // namespace faultline
