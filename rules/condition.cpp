#include "rules/condition.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "base/in_quotes.h"
#include "base/suggest.h"
#include "rules/event_view.h"
#include "rules/path.h"

namespace faultline::rules {

struct Condition::Node {
  enum class Kind {
    kAll,
    kAny,
    kNot,
    kLevel,
    kMessage,
    kHas,
    kEquals,
    kMatches,
    kStatus,
    kRoute,
    kUrl,
    kQueue,
    kErrorType,
    kErrorTypeInChain,
    kErrorCode,
    kEnvironment,
    kHeader
  };
  Kind kind = Kind::kAll;
  std::vector<Node> children;
  unsigned level_mask = 0;
  std::vector<std::unique_ptr<RE2>> patterns;  // any of them (message); one glob set otherwise
  std::vector<Path> paths;                     // any of them
  std::vector<std::string> values;             // equals
  std::vector<std::pair<int, int>> ranges;     // status, inclusive
  std::string header;
};

namespace {

using Node = Condition::Node;
using Kind = Node::Kind;
using yaml::index_path;
using yaml::join_path;

const std::vector<std::string_view> kKeys = {"level",
                                             "message",
                                             "has",
                                             "equals",
                                             "matches",
                                             "status",
                                             "route",
                                             "url",
                                             "queue",
                                             "error-type",
                                             "error-type-in-chain",
                                             "error-code",
                                             "environment",
                                             "header",
                                             "any",
                                             "all",
                                             "not"};

std::unique_ptr<RE2> compile_re(yaml::Reader& r, const yaml::Node& at, std::string_view path,
                                std::string_view pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) {
    r.error(at, path, "bad RE2 pattern " + in_quotes(pattern) + ": " + re->error());
    return nullptr;
  }
  return re;
}

// The scalar items of `n` with their nodes (a scalar is a one-item list).
std::vector<std::pair<std::string, const yaml::Node*>> items(yaml::Reader& r, const yaml::Node& n,
                                                             std::string_view path,
                                                             std::string_view expected) {
  std::vector<std::pair<std::string, const yaml::Node*>> out;
  if (n.is_scalar()) {
    out.emplace_back(n.text(), &n);
  } else if (n.is_sequence() && n.size() > 0) {
    size_t i = 0;
    for (const yaml::Node& item : n.items()) {
      if (item.is_scalar()) {
        out.emplace_back(item.text(), &item);
      } else {
        r.error(item, index_path(path, i),
                "expected " + std::string(expected) + ", got " + yaml::Reader::describe(item));
      }
      ++i;
    }
  } else {
    r.error(n, path,
            "expected " + std::string(expected) + " or a non-empty list of them, got " +
                yaml::Reader::describe(n));
  }
  return out;
}

std::string item_path(const yaml::Node& list, std::string_view path, size_t i) {
  return list.is_sequence() ? index_path(path, i) : std::string(path);
}

bool compile_globs(yaml::Reader& r, const yaml::Node& n, std::string_view path, Node& out) {
  auto list = items(r, n, path, "a glob");
  if (list.empty()) return false;
  std::string alt;
  for (const auto& [glob, node] : list) {
    if (!alt.empty()) alt += '|';
    alt += "(?:" + glob_to_re2(glob) + ")";
  }
  auto re = compile_re(r, n, path, alt);
  if (!re) return false;
  out.patterns.push_back(std::move(re));
  return true;
}

bool compile_paths(yaml::Reader& r, const yaml::Node& at, std::string_view path,
                   std::string_view text, Node& out) {
  Result<Path> p = parse_path(text);
  if (!p.ok()) {
    r.error(at, path, "bad path " + in_quotes(text) + ": " + p.message());
    return false;
  }
  for (ResolvedPath& rp : resolve_paths(*p)) out.paths.push_back(std::move(rp.path));
  return true;
}

bool compile_level(yaml::Reader& r, const yaml::Node& n, std::string_view path, Node& out) {
  auto list = items(r, n, path, "a level (debug, info, warning, error, fatal)");
  bool ok = !list.empty();
  size_t i = 0;
  for (const auto& [text, node] : list) {
    std::string_view t = text;
    int cmp = 0;  // 0 exact, 1 >=, -1 <=
    if (t.rfind(">=", 0) == 0) {
      cmp = 1;
      t.remove_prefix(2);
    } else if (t.rfind("<=", 0) == 0) {
      cmp = -1;
      t.remove_prefix(2);
    }
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    int rank = view::level_rank(t);
    if (rank < 0) {
      r.error(*node, item_path(n, path, i),
              "unknown level " + in_quotes(t) +
                  did_you_mean(t, {"debug", "info", "warning", "error", "fatal"}) +
                  "; levels are debug, info, warning, error, fatal, optionally with >= or <=");
      ok = false;
    } else {
      for (int r = 0; r <= 4; ++r) {
        if ((cmp == 0 && r == rank) || (cmp > 0 && r >= rank) || (cmp < 0 && r <= rank)) {
          out.level_mask |= 1u << r;
        }
      }
    }
    ++i;
  }
  return ok;
}

bool parse_int(std::string_view s, int& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool compile_status(yaml::Reader& r, const yaml::Node& n, std::string_view path, Node& out) {
  auto list = items(r, n, path, "a status");
  bool ok = !list.empty();
  size_t i = 0;
  for (const auto& [text, node] : list) {
    int lo = 0, hi = 0;
    bool good = false;
    if (text.size() == 3 && (text[1] == 'x' || text[1] == 'X') &&
        (text[2] == 'x' || text[2] == 'X') && text[0] >= '1' && text[0] <= '5') {
      lo = (text[0] - '0') * 100;
      hi = lo + 99;
      good = true;
    } else if (size_t dash = text.find('-'); dash != std::string::npos) {
      good = parse_int(std::string_view(text).substr(0, dash), lo) &&
             parse_int(std::string_view(text).substr(dash + 1), hi) && lo <= hi;
    } else {
      good = parse_int(text, lo);
      hi = lo;
    }
    if (!good || lo < 100 || hi > 599) {
      r.error(*node, item_path(n, path, i),
              "expected a status like 404, \"4xx\" or \"500-599\", got " + in_quotes(text));
      ok = false;
    } else {
      out.ranges.emplace_back(lo, hi);
    }
    ++i;
  }
  return ok;
}

bool compile_map(yaml::Reader& r, const yaml::Node& map, std::string_view path, Node& out);

bool compile_key(yaml::Reader& r, const std::string& key, const yaml::Node& v,
                 std::string_view path, Node& out) {
  const std::string kpath = join_path(path, key);
  if (key == "any" || key == "all") {
    out.kind = key == "any" ? Kind::kAny : Kind::kAll;
    if (!v.is_sequence() || v.size() == 0) {
      r.error(v, kpath,
              "expected a non-empty list of conditions, got " + yaml::Reader::describe(v));
      return false;
    }
    bool ok = true;
    size_t i = 0;
    for (const yaml::Node& c : v.items()) {
      Node child;
      ok = compile_map(r, c, index_path(kpath, i++), child) && ok;
      out.children.push_back(std::move(child));
    }
    return ok;
  }
  if (key == "not") {
    out.kind = Kind::kNot;
    Node child;
    bool ok = compile_map(r, v, kpath, child);
    out.children.push_back(std::move(child));
    return ok;
  }
  if (key == "level") {
    out.kind = Kind::kLevel;
    return compile_level(r, v, kpath, out);
  }
  if (key == "message") {
    out.kind = Kind::kMessage;
    auto list = items(r, v, kpath, "an RE2 pattern");
    bool ok = !list.empty();
    size_t i = 0;
    for (const auto& [p, node] : list) {
      auto re = compile_re(r, *node, item_path(v, kpath, i++), p);
      if (re) {
        out.patterns.push_back(std::move(re));
      } else {
        ok = false;
      }
    }
    return ok;
  }
  if (key == "has") {
    out.kind = Kind::kHas;
    auto list = items(r, v, kpath, "a path");
    bool ok = !list.empty();
    size_t i = 0;
    for (const auto& [p, node] : list)
      ok = compile_paths(r, *node, item_path(v, kpath, i++), p, out) && ok;
    return ok;
  }
  if (key == "equals" || key == "matches" || key == "header") {
    if (!v.is_map() || v.size() == 0) {
      r.error(v, kpath,
              (key == "header" ? std::string("expected a mapping of header name to RE2 pattern")
                               : "expected a mapping of path to " +
                                     std::string(key == "equals" ? "value" : "RE2 pattern")) +
                  ", got " + yaml::Reader::describe(v));
      return false;
    }
    out.kind = Kind::kAll;
    bool ok = true;
    for (const yaml::Node::Entry& kv : v.entries()) {
      Node leaf;
      const std::string name = kv.key.text();
      const std::string lpath = join_path(kpath, name);
      if (key == "equals") {
        leaf.kind = Kind::kEquals;
        ok = compile_paths(r, kv.key, lpath, name, leaf) && ok;
        for (auto& [val, node] : items(r, kv.value, lpath, "a value")) leaf.values.push_back(val);
        ok = !leaf.values.empty() && ok;
      } else {
        leaf.kind = key == "matches" ? Kind::kMatches : Kind::kHeader;
        if (key == "matches") {
          ok = compile_paths(r, kv.key, lpath, name, leaf) && ok;
        } else {
          leaf.header = name;
        }
        if (!kv.value.is_scalar()) {
          r.error(kv.value, lpath,
                  "expected an RE2 pattern, got " + yaml::Reader::describe(kv.value));
          ok = false;
        } else if (auto re = compile_re(r, kv.value, lpath, kv.value.text())) {
          leaf.patterns.push_back(std::move(re));
        } else {
          ok = false;
        }
      }
      out.children.push_back(std::move(leaf));
    }
    return ok;
  }
  if (key == "status") {
    out.kind = Kind::kStatus;
    return compile_status(r, v, kpath, out);
  }
  static const std::pair<std::string_view, Kind> kGlobs[] = {
      {"route", Kind::kRoute},
      {"url", Kind::kUrl},
      {"queue", Kind::kQueue},
      {"error-type", Kind::kErrorType},
      {"error-type-in-chain", Kind::kErrorTypeInChain},
      {"error-code", Kind::kErrorCode},
      {"environment", Kind::kEnvironment}};
  for (const auto& [name, kind] : kGlobs) {
    if (key == name) {
      out.kind = kind;
      return compile_globs(r, v, kpath, out);
    }
  }
  return false;  // unknown keys were reported by check_keys
}

bool compile_map(yaml::Reader& r, const yaml::Node& map, std::string_view path, Node& out) {
  if (!map.is_map() || map.size() == 0) {
    r.error(map, path,
            "expected a mapping of conditions (e.g. {level: error}), got " +
                yaml::Reader::describe(map));
    return false;
  }
  r.check_keys(map, path, kKeys);
  bool ok = true;
  out.kind = Kind::kAll;
  for (const yaml::Node::Entry& kv : map.entries()) {
    Node leaf;
    if (!kv.key.is_scalar()) {
      ok = false;
      continue;
    }
    if (std::find(kKeys.begin(), kKeys.end(), kv.key.text()) == kKeys.end()) {
      ok = false;
      continue;
    }
    ok = compile_key(r, kv.key.text(), kv.value, path, leaf) && ok;
    out.children.push_back(std::move(leaf));
  }
  return ok;
}

bool full(const Node& n, std::optional<std::string_view> text) {
  return text && RE2::FullMatch(re2::StringPiece(text->data(), text->size()), *n.patterns[0]);
}

bool partial(const RE2& re, std::string_view text) {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
}

bool eval_node(const Node& n, const json::Value& e) {
  switch (n.kind) {
    case Kind::kAll:
      for (const Node& c : n.children) {
        if (!eval_node(c, e)) return false;
      }
      return true;
    case Kind::kAny:
      for (const Node& c : n.children) {
        if (eval_node(c, e)) return true;
      }
      return false;
    case Kind::kNot:
      return !eval_node(n.children[0], e);
    case Kind::kLevel: {
      // Sentry's default level is error.
      int rank = view::level_rank(view::top_string(e, "level").value_or("error"));
      return rank >= 0 && (n.level_mask & (1u << rank)) != 0;
    }
    case Kind::kMessage: {
      bool hit = false;
      view::for_each_message(e, [&](std::string_view m) {
        for (const auto& re : n.patterns) hit = hit || partial(*re, m);
      });
      return hit;
    }
    case Kind::kHas:
    case Kind::kEquals:
    case Kind::kMatches: {
      bool hit = false;
      for (const Path& p : n.paths) {
        for_each_match(e, p, [&](const json::Value& v) {
          if (hit || v.is_null()) return;
          if (n.kind == Kind::kHas) {
            hit = true;
          } else if (n.kind == Kind::kEquals) {
            std::string t = view::scalar_text(v);
            for (const std::string& want : n.values) hit = hit || t == want;
          } else if (!v.is_object() && !v.is_array()) {
            hit = partial(*n.patterns[0], view::scalar_text(v));
          }
        });
        if (hit) return true;
      }
      return false;
    }
    case Kind::kStatus: {
      auto s = view::status(e);
      if (!s) return false;
      for (const auto& [lo, hi] : n.ranges) {
        if (*s >= lo && *s <= hi) return true;
      }
      return false;
    }
    case Kind::kRoute:
      return full(n, view::route(e));
    case Kind::kUrl:
      return full(n, view::url_path(e));
    case Kind::kQueue:
      return full(n, view::tag(e, "queue"));
    case Kind::kErrorType:
      return full(n, view::error_type(e));
    case Kind::kErrorTypeInChain: {
      bool hit = false;
      view::for_each_error_type(e, [&](std::string_view t) { hit = hit || full(n, t); });
      return hit;
    }
    case Kind::kErrorCode:
      return full(n, view::tag(e, "error.code"));
    case Kind::kEnvironment:
      return full(n, view::top_string(e, "environment"));
    case Kind::kHeader: {
      auto h = view::header(e, n.header);
      return h && partial(*n.patterns[0], *h);
    }
  }
  return false;
}

}  // namespace

std::string glob_to_re2(std::string_view glob) {
  std::string out;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) out += RE2::QuoteMeta(literal);
    literal.clear();
  };
  for (char c : glob) {
    if (c == '*') {
      flush();
      out += "(?s:.*)";
    } else if (c == '?') {
      flush();
      out += "(?s:.)";
    } else {
      literal += c;
    }
  }
  flush();
  return out;
}

Condition::Condition() = default;
Condition::~Condition() = default;
Condition::Condition(Condition&&) noexcept = default;
Condition& Condition::operator=(Condition&&) noexcept = default;

std::optional<Condition> Condition::compile(yaml::Reader& r, const yaml::Node& when,
                                            std::string_view path) {
  auto root = std::make_unique<Node>();
  if (!compile_map(r, when, path, *root)) return std::nullopt;
  Condition c;
  c.root_ = std::move(root);
  return c;
}

bool Condition::eval(const json::Value& event) const {
  return !root_ || eval_node(*root_, event);
}

}  // namespace faultline::rules
