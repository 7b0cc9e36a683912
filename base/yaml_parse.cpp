// Reader::parse: yaml-cpp's event stream → a bounded yaml::Node tree. The only file that includes
// yaml-cpp (tests/layering_test.sh keeps it so).
//
// yaml-cpp's own YAML::Load builds a node graph in which an alias shares the node it names, so a
// self-referencing alias makes a cycle and nine levels of nine aliases make a graph that any walk
// visits 9^9 times. Here the tree is built from the events instead, and every limit is checked as
// the events arrive, before anything walks anything: an alias is a copy, counted in full against
// Limits::max_nodes the moment it appears.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <set>
#include <sstream>
#include <unordered_map>

#include "base/units.h"
#include "base/yaml_reader.h"

namespace faultline::yaml {

namespace {

// Thrown out of yaml-cpp's parser after a problem that ends the parse was recorded.
struct Stop {};

Mark mark_of(const YAML::Mark& m) {
  if (m.line < 0 || m.column < 0) return Mark();
  return Mark{m.line + 1, m.column + 1};
}

class Builder final : public YAML::EventHandler {
 public:
  Builder(Reader& reader, std::string_view text, const ParseOptions& options)
      : reader_(reader), text_(text), options_(options) {}

  // The document's root; a missing node until a document has ended.
  Node root;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_++ > 0) {
      fail(mark_of(mark), "",
           "a second YAML document starts here; a faultline configuration is one document "
           "(remove this ---)");
    }
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    count(mark_of(mark), 1, 0);
    place(Node::null(mark_of(mark)), anchor, 1, 0);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const Mark at = mark_of(mark);
    if (open_.count(anchor) != 0) {
      fail(at, position(),
           "alias *" + name_of(anchor) + " is inside the node it names (&" + name_of(anchor) +
               "), so it would repeat forever");
    }
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) fail(at, position(), "alias to an unknown anchor");
    count(at, it->second.nodes, it->second.bytes);
    place(it->second.node, 0, 0, 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    const Mark at = mark_of(mark);
    // "?" is a plain scalar; "!" one in quotes or a block scalar; anything else has a tag.
    const bool quoted = tag != "?" && check_quote_closes(mark) != Style::kPlain;
    std::string text = value;
    if (options_.env && !at_key()) text = expand(text, at);
    const uint64_t bytes = text.size();
    count(at, 1, bytes);
    place(Node::scalar(std::move(text), quoted, at), anchor, 1, bytes);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Node::sequence(mark_of(mark)), anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Node::map(mark_of(mark)), anchor);
  }
  void OnMapEnd() override { close(); }

  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }

 private:
  struct Frame {
    Node node;
    std::string path;
    YAML::anchor_t anchor = 0;
    size_t nodes_before = 0;  // counters when the frame opened: its subtree is the difference
    uint64_t bytes_before = 0;
    // Mappings: the key waiting for its value, whether it was a repeat, and the keys seen.
    bool want_key = true;
    Node key;
    bool skip_value = false;
    std::set<std::string, std::less<>> keys;
  };
  struct Anchored {
    Node node;
    size_t nodes = 0;
    uint64_t bytes = 0;
  };

  [[noreturn]] void fail(const Mark& at, std::string_view path, std::string_view what) {
    reader_.error_at(at, path, what);
    throw Stop{};
  }

  bool at_key() const {
    return !stack_.empty() && stack_.back().node.is_map() && stack_.back().want_key;
  }

  // The dotted path of the node about to be placed.
  std::string position() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    if (f.node.is_sequence()) return index_path(f.path, f.node.size());
    if (f.want_key) return f.path;
    return join_path(f.path, f.key.is_scalar() ? f.key.text() : "?");
  }

  std::string name_of(YAML::anchor_t anchor) const {
    auto it = names_.find(anchor);
    return it == names_.end() ? "?" : it->second;
  }

  // Adds `nodes` and `bytes` to the totals; past a limit, the parse ends here.
  void count(const Mark& at, size_t nodes, uint64_t bytes) {
    nodes_ += nodes;
    bytes_ += bytes;
    const Limits& limits = options_.limits;
    if (nodes_ > limits.max_nodes) {
      fail(at, position(),
           "the document has more than " + std::to_string(limits.max_nodes) +
               " values (each use of an alias counts as a copy of what it names)");
    }
    if (bytes_ > limits.max_scalar_bytes) {
      fail(at, position(),
           "the document has more than " + format_size(limits.max_scalar_bytes) +
               " of text (each use of an alias counts as a copy of what it names)");
    }
  }

  void open(Node node, YAML::anchor_t anchor) {
    const Mark at = node.mark();
    if (stack_.size() >= options_.limits.max_depth) {
      fail(at, position(),
           "nested deeper than " + std::to_string(options_.limits.max_depth) + " levels");
    }
    Frame f;
    f.path = position();
    f.anchor = anchor;
    f.nodes_before = nodes_;
    f.bytes_before = bytes_;
    count(at, 1, 0);
    f.node = std::move(node);
    if (anchor != 0) {
      open_.insert(anchor);
      names_[anchor] = pending_name_;
    }
    stack_.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.anchor != 0) open_.erase(f.anchor);
    place(std::move(f.node), f.anchor, nodes_ - f.nodes_before, bytes_ - f.bytes_before);
  }

  // Puts a finished node where it belongs: the root, the next item, a key or a value. An anchored
  // node is also kept for its aliases, and that copy counts against the limits too.
  void place(Node node, YAML::anchor_t anchor, size_t nodes, uint64_t bytes) {
    if (anchor != 0) {
      if (names_.count(anchor) == 0) names_[anchor] = pending_name_;
      count(node.mark(), nodes, bytes);
      anchors_[anchor] = Anchored{node, nodes, bytes};
    }
    if (stack_.empty()) {
      root = std::move(node);
      return;
    }
    Frame& f = stack_.back();
    if (f.node.is_sequence()) {
      f.node.push_back(std::move(node));
      return;
    }
    if (f.want_key) {
      f.want_key = false;
      f.skip_value = false;
      if (node.is_scalar() && !f.keys.insert(node.text()).second) {
        reader_.error(node, join_path(f.path, node.text()), "key given twice");
        f.skip_value = true;
      }
      f.key = std::move(node);
      return;
    }
    f.want_key = true;
    if (!f.skip_value) f.node.add(std::move(f.key), std::move(node));
  }

  // A quoted scalar must end on the line it starts on. yaml-cpp accepts a double- or single-quoted
  // scalar over several lines, so a missing closing quote silently turns the keys below it into
  // text ("release: \"shop@1" followed by `environment: prod` ...). Text over several lines is
  // written as a block scalar (| or >), which this does not touch. Returns how the scalar at
  // `mark` is written.
  enum class Style { kPlain, kQuoted, kBlock };
  Style check_quote_closes(const YAML::Mark& mark) {
    if (mark.pos < 0) return Style::kBlock;
    size_t i = static_cast<size_t>(mark.pos);
    int line = mark.line, column = mark.column;
    // Skip the node's properties (&anchor, !tag), blanks and comments up to its text.
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == '&' || c == '!') {
        while (i < text_.size() && text_[i] != ' ' && text_[i] != '\t' && text_[i] != '\n') {
          ++i;
          ++column;
        }
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
        ++column;
      } else if (c == '\n') {
        ++i;
        ++line;
        column = 0;
      } else if (c == '#') {
        while (i < text_.size() && text_[i] != '\n') ++i;
      } else {
        break;
      }
    }
    if (i >= text_.size()) return Style::kBlock;
    if (text_[i] == '|' || text_[i] == '>') return Style::kBlock;
    if (text_[i] != '"' && text_[i] != '\'') return Style::kPlain;  // a tagged plain scalar
    const char quote = text_[i];
    for (size_t j = i + 1; j < text_.size() && text_[j] != '\n'; ++j) {
      if (quote == '"' && text_[j] == '\\') {
        ++j;  // an escaped character, \" included
      } else if (text_[j] == quote) {
        if (quote == '\'' && j + 1 < text_.size() && text_[j + 1] == '\'') {
          ++j;  // '' is a quote inside single quotes
        } else {
          return Style::kQuoted;
        }
      }
    }
    fail(Mark{line + 1, column + 1}, position(),
         std::string("this ") + quote +
             " is not closed on its line; quoted text must end on the line where it starts "
             "(write text over several lines with | or >)");
  }

  // ${VAR} and ${VAR:-default}; `$${` is a literal `${`. A problem is reported and the text kept.
  std::string expand(const std::string& in, const Mark& at) {
    if (in.find('$') == std::string::npos) return in;
    std::string out;
    size_t i = 0;
    while (i < in.size()) {
      if (in.compare(i, 3, "$${") == 0) {
        out += "${";
        i += 3;
        continue;
      }
      if (in.compare(i, 2, "${") != 0) {
        out.push_back(in[i++]);
        continue;
      }
      const size_t close = in.find('}', i + 2);
      if (close == std::string::npos) {
        reader_.error_at(at, position(), "unterminated ${ (write $${ for a literal ${)");
        return in;
      }
      const std::string inner = in.substr(i + 2, close - i - 2);
      const size_t sep = inner.find(":-");
      const std::string name = inner.substr(0, sep);
      bool valid = !name.empty();
      for (char c : name) {
        valid = valid && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '_');
      }
      if (!valid) {
        reader_.error_at(at, position(),
                         "bad variable name in ${" + inner.substr(0, 40) +
                             "}: use A-Z, a-z, 0-9 "
                             "and _");
        return in;
      }
      std::optional<std::string> value = options_.env(name);
      if (!value || (sep != std::string::npos && value->empty())) {
        if (sep == std::string::npos) {
          reader_.error_at(at, position(),
                           "environment variable " + name + " is not set (write ${" + name +
                               ":-default} to give a default)");
          return in;
        }
        value = inner.substr(sep + 2);
      }
      out += *value;
      i = close + 1;
    }
    return out;
  }

  Reader& reader_;
  std::string_view text_;
  const ParseOptions& options_;
  int documents_ = 0;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  std::unordered_map<YAML::anchor_t, std::string> names_;
  std::set<YAML::anchor_t> open_;  // anchored nodes not finished yet
  std::string pending_name_;
  size_t nodes_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace

std::optional<Node> Reader::parse(std::string_view text, const ParseOptions& options) {
  if (text.size() > options.limits.max_text_bytes) {
    error_in_file("the document is " + std::to_string(text.size()) + " bytes; the limit is " +
                  format_size(options.limits.max_text_bytes));
    return std::nullopt;
  }
  // yaml-cpp skips a byte order mark without counting it in positions; so does this.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::istringstream in{std::string(text)};
  Builder builder(*this, text, options);
  try {
    YAML::Parser parser(in);
    // The second call only starts: a second document stops it at its first event.
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const Stop&) {
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    error_at(mark_of(e.mark), "", "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  return std::move(builder.root);
}

}  // namespace faultline::yaml
