#include "parsers/pino_error.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace faultline {
namespace {

constexpr std::string_view kCausedBy = "\ncaused by: ";
constexpr std::string_view kCircular = "causes have become circular...";

// pino-std-serializers' isErrorLike(): an object with a string `message`.
bool is_error_like(const json::Value& v) {
  const json::Value* message = v.find("message");
  return message != nullptr && message->is_string();
}

std::string_view string_member(const json::Object& o, std::string_view key) {
  const json::Value* v = o.find(key);
  return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

// A stack as pino's default serializer writes it: each error of the chain, outermost first.
struct FoldedStack {
  std::vector<std::string_view> segments;  // never empty
  bool circular = false;
  size_t omitted = 0;  // segments past the limit
};

FoldedStack split_folded(std::string_view stack, size_t max_segments) {
  FoldedStack out;
  // The marker ends the whole stack, after the segment of the error that closed the cycle.
  if (stack.ends_with(kCircular)) {
    const size_t cut = stack.size() - kCircular.size();
    if (cut == 0 || stack[cut - 1] == '\n') {
      out.circular = true;
      stack = stack.substr(0, cut == 0 ? 0 : cut - 1);
    }
  }
  for (size_t pos = 0;;) {
    const size_t sep = stack.find(kCausedBy, pos);
    if (out.segments.size() == std::max<size_t>(max_segments, 1)) {
      for (size_t p = pos; p != std::string_view::npos; p = stack.find(kCausedBy, p + 1)) {
        ++out.omitted;
      }
      break;
    }
    out.segments.push_back(stack.substr(pos, sep == std::string_view::npos ? sep : sep - pos));
    if (sep == std::string_view::npos) break;
    pos = sep + kCausedBy.size();
  }
  return out;
}

// The outer message without the ": middle: inner" that the default serializer appended, when
// the causes' own messages (from their stack headers) account for that suffix exactly.
std::string unfold_message(std::string_view folded, const std::vector<StackHeader>& headers,
                           const FoldedStack& stack) {
  if (stack.omitted == 0 && headers.size() == stack.segments.size()) {
    std::string suffix;
    for (size_t i = 1; i < headers.size(); ++i) suffix += ": " + headers[i].message;
    if (stack.circular) suffix += ": ...";
    if (folded.ends_with(suffix))
      return std::string(folded.substr(0, folded.size() - suffix.size()));
  }
  // Some cause's header was missing or rewritten: fall back on the outer error's own header.
  const std::string& own = headers.front().message;
  if (!own.empty() && folded.size() > own.size() + 2 && folded.starts_with(own) &&
      folded.substr(own.size()).starts_with(": ")) {
    return own;
  }
  return std::string(folded);
}

// What @sentry/node writes as the message of a captured non-error (getMessageForObject()).
std::string non_error_message(const json::Value& err) {
  if (err.is_string()) return err.as_string();
  if (!err.is_object()) return json::to_string(err);
  const json::Object& o = err.as_object();
  if (const json::Value* name = o.find("name"); name != nullptr && name->is_string()) {
    return "'" + name->as_string() + "' captured as exception";
  }
  std::vector<std::string_view> keys;
  for (const json::Member& m : o) keys.push_back(m.key);
  std::sort(keys.begin(), keys.end());
  std::string message = "Object captured as exception with keys: ";
  if (keys.empty()) return message + "[object has no keys]";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) message += ", ";
    message += keys[i];
  }
  return message;
}

class TreeBuilder {
 public:
  explicit TreeBuilder(const PinoErrorOptions& options) : options_(options) {}

  ErrorTree build(const json::Value& err) {
    ErrorTree tree;
    nodes_ = 1;
    if (is_error_like(err)) {
      tree.root = error_node(err.as_object(), 0);
      // pino serializes any object with a string `message` as an error, typed by its
      // constructor: "Object" is a plain object that was thrown or logged, not an Error. The SDK
      // sends those as type "Error" with the message as value, marked synthetic.
      if (tree.root.type == "Object" && string_member(err.as_object(), "name").empty()) {
        tree.root.type = "Error";
        tree.root.error_like = false;
      }
    } else {
      tree.root.type = "Error";
      tree.root.message = non_error_message(err);
      tree.root.error_like = false;
      if (err.is_object()) tree.root.properties = err.as_object();
    }
    tree.dropped = dropped_;
    std::vector<std::vector<StackFrame>> frames =
        parse_v8_stacks(stacks_, options_.stack, &tree.app_root);
    size_t next = 0;
    if (tree.root.error_like) assign_frames(tree.root, frames, next);
    return tree;
  }

