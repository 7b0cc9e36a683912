#include "agent/config/yaml_reader.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "base/suggest.h"
#include "base/units.h"
#include "parsers/field_plan.h"
#include "parsers/pino_levels.h"

namespace faultline::config {

Getenv process_getenv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

Status YamlReader::error_at(const YAML::Mark& mark, std::string_view path,
                            std::string_view what) const {
  std::string msg = file_;
  if (mark.line >= 0) {
    msg += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  msg += ": ";
  if (!path.empty()) msg += std::string(path) + ": ";
  msg += what;
  return Status::Error(std::move(msg));
}

Status YamlReader::error(const YAML::Node& node, std::string_view path,
                         std::string_view what) const {
  return error_at(node.Mark(), path, what);
}

namespace {

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// A value shown back in a message may be a DSN expanded from $SENTRY_DSN: the credentials of a
// URL ("https://KEY@host/1") never appear in faultline's output.
std::string redact_userinfo(std::string s) {
  for (size_t scheme = s.find("://"); scheme != std::string::npos;
       scheme = s.find("://", scheme + 3)) {
    const size_t start = scheme + 3;
    const size_t end = s.find_first_of("/@ ", start);
    if (end != std::string::npos && s[end] == '@') s.replace(start, end - start, "[key]");
  }
  return s;
}

std::string describe(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  return quoted(redact_userinfo(n.Scalar()));
}

}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  return closest_match(word, candidates);
}

Status YamlReader::expand_env(YAML::Node& node, const std::string& path) const {
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      YAML::Node value = it->second;
      if (auto s = expand_env(value, join_path(path, it->first.Scalar())); !s.ok()) return s;
    }
    return Status::Ok();
  }
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      YAML::Node item = node[i];
      if (auto s = expand_env(item, path + "[" + std::to_string(i) + "]"); !s.ok()) return s;
    }
    return Status::Ok();
  }
  if (!node.IsScalar()) return Status::Ok();
  const std::string& in = node.Scalar();
  if (in.find('$') == std::string::npos) return Status::Ok();
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    if (in.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (in.compare(i, 2, "${") != 0) {
      out.push_back(in[i++]);
      continue;
    }
    const size_t close = in.find('}', i + 2);
    if (close == std::string::npos) {
      return error(node, path, "unterminated ${ in " + quoted(in));
    }
    const std::string inner = in.substr(i + 2, close - i - 2);
    const size_t sep = inner.find(":-");
    const std::string name = inner.substr(0, sep);
    const bool valid_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!valid_name) return error(node, path, "bad variable name in " + quoted("${" + inner + "}"));
    std::optional<std::string> value = env_(name);
    if (!value || (sep != std::string::npos && value->empty())) {
      if (sep == std::string::npos) {
        return error(node, path,
                     "environment variable " + name + " is not set (write ${" + name +
                         ":-default} to give a default)");
      }
      value = inner.substr(sep + 2);
    }
    out += *value;
    i = close + 1;
  }
  node = out;
  return Status::Ok();
}

Status YamlReader::read(const YAML::Node& n, std::string_view path, std::string& out) const {
  if (n.IsNull()) {
    out.clear();
    return Status::Ok();
  }
  if (!n.IsScalar()) return error(n, path, "expected a string, got " + describe(n));
  out = n.Scalar();
  return Status::Ok();
}

Status YamlReader::read(const YAML::Node& n, std::string_view path, bool& out) const {
  if (n.IsScalar()) {
    std::string v = n.Scalar();
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v == "true" || v == "yes" || v == "on") {
      out = true;
      return Status::Ok();
    }
    if (v == "false" || v == "no" || v == "off") {
      out = false;
      return Status::Ok();
    }
  }
  return error(n, path, "expected true or false, got " + describe(n));
}

