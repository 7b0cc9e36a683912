// RuleSet::compile: the `rules:` YAML section and the preset files → CompiledRules.
#include <cstdlib>
#include <memory>

#include "rules/compiled_rule.h"
#include "rules/presets.h"
#include "rules/rule_set.h"
#include "rules/yaml_support.h"

#ifndef FAULTLINE_PRESETS_DIR
#define FAULTLINE_PRESETS_DIR ""
#endif

namespace faultline::rules {

namespace {

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

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// The hash key, read from the environment the first time a rule asks for it.
class HashKey {
 public:
  HashKey(std::string env_name, const Getenv& getenv)
      : env_(std::move(env_name)), getenv_(getenv) {}
  std::shared_ptr<const std::string> get(const Source& src, const YAML::Node& at,
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
      src.error(at, path,
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
  Source src;
  HashKey* hash_key;
  RuleSet::Impl* out;
};

std::optional<Method> compile_method(Ctx& ctx, const YAML::Node& n, std::string_view path) {
  const Source& src = ctx.src;
  Method m;
  const std::vector<std::string_view> kinds = {"mask", "remove", "hash", "replace", "keep-last"};
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "mask") {
      m.kind = Method::Kind::kMask;
    } else if (s == "remove") {
      m.kind = Method::Kind::kRemove;
    } else if (s == "hash") {
      m.kind = Method::Kind::kHash;
      m.hash_key = ctx.hash_key->get(src, n, path);
      if (!m.hash_key) return std::nullopt;
    } else if (s == "replace" || s == "keep-last") {
      src.error(n, path, s == "replace" ? "write {replace: TEXT}" : "write {keep-last: N}");
      return std::nullopt;
    } else {
      src.error(n, path,
                "unknown method " + quoted(s) + did_you_mean(s, kinds) +
                    "; methods are mask, remove, hash, {replace: TEXT}, {keep-last: N}");
      return std::nullopt;
    }
    return m;
  }
  if (n.IsMap() && n.size() == 1) {
    const YAML::Node key = n.begin()->first;
    const YAML::Node val = n.begin()->second;
    const std::string k = key.IsScalar() ? key.Scalar() : "";
    const std::string vpath = join_path(path, k);
    if (k == "replace") {
      auto text = read_scalar(src, val, vpath, "the replacement text");
      if (!text) return std::nullopt;
      m.kind = Method::Kind::kReplace;
      m.text = *text;
      return m;
    }
    if (k == "keep-last") {
      auto nkeep = read_number(src, val, vpath, 1, 64);
      if (!nkeep) return std::nullopt;
      if (*nkeep != static_cast<double>(static_cast<size_t>(*nkeep))) {
        src.error(val, vpath, "expected a whole number from 1 to 64");
        return std::nullopt;
      }
      m.kind = Method::Kind::kKeepLast;
      m.keep = static_cast<size_t>(*nkeep);
      return m;
    }
    src.error(key, path, "unknown method " + quoted(k) + did_you_mean(k, kinds));
    return std::nullopt;
  }
  src.error(n, path, "expected mask, remove, hash, {replace: TEXT} or {keep-last: N}");
  return std::nullopt;
}

std::optional<ScrubAction> compile_scrub(Ctx& ctx, const YAML::Node& n, std::string_view path) {
  const Source& src = ctx.src;
  if (!check_keys(src, n, path, kScrubKeys)) return std::nullopt;
  ScrubBuilder b;
  bool ok = true;
  auto each = [&](std::string_view key, std::string_view expected, auto fn) {
    const YAML::Node list = n[std::string(key)];
    if (!list.IsDefined()) return;
    const std::string lpath = join_path(path, key);
    if (!list.IsSequence() || list.size() == 0) {
      src.error(list, lpath, "expected a non-empty list of " + std::string(expected));
      ok = false;
      return;
    }
    size_t i = 0;
    for (const auto& item : list) {
      const std::string ipath = index_path(lpath, i++);
      Status s = fn(item, ipath);
      if (!s.ok()) {
        src.error(item, ipath, s.message());
        ok = false;
      }
    }
  };
  auto scalar = [](const YAML::Node& item, std::string_view what) -> Result<std::string> {
    if (!item.IsScalar()) return Status::Error("expected " + std::string(what));
    return item.Scalar();
  };
  each("paths", "paths", [&](const YAML::Node& item, const std::string&) -> Status {
    auto t = scalar(item, "a path such as req.headers.authorization");
    return t.ok() ? b.add_path(*t) : t.status();
  });
  each("keys", "key patterns", [&](const YAML::Node& item, const std::string&) -> Status {
    auto t = scalar(item, "an RE2 pattern for key names");
    return t.ok() ? b.add_key_pattern(*t) : t.status();
  });
  each("detectors", "detectors", [&](const YAML::Node& item, const std::string& ipath) -> Status {
    if (item.IsMap()) {
      if (!check_keys(src, item, ipath, {"name", "pattern"})) return Status::Ok();
      const YAML::Node name = item["name"];
      const YAML::Node pattern = item["pattern"];
      if (!pattern.IsDefined() || !pattern.IsScalar()) {
        return Status::Error("a custom detector needs `pattern: RE2`");
      }
      std::string label = name.IsDefined() && name.IsScalar()
                              ? name.Scalar()
                              : "pattern " + quoted(pattern.Scalar());
      return b.add_custom_detector(std::move(label), pattern.Scalar());
    }
    auto t = scalar(item, "a detector (@email, ...) or an RE2 pattern");
    if (!t.ok()) return t.status();
    if (!t->empty() && (*t)[0] == '@') return b.add_detector(*t);
    return b.add_custom_detector("pattern " + quoted(*t), *t);
  });
  const YAML::Node method = n["method"];
  if (method.IsDefined()) {
    auto m = compile_method(ctx, method, join_path(path, "method"));
    if (!m) return std::nullopt;
    b.set_method(std::move(*m));
  }
  if (!ok) return std::nullopt;
  if (b.empty()) {
    src.error(n, path, "nothing to scrub: give paths, keys or detectors");
    return std::nullopt;
  }
  Result<ScrubAction> built = b.build();
  if (!built.ok()) {
    src.error(n, path, built.message());
    return std::nullopt;
  }
  return std::move(built).value();
}

std::optional<Template> compile_template(const Source& src, const YAML::Node& n,
                                         std::string_view path, bool allow_default) {
  if (!n.IsScalar()) {
    src.error(n, path, "expected a text (may use {{ route }}-style variables)");
    return std::nullopt;
  }
  Result<Template> t = Template::compile(n.Scalar(), allow_default);
  if (!t.ok()) {
    src.error(n, path, t.message());
    return std::nullopt;
  }
  return std::move(t).value();
}

bool compile_action(Ctx& ctx, std::string_view action, const YAML::Node& v, std::string_view path,
                    bool has_when, CompiledRule& rule) {
  const Source& src = ctx.src;
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
      src.error(v, apath, "drop without `when:` would drop every event; add a condition");
      return false;
    }
    auto reason = read_scalar(src, v, apath, "a reason (text) or true");
    if (!reason) return false;
    if (*reason == "false" || *reason == "no" || reason->empty()) {
      src.error(v, apath, "expected a reason (text) or true");
      return false;
    }
    rule.action = DropAction{*reason == "true" ? std::string("dropped by rule") : *reason};
    return true;
  }
  if (action == "drop-body") {
    auto b = read_bool(src, v, apath);
    if (!b) return false;
    if (!*b) {
      src.error(v, apath, "drop-body: false does nothing; remove the rule instead");
      return false;
    }
    rule.action = DropBodyAction{};
    return true;
  }
  if (action == "tag") {
    if (!v.IsMap() || v.size() == 0) {
      src.error(v, apath, "expected a mapping of tag name to value, e.g. {area: payments}");
      return false;
    }
    TagAction t;
    bool ok = true;
    for (const auto& kv : v) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (!valid_tag_key(key)) {
        src.error(kv.first, apath,
                  "bad tag name " + quoted(key) + ": at most 32 characters of A-Z a-z 0-9 _ . : -");
        ok = false;
        continue;
      }
      auto tmpl = compile_template(src, kv.second, join_path(apath, key), false);
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
    if (!check_keys(src, v, apath, {"id"})) return false;
    const YAML::Node id = v["id"];
    if (!id.IsDefined()) {
      src.error(v, apath,
                "expected {id: PATH or [PATH...]}; only an internal id is sent, never emails or "
                "names");
      return false;
    }
    auto list = read_string_list(src, id, join_path(apath, "id"), "a path");
    if (!list) return false;
    UserAction u;
    bool ok = true;
    for (size_t i = 0; i < list->size(); ++i) {
      Result<Path> p = parse_path((*list)[i]);
      if (!p.ok()) {
        src.error(id.IsSequence() ? id[i] : id, join_path(apath, "id"),
                  "bad path " + quoted((*list)[i]) + ": " + p.message());
        ok = false;
        continue;
      }
      std::vector<Path> resolved;
      for (ResolvedPath& r : resolve_paths(*p)) resolved.push_back(std::move(r.path));
      u.id_paths.emplace_back((*list)[i], std::move(resolved));
    }
    if (!ok) return false;
    rule.action = std::move(u);
    return true;
  }
  if (action == "fingerprint") {
    if (!v.IsSequence() || v.size() == 0) {
      src.error(v, apath, "expected a list of texts, e.g. [\"{{ route }}\", \"{{ error.type }}\"]");
      return false;
    }
    FingerprintAction f;
    bool ok = true;
    size_t i = 0;
    std::string summary;
    for (const auto& item : v) {
      auto tmpl = compile_template(src, item, index_path(apath, i++), true);
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
    auto rate = read_number(src, v, apath, 0, 1);
    if (!rate) return false;
    rule.action = SampleAction{*rate};
    return true;
  }
  if (action == "throttle") {
    if (!check_keys(src, v, apath, kThrottleKeys)) return false;
    ThrottleAction t;
    bool ok = true;
    const YAML::Node max = v["max"];
    const YAML::Node window = v["window"];
    if (!max.IsDefined() || !window.IsDefined()) {
      src.error(v, apath, "expected {max: N, window: DURATION}, e.g. {max: 10, window: 1m}");
      return false;
    }
    if (auto m = read_number(src, max, join_path(apath, "max"), 1, 1e9)) {
      t.max = static_cast<uint64_t>(*m);
    } else {
      ok = false;
    }
    if (auto w = read_duration(src, window, join_path(apath, "window"))) {
      t.window = *w;
    } else {
      ok = false;
    }
    if (const YAML::Node mk = v["max-keys"]; mk.IsDefined()) {
      if (auto m = read_number(src, mk, join_path(apath, "max-keys"), 1, 1e7)) {
        t.max_keys = static_cast<size_t>(*m);
      } else {
        ok = false;
      }
    }
    if (const YAML::Node by = v["by"]; by.IsDefined()) {
      auto list = read_string_list(src, by, join_path(apath, "by"), "a text");
      if (!list) return false;
      for (size_t i = 0; i < list->size(); ++i) {
        Result<Template> tmpl = Template::compile((*list)[i], false);
        if (!tmpl.ok()) {
          src.error(by.IsSequence() ? by[i] : by, join_path(apath, "by"), tmpl.message());
          ok = false;
          continue;
        }
        t.by.push_back(std::move(tmpl).value());
      }
    }
    if (!ok) return false;
    rule.summary = "max " + std::to_string(t.max) + " per " + window.Scalar();
    rule.throttle_slot = ctx.out->throttles++;
    rule.action = std::move(t);
    return true;
  }
  return false;
}

// One entry of a `list:`. `label_prefix` is "preset NAME: " for presets.
void compile_rule(Ctx& ctx, const YAML::Node& n, std::string_view path,
                  std::string_view label_prefix) {
  const Source& src = ctx.src;
  if (!n.IsMap()) {
    src.error(n, path, "expected a rule: a mapping with `when:` (optional) and one action");
    return;
  }
  bool ok = true;
  std::vector<std::pair<std::string, YAML::Node>> actions;
  std::vector<std::string_view> known = kRuleKeys;
  for (const auto& kv : n) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (key == "filter") {
      src.error(kv.first, path, "unknown key \"filter\": to filter events out, use `drop: REASON`");
      known.push_back("filter");  // reported here, not again by check_keys
      ok = false;
    } else if (std::find(kActions.begin(), kActions.end(), key) != kActions.end()) {
      actions.emplace_back(key, kv.second);
    } else if (std::find(kRuleKeys.begin(), kRuleKeys.end(), key) == kRuleKeys.end()) {
      ok = false;  // reported by check_keys below
    }
  }
  if (!check_keys(src, n, path, known)) return;
  if (actions.empty() && !ok) return;  // the unknown key was most likely the action, misspelt
  if (actions.empty()) {
    std::string names;
    for (std::string_view a : kActions) names += (names.empty() ? "" : ", ") + std::string(a);
    src.error(n, path, "no action: give one of " + names);
    return;
  }
  if (actions.size() > 1) {
    src.error(n, path,
              "more than one action (" + actions[0].first + ", " + actions[1].first +
                  "): one action per rule; split it into two rules");
    return;
  }
  CompiledRule rule;
  rule.action_name = actions[0].first;
  std::string name;
  if (const YAML::Node nm = n["name"]; nm.IsDefined()) {
    auto s = read_scalar(src, nm, join_path(path, "name"), "a name");
    if (!s) return;
    name = *s;
  }
  if (!label_prefix.empty()) {
    rule.label = std::string(label_prefix) + (name.empty() ? std::string(path) : name);
  } else {
    rule.label = name.empty() ? std::string(path) : quoted(name) + " (" + std::string(path) + ")";
  }
  const YAML::Node when = n["when"];
  if (when.IsDefined()) {
    auto c = Condition::compile(src, when, join_path(path, "when"));
    if (c) {
      rule.when = std::move(*c);
    } else {
      ok = false;
    }
  }
  try {
    rule.location = src.file + ":" + std::to_string(n.Mark().line + 1) + ":" +
                    std::to_string(n.Mark().column + 1);
  } catch (const YAML::Exception&) {
    rule.location = src.file;
  }
  ok = compile_action(ctx, actions[0].first, actions[0].second, path, when.IsDefined(), rule) && ok;
  if (ok) ctx.out->rules.push_back(std::move(rule));
}

