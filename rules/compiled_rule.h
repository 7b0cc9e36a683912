// The compiled form of one rule and of a whole RuleSet, shared between the compiler
// (rule_compiler.cpp) and the engine (engine.cpp). Internal to rules/; immutable once built.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "rules/actions.h"
#include "rules/condition.h"
#include "rules/rule_set.h"
#include "rules/scrub.h"
#include "rules/throttle.h"

namespace faultline::rules {

struct CompiledRule {
  std::string label;     // what explain and verdicts call the rule
  std::string name;      // its `name:`, else its path (rules.list[0]): metrics' rule label
  std::string location;  // file:line:col of the rule
  std::string action_name;
  Condition when;
  std::variant<ScrubAction, DropAction, DropBodyAction, TagAction, UserAction, FingerprintAction,
               SampleAction, ThrottleAction>
      action;
  size_t throttle_slot = 0;  // index into the engine's throttle states (throttle only)
  std::string summary;       // what explain says the action does (templates, never values)
};

struct RuleSet::Impl {
  std::vector<CompiledRule> rules;
  std::vector<std::string> presets;
  size_t throttles = 0;
};

}  // namespace faultline::rules
