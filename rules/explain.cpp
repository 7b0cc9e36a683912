#include "rules/explain.h"

#include <algorithm>

namespace faultline::rules {

std::string Explain::to_text(bool only_matched) const {
  std::string out;
  size_t width = 0;
  for (const RuleTrace& r : rules) {
    for (const ScrubbedField& f : r.fields) width = std::max(width, f.path.size());
  }
  for (const RuleTrace& r : rules) {
    if (only_matched && !r.matched) continue;
    out += "  ";
    out += r.rule;
    out += " [";
    out += r.action;
    out += "]: ";
    out += r.matched ? r.outcome : std::string("no match");
    out += '\n';
    for (const ScrubbedField& f : r.fields) {
      out += "      ";
      out += f.path;
      out.append(width + 2 - f.path.size(), ' ');
      out += f.reason;
      out += '\n';
    }
  }
  out += "  => ";
  out += verdict.empty() ? std::string("kept") : verdict;
  out += '\n';
  return out;
}

}  // namespace faultline::rules