Status YamlReader::read(const YAML::Node& n, std::string_view path, int& out, int min,
                        int max) const {
  size_t tmp = 0;
  if (min >= 0) {
    if (auto s = read(n, path, tmp, static_cast<size_t>(min), static_cast<size_t>(max)); !s.ok()) {
      return s;
    }
    out = static_cast<int>(tmp);
    return Status::Ok();
  }
  if (n.IsScalar()) {
    char* end = nullptr;
    const std::string& v = n.Scalar();
    const long long x = std::strtoll(v.c_str(), &end, 10);
    if (!v.empty() && end == v.c_str() + v.size() && x >= min && x <= max) {
      out = static_cast<int>(x);
      return Status::Ok();
    }
  }
  return error(n, path,
               "expected a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max) + ", got " + describe(n));
}

Status YamlReader::read(const YAML::Node& n, std::string_view path, size_t& out, size_t min,
                        size_t max) const {
  if (n.IsScalar()) {
    const std::string& v = n.Scalar();
    char* end = nullptr;
    const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
    if (!v.empty() && v[0] != '-' && end == v.c_str() + v.size() && x >= min && x <= max) {
      out = static_cast<size_t>(x);
      return Status::Ok();
    }
  }
  return error(n, path,
               "expected a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max) + ", got " + describe(n));
}

Status YamlReader::read_size(const YAML::Node& n, std::string_view path, uint64_t& out,
                             uint64_t min, uint64_t max) const {
  if (n.IsScalar()) {
    if (auto v = parse_size(n.Scalar())) {
      if (*v < min || *v > max) {
        return error(n, path,
                     "expected a size from " + format_size(min) + " to " + format_size(max) +
                         ", got " + describe(n));
      }
      out = *v;
      return Status::Ok();
    }
  }
  return error(n, path, "expected a size like \"16KiB\" or \"1MiB\", got " + describe(n));
}

Status YamlReader::read_duration(const YAML::Node& n, std::string_view path,
                                 std::chrono::milliseconds& out, std::chrono::milliseconds min,
                                 std::chrono::milliseconds max) const {
  if (n.IsScalar()) {
    if (auto v = parse_duration(n.Scalar())) {
      if (*v < min || *v > max) {
        return error(n, path,
                     "expected a duration from " + format_duration(min) + " to " +
                         format_duration(max) + ", got " + describe(n));
      }
      out = *v;
      return Status::Ok();
    }
  }
  return error(n, path, "expected a duration like \"5s\", got " + describe(n));
}

Status YamlReader::read_list(const YAML::Node& n, std::string_view path,
                             std::vector<std::string>& out) const {
  if (n.IsScalar()) {  // a single value stands for a list of one
    out = {n.Scalar()};
    return Status::Ok();
  }
  if (!n.IsSequence()) return error(n, path, "expected a list of strings, got " + describe(n));
  out.clear();
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      return error(n[i], std::string(path) + "[" + std::to_string(i) + "]",
                   "expected a string, got " + describe(n[i]));
    }
    out.push_back(n[i].Scalar());
  }
  return Status::Ok();
}

Status YamlReader::read_key_paths(const YAML::Node& n, std::string_view path,
                                  std::vector<std::string>& out) const {
  if (auto s = read_list(n, path, out); !s.ok()) return s;
  for (size_t i = 0; i < out.size(); ++i) {
    if (auto keys = FieldPlan::split_path(out[i]); !keys.ok()) {
      const YAML::Node& at = n.IsSequence() ? n[i] : n;
      return error(at, n.IsSequence() ? std::string(path) + "[" + std::to_string(i) + "]" : path,
                   "expected a key path like req.id or a[\"x.y\"], got " + keys.message());
    }
  }
  return Status::Ok();
}

Status YamlReader::read_enum(const YAML::Node& n, std::string_view path, std::string& out,
                             const std::vector<std::string_view>& allowed) const {
  std::string v;
  if (auto s = read(n, path, v); !s.ok()) return s;
  if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) {
    out = v;
    return Status::Ok();
  }
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + quoted(a);
  return error(n, path, "expected one of " + list + ", got " + describe(n));
}

Status YamlReader::read_level(const YAML::Node& n, std::string_view path, int& out) const {
  if (n.IsScalar()) {
    const std::string& v = n.Scalar();
    char* end = nullptr;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (!v.empty() && end == v.c_str() + v.size() && x >= 0 && x <= 1000) {
      out = static_cast<int>(x);
      return Status::Ok();
    }
    if (auto level = LevelTable().number(v)) {
      out = *level;
      return Status::Ok();
    }
  }
  return error(
      n, path,
      "expected a level like \"warn\", \"error\" or a number such as 50, got " + describe(n));
}

Status YamlReader::check_keys(const YAML::Node& map, std::string_view path,
                              const std::vector<std::string_view>& known) const {
  if (map.IsNull()) return Status::Ok();
  if (!map.IsMap()) return error(map, path, "expected a mapping of keys, got " + describe(map));
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = it->first.Scalar();
    const std::string key_path = join_path(path, key);
    if (!seen.insert(key).second) {
      return error(it->first, key_path, "key given twice");
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string what = "unknown key";
      if (std::string hint = did_you_mean(key, known); !hint.empty()) {
        what += " (did you mean \"" + hint + "\"?)";
      }
      return error(it->first, key_path, what);
    }
  }
  return Status::Ok();
}

}  // namespace faultline::config
