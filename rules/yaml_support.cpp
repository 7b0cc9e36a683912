#include "rules/yaml_support.h"

#include "base/suggest.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace faultline::rules {

namespace {

constexpr size_t kMaxReported = 50;

std::string quote(std::string_view s) {
  std::string out = "\"";
  out.append(s);
  out += '"';
  return out;
}

}  // namespace

void Diagnostics::error(std::string_view file, const YAML::Node& at, std::string_view path,
                        std::string_view what) {
  YAML::Mark mark = YAML::Mark::null_mark();
  try {
    if (at.IsDefined()) mark = at.Mark();
  } catch (const YAML::Exception&) {
  }
  error_at(file, mark, path, what);
}

void Diagnostics::error_at(std::string_view file, const YAML::Mark& mark, std::string_view path,
                           std::string_view what) {
  std::string msg(file);
  if (!mark.is_null()) {
    msg += ':' + std::to_string(mark.line + 1) + ':' + std::to_string(mark.column + 1);
  }
  msg += ": ";
  if (!path.empty()) {
    msg.append(path);
    msg += ": ";
  }
  msg.append(what);
  errors_.push_back(std::move(msg));
}

Status Diagnostics::status() const {
  if (errors_.empty()) return Status::Ok();
  std::string all;
  for (size_t i = 0; i < errors_.size() && i < kMaxReported; ++i) {
    if (i) all += '\n';
    all += errors_[i];
  }
  if (errors_.size() > kMaxReported) {
    all += "\n(" + std::to_string(errors_.size() - kMaxReported) + " more errors not shown)";
  }
  return Status::Error(std::move(all));
}

std::string join_path(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out.append(key);
  return out;
}

std::string index_path(std::string_view parent, size_t index) {
  return std::string(parent) + '[' + std::to_string(index) + ']';
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  const std::string best = closest_match(word, candidates);
  if (best.empty()) return "";
  return " (did you mean " + quote(best) + "?)";
}

bool check_keys(const Source& src, const YAML::Node& map, std::string_view path,
                const std::vector<std::string_view>& known) {
  if (!map.IsMap()) {
    src.error(map, path, "expected a mapping");
    return false;
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) {
      src.error(kv.first, path, "expected a plain key");
      continue;
    }
    const std::string& key = kv.first.Scalar();
    if (!seen.insert(key).second) {
      src.error(kv.first, join_path(path, key), "key given twice");
      continue;
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      src.error(kv.first, path, "unknown key " + quote(key) + did_you_mean(key, known));
    }
  }
  return true;
}

std::optional<std::string> read_scalar(const Source& src, const YAML::Node& n,
                                       std::string_view path, std::string_view expected) {
  if (!n.IsScalar()) {
    src.error(n, path, "expected " + std::string(expected));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<std::vector<std::string>> read_string_list(const Source& src, const YAML::Node& n,
                                                         std::string_view path,
                                                         std::string_view expected) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence() || n.size() == 0) {
    src.error(n, path, "expected " + std::string(expected) + " or a non-empty list of them");
    return std::nullopt;
  }
  bool ok = true;
  size_t i = 0;
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      src.error(item, index_path(path, i), "expected " + std::string(expected));
      ok = false;
    } else {
      out.push_back(item.Scalar());
    }
    ++i;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<bool> read_bool(const Source& src, const YAML::Node& n, std::string_view path) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  src.error(n, path, "expected true or false");
  return std::nullopt;
}

std::optional<double> read_number(const Source& src, const YAML::Node& n, std::string_view path,
                                  double min, double max) {
  auto bad = [&] {
    src.error(n, path,
              "expected a number from " + YAML::Node(min).as<std::string>() + " to " +
                  YAML::Node(max).as<std::string>());
    return std::nullopt;
  };
  if (!n.IsScalar()) return bad();
  const std::string& s = n.Scalar();
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v) || v < min || v > max) {
    return bad();
  }
  return v;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr == text.data()) return std::nullopt;
  std::string_view unit(ptr, text.data() + text.size() - ptr);
  uint64_t ms_per = 0;
  if (unit.empty() || unit == "s") {
    ms_per = 1000;
  } else if (unit == "ms") {
    ms_per = 1;
  } else if (unit == "m") {
    ms_per = 60'000;
  } else if (unit == "h") {
    ms_per = 3'600'000;
  } else if (unit == "d") {
    ms_per = 86'400'000;
  } else {
    return std::nullopt;
  }
  if (n == 0 || n > UINT64_C(1) << 40) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(n * ms_per));
}

std::optional<std::chrono::milliseconds> read_duration(const Source& src, const YAML::Node& n,
                                                       std::string_view path) {
  if (n.IsScalar()) {
    if (auto d = parse_duration(n.Scalar())) return d;
  }
  src.error(n, path,
            "expected a duration like \"30s\", \"5m\" or \"1h\" (units ms, s, m, h, d), got " +
                (n.IsScalar() ? quote(n.Scalar()) : std::string("a non-scalar")));
  return std::nullopt;
}

}  // namespace faultline::rules
