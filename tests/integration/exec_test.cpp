// `faultline exec -- CMD ARGS…`: the app as faultline's child. Every child here is a /bin/sh
// script (node for the terminal test); every wait is bounded.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/process.h"

using namespace faultline::test;
using namespace std::chrono_literals;

namespace {

std::string error_line(const std::string& message, int level = 50) {
  return "{\"level\":" + std::to_string(level) +
         ",\"time\":1795502011076,\"err\":{\"type\":\"Error\",\"message\":\"" + message +
         "\",\"stack\":\"Error: " + message + "\\n    at handler (/app/a.js:1:1)\"},\"msg\":\"" +
         message + "\"}";
}

// A string literal's bytes, NULs included.
template <size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// The pids whose parent is `parent` (from /proc/N/stat: "pid (comm) state ppid …").
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_file(entry.path().string() + "/stat");
    const size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 4 >= stat.size()) continue;
    if (std::atol(stat.c_str() + close + 4) == parent) children.push_back(std::stoi(name));
  }
  return children;
}

// Whether this machine lets us make a PID namespace (root, and unshare(1) permitted).
bool unshare_works() {
  RunResult r = run(
      "/usr/bin/unshare",
      {.args = {"--pid", "--fork", "--kill-child", "--mount-proc", "/bin/true"}, .timeout = 10s});
  return r.exit_code == 0;
}

}  // namespace

TEST_CASE("exec: the child's stdout and stderr pass through byte-identical, both are read",
          "[exec]") {
  TempDir dir;
  // stdout: a 5 MB burst of Pino lines with an error in the middle and binary bytes; stderr:
  // plain text (a Node crash prints there), an error record, binary, no newline at the end.
  std::string out;
  for (int i = 0; out.size() < 5'000'000; ++i) {
    out +=
        "{\"level\":30,\"time\":1795502011075,\"msg\":\"filler line " + std::to_string(i) + "\"}\n";
    if (i == 20000) out += error_line("failed on stdout") + "\n";
  }
  out += bytes("\0\x01\xff\xfe binary\r\n");
  out += "last stdout line without a newline";
  std::string err = "plain console.error output\n";
  err += bytes("\x80\xff\0 more binary\n");
  err += error_line("failed on stderr", 60) + "\n";
  err += "stderr ends without a newline";
  dir.write("out.bin", out);
  dir.write("err.bin", err);
  const std::string events = dir.file("events.ndjson");
  const std::string script = "cat \"$0/out.bin\" & cat \"$0/err.bin\" >&2; wait";
  RunResult r = run_faultline(
      {.args = {"exec", "--events", events, "--", "/bin/sh", "-c", script, dir.path()},
       .timeout = 60s});
  INFO("faultline's stderr: " << (r.err.size() > 10000 ? "(long)" : r.err));
  CHECK(r.exit_code == 0);
  INFO("stdout: " << r.out.size() << " bytes, expected " << out.size());
  const bool out_identical = r.out == out;
  CHECK(out_identical);
  // faultline's own lines on stderr ("no DSN configured", the summary) come before and after the
  // child's bytes, never inside them.
  const bool err_identical = r.err.find(err) != std::string::npos;
  CHECK(err_identical);
  const std::string written = read_file(events);
  CHECK(count(written, "\n") == 2);
  CHECK(written.find("failed on stdout") != std::string::npos);
  CHECK(written.find("failed on stderr") != std::string::npos);
}

TEST_CASE("exec: 100 MB at full speed passes byte-identical through cmp", "[exec]") {
  TempDir dir;
  std::string block;
  for (int i = 0; i < 1000; ++i) {
    block += error_line("burst " + std::to_string(i)) + "\n";
    block += "{\"level\":30,\"time\":1795502011075,\"msg\":\"filler " + std::to_string(i) + "\"}\n";
  }
  std::string out;
  out.reserve(101u << 20);
  while (out.size() < (100u << 20)) out += block;
  out += bytes("\0\x01\xff\xfe binary, no newline");
  dir.write("out.bin", out);
  out.clear();
  out.shrink_to_fit();
  RunResult r = run_faultline({.args = {"exec", "--", "/bin/cat", dir.file("out.bin")},
                               .stdout_file = dir.file("copied.bin"),
                               .timeout = 300s});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(run("/usr/bin/cmp", {.args = {"-s", dir.file("out.bin"), dir.file("copied.bin")}})
            .exit_code == 0);
}

