#include "parsers/pino_record.h"

#include <cstring>

#include "parsers/json.h"
#include "parsers/timestamp.h"
#include "parsers/utf8.h"

namespace faultline {

namespace ondemand = simdjson::ondemand;

// ---- RecordSchema ----------------------------------------------------------------------------

Result<RecordSchema::Candidates> RecordSchema::add_all(const std::vector<std::string>& keys,
                                                       bool also_nested) {
  Candidates c;
  for (const std::string& key : keys) {
    auto slot = plan_.add(key);
    if (!slot.ok()) return slot.status();
    c.slots.push_back(*slot);
  }
  if (also_nested && !format_.nested_key.empty()) {
    for (const std::string& key : keys) {
      auto slot = plan_.add(format_.nested_key + "." + key);
      if (!slot.ok()) return slot.status();
      c.slots.push_back(*slot);
    }
  }
  return c;
}

Result<RecordSchema> RecordSchema::build(const PinoFormat& format) {
  RecordSchema s;
  s.format_ = format;
  struct Field {
    Candidates* into;
    const std::vector<std::string>* keys;
    bool nested;  // the call's own fields move under nestedKey; pino's own keys do not
  };
  const Field fields[] = {
      {&s.level, &format.level_keys, false},
      {&s.time, &format.time_keys, false},
      {&s.message, &format.message_keys, false},
      {&s.logger, &format.logger_keys, false},
      {&s.pid, &format.pid_keys, false},
      {&s.hostname, &format.hostname_keys, false},
      {&s.error, &format.error_keys, true},
      {&s.request_id, &format.request_id_keys, true},
      {&s.trace_id, &format.trace_id_keys, true},
      {&s.span_id, &format.span_id_keys, true},
      {&s.trace_flags, &format.trace_flags_keys, true},
      {&s.status, &format.status_keys, true},
      {&s.job_id, &format.job_id_keys, true},
      {&s.queue, &format.queue_keys, true},
      {&s.attempts_made, &format.attempts_made_keys, true},
      {&s.attempts, &format.attempts_keys, true},
      {&s.response_time, &format.response_time_keys, true},
      {&s.request_log, &format.request_log_keys, true},
  };
  for (const Field& f : fields) {
    auto c = s.add_all(*f.keys, f.nested);
    if (!c.ok()) return c.status();
    *f.into = std::move(c).value();
  }
  s.raw_.assign(s.plan_.slot_count(), 0);
  // Read on every line but only compared: converting them would cost more than the rest of the
  // line's classification. A slot that is also another field keeps its real value.
  for (const Candidates* c : {&s.pid, &s.hostname}) {
    for (int slot : c->slots) s.raw_[static_cast<size_t>(slot)] = 1;
  }
  for (const Field& f : fields) {
    if (f.into == &s.pid || f.into == &s.hostname) continue;
    for (int slot : f.into->slots) s.raw_[static_cast<size_t>(slot)] = 0;
  }
  return s;
}

Result<int> RecordSchema::add_field(std::string_view path) {
  auto slot = plan_.add(path);
  if (!slot.ok()) return slot;
  raw_.resize(plan_.slot_count(), 0);
  raw_[static_cast<size_t>(*slot)] = 0;  // a rule reads the value itself
  return slot;
}

// ---- RecordReader ----------------------------------------------------------------------------

const FieldValue RecordReader::kAbsent{};

RecordReader::RecordReader(const RecordSchema& schema)
    : schema_(schema),
      captured_(schema.plan().slot_count()),
      written_by_(schema.plan().slot_count(), 0) {}

FieldValue& RecordReader::write(int slot) {
  const auto i = static_cast<size_t>(slot);
  written_by_[i] = reads_;
  captured_[i] = FieldValue{};
  return captured_[i];
}

namespace {

// A value's JSON text as written, without the blanks simdjson includes after it.
std::string_view raw_token(ondemand::value& value) {
  std::string_view token = value.raw_json_token();
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r' ||
                            token.back() == '\n')) {
    token.remove_suffix(1);
  }
  return token;
}

}  // namespace

