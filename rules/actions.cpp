#include "rules/actions.h"

#include "parsers/utf8.h"
#include "rules/event_view.h"

namespace faultline::rules {

const std::vector<std::string_view> kDropBodyPaths = {"request.data",   "extra.body",
                                                      "extra.req.body", "extra.request.body",
                                                      "extra.rawBody",  "extra.raw_body"};

std::vector<std::string> DropBodyAction::apply(json::Value& event) const {
  std::vector<std::string> removed;
  for (std::string_view text : kDropBodyPaths) {
    // Walk the dotted path to the parent object and erase the last key.
    json::Value* parent = &event;
    std::string_view rest = text;
    while (parent && rest.find('.') != std::string_view::npos) {
      size_t dot = rest.find('.');
      parent = parent->find(rest.substr(0, dot));
      rest.remove_prefix(dot + 1);
    }
    if (parent && parent->is_object() && parent->as_object().erase(rest)) {
      removed.emplace_back(text);
    }
  }
  return removed;
}

bool valid_tag_key(std::string_view key) {
  if (key.empty() || key.size() > 32) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {

void set_tag(json::Value& event, const std::string& key, std::string value) {
  json::Value& tags = event.as_object()["tags"];
  if (tags.is_null()) tags = json::Object();
  if (json::Object* obj = tags.object()) {
    obj->set(key, json::Value(std::move(value)));
    return;
  }
  if (tags.is_array()) {
    for (json::Value& p : tags.as_array()) {
      if (p.is_array() && p.as_array().size() == 2 && p.as_array()[0].is_string() &&
          p.as_array()[0].as_string() == key) {
        p.as_array()[1] = json::Value(std::move(value));
        return;
      }
    }
    tags.as_array().push_back(json::Array{json::Value(key), json::Value(std::move(value))});
  }
}

}  // namespace

std::vector<std::string> TagAction::apply(json::Value& event) const {
  std::vector<std::string> set;
  if (!event.is_object()) return set;
  for (const auto& [key, tmpl] : tags) {
    std::string value = tmpl.render(event);
    for (char& c : value) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    value = std::string(utf8::truncate(value, 200));
    if (value.empty()) continue;
    set_tag(event, key, std::move(value));
    set.push_back(key);
  }
  return set;
}

std::string UserAction::apply(json::Value& event) const {
  if (!event.is_object()) return "";
  for (const auto& [text, paths] : id_paths) {
    std::string id;
    for (const Path& p : paths) {
      for_each_match(event, p, [&](const json::Value& v) {
        if (id.empty() && (v.is_string() || v.is_number())) id = view::scalar_text(v);
      });
      if (!id.empty()) break;
    }
    if (id.empty()) continue;
    json::Value& user = event.as_object()["user"];
    if (!user.is_object()) user = json::Object();
    user.as_object().set("id", json::Value(std::move(id)));
    return text;
  }
  return "";
}

void FingerprintAction::apply(json::Value& event) const {
  if (!event.is_object()) return;
  json::Array fp;
  for (const Template& t : parts) fp.emplace_back(t.render(event));
  event.as_object().set("fingerprint", json::Value(std::move(fp)));
}

double SampleAction::draw(const json::Value& event) {
  std::string_view id = view::top_string(event, "event_id").value_or("");
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (unsigned char c : id) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  // splitmix64 finalizer: FNV's low bits are weak for short, similar ids.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

}  // namespace faultline::rules
