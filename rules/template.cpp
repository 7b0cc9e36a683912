#include "rules/template.h"

#include "base/suggest.h"
#include "rules/event_view.h"

namespace faultline::rules {

namespace {

const std::vector<std::string_view> kNames = {
    "route",   "url",        "status",      "level",      "message",     "environment",
    "release", "dist",       "server_name", "logger",     "transaction", "platform",
    "queue",   "error.type", "error.value", "error.code", "default"};

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, e - b + 1));
}

std::string name_value(std::string_view name, const json::Value& e) {
  auto str = [](std::optional<std::string_view> v) { return v ? std::string(*v) : std::string(); };
  if (name == "route") return str(view::route(e));
  if (name == "url") return str(view::url_path(e));
  if (name == "status") {
    auto s = view::status(e);
    return s ? std::to_string(*s) : std::string();
  }
  if (name == "message") {
    std::string first;
    view::for_each_message(e, [&](std::string_view m) {
      if (first.empty()) first = std::string(m);
    });
    return first;
  }
  if (name == "queue") return str(view::tag(e, "queue"));
  if (name == "error.type") return str(view::error_type(e));
  if (name == "error.value") return str(view::error_value(e));
  if (name == "error.code") return str(view::tag(e, "error.code"));
  if (name == "default") return "{{ default }}";
  return str(view::top_string(e, name));
}

}  // namespace

Result<Template> Template::compile(std::string_view text, bool allow_default) {
  Template t;
  t.text_ = std::string(text);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.parts_.push_back({Part::Kind::kLiteral, std::string(text.substr(pos)), {}});
      break;
    }
    if (open > pos)
      t.parts_.push_back({Part::Kind::kLiteral, std::string(text.substr(pos, open - pos)), {}});
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return Status::Error("unclosed \"{{\" at character " + std::to_string(open + 1));
    }
    std::string name = trim(text.substr(open + 2, close - open - 2));
    pos = close + 2;
    if (name.empty())
      return Status::Error("empty \"{{ }}\" at character " + std::to_string(open + 1));
    if (name == "default" && !allow_default) {
      return Status::Error("{{ default }} is only meaningful in a fingerprint");
    }
    bool known = std::find(kNames.begin(), kNames.end(), name) != kNames.end();
    if (known) {
      t.parts_.push_back({Part::Kind::kName, name, {}});
      continue;
    }
    Result<Path> p = parse_path(name);
    if (!p.ok()) {
      return Status::Error("bad template variable \"" + name + "\": " + p.message());
    }
    // A bare word that is neither a known name nor an event key is most likely a typo of a name;
    // a record field that happens to be one word is written `extra.<field>`.
    if (p->size() == 1 && !is_event_key(name)) {
      return Status::Error("unknown template variable \"" + name + "\"" +
                           did_you_mean(name, kNames) +
                           "; a log record field is written {{ extra." + name + " }}");
    }
    Part part{Part::Kind::kPath, name, {}};
    for (ResolvedPath& r : resolve_paths(*p)) part.paths.push_back(std::move(r.path));
    t.parts_.push_back(std::move(part));
  }
  return t;
}

bool Template::literal() const {
  for (const Part& p : parts_) {
    if (p.kind != Part::Kind::kLiteral) return false;
  }
  return true;
}

std::string Template::render(const json::Value& event) const {
  std::string out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::Kind::kLiteral:
        out += p.text;
        break;
      case Part::Kind::kName:
        out += name_value(p.text, event);
        break;
      case Part::Kind::kPath: {
        bool done = false;
        for (const Path& path : p.paths) {
          for_each_match(event, path, [&](const json::Value& v) {
            if (done || v.is_null()) return;
            out += view::scalar_text(v);
            done = true;
          });
          if (done) break;
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace faultline::rules