TEST_CASE("exec: every word after the double dash goes to the command (dashes included)",
          "[exec]") {
  RunResult r = run_faultline({.args = {"exec", "--", "/bin/sh", "-c", "printf '%s|' \"$@\"", "sh",
                                        "--port", "3000", "-c", "--events", "x", "--"},
                               .timeout = 30s});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "--port|3000|-c|--events|x|--|");

  // Without a command, or with a dash-led argument and no `--`: a usage error that says how.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"exec"},
        std::vector<std::string>{"exec", "node", "--port", "1"}}) {
    RunResult usage = run_faultline({.args = args, .timeout = 30s});
    CHECK(usage.exit_code == 2);
    CHECK(usage.err.find("put -- before the command") != std::string::npos);
  }
}

TEST_CASE("exec: faultline exits with the child's status", "[exec]") {
  SECTION("its exit code") {
    RunResult r =
        run_faultline({.args = {"exec", "--", "/bin/sh", "-c", "exit 3"}, .timeout = 30s});
    CHECK(r.exit_code == 3);
  }
  SECTION("128 + the signal that killed it") {
    RunResult r =
        run_faultline({.args = {"exec", "--", "/bin/sh", "-c", "kill -KILL $$"}, .timeout = 30s});
    CHECK(r.exit_code == 137);
  }
  SECTION("not that of a process it left behind holding its stdout open") {
    // The background sleep keeps the pipe open after the child exited: faultline stops reading
    // once it has been quiet for a second instead of waiting for it (or for the test's timeout).
    TempDir dir;
    const std::string pid_file = dir.file("sleeper");
    RunResult r =
        run_faultline({.args = {"exec", "--", "/bin/sh", "-c",
                                "sleep 1000 & echo $! > \"$0\"; echo started; exit 4", pid_file},
                       .timeout = 60s});
    if (const pid_t sleeper = std::atoi(read_file(pid_file).c_str()); sleeper > 0) {
      ::kill(sleeper, SIGKILL);
    }
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 4);
    CHECK(r.out == "started\n");
  }
}

TEST_CASE("exec: a command that cannot be started exits 127 or 126, as a shell does", "[exec]") {
  TempDir dir;
  RunResult missing =
      run_faultline({.args = {"exec", "--", "faultline-no-such-command", "x"}, .timeout = 30s});
  CHECK(missing.exit_code == 127);
  CHECK(missing.err.find("faultline-no-such-command: command not found") != std::string::npos);

  const std::string path = dir.write("not-executable.sh", "#!/bin/sh\necho hi\n");
  ::chmod(path.c_str(), 0644);
  RunResult denied = run_faultline({.args = {"exec", "--", path}, .timeout = 30s});
  CHECK(denied.exit_code == 126);
  CHECK(denied.err.find(path + ": cannot execute: Permission denied") != std::string::npos);
  CHECK(denied.out.empty());
}

TEST_CASE("exec: a closed stdout stops the copy, not the reading", "[exec]") {
  // `faultline exec … | head -c 10`: the child must never block on a full pipe, and its last
  // error still becomes an event.
  TempDir dir;
  const std::string events = dir.file("events.ndjson");
  const std::string status = dir.file("status");
  const std::string child =
      "i=0; while [ $i -lt 20000 ]; do echo \"{\\\"level\\\":30,\\\"msg\\\":\\\"line $i\\\"}\"; "
      "i=$((i+1)); done; printf '%s\\n' '" +
      error_line("fatal at the end", 60) + "'";
  const std::string script = "(\"" + faultline_binary() + "\" exec --events \"" + events +
                             "\" -- /bin/sh \"" + dir.write("child.sh", child) +
                             "\"; echo $? > \"" + status + "\") | head -c 10 > /dev/null";
  RunResult r = run("/bin/sh", {.args = {"-c", script}, .timeout = 60s});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(read_file(status) == "0\n");
  CHECK(count(read_file(events), "fatal at the end") == 1);
}

