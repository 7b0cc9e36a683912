#include "agent/sentry/request_context.h"

#include <cctype>

#include "parsers/record_access.h"

namespace faultline::sentry {

namespace {

std::string header_text(const json::Value& v) {
  if (v.is_string()) return v.as_string();
  if (const json::Array* a = v.array()) {  // set-cookie and other repeated headers
    std::string out;
    for (const json::Value& item : *a) {
      if (!out.empty()) out += ", ";
      out += item.is_string() ? item.as_string() : json::to_string(item);
    }
    return out;
  }
  return json::to_string(v);
}

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

json::Object parse_cookies(std::string_view header) {
  json::Object cookies;
  while (!header.empty()) {
    const size_t semi = header.find(';');
    const std::string_view pair = header.substr(0, semi);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      const std::string name = trim(pair.substr(0, eq));
      if (!name.empty()) cookies.set(name, trim(pair.substr(eq + 1)));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return cookies;
}

bool all_of(std::string_view s, int (*pred)(int)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

json::Object request_from(const json::Value& req, const json::Value* body) {
  json::Object out;
  if (auto method = as_text(req.find("method"))) out.set("method", *method);
  std::string url =
      as_text(req.find("originalUrl")).value_or(as_text(req.find("url")).value_or(""));
  std::string query;
  if (const size_t q = url.find('?'); q != std::string::npos) {
    query = url.substr(q + 1);
    url.resize(q);
  }
  const json::Value* headers = req.find("headers");
  if (!url.empty()) {
    std::string scheme = "http";
    std::string host;
    if (headers != nullptr) {
      if (auto proto = as_text(headers->find("x-forwarded-proto"))) {
        scheme = proto->substr(0, proto->find(','));
      }
      host = as_text(headers->find("host")).value_or("");
    }
    // Fastify's request serializer has no headers, but the host on its own (hostname in v4).
    if (host.empty()) host = as_text(req.find("host")).value_or("");
    if (host.empty()) host = as_text(req.find("hostname")).value_or("");
    out.set("url", host.empty() || url.front() != '/' ? url : scheme + "://" + host + url);
  }
  if (!query.empty()) out.set("query_string", query);
  if (headers != nullptr && headers->is_object()) {
    json::Object h;
    // The names are the record's keys, unique already.
    h.members().reserve(headers->as_object().size());
    for (const json::Member& m : headers->as_object()) {
      h.members().push_back({m.key, header_text(m.value)});
    }
    if (const json::Value* cookie = h.find("cookie")) {
      json::Object cookies = parse_cookies(cookie->as_string());
      if (!cookies.empty()) out.set("cookies", std::move(cookies));
    }
    out.set("headers", std::move(h));
  }
  if (body != nullptr && !body->is_null()) out.set("data", *body);
  return out;
}

HttpFacts http_facts(const json::Value& record, const json::Value* completion,
                     const PinoFormat& format, const json::Value* opening) {
  HttpFacts f;
  const auto read_from = [&f, &format](const json::Value& r) {
    const json::Value* req = first_of(r, format.request_keys);
    if (req != nullptr) {
      if (f.method.empty()) f.method = as_text(req->find("method")).value_or("");
      if (f.path.empty()) {
        std::string url =
            as_text(req->find("originalUrl")).value_or(as_text(req->find("url")).value_or(""));
        f.path = url.substr(0, url.find('?'));
      }
      if (f.route.empty()) {
        if (auto route = as_text(req->find_path("route.path")))
          f.route = *route;
        else if (auto rp = as_text(req->find("routerPath")))
          f.route = *rp;
        else if (auto rr = as_text(req->find("route")))
          f.route = *rr;
      }
    }
    if (f.route.empty()) {
      if (auto route = as_text(r.find("route"))) f.route = *route;
    }
    const json::Value* status = first_of(r, format.status_keys);
    if (f.status == 0 && status != nullptr && status->is_number() && status->as_double() >= 100 &&
        status->as_double() < 600) {
      f.status = static_cast<int>(status->as_double());
    }
    if (const json::Value* rt = first_of(r, format.response_time_keys);
        !f.response_time_ms && rt && rt->is_number()) {
      f.response_time_ms = rt->as_double();
    }
  };
  if (completion != nullptr) read_from(*completion);
  read_from(record);
  if (opening != nullptr) read_from(*opening);
  return f;
}

std::string transaction_name(const HttpFacts& f) {
  if (f.method.empty() && f.path.empty() && f.route.empty()) return "";
  std::string name = f.method;
  if (!name.empty()) name += ' ';
  if (!f.route.empty()) return name + f.route;
  std::string_view path = f.path;
  std::string out;
  while (!path.empty()) {
    const size_t slash = path.find('/', 1);
    std::string_view seg = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
    std::string_view body = seg.substr(seg.empty() || seg.front() != '/' ? 0 : 1);
    if (all_of(body, [](int c) { return std::isdigit(c); })) {
      out += "/:id";
    } else if (is_uuid(body)) {
      out += "/:uuid";
    } else if (body.size() >= 16 && all_of(body, [](int c) { return std::isxdigit(c); })) {
      out += "/:hex";
    } else {
      out += seg;
    }
  }
  return name + out;
}

std::string_view status_text(int status) {
  switch (status) {
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    case 507:
      return "Insufficient Storage";
    case 508:
      return "Loop Detected";
    case 511:
      return "Network Authentication Required";
    default:
      return "";
  }
}

std::string status_type(int status) {
  std::string type;
  for (char c : status_text(status)) {
    if (c != ' ') type.push_back(c);
  }
  if (type == "InternalServerError" || type == "ServiceUnavailable" || type == "BadGateway" ||
      type == "GatewayTimeout" || type == "NotImplemented") {
    return type;
  }
  return type.empty() ? "HttpError" : type + "Error";
}

}  // namespace faultline::sentry
