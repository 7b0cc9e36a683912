#include "agent/pipeline/ack_tracker.h"

namespace faultline {

uint64_t AckTracker::issue(uint32_t source, uint64_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t ticket = next_++;
  open_.emplace(ticket, Open{source, offset});
  if (by_source_.size() <= source) by_source_.resize(source + 1);
  ++by_source_[source][offset];
  return ticket;
}

void AckTracker::settled(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(ticket);
  if (it == open_.end()) return;  // 0, or settled twice: nothing was waiting for it
  auto& offsets = by_source_[it->second.source];
  auto at = offsets.find(it->second.offset);
  if (--at->second == 0) offsets.erase(at);
  open_.erase(it);
}

std::optional<uint64_t> AckTracker::oldest(uint32_t source) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (source >= by_source_.size() || by_source_[source].empty()) return std::nullopt;
  return by_source_[source].begin()->first;
}

size_t AckTracker::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_.size();
}

}  // namespace faultline
