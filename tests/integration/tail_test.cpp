// `faultline run`, the file-tailing daemon, driven as a real process over real files: appends,
// start_at, rename rotation with a writer still on the old file, copytruncate, a file deleted while
// open, a glob that gains a file, a partial last line, SIGTERM and restart, kill -9 in a loop, and
// inputs that cannot be read. The file-level scenarios run twice: with inotify (poll: 0s) and with
// polling (poll: 100ms).
//
// How the tests see what faultline did: every run writes its events to its own --events file
// (events-1.ndjson, events-2.ndjson, …), so a run killed mid-write can never garble the next run's
// lines. Every error line the tests write has a unique message, so each event maps back to its
// line: "every line exactly once" is "the messages seen are the messages written, none twice".
// Event ids are checked as well, against `faultline replay --print` of the same bytes (ids depend
// only on the file's first line and the line's offset and bytes, never on the file's name), which
// proves the offsets faultline read at are the true ones. Some errors carry a request id and are
// held for the hold window (1 s) before their event goes out: a checkpoint that moved past a line
// whose event is not out yet shows up as a lost line after kill -9, or a repeated one after a
// restart.
//
// Every wait polls (never a fixed sleep where something can be observed instead) with a deadline
// of kWait, and fails at once, with faultline's stderr, when faultline has exited.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "parsers/json.h"
#include "support/process.h"
#include "support/receiver.h"

using namespace faultline::test;
using namespace std::chrono_literals;
using faultline::json::Value;
using faultline::testing::Receiver;

namespace {

constexpr std::chrono::milliseconds kWait = 20s;  // the deadline of any one wait
constexpr std::chrono::milliseconds kStop = 20s;  // SIGTERM → exit

// ---------------------------------------------------------------------------------------------
// Log lines

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An error line in pino-http's shape; its message "boom NAME" is what the event's exception value
// says. Without a request id (`request` 0) it is emitted at once. With one, it waits for its
// request's completion, which never comes, for correlation.hold (1 s here): while it waits, its
// line is read but its event is not out, and no checkpoint may pass it.
std::string error_line(const std::string& name, int request = 0) {
  const std::string m = "boom " + name;
  const std::string req = request == 0 ? std::string()
                                       : R"J(,"req":{"id":)J" + std::to_string(request) +
                                             R"J(,"method":"GET","url":"/x/)J" +
                                             std::to_string(request) + "\"}";
  return R"J({"level":50,"time":)J" + std::to_string(now_ms()) + R"J(,"pid":1,"hostname":"h")J" +
         req + R"J(,"err":{"type":"TypeError","message":")J" + m + R"J(","stack":"TypeError: )J" +
         m + R"J(\n    at handler (/app/routes/x.js:10:5)"},"msg":")J" + m + "\"}\n";
}

// A level-30 line: never an event, but it moves the offsets of the lines after it. With a
// request id, it is a breadcrumb of that request's error.
std::string info_line(const std::string& name, int request = 0) {
  const std::string req = request == 0 ? std::string()
                                       : R"J(,"req":{"id":)J" + std::to_string(request) +
                                             R"J(,"method":"GET","url":"/x/)J" +
                                             std::to_string(request) + "\"}";
  return R"J({"level":30,"time":)J" + std::to_string(now_ms()) + R"J(,"pid":1,"hostname":"h")J" +
         req + R"J(,"msg":"ok )J" + name + "\"}\n";
}

// The message of the event error_line(name) gives.
std::string boom(const std::string& name) {
  return "boom " + name;
}

// Lines to write and the messages of the events they must give.
struct Batch {
  std::string text;
  std::set<std::string> messages;
};

// `n` error lines TAG-0 … TAG-(n-1), each with an info line. With `held`, every other error
// belongs to a request of its own (an info line of the request, then the error), so it is held
// for the hold window before its event goes out.
Batch batch(const std::string& tag, int n, bool held = false) {
  static int last_request = 0;  // request ids unique within the test run
  Batch b;
  for (int i = 0; i < n; ++i) {
    const std::string name = tag + "-" + std::to_string(i);
    if (held && i % 2 == 1) {
      const int request = ++last_request;
      b.text += info_line(name, request) + error_line(name, request);
    } else {
      b.text += error_line(name) + info_line(name);
    }
    b.messages.insert(boom(name));
  }
  return b;
}

std::set<std::string> operator+(std::set<std::string> a, const std::set<std::string>& b) {
  a.insert(b.begin(), b.end());
  return a;
}

// The app's side of a log file: an fd opened for appending, as pino's destination opens it, kept
// open across renames, truncations and unlinks. Each write() is one call, so a line is never
// interleaved with another. No assertions here: the kill -9 test writes from a thread.
class AppFile {
 public:
  explicit AppFile(const std::string& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) {}
  ~AppFile() { close(); }
  AppFile(const AppFile&) = delete;
  AppFile& operator=(const AppFile&) = delete;

