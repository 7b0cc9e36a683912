// The simulation loop, the lifecycle of requests and jobs, restarts and the error-rate
// controller. The order of the draws is part of the output (see rng.h).

#include "scheduler.h"

#include <algorithm>

#include "errors.h"
#include "requests.h"

namespace gen {

namespace {

uint32_t duration_scale(const Options& opt) {
  return opt.duration_scale ? opt.duration_scale : std::max<uint32_t>(1, opt.open_requests / 64);
}

}  // namespace

Generator::Generator(const Options& opt, Out& out)
    : opt_(opt),
      out_(out),
      rng_(opt.seed),
      timing_(rng_, duration_scale(opt)),
      w_(out, st_),
      job_odds_(JobOdds::for_error_rate(opt.error_rate)) {
  std::string hostname = "checkout-api-6f8d9c7b5d-";
  uint64_t h = rng_.next();
  for (int i = 0; i < 5; ++i, h /= 36) {
    hostname.push_back("abcdefghijklmnopqrstuvwxyz0123456789"[h % 36]);
  }
  pid_ = rng_.between(7, 120);
  w_.set_process(pid_, hostname);
  now_ = 1795502011075ull * 1000;
  t0_ = now_;
  nclients_ = opt.open_requests + 2 + opt.open_requests / 64;
  clients_.resize(nclients_);
  for (uint32_t i = 0; i < nclients_; ++i) {
    make_client(clients_[i], i, i >= opt.open_requests, rng_, jwt_);
  }
  actors_.resize(nclients_);
  heap_.reserve(nclients_ + 1024);
}

void Generator::run() {
  boot();
  uint64_t restart_mark = opt_.restart_every;
  while (out_.total() < opt_.size) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const Event ev = heap_.back();
    heap_.pop_back();
    now_ = ev.t;
    emit(ev.actor);  // may spawn a job, which can grow actors_
    Actor& a = actors_[ev.actor];
    ++a.step;
    if (a.step < a.nsteps) {
      schedule(ev.actor, a.start + a.steps[a.step].at);
    } else if (a.job) {
      a.live = false;
      free_jobs_.push_back(ev.actor);
    } else {
      finish_request(a);
      // Probes (kube-probe) poll; other clients send their next request right away.
      const bool probe = clients_[ev.actor].probe;
      start_request(ev.actor, now_ + (probe ? timing_.ms(50, 150) : timing_.brief()));
    }
    if (rng_.per_million(50)) console_line();
    if (opt_.restart_every && out_.total() >= restart_mark && out_.total() < opt_.size) {
      restart();
      restart_mark = out_.total() + opt_.restart_every;
    }
  }
  out_.flush();
}

void Generator::boot() {
  listening_line();
  for (uint32_t i = 0; i < nclients_; ++i) start_request(i, now_ + 1000 + timing_.brief());
}

// An uncaught exception: fatal line, exit, restart (new pid, req ids from 1, open requests
// and queued jobs lost).
void Generator::restart() {
  write_uncaught_line(w_, now_);
  ++committed_lines_;
  ++committed_errors_;
  ++st_.restarts;
  heap_.clear();
  for (Actor& a : actors_) {
    if (a.live && !a.job && a.wrote) --st_.open_with_lines;
    a.live = false;
  }
  actors_.resize(nclients_);
  free_jobs_.clear();
  pid_ += rng_.between(20, 400);
  w_.set_pid(pid_);
  req_counter_ = 0;
  now_ += 800000 + rng_.below(400000);
  boot();
}