void compile_list(Ctx& ctx, const YAML::Node& list, std::string_view path,
                  std::string_view label_prefix) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    ctx.src.error(list, path, "expected a list of rules");
    return;
  }
  size_t i = 0;
  for (const auto& item : list) compile_rule(ctx, item, index_path(path, i++), label_prefix);
}

void compile_preset(Ctx& ctx, std::string_view name, const CompileOptions& options) {
  PresetSource p = load_preset(name, options.presets_dir);
  Ctx pctx{Source{p.file, ctx.src.diag}, ctx.hash_key, ctx.out};
  try {
    const YAML::Node root = YAML::Load(p.text);
    if (!check_keys(pctx.src, root, "", kPresetFileKeys)) return;
    compile_list(pctx, root["list"], "list", "preset " + std::string(name) + ": ");
  } catch (const YAML::Exception& e) {
    pctx.src.diag->error_at(p.file, e.mark, "", e.msg);
  }
}

// The presets switched on by `rules.presets` (a mapping name → bool or a list of names).
std::optional<std::vector<std::string>> enabled_presets(const Source& src, const YAML::Node& n) {
  std::vector<std::string_view> known = preset_names();
  std::vector<std::string> on(default_presets().begin(), default_presets().end());
  if (!n.IsDefined() || n.IsNull()) return on;
  bool ok = true;
  auto check = [&](const YAML::Node& key, const std::string& name) {
    if (std::find(known.begin(), known.end(), name) != known.end()) return true;
    src.error(key, "rules.presets", "unknown preset " + quoted(name) + did_you_mean(name, known));
    ok = false;
    return false;
  };
  if (n.IsSequence()) {
    on.clear();
    for (const auto& item : n) {
      if (!item.IsScalar()) {
        src.error(item, "rules.presets", "expected a preset name");
        ok = false;
      } else if (check(item, item.Scalar())) {
        on.push_back(item.Scalar());
      }
    }
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (!check(kv.first, name)) continue;
      auto b = read_bool(src, kv.second, "rules.presets." + name);
      if (!b) {
        ok = false;
        continue;
      }
      auto it = std::find(on.begin(), on.end(), name);
      if (*b && it == on.end()) on.push_back(name);
      if (!*b && it != on.end()) on.erase(it);
    }
  } else {
    src.error(n, "rules.presets",
              "expected a mapping of preset name to true/false, or a list of preset names");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return on;
}

}  // namespace

