#include "parsers/node_inspect.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "parsers/v8_stack.h"

namespace faultline {
namespace {

constexpr size_t kNpos = std::string_view::npos;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ident_start(char c) {
  return is_alpha(c) || c == '_' || c == '$';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c);
}
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string_view rstrip(std::string_view s) {
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// `line` without the `indent` spaces util.inspect put before every line of a nested error;
// nullopt when it has fewer (it is not part of that error). Blank lines have no indentation.
std::optional<std::string_view> strip_indent(std::string_view line, size_t indent) {
  size_t n = 0;
  while (n < indent && n < line.size() && line[n] == ' ') ++n;
  if (n == indent) return line.substr(n);
  if (rstrip(line).empty()) return std::string_view();
  return std::nullopt;
}

// "5" of "... 5 lines matching cause stack trace ...", or 0.
size_t elision_count(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && is_blank(line[i])) ++i;
  if (i == 0) return 0;
  std::string_view rest = rstrip(line.substr(i));
  if (!rest.starts_with("... ")) return 0;
  rest.remove_prefix(4);
  size_t n = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
  if (ec != std::errc() || end == rest.data()) return 0;
  rest.remove_prefix(static_cast<size_t>(end - rest.data()));
  return rest == " lines matching cause stack trace ..." ? n : 0;
}

// Node adds "Emitted 'error' event on Server instance at:" and the emitter's frames to the stack
// of an unhandled 'error' event when it reports it; they are not in err.stack.
bool is_enhancement_line(std::string_view line) {
  line = rstrip(line);
  return line.starts_with("Emitted '") && line.ends_with(" at:");
}

struct Header {
  std::string type, name, code, message;
};

Header split_header(std::string_view text) {
  const StackHeader h = parse_stack_header(text);
  Header out{h.type, "", h.code, h.message};
  // util.inspect's improveStack(): "Foo [Bar]" is constructor Foo, name Bar (the SDK types by
  // name). Node's "Error [ERR_X]" was already taken as a code.
  if (const size_t open = out.type.find(" [");
      open != std::string::npos && open > 0 && out.type.ends_with(']')) {
    out.name = out.type.substr(open + 2, out.type.size() - open - 3);
    out.type.resize(open);
  }
  if (out.type.empty()) out.type = "Error";
  return out;
}

// Whether `s` (the rest of a line) reads like an error header: a name followed by ": ", " [",
// or nothing.
bool header_like(std::string_view s) {
  if (s.empty() || !is_ident_start(s[0])) return false;
  size_t i = 1;
  while (i < s.size() && is_ident_char(s[i])) ++i;
  s = rstrip(s.substr(i));
  return s.empty() || s.starts_with(": ") || s == ":" || s.starts_with(" [");
}

struct Frame {
  std::string text;   // "    at fn (file:1:2)"
  size_t elided = 0;  // > 0: the elision line standing for this many of the cause's frames
};

void restore_elisions(std::vector<Frame>& frames, const json::Value* cause, size_t& restored) {
  const bool any =
      std::any_of(frames.begin(), frames.end(), [](const Frame& f) { return f.elided > 0; });
  if (!any) return;
  std::vector<std::string_view> cause_frames;
  if (cause != nullptr && cause->is_object()) {
    if (const json::Value* stack = cause->find("stack"); stack && stack->is_string()) {
      std::string_view s = stack->as_string();
      bool started = false;
      for (size_t pos = 0; pos <= s.size();) {
        const size_t nl = std::min(s.find('\n', pos), s.size());
        const std::string_view line = s.substr(pos, nl - pos);
        started = started || is_frame_line(line);
        if (started) cause_frames.push_back(line);
        pos = nl + 1;
      }
    }
  }
  std::vector<Frame> out;
  for (Frame& f : frames) {
    if (f.elided == 0) {
      out.push_back(std::move(f));
      continue;
    }
    // util.inspect kept the first and last lines of the run it found in the cause's stack and
    // replaced the ones between: the run starts at the first line equal to the one kept before.
    if (out.empty() || out.back().elided > 0) continue;
    const auto it = std::find(cause_frames.begin(), cause_frames.end(), out.back().text);
    if (it == cause_frames.end()) continue;
    const size_t pos = static_cast<size_t>(it - cause_frames.begin());
    if (pos + 1 + f.elided > cause_frames.size()) continue;
    for (size_t i = pos + 1; i < pos + 1 + f.elided; ++i) {
      out.push_back(Frame{std::string(cause_frames[i]), 0});
    }
    ++restored;
  }
  frames = std::move(out);
}

class Parser {
 public:
  Parser(std::string_view s, const InspectOptions& o) : s_(s), o_(o) {}

