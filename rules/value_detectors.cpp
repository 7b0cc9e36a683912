#include "rules/value_detectors.h"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "base/suggest.h"
#include "rules/builtin_detectors.h"

namespace faultline::rules {

using builtin::Locate;
using builtin::Quick;
using builtin::Signals;
using builtin::Validator;

namespace {

// A built-in's own RE2 runs only on a string the set's prefilter and the built-in's cheap test
// let through, which most runs of faultline never see for most built-ins. So each one is compiled
// on its first such string, once per process, and shared by every ValueDetectorSet (the scrubs of
// one rule set, and the rule sets of later reloads). A built-in pattern always compiles
// (value_detectors_test compiles each one).
const RE2& builtin_regex(size_t index) {
  struct Slot {
    std::once_flag once;
    std::unique_ptr<RE2> re;
  };
  static std::vector<Slot> slots(builtin::all().size());
  Slot& slot = slots[index];
  std::call_once(slot.once, [&] {
    const builtin::Detector& b = builtin::all()[index];
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_longest_match(b.longest);
    slot.re = std::make_unique<RE2>(re2::StringPiece(b.pattern.data(), b.pattern.size()), opts);
  });
  return *slot.re;
}

}  // namespace

struct ValueDetectorSet::Detector {
  std::string name;
  int builtin = -1;          // index into builtin::all(), or -1 for a custom pattern
  std::unique_ptr<RE2> own;  // a custom pattern's RE2
  bool use_group = false;    // custom patterns with a capture group: scrub group 1
  Validator validate = nullptr;
  Quick quick = nullptr;    // null: no cheap test (custom patterns)
  Locate locate = nullptr;  // null: the whole match (or group 1)

  std::string_view pattern() const {
    if (builtin >= 0) return builtin::all()[static_cast<size_t>(builtin)].pattern;
    return std::string_view(own->pattern());
  }
  const RE2& regex() const {
    return builtin >= 0 ? builtin_regex(static_cast<size_t>(builtin)) : *own;
  }
};

ValueDetectorSet::ValueDetectorSet() = default;
ValueDetectorSet::~ValueDetectorSet() = default;
ValueDetectorSet::ValueDetectorSet(ValueDetectorSet&&) noexcept = default;
ValueDetectorSet& ValueDetectorSet::operator=(ValueDetectorSet&&) noexcept = default;

const std::vector<std::string_view>& ValueDetectorSet::builtin_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> n;
    for (const builtin::Detector& b : builtin::all()) n.push_back(b.name);
    return n;
  }();
  return names;
}

Status ValueDetectorSet::add_builtin(std::string_view name) {
  if (name == "@all") {
    for (const builtin::Detector& b : builtin::all()) {
      if (Status s = add_builtin(b.name); !s.ok()) return s;
    }
    return Status::Ok();
  }
  for (size_t i = 0; i < builtin::all().size(); ++i) {
    const builtin::Detector& b = builtin::all()[i];
    if (b.name != name) continue;
    for (const auto& d : detectors_) {
      if (d->name == name) return Status::Ok();  // listed twice: once is enough
    }
    auto d = std::make_unique<Detector>();
    d->name = std::string(b.name);
    d->builtin = static_cast<int>(i);
    d->validate = b.validate;
    d->quick = b.quick;
    d->locate = b.locate;
    detectors_.push_back(std::move(d));
    return Status::Ok();
  }
  std::vector<std::string_view> known = builtin_names();
  known.push_back("@all");
  return Status::Error("unknown detector \"" + std::string(name) + "\"" +
                       did_you_mean(name, known));
}

Status ValueDetectorSet::add_custom(std::string name, std::string_view pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) return Status::Error(re->error());
  auto d = std::make_unique<Detector>();
  d->name = std::move(name);
  d->use_group = re->NumberOfCapturingGroups() >= 1;
  d->own = std::move(re);
  detectors_.push_back(std::move(d));
  return Status::Ok();
}

Status ValueDetectorSet::set_extra_prefilter(std::string_view pattern) {
  // Parsed only, to report a bad pattern here; compile() compiles it once, inside the set.
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2::Set probe(opts, RE2::UNANCHORED);
  std::string err;
  if (probe.Add(re2::StringPiece(pattern.data(), pattern.size()), &err) < 0) {
    return Status::Error(err);
  }
  extra_ = std::string(pattern);
  return Status::Ok();
}

Status ValueDetectorSet::compile() {
  RE2::Options opts;
  opts.set_log_errors(false);
  set_ = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  // Set index i is detector i; the extra prefilter pattern, if any, comes last.
  for (const auto& d : detectors_) {
    std::string err;
    if (set_->Add(without_upper_bounds(d->pattern()), &err) < 0) return Status::Error(err);
  }
  if (!extra_.empty()) {
    std::string err;
    if (set_->Add(extra_, &err) < 0) return Status::Error(err);
  }
  if (!set_->Compile()) return Status::Error("the detector patterns are too large to compile");
  compiled_ = true;
  return Status::Ok();
}

