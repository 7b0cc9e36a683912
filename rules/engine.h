// Applies a RuleSet to Sentry events, one at a time, in rule order: each rule whose `when:` holds
// runs its action; a drop, a sample that misses or a throttle that is full ends the run with the
// event dropped. docs/rules.md describes every action.
//
// A RuleEngine holds the per-pipeline state — throttle windows and per-rule counters — so it is
// owned by one pipeline thread and is not thread-safe; several engines may share one RuleSet.
// apply() cannot fail on configuration (everything was validated when the RuleSet compiled) and
// does not throw.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/clock.h"
#include "parsers/json.h"
#include "rules/explain.h"
#include "rules/rule_set.h"
#include "rules/throttle.h"

namespace faultline::rules {

class ScrubMemo;

struct Verdict {
  enum class Outcome : uint8_t { kKeep, kDrop, kSampledOut, kThrottled };
  Outcome outcome = Outcome::kKeep;
  std::string rule;       // the label of the rule that dropped the event; empty when kept
  std::string rule_name;  // its name (else its path): shorter, for metrics
  std::string reason;  // e.g. "health check", "sampled out (rate 0.1)", "throttled (max 10 per 1m)"

  bool keep() const { return outcome == Outcome::kKeep; }
};

// Counters per rule, for metrics (faultline_rule_*); indices follow RuleSet::labels().
struct RuleStats {
  std::string rule;
  uint64_t matched = 0;          // `when:` held
  uint64_t dropped = 0;          // drop, sampled out or throttled by this rule
  uint64_t fields_scrubbed = 0;  // scrub: fields rewritten
};

class RuleEngine {
 public:
  // `clock` must outlive the engine (throttle windows run on its monotonic now()); the RuleSet
  // is shared (copied cheaply).
  RuleEngine(const RuleSet& rules, const Clock& clock);
  ~RuleEngine();
  RuleEngine(const RuleEngine&) = delete;
  RuleEngine& operator=(const RuleEngine&) = delete;

  // Runs every rule on `event` (modified in place: scrubbed, tagged, fingerprinted...). When
  // `explain` is not null it is cleared and filled with what each rule did. A dropped event may
  // have been partly modified; do not send it.
  Verdict apply(json::Value& event, Explain* explain);

  // For an event that reports no error (a transaction): only the rules that rewrite an event run
  // (scrub, drop-body, tag, user), each where its `when:` holds; drop, sample, throttle and
  // fingerprint are about error reports and are skipped. Scrubbed fields are counted in stats().
  void enrich(json::Value& event);

  const std::vector<RuleStats>& stats() const { return stats_; }
  const RuleSet& rules() const { return rules_; }

 private:
  RuleSet rules_;
  const Clock& clock_;
  std::vector<ThrottleState> throttles_;
  std::vector<RuleStats> stats_;
  std::unordered_set<std::string> rewritten_;  // reused per apply(); see ScrubAction::apply
  std::vector<ScrubMemo> memos_;               // by rule index; used by scrub rules only
};

}  // namespace faultline::rules