  std::optional<InspectedError> top() {
    std::optional<json::Value> err = error(0);
    if (!err || !err->is_object()) return std::nullopt;
    InspectedError out;
    out.err = std::move(*err);
    out.consumed = p_;
    out.closed = closed_;
    out.elisions = elisions_;
    out.unreadable = unreadable_;
    return out;
  }

 private:
  // --- positions ------------------------------------------------------------------------------
  bool at_end() const { return p_ >= s_.size(); }
  size_t line_end(size_t pos) const { return std::min(s_.find('\n', pos), s_.size()); }
  size_t line_start(size_t pos) const {
    if (pos == 0) return 0;
    const size_t nl = s_.rfind('\n', pos - 1);
    return nl == kNpos ? 0 : nl + 1;
  }
  size_t indent_at(size_t pos) const {
    size_t i = line_start(pos);
    const size_t start = i;
    while (i < s_.size() && s_[i] == ' ') ++i;
    return i - start;
  }
  bool starts_with(std::string_view prefix) const { return s_.substr(p_).starts_with(prefix); }
  void skip_ws() {
    while (!at_end() && (is_blank(s_[p_]) || s_[p_] == '\n')) ++p_;
  }
  void skip_spaces() {
    while (!at_end() && is_blank(s_[p_])) ++p_;
  }
  void skip_ref() {
    // "<ref *1> " marks the target of a [Circular *1].
    if (!starts_with("<ref *")) return;
    const size_t close = s_.find("> ", p_);
    if (close != kNpos && close < line_end(p_)) p_ = close + 2;
  }
  // From an opening bracket to just past its match, skipping quoted strings; iterative, so any
  // depth costs one scan.
  void skip_balanced() {
    size_t depth = 0;
    while (!at_end()) {
      const char c = s_[p_];
      if (c == '\'' || c == '"' || c == '`') {
        const size_t end = s_.find(c, p_ + 1);
        p_ = end == kNpos ? s_.size() : end + 1;
        continue;
      }
      ++p_;
      if (c == '{' || c == '[' || c == '(') ++depth;
      if ((c == '}' || c == ']' || c == ')') && --depth == 0) return;
    }
    closed_ = false;
  }

  // --- errors ---------------------------------------------------------------------------------

  // An error at p_, printed at `indent` (the indentation of its header's line). p_ ends past its
  // property block, or at the start of the line after its last frame.
  std::optional<json::Value> error(size_t depth) {
    const size_t start = p_;
    const size_t indent = indent_at(p_);
    skip_ref();
    std::string header;
    std::vector<Frame> frames;
    bool block = false;
    if (!at_end() && s_[p_] == '[') {
      if (!bracketed_header(indent, header)) {
        p_ = start;
        return std::nullopt;
      }
      if (starts_with(" {")) {
        ++p_;
        block = true;
      }
    } else if (!framed_header(indent, header, frames, block)) {
      p_ = start;
      return std::nullopt;
    }
    ++errors_;
    if (errors_ > o_.max_errors || depth > o_.max_depth) {
      // Past the limits the error is read over, not kept.
      if (block) skip_balanced();
      ++unreadable_;
      return json::Value(header.substr(0, header.find('\n')));
    }
    json::Object properties;
    std::optional<json::Value> cause;
    std::optional<json::Array> errors;
    if (block) object_body(depth, properties, &cause, &errors);
    const Header h = split_header(header);
    restore_elisions(frames, cause ? &*cause : nullptr, elisions_);
    std::string stack = header;
    for (const Frame& f : frames) {
      stack += '\n';
      stack += f.text;
    }
    json::Object err;
    err.set("type", h.type);
    err.set("message", h.message);
    err.set("stack", std::move(stack));
    if (!h.name.empty()) err.set("name", h.name);
    if (errors) err.set("aggregateErrors", std::move(*errors));
    // pino copies an own property only where it wrote nothing yet: an error's own `type`
    // (body-parser's "entity.parse.failed") does not replace its constructor's name.
    for (json::Member& m : properties) {
      if (!err.contains(m.key)) err.set(m.key, std::move(m.value));
    }
    if (!h.code.empty() && !err.contains("code")) err.set("code", h.code);
    if (cause) err.set("cause", std::move(*cause));
    return json::Value(std::move(err));
  }