std::string default_presets_dir() {
  return FAULTLINE_PRESETS_DIR;
}

Result<RuleSet> RuleSet::compile(const YAML::Node& section, std::string_view config_file_name,
                                 const CompileOptions& options) {
  Diagnostics diag;
  auto impl = std::make_shared<Impl>();
  Source src{std::string(config_file_name), &diag};
  try {
    const bool present = section.IsDefined() && !section.IsNull();
    const bool valid = present && check_keys(src, section, "rules", kSectionKeys);
    // Copies, never assignments: assigning a yaml-cpp node writes through it.
    const YAML::Node presets_node = valid ? section["presets"] : YAML::Node();
    const YAML::Node list_node = valid ? section["list"] : YAML::Node();
    std::string hash_env(kDefaultHashKeyEnv);
    if (valid) {
      if (const YAML::Node h = section["hash-key-env"]; h.IsDefined()) {
        if (auto s = read_scalar(src, h, "rules.hash-key-env", "an environment variable name")) {
          hash_env = *s;
        }
      }
    }
    auto on = enabled_presets(src, presets_node);
    HashKey hash_key(hash_env, options.getenv);
    Ctx ctx{src, &hash_key, impl.get()};
    if (on) {
      for (std::string_view name : preset_names()) {
        if (runs_after_user_rules(name)) continue;
        if (std::find(on->begin(), on->end(), name) == on->end()) continue;
        compile_preset(ctx, name, options);
        impl->presets.emplace_back(name);
      }
    }
    compile_list(ctx, list_node, "rules.list", "");
    if (on) {
      for (std::string_view name : preset_names()) {
        if (!runs_after_user_rules(name)) continue;
        if (std::find(on->begin(), on->end(), name) == on->end()) continue;
        compile_preset(ctx, name, options);
        impl->presets.emplace_back(name);
      }
    }
  } catch (const YAML::Exception& e) {
    diag.error_at(config_file_name, e.mark, "rules", e.msg);
  }
  if (!diag.ok()) return diag.status();
  return RuleSet(std::move(impl));
}

Result<RuleSet> RuleSet::defaults(const CompileOptions& options) {
  return compile(YAML::Node(), "<defaults>", options);
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
