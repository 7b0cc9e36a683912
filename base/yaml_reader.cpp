// Reader: collected diagnostics and typed reads. parse() is in yaml_parse.cpp.
#include "base/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <tuple>

#include "base/in_quotes.h"
#include "base/suggest.h"
#include "base/units.h"

namespace faultline::yaml {

namespace {

// How much of a scalar a message shows.
constexpr size_t kShownChars = 60;

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

std::string number_text(double x) {
  if (std::fabs(x) < 1e15 && x == std::floor(x)) return std::to_string(static_cast<int64_t>(x));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

bool is_yaml11_bool(std::string_view t) {
  std::string lower(t);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "yes" || lower == "no" || lower == "on" || lower == "off" || lower == "y" ||
         lower == "n";
}

}  // namespace

std::string join_path(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out.append(key);
  return out;
}

std::string index_path(std::string_view parent, size_t index) {
  return std::string(parent) + '[' + std::to_string(index) + ']';
}

std::optional<bool> parse_bool(std::string_view t) {
  if (t == "true" || t == "True" || t == "TRUE") return true;
  if (t == "false" || t == "False" || t == "FALSE") return false;
  return std::nullopt;
}

std::string Reader::describe(const Node& n) {
  switch (n.kind()) {
    case Node::Kind::kMissing:
    case Node::Kind::kNull:
      return "nothing";
    case Node::Kind::kMap:
      return n.size() == 0 ? "an empty mapping" : "a mapping";
    case Node::Kind::kSequence:
      return n.size() == 0 ? "an empty list" : "a list";
    case Node::Kind::kScalar:
      break;
  }
  std::string shown = redact_userinfo(n.text());
  if (shown.size() > kShownChars) {
    size_t cut = kShownChars;
    while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    shown = shown.substr(0, cut) + "...";
  }
  std::string out;
  for (char c : shown) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return in_quotes(out);
}

void Reader::error_at(const Mark& mark, std::string_view path, std::string_view what) {
  ++count_;
  if (errors_.size() >= kMaxReported) return;
  std::string msg = file_;
  if (mark.known()) msg += ':' + std::to_string(mark.line) + ':' + std::to_string(mark.column);
  msg += ": ";
  if (!path.empty()) {
    msg.append(path);
    msg += ": ";
  }
  msg.append(what);
  errors_.push_back(std::move(msg));
  where_.push_back(Problem{file_, mark});
}

void Reader::absorb(const Reader& other) {
  for (size_t i = 0; i < other.errors_.size() && errors_.size() < kMaxReported; ++i) {
    errors_.push_back(other.errors_[i]);
    where_.push_back(other.where_[i]);
  }
  count_ += other.count_;
}

Status Reader::status() const {
  if (count_ == 0) return Status::Ok();
  // Files in the order they first had a problem; within one, by position.
  std::vector<std::string> files;
  for (const Problem& p : where_) {
    if (std::find(files.begin(), files.end(), p.file) == files.end()) files.push_back(p.file);
  }
  const auto key = [&](size_t i) {
    const Problem& p = where_[i];
    const size_t rank =
        static_cast<size_t>(std::find(files.begin(), files.end(), p.file) - files.begin());
    return std::make_tuple(rank, p.mark.known() ? p.mark.line : INT32_MAX, p.mark.column);
  };
  std::vector<size_t> order(errors_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  std::string all;
  for (size_t i : order) {
    if (!all.empty()) all += '\n';
    all += errors_[i];
  }
  if (count_ > errors_.size()) {
    all += "\n(" + std::to_string(count_ - errors_.size()) + " more errors not shown)";
  }
  return Status::Error(std::move(all));
}

std::optional<std::string> Reader::text(const Node& n, std::string_view path,
                                        std::string_view expected) {
  if (n.is_scalar()) return n.text();
  error(n, path, "expected " + std::string(expected) + ", got " + describe(n));
  return std::nullopt;
}

std::optional<bool> Reader::boolean(const Node& n, std::string_view path) {
  if (n.is_scalar()) {
    if (auto b = parse_bool(n.text())) return b;
  }
  std::string what = "expected true or false, got " + describe(n);
  if (n.is_scalar() && is_yaml11_bool(n.text())) {
    what += " (booleans are true and false, as in YAML 1.2)";
  }
  error(n, path, what);
  return std::nullopt;
}

std::optional<int64_t> Reader::integer(const Node& n, std::string_view path, int64_t min,
                                       int64_t max) {
  if (n.is_scalar()) {
    const std::string& s = n.text();
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!s.empty() && ec == std::errc() && ptr == s.data() + s.size() && v >= min && v <= max) {
      return v;
    }
  }
  error(n, path,
        "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
            ", got " + describe(n));
  return std::nullopt;
}

std::optional<double> Reader::number(const Node& n, std::string_view path, double min, double max) {
  if (n.is_scalar()) {
    const std::string& s = n.text();
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!s.empty() && ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(v) &&
        v >= min && v <= max) {
      return v;
    }
  }
  error(n, path,
        "expected a number from " + number_text(min) + " to " + number_text(max) + ", got " +
            describe(n));
  return std::nullopt;
}

std::optional<uint64_t> Reader::size(const Node& n, std::string_view path, uint64_t min,
                                     uint64_t max) {
  if (n.is_scalar()) {
    if (auto v = parse_size(n.text())) {
      if (*v >= min && *v <= max) return v;
      error(n, path,
            "expected a size from " + format_size(min) + " to " + format_size(max) + ", got " +
                describe(n));
      return std::nullopt;
    }
  }
  error(n, path, "expected a size like \"16KiB\" or \"1MiB\", got " + describe(n));
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> Reader::duration(const Node& n, std::string_view path,
                                                          std::chrono::milliseconds min,
                                                          std::chrono::milliseconds max) {
  if (n.is_scalar()) {
    if (auto v = parse_duration(n.text())) {
      if (*v >= min && *v <= max) return v;
      error(n, path,
            "expected a duration from " + format_duration(min) + " to " + format_duration(max) +
                ", got " + describe(n));
      return std::nullopt;
    }
  }
  std::string what = "expected a duration like \"5s\", \"250ms\" or \"1.5m\", got " + describe(n);
  if (n.is_scalar()) {
    if (std::string hint = duration_hint(n.text()); !hint.empty()) what += " (" + hint + ")";
  }
  error(n, path, what);
  return std::nullopt;
}

std::optional<std::vector<std::string>> Reader::text_list(const Node& n, std::string_view path,
                                                          std::string_view item, bool allow_empty) {
  if (n.is_scalar()) return std::vector<std::string>{n.text()};
  if (!n.is_sequence() || (n.size() == 0 && !allow_empty)) {
    error(n, path,
          "expected " + std::string(item) + " or a" + (allow_empty ? "" : " non-empty") +
              " list of them, got " + describe(n));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < n.items().size(); ++i) {
    const Node& it = n.items()[i];
    if (!it.is_scalar()) {
      error(it, index_path(path, i), "expected " + std::string(item) + ", got " + describe(it));
      ok = false;
      continue;
    }
    out.push_back(it.text());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> Reader::one_of(const Node& n, std::string_view path,
                                          const std::vector<std::string_view>& allowed) {
  if (n.is_scalar() && std::find(allowed.begin(), allowed.end(), n.text()) != allowed.end()) {
    return n.text();
  }
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + in_quotes(a);
  std::string what = "expected one of " + list + ", got " + describe(n);
  if (n.is_scalar()) what += did_you_mean(n.text(), allowed);
  error(n, path, what);
  return std::nullopt;
}

bool Reader::check_keys(const Node& map, std::string_view path,
                        const std::vector<std::string_view>& known) {
  if (map.absent()) return true;
  if (!map.is_map()) {
    error(map, path, "expected a mapping, got " + describe(map));
    return false;
  }
  for (const Node::Entry& e : map.entries()) {
    if (!e.key.is_scalar()) {
      error(e.key, path, "expected a plain key, got " + describe(e.key));
      continue;
    }
    const std::string& key = e.key.text();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      error(e.key, join_path(path, key), "unknown key" + did_you_mean(key, known));
    }
  }
  return true;
}

}  // namespace faultline::yaml