  // "[Name: message]" (one or more lines), p_ at '['. Leaves p_ just past the ']'.
  bool bracketed_header(size_t indent, std::string& header) {
    if (!header_like(s_.substr(p_ + 1, line_end(p_) - p_ - 1))) return false;
    size_t depth = 0;
    size_t lines = 0;
    for (size_t q = p_ + 1; q < s_.size(); ++q) {
      const char c = s_[q];
      if (c == '\n' && ++lines > o_.max_message_lines) return false;
      if (c == '[') ++depth;
      if (c != ']') continue;
      if (depth > 0) {
        --depth;
        continue;
      }
      // The bracket that closes the header is followed by the end of its line, by its property
      // block, or by what follows an item in an array.
      const std::string_view after = s_.substr(q + 1);
      const std::string_view rest = rstrip(after.substr(0, after.find('\n')));
      if (!(rest.empty() || rest.starts_with(" {") || after.starts_with(",") ||
            after.starts_with(" ]") || after.starts_with(" }"))) {
        continue;
      }
      const std::string_view inner = s_.substr(p_ + 1, q - p_ - 1);
      for (size_t pos = 0; pos <= inner.size();) {
        const size_t nl = std::min(inner.find('\n', pos), inner.size());
        const std::string_view line = inner.substr(pos, nl - pos);
        if (pos > 0) header += '\n';
        header += pos == 0 ? rstrip(line) : rstrip(strip_indent(line, indent).value_or(line));
        pos = nl + 1;
      }
      p_ = q + 1;
      return true;
    }
    return false;
  }

  // A header line, message lines, then frames. False when no frame follows.
  bool framed_header(size_t indent, std::string& header, std::vector<Frame>& frames, bool& block) {
    size_t eol = line_end(p_);
    header = rstrip(s_.substr(p_, eol - p_));
    size_t lines = 0;
    while (true) {
      if (eol >= s_.size()) return false;
      const size_t next = eol + 1;
      const size_t end = line_end(next);
      const auto body = strip_indent(s_.substr(next, end - next), indent);
      if (!body) return false;
      if (is_frame_line(*body)) {
        p_ = next;
        break;
      }
      if (++lines > o_.max_message_lines) return false;
      header += '\n';
      header += rstrip(*body);
      eol = end;
    }
    bool enhanced = false;
    while (!at_end()) {
      const size_t end = line_end(p_);
      const auto body = strip_indent(s_.substr(p_, end - p_), indent);
      if (!body) break;
      const std::string_view line = rstrip(*body);
      const bool frame = is_frame_line(line);
      const size_t elided = frame ? 0 : elision_count(line);
      const bool enhancement = !frame && elided == 0 && is_enhancement_line(line);
      if (!frame && elided == 0 && !enhancement) break;
      enhanced = enhanced || enhancement;
      // The last frame is followed by the error's property block (" {"), or, for an error that
      // is a value in an object or array, by the ',' before the next one.
      const bool opens = line.ends_with(" {");
      const bool followed = !opens && line.ends_with(',');
      if (!enhanced && !enhancement) {
        frames.push_back(
            Frame{std::string(opens || followed ? rstrip(line.substr(0, line.size() - 1)) : line),
                  elided});
      }
      if (opens || followed) {
        p_ = end - (body->size() - line.size()) - 1;  // at the '{' or ','
        block = opens;
        return true;
      }
      p_ = end < s_.size() ? end + 1 : end;
    }
    return true;
  }

  // --- values ---------------------------------------------------------------------------------