  bool ok() const { return fd_ >= 0; }
  bool write(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

void append(const std::string& path, const std::string& text) {
  AppFile f(path);
  REQUIRE(f.ok());
  REQUIRE(f.write(text));
}

// ---------------------------------------------------------------------------------------------
// Configuration

struct Input {
  std::vector<std::string> paths;  // globs; one is written as `path: X`, more as `path: [X, Y]`
  std::string start_at = "beginning";
  std::string poll = "0s";  // 0s: inotify
  std::vector<std::string> exclude;
};

std::string quoted_list(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", \"" : "\"") + items[i] + "\"";
  return s + "]";
}

// A config whose state (checkpoints, spool) lives in `dir`, with a short hold window. `extra` is
// appended as is (top-level sections).
std::string write_config(const TempDir& dir, const std::vector<Input>& inputs,
                         const std::string& extra = "") {
  std::string yaml = "inputs:\n";
  for (const Input& in : inputs) {
    yaml +=
        "  - path: " + (in.paths.size() == 1 ? "\"" + in.paths[0] + "\"" : quoted_list(in.paths)) +
        "\n";
    if (!in.exclude.empty()) yaml += "    exclude: " + quoted_list(in.exclude) + "\n";
    yaml += "    start_at: " + in.start_at + "\n";
    yaml += "    poll: " + in.poll + "\n";
  }
  yaml += "state:\n  dir: \"" + dir.file("state") + "\"\n";
  yaml += "correlation:\n  hold: 1s\n";
  yaml += extra;
  return dir.write("faultline.yaml", yaml);
}

// ---------------------------------------------------------------------------------------------
// Events

struct Event {
  std::string id;
  std::string message;  // the last exception's value (else the log entry, else "")
};

std::string message_of(const Value& event) {
  if (const Value* values = event.find_path("exception.values");
      values != nullptr && values->is_array() && !values->as_array().empty()) {
    if (const Value* v = values->as_array().back().find("value"); v && v->is_string()) {
      return v->as_string();
    }
  }
  if (const Value* f = event.find_path("logentry.formatted"); f && f->is_string()) {
    return f->as_string();
  }
  return "";
}

// (Called on every poll of the events files: it asserts only when something is wrong, so that
// the assertion count stays meaningful.)
Event parse_event(const std::string& line) {
  auto parsed = faultline::json::parse(line);
  const Value* id = parsed.ok() ? parsed->find("event_id") : nullptr;
  if (id == nullptr || !id->is_string() || id->as_string().size() != 32 ||
      id->as_string().find_first_not_of("0123456789abcdef") != std::string::npos) {
    FAIL("not an event with a 32-hex event_id: " << line.substr(0, 300));
  }
  return {id->as_string(), message_of(*parsed)};
}

// The events in an --events file. Only whole lines: a run killed by SIGKILL may have left the last
// one half-written, and that event was not durable yet (its line is read again by the next run).
std::vector<Event> read_events(const std::string& path) {
  std::string text = read_file(path);
  text.erase(text.find_last_of('\n') == std::string::npos ? 0 : text.find_last_of('\n') + 1);
  std::vector<Event> events;
  for (const std::string& line : split_lines(text)) events.push_back(parse_event(line));
  return events;
}

// The events `faultline replay --print` makes of `files`: the ids `run` must give the same lines.
// Its own config (the same hold, no inputs): ids depend on no setting, and an error without a
// request id is an event whatever the correlation settings.
std::vector<Event> replay_events(const TempDir& dir, const std::vector<std::string>& files) {
  const std::string config = dir.write("replay.yaml", "correlation:\n  hold: 1s\n");
  RunOptions options{.args = {"replay", "-c", config, "--print"}, .timeout = 60s};
  options.args.insert(options.args.end(), files.begin(), files.end());
  RunResult r = run_faultline(options);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<Event> events;
  for (const std::string& line : split_lines(r.out)) events.push_back(parse_event(line));
  return events;
}

// The same for bytes that are no longer in one file on disk (a deleted file, the content before a
// truncation): a copy with the same bytes has the same ids.
std::vector<Event> replay_content(const TempDir& dir, const std::string& name,
                                  const std::string& content) {
  return replay_events(dir, {dir.write("replay-" + name, content)});
}

std::vector<Event> operator+(std::vector<Event> a, const std::vector<Event>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string first_few(const std::set<std::string>& items) {
  std::string s;
  int n = 0;
  for (const std::string& i : items) {
    if (n++ == 8) return s + " … (" + std::to_string(items.size()) + " in all)";
    s += (s.empty() ? "" : ", ") + i;
  }
  return s;
}

// Every message of `expected` in exactly one event; no other message, except those of `optional`
// (probe lines that may or may not have been read), and those at most once.
void check_exactly_once(const std::vector<Event>& events, const std::set<std::string>& expected,
                        const std::set<std::string>& optional = {}) {
  std::map<std::string, int> count;
  for (const Event& e : events) ++count[e.message];
  std::set<std::string> missing, twice, unexpected;
  for (const std::string& m : expected) {
    if (count[m] == 0) missing.insert(m);
  }
  for (const auto& [m, n] : count) {
    if (n == 0) continue;
    if (!expected.count(m) && !optional.count(m)) unexpected.insert(m);
    if (n > 1) twice.insert(m + " ×" + std::to_string(n));
  }
  INFO(events.size() << " events for " << expected.size() << " expected lines");
  {
    INFO("lines never reported: " << first_few(missing));
    CHECK(missing.empty());
  }
  {
    INFO("lines reported more than once: " << first_few(twice));
    CHECK(twice.empty());
  }
  {
    INFO("events for lines that should not have been read: " << first_few(unexpected));
    CHECK(unexpected.empty());
  }
}

// The ids faultline gave are the ids replay gives the same lines: every event seen has replay's id
// for its message, and every replayed event whose message is in `expected` was seen.
void check_ids(const std::vector<Event>& seen, const std::vector<Event>& replayed,
               const std::set<std::string>& expected) {
  std::map<std::string, std::string> id_of;  // message → replay's id
  for (const Event& e : replayed) id_of[e.message] = e.id;
  std::set<std::string> ids_seen, wrong, unknown, missing;
  for (const Event& e : seen) {
    ids_seen.insert(e.id);
    auto it = id_of.find(e.message);
    if (it == id_of.end()) {
      unknown.insert(e.id + " \"" + e.message + "\"");
    } else if (it->second != e.id) {
      wrong.insert(e.id + " \"" + e.message + "\" (replay: " + it->second + ")");
    }
  }
  for (const std::string& m : expected) {
    auto it = id_of.find(m);
    if (it == id_of.end() || !ids_seen.count(it->second)) missing.insert(m);
  }
  {
    INFO("events for no line replay knows: " << first_few(unknown));
    CHECK(unknown.empty());
  }
  {
    INFO("events whose id is not replay's id for the same line: " << first_few(wrong));
    CHECK(wrong.empty());
  }
  {
    INFO("lines whose replay id was never seen: " << first_few(missing));
    CHECK(missing.empty());
  }
}

std::set<std::string> messages_of(const std::vector<Event>& events) {
  std::set<std::string> m;
  for (const Event& e : events) m.insert(e.message);
  return m;
}

// ---------------------------------------------------------------------------------------------
// The daemon

// True once the process has exited (a zombie not reaped yet counts); it stays reapable, so
// Spawned::wait() still gets its status.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return true;  // already reaped
  }
  return info.si_pid == pid;
}