 private:
  // Counts a linked error in, or out when the tree is full or too deep.
  bool admit(size_t depth) {
    if (nodes_ >= options_.max_errors || depth > options_.max_depth) {
      ++dropped_;
      return false;
    }
    ++nodes_;
    return true;
  }

  ErrorNode error_node(const json::Object& err, size_t depth) {
    ErrorNode node;
    const json::Value* cause = err.find("cause");
    const bool nested_cause = cause != nullptr && is_error_like(*cause);
    const json::Value* aggregate = err.find("aggregateErrors");
    const bool has_aggregate = aggregate != nullptr && aggregate->is_array();

    // ECS loggers (@elastic/ecs-pino-format) write the stack as `stack_trace`.
    const std::string_view stack_key =
        err.find("stack") == nullptr && err.find("stack_trace") != nullptr ? "stack_trace"
                                                                           : "stack";
    const FoldedStack stack = split_folded(string_member(err, stack_key), options_.max_errors);
    std::vector<StackHeader> headers;
    for (std::string_view segment : stack.segments) headers.push_back(parse_stack_header(segment));
    stacks_.push_back(stack.segments.front());  // pre-order, as assign_frames() walks

    const std::string_view name = string_member(err, "name");
    const std::string_view type = string_member(err, "type");
    node.type = !name.empty() ? name : !type.empty() ? type : headers.front().type;
    if (node.type.empty()) node.type = "Error";
    node.message = string_member(err, "message");

    for (const json::Member& m : err) {
      const std::string_view key = m.key;
      if (key == "type" || key == "message" || key == stack_key ||
          (key == "name" && m.value.is_string()) || (key == "cause" && nested_cause) ||
          ((key == "aggregateErrors" || key == "errors") && has_aggregate)) {
        continue;
      }
      node.properties.members().push_back(m);
    }

    if (nested_cause) {
      if (admit(depth + 1)) {
        node.cause = std::make_unique<ErrorNode>(error_node(cause->as_object(), depth + 1));
      }
    } else if (stack.segments.size() > 1) {
      node.message = unfold_message(node.message, headers, stack);
      ErrorNode* tail = &node;
      for (size_t i = 1; i < stack.segments.size(); ++i) {
        if (!admit(depth + i)) {
          dropped_ += stack.segments.size() - i - 1;
          break;
        }
        tail->cause = std::make_unique<ErrorNode>();
        tail = tail->cause.get();
        tail->type = headers[i].type.empty() ? "Error" : headers[i].type;
        tail->message = headers[i].message;
        // The serializer drops the causes' properties; Node's "[ERR_X]" header keeps the code.
        if (!headers[i].code.empty()) tail->properties.set("code", headers[i].code);
        stacks_.push_back(stack.segments[i]);
      }
      dropped_ += stack.omitted;
    }

    if (has_aggregate) {
      node.exception_group = true;
      bool all_error_like = true;
      const json::Array& entries = aggregate->as_array();
      for (size_t i = 0; i < entries.size(); ++i) {
        if (!is_error_like(entries[i])) {
          all_error_like = false;
        } else if (admit(depth + 1)) {
          node.errors.push_back(error_node(entries[i].as_object(), depth + 1));
          node.errors.back().index = i;
        }
      }
      // The SDK links only errors; keep the rest (rejection reasons such as strings) visible.
      if (!all_error_like) node.properties.set("aggregateErrors", *aggregate);
    }
    return node;
  }

  void assign_frames(ErrorNode& node, std::vector<std::vector<StackFrame>>& frames, size_t& next) {
    node.frames = std::move(frames[next++]);
    if (node.cause) assign_frames(*node.cause, frames, next);
    for (ErrorNode& child : node.errors) assign_frames(child, frames, next);
  }

  const PinoErrorOptions& options_;
  std::vector<std::string_view> stacks_;  // one per node, pre-order; views into the input
  size_t nodes_ = 0;
  size_t dropped_ = 0;
};

}  // namespace

ErrorTree parse_pino_error(const json::Value& err, const PinoErrorOptions& options) {
  return TreeBuilder(options).build(err);
}

}  // namespace faultline
