#include "agent/pipeline/rule_drop_tally.h"

#include <vector>

namespace faultline {

namespace {

const char* reason_of(rules::Verdict::Outcome outcome) {
  switch (outcome) {
    case rules::Verdict::Outcome::kSampledOut:
      return "sample";
    case rules::Verdict::Outcome::kThrottled:
      return "throttle";
    default:
      return "filter";
  }
}

}  // namespace

void RuleDropTally::count(const rules::Verdict& dropped) {
  ++counts_[{dropped.rule_name, reason_of(dropped.outcome)}];
  std::vector<Registry::Sample> series;
  series.reserve(counts_.size());
  for (const auto& [key, n] : counts_) {
    series.push_back(
        {Registry::label("rule", key.first) + "," + Registry::label("reason", key.second),
         static_cast<double>(n)});
  }
  board_.publish(std::move(series));
}

}  // namespace faultline