  // "{ key: value, … }" at p_ ('{'). An error's block routes [cause] and [errors] to `cause` and
  // `errors`; elsewhere they are null and bracketed keys (symbols) are left out.
  void object_body(size_t depth, json::Object& out, std::optional<json::Value>* cause,
                   std::optional<json::Array>* errors) {
    ++p_;
    while (true) {
      skip_ws();
      if (at_end()) {
        closed_ = false;
        return;
      }
      if (s_[p_] == '}') {
        ++p_;
        return;
      }
      if (s_[p_] == ',') {
        ++p_;
        continue;
      }
      if (starts_with("... ")) {  // "... 3 more items"
        skip_token();
        continue;
      }
      std::string key;
      bool special = false;
      if (!read_key(key, special)) {
        skip_entry();
        continue;
      }
      skip_spaces();
      if (at_end() || s_[p_] != ':') {
        skip_entry();
        continue;
      }
      ++p_;
      skip_spaces();
      bool is_error = false;
      std::optional<json::Value> v = value(depth + 1, is_error);
      if (special && key == "[cause]" && cause != nullptr) {
        if (is_error) {
          *cause = std::move(v);
        } else if (v) {
          out.set("cause", std::move(*v));
        }
      } else if (special && key == "[errors]" && errors != nullptr && v && v->is_array()) {
        *errors = std::move(v->as_array());
      } else if (!special && v) {
        out.set(key, std::move(*v));
      }
    }
  }

  bool read_key(std::string& key, bool& special) {
    const char c = s_[p_];
    if (c == '\'' || c == '"' || c == '`') {
      key = string_literal();
      return true;
    }
    if (c == '[') {
      const size_t start = p_;
      skip_balanced();
      key = s_.substr(start, p_ - start);
      special = true;
      return true;
    }
    const size_t start = p_;
    while (!at_end() && (is_ident_char(s_[p_]) || s_[p_] == '-')) ++p_;
    key = s_.substr(start, p_ - start);
    return !key.empty();
  }

  // Over what could not be read, up to the ',' or line end that ends its entry, or the bracket
  // that closes the object it is in (left for the caller): never past the end of its container.
  void skip_entry() {
    ++unreadable_;
    const size_t start = p_;
    while (!at_end()) {
      const char c = s_[p_];
      if (c == ',' || c == '\n' || c == '}' || c == ']') break;
      if (c == '{' || c == '[' || c == '(') {
        skip_balanced();
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') {
        const size_t end = s_.find(c, p_ + 1);
        p_ = end == kNpos || end > line_end(p_) ? line_end(p_) : end + 1;
        continue;
      }
      ++p_;
    }
    if (p_ == start && !at_end() && s_[p_] != '}') ++p_;  // a stray ']' goes; a '}' closes
  }

  // Up to the next ',', line end, or closing bracket; at least one byte.
  std::string_view skip_token() {
    const size_t start = p_;
    while (!at_end() && s_[p_] != ',' && s_[p_] != '\n' && s_[p_] != '}' && s_[p_] != ']') ++p_;
    if (p_ == start && !at_end()) ++p_;
    return rstrip(s_.substr(start, p_ - start));
  }

  json::Value raw(std::string_view text) {
    ++unreadable_;
    return json::Value(std::string(text));
  }

  // One value at p_; nullopt when JSON would leave it out (undefined, a function, a symbol).
  std::optional<json::Value> value(size_t depth, bool& is_error) {
    skip_ws();
    if (at_end()) return std::nullopt;
    skip_ref();
    if (depth > o_.max_depth && (s_[p_] == '{' || s_[p_] == '[')) {
      skip_balanced();
      ++unreadable_;
      return json::Value(json::kTooDeep);
    }
    const char c = s_[p_];
    if (c == '\'' || c == '"' || c == '`') return json::Value(string_literal());
    if (c == '{') {
      json::Object o;
      object_body(depth, o, nullptr, nullptr);
      return json::Value(std::move(o));
    }
    if (c == '[') return bracket_value(depth, is_error);
    if (is_digit(c) || c == '-') return number();
    if (starts_with("<Buffer")) return buffer();
    if (is_ident_start(c)) return word_value(depth, is_error);
    return raw(skip_token());
  }

  std::optional<json::Value> bracket_value(size_t depth, bool& is_error) {
    const std::string_view after = s_.substr(p_ + 1);
    if (after.empty() || after[0] == ' ' || after[0] == '\n' || after[0] == ']') {
      return json::Value(array_body(depth));
    }
    size_t n = 0;
    while (n < after.size() && (is_ident_char(after[n]) || after[n] == '/')) ++n;
    const std::string_view word = after.substr(0, n);
    if (word == "Function" || word == "AsyncFunction" || word == "GeneratorFunction" ||
        word == "AsyncGeneratorFunction" || word == "class") {
      skip_balanced();
      skip_spaces();
      if (!at_end() && s_[p_] == '{') skip_balanced();  // a function's own properties
      return std::nullopt;
    }
    if (after.starts_with("Object: null prototype]")) {
      p_ += 1 + std::string_view("Object: null prototype]").size();
      return value(depth, is_error);
    }
    if (word == "Getter" || word == "Setter" || word == "Getter/Setter" || word == "Object" ||
        word == "Array" || word == "Circular") {
      const size_t start = p_;
      skip_balanced();
      return json::Value(std::string(s_.substr(start, p_ - start)));
    }
    if (header_like(after.substr(0, after.find('\n')))) {
      if (auto e = error(depth)) {
        is_error = e->is_object();
        return e;
      }
    }
    const size_t start = p_;
    skip_balanced();
    return raw(s_.substr(start, p_ - start));
  }

