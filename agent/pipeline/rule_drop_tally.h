// Counts the events rules dropped, by rule and reason, and publishes the counts as the series of
// faultline_events_dropped_by_rules_total{rule,reason}. Reasons: "filter" (drop), "sample"
// (sampled out), "throttle". A rule renamed or removed by a reload keeps its series: counters
// never go down while the process lives.
//
// Pipeline thread only; the board it publishes to is read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "agent/telemetry/series_board.h"
#include "rules/engine.h"

namespace faultline {

class RuleDropTally {
 public:
  explicit RuleDropTally(SeriesBoard& board) : board_(board) {}
  void count(const rules::Verdict& dropped);

 private:
  SeriesBoard& board_;
  std::map<std::pair<std::string, std::string>, uint64_t> counts_;  // (rule, reason) → drops
};

}  // namespace faultline
