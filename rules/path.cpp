#include "rules/path.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace faultline::rules {

namespace {

std::string at(size_t pos) {
  return " at character " + std::to_string(pos + 1);
}

bool is_bare_char(unsigned char c) {
  if (c >= 0x80) return true;  // UTF-8 letters of non-ASCII keys
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return c == '_' || c == '$' || c == '-' || c == '*' || c == '@' || c == ':' || c == '#' ||
         c == '+' || c == '~' || c == '!' || c == '%' || c == '^' || c == '&' || c == '=' ||
         c == '<' || c == '>' || c == '?' || c == '/' || c == ',' || c == ';' || c == '|' ||
         c == '(' || c == ')' || c == '{' || c == '}';
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses a quoted key starting at text[pos] (a quote); on success pos is past the closing quote.
Status parse_quoted(std::string_view text, size_t& pos, std::string& key) {
  const char quote = text[pos];
  const size_t start = pos;
  ++pos;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == quote) {
      ++pos;
      return Status::Ok();
    }
    if (c == '\\') {
      if (pos + 1 >= text.size()) break;
      key += text[pos + 1];
      pos += 2;
      continue;
    }
    key += c;
    ++pos;
  }
  return Status::Error("unterminated quoted key" + at(start));
}

}  // namespace

Result<Path> parse_path(std::string_view text) {
  if (text.empty()) return Status::Error("empty path");
  Path path;
  size_t pos = 0;
  bool need_key = true;  // at the start or after a '.'
  bool at_start = true;
  while (true) {
    if (need_key) {
      if (at_start && pos < text.size() && text[pos] == '[') {
        need_key = false;
        at_start = false;
        continue;
      }
      const size_t start = pos;
      while (pos < text.size() && text[pos] != '.' && text[pos] != '[') {
        unsigned char c = static_cast<unsigned char>(text[pos]);
        if (!is_bare_char(c)) {
          std::string what = "unexpected character '";
          what += static_cast<char>(c);
          what += "'" + at(pos);
          if (c == '"' || c == '\'' || c == ']') what += "; quote keys in brackets: a[\"x y\"]";
          return Status::Error(what);
        }
        ++pos;
      }
      std::string_view bare = text.substr(start, pos - start);
      if (bare.empty()) return Status::Error("empty key" + at(start));
      if (bare == "*") {
        path.push_back(PathSegment::Wildcard());
      } else if (bare.find('*') != std::string_view::npos) {
        if (bare == "**") {
          return Status::Error("\"**\" is not supported" + at(start) +
                               "; use a key pattern (scrub.keys) to match a key at any depth");
        }
        return Status::Error("a wildcard must be a whole key (\"*\")" + at(start));
      } else {
        path.push_back(PathSegment::Key(std::string(bare)));
      }
      need_key = false;
      at_start = false;
      continue;
    }
    if (pos >= text.size()) break;
    if (text[pos] == '.') {
      ++pos;
      need_key = true;
      if (pos >= text.size()) return Status::Error("empty key" + at(pos));
      continue;
    }
    if (text[pos] != '[') {
      return Status::Error(std::string("expected '.' or '['") + at(pos));
    }
    const size_t open = pos;
    ++pos;
    if (pos >= text.size()) return Status::Error("unterminated '['" + at(open));
    char c = text[pos];
    if (c == '"' || c == '\'') {
      std::string key;
      if (Status s = parse_quoted(text, pos, key); !s.ok()) return s;
      path.push_back(PathSegment::Key(std::move(key)));
    } else if (c == '*') {
      ++pos;
      path.push_back(PathSegment::Wildcard());
    } else if (c >= '0' && c <= '9') {
      size_t n = 0;
      auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), n);
      if (ec != std::errc()) return Status::Error("array index too large" + at(pos));
      pos = static_cast<size_t>(ptr - text.data());
      path.push_back(PathSegment::Index(n));
    } else if (c == ']') {
      return Status::Error("empty brackets" + at(open));
    } else {
      return Status::Error("expected a number, * or a quoted key inside brackets" + at(pos));
    }
    if (pos >= text.size() || text[pos] != ']') return Status::Error("expected ']'" + at(pos));
    ++pos;
  }
  return path;
}

void append_key(std::string& out, std::string_view key) {
  bool plain = !key.empty() && !(key[0] >= '0' && key[0] <= '9') && key != "*";
  for (char ch : key) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '$' || c == '-')) {
      plain = false;
      break;
    }
  }
  if (plain) {
    if (!out.empty()) out += '.';
    out.append(key);
    return;
  }
  out += "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += "\"]";
}

void append_index(std::string& out, size_t index) {
  out += '[';
  out += std::to_string(index);
  out += ']';
}

std::string format_path(const Path& path) {
  std::string out;
  for (const PathSegment& s : path) {
    switch (s.kind) {
      case PathSegment::Kind::kKey:
        append_key(out, s.key);
        break;
      case PathSegment::Kind::kIndex:
        append_index(out, s.index);
        break;
      case PathSegment::Kind::kWildcard:
        if (out.empty()) {
          out += '*';
        } else {
          out += "[*]";
        }
        break;
    }
  }
  return out;
}

