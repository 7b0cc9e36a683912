#include "rules/event_view.h"

#include <strings.h>
#include <charconv>

namespace faultline::rules::view {

namespace {

std::optional<std::string_view> as_sv(const json::Value* v) {
  if (!v || !v->is_string()) return std::nullopt;
  return std::string_view(v->as_string());
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<std::string_view> top_string(const json::Value& event, std::string_view key) {
  return as_sv(event.find(key));
}

std::optional<std::string_view> tag(const json::Value& event, std::string_view key) {
  const json::Value* tags = event.find("tags");
  if (!tags) return std::nullopt;
  if (tags->is_object()) return as_sv(tags->find(key));
  if (const json::Array* list = tags->array()) {
    for (const json::Value& p : *list) {
      const json::Array* pair = p.array();
      if (pair && pair->size() == 2 && (*pair)[0].is_string() && (*pair)[0].as_string() == key) {
        return as_sv(&(*pair)[1]);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> route(const json::Value& event) {
  if (auto r = tag(event, "route"); r && !r->empty()) return r;
  if (auto t = top_string(event, "transaction"); t && !t->empty()) return t;
  return std::nullopt;
}

std::optional<std::string_view> url_path(const json::Value& event) {
  const json::Value* req = event.find("request");
  auto url = as_sv(req ? req->find("url") : nullptr);
  if (!url) return std::nullopt;
  std::string_view u = *url;
  if (size_t scheme = u.find("://"); scheme != std::string_view::npos && scheme < u.find('/')) {
    size_t slash = u.find('/', scheme + 3);
    u = slash == std::string_view::npos ? std::string_view("/") : u.substr(slash);
  }
  if (size_t q = u.find_first_of("?#"); q != std::string_view::npos) u = u.substr(0, q);
  return u;
}

std::optional<int> status(const json::Value& event) {
  const json::Value* tags = event.find("tags");
  const json::Value* v = tags ? tags->find("http.status_code") : nullptr;
  if (!v) return std::nullopt;
  if (v->is_int()) return static_cast<int>(v->as_int());
  if (!v->is_string()) return std::nullopt;
  const std::string& s = v->as_string();
  int n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return n;
}

const json::Value* last_exception(const json::Value& event) {
  const json::Value* exc = event.find("exception");
  if (!exc) return nullptr;
  const json::Value* values = exc->is_array() ? exc : exc->find("values");
  const json::Array* list = values ? values->array() : nullptr;
  if (!list || list->empty()) return nullptr;
  return &list->back();
}

std::optional<std::string_view> error_type(const json::Value& event) {
  const json::Value* e = last_exception(event);
  return e ? as_sv(e->find("type")) : std::nullopt;
}

std::optional<std::string_view> error_value(const json::Value& event) {
  const json::Value* e = last_exception(event);
  return e ? as_sv(e->find("value")) : std::nullopt;
}

void for_each_error_type(const json::Value& event,
                         const std::function<void(std::string_view)>& fn) {
  const json::Value* exc = event.find("exception");
  if (!exc) return;
  const json::Value* values = exc->is_array() ? exc : exc->find("values");
  if (const json::Array* list = values ? values->array() : nullptr) {
    for (const json::Value& e : *list) {
      if (auto t = as_sv(e.find("type"))) fn(*t);
    }
  }
}

void for_each_message(const json::Value& event, const std::function<void(std::string_view)>& fn) {
  if (const json::Value* m = event.find("message")) {
    if (auto s = as_sv(m)) {
      fn(*s);
    } else if (m->is_object()) {
      if (auto f = as_sv(m->find("formatted"))) fn(*f);
      if (auto r = as_sv(m->find("message"))) fn(*r);
    }
  }
  if (const json::Value* le = event.find("logentry")) {
    if (auto f = as_sv(le->find("formatted"))) fn(*f);
    if (auto r = as_sv(le->find("message"))) fn(*r);
  }
  if (auto v = error_value(event)) fn(*v);
}

std::optional<std::string_view> header(const json::Value& event, std::string_view name) {
  const json::Value* req = event.find("request");
  const json::Value* headers = req ? req->find("headers") : nullptr;
  if (!headers) return std::nullopt;
  if (const json::Object* obj = headers->object()) {
    for (const json::Member& m : *obj) {
      if (iequals(m.key, name)) return as_sv(&m.value);
    }
  } else if (const json::Array* list = headers->array()) {
    for (const json::Value& p : *list) {
      const json::Array* pair = p.array();
      if (pair && pair->size() == 2 && (*pair)[0].is_string() &&
          iequals((*pair)[0].as_string(), name)) {
        return as_sv(&(*pair)[1]);
      }
    }
  }
  return std::nullopt;
}

int level_rank(std::string_view level) {
  if (level == "debug" || level == "trace") return 0;
  if (level == "info" || level == "log") return 1;
  if (level == "warning" || level == "warn") return 2;
  if (level == "error") return 3;
  if (level == "fatal" || level == "critical") return 4;
  return -1;
}

std::string scalar_text(const json::Value& v) {
  if (v.is_string()) return v.as_string();
  return json::to_string(v);
}

std::string group_key(const json::Value& event) {
  std::string key;
  if (const json::Array* fp =
          event.find("fingerprint") ? event.find("fingerprint")->array() : nullptr) {
    for (const json::Value& part : *fp) {
      key += scalar_text(part);
      key += '\x1f';
    }
    return key;
  }
  if (const json::Value* e = last_exception(event)) {
    if (auto t = as_sv(e->find("type"))) key += *t;
    key += '\x1f';
    const json::Value* st = e->find("stacktrace");
    const json::Value* frames_v = st ? st->find("frames") : nullptr;
    const json::Array* frames = frames_v ? frames_v->array() : nullptr;
    const json::Value* top = nullptr;
    if (frames && !frames->empty()) {
      top = &frames->back();
      for (auto it = frames->rbegin(); it != frames->rend(); ++it) {
        const json::Value* in_app = it->find("in_app");
        if (in_app && in_app->is_bool() && in_app->as_bool()) {
          top = &*it;
          break;
        }
      }
    }
    if (top) {
      if (auto f = as_sv(top->find("function"))) key += *f;
      key += '@';
      if (auto f = as_sv(top->find("filename"))) key += *f;
    } else if (auto v = as_sv(e->find("value"))) {
      key += *v;
    }
    return key;
  }
  for_each_message(event, [&](std::string_view m) {
    if (key.empty()) key = std::string(m);
  });
  return key;
}

}  // namespace faultline::rules::view
