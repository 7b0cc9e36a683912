#include "rules/detect/detect_compiler.h"

#include <re2/re2.h>

#include <algorithm>

#include "parsers/field_plan.h"
#include "rules/detect/record_yaml.h"

namespace faultline::rules {

namespace {

const std::vector<std::string_view> kSectionKeys = {"min_level",   "err_floor", "status_5xx",
                                                    "job_retries", "include",   "exclude"};
const std::vector<std::string_view> kRuleKeys = {"name", "level",  "max_level", "message",
                                                 "has",  "status", "match"};

std::shared_ptr<const RE2> compile_re(yaml::Reader& r, const yaml::Node& n, std::string_view path) {
  auto pattern = r.text(n, path, "an RE2 pattern");
  if (!pattern) return nullptr;
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(*pattern, options);
  if (!re->ok()) {
    r.error(n, path, "bad RE2 pattern \"" + *pattern + "\": " + re->error());
    return nullptr;
  }
  return re;
}

int field_index(std::vector<std::string>& fields, const std::string& field) {
  auto it = std::find(fields.begin(), fields.end(), field);
  if (it != fields.end()) return static_cast<int>(it - fields.begin());
  fields.push_back(field);
  return static_cast<int>(fields.size() - 1);
}

// "503" or "500-599".
bool read_status(yaml::Reader& r, const yaml::Node& n, std::string_view path, DetectRule& rule) {
  auto text = r.text(n, path, "a status or range like \"503\" or \"500-599\"");
  if (!text) return false;
  const auto to_int = [](const std::string& s, int& out) {
    if (s.empty() || s.size() > 3) return false;
    out = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9') return false;
      out = out * 10 + (ch - '0');
    }
    return true;
  };
  int lo = 0, hi = 0;
  const size_t dash = text->find('-');
  const bool ok = dash == std::string::npos
                      ? to_int(*text, lo) && (hi = lo, true)
                      : to_int(text->substr(0, dash), lo) && to_int(text->substr(dash + 1), hi);
  if (!ok || lo < 100 || hi > 599 || lo > hi) {
    r.error(
        n, path,
        "expected a status or range like \"503\" or \"500-599\", got " + yaml::Reader::describe(n));
    return false;
  }
  rule.status_min = lo;
  rule.status_max = hi;
  return true;
}

bool compile_rule(yaml::Reader& r, const yaml::Node& item, const std::string& path, size_t index,
                  std::vector<std::string>& fields, DetectRule& rule) {
  if (!r.check_keys(item, path, kRuleKeys)) return false;
  if (!item.is_map() || item.size() == 0) {
    r.error(item, path, "expected a rule with conditions, got " + yaml::Reader::describe(item));
    return false;
  }
  bool ok = true;
  rule.name = "#" + std::to_string(index + 1);
  if (const yaml::Node& n = item["name"]; n.defined()) {
    if (auto name = r.text(n, yaml::join_path(path, "name"), "a name")) {
      rule.name = *name;
    } else {
      ok = false;
    }
  }
  if (const yaml::Node& n = item["level"]; n.defined()) {
    rule.min_level = read_level(r, n, yaml::join_path(path, "level"));
    ok = rule.min_level.has_value() && ok;
  }
  if (const yaml::Node& n = item["max_level"]; n.defined()) {
    rule.max_level = read_level(r, n, yaml::join_path(path, "max_level"));
    ok = rule.max_level.has_value() && ok;
  }
  if (const yaml::Node& n = item["message"]; n.defined()) {
    rule.message = compile_re(r, n, yaml::join_path(path, "message"));
    ok = rule.message != nullptr && ok;
  }
  if (const yaml::Node& n = item["has"]; n.defined()) {
    if (auto list = read_key_paths(r, n, yaml::join_path(path, "has"))) {
      for (const std::string& f : *list) rule.present_slots.push_back(field_index(fields, f));
    } else {
      ok = false;
    }
  }
  if (const yaml::Node& n = item["status"]; n.defined()) {
    ok = read_status(r, n, yaml::join_path(path, "status"), rule) && ok;
  }
  if (const yaml::Node& match = item["match"]; match.defined()) {
    const std::string mpath = yaml::join_path(path, "match");
    if (!match.is_map()) {
      r.error(match, mpath, "expected {field: pattern, ...}, got " + yaml::Reader::describe(match));
      return false;
    }
    for (const yaml::Node::Entry& e : match.entries()) {
      const std::string& field = e.key.text();
      if (auto keys = FieldPlan::split_path(field); !e.key.is_scalar() || !keys.ok()) {
        r.error(e.key, mpath,
                "expected a key path like req.id or a[\"x.y\"], got " +
                    (e.key.is_scalar() ? keys.message() : yaml::Reader::describe(e.key)));
        ok = false;
        continue;
      }
      auto re = compile_re(r, e.value, yaml::join_path(mpath, field));
      if (!re) {
        ok = false;
        continue;
      }
      rule.matches.push_back({field_index(fields, field), std::move(re)});
    }
  }
  return ok;
}

bool compile_list(yaml::Reader& r, const yaml::Node& list, const std::string& path,
                  std::vector<std::string>& fields, std::vector<DetectRule>& out) {
  if (list.absent()) return true;
  if (!list.is_sequence()) {
    r.error(list, path, "expected a list of rules, got " + yaml::Reader::describe(list));
    return false;
  }
  out.clear();
  bool ok = true;
  for (size_t i = 0; i < list.items().size(); ++i) {
    DetectRule rule;
    if (compile_rule(r, list.items()[i], yaml::index_path(path, i), i, fields, rule)) {
      out.push_back(std::move(rule));
    } else {
      ok = false;
    }
  }
  return ok;
}

}  // namespace

