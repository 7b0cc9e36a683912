#include "agent/sentry/exception.h"

#include <utility>
#include <vector>

namespace faultline::sentry {
namespace {

size_t count_errors(const ErrorNode& node) {
  size_t n = 1;
  if (node.cause) n += count_errors(*node.cause);
  for (const ErrorNode& child : node.errors) n += count_errors(child);
  return n;
}

// aggregateExceptionsFromError(): the errors in the order the SDK creates them, which is also
// their exception_id. Each keeps the mechanism it will be sent with.
class Linker {
 public:
  Linker(ErrorNode& root, const ExceptionOptions& options) : limit_(options.max_linked + 1) {
    json::Object mechanism;  // applyExceptionMechanism(): {type, handled, …new}
    mechanism.set("type", options.mechanism_type);
    mechanism.set("handled", options.handled);
    if (options.synthetic) mechanism.set("synthetic", true);
    linked_.push_back(Linked{&root, std::move(mechanism), ""});
    link(0);
  }

  struct Linked {
    ErrorNode* error;
    json::Object mechanism;
    std::string path;  // from the logged error: "", "cause", "errors[1].cause", …
  };
  std::vector<Linked>& linked() { return linked_; }

 private:
  void link(size_t id) {
    if (linked_.size() >= limit_) return;
    ErrorNode& error = *linked_[id].error;
    if (error.cause) link(add_child(id, *error.cause, "cause"));
    for (ErrorNode& child : error.errors) {
      if (linked_.size() < limit_) {
        link(add_child(id, child, "errors[" + std::to_string(child.index) + "]"));
      }
    }
  }

  size_t add_child(size_t parent_id, ErrorNode& child, const std::string& source) {
    // applyExceptionGroupFieldsForParentException(): SDK defaults first, the parent's own
    // mechanism over them, exception_id last; json::Object::set keeps the first position, as
    // an object spread does.
    json::Object parent;
    parent.set("handled", true);
    parent.set("type", "auto.core.linked_errors");
    if (linked_[parent_id].error->exception_group) parent.set("is_exception_group", true);
    for (json::Member& m : linked_[parent_id].mechanism) parent.set(m.key, std::move(m.value));
    parent.set("exception_id", static_cast<int64_t>(parent_id));
    linked_[parent_id].mechanism = std::move(parent);

    // applyExceptionGroupFieldsForChildException().
    const size_t id = linked_.size();
    json::Object mechanism;
    mechanism.set("handled", true);
    mechanism.set("type", "chained");
    mechanism.set("source", source);
    mechanism.set("exception_id", static_cast<int64_t>(id));
    mechanism.set("parent_id", static_cast<int64_t>(parent_id));
    const std::string& parent_path = linked_[parent_id].path;
    linked_.push_back(Linked{&child, std::move(mechanism),
                             parent_path.empty() ? source : parent_path + "." + source});
    return id;
  }

  size_t limit_;
  std::vector<Linked> linked_;
};

// Takes the error's type, message and frames.
json::Object exception_json(ErrorNode& error, json::Object mechanism) {
  json::Object value;
  value.members().reserve(4);
  value.set("type", std::move(error.type));
  value.set("value", std::move(error.message));
  if (!error.frames.empty()) {
    json::Array frames;
    frames.reserve(error.frames.size());
    for (StackFrame& frame : error.frames) frames.push_back(frame_json(std::move(frame)));
    json::Object stacktrace;
    stacktrace.set("frames", std::move(frames));
    value.set("stacktrace", std::move(stacktrace));
  }
  value.set("mechanism", std::move(mechanism));
  return value;
}

}  // namespace

json::Object frame_json(StackFrame frame) {
  json::Object o;
  o.members().reserve(7);
  if (!frame.filename.empty()) o.set("filename", std::move(frame.filename));
  if (!frame.abs_path.empty()) o.set("abs_path", std::move(frame.abs_path));
  if (!frame.module.empty()) o.set("module", std::move(frame.module));
  o.set("function", frame.function.empty() ? std::string("?") : std::move(frame.function));
  if (frame.lineno > 0) o.set("lineno", frame.lineno);
  if (frame.colno > 0) o.set("colno", frame.colno);
  if (frame.in_app) o.set("in_app", *frame.in_app);
  return o;
}

ExceptionList exception_values(ErrorNode&& root, const ExceptionOptions& options) {
  Linker linker(root, options);
  std::vector<Linker::Linked>& linked = linker.linked();
  ExceptionList out;
  out.dropped = count_errors(root) - linked.size();
  // The contexts first: the values below take the errors' types.
  for (size_t id = 0; id < linked.size(); ++id) {
    ErrorNode& error = *linked[id].error;
    if (error.properties.empty()) continue;
    std::string key = id == 0 ? error.type : error.type + " (" + linked[id].path + ")";
    if (out.contexts.contains(key)) key += " #" + std::to_string(id);
    out.contexts.set(key, std::move(error.properties));
  }
  out.values.reserve(linked.size());
  for (size_t i = linked.size(); i-- > 0;) {
    out.values.push_back(exception_json(*linked[i].error, std::move(linked[i].mechanism)));
  }
  return out;
}

}  // namespace faultline::sentry
