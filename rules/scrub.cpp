#include "rules/scrub.h"

#include <algorithm>
#include <cstdint>
#include <map>

#include "base/in_quotes.h"
#include "rules/pii_fields.h"

namespace faultline::rules {

namespace {

// Finds name/value pairs in free text: `name=value`, `name: value`, `"name": "value"`, and the
// escaped form of JSON written into a string twice (`{\"name\":\"value\"}`). Groups 1-4: the
// name (double-quoted, escaped-quoted, single-quoted, bare); groups 5-8: the value (escaped-quoted;
// double-quoted, possibly cut off; single-quoted; bare, where an auth scheme keeps its
// credential: `Bearer abc`).
constexpr std::string_view kPairPattern =
    R"re((?:"((?:[^"\\\n]|\\.){1,64})"|\\"([^"\\\n]{1,64})\\"|'([^'\\\n]{1,64})'|)re"
    R"re(([A-Za-z0-9_.$@-]{1,64}))\s*[:=]\s*)re"
    R"re((?:\\"((?:[^"\\]|\\[^"])*)(?:\\")?|"((?:[^"\\]|\\.)*)"?|'([^'\n]*)'?|)re"
    R"re(((?i:bearer|basic|token|digest)\s+[^\s"',;&]+|[^\s&;,"'{}\[\]<>]+)))re";
constexpr int kPairGroups = 9;

// Compiled on the first text that may hold a pair, once per process, and shared by every scrub:
// most runs never need it (it is also the largest program of a scrub).
const RE2& pair_regex() {
  static const RE2 re(kPairPattern, [] {
    RE2::Options opts;
    opts.set_log_errors(false);
    return opts;
  }());
  return re;
}

// Strings that may hold JSON are parsed and scrubbed as JSON within these bounds; past them they
// are scrubbed as text (the name/value pairs and detectors still apply).
constexpr size_t kMaxEmbeddedBytes = 256 * 1024;
constexpr int kMaxEmbeddedNesting = 64;  // objects and arrays inside one embedded document
constexpr int kMaxEmbeddedLevels = 4;    // JSON in a string in JSON in a string...

// A superset of where the key patterns could match inside a text, for the prefilter: anchors at
// the ends of a pattern are dropped (a key anchored as `^auth$` still occurs in `auth=...`); a
// pattern with anchors elsewhere makes the prefilter "any separator at all".
std::string key_prefilter(const std::vector<std::string>& keys) {
  std::string alt;
  for (const std::string& k : keys) {
    std::string_view p = k;
    if (!p.empty() && p.front() == '^') p.remove_prefix(1);
    if (p.size() >= 2 && p.back() == '$' && p[p.size() - 2] != '\\') p.remove_suffix(1);
    if (p.size() == 1 && p.back() == '$') p.remove_suffix(1);
    if (p.find('^') != std::string_view::npos || p.find('$') != std::string_view::npos) {
      return "[:=]";
    }
    if (!alt.empty()) alt += '|';
    alt += "(?:";
    alt.append(p);
    alt += ')';
  }
  return "(?i)(?:" + alt + ")[A-Za-z0-9_.$@-]*\\\\?[\"']?\\s*[:=]";
}

bool looks_like_json(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  if (b == std::string_view::npos || e <= b) return false;
  return (s[b] == '{' && s[e] == '}') || (s[b] == '[' && s[e] == ']');
}

// `"{\"password\":\"x\"}"`: a JSON string whose text is JSON again (JSON.stringify twice).
bool looks_like_encoded_json(std::string_view s) {
  return s.size() >= 4 && s.front() == '"' && s.back() == '"' && (s[1] == '{' || s[1] == '[');
}

// The deepest nesting of objects and arrays in `s`, stopping early past `limit`.
int nesting(std::string_view s, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size() && deepest <= limit; ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

// An HTTP header name (RFC 9110 token), as in Node's flat req.rawHeaders.
bool is_header_name(const json::Value& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.as_string();
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// A command-line option that takes its value as the next argument: `--token`, `-password`.
bool is_option_name(const json::Value& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.as_string();
  return s.size() >= 2 && s.size() <= 64 && s[0] == '-' &&
         s.find_first_of("= \t") == std::string::npos;
}

bool is_pair(const json::Value& v) {
  const json::Array* a = v.array();
  return a && a->size() == 2 && (*a)[0].is_string();
}

}  // namespace

// One walk of one event (or of the JSON inside one string) for one ScrubAction.
class ScrubWalker {
 public:
  ScrubWalker(const ScrubAction& a, std::vector<ScrubbedField>* report,
              std::unordered_set<std::string>* rewritten, ScrubMemo* memo)
      : a_(a), report_(report), rewritten_(rewritten), memo_(memo) {}

  size_t count() const { return count_; }

  void walk_event(json::Value& event) {
    States root;
    if (!a_.paths_.empty()) root.push_back(a_.paths_.root());
    walk_children(event, root, PiiTable::get().root(), Zone::kOpen);
  }

 private:
  using States = std::vector<const PathTrie::Node*>;

  // Returns true when the caller must erase `v` (method remove).
  bool visit(json::Value& v, const States& st, const PiiTable::Node* pii, Zone zone,
             const std::string* key) {
    if (zone == Zone::kClosed) return false;
    for (const PathTrie::Node* n : st) {
      if (n->terminal >= 0) {
        return redact_whole(v, [&] {
          return "path " + in_quotes(a_.path_texts_[static_cast<size_t>(n->terminal)]);
        });
      }
    }
    if (zone == Zone::kOpen && key) {
      int k = match_key(*key);
      if (k >= 0) {
        return redact_whole(
            v, [&] { return "key pattern " + in_quotes(a_.key_texts_[static_cast<size_t>(k)]); });
      }
    }
    // Only paths can apply below here: walk on only where one of them leads.
    const bool paths_only = zone == Zone::kExplicitOnly || !a_.scans_values();
    if (v.is_string()) {
      if (!paths_only) scrub_string(v.as_string());
      return false;
    }
    if (v.is_int()) {
      if (!paths_only) scrub_number(v);
      return false;
    }
    if ((v.is_object() || v.is_array()) && !(paths_only && st.empty())) {
      walk_children(v, st, pii, zone);
    }
    return false;
  }

  void walk_children(json::Value& v, const States& st, const PiiTable::Node* pii, Zone zone) {
    // Sentry's own field names (exception, url, value, ...) are not data keys.
    const bool data_keys = zone == Zone::kOpen && !(pii && pii->schema);
    if (json::Object* obj = v.object()) {
      // {name: "X-Api-Key", value: "..."} (HAR headers, Kubernetes env): the name decides.
      const int named = data_keys ? named_value_key(*obj) : -1;
      auto& members = obj->members();
      KeyIndex taken;
      for (size_t i = 0; i < members.size();) {
        const PiiTable::Node* cpii = PiiTable::child_key(pii, members[i].key);
        // Only keys of open places: a closed or explicit-only field keeps its name too.
        if (data_keys && a_.detectors_.size() > 0 && PiiTable::zone_of(cpii, zone) == Zone::kOpen) {
          const KeyOutcome outcome = rename_secret_key(members, i, taken);
          if (outcome == KeyOutcome::kRemoved) {
            members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
          }
          if (outcome == KeyOutcome::kRenamed) cpii = PiiTable::child_key(pii, members[i].key);
        }
        json::Member& m = members[i];
        States child;
        for (const PathTrie::Node* n : st) PathTrie::step_key(n, m.key, child);
        const size_t mark = path_.size();
        if (report_) append_key(path_, m.key);
        bool erase = false;
        if (named >= 0 && m.key == "value" && child.empty()) {
          erase = redact_whole(m.value, [&] { return key_reason(named) + " (its name)"; });
        } else {
          erase = visit(m.value, child, cpii, PiiTable::zone_of(cpii, zone),
                        data_keys ? &m.key : nullptr);
        }
        path_.resize(mark);
        if (erase) {
          members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
          ++i;
        }
      }
      return;
    }
    json::Array& arr = v.as_array();
    const PiiTable::Node* cpii = PiiTable::child_index(pii);
    const Zone czone = PiiTable::zone_of(cpii, zone);
    const bool pairs = czone == Zone::kOpen && !(pii && pii->schema) && a_.keys_ != nullptr;
    // Per original index, the key pattern that the element before it (a header name in a flat
    // rawHeaders list, a command-line option) matched; empty when there is none.
    const std::vector<int> named = pairs ? named_elements(arr) : std::vector<int>();
    size_t original = 0;
    for (size_t i = 0; i < arr.size(); ++original) {
      States child;
      for (const PathTrie::Node* n : st) PathTrie::step_index(n, original, child);
      const size_t mark = path_.size();
      if (report_) append_index(path_, original);
      bool erase = false;
      json::Value& e = arr[i];
      int k = -1;
      if (pairs && child.empty() && !named.empty() && named[original] >= 0) {
        k = named[original];
        erase = redact_whole(e, [&] { return key_reason(k) + " (the name before it)"; });
      } else if (pairs && child.empty() && is_pair(e) &&
                 (k = match_key(e.as_array()[0].as_string())) >= 0) {
        // A [name, value] pair (headers or query given as a list): the name decides.
        if (report_) append_index(path_, 1);
        erase = redact_whole(e.as_array()[1], [&] { return key_reason(k); });
      } else {
        erase = visit(e, child, cpii, czone, nullptr);
      }
      path_.resize(mark);
      if (erase) {
        arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }

  std::string key_reason(int k) const {
    return "key pattern " + in_quotes(a_.key_texts_[static_cast<size_t>(k)]);
  }

  // The key pattern matched by the name of a {name|key, value} object, or -1.
  int named_value_key(const json::Object& obj) {
    if (!a_.keys_ || obj.size() > 4 || !obj.contains("value")) return -1;
    const json::Value* name = obj.find("name");
    if (name == nullptr) name = obj.find("key");
    return name != nullptr && name->is_string() ? match_key(name->as_string()) : -1;
  }

  // See walk_children. Two shapes: a flat list of header names and values (Node's rawHeaders:
  // an even number of strings, every other one a header name), and command lines
  // (["--token", "v"]: an option followed by a value that is not an option).
  std::vector<int> named_elements(const json::Array& arr) {
    std::vector<int> named;
    auto mark = [&](size_t value_index, int k) {
      if (k < 0) return;
      if (named.empty()) named.assign(arr.size(), -1);
      named[value_index] = k;
    };
    if (arr.size() < 2) return named;
    bool flat_headers = arr.size() % 2 == 0;
    for (size_t i = 0; flat_headers && i < arr.size(); ++i) {
      flat_headers = i % 2 == 0 ? is_header_name(arr[i]) : arr[i].is_string();
    }
    for (size_t i = 0; i + 1 < arr.size(); ++i) {
      if (flat_headers && i % 2 == 0) {
        mark(i + 1, match_key(arr[i].as_string()));
      } else if (is_option_name(arr[i]) && !is_option_name(arr[i + 1]) &&
                 (arr[i + 1].is_string() || arr[i + 1].is_number())) {
        mark(i + 1, match_key(arr[i].as_string()));
      }
    }
    return named;
  }

  // The keys of one object, built on the first renamed key (most objects have none).
  struct KeyIndex {
    bool built = false;
    std::unordered_set<std::string> keys;
  };

  enum class KeyOutcome : uint8_t { kKept, kRenamed, kRemoved };

  // A data key that is itself a secret ({"byEmail": {"a@b.co": 3}}): the found parts are
  // rewritten like text (with mask, as "[email]", "[github-token]", ... so the reader still
  // knows what was there), and "#2", "#3", ... keep the object's keys unique. kRemoved: the
  // member must be erased (method remove).
  KeyOutcome rename_secret_key(std::vector<json::Member>& members, size_t i, KeyIndex& taken) {
    std::string& key = members[i].key;
    if (key.empty() || is_censored_text(key)) return KeyOutcome::kKept;
    ScrubMemo::Entry* seen = memo_ != nullptr ? memo_->entry(key, /*add=*/false) : nullptr;
    if (seen != nullptr && seen->plain) return KeyOutcome::kKept;
    std::vector<Span> spans;
    a_.detectors_.find(key, spans);
    if (spans.empty()) {
      // Only a key without a secret in it is remembered.
      if (ScrubMemo::Entry* added = memo_ != nullptr ? memo_->entry(key) : nullptr) {
        added->plain = true;
      }
      return KeyOutcome::kKept;
    }
    ++count_;
    ValueDetectorSet::merge(spans);
    std::string reasons = report_ ? reason_list(key, spans, {}) + " in the key" : std::string();
    if (a_.method_.kind == Method::Kind::kRemove) {
      if (report_) report_->push_back({path_, std::move(reasons)});
      return KeyOutcome::kRemoved;
    }
    std::string renamed;
    size_t last = 0;
    for (const Span& sp : spans) {
      renamed.append(key, last, sp.begin - last);
      if (a_.method_.kind == Method::Kind::kMask) {
        const std::string& name = a_.detectors_.name(sp.detector);
        renamed += name.front() == '@' ? "[" + name.substr(1) + "]" : std::string(kMaskText);
      } else {
        renamed +=
            redact_text(a_.method_, std::string_view(key).substr(sp.begin, sp.end - sp.begin));
      }
      last = sp.end;
    }
    renamed.append(key, last, std::string::npos);
    if (!taken.built) {
      for (const json::Member& m : members) taken.keys.insert(m.key);
      taken.built = true;
    }
    taken.keys.erase(key);
    std::string unique = renamed;
    for (int n = 2; taken.keys.count(unique) > 0; ++n) unique = renamed + "#" + std::to_string(n);
    taken.keys.insert(unique);
    key = std::move(unique);
    if (report_) {
      std::string at = path_;
      append_key(at, key);
      report_->push_back({std::move(at), std::move(reasons)});
    }
    return KeyOutcome::kRenamed;
  }

  int match_key(std::string_view key) {
    if (!a_.keys_) return -1;
    ScrubMemo::Entry* seen = memo_ != nullptr ? memo_->entry(key) : nullptr;
    if (seen != nullptr && seen->key_pattern != ScrubMemo::kUnknown) return seen->key_pattern;
    const int k = match_key_pattern(key);
    if (seen != nullptr) seen->key_pattern = k;
    return k;
  }

  // The first key pattern that `key` matches, or -1.
  int match_key_pattern(std::string_view key) {
    // A command-line option names its value like a key: --password, -pwd.
    for (int dashes = 0; dashes < 2 && key.size() > 1 && key.front() == '-'; ++dashes) {
      key.remove_prefix(1);
    }
    hits_.clear();
    if (!a_.keys_->Match(re2::StringPiece(key.data(), key.size()), &hits_)) return -1;
    return *std::min_element(hits_.begin(), hits_.end());
  }

  // Written over a whole field by an earlier scrub of this event.
  bool earlier_output(const std::string& s) const {
    return rewritten_ && !rewritten_->empty() && rewritten_->count(s) > 0;
  }

  template <class Reason>
  bool redact_whole(json::Value& v, Reason reason) {
    if (is_uncensorable(v) || (v.is_string() && earlier_output(v.as_string()))) return false;
    ++count_;
    if (report_) report_->push_back({path_, reason()});
    if (a_.method_.kind == Method::Kind::kRemove) return true;
    v = redact_value(a_.method_, v);
    if (rewritten_ && v.is_string() && !is_censored_text(v.as_string())) {
      rewritten_->insert(v.as_string());
    }
    return false;
  }

  void scrub_number(json::Value& v) {
    int64_t n = v.as_int();
    if (n < 1'000'000'000'000 && n > -1'000'000'000'000) return;  // too short for a card
    std::string text = json::to_string(v);
    std::vector<Span> spans;
    a_.detectors_.find(text, spans);
    if (spans.empty()) return;
    std::string reasons = reason_list(text, spans, {});
    rewrite(text, spans);
    v = json::Value(std::move(text));
    ++count_;
    if (report_) report_->push_back({path_, std::move(reasons)});
  }

  void scrub_string(std::string& s) {
    if (s.empty() || is_censored_text(s) || earlier_output(s)) return;
    if (scrub_embedded_json(s)) return;
    ScrubMemo::Entry* seen = memo_ != nullptr ? memo_->entry(s, /*add=*/false) : nullptr;
    if (seen != nullptr && seen->quiet) return;
    std::vector<Span> spans;
    std::vector<std::string> pair_names;
    bool key_hint = a_.detectors_.find(s, spans);
    if (key_hint && a_.keys_) find_pairs(s, spans, pair_names);
    if (spans.empty()) {
      // Only text with nothing to scrub is remembered.
      if (ScrubMemo::Entry* added = memo_ != nullptr ? memo_->entry(s) : nullptr) {
        added->plain = true;
        added->quiet = true;
      }
      return;
    }
    std::string reasons = report_ ? reason_list(s, spans, pair_names) : std::string();
    rewrite(s, spans);
    ++count_;
    if (report_) report_->push_back({path_, std::move(reasons)});
  }

  // A string that holds a JSON object or array, or a JSON string of one (encoded twice), is
  // scrubbed as JSON and written back only when something changed. Returns false when `s` is not
  // such a string within the bounds (kMaxEmbedded*): the caller scrubs it as text.
  bool scrub_embedded_json(std::string& s) {
    if (embedded_levels_ >= kMaxEmbeddedLevels || s.size() > kMaxEmbeddedBytes) return false;
    const bool object_or_array = looks_like_json(s);
    if (!object_or_array && !looks_like_encoded_json(s)) return false;
    if (nesting(s, kMaxEmbeddedNesting) > kMaxEmbeddedNesting) return false;
    Result<json::Value> parsed = json::parse(s);
    if (!parsed.ok()) return false;
    const size_t before = count_;
    const size_t mark = path_.size();
    if (report_) path_ += "<json>";
    ++embedded_levels_;
    if (object_or_array && (parsed->is_object() || parsed->is_array())) {
      walk_children(*parsed, {}, nullptr, Zone::kOpen);
    } else if (!object_or_array && parsed->is_string()) {
      scrub_string(parsed->as_string());
    } else {
      --embedded_levels_;
      path_.resize(mark);
      return false;
    }
    --embedded_levels_;
    path_.resize(mark);
    if (count_ > before) s = json::to_string(*parsed);
    return true;
  }

  // Appends the value spans of pairs whose name matches a key pattern. Span::detector is
  // -1 - index into `names` (the matched name, for explain).
  void find_pairs(std::string_view s, std::vector<Span>& spans, std::vector<std::string>& names) {
    const re2::StringPiece text(s.data(), s.size());
    re2::StringPiece g[kPairGroups];
    auto first = [&](int from, int to) -> const re2::StringPiece& {
      for (int i = from; i < to; ++i) {
        if (g[i].data() != nullptr) return g[i];
      }
      return g[to];
    };
    size_t pos = 0;
    while (pos < s.size() &&
           pair_regex().Match(text, pos, s.size(), RE2::UNANCHORED, g, kPairGroups)) {
      const re2::StringPiece& name = first(1, 4);
      const re2::StringPiece& value = first(5, 8);
      int k = match_key(std::string_view(name.data(), name.size()));
      if (k >= 0 && value.data() && !value.empty() &&
          !is_censored_text(std::string_view(value.data(), value.size()))) {
        size_t b = static_cast<size_t>(value.data() - s.data());
        names.push_back("key \"" + std::string(name.data(), name.size()) + "\" in text (pattern " +
                        in_quotes(a_.key_texts_[static_cast<size_t>(k)]) + ")");
        spans.push_back(Span{b, b + value.size(), -static_cast<int>(names.size())});
      }
      size_t end = static_cast<size_t>(g[0].data() - s.data()) + g[0].size();
      pos = end > pos ? end : pos + 1;
    }
  }

  std::string reason_list(std::string_view, const std::vector<Span>& spans,
                          const std::vector<std::string>& pair_names) const {
    std::map<std::string, int> counts;
    for (const Span& sp : spans) {
      const std::string& r = sp.detector >= 0 ? a_.detectors_.name(sp.detector)
                                              : pair_names[static_cast<size_t>(-sp.detector - 1)];
      ++counts[r];
    }
    std::string out;
    for (const auto& [r, n] : counts) {
      if (!out.empty()) out += ", ";
      out += r;
      if (n > 1) out += " x" + std::to_string(n);
    }
    return out;
  }

  void rewrite(std::string& s, std::vector<Span>& spans) const {
    ValueDetectorSet::merge(spans);
    std::string out;
    out.reserve(s.size());
    size_t last = 0;
    for (const Span& sp : spans) {
      out.append(s, last, sp.begin - last);
      out += redact_text(a_.method_, std::string_view(s).substr(sp.begin, sp.end - sp.begin));
      last = sp.end;
    }
    out.append(s, last, std::string::npos);
    s = std::move(out);
  }

  const ScrubAction& a_;
  std::vector<ScrubbedField>* report_;
  std::unordered_set<std::string>* rewritten_;
  ScrubMemo* memo_;
  std::string path_;
  std::vector<int> hits_;
  size_t count_ = 0;
  int embedded_levels_ = 0;  // strings holding JSON we are inside of
};

ScrubAction::ScrubAction() = default;
ScrubAction::~ScrubAction() = default;
ScrubAction::ScrubAction(ScrubAction&&) noexcept = default;
ScrubAction& ScrubAction::operator=(ScrubAction&&) noexcept = default;

ScrubMemo::Entry* ScrubMemo::entry(std::string_view text, bool add) {
  if (text.size() > kMaxBytes) return nullptr;
  if (auto it = entries_.find(text); it != entries_.end()) return &it->second;
  if (!add) return nullptr;
  if (entries_.size() >= kMaxEntries) entries_.clear();
  return &entries_.emplace(std::string(text), Entry{}).first->second;
}

size_t ScrubAction::apply(json::Value& event, std::vector<ScrubbedField>* report,
                          std::unordered_set<std::string>* rewritten, ScrubMemo* memo) const {
  if (!event.is_object()) return 0;
  ScrubWalker w(*this, report, rewritten, memo);
  w.walk_event(event);
  return w.count();
}

Status ScrubBuilder::add_path(std::string_view text) {
  Result<Path> parsed = parse_path(text);
  if (!parsed.ok()) return Status::Error("bad path " + in_quotes(text) + ": " + parsed.message());
  for (ResolvedPath& r : resolve_paths(*parsed)) {
    if (PiiTable::get().zone_of_path(r.path) == Zone::kClosed) {
      if (r.as_written) {
        return Status::Error("path " + in_quotes(text) +
                             " names a structural field, which is never scrubbed "
                             "(see \"What scrubbing never touches\" in docs/rules.md)");
      }
      continue;  // e.g. req.method → request.method: only the extra.req copy is scrubbed
    }
    paths_.emplace_back(std::string(text), std::move(r.path));
  }
  return Status::Ok();
}

Status ScrubBuilder::add_key_pattern(std::string_view pattern) {
  // Parsed into the set now, so that a bad pattern is reported at its place; build() compiles
  // the set once.
  if (!key_set_) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_case_sensitive(false);
    key_set_ = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  }
  std::string err;
  if (key_set_->Add(re2::StringPiece(pattern.data(), pattern.size()), &err) < 0) {
    return Status::Error("bad RE2 pattern " + in_quotes(pattern) + ": " + err);
  }
  keys_.emplace_back(pattern);
  return Status::Ok();
}

Status ScrubBuilder::add_detector(std::string_view builtin_name) {
  ValueDetectorSet probe;
  if (Status s = probe.add_builtin(builtin_name); !s.ok()) return s;
  builtins_.emplace_back(builtin_name);
  return Status::Ok();
}

Status ScrubBuilder::add_custom_detector(std::string name, std::string_view pattern) {
  ValueDetectorSet probe;
  if (Status s = probe.add_custom(name, pattern); !s.ok()) {
    return Status::Error("bad RE2 pattern " + in_quotes(pattern) + ": " + s.message());
  }
  customs_.emplace_back(std::move(name), std::string(pattern));
  return Status::Ok();
}

Result<ScrubAction> ScrubBuilder::build() {
  ScrubAction a;
  for (size_t i = 0; i < paths_.size(); ++i) {
    a.paths_.add(paths_[i].second, static_cast<int>(i));
    a.path_texts_.push_back(paths_[i].first);
  }
  if (!keys_.empty()) {
    if (!key_set_->Compile()) return Status::Error("the key patterns are too large to compile");
    a.keys_ = std::move(key_set_);
    a.key_texts_ = keys_;
    if (Status s = a.detectors_.set_extra_prefilter(key_prefilter(keys_)); !s.ok()) return s;
  }
  for (const std::string& b : builtins_) {
    if (Status s = a.detectors_.add_builtin(b); !s.ok()) return s;
  }
  for (auto& [name, pattern] : customs_) {
    if (Status s = a.detectors_.add_custom(name, pattern); !s.ok()) return s;
  }
  if (Status s = a.detectors_.compile(); !s.ok()) return s;
  a.method_ = method_;
  return a;
}

}  // namespace faultline::rules