size_t lines_containing(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (const std::string& line : split_lines(text)) n += line.find(needle) != std::string::npos;
  return n;
}

// `faultline run -c CONFIG --events FILE`, one run at a time, a new events file per run.
class Daemon {
 public:
  Daemon(const TempDir& dir, std::string config) : dir_(dir), config_(std::move(config)) {}

  void start() {
    REQUIRE(!current_);
    const std::string events =
        dir_.file("events-" + std::to_string(event_files_.size() + 1) + ".ndjson");
    event_files_.push_back(events);
    current_ = std::make_unique<Spawned>(
        faultline_binary(), SpawnOptions{.args = {"run", "-c", config_, "--events", events}});
  }

  // SIGTERM: faultline drains and exits (0).
  RunResult stop(bool require_exit_0 = true) {
    REQUIRE(current_);
    current_->signal(SIGTERM);
    RunResult r = current_->wait(kStop);
    current_.reset();
    past_err_ += r.err;
    INFO("faultline's stderr:\n" << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.signal == 0);  // it handled SIGTERM, it was not killed by it
    if (require_exit_0) CHECK(r.exit_code == 0);
    return r;
  }

  // SIGKILL at whatever it was doing.
  void kill() {
    REQUIRE(current_);
    current_->signal(SIGKILL);
    RunResult r = current_->wait(kStop);
    current_.reset();
    past_err_ += r.err;
    REQUIRE(r.signal == SIGKILL);  // it was still running: it did not exit on its own
  }

