#include "agent/runtime/acknowledger.h"

#include <algorithm>

namespace faultline::runtime {

SourceId Acknowledger::open_source(std::string name, std::string_view first_line) {
  const SourceId id = pipeline_.open_source(std::move(name), first_line);
  if (sources_.size() <= id) sources_.resize(id + 1);
  sources_[id] = Progress{true, true, 0, 0};
  return id;
}

void Acknowledger::close_source(SourceId source) {
  if (source < sources_.size()) sources_[source].open = false;
  pipeline_.close_source(source);
}

void Acknowledger::on_line(SourceId source, const Line& line) {
  pipeline_.on_line(source, line);
  if (source < sources_.size()) sources_[source].end = std::max(sources_[source].end, line.end);
  if (++since_ack_ >= kLinesPerAck) acknowledge();
}

void Acknowledger::on_idle() {
  // Cleared first: a signal that comes during this call rings again and is seen next time.
  if (wakeup_ != nullptr) wakeup_->clear();
  pipeline_.on_idle();
  acknowledge();
}

std::optional<std::chrono::milliseconds> Acknowledger::idle_timeout() const {
  // Lines handed over and not yet acknowledged: as soon as the input has nothing to read.
  if (since_ack_ > 0) return std::chrono::milliseconds(0);
  return earliest(pipeline_.idle_timeout(), heartbeat_every_);
}

void Acknowledger::acknowledge() {
  since_ack_ = 0;
  if (heartbeat_) heartbeat_();
  for (SourceId id = 0; id < sources_.size(); ++id) {
    Progress& p = sources_[id];
    if (!p.mine || !p.open) continue;
    uint64_t safe = p.end;
    if (auto unsafe = pipeline_.oldest_unsafe(id)) safe = std::min(safe, *unsafe);
    if (safe > p.acked) {
      p.acked = safe;
      input_.acknowledge(id, safe);
    }
  }
}

}  // namespace faultline::runtime
