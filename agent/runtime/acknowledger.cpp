#include "agent/runtime/acknowledger.h"

#include <algorithm>

namespace faultline::runtime {

SourceId Acknowledger::open_source(std::string name) {
  const SourceId id = pipeline_.open_source(std::move(name));
  sources_.push_back(Progress{id, 0, 0});
  return id;
}

Acknowledger::Progress* Acknowledger::find(SourceId id) {
  // The source just read is almost always the last one opened.
  for (auto it = sources_.rbegin(); it != sources_.rend(); ++it) {
    if (it->id == id) return &*it;
  }
  return nullptr;
}

void Acknowledger::on_line(SourceId source, const Line& line) {
  pipeline_.on_line(source, line);
  if (Progress* p = find(source)) p->end = std::max(p->end, line.end);
  if (++since_ack_ >= kLinesPerAck) acknowledge();
}

void Acknowledger::on_idle() {
  pipeline_.on_idle();
  acknowledge();
}

void Acknowledger::acknowledge() {
  since_ack_ = 0;
  for (Progress& p : sources_) {
    uint64_t safe = p.end;
    if (auto unsafe = pipeline_.oldest_unsafe(p.id)) safe = std::min(safe, *unsafe);
    if (safe > p.acked) {
      p.acked = safe;
      input_.acknowledge(p.id, safe);
    }
  }
}

}  // namespace faultline::runtime