  bool running() const { return current_ && !has_exited(current_->pid()); }
  // Descriptors the running faultline holds now (/proc/PID/fd).
  size_t open_fds() const {
    REQUIRE(current_);
    const std::string fds = "/proc/" + std::to_string(current_->pid()) + "/fd";
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(fds),
                                             std::filesystem::directory_iterator()));
  }
  // stderr of every run so far, the current one's included.
  std::string err() const { return past_err_ + (current_ ? current_->err() : ""); }
  std::string current_err() const { return current_ ? current_->err() : ""; }

  // The events of every run so far.
  std::vector<Event> events() const {
    std::vector<Event> all;
    for (const std::string& f : event_files_) all = all + read_events(f);
    return all;
  }

  // Polls until `done()`; fails the test, saying `what()` and faultline's stderr, at the
  // deadline, or at once when faultline exited.
  void wait_until(const std::function<bool()>& done, const std::function<std::string()>& what,
                  std::chrono::milliseconds timeout = kWait) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      INFO("faultline's stderr:\n" << err());
      if (!running()) FAIL("faultline exited while waiting for " << what());
      if (std::chrono::steady_clock::now() >= deadline) {
        FAIL("no " << what() << " within " << timeout.count() << " ms");
      }
      std::this_thread::sleep_for(50ms);
    }
  }

  // Waits until the events include every message of `messages`.
  void wait_for(const std::set<std::string>& messages, std::chrono::milliseconds timeout = kWait) {
    std::set<std::string> missing;
    wait_until(
        [&] {
          const std::set<std::string> seen = messages_of(events());
          missing.clear();
          for (const std::string& m : messages) {
            if (!seen.count(m)) missing.insert(m);
          }
          return missing.empty();
        },
        [&] {
          return "events for all of " + std::to_string(messages.size()) +
                 " lines (missing: " + first_few(missing) + ")";
        },
        timeout);
  }

 private:
  const TempDir& dir_;
  std::string config_;
  std::vector<std::string> event_files_;
  std::unique_ptr<Spawned> current_;
  std::string past_err_;
};

