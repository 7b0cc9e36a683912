// RuleSet::compile: the `rules:` YAML section and the preset files → CompiledRules.
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "base/in_quotes.h"
#include "base/suggest.h"
#include "base/yaml_reader.h"
#include "rules/compiled_rule.h"
#include "rules/presets.h"
#include "rules/rule_set.h"

#ifndef FAULTLINE_PRESETS_DIR
#define FAULTLINE_PRESETS_DIR ""
#endif

namespace faultline::rules {

namespace {

using yaml::index_path;
using yaml::join_path;

const std::vector<std::string_view> kSectionKeys = {"presets", "list", "hash-key-env", "detect"};
const std::vector<std::string_view> kPresetFileKeys = {"description", "list"};
const std::vector<std::string_view> kActions = {"scrub", "drop",        "drop-body", "tag",
                                                "user",  "fingerprint", "sample",    "throttle"};
const std::vector<std::string_view> kRuleKeys = {"name",      "when",    "scrub", "drop",
                                                 "drop-body", "tag",     "user",  "fingerprint",
                                                 "sample",    "throttle"};
const std::vector<std::string_view> kScrubKeys = {"paths", "keys", "detectors", "method"};
const std::vector<std::string_view> kThrottleKeys = {"max", "window", "by", "max-keys"};
constexpr std::string_view kDefaultHashKeyEnv = "FAULTLINE_HASH_KEY";

// The hash key, read from the environment the first time a rule asks for it.
class HashKey {
 public:
  HashKey(std::string env_name, const Getenv& getenv)
      : env_(std::move(env_name)), getenv_(getenv) {}
  std::shared_ptr<const std::string> get(yaml::Reader& r, const yaml::Node& at,
                                         std::string_view path) {
    if (!looked_) {
      looked_ = true;
      std::optional<std::string> v;
      if (getenv_) {
        v = getenv_(env_);
      } else if (const char* p = std::getenv(env_.c_str())) {
        v = std::string(p);
      }
      if (v && !v->empty()) key_ = std::make_shared<const std::string>(std::move(*v));
    }
    if (!key_) {
      r.error(at, path,
              "method hash needs a key: set the environment variable " + env_ +
                  " (rules.hash-key-env names another variable); use 32 random bytes or more");
    }
    return key_;
  }