simdjson::error_code RecordReader::capture(ondemand::value& value, int slot) {
  if (schema_.raw(slot)) {
    const std::string_view token = raw_token(value);
    FieldValue& f = write(slot);
    f.kind = token == "null" ? FieldValue::Kind::kNull : FieldValue::Kind::kString;
    f.text = token;
    return simdjson::SUCCESS;
  }
  ondemand::json_type type;
  if (auto e = value.type().get(type)) return e;
  FieldValue& f = write(slot);
  switch (type) {
    case ondemand::json_type::string: {
      std::string_view s;
      if (auto e = value.get_string().get(s)) return e;
      f.kind = FieldValue::Kind::kString;
      f.text = s;
      break;
    }
    case ondemand::json_type::number: {
      const std::string_view token = raw_token(value);
      double d;
      if (auto e = value.get_double().get(d)) {
        // Valid JSON beyond a double's range (1e309, 1e-400): read as JSON.parse reads it, so
        // one odd number does not make the line non-JSON.
        if (!json::is_number_token(token)) return e;
        d = json::beyond_double(token);
      }
      f.kind = FieldValue::Kind::kNumber;
      f.number = d;
      f.text = token;
      break;
    }
    case ondemand::json_type::boolean: {
      bool b;
      if (auto e = value.get_bool().get(b)) return e;
      f.kind = FieldValue::Kind::kBool;
      f.boolean = b;
      break;
    }
    case ondemand::json_type::null:
      f.kind = FieldValue::Kind::kNull;
      break;
    case ondemand::json_type::object: {
      f.kind = FieldValue::Kind::kObject;
      // The token is "{" and the blanks after it, so the byte after it is the next structural
      // character: "}" for an empty object. (Read from the padded line; nothing is consumed.)
      const std::string_view token = value.raw_json_token();
      f.empty_object = token.data()[token.size()] == '}';
      break;
    }
    case ondemand::json_type::array:
      f.kind = FieldValue::Kind::kArray;
      break;
  }
  return simdjson::SUCCESS;
}

bool RecordReader::all_captured_below(int node) const {
  for (int slot : schema_.plan().slots_below(node)) {
    if (!field(slot).present()) return false;
  }
  return true;
}

simdjson::error_code RecordReader::walk(ondemand::object object, int node) {
  const FieldPlan& plan = schema_.plan();
  for (auto field_result : object) {
    if (auto e = field_result.error()) return e;
    ondemand::field& field = field_result.value_unsafe();
    // Keys almost never hold escapes: look them up in place, in the line, instead of unescaping
    // a copy of every key of every line.
    std::string_view key;
    bool in_line = false;
    const char* raw = field.key().raw();
    const char* p = raw;
    while (p < line_end_ && *p != '"' && *p != '\\') ++p;
    if (p < line_end_ && *p == '"') {
      key = std::string_view(raw, static_cast<size_t>(p - raw));
      in_line = true;
    }
    if (!in_line) {
      if (auto e = field.unescaped_key().get(key)) return e;
    }
    // A key in the line is followed by at least the padding, which the fast lookup reads.
    const int child = in_line ? plan.child_padded(node, key) : plan.child(node, key);
    if (child == FieldPlan::kNone) continue;  // the iterator skips the value unread
    ondemand::value& value = field.value();
    const int slot = plan.slot(child);
    if (slot != FieldPlan::kNone) {
      if (auto e = capture(value, slot)) return e;
    }
    if (plan.has_children(child)) {
      // A key seen again replaces its whole value (JSON.parse keeps the last one): forget what
      // an earlier occurrence left below it.
      for (int below : plan.slots_below(child)) written_by_[static_cast<size_t>(below)] = 0;
      ondemand::json_type type;
      if (auto e = value.type().get(type)) return e;
      if (type == ondemand::json_type::object) {
        ondemand::object inner;
        if (auto e = value.get_object().get(inner)) return e;
        if (auto e = walk(inner, child)) return e;
      }
    }
    // Inside a nested object (req, res), stop once every field wanted from it is read: the
    // rest (headers, query, …) is skipped by the parent's iterator without being looked at.
    // The top level is always read to its end: a key given twice keeps its last value there.
    if (node != FieldPlan::kRoot && all_captured_below(node)) break;
  }
  return simdjson::SUCCESS;
}

ReadOutcome RecordReader::read_padded(std::string_view text, size_t capacity, RecordView& view) {
  const size_t slots = schema_.plan().slot_count();
  if (captured_.size() != slots) {  // a slot registered after this reader was made
    captured_.assign(slots, FieldValue{});
    written_by_.assign(slots, 0);
  }
  ++reads_;
  line_end_ = text.data() + text.size();
  ondemand::document doc;
  if (parser_.iterate(text.data(), text.size(), capacity).get(doc)) return ReadOutcome::kNotJson;
  ondemand::object root;
  if (doc.get_object().get(root)) return ReadOutcome::kNotJson;
  if (walk(root, FieldPlan::kRoot)) return ReadOutcome::kNotJson;
  // Trailing tokens after the object ("{...} {...}", "{...}}") make the line malformed: a location
  // exists only when something is left.
  const char* trailing = nullptr;
  if (!doc.current_location().get(trailing)) return ReadOutcome::kNotJson;
  resolve(view);
  return ReadOutcome::kRecord;
}

