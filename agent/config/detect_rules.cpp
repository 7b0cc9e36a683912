#include "agent/config/detect_rules.h"

#include <re2/re2.h>

#include <algorithm>

namespace faultline::config {

namespace {

Result<std::shared_ptr<const RE2>> compile(const YAML::Node& n, const YamlReader& r,
                                           std::string_view path) {
  std::string pattern;
  if (auto s = r.read(n, path, pattern); !s.ok()) return s;
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    return r.error(n, path, "bad RE2 pattern \"" + pattern + "\": " + re->error());
  }
  return std::shared_ptr<const RE2>(std::move(re));
}

int field_index(Config& c, const std::string& field) {
  auto& fields = c.rules.detect_fields;
  auto it = std::find(fields.begin(), fields.end(), field);
  if (it != fields.end()) return static_cast<int>(it - fields.begin());
  fields.push_back(field);
  return static_cast<int>(fields.size() - 1);
}

Status read_status(const YAML::Node& n, const YamlReader& r, std::string_view path,
                   rules::DetectRule& rule) {
  std::string text;
  if (auto s = r.read(n, path, text); !s.ok()) return s;
  int lo = 0, hi = 0;
  const size_t dash = text.find('-');
  const auto to_int = [](const std::string& s, int& out) {
    if (s.empty() || s.size() > 3) return false;
    out = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9') return false;
      out = out * 10 + (ch - '0');
    }
    return true;
  };
  const bool ok = dash == std::string::npos
                      ? to_int(text, lo) && (hi = lo, true)
                      : to_int(text.substr(0, dash), lo) && to_int(text.substr(dash + 1), hi);
  if (!ok || lo < 100 || hi > 599 || lo > hi) {
    return r.error(n, path,
                   "expected a status or range like \"503\" or \"500-599\", got \"" + text + "\"");
  }
  rule.status_min = lo;
  rule.status_max = hi;
  return Status::Ok();
}

}  // namespace

Status read_detect_rules(Config& c, const YAML::Node& list, const YamlReader& r,
                         std::string_view path, std::vector<rules::DetectRule>& out) {
  if (list.IsNull()) return Status::Ok();
  if (!list.IsSequence()) return r.error(list, path, "expected a list of rules");
  out.clear();
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string rp = std::string(path) + "[" + std::to_string(i) + "]";
    const YAML::Node item = list[i];
    if (auto s = r.check_keys(item, rp,
                              {"name", "level", "max_level", "message", "has", "status", "match"});
        !s.ok()) {
      return s;
    }
    if (!item.IsMap() || item.size() == 0)
      return r.error(item, rp, "expected a rule with conditions");
    rules::DetectRule rule;
    rule.name = "#" + std::to_string(i + 1);
    if (item["name"]) {
      if (auto s = r.read(item["name"], rp + ".name", rule.name); !s.ok()) return s;
    }
    if (item["level"]) {
      int level = 0;
      if (auto s = r.read_level(item["level"], rp + ".level", level); !s.ok()) return s;
      rule.min_level = level;
    }
    if (item["max_level"]) {
      int level = 0;
      if (auto s = r.read_level(item["max_level"], rp + ".max_level", level); !s.ok()) return s;
      rule.max_level = level;
    }
    if (item["message"]) {
      auto re = compile(item["message"], r, rp + ".message");
      if (!re.ok()) return re.status();
      rule.message = *re;
    }
    if (item["has"]) {
      std::vector<std::string> fields;
      if (auto s = r.read_list(item["has"], rp + ".has", fields); !s.ok()) return s;
      for (const std::string& f : fields) {
        if (auto keys = FieldPlan::split_path(f); !keys.ok()) {
          return r.error(item["has"], rp + ".has", keys.message());
        }
        rule.present_slots.push_back(field_index(c, f));
      }
    }
    if (item["status"]) {
      if (auto s = read_status(item["status"], r, rp + ".status", rule); !s.ok()) return s;
    }
    if (const YAML::Node match = item["match"]) {
      if (!match.IsMap()) return r.error(match, rp + ".match", "expected {field: pattern, ...}");
      for (auto it = match.begin(); it != match.end(); ++it) {
        const std::string field = it->first.Scalar();
        if (auto keys = FieldPlan::split_path(field); !keys.ok()) {
          return r.error(it->first, rp + ".match", keys.message());
        }
        auto re = compile(it->second, r, rp + ".match." + field);
        if (!re.ok()) return re.status();
        rule.matches.push_back({field_index(c, field), *re});
      }
    }
    out.push_back(std::move(rule));
  }
  return Status::Ok();
}

Status bind_detect_fields(Config& c, RecordSchema& schema) {
  std::vector<int> slots;
  for (const std::string& field : c.rules.detect_fields) {
    auto slot = schema.add_field(field);
    if (!slot.ok()) {
      return Status::Error(c.file + ": rules.detect: " + slot.message());
    }
    slots.push_back(*slot);
  }
  for (auto* list : {&c.rules.detect.include, &c.rules.detect.exclude}) {
    for (rules::DetectRule& rule : *list) {
      for (int& s : rule.present_slots) s = slots[static_cast<size_t>(s)];
      for (auto& m : rule.matches) m.slot = slots[static_cast<size_t>(m.slot)];
    }
  }
  return Status::Ok();
}

}  // namespace faultline::config