bool compile_detect(yaml::Reader& r, const yaml::Node& section, std::string_view path,
                    DetectOptions& options, std::vector<std::string>& fields) {
  const size_t errors_before = r.error_count();
  if (!r.check_keys(section, path, kSectionKeys) || section.absent()) {
    return r.error_count() == errors_before;
  }
  const auto key = [&](std::string_view k) { return yaml::join_path(path, k); };
  if (const yaml::Node& n = section["min_level"]; n.defined()) {
    if (auto v = read_level(r, n, key("min_level"))) options.min_level = *v;
  }
  if (const yaml::Node& n = section["err_floor"]; n.defined()) {
    if (auto v = read_level(r, n, key("err_floor"))) options.err_floor = *v;
  }
  if (const yaml::Node& n = section["status_5xx"]; n.defined()) {
    if (auto v = r.boolean(n, key("status_5xx"))) options.status_5xx = *v;
  }
  if (const yaml::Node& n = section["job_retries"]; n.defined()) {
    if (auto v = r.boolean(n, key("job_retries"))) options.job_retries = *v;
  }
  compile_list(r, section["include"], key("include"), fields, options.include);
  compile_list(r, section["exclude"], key("exclude"), fields, options.exclude);
  return r.error_count() == errors_before;
}

Status bind_detect_fields(const std::vector<std::string>& fields, RecordSchema& schema,
                          DetectOptions& options) {
  std::vector<int> slots;
  for (const std::string& field : fields) {
    auto slot = schema.add_field(field);
    if (!slot.ok()) return Status::Error("rules.detect: " + slot.message());
    slots.push_back(*slot);
  }
  for (auto* list : {&options.include, &options.exclude}) {
    for (DetectRule& rule : *list) {
      for (int& s : rule.present_slots) s = slots[static_cast<size_t>(s)];
      for (auto& m : rule.matches) m.slot = slots[static_cast<size_t>(m.slot)];
    }
  }
  return Status::Ok();
}

}  // namespace faultline::rules
