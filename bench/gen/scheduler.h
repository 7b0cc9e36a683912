// The simulation loop. --open-requests N keep-alive clients (plus 2 + N/64 kube-probe pollers)
// each have one request in flight, so N requests are open at once and their lines interleave.
// Every request and worker job is an actor with a script of lines at times relative to its
// start; the next line to write comes off a min-heap ordered by (time, sequence), so times
// never go backwards. An error-rate controller decides which requests fail.
//
// Writing stops at the first line end at or past --size; requests still open then never
// complete. Single-threaded; the Generator owns every actor, client and buffer, and borrows the
// Options and the Out for its lifetime.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clients.h"
#include "jobs.h"
#include "model.h"
#include "out.h"
#include "pino_line.h"
#include "rng.h"

namespace gen {

// The flags (see usage() in main.cpp and bench/README.md). The output is a pure function of
// these values.
struct Options {
  uint64_t size = 100ull << 20;  // stop at the first line end at or past this many bytes
  double error_rate = 0.01;      // share of lines at level >= 50
  uint64_t seed = 1;
  uint32_t open_requests = 64;  // keep-alive clients, each with one request in flight
  uint64_t restart_every = 0;   // bytes between crashes + restarts; 0 = never
  uint32_t duration_scale = 0;  // 0 = automatic: max(1, open_requests / 64)
  bool stats = false;
  bool received = false;  // pino-http customReceivedMessage: a line when each request starts
  std::string out;        // empty or "-": stdout
};

class Generator {
 public:
  Generator(const Options& opt, Out& out);
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Writes the whole output (and flushes it).
  void run();

  const Stats& stats() const { return st_; }
  uint32_t scale() const { return timing_.scale(); }

 private:
  struct Event {
    uint64_t t, seq;
    uint32_t actor;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.t != b.t ? a.t > b.t : a.seq > b.seq;
    }
  };

  void boot();
  void restart();
  void schedule(uint32_t actor, uint64_t t);
  void start_request(uint32_t idx, uint64_t start);
  void finish_request(Actor& a);
  void spawn_job(uint32_t req_id, uint32_t client);
  void emit(uint32_t idx);
  void listening_line();
  void console_line();

  // The error-rate controller.
  bool want_failure();
  void commit(const Actor& a);
  uint64_t eof_estimate() const;

  const Options& opt_;
  Out& out_;
  Stats st_;
  Rng rng_;
  Timing timing_;
  LineWriter w_;
  Jwt jwt_;
  JobOdds job_odds_;
  uint32_t nclients_ = 0;
  uint64_t pid_ = 0;
  uint64_t now_ = 0, t0_ = 0;  // microseconds since the epoch
  uint64_t seq_ = 0;
  uint32_t req_counter_ = 0;
  uint64_t job_counter_ = 0;
  // Lines written or scripted to be written before the estimated end, and those at level >= 50.
  uint64_t committed_lines_ = 0, committed_errors_ = 0;
  std::vector<Client> clients_;
  std::vector<Actor> actors_;  // [0, nclients_): client i's request; then worker jobs
  std::vector<uint32_t> free_jobs_;
  std::vector<Event> heap_;
};

}  // namespace gen