bool is_event_key(std::string_view key) {
  static constexpr std::array<std::string_view, 29> kKeys = {
      "event_id",    "timestamp",   "start_timestamp",
      "received",    "platform",    "level",
      "logger",      "server_name", "release",
      "dist",        "environment", "message",
      "logentry",    "exception",   "request",
      "user",        "tags",        "transaction",
      "contexts",    "extra",       "breadcrumbs",
      "fingerprint", "sdk",         "modules",
      "debug_meta",  "errors",      "type",
      "threads",     "sent_at"};
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

namespace {

Path concat(std::initializer_list<std::string_view> prefix, const Path& rest, size_t from) {
  Path out;
  for (std::string_view k : prefix) {
    if (k == "*") {
      out.push_back(PathSegment::Wildcard());
    } else {
      out.push_back(PathSegment::Key(std::string(k)));
    }
  }
  out.insert(out.end(), rest.begin() + static_cast<std::ptrdiff_t>(from), rest.end());
  return out;
}

bool key_is(const Path& p, size_t i, std::string_view key) {
  return p.size() > i && p[i].kind == PathSegment::Kind::kKey && p[i].key == key;
}

}  // namespace

std::vector<ResolvedPath> resolve_paths(const Path& written) {
  std::vector<ResolvedPath> out;
  if (written.empty()) return out;
  const PathSegment& first = written[0];
  if (first.kind == PathSegment::Kind::kKey && is_event_key(first.key)) {
    out.push_back({written, true});
    return out;
  }
  auto alias = [&](std::initializer_list<std::string_view> prefix, size_t from) {
    out.push_back({concat(prefix, written, from), false});
  };
  // Every record field not moved elsewhere is kept under `extra`.
  alias({"extra"}, 0);
  if (first.kind != PathSegment::Kind::kKey) return out;
  const std::string& root = first.key;
  if (root == "req") {
    if (written.size() == 1) {
      alias({"request"}, 1);
    } else if (key_is(written, 1, "headers")) {
      alias({"request", "headers"}, 2);
    } else if (key_is(written, 1, "url")) {
      alias({"request", "url"}, 2);
    } else if (key_is(written, 1, "query")) {
      alias({"request", "query_string"}, 2);
    } else if (key_is(written, 1, "body")) {
      alias({"request", "data"}, 2);
    } else if (key_is(written, 1, "cookies")) {
      alias({"request", "cookies"}, 2);
    } else if (key_is(written, 1, "remoteAddress")) {
      alias({"request", "env", "REMOTE_ADDR"}, 2);
    } else if (written[1].kind == PathSegment::Kind::kWildcard) {
      alias({"request", "*"}, 2);
    }
  } else if (root == "err") {
    if (key_is(written, 1, "message")) {
      alias({"exception", "values", "*", "value"}, 2);
    } else if (written.size() > 1 && !key_is(written, 1, "stack") && !key_is(written, 1, "type")) {
      // The err's own properties become a context table named after the error type.
      alias({"contexts", "*"}, 1);
    }
  } else if (root == "body") {
    alias({"request", "data"}, 1);
  } else if (root == "msg" && written.size() == 1) {
    alias({"message"}, 1);
    alias({"logentry", "formatted"}, 1);
    alias({"logentry", "message"}, 1);
  }
  return out;
}

namespace {

void match_rec(const json::Value& v, const Path& path, size_t i,
               const std::function<void(const json::Value&)>& fn) {
  if (i == path.size()) {
    fn(v);
    return;
  }
  const PathSegment& s = path[i];
  if (const json::Object* obj = v.object()) {
    if (s.kind == PathSegment::Kind::kKey) {
      if (const json::Value* c = obj->find(s.key)) match_rec(*c, path, i + 1, fn);
    } else if (s.kind == PathSegment::Kind::kWildcard) {
      for (const json::Member& m : *obj) match_rec(m.value, path, i + 1, fn);
    }
  } else if (const json::Array* arr = v.array()) {
    if (s.kind == PathSegment::Kind::kIndex) {
      if (s.index < arr->size()) match_rec((*arr)[s.index], path, i + 1, fn);
    } else if (s.kind == PathSegment::Kind::kWildcard) {
      for (const json::Value& e : *arr) match_rec(e, path, i + 1, fn);
    } else if (all_digits(s.key)) {
      size_t n = 0;
      std::from_chars(s.key.data(), s.key.data() + s.key.size(), n);
      if (n < arr->size()) match_rec((*arr)[n], path, i + 1, fn);
    }
  }
}

}  // namespace

void for_each_match(const json::Value& root, const Path& path,
                    const std::function<void(const json::Value&)>& fn) {
  match_rec(root, path, 0, fn);
}

void PathTrie::add(const Path& path, int id) {
  Node* n = root_.get();
  for (const PathSegment& s : path) {
    std::unique_ptr<Node>* slot = nullptr;
    switch (s.kind) {
      case PathSegment::Kind::kKey:
        slot = &n->keys[s.key];
        break;
      case PathSegment::Kind::kIndex:
        slot = &n->indices[s.index];
        break;
      case PathSegment::Kind::kWildcard:
        slot = &n->wildcard;
        break;
    }
    if (!*slot) *slot = std::make_unique<Node>();
    n = slot->get();
  }
  if (n->terminal < 0) n->terminal = id;
  empty_ = false;
}

void PathTrie::step_key(const Node* node, std::string_view key, std::vector<const Node*>& out) {
  if (auto it = node->keys.find(key); it != node->keys.end()) out.push_back(it->second.get());
  if (node->wildcard) out.push_back(node->wildcard.get());
}

void PathTrie::step_index(const Node* node, size_t index, std::vector<const Node*>& out) {
  if (auto it = node->indices.find(index); it != node->indices.end()) {
    out.push_back(it->second.get());
  }
  if (!node->keys.empty()) {
    if (auto it = node->keys.find(std::to_string(index)); it != node->keys.end()) {
      out.push_back(it->second.get());
    }
  }
  if (node->wildcard) out.push_back(node->wildcard.get());
}

}  // namespace faultline::rules