  json::Array array_body(size_t depth) {
    json::Array out;
    ++p_;
    while (true) {
      skip_ws();
      if (at_end()) {
        closed_ = false;
        return out;
      }
      if (s_[p_] == ']') {
        ++p_;
        return out;
      }
      if (s_[p_] == ',') {
        ++p_;
        continue;
      }
      if (starts_with("... ")) {
        skip_token();
        continue;
      }
      const size_t before = p_;
      bool is_error = false;
      std::optional<json::Value> v = value(depth + 1, is_error);
      // JSON.stringify writes null for what it cannot hold in an array; positions matter
      // (an AggregateError's errors[i]).
      out.push_back(v ? std::move(*v) : json::Value(nullptr));
      if (p_ == before) ++p_;
    }
  }

  std::optional<json::Value> word_value(size_t depth, bool& is_error) {
    const size_t start = p_;
    size_t q = p_;
    while (q < s_.size() && is_ident_char(s_[q])) ++q;
    const std::string_view word = s_.substr(start, q - start);
    const bool bounded = q >= s_.size() || !is_ident_char(s_[q]);
    if (bounded) {
      const auto literal = [&](json::Value v) {
        p_ = q;
        return std::optional<json::Value>(std::move(v));
      };
      if (word == "true") return literal(true);
      if (word == "false") return literal(false);
      if (word == "null" || word == "NaN" || word == "Infinity") return literal(nullptr);
      if (word == "undefined") {
        p_ = q;
        return std::nullopt;
      }
      if (word == "Symbol" && q < s_.size() && s_[q] == '(') {
        p_ = q;
        skip_balanced();
        return std::nullopt;
      }
    }
    if (header_like(s_.substr(start, line_end(start) - start))) {
      if (auto e = error(depth)) {
        is_error = e->is_object();
        return e;
      }
    }
    // A class instance, a Map, a Buffer: "Foo {", "Map(2) {", "Buffer(3) [Uint8Array] [".
    p_ = q;
    if (starts_with("(")) {
      const size_t close = s_.find(')', p_);
      if (close != kNpos && close < line_end(p_)) p_ = close + 1;
    }
    if (starts_with(" [") && !s_.substr(p_).starts_with(" [ ")) {
      const size_t close = s_.find(']', p_);
      if (close != kNpos && close < line_end(p_)) p_ = close + 1;
    }
    if (starts_with(" {") || starts_with(" [")) {
      ++p_;
      if (word == "Map" || word == "Set" || word == "WeakMap" || word == "WeakSet") {
        skip_balanced();                     // "'a' => 1" is no object entry
        return json::Value(json::Object());  // what JSON.stringify makes of them
      }
      bool nested_error = false;
      std::optional<json::Value> inner = value(depth, nested_error);
      if (word == "Buffer" && inner && inner->is_array()) {
        json::Object buffer;
        buffer.set("type", "Buffer");
        buffer.set("data", std::move(*inner));
        return json::Value(std::move(buffer));
      }
      return inner;
    }
    p_ = start;
    return raw(skip_token());
  }

  // "<Buffer 68 69 ... 40 more bytes>" → what pino logs for a Buffer (its toJSON()).
  json::Value buffer() {
    const size_t eol = line_end(p_);
    const size_t close = std::min(s_.find('>', p_), eol);
    std::string_view bytes = s_.substr(p_ + 7, close - p_ - 7);  // "<Buffer" is 7 bytes
    p_ = close < eol ? close + 1 : eol;
    json::Array data;
    while (true) {
      while (!bytes.empty() && bytes[0] == ' ') bytes.remove_prefix(1);
      unsigned value = 0;
      if (bytes.size() < 2) break;
      const auto [next, ec] = std::from_chars(bytes.data(), bytes.data() + 2, value, 16);
      if (ec != std::errc() || next != bytes.data() + 2) break;  // "... 40 more bytes"
      data.push_back(json::Value(static_cast<int64_t>(value)));
      bytes.remove_prefix(2);
    }
    json::Object out;
    out.set("type", "Buffer");
    out.set("data", std::move(data));
    return json::Value(std::move(out));
  }