// With start_at: end, lines written before faultline has opened a file are skipped by design, and
// nothing says when it has. So: append a probe error line every 250 ms until one comes out as an
// event. Returns the probes' messages; each may appear at most once (check_exactly_once's
// `optional`).
std::set<std::string> probe_until_tailing(Daemon& daemon, const std::string& path,
                                          const std::string& tag) {
  std::set<std::string> probes;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  for (int i = 0;; ++i) {
    const std::string name = tag + "-" + std::to_string(i);
    append(path, error_line(name));
    probes.insert(boom(name));
    const auto step = std::chrono::steady_clock::now() + 250ms;
    while (std::chrono::steady_clock::now() < step) {
      for (const Event& e : daemon.events()) {
        if (probes.count(e.message)) return probes;
      }
      std::this_thread::sleep_for(25ms);
    }
    INFO("faultline's stderr:\n" << daemon.err());
    if (!daemon.running()) FAIL("faultline exited before it tailed " << path);
    if (std::chrono::steady_clock::now() >= deadline) FAIL("faultline never tailed " << path);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("tail: lines appended while running are read, after those the file had at start",
          "[tail]") {
  const std::string poll = GENERATE(as<std::string>{}, "0s", "100ms");
  CAPTURE(poll);
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  const Batch before = batch("before", 5);
  append(log, before.text);
  Daemon daemon(dir, write_config(dir, {{.paths = {dir.file("logs/*.log")}, .poll = poll}}));

  daemon.start();
  daemon.wait_for(before.messages);
  // Two bursts, so a reader that only reacts to the first wake-up is caught.
  const Batch during1 = batch("during1", 5, /*held=*/true),
              during2 = batch("during2", 5, /*held=*/true);
  append(log, during1.text);
  std::this_thread::sleep_for(150ms);
  append(log, during2.text);
  const auto all = before.messages + during1.messages + during2.messages;
  daemon.wait_for(all);
  daemon.stop();

  check_exactly_once(daemon.events(), all);
  check_ids(daemon.events(), replay_events(dir, {log}), all);
}

TEST_CASE("tail: start_at: end skips a file's first lines - a restart resumes at its checkpoint",
          "[tail]") {
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  const Batch old = batch("old", 5);
  append(log, old.text);
  Daemon daemon(dir, write_config(dir, {{.paths = {dir.file("logs/*.log")}, .start_at = "end"}}));

  daemon.start();
  const std::set<std::string> probes = probe_until_tailing(daemon, log, "probe");
  const Batch fresh = batch("new", 5);
  append(log, fresh.text);
  daemon.wait_for(fresh.messages);
  daemon.stop();

  // start_at applies only to a file without a checkpoint: lines written while faultline was
  // stopped are read by the next run.
  const Batch stopped = batch("while-stopped", 5);
  append(log, stopped.text);
  daemon.start();
  daemon.wait_for(stopped.messages);
  daemon.stop();

  const auto expected = fresh.messages + stopped.messages;
  check_exactly_once(daemon.events(), expected, probes);
  // The ids are those of the whole file (its real first line, the lines' real offsets), though
  // faultline never read the first lines.
  check_ids(daemon.events(), replay_events(dir, {log}), expected);
}

TEST_CASE("tail: rename rotation - the old file to its end (late writes too), the new one whole",
          "[tail]") {
  const std::string poll = GENERATE(as<std::string>{}, "0s", "100ms");
  CAPTURE(poll);
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  const std::string rotated = dir.file("logs/app.log.1");  // does not match *.log
  Daemon daemon(dir, write_config(dir, {{.paths = {dir.file("logs/*.log")}, .poll = poll}}));

  AppFile old_fd(log);
  REQUIRE(old_fd.ok());
  const Batch first = batch("first", 5);
  REQUIRE(old_fd.write(first.text));
  daemon.start();
  daemon.wait_for(first.messages);  // faultline has the file open before it is rotated

  // logrotate's `create` mode: rename, and the app, not signalled yet, goes on writing to the
  // old fd for a moment, then reopens its log (a new file under the old name).
  const Batch before_rename = batch("before-rename", 2);
  REQUIRE(old_fd.write(before_rename.text));
  REQUIRE(std::rename(log.c_str(), rotated.c_str()) == 0);
  const Batch after_rename = batch("after-rename", 2, /*held=*/true);
  REQUIRE(old_fd.write(after_rename.text));
  AppFile new_fd(log);
  REQUIRE(new_fd.ok());
  const Batch next = batch("new-file", 5);
  REQUIRE(new_fd.write(next.text));

  daemon.wait_for(next.messages);
  // By now faultline has certainly seen the rotation (it read the new file); the app, still not
  // reopened, writes one more line to the old file.
  const Batch late = batch("late-old-fd", 1);
  REQUIRE(old_fd.write(late.text));

  const auto all = first.messages + before_rename.messages + after_rename.messages + next.messages +
                   late.messages;
  daemon.wait_for(all);
  old_fd.close();
  daemon.stop();

  check_exactly_once(daemon.events(), all);
  // The old file's lines keep the ids of app.log.1 (identity = first line, so the rename changes
  // nothing), the new file's are its own.
  check_ids(daemon.events(), replay_events(dir, {rotated, log}), all);
}

TEST_CASE("tail: copytruncate - a file that shrinks is read again from its start", "[tail]") {
  const std::string poll = GENERATE(as<std::string>{}, "0s", "100ms");
  CAPTURE(poll);
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  const std::string copy = dir.file("logs/app.log.1");  // does not match *.log
  Daemon daemon(dir, write_config(dir, {{.paths = {dir.file("logs/*.log")}, .poll = poll}}));

  AppFile app(log);
  REQUIRE(app.ok());
  const Batch before = batch("before-truncate", 10);
  REQUIRE(app.write(before.text));
  daemon.start();
  daemon.wait_for(before.messages);

  // logrotate's copytruncate: copy, truncate in place; the app's O_APPEND fd then writes from
  // byte 0. The new content is kept well below the old size, so a size check sees the shrink
  // even when polling (a file that regrows past its old size between two looks cannot be told
  // from an append; that is copytruncate's known limit, not tested).
  std::filesystem::copy_file(log, copy);
  REQUIRE(::truncate(log.c_str(), 0) == 0);
  const Batch after = batch("after-truncate", 3);
  REQUIRE(app.write(after.text));
  REQUIRE(after.text.size() < before.text.size() / 2);

  const auto all = before.messages + after.messages;
  daemon.wait_for(all);
  daemon.stop();

  check_exactly_once(daemon.events(), all);
  // Before: the ids of the copy (the same bytes); after: those of the truncated file as it is now,
  // whose first line is the first line written after the truncation.
  check_ids(daemon.events(), replay_events(dir, {copy, log}), all);
}

TEST_CASE("tail: a file deleted while open is read to its end", "[tail]") {
  const std::string poll = GENERATE(as<std::string>{}, "0s", "100ms");
  CAPTURE(poll);
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  Daemon daemon(dir, write_config(dir, {{.paths = {dir.file("logs/*.log")}, .poll = poll}}));

  AppFile app(log);
  REQUIRE(app.ok());
  const Batch first = batch("first", 5);
  REQUIRE(app.write(first.text));
  daemon.start();
  daemon.wait_for(first.messages);

  // Lines appended just before the unlink, and through the app's still-open fd right after it.
  const Batch before = batch("before-unlink", 2);
  REQUIRE(app.write(before.text));
  REQUIRE(::unlink(log.c_str()) == 0);
  const Batch after = batch("after-unlink", 2);
  REQUIRE(app.write(after.text));

  daemon.wait_for(before.messages + after.messages);
  // Once those are read, faultline has most likely noticed the deletion (with inotify it is woken
  // by it): one more line through the fd must still be read.
  const Batch late = batch("late-fd", 1);
  REQUIRE(app.write(late.text));

  const auto all = first.messages + before.messages + after.messages + late.messages;
  daemon.wait_for(all);
  app.close();
  daemon.stop();

  check_exactly_once(daemon.events(), all);
  check_ids(daemon.events(),
            replay_content(dir, "deleted.log", first.text + before.text + after.text + late.text),
            all);
}

TEST_CASE("tail: a file that comes to match the glob is read from its start - excluded names never",
          "[tail]") {
  const std::string poll = GENERATE(as<std::string>{}, "0s", "100ms");
  CAPTURE(poll);
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string a = dir.file("logs/a.log");
  const Batch a_old = batch("a-old", 3);
  append(a, a_old.text);
  Daemon daemon(dir, write_config(dir, {{.paths = {dir.file("logs/*")},
                                         .start_at = "end",
                                         .poll = poll,
                                         .exclude = {"*.gz", "*.1"}}}));

  daemon.start();
  const std::set<std::string> probes = probe_until_tailing(daemon, a, "probe");
  // Created while running: start_at is for the files present at startup; a new file is read
  // from its first line. The glob is re-scanned every couple of seconds.
  const std::string b = dir.file("logs/b.log");
  const Batch b_first = batch("b-first", 3);
  append(b, b_first.text);
  // Matching the glob but excluded by name: created at the same moment, so if the rescan that
  // finds b.log read them, their events would be there by the time b.log's are.
  append(dir.file("logs/b.log.1"), batch("excluded-1", 2).text);
  append(dir.file("logs/b.log.gz"), batch("excluded-gz", 2).text);
  daemon.wait_for(b_first.messages);
  const Batch b_more = batch("b-more", 3), a_new = batch("a-new", 3);
  append(b, b_more.text);
  append(a, a_new.text);
  const auto expected = b_first.messages + b_more.messages + a_new.messages;
  daemon.wait_for(expected);
  daemon.stop();

  check_exactly_once(daemon.events(), expected, probes);
  check_ids(daemon.events(), replay_events(dir, {a, b}), expected);
}

TEST_CASE("tail: a partial last line waits for its newline, then is read once and whole",
          "[tail]") {
  const std::string poll = GENERATE(as<std::string>{}, "0s", "100ms");
  CAPTURE(poll);
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  const Batch first = batch("first", 2);
  append(log, first.text);
  Daemon daemon(dir, write_config(dir, {{.paths = {dir.file("logs/*.log")}, .poll = poll}}));
  daemon.start();
  daemon.wait_for(first.messages);

  // The line is cut inside its message: either half alone is no JSON, and the first half alone
  // is "boom par", which no line says.
  const std::string line = error_line("partial");
  const size_t cut = line.find("boom partial") + std::string("boom par").size();
  AppFile app(log);
  REQUIRE(app.ok());
  REQUIRE(app.write(line.substr(0, cut)));
  std::this_thread::sleep_for(500ms);  // several polls and wake-ups see the half line
  REQUIRE(app.write(line.substr(cut)));
  const Batch after = batch("after", 2);
  REQUIRE(app.write(after.text));

  const auto all = first.messages + std::set<std::string>{boom("partial")} + after.messages;
  daemon.wait_for(all);
  const RunResult r = daemon.stop();

  check_exactly_once(daemon.events(), all);
  check_ids(daemon.events(), replay_events(dir, {log}), all);
  INFO(r.err);
  CHECK(r.err.find("not a JSON object") == std::string::npos);  // no half was parsed as a line
}

TEST_CASE("tail: SIGTERM and restart - every line exactly once over both runs", "[tail]") {
  const std::string poll = GENERATE(as<std::string>{}, "0s", "100ms");
  CAPTURE(poll);
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  const Batch at_start = batch("at-start", 5, /*held=*/true);
  append(log, at_start.text);
  Daemon daemon(dir, write_config(dir, {{.paths = {dir.file("logs/*.log")}, .poll = poll}}));

  daemon.start();
  daemon.wait_for(at_start.messages);
  const Batch run1 = batch("run1", 5, /*held=*/true);
  append(log, run1.text);
  daemon.wait_for(run1.messages);
  // SIGTERM while an error is held for its request: the drain sends it, and the checkpoint moves
  // past it, so the next run neither loses nor repeats it.
  const Batch at_stop = batch("held-at-stop", 2, /*held=*/true);
  append(log, at_stop.text);
  daemon.wait_for({boom("held-at-stop-0")});  // read; held-at-stop-1 waits for the hold window
  daemon.stop();
  CHECK(std::filesystem::exists(dir.file("state/checkpoints.json")));

  const Batch stopped = batch("while-stopped", 5, /*held=*/true);
  append(log, stopped.text);
  daemon.start();
  daemon.wait_for(stopped.messages);
  const Batch run2 = batch("run2", 5, /*held=*/true);
  append(log, run2.text);
  daemon.wait_for(run2.messages);
  daemon.stop();

  // A clean stop checkpoints exactly where it stopped: not one line twice, not one lost.
  const auto all =
      at_start.messages + run1.messages + at_stop.messages + stopped.messages + run2.messages;
  check_exactly_once(daemon.events(), all);
  check_ids(daemon.events(), replay_events(dir, {log}), all);
}

TEST_CASE("tail: stopped across a rotation, a copytruncate or a partial line - each line once",
          "[tail]") {
  const std::string poll = GENERATE(as<std::string>{}, "0s", "100ms");
  const std::string scenario = GENERATE(as<std::string>{}, "rename", "copytruncate", "partial");
  CAPTURE(poll, scenario);
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  const std::string rotated = dir.file("logs/app.log.1");
  // The glob matches the rotated name too: that is how a file rotated while faultline is stopped
  // is found again (by its identity) and resumed at its checkpoint (docs/inputs.md, Limits).
  // start_at: end, the default: the restart must resume from the checkpoints, not from the end.
  Daemon daemon(
      dir,
      write_config(dir, {{.paths = {dir.file("logs/app.log*")}, .start_at = "end", .poll = poll}}));
  append(log, info_line("startup"));
  daemon.start();
  const std::set<std::string> probes = probe_until_tailing(daemon, log, "probe");
  const Batch before = batch("before", 3, /*held=*/true);
  append(log, before.text);
  daemon.wait_for(before.messages);

  std::set<std::string> all = before.messages;
  if (scenario == "rename") {
    // Written after the stop, then rotated away before faultline is back.
    const std::string partial_line = error_line("unread-cut");
    const size_t cut = partial_line.size() / 2;
    append(log, partial_line.substr(0, cut));
    daemon.stop();
    const Batch unread = batch("unread-old", 2);
    append(log, partial_line.substr(cut) + unread.text);
    REQUIRE(std::rename(log.c_str(), rotated.c_str()) == 0);
    const Batch fresh = batch("fresh", 3);
    append(log, fresh.text);
    all = all + unread.messages + fresh.messages + std::set<std::string>{boom("unread-cut")};
  } else if (scenario == "copytruncate") {
    daemon.stop();
    // logrotate's copytruncate: the copy goes to a name outside the glob, then the app writes on
    // from offset 0 of the same file.
    std::filesystem::copy_file(log, dir.file("logs/copy.gz"));
    REQUIRE(::truncate(log.c_str(), 0) == 0);
    const Batch fresh = batch("after-truncate", 2);
    append(log, fresh.text);
    all = all + fresh.messages;
  } else {
    const std::string line = error_line("partial");
    const size_t cut = line.find("boom partial") + std::string("boom par").size();
    append(log, line.substr(0, cut));
    std::this_thread::sleep_for(300ms);  // read (and held) before the stop, most likely
    daemon.stop();
    const Batch after = batch("after", 2);
    append(log, line.substr(cut) + after.text);
    all = all + after.messages + std::set<std::string>{boom("partial")};
  }
  daemon.start();
  daemon.wait_for(all);
  const RunResult r = daemon.stop();
  INFO(r.err);
  check_exactly_once(daemon.events(), all, probes);
  CHECK(r.err.find("not a JSON object") == std::string::npos);  // no half was read as a line
}

TEST_CASE("tail: kill -9 at any moment during a steady write loses no line", "[tail]") {
  // Observed both at the --events file and at a loopback Sentry: whichever output faultline
  // waits for before moving its checkpoint, the union must hold every line's event. A line read
  // again after a kill may give its (same) id twice; an id of no line never.
  const std::string poll = GENERATE(as<std::string>{}, "0s", "100ms");
  CAPTURE(poll);
  TempDir dir;
  Receiver rx;  // declared before the daemon: destroyed after it
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  append(log, error_line("k9-first"));  // the file's identity exists from the start
  const std::string sentry = "sentry:\n  dsn: \"" + rx.dsn() +
                             "\"\n"
                             "delivery:\n  backoff_initial: 100ms\n  backoff_max: 1s\n"
                             "  shutdown_grace: 5s\n";
  Daemon daemon(dir,
                write_config(dir, {{.paths = {dir.file("logs/*.log")}, .poll = poll}}, sentry));

  // The app: one error line every 5 ms, each written with one write().
  std::atomic<int> written{0};
  std::atomic<bool> write_failed{false};
  std::jthread writer([&](std::stop_token stop) {
    AppFile app(log);
    if (!app.ok()) write_failed = true;
    for (int i = 0; !stop.stop_requested() && !write_failed; ++i) {
      // Every third error belongs to a request (held for the hold window: a kill while it
      // waits must not lose it); the others go out at once.
      const std::string name = "k9-" + std::to_string(i);
      const std::string lines =
          i % 3 == 1 ? info_line(name, i) + error_line(name, i) : error_line(name);
      if (!app.write(lines)) write_failed = true;
      written = i + 1;
      std::this_thread::sleep_for(5ms);
    }
  });

  // Kill moments 100-1600 ms after each start (a fixed seed: the same moments every run). Runs
  // must sometimes live past a periodic checkpoint save (the tailer saves about every second):
  // with only short runs no checkpoint would ever move, and a checkpoint that moved past a held
  // error before its event was out would go unnoticed.
  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> pause_ms(100, 1600);
  for (int round = 0; round < 20; ++round) {
    daemon.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    INFO("round " << round << "; faultline's stderr:\n" << daemon.current_err());
    REQUIRE(daemon.running());
    daemon.kill();
  }
  writer.request_stop();
  writer.join();
  REQUIRE_FALSE(write_failed);
  REQUIRE(written > 100);

  const std::vector<Event> replayed = replay_events(dir, {log});
  REQUIRE(replayed.size() == static_cast<size_t>(written) + 1);  // one event per line
  std::set<std::string> expected;
  for (const Event& e : replayed) expected.insert(e.id);
  REQUIRE(expected.size() == replayed.size());

  auto ids_seen = [&] {
    std::set<std::string> ids;
    for (const Event& e : daemon.events()) ids.insert(e.id);
    for (const std::string& id : rx.accepted_event_ids()) ids.insert(id);
    return ids;
  };
  // One last run catches up: what no run had reached, and what the spool still held.
  daemon.start();
  std::set<std::string> missing;
  daemon.wait_until(
      [&] {
        const std::set<std::string> seen = ids_seen();
        missing.clear();
        for (const std::string& id : expected) {
          if (!seen.count(id)) missing.insert(id);
        }
        return missing.empty();
      },
      [&] { return "every line's event after the kills (missing: " + first_few(missing) + ")"; });
  daemon.stop();

  const std::set<std::string> seen = ids_seen();
  std::set<std::string> unexpected;
  for (const std::string& id : seen) {
    if (!expected.count(id)) unexpected.insert(id);
  }
  INFO("ids that no line of the file has: " << first_few(unexpected));
  CHECK(unexpected.empty());
  CHECK(seen == expected);
  // What the events files say about each id agrees with replay (the right line behind each id).
  check_ids(daemon.events(), replayed, {});
}

TEST_CASE("tail: an input that cannot be read is reported once and does not stop the others",
          "[tail]") {
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs-dir"));  // a path that is a directory
  std::filesystem::create_directories(dir.file("pending"));   // a glob with no match yet
  std::filesystem::create_directories(dir.file("good"));
  std::vector<Input> inputs = {{.paths = {dir.file("logs-dir")}},
                               {.paths = {dir.file("pending/*.log")}},
                               {.paths = {dir.file("good/*.log")}}};
  std::vector<std::string> bad = {dir.file("logs-dir"), dir.file("pending")};
  // Without read permission; root reads it anyway, so only when not root.
  const bool as_root = ::geteuid() == 0;
  if (!as_root) {
    const std::string secret = dir.write("secret.log", error_line("secret"));
    REQUIRE(::chmod(secret.c_str(), 0) == 0);
    inputs.push_back({.paths = {secret}});
    bad.push_back(secret);
  }
  const std::string good = dir.file("good/app.log");
  const Batch first = batch("good-first", 3);
  append(good, first.text);
  // Warnings and errors only: an info line listing the inputs at startup must not count as a
  // report.
  Daemon daemon(dir, write_config(dir, inputs, "log:\n  level: warn\n"));

  daemon.start();
  daemon.wait_for(first.messages);
  // Several rescans of the globs (every couple of seconds) while the good input keeps flowing:
  // each bad input is still reported once, not once per rescan.
  const Batch more = batch("good-more", 3);
  append(good, more.text);
  daemon.wait_for(more.messages);
  std::this_thread::sleep_for(5s);
  REQUIRE(daemon.running());
  const std::string err = daemon.current_err();
  for (const std::string& path : bad) {
    INFO("stderr:\n" << err << "\nlines naming " << path);
    CHECK(lines_containing(err, path) == 1);
  }

  // The glob that matched nothing now matches a file: it is read.
  const Batch late = batch("late", 3);
  append(dir.file("pending/late.log"), late.text);
  daemon.wait_for(late.messages);
  // The exit status of a run with an input that never could be read is not specified here (the
  // CLI's "1: an input could not be read" vs "SIGTERM: exit 0"); a prompt, clean exit is.
  daemon.stop(/*require_exit_0=*/false);

  check_exactly_once(daemon.events(), first.messages + more.messages + late.messages);
}

TEST_CASE("tail: more files than it keeps open - idle ones are closed and reopened at their offset",
          "[tail]") {
  // 256 files are kept open at most: with 300, the quietest are closed after the first turn and
  // must be reopened (at their offset, not their start) when they grow.
  constexpr int kFiles = 300;
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  std::vector<std::string> paths;
  std::set<std::string> first, second;
  for (int i = 0; i < kFiles; ++i) {
    paths.push_back(dir.file("logs/f" + std::to_string(i) + ".log"));
    const Batch b = batch("first-" + std::to_string(i), 1);
    append(paths.back(), b.text);
    first = first + b.messages;
  }
  Daemon daemon(dir,
                write_config(dir, {{.paths = {dir.file("logs/*.log")}, .start_at = "beginning"}}));
  daemon.start();
  daemon.wait_for(first);
  // Bounded: the 256 files plus a few of its own (stdio, inotify, the spool, the events file).
  // The quietest files are closed at the end of the turn that read them, which may come just
  // after their lines' events: wait for it rather than race it.
  daemon.wait_until(
      [&] { return daemon.open_fds() <= 256 + 16; },
      [&] { return "at most 272 open files (" + std::to_string(daemon.open_fds()) + ")"; });
  for (int i = 0; i < kFiles; ++i) {
    const Batch b = batch("second-" + std::to_string(i), 1);
    append(paths[i], b.text);
    second = second + b.messages;
  }
  daemon.wait_for(first + second);
  daemon.stop();

  check_exactly_once(daemon.events(), first + second, {});
  check_ids(daemon.events(), replay_events(dir, paths), first + second);
}