TEST_CASE("exec: SIGTERM is forwarded to the child, whose last words are read", "[exec]") {
  TempDir dir;
  const std::string events = dir.file("events.ndjson");
  const std::string last = error_line("stopping on SIGTERM", 60);
  const std::string script =
      "trap 'printf \"%s\\n\" \"$0\"; kill $sleeper; exit 0' TERM; echo ready; "
      "sleep 30 </dev/null >/dev/null 2>&1 & sleeper=$!; wait $sleeper; "
      "exit 9";
  Spawned p(faultline_binary(),
            {.args = {"exec", "--events", events, "--", "/bin/sh", "-c", script, last}});
  REQUIRE(p.wait_for_out(6, 30s));
  p.signal(SIGTERM);
  RunResult r = p.wait(30s);
  INFO(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ready\n" + last + "\n");
  const auto lines = read_lines(events);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("stopping on SIGTERM") != std::string::npos);
}

TEST_CASE("exec: as PID 1 it reaps orphans and still exits with the child's status", "[exec]") {
  if (!unshare_works()) {
    WARN("unshare --pid --fork --mount-proc is not permitted here: PID 1 behaviour not tested");
    return;
  }
  TempDir dir;
  SECTION("an orphaned grandchild is reaped") {
    // The subshell starts a sleep and exits at once: the sleep is re-parented to PID 1
    // (faultline) and, once it exits, stays a zombie unless faultline waits for it.
    const std::string script =
        "( sleep 0.3 </dev/null >/dev/null 2>&1 & echo $! > \"$0/orphan\" ); sleep 0.1\n"
        "ppid=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$(cat \"$0/orphan\")/status)\n"
        "echo \"orphan-ppid=$ppid\"\n"
        "sleep 1\n"
        "zombies=$(grep -l '^State:[[:space:]]*Z' /proc/[0-9]*/status 2>/dev/null | wc -l)\n"
        "echo \"zombies=$zombies\"\n"
        "echo \"parent=$PPID\"\n"
        "exit 7\n";
    RunResult r = run("/usr/bin/unshare", {.args = {"--pid", "--fork", "--kill-child",
                                                    "--mount-proc", faultline_binary(), "exec",
                                                    "--", "/bin/sh", "-c", script, dir.path()},
                                           .timeout = 30s});
    INFO(r.out);
    INFO(r.err);
    CHECK(r.exit_code == 7);
    CHECK(r.out.find("parent=1\n") != std::string::npos);  // faultline is PID 1
    CHECK(r.out.find("orphan-ppid=1\n") != std::string::npos);
    CHECK(r.out.find("zombies=0\n") != std::string::npos);
    CHECK_FALSE(r.timed_out);
  }
  SECTION("SIGTERM to PID 1 reaches the child") {
    // unshare(1) does not forward signals: the test signals faultline, the unshare process's
    // child, by its pid outside the namespace.
    const std::string events = dir.file("events.ndjson");
    const std::string last = error_line("stopping as PID 1's child", 60);
    const std::string script =
        "trap 'printf \"%s\\n\" \"$0\"; kill $sleeper; exit 0' TERM\n"
        "echo \"ready parent=$PPID\"\n"
        "sleep 30 </dev/null >/dev/null 2>&1 & sleeper=$!\n"
        "wait $sleeper\n"
        "exit 9\n";
    Spawned p("/usr/bin/unshare",
              {.args = {"--pid", "--fork", "--kill-child", "--mount-proc", faultline_binary(),
                        "exec", "--events", events, "--", "/bin/sh", "-c", script, last}});
    REQUIRE(p.wait_for_out(std::string("ready parent=1\n").size(), 30s));
    CHECK(p.out() == "ready parent=1\n");
    const std::vector<pid_t> faultline = children_of(p.pid());
    REQUIRE(faultline.size() == 1);
    ::kill(faultline[0], SIGTERM);
    RunResult r = p.wait(30s);
    INFO(r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(last) != std::string::npos);
    CHECK(count(read_file(events), "stopping as PID 1's child") == 1);
  }
}