  std::optional<json::Value> number() {
    const size_t start = p_;
    while (!at_end() && s_[p_] != ',' && s_[p_] != '\n' && s_[p_] != '}' && s_[p_] != ']' &&
           !is_blank(s_[p_])) {
      ++p_;
    }
    std::string_view token = s_.substr(start, p_ - start);
    if (token.empty()) {
      ++p_;
      return std::nullopt;
    }
    if (token == "-Infinity") return json::Value(nullptr);
    if (token.size() > 1 && token.back() == 'n') token.remove_suffix(1);  // a BigInt
    if (!json::is_number_token(token)) {
      // A Date prints as its ISO string, unquoted; JSON has it quoted.
      return json::Value(std::string(token));
    }
    if (auto v = json::parse(token); v.ok()) {
      if (v->is_number() && v->as_double() == 0) return json::Value(0);  // -0
      return std::move(v).value();
    }
    return raw(token);
  }

  // A quoted string at p_, with util.inspect's escapes, and the "'a' +\n  'b'" continuations it
  // splits long multi-line strings into.
  std::string string_literal() {
    std::string out;
    while (true) {
      const char quote = s_[p_++];
      while (!at_end() && s_[p_] != quote && s_[p_] != '\n') {
        if (s_[p_] != '\\' || p_ + 1 >= s_.size()) {
          out += s_[p_++];
          continue;
        }
        escape(out);
      }
      if (!at_end() && s_[p_] == quote) ++p_;
      // "'…'... 9990 more characters" (maxStringLength).
      if (starts_with("... ")) skip_token();
      size_t q = p_;
      while (q < s_.size() && is_blank(s_[q])) ++q;
      if (q >= s_.size() || s_[q] != '+') return out;
      ++q;
      while (q < s_.size() && (is_blank(s_[q]) || s_[q] == '\n')) ++q;
      if (q >= s_.size() || (s_[q] != '\'' && s_[q] != '"' && s_[q] != '`')) return out;
      p_ = q;
    }
  }

  void escape(std::string& out) {
    const char e = s_[p_ + 1];
    p_ += 2;
    switch (e) {
      case 'n':
        out += '\n';
        return;
      case 't':
        out += '\t';
        return;
      case 'r':
        out += '\r';
        return;
      case 'b':
        out += '\b';
        return;
      case 'f':
        out += '\f';
        return;
      case 'v':
        out += '\v';
        return;
      case '0':
        out += '\0';
        return;
      case 'x':
        return code_point(2, out);
      case 'u':
        return code_point(4, out);
      default:
        out += e;
    }
  }

  // \xHH or \uHHHH (a surrogate pair as two escapes; a lone surrogate becomes U+FFFD).
  void code_point(size_t digits, std::string& out) {
    const auto hex = [&](size_t at, size_t n, uint32_t& cp) {
      if (at + n > s_.size()) return false;
      const auto [end, ec] = std::from_chars(s_.data() + at, s_.data() + at + n, cp, 16);
      return ec == std::errc() && end == s_.data() + at + n;
    };
    uint32_t cp = 0;
    if (!hex(p_, digits, cp)) return;
    p_ += digits;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (s_.substr(p_).starts_with("\\u") && hex(p_ + 2, 4, low) && low >= 0xDC00 &&
          low <= 0xDFFF) {
        p_ += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else {
        cp = 0xFFFD;
      }
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view s_;
  const InspectOptions& o_;
  size_t p_ = 0;
  bool closed_ = true;
  size_t errors_ = 0;
  size_t elisions_ = 0;
  size_t unreadable_ = 0;
};

}  // namespace

bool is_elision_line(std::string_view line) {
  return elision_count(line) > 0;
}

std::optional<InspectedError> parse_inspected_error(std::string_view text,
                                                    const InspectOptions& options) {
  return Parser(text, options).top();
}

}  // namespace faultline