ReadOutcome RecordReader::read(std::string_view text, RecordView& view, bool padded) {
  view = RecordView{};
  size_t start = 0;
  while (start < text.size() && (text[start] == ' ' || text[start] == '\t')) ++start;
  // Console output, crash dumps and blank lines are rejected without touching the parser.
  if (start == text.size() || text[start] != '{') return ReadOutcome::kNotJson;

  ReadOutcome outcome;
  if (padded) {
    outcome = read_padded(text, text.size() + simdjson::SIMDJSON_PADDING, view);
  } else {
    scratch_.assign(text);
    scratch_.reserve(text.size() + simdjson::SIMDJSON_PADDING);
    outcome = read_padded(scratch_, scratch_.capacity(), view);
  }
  if (outcome == ReadOutcome::kRecord) return outcome;
  // Rare: a line with invalid UTF-8 (a truncated multibyte character, a binary dump) or with a
  // lone surrogate escape (pino writes `\ud800` in long strings). Repair a copy and read that,
  // so an error record is not lost over one bad character.
  const bool bad_utf8 = !utf8::is_valid(text);
  if (!bad_utf8 && !json::has_lone_surrogate(text)) return outcome;
  scratch_ = json::replace_lone_surrogates(bad_utf8 ? utf8::sanitized(text) : text);
  scratch_.reserve(scratch_.size() + simdjson::SIMDJSON_PADDING);
  view = RecordView{};
  if (read_padded(scratch_, scratch_.capacity(), view) == ReadOutcome::kRecord) {
    return ReadOutcome::kInvalidUtf8;
  }
  return ReadOutcome::kNotJson;
}

const FieldValue* RecordReader::first(const RecordSchema::Candidates& c) const {
  for (int slot : c.slots) {
    const FieldValue& f = field(slot);
    if (f.present() && f.kind != FieldValue::Kind::kNull) return &f;
  }
  return nullptr;
}

namespace {

int clamp_int(double d) {
  if (!(d > -1e9 && d < 1e9)) return d > 0 ? 1000000000 : -1000000000;
  return static_cast<int>(d);
}

}  // namespace

void RecordReader::resolve(RecordView& view) const {
  // A number in any level key beats a label: labels are ambiguous across conventions (a custom
  // "alert" 45 next to GCP's ALERT), numbers are not.
  for (int slot : schema_.level.slots) {
    const FieldValue& f = field(slot);
    if (f.kind == FieldValue::Kind::kNumber) {
      view.level = clamp_int(f.number);
      break;
    }
  }
  for (int slot : schema_.level.slots) {
    const FieldValue& f = field(slot);
    if (f.kind == FieldValue::Kind::kString) {
      view.level_label = f.text;
      if (!view.level) view.level = schema_.format().levels.number(f.text);
      break;
    }
  }

  if (const FieldValue* t = first(schema_.time)) {
    if (t->kind == FieldValue::Kind::kNumber) {
      view.time_us = epoch_number_to_micros(t->number);
    } else if (t->kind == FieldValue::Kind::kString) {
      view.time_us = parse_rfc3339_micros(t->text);
    }
  }

  for (int slot : schema_.message.slots) {
    const FieldValue& f = field(slot);
    if (f.has_text()) {
      view.message = f.text;
      break;
    }
  }

  // An empty object is what pino writes for an Error under a key its serializers do not know
  // ({ error: err } with errorKey err): there is no error object to report.
  const FieldValue* e = nullptr;
  for (int slot : schema_.error.slots) {
    const FieldValue& f = field(slot);
    if (f.present() && f.kind != FieldValue::Kind::kNull && !f.empty_object) {
      e = &f;
      break;
    }
  }
  if (e != nullptr) {
    switch (e->kind) {
      case FieldValue::Kind::kObject:
        view.err = RecordView::ErrShape::kObject;
        break;
      case FieldValue::Kind::kString:
        view.err = RecordView::ErrShape::kString;
        break;
      default:
        view.err = RecordView::ErrShape::kOther;
    }
  }

  const auto text_of = [&](const RecordSchema::Candidates& c) -> std::string_view {
    for (int slot : c.slots) {
      const FieldValue& f = field(slot);
      if (f.has_text() && !f.text.empty()) return f.text;
    }
    return {};
  };
  const auto int_of = [&](const RecordSchema::Candidates& c, int absent) {
    for (int slot : c.slots) {
      const FieldValue& f = field(slot);
      if (f.kind == FieldValue::Kind::kNumber) return clamp_int(f.number);
    }
    return absent;
  };

  view.request_id = text_of(schema_.request_id);
  view.trace_id = text_of(schema_.trace_id);
  view.span_id = text_of(schema_.span_id);
  view.trace_flags = text_of(schema_.trace_flags);
  view.status_code = int_of(schema_.status, 0);
  view.job_id = text_of(schema_.job_id);
  view.queue = text_of(schema_.queue);
  view.attempts_made = int_of(schema_.attempts_made, -1);
  view.attempts = int_of(schema_.attempts, -1);
  view.logger = text_of(schema_.logger);
  view.pid = text_of(schema_.pid);
  view.hostname = text_of(schema_.hostname);
  view.completion = first(schema_.response_time) != nullptr ||
                    (view.status_code > 0 && first(schema_.request_log) != nullptr);
}

}  // namespace faultline