void Generator::schedule(uint32_t actor, uint64_t t) {
  heap_.push_back(Event{t, seq_++, actor});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void Generator::start_request(uint32_t idx, uint64_t start) {
  Actor& a = actors_[idx];
  const Client& c = clients_[idx];
  a.reset(false);
  a.client = idx;
  a.req_id = ++req_counter_;
  a.start = start;
  draw_params(a, rng_);
  ++st_.requests;
  if (c.probe) {
    a.route = kHealth;
  } else {
    if (want_failure()) a.failure = draw_failure(rng_);
    a.route = route_for(a.failure, rng_);
  }
  script_request(a, rng_, timing_, opt_.received);
  build_req(a, c);
  commit(a);
  schedule(idx, start + a.steps[0].at);
}

void Generator::finish_request(Actor& a) {
  ++st_.completed;
  st_.response_ms += a.duration / 1000;
  if (a.wrote) {
    const uint64_t span = st_.lines - a.first_line;
    st_.span_lines += span;
    ++st_.spans;
    st_.max_span = std::max(st_.max_span, span);
    --st_.open_with_lines;
  }
  a.live = false;
}

void Generator::spawn_job(uint32_t req_id, uint32_t client) {
  uint32_t idx;
  if (!free_jobs_.empty()) {
    idx = free_jobs_.back();
    free_jobs_.pop_back();
  } else {
    idx = static_cast<uint32_t>(actors_.size());
    actors_.emplace_back();
  }
  Actor& j = actors_[idx];
  j.reset(true);
  plan_job(j, ++job_counter_, req_id, clients_[client].email, now_, rng_, timing_, job_odds_);
  ++st_.jobs;
  commit(j);
  schedule(idx, j.start + j.steps[0].at);
}

// Writes actor idx's current step.
void Generator::emit(uint32_t idx) {
  Actor& a = actors_[idx];
  if (!a.wrote) {
    a.wrote = true;
    a.first_line = st_.lines;
    if (!a.job) {
      ++st_.open_with_lines;
      st_.max_open_with_lines = std::max(st_.max_open_with_lines, st_.open_with_lines);
    }
  }
  st_.sum_open_with_lines += st_.open_with_lines;
  const Step& s = a.steps[a.step];
  switch (s.what) {
    case kErrorLine:
      write_failure_line(w_, rng_, a, now_);
      break;
    case kUnhandledLine:
      write_unhandled_line(w_, a, now_);
      break;
    case kComplete:
      write_summary_line(w_, a, now_);
      break;
    case kJobRetry:
    case kJobDone:
    case kJobFailed:
      write_job_line(w_, a, s, now_);
      break;
    default:
      write_handler_line(w_, jwt_, a, s.what, now_, job_counter_ + 1);
      if (s.what == kJobEnqueued) spawn_job(a.req_id, a.client);  // last: it may move `a`
      break;
  }
}

void Generator::listening_line() {
  w_.begin(30, now_);
  put(w_, ",\"port\":3000,\"node\":\"v20.20.2\",\"pino\":\"10.4.0\"");
  w_.end("server listening");
  ++committed_lines_;
}

// console.log output that lands in the same stream: not JSON (one starts with '{').
void Generator::console_line() {
  switch (rng_.below(3)) {
    case 0:
      put(w_, "cache warmup done { entries: ");
      putu(w_, rng_.between(100, 900));
      put(w_, ", ms: ");
      putu(w_, rng_.between(5, 90));
      put(w_, " }");
      break;
    case 1:
      put(w_, "{ userId: ");
      putu(w_, rng_.between(1, 99999));
      put(w_, ", cached: true }");
      break;
    default:
      put(w_, "rates refreshed at ");
      putu(w_, now_ / 1000);
      break;
  }
  w_.end_plain();
  ++committed_lines_;
}

// Decides whether the next request fails, so that committed error lines track
// error_rate * committed lines (committed = written + scripted in open requests and jobs).
bool Generator::want_failure() {
  if (opt_.error_rate <= 0) return false;
  const double deficit = opt_.error_rate * double(committed_lines_ + 3) - double(committed_errors_);
  return rng_.unit() < deficit;
}

// Adds an actor's scripted lines to the committed counts. Lines scheduled after the estimated
// end of the output will never be written, so they do not count: with tens of thousands of
// requests open, long (failing) requests would otherwise hold back the realized error rate.
void Generator::commit(const Actor& a) {
  const uint64_t eof = eof_estimate();
  for (int i = 0; i < a.nsteps; ++i) {
    if (a.start + a.steps[i].at >= eof) break;
    ++committed_lines_;
    if (is_error_line(a.steps[i].what)) ++committed_errors_;
  }
}

// When the last byte will be written, in log time, extrapolated from the bytes per
// microsecond so far; "never" until the first MiB.
uint64_t Generator::eof_estimate() const {
  const uint64_t written = out_.total();
  if (written < (1u << 20) || now_ <= t0_ || written >= opt_.size) return UINT64_MAX;
  const double us_per_byte = double(now_ - t0_) / double(written);
  return now_ + static_cast<uint64_t>(double(opt_.size - written) * us_per_byte);
}

}  // namespace gen
