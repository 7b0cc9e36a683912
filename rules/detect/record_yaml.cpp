#include "rules/detect/record_yaml.h"

#include "parsers/field_plan.h"
#include "parsers/pino_levels.h"

namespace faultline::rules {

std::optional<int> read_level(yaml::Reader& r, const yaml::Node& n, std::string_view path) {
  if (n.is_scalar()) {
    if (auto level = LevelTable().number(n.text())) return *level;
    const std::string& v = n.text();
    if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v.size() <= 4) {
      const int x = std::stoi(v);
      if (x <= 1000) return x;
    }
  }
  r.error(n, path,
          "expected a level like \"warn\", \"error\" or a number such as 50, got " +
              yaml::Reader::describe(n));
  return std::nullopt;
}

std::optional<std::vector<std::string>> read_key_paths(yaml::Reader& r, const yaml::Node& n,
                                                       std::string_view path) {
  auto list = r.text_list(n, path, "a key path", /*allow_empty=*/true);
  if (!list) return std::nullopt;
  bool ok = true;
  for (size_t i = 0; i < list->size(); ++i) {
    if (auto keys = FieldPlan::split_path((*list)[i]); !keys.ok()) {
      const bool one = !n.is_sequence();
      r.error(one ? n : n.items()[i], one ? std::string(path) : yaml::index_path(path, i),
              "expected a key path like req.id or a[\"x.y\"], got " + keys.message());
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return list;
}

}  // namespace faultline::rules
