#include "rules/engine.h"

#include <cstdio>

#include "rules/compiled_rule.h"

namespace faultline::rules {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

RuleEngine::RuleEngine(const RuleSet& rules, const Clock& clock)
    : rules_(rules),
      clock_(clock),
      throttles_(rules.impl().throttles),
      memos_(rules.impl().rules.size()) {
  for (const CompiledRule& r : rules_.impl().rules) stats_.push_back(RuleStats{r.label, 0, 0, 0});
}

RuleEngine::~RuleEngine() = default;

Verdict RuleEngine::apply(json::Value& event, Explain* explain) {
  if (explain) explain->clear();
  rewritten_.clear();
  Verdict verdict;
  const auto& rules = rules_.impl().rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    const CompiledRule& rule = rules[i];
    RuleTrace* trace = nullptr;
    if (explain) {
      explain->rules.push_back(RuleTrace{rule.label, rule.action_name, false, "", {}});
      trace = &explain->rules.back();
    }
    if (!rule.when.eval(event)) continue;
    ++stats_[i].matched;
    if (trace) trace->matched = true;
    std::string outcome;
    auto drop = [&](Verdict::Outcome o, std::string reason) {
      verdict.outcome = o;
      verdict.rule = rule.label;
      verdict.rule_name = rule.name;
      verdict.reason = std::move(reason);
      ++stats_[i].dropped;
    };

    if (const auto* a = std::get_if<ScrubAction>(&rule.action)) {
      size_t n = a->apply(event, trace ? &trace->fields : nullptr, &rewritten_, &memos_[i]);
      stats_[i].fields_scrubbed += n;
      if (trace) {
        for (ScrubbedField& f : trace->fields) f.reason += " (" + rule.summary + ")";
        outcome = n ? "scrubbed " + std::to_string(n) + (n == 1 ? " field" : " fields")
                    : "nothing to scrub";
      }
    } else if (const auto* a = std::get_if<DropAction>(&rule.action)) {
      drop(Verdict::Outcome::kDrop, a->reason);
      outcome = "dropped: " + a->reason;
    } else if (const auto* a = std::get_if<DropBodyAction>(&rule.action)) {
      std::vector<std::string> removed = a->apply(event);
      if (trace) {
        for (const std::string& p : removed)
          trace->fields.push_back({p, "request body (drop-body)"});
      }
      outcome = removed.empty() ? "no body" : "removed " + join(removed);
    } else if (const auto* a = std::get_if<TagAction>(&rule.action)) {
      std::vector<std::string> set = a->apply(event);
      outcome = set.empty() ? "no tag value" : "set tags " + join(set);
    } else if (const auto* a = std::get_if<UserAction>(&rule.action)) {
      std::string from = a->apply(event);
      outcome = from.empty() ? "no id found" : "set user.id from " + from;
    } else if (const auto* a = std::get_if<FingerprintAction>(&rule.action)) {
      a->apply(event);
      outcome = "set fingerprint " + rule.summary;
    } else if (const auto* a = std::get_if<SampleAction>(&rule.action)) {
      double draw = SampleAction::draw(event);
      std::string detail = "rate " + fixed(a->rate) + ", draw " + fixed(draw);
      if (draw < a->rate) {
        outcome = "kept (" + detail + ")";
      } else {
        drop(Verdict::Outcome::kSampledOut, "sampled out (" + detail + ")");
        outcome = verdict.reason;
      }
    } else if (const auto* a = std::get_if<ThrottleAction>(&rule.action)) {
      ThrottleState& state = throttles_[rule.throttle_slot];
      ThrottleState::Decision d = state.check(*a, a->key(event), clock_.now());
      if (d.pass) {
        add_suppressed_count(event, d.suppressed_before);
        outcome = "passed (" + std::to_string(d.seen_in_window) + " of " + rule.summary + ")";
        if (d.suppressed_before) {
          outcome += ", carries " + std::to_string(d.suppressed_before) + " suppressed";
        }
      } else {
        drop(Verdict::Outcome::kThrottled, "throttled (" + rule.summary + ")");
        outcome = "throttled (event " + std::to_string(d.seen_in_window) + " in the window; " +
                  rule.summary + ")";
      }
    }
    if (trace) trace->outcome = std::move(outcome);
    if (!verdict.keep()) break;
  }
  if (explain) {
    explain->verdict =
        verdict.keep() ? "kept" : "dropped by " + verdict.rule + ": " + verdict.reason;
  }
  return verdict;
}

void RuleEngine::enrich(json::Value& event) {
  rewritten_.clear();
  const auto& rules = rules_.impl().rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    const CompiledRule& rule = rules[i];
    const auto* scrub = std::get_if<ScrubAction>(&rule.action);
    const auto* drop_body = std::get_if<DropBodyAction>(&rule.action);
    const auto* tag = std::get_if<TagAction>(&rule.action);
    const auto* user = std::get_if<UserAction>(&rule.action);
    if (scrub == nullptr && drop_body == nullptr && tag == nullptr && user == nullptr) continue;
    if (!rule.when.eval(event)) continue;
    if (scrub != nullptr) {
      stats_[i].fields_scrubbed += scrub->apply(event, nullptr, &rewritten_, &memos_[i]);
    }
    if (drop_body != nullptr) drop_body->apply(event);
    if (tag != nullptr) tag->apply(event);
    if (user != nullptr) user->apply(event);
  }
}

}  // namespace faultline::rules
