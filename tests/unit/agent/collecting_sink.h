// An EventSink for pipeline tests: keeps every event it is given and settles its ticket at once.
#pragma once

#include <string>
#include <vector>

#include "agent/outputs/event_sink.h"
#include "parsers/json.h"

namespace faultline::test {

class CollectingSink final : public EventSink {
 public:
  bool emit(const std::string&, const json::Value& event, uint64_t ticket) override {
    events.push_back(event);
    settle(ticket);
    return true;
  }
  std::vector<json::Value> events;
};

}  // namespace faultline::test