const std::string& ValueDetectorSet::name(int detector) const {
  return detectors_[static_cast<size_t>(detector)]->name;
}

const RE2& ValueDetectorSet::regex(int detector) const {
  return detectors_[static_cast<size_t>(detector)]->regex();
}

bool ValueDetectorSet::find(std::string_view text, std::vector<Span>& out) const {
  if (!compiled_ || text.empty() || (detectors_.empty() && extra_.empty())) return false;
  // Most strings cannot match any built-in; one pass over the bytes tells, without a regex.
  const Signals sig(text);
  uint64_t candidates = 0;  // bit i: detector i may match (all bits past 64)
  for (size_t i = 0; i < detectors_.size(); ++i) {
    const Quick q = detectors_[i]->quick;
    if (i >= 64 || !q || q(sig)) candidates |= i >= 64 ? ~uint64_t{0} : uint64_t{1} << i;
  }
  const bool extra_possible = !extra_.empty() && (sig.colons > 0 || sig.equals);
  if (candidates == 0 && !extra_possible) return false;
  std::vector<int> hits;
  RE2::Set::ErrorInfo info;
  if (!set_->Match(re2::StringPiece(text.data(), text.size()), &hits, &info)) {
    if (info.kind != RE2::Set::kOutOfMemory) return false;
    // The DFA ran out of memory on a huge string: try every pattern instead of guessing.
    hits.clear();
    size_t n = detectors_.size() + (extra_.empty() ? 0 : 1);
    for (size_t i = 0; i < n; ++i) hits.push_back(static_cast<int>(i));
  }
  bool prefilter_hit = false;
  const re2::StringPiece whole(text.data(), text.size());
  for (int h : hits) {
    if (static_cast<size_t>(h) >= detectors_.size()) {
      prefilter_hit = true;
      continue;
    }
    if (h < 64 && !(candidates & (uint64_t{1} << h))) continue;
    const Detector& d = *detectors_[static_cast<size_t>(h)];
    re2::StringPiece groups[2];
    const int n = d.use_group ? 2 : 1;
    size_t pos = 0;
    const RE2& re = d.regex();
    while (pos <= text.size() && re.Match(whole, pos, text.size(), RE2::UNANCHORED, groups, n)) {
      const re2::StringPiece& part = d.use_group ? groups[1] : groups[0];
      if (part.data() != nullptr && !part.empty()) {
        size_t b = static_cast<size_t>(part.data() - text.data());
        size_t e = b + part.size();
        if (d.locate) {
          auto [lb, le] = d.locate(std::string_view(part.data(), part.size()));
          e = b + le;
          b += lb;
        }
        if (b < e && (!d.validate || d.validate(text, b, e))) out.push_back(Span{b, e, h});
      }
      size_t next = static_cast<size_t>(groups[0].data() - text.data()) + groups[0].size();
      pos = groups[0].empty() ? next + 1 : next;
    }
  }
  return prefilter_hit;
}

void ValueDetectorSet::merge(std::vector<Span>& spans) {
  if (spans.size() < 2) return;
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<Span> out;
  out.reserve(spans.size());
  for (const Span& s : spans) {
    if (!out.empty() && s.begin <= out.back().end) {
      out.back().end = std::max(out.back().end, s.end);
    } else {
      out.push_back(s);
    }
  }
  spans = std::move(out);
}

std::string without_upper_bounds(std::string_view pattern) {
  if (pattern.find("\\Q") != std::string_view::npos) return std::string(pattern);  // literal text
  std::string out;
  out.reserve(pattern.size());
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {  // an escaped character is itself
      out += c;
      out += pattern[++i];
    } else if (in_class) {
      if (c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {  // [:alpha:]
        const size_t end = pattern.find(":]", i + 2);
        const size_t stop = end == std::string_view::npos ? pattern.size() : end + 2;
        out.append(pattern.substr(i, stop - i));
        i = stop - 1;
        continue;
      }
      if (c == ']') in_class = false;
      out += c;
    } else if (c == '[') {
      in_class = true;
      out += c;
      // A ']' first in a class ("[]a]", "[^]a]") is one of its members.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
    } else if (c == '{') {
      // {n,m} → {n,}; anything else ({n}, {n,}, a literal '{') is copied as it is.
      size_t j = i + 1;
      while (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j]))) ++j;
      const size_t comma = j;
      if (comma > i + 1 && comma < pattern.size() && pattern[comma] == ',') {
        size_t k = comma + 1;
        while (k < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[k]))) ++k;
        if (k > comma + 1 && k < pattern.size() && pattern[k] == '}') {
          out.append(pattern.substr(i, comma + 1 - i));
          out += '}';
          i = k;
          continue;
        }
      }
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace faultline::rules