 private:
  std::string env_;
  const Getenv& getenv_;
  bool looked_ = false;
  std::shared_ptr<const std::string> key_;
};

struct Ctx {
  yaml::Reader* r;  // where problems go; its file names them
  HashKey* hash_key;
  RuleSet::Impl* out;
};

std::optional<Method> compile_method(Ctx& ctx, const yaml::Node& n, std::string_view path) {
  yaml::Reader& r = *ctx.r;
  Method m;
  const std::vector<std::string_view> kinds = {"mask", "remove", "hash", "replace", "keep-last"};
  if (n.is_scalar()) {
    const std::string& s = n.text();
    if (s == "mask") {
      m.kind = Method::Kind::kMask;
    } else if (s == "remove") {
      m.kind = Method::Kind::kRemove;
    } else if (s == "hash") {
      m.kind = Method::Kind::kHash;
      m.hash_key = ctx.hash_key->get(r, n, path);
      if (!m.hash_key) return std::nullopt;
    } else if (s == "replace" || s == "keep-last") {
      r.error(n, path, s == "replace" ? "write {replace: TEXT}" : "write {keep-last: N}");
      return std::nullopt;
    } else {
      r.error(n, path,
              "unknown method " + in_quotes(s) + did_you_mean(s, kinds) +
                  "; methods are mask, remove, hash, {replace: TEXT}, {keep-last: N}");
      return std::nullopt;
    }
    return m;
  }
  if (n.is_map() && n.size() == 1) {
    const yaml::Node& key = n.entries()[0].key;
    const yaml::Node& val = n.entries()[0].value;
    const std::string k = key.is_scalar() ? key.text() : "";
    const std::string vpath = join_path(path, k);
    if (k == "replace") {
      auto text = r.text(val, vpath, "the replacement text");
      if (!text) return std::nullopt;
      m.kind = Method::Kind::kReplace;
      m.text = *text;
      return m;
    }
    if (k == "keep-last") {
      auto nkeep = r.integer(val, vpath, 1, 64);
      if (!nkeep) return std::nullopt;
      m.kind = Method::Kind::kKeepLast;
      m.keep = static_cast<size_t>(*nkeep);
      return m;
    }
    r.error(key, path, "unknown method " + in_quotes(k) + did_you_mean(k, kinds));
    return std::nullopt;
  }
  r.error(n, path,
          "expected mask, remove, hash, {replace: TEXT} or {keep-last: N}, got " +
              yaml::Reader::describe(n));
  return std::nullopt;
}

std::optional<ScrubAction> compile_scrub(Ctx& ctx, const yaml::Node& n, std::string_view path) {
  yaml::Reader& r = *ctx.r;
  if (!r.check_keys(n, path, kScrubKeys)) return std::nullopt;
  ScrubBuilder b;
  bool ok = true;
  auto each = [&](std::string_view key, std::string_view expected, auto fn) {
    const yaml::Node& list = n[key];
    if (!list.defined()) return;
    const std::string lpath = join_path(path, key);
    if (!list.is_sequence() || list.size() == 0) {
      r.error(list, lpath,
              "expected a non-empty list of " + std::string(expected) + ", got " +
                  yaml::Reader::describe(list));
      ok = false;
      return;
    }
    size_t i = 0;
    for (const yaml::Node& item : list.items()) {
      const std::string ipath = index_path(lpath, i++);
      Status s = fn(item, ipath);
      if (!s.ok()) {
        r.error(item, ipath, s.message());
        ok = false;
      }
    }
  };
  auto scalar = [](const yaml::Node& item, std::string_view what) -> Result<std::string> {
    if (!item.is_scalar()) {
      return Status::Error("expected " + std::string(what) + ", got " +
                           yaml::Reader::describe(item));
    }
    return item.text();
  };
  each("paths", "paths", [&](const yaml::Node& item, const std::string&) -> Status {
    auto t = scalar(item, "a path such as req.headers.authorization");
    return t.ok() ? b.add_path(*t) : t.status();
  });
  each("keys", "key patterns", [&](const yaml::Node& item, const std::string&) -> Status {
    auto t = scalar(item, "an RE2 pattern for key names");
    return t.ok() ? b.add_key_pattern(*t) : t.status();
  });
  each("detectors", "detectors", [&](const yaml::Node& item, const std::string& ipath) -> Status {
    if (item.is_map()) {
      if (!r.check_keys(item, ipath, {"name", "pattern"})) return Status::Ok();
      const yaml::Node& name = item["name"];
      const yaml::Node& pattern = item["pattern"];
      if (!pattern.is_scalar()) return Status::Error("a custom detector needs `pattern: RE2`");
      std::string label = name.is_scalar() ? name.text() : "pattern " + in_quotes(pattern.text());
      return b.add_custom_detector(std::move(label), pattern.text());
    }
    auto t = scalar(item, "a detector (@email, ...) or an RE2 pattern");
    if (!t.ok()) return t.status();
    if (!t->empty() && (*t)[0] == '@') return b.add_detector(*t);
    return b.add_custom_detector("pattern " + in_quotes(*t), *t);
  });
  if (const yaml::Node& method = n["method"]; method.defined()) {
    auto m = compile_method(ctx, method, join_path(path, "method"));
    if (!m) return std::nullopt;
    b.set_method(std::move(*m));
  }
  if (!ok) return std::nullopt;
  if (b.empty()) {
    r.error(n, path, "nothing to scrub: give paths, keys or detectors");
    return std::nullopt;
  }
  Result<ScrubAction> built = b.build();
  if (!built.ok()) {
    r.error(n, path, built.message());
    return std::nullopt;
  }
  return std::move(built).value();
}

std::optional<Template> compile_template(yaml::Reader& r, const yaml::Node& n,
                                         std::string_view path, bool allow_default) {
  if (!n.is_scalar()) {
    r.error(
        n, path,
        "expected a text (may use {{ route }}-style variables), got " + yaml::Reader::describe(n));
    return std::nullopt;
  }
  Result<Template> t = Template::compile(n.text(), allow_default);
  if (!t.ok()) {
    r.error(n, path, t.message());
    return std::nullopt;
  }
  return std::move(t).value();
}

bool compile_action(Ctx& ctx, std::string_view action, const yaml::Node& v, std::string_view path,
                    bool has_when, CompiledRule& rule) {
  yaml::Reader& r = *ctx.r;
  const std::string apath = join_path(path, action);
  if (action == "scrub") {
    auto s = compile_scrub(ctx, v, apath);
    if (!s) return false;
    rule.summary = s->method().describe();
    rule.action = std::move(*s);
    return true;
  }
  if (action == "drop") {
    if (!has_when) {
      r.error(v, apath, "drop without `when:` would drop every event; add a condition");
      return false;
    }
    auto reason = r.text(v, apath, "a reason (text) or true");
    if (!reason) return false;
    // The boolean rule of every other key: only true (or True, TRUE) stands for "yes".
    const std::optional<bool> flag = yaml::parse_bool(*reason);
    if (flag == false || reason->empty()) {
      r.error(v, apath, "expected a reason (text) or true, got " + yaml::Reader::describe(v));
      return false;
    }
    rule.action = DropAction{flag == true ? std::string("dropped by rule") : *reason};
    return true;
  }
  if (action == "drop-body") {
    auto b = r.boolean(v, apath);
    if (!b) return false;
    if (!*b) {
      r.error(v, apath, "drop-body: false does nothing; remove the rule instead");
      return false;
    }
    rule.action = DropBodyAction{};
    return true;
  }
  if (action == "tag") {
    if (!v.is_map() || v.size() == 0) {
      r.error(v, apath,
              "expected a mapping of tag name to value, e.g. {area: payments}, got " +
                  yaml::Reader::describe(v));
      return false;
    }
    TagAction t;
    bool ok = true;
    for (const yaml::Node::Entry& e : v.entries()) {
      const std::string key = e.key.is_scalar() ? e.key.text() : "";
      if (!valid_tag_key(key)) {
        r.error(
            e.key, apath,
            "bad tag name " + in_quotes(key) + ": at most 32 characters of A-Z a-z 0-9 _ . : -");
        ok = false;
        continue;
      }
      auto tmpl = compile_template(r, e.value, join_path(apath, key), false);
      if (!tmpl) {
        ok = false;
        continue;
      }
      t.tags.emplace_back(key, std::move(*tmpl));
    }
    if (!ok) return false;
    rule.action = std::move(t);
    return true;
  }
  if (action == "user") {
    if (!r.check_keys(v, apath, {"id"})) return false;
    const yaml::Node& id = v["id"];
    if (!id.defined()) {
      r.error(v, apath,
              "expected {id: PATH or [PATH...]}; only an internal id is sent, never emails or "
              "names");
      return false;
    }
    auto list = r.text_list(id, join_path(apath, "id"), "a path", /*allow_empty=*/false);
    if (!list) return false;
    UserAction u;
    bool ok = true;
    for (size_t i = 0; i < list->size(); ++i) {
      Result<Path> p = parse_path((*list)[i]);
      if (!p.ok()) {
        r.error(id.is_sequence() ? id.items()[i] : id, join_path(apath, "id"),
                "bad path " + in_quotes((*list)[i]) + ": " + p.message());
        ok = false;
        continue;
      }
      std::vector<Path> resolved;
      for (ResolvedPath& rp : resolve_paths(*p)) resolved.push_back(std::move(rp.path));
      u.id_paths.emplace_back((*list)[i], std::move(resolved));
    }
    if (!ok) return false;
    rule.action = std::move(u);
    return true;
  }
  if (action == "fingerprint") {
    if (!v.is_sequence() || v.size() == 0) {
      r.error(v, apath,
              "expected a list of texts, e.g. [\"{{ route }}\", \"{{ error.type }}\"], got " +
                  yaml::Reader::describe(v));
      return false;
    }
    FingerprintAction f;
    bool ok = true;
    size_t i = 0;
    std::string summary;
    for (const yaml::Node& item : v.items()) {
      auto tmpl = compile_template(r, item, index_path(apath, i++), true);
      if (!tmpl) {
        ok = false;
        continue;
      }
      summary += (summary.empty() ? "" : ", ") + tmpl->text();
      f.parts.push_back(std::move(*tmpl));
    }
    if (!ok) return false;
    rule.summary = "[" + summary + "]";
    rule.action = std::move(f);
    return true;
  }
  if (action == "sample") {
    auto rate = r.number(v, apath, 0, 1);
    if (!rate) return false;
    rule.action = SampleAction{*rate};
    return true;
  }
  if (action == "throttle") {
    if (!r.check_keys(v, apath, kThrottleKeys)) return false;
    ThrottleAction t;
    bool ok = true;
    const yaml::Node& max = v["max"];
    const yaml::Node& window = v["window"];
    if (!max.defined() || !window.defined()) {
      r.error(v, apath, "expected {max: N, window: DURATION}, e.g. {max: 10, window: 1m}");
      return false;
    }
    if (auto m = r.integer(max, join_path(apath, "max"), 1, 1'000'000'000)) {
      t.max = static_cast<uint64_t>(*m);
    } else {
      ok = false;
    }
    if (auto w = r.duration(window, join_path(apath, "window"), std::chrono::milliseconds(1))) {
      t.window = *w;
    } else {
      ok = false;
    }
    if (const yaml::Node& mk = v["max-keys"]; mk.defined()) {
      if (auto m = r.integer(mk, join_path(apath, "max-keys"), 1, 10'000'000)) {
        t.max_keys = static_cast<size_t>(*m);
      } else {
        ok = false;
      }
    }
    if (const yaml::Node& by = v["by"]; by.defined()) {
      auto list = r.text_list(by, join_path(apath, "by"), "a text", /*allow_empty=*/false);
      if (!list) return false;
      for (size_t i = 0; i < list->size(); ++i) {
        Result<Template> tmpl = Template::compile((*list)[i], false);
        if (!tmpl.ok()) {
          r.error(by.is_sequence() ? by.items()[i] : by, join_path(apath, "by"), tmpl.message());
          ok = false;
          continue;
        }
        t.by.push_back(std::move(tmpl).value());
      }
    }
    if (!ok) return false;
    rule.summary = "max " + std::to_string(t.max) + " per " + window.text();
    rule.throttle_slot = ctx.out->throttles++;
    rule.action = std::move(t);
    return true;
  }
  return false;
}

// One entry of a `list:`. `label_prefix` is "preset NAME: " for presets.
void compile_rule(Ctx& ctx, const yaml::Node& n, std::string_view path,
                  std::string_view label_prefix) {
  yaml::Reader& r = *ctx.r;
  if (!n.is_map()) {
    r.error(n, path,
            "expected a rule: a mapping with `when:` (optional) and one action, got " +
                yaml::Reader::describe(n));
    return;
  }
  bool ok = true;
  std::vector<std::pair<std::string, const yaml::Node*>> actions;
  std::vector<std::string_view> known = kRuleKeys;
  for (const yaml::Node::Entry& e : n.entries()) {
    const std::string key = e.key.is_scalar() ? e.key.text() : "";
    if (key == "filter") {
      r.error(e.key, join_path(path, key), "unknown key: to filter events out, use `drop: REASON`");
      known.push_back("filter");  // reported here, not again by check_keys
      ok = false;
    } else if (std::find(kActions.begin(), kActions.end(), key) != kActions.end()) {
      actions.emplace_back(key, &e.value);
    } else if (std::find(kRuleKeys.begin(), kRuleKeys.end(), key) == kRuleKeys.end()) {
      ok = false;  // reported by check_keys below
    }
  }
  r.check_keys(n, path, known);
  if (actions.empty() && !ok) return;  // the unknown key was most likely the action, misspelt
  if (actions.empty()) {
    std::string names;
    for (std::string_view a : kActions) names += (names.empty() ? "" : ", ") + std::string(a);
    r.error(n, path, "no action: give one of " + names);
    return;
  }
  if (actions.size() > 1) {
    r.error(n, path,
            "more than one action (" + actions[0].first + ", " + actions[1].first +
                "): one action per rule; split it into two rules");
    return;
  }
  CompiledRule rule;
  rule.action_name = actions[0].first;
  std::string name;
  if (const yaml::Node& nm = n["name"]; nm.defined()) {
    auto s = r.text(nm, join_path(path, "name"), "a name");
    if (!s) return;
    name = *s;
  }
  rule.name = std::string(label_prefix) + (name.empty() ? std::string(path) : name);
  if (!label_prefix.empty()) {
    rule.label = rule.name;
  } else {
    rule.label =
        name.empty() ? std::string(path) : in_quotes(name) + " (" + std::string(path) + ")";
  }
  const yaml::Node& when = n["when"];
  if (when.defined()) {
    auto c = Condition::compile(r, when, join_path(path, "when"));
    if (c) {
      rule.when = std::move(*c);
    } else {
      ok = false;
    }
  }
  rule.location =
      r.file() + ":" + std::to_string(n.mark().line) + ":" + std::to_string(n.mark().column);
  ok = compile_action(ctx, actions[0].first, *actions[0].second, path, when.defined(), rule) && ok;
  if (ok) ctx.out->rules.push_back(std::move(rule));
}

void compile_list(Ctx& ctx, const yaml::Node& list, std::string_view path,
                  std::string_view label_prefix) {
  if (list.absent()) return;
  if (!list.is_sequence()) {
    ctx.r->error(list, path, "expected a list of rules, got " + yaml::Reader::describe(list));
    return;
  }
  size_t i = 0;
  for (const yaml::Node& item : list.items()) {
    compile_rule(ctx, item, index_path(path, i++), label_prefix);
  }
}

// A preset file is parsed and compiled on its own reader, so that its messages name that file;
// its problems are then added to the configuration's.
void compile_preset(Ctx& ctx, std::string_view name, const CompileOptions& options) {
  PresetSource p = load_preset(name, options.presets_dir);
  yaml::Reader preset_reader(p.file);
  if (std::optional<yaml::Node> root = preset_reader.parse(p.text)) {
    Ctx pctx{&preset_reader, ctx.hash_key, ctx.out};
    if (preset_reader.check_keys(*root, "", kPresetFileKeys)) {
      compile_list(pctx, (*root)["list"], "list", "preset " + std::string(name) + ": ");
    }
  }
  ctx.r->absorb(preset_reader);
}

// The presets switched on by `rules.presets` (a mapping name → bool or a list of names).
std::optional<std::vector<std::string>> enabled_presets(yaml::Reader& r, const yaml::Node& n) {
  std::vector<std::string_view> known = preset_names();
  std::vector<std::string> on(default_presets().begin(), default_presets().end());
  if (n.absent()) return on;
  bool ok = true;
  auto check = [&](const yaml::Node& key, const std::string& name) {
    if (std::find(known.begin(), known.end(), name) != known.end()) return true;
    r.error(key, "rules.presets", "unknown preset " + in_quotes(name) + did_you_mean(name, known));
    ok = false;
    return false;
  };
  if (n.is_sequence()) {
    on.clear();
    for (const yaml::Node& item : n.items()) {
      if (!item.is_scalar()) {
        r.error(item, "rules.presets",
                "expected a preset name, got " + yaml::Reader::describe(item));
        ok = false;
      } else if (check(item, item.text())) {
        on.push_back(item.text());
      }
    }
  } else if (n.is_map()) {
    for (const yaml::Node::Entry& e : n.entries()) {
      const std::string name = e.key.is_scalar() ? e.key.text() : "";
      if (!check(e.key, name)) continue;
      auto b = r.boolean(e.value, "rules.presets." + name);
      if (!b) {
        ok = false;
        continue;
      }
      auto it = std::find(on.begin(), on.end(), name);
      if (*b && it == on.end()) on.push_back(name);
      if (!*b && it != on.end()) on.erase(it);
    }
  } else {
    r.error(n, "rules.presets",
            "expected a mapping of preset name to true/false, or a list of preset names, got " +
                yaml::Reader::describe(n));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return on;
}

}  // namespace

std::string default_presets_dir() {
  return FAULTLINE_PRESETS_DIR;
}

std::optional<RuleSet> RuleSet::compile(yaml::Reader& r, const yaml::Node& section,
                                        const CompileOptions& options) {
  const size_t errors_before = r.error_count();
  auto impl = std::make_shared<Impl>();
  const bool valid = !section.absent() && r.check_keys(section, "rules", kSectionKeys);
  const yaml::Node& presets_node = valid ? section["presets"] : yaml::Node::missing();
  const yaml::Node& list_node = valid ? section["list"] : yaml::Node::missing();
  std::string hash_env(kDefaultHashKeyEnv);
  if (valid) {
    if (const yaml::Node& h = section["hash-key-env"]; h.defined()) {
      if (auto s = r.text(h, "rules.hash-key-env", "an environment variable name")) hash_env = *s;
    }
  }
  auto on = enabled_presets(r, presets_node);
  HashKey hash_key(hash_env, options.getenv);
  Ctx ctx{&r, &hash_key, impl.get()};
  const auto presets = [&](bool after_user_rules) {
    if (!on) return;
    for (std::string_view name : preset_names()) {
      if (runs_after_user_rules(name) != after_user_rules) continue;
      if (std::find(on->begin(), on->end(), name) == on->end()) continue;
      compile_preset(ctx, name, options);
      impl->presets.emplace_back(name);
    }
  };
  presets(false);
  compile_list(ctx, list_node, "rules.list", "");
  presets(true);
  if (r.error_count() != errors_before) return std::nullopt;
  return RuleSet(std::move(impl));
}

Result<RuleSet> RuleSet::compile_text(std::string_view text, std::string_view file_name,
                                      const CompileOptions& options) {
  yaml::Reader r{std::string(file_name)};
  std::optional<yaml::Node> root = r.parse(text);
  if (!root) return r.status();
  std::optional<RuleSet> rules = compile(r, (*root)["rules"], options);
  if (!rules) return r.status();
  return std::move(*rules);
}

Result<RuleSet> RuleSet::defaults(const CompileOptions& options) {
  yaml::Reader r("<defaults>");
  std::optional<RuleSet> rules = compile(r, yaml::Node::missing(), options);
  if (!rules) return r.status();
  return std::move(*rules);
}

const std::vector<std::string>& RuleSet::presets() const {
  return impl_->presets;
}

std::vector<std::string> RuleSet::labels() const {
  std::vector<std::string> out;
  for (const CompiledRule& r : impl_->rules) out.push_back(r.label);
  return out;
}

size_t RuleSet::size() const {
  return impl_->rules.size();
}

}  // namespace faultline::rules