TEST_CASE("exec: Ctrl-C on a terminal reaches the child once, not twice", "[exec]") {
  // The terminal sends SIGINT to its whole foreground process group, the child included; faultline
  // must not forward its copy (many Node apps take a second SIGINT as "quit now").
  if (::access("/usr/bin/node", X_OK) != 0) {
    WARN("node is not installed: the terminal test is skipped");
    return;
  }
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(master >= 0);
  REQUIRE(::grantpt(master) == 0);
  REQUIRE(::unlockpt(master) == 0);
  const std::string slave = ::ptsname(master);
  const std::string js =
      "let n = 0; process.on('SIGINT', () => { if (n++ === 0) setTimeout(() => { "
      "console.log('count=' + n); process.exit(0); }, 1000); }); console.log('ready'); "
      "setTimeout(() => process.exit(9), 30000);";
  const std::string binary = faultline_binary();
  std::vector<std::string> args = {binary, "exec", "--", "/usr/bin/node", "-e", js};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // A session of its own with the terminal as its controlling terminal: faultline is in the
    // terminal's foreground process group, as in an interactive shell.
    ::setsid();
    const int fd = ::open(slave.c_str(), O_RDWR);
    if (fd < 0 || ::ioctl(fd, TIOCSCTTY, 0) != 0) _exit(120);
    ::dup2(fd, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(binary.c_str(), argv.data());
    _exit(121);
  }
  std::string seen;
  bool interrupted = false;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline && seen.find("count=") == std::string::npos) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO: every holder of the terminal closed it
    seen.append(buf, static_cast<size_t>(n));
    if (!interrupted && seen.find("ready") != std::string::npos) {
      REQUIRE(::write(master, "\x03", 1) == 1);  // VINTR
      interrupted = true;
    }
  }
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 300 && !exited; ++i) {
    exited = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!exited) std::this_thread::sleep_for(100ms);
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::close(master);
  INFO(seen);
  CHECK(interrupted);
  CHECK(seen.find("count=1") != std::string::npos);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

TEST_CASE("exec: a broken configuration still runs the app, whose status is faultline's",
          "[exec]") {
  TempDir dir;
  const std::string config = dir.write("bad.yaml", "release: \"shop@1\nfoo: 1\n");
  RunResult r = run_faultline(
      {.args = {"exec", "-c", config, "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 5"},
       .env = {{"HOME", dir.path()}},
       .timeout = 30s});
  INFO(r.err);
  CHECK(r.exit_code == 5);
  CHECK(r.out == "out\n");
  CHECK(r.err.find("\nerr\n") != std::string::npos);
  CHECK(r.err.find(config + ":1:") != std::string::npos);
  CHECK(r.err.find("running the app with its output untouched") != std::string::npos);
}

TEST_CASE("exec: delivery that cannot start still reads the app and keeps its status", "[exec]") {
  TempDir dir;
  const std::string not_a_dir = dir.write("file", "x");
  const std::string config = dir.write(
      "c.yaml", "state:\n  dir: " + not_a_dir + "/state\ndelivery:\n  shutdown_grace: 100ms\n");
  const std::string events = dir.file("events.ndjson");
  RunResult r = run_faultline(
      {.args = {"exec", "-c", config, "--events", events, "--", "/bin/sh", "-c",
                "printf '%s\\n' \"$0\" >&2; exit 6", error_line("reported anyway", 60)},
       .env = {{"SENTRY_DSN", "https://key@127.0.0.1:9/1"}, {"HOME", dir.path()}},
       .timeout = 30s});
  INFO(r.err);
  CHECK(r.exit_code == 6);
  CHECK(r.err.find("running the app and sending events through a temporary spool") !=
        std::string::npos);
  CHECK(count(read_file(events), "reported anyway") == 1);
  CHECK(r.err.find("key@") == std::string::npos);
}

TEST_CASE("exec: an --events file that cannot be opened still runs the app", "[exec]") {
  TempDir dir;
  RunResult r = run_faultline({.args = {"exec", "--events", dir.file("no-such-dir/events"), "--",
                                        "/bin/sh", "-c", "echo out; exit 8"},
                               .timeout = 30s});
  INFO(r.err);
  CHECK(r.exit_code == 8);
  CHECK(r.out == "out\n");
  CHECK(r.err.find("running the app with its output untouched") != std::string::npos);
}
