#include "rules/value_detectors.h"

#include <algorithm>

#include "base/suggest.h"
#include "rules/builtin_detectors.h"

namespace faultline::rules {

using builtin::Locate;
using builtin::Quick;
using builtin::Signals;
using builtin::Validator;

struct ValueDetectorSet::Detector {
  std::string name;
  std::unique_ptr<RE2> re;
  bool use_group = false;  // custom patterns with a capture group: scrub group 1
  Validator validate = nullptr;
  Quick quick = nullptr;    // null: no cheap test (custom patterns)
  Locate locate = nullptr;  // null: the whole match (or group 1)
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

Status ValueDetectorSet::add(std::string name, std::string_view pattern, int builtin_index) {
  const builtin::Detector* b =
      builtin_index >= 0 ? &builtin::all()[static_cast<size_t>(builtin_index)] : nullptr;
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_longest_match(b && b->longest);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) return Status::Error(re->error());
  auto d = std::make_unique<Detector>();
  d->name = std::move(name);
  d->use_group = !b && re->NumberOfCapturingGroups() >= 1;
  d->re = std::move(re);
  d->validate = b ? b->validate : nullptr;
  d->quick = b ? b->quick : nullptr;
  d->locate = b ? b->locate : nullptr;
  detectors_.push_back(std::move(d));
  return Status::Ok();
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
    if (b.name == name) {
      for (const auto& d : detectors_) {
        if (d->name == name) return Status::Ok();  // listed twice: once is enough
      }
      return add(std::string(b.name), b.pattern, static_cast<int>(i));
    }
  }
  std::vector<std::string_view> known = builtin_names();
  known.push_back("@all");
  return Status::Error("unknown detector \"" + std::string(name) + "\"" +
                       did_you_mean(name, known));
}

Status ValueDetectorSet::add_custom(std::string name, std::string_view pattern) {
  return add(std::move(name), pattern, -1);
}

Status ValueDetectorSet::set_extra_prefilter(std::string_view pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 probe(pattern, opts);
  if (!probe.ok()) return Status::Error(probe.error());
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
    if (set_->Add(d->re->pattern(), &err) < 0) return Status::Error(err);
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
    while (pos <= text.size() && d.re->Match(whole, pos, text.size(), RE2::UNANCHORED, groups, n)) {
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

}  // namespace faultline::rules
