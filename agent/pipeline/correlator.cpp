#include "agent/pipeline/correlator.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "agent/pipeline/failure_grouping.h"
#include "agent/pipeline/job_lines.h"
#include "agent/pipeline/kept_lines_compaction.h"
#include "agent/pipeline/source_state.h"

namespace faultline {

namespace {

void copy_id(char* dst, size_t size, std::string_view src) {
  if (src.size() + 1 != size) return;  // not the expected length: keep what we had
  std::memcpy(dst, src.data(), src.size());
  dst[src.size()] = '\0';
}

// pino-http's and Fastify's default request ids: a counter per process ("42", "req-42").
bool counter_id(std::string_view id) {
  if (id.rfind("req-", 0) == 0) id.remove_prefix(4);
  if (id.empty() || id.size() > 20) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Correlator::Correlator(const config::Correlation& options, const PinoFormat& format, Emit emit,
                       Metrics& metrics, TimeBase time_base)
    : options_(options),
      time_base_(time_base),
      format_(format),
      emit_(std::move(emit)),
      arena_(options.max_bytes),
      table_(options.max_requests),
      metrics_(metrics),
      compact_at_(16 * arena_.chunk_bytes()) {}

void Correlator::advance(const RecordView& view, int64_t wall_us) {
  if (time_base_ == TimeBase::kRecordTime) {
    if (!view.time_us) return;
    logical_now_ = started_ ? std::max(logical_now_, *view.time_us) : *view.time_us;
    started_ = true;
    return;
  }
  // A record from the future (a skewed clock, a time in µs read as ms) would hold every error
  // until the input went quiet: such a time is not believed, the line counts as one without time.
  constexpr int64_t kFutureToleranceUs = 60'000'000;
  std::optional<int64_t> time = view.time_us;
  if (time && *time > wall_us + kFutureToleranceUs) time.reset();
  if (!started_) {
    logical_now_ = time.value_or(wall_us);
    last_wall_ = wall_us;
    started_ = true;
  }
  if (time) {
    logical_now_ = std::max(logical_now_, *time);
  } else {
    logical_now_ += std::max<int64_t>(0, wall_us - last_wall_);
  }
  last_wall_ = wall_us;
}

void Correlator::tick(int64_t wall_us) {
  settle_completed();
  if (!started_ || time_base_ == TimeBase::kRecordTime) return;
  logical_now_ += std::max<int64_t>(0, wall_us - last_wall_);
  last_wall_ = wall_us;
  release_due();
}

std::optional<int64_t> Correlator::next_deadline_us(int64_t wall_now_us) const {
  if (!started_ || time_base_ == TimeBase::kRecordTime) return std::nullopt;
  int64_t due = next_deadline_;  // the first held error's
  // release_due() lets a request go once the clock is past these.
  if (const uint32_t closed = table_.oldest_closed(); closed != RequestTable::kNone) {
    due = std::min(due, table_.at(closed).last_activity + options_.hold.count() * 1000 + 1);
  }
  if (const uint32_t open = table_.oldest_open(); open != RequestTable::kNone) {
    due = std::min(due, table_.at(open).last_activity + options_.ttl.count() * 1000 + 1);
  }
  if (due == INT64_MAX) return std::nullopt;
  // While idle, the logical clock moves with wall time from the last line or tick (tick()).
  const int64_t now = logical_now_ + std::max<int64_t>(0, wall_now_us - last_wall_);
  return wall_now_us + std::max<int64_t>(0, due - now);
}

void Correlator::release_due() {
  if (logical_now_ >= next_deadline_) {
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < holding_.size();) {
      RequestState& s = table_.at(holding_[i]);
      if (s.in_use && !s.pending.empty() && s.deadline > logical_now_) {
        next = std::min(next, s.deadline);
        ++i;
        continue;
      }
      if (s.in_use && !s.pending.empty()) finalize(s, /*forced=*/true);
      holding_[i] = holding_.back();
      holding_.pop_back();
    }
    next_deadline_ = next;
  }
  // A closed request is kept for one hold window (for lines that arrive after its completion and
  // for jobs that borrow its trace); an open one until the TTL.
  const int64_t ttl_us = options_.ttl.count() * 1000;
  const int64_t hold_us = options_.hold.count() * 1000;
  for (uint32_t oldest = table_.oldest_closed(); oldest != RequestTable::kNone;
       oldest = table_.oldest_closed()) {
    if (table_.at(oldest).last_activity + hold_us >= logical_now_) break;
    drop(oldest, /*evicted=*/false);
  }
  for (uint32_t oldest = table_.oldest_open(); oldest != RequestTable::kNone;
       oldest = table_.oldest_open()) {
    if (table_.at(oldest).last_activity + ttl_us >= logical_now_) break;
    drop(oldest, /*evicted=*/false);
  }
}

void Correlator::drop(uint32_t slot, bool evicted) {
  RequestState& s = table_.at(slot);
  if (!s.pending.empty()) finalize(s, /*forced=*/true);
  if (!s.closed) (evicted ? metrics_.requests_evicted : metrics_.requests_expired).add();
  forget_lines(s);
  table_.drop(slot);
  metrics_.open_requests.store(table_.size(), std::memory_order_relaxed);
}

uint32_t Correlator::open(SourceState& source, std::string_view key, uint64_t hash) {
  if (table_.full()) drop(table_.oldest(), /*evicted=*/true);
  metrics_.requests_tracked.add();
  const uint32_t slot = table_.create(key, hash, &source);
  table_.at(slot).last_activity = logical_now_;
  metrics_.open_requests.store(table_.size(), std::memory_order_relaxed);
  return slot;
}

void Correlator::keep(RequestState& s, const Line& line) {
  const size_t capacity = options_.max_records_per_request;
  if (capacity == 0) return;
  const LineRef ref = arena_.append(line.text, line.offset, options_.max_record_bytes);
  size_t index;
  if (s.ring_count == capacity) {  // full: the oldest line makes room
    index = s.ring_start;
    s.ring_start = (s.ring_start + 1) % capacity;
    arena_.release(s.ring[index]);
    s.ring[index] = ref;
  } else {  // not wrapped yet: ring_start is 0
    index = s.ring_count++;
    s.ring.push_back(ref);
  }
  if (!s.has_opening) {
    s.opening = s.ring[index];
    arena_.retain(s.opening);
    s.has_opening = true;
  }
  if (arena_.resident_bytes() >= compact_at_) compact_if_sparse();
}

void Correlator::compact_if_sparse() {
  compact_kept_lines(arena_, table_);
  // Look again once the arena has grown by a quarter (compaction stays a small, amortised part of
  // keeping lines), and before it reaches its capacity, where it would give up live lines; but
  // not before it has grown by an eighth (near the capacity, with little to gain).
  const size_t chunk = arena_.chunk_bytes();
  const size_t resident = arena_.resident_bytes();
  const size_t below_capacity = arena_.capacity() - std::min(arena_.capacity(), 2 * chunk);
  compact_at_ = std::max(
      {std::min(resident + resident / 4, below_capacity), resident + resident / 8, 16 * chunk});
}

void Correlator::forget_story(RequestState& s) {
  const size_t capacity = s.ring.size();
  for (size_t i = 0; i < s.ring_count; ++i) arena_.release(s.ring[(s.ring_start + i) % capacity]);
  s.ring.clear();
  s.ring_start = s.ring_count = 0;
  if (s.has_opening) arena_.release(s.opening);
  s.has_opening = false;
}

void Correlator::settle_completed() {
  job_ = nullptr;
  // Closed, the request keeps its completion (a late error still gets the request's status and
  // route) and gives its other lines back: breadcrumbs are for errors before the completion. An
  // ended job gives all of them back.
  if (completed_ != nullptr) forget_story(*completed_);
  if (ended_job_ != nullptr) forget_story(*ended_job_);
  completed_ = ended_job_ = nullptr;
}

void Correlator::forget_lines(RequestState& s) {
  forget_story(s);
  if (s.has_completion) arena_.release(s.completion);
  s.has_completion = false;
}

void Correlator::remember_trace(RequestState& s, const RecordView& view) {
  if (!view.trace_id.empty()) copy_id(s.trace_id, sizeof s.trace_id, view.trace_id);
  if (!view.span_id.empty()) copy_id(s.span_id, sizeof s.span_id, view.span_id);
  if (!view.trace_flags.empty()) copy_id(s.trace_flags, sizeof s.trace_flags, view.trace_flags);
}

std::vector<sentry::KeptLine> Correlator::breadcrumbs_of(const RequestState& s) const {
  std::vector<sentry::KeptLine> out;
  const size_t capacity = s.ring.size();
  for (size_t i = 0; i < s.ring_count; ++i) {
    const LineRef& ref = s.ring[(s.ring_start + i) % capacity];
    if (auto text = arena_.read(ref)) out.push_back({std::move(*text), ref.offset, 0, ref.cut});
  }
  return out;
}

std::optional<std::string> Correlator::opening_of(const RequestState& s) const {
  if (!s.has_opening || s.opening.cut) return std::nullopt;
  return arena_.read(s.opening);
}

void Correlator::lend_context(sentry::Incident& incident, const RequestState& s) const {
  if (s.has_completion) {
    if (auto text = arena_.read(s.completion)) {
      incident.completion = sentry::KeptLine{std::move(*text), s.completion.offset, 0, false};
    }
  }
  incident.breadcrumbs = breadcrumbs_of(s);
  if (s.has_opening) {
    if (auto text = arena_.read(s.opening)) {
      incident.opening = sentry::KeptLine{std::move(*text), s.opening.offset, 0, s.opening.cut};
    }
  }
  if (incident.trace_id.empty()) {
    incident.trace_id = s.trace_id;
    incident.span_id = s.span_id;
    incident.trace_flags = s.trace_flags;
  }
}

sentry::Incident Correlator::incident_for(const RequestState& s, const PendingError& error) const {
  sentry::Incident incident;
  incident.source = s.source->name;
  incident.source_id = s.source->id;
  incident.source_key = s.source->key;
  incident.error = sentry::KeptLine{error.text, error.offset, error.line, false};
  incident.read_time_us = error.read_time_us;
  incident.reason = error.reason;
  lend_context(incident, s);
  return incident;
}

void Correlator::finalize(RequestState& s, bool forced) {
  if (s.pending.empty()) return;
  std::vector<size_t> placeholders;
  std::vector<std::optional<json::Value>> records;
  size_t unreadable = 0;
  const std::vector<FailureGroup> groups =
      group_failures(s.pending, format_, placeholders, records, &unreadable);
  metrics_.fields_unreadable.add(unreadable);
  const std::shared_ptr<const json::Value> completion =
      s.has_completion && !s.completion.cut
          ? parsed_completion(s.pending, s.completion.offset, groups, records)
          : nullptr;
  size_t emitted = 0;
  if (groups.empty()) {
    if (!s.failure_emitted) {
      // A 5xx with nothing but pino-http's placeholder: still one event, typed from the status.
      size_t primary = placeholders.front();
      for (size_t i : placeholders) {
        if (s.pending[i].is_completion) primary = i;
      }
      sentry::Incident incident = incident_for(s, s.pending[primary]);
      incident.record = std::move(records[primary]);
      incident.completion_record = completion;
      incident.forced = forced;
      emit_(std::move(incident));
      ++emitted;
      metrics_.duplicates_merged.add(placeholders.size() - 1);
    } else {
      metrics_.placeholders_absorbed.add(placeholders.size());
    }
  } else {
    metrics_.placeholders_absorbed.add(placeholders.size());
    for (const FailureGroup& g : groups) {
      metrics_.duplicates_merged.add(g.duplicates.size());
      if (std::find(s.emitted.begin(), s.emitted.end(), g.signature) != s.emitted.end()) {
        metrics_.duplicates_merged.add();  // logged again after its event went out
        continue;
      }
      sentry::Incident incident = incident_for(s, s.pending[g.primary]);
      incident.record = std::move(records[g.primary]);
      incident.completion_record = completion;
      incident.forced = forced;
      for (size_t d : g.duplicates) {
        incident.duplicates.push_back(
            {s.pending[d].text, s.pending[d].offset, s.pending[d].line, false});
      }
      emit_(std::move(incident));
      s.emitted.push_back(g.signature);
      ++emitted;
    }
  }
  if (emitted > 0) s.failure_emitted = true;
  if (forced) metrics_.forced_emissions.add(emitted);
  for (const PendingError& p : s.pending) pending_bytes_ -= p.text.size();
  s.pending.clear();
  s.deadline = 0;
}

void Correlator::emit_now(SourceState& source, const Line& line, std::string_view reason,
                          int64_t wall_us, const RequestState* context,
                          const RequestState* trace_from, std::optional<json::Value> record) {
  sentry::Incident incident;
  if (!record) {
    // Parsed here rather than by the event builder, so that what it could not read is counted.
    size_t unreadable = 0;
    record = parse_record(line.text, &unreadable);
    metrics_.fields_unreadable.add(unreadable);
  }
  incident.record = std::move(record);
  incident.source = source.name;
  incident.source_id = source.id;
  incident.source_key = source.key;
  incident.error = sentry::KeptLine{std::string(line.text), line.offset, line.number, false};
  incident.read_time_us = wall_us;
  incident.reason = std::string(reason);
  if (context != nullptr) lend_context(incident, *context);
  if (incident.trace_id.empty() && trace_from != nullptr && trace_from->trace_id[0] != '\0') {
    incident.trace_id = trace_from->trace_id;
    incident.span_id = trace_from->span_id;
    incident.trace_flags = trace_from->trace_flags;
  }
  emit_(std::move(incident));
}

void Correlator::request_key(const RecordView& view) {
  // A counter restarts at 1 in every process: with the process's pid and host, the ids of
  // cluster workers sharing one stdout, of replicas sharing one file (pid 1 in every container)
  // and of a restarted process stay apart. Other ids (UUIDs from genReqId, a proxy's
  // x-request-id) are unique already and join lines whatever process wrote them.
  const std::string_view id = view.request_id;
  const bool scoped = counter_id(id) && (!view.hostname.empty() || !view.pid.empty());
  key_.resize(1 + id.size() + (scoped ? 1 + sizeof(uint64_t) : 0));
  char* p = key_.data();
  *p++ = 'R';
  p = std::copy(id.begin(), id.end(), p);
  if (scoped) {
    // The process as a 64-bit digest, not its text: keys stay short enough to live inside
    // their strings (no heap block to chase on every lookup), and a clash needs two processes
    // whose digests collide.
    const uint64_t process = std::hash<std::string_view>{}(view.hostname) * 0x9E3779B97F4A7C15ull ^
                             std::hash<std::string_view>{}(view.pid);
    *p++ = '\0';
    std::memcpy(p, &process, sizeof process);
  }
}

void Correlator::observe_job(SourceState& source, const Line& line, const RecordView& view,
                             rules::DetectReason reason, int64_t wall_us) {
  key_.assign("J");
  key_.append(view.queue);
  key_.push_back('\0');
  key_.append(view.job_id);
  const uint64_t hash = RequestTable::hash_key(&source, key_);
  uint32_t slot = table_.find(key_, hash);
  if (slot == RequestTable::kNone) slot = open(source, key_, hash);
  RequestState& job = table_.at(slot);
  table_.touch(slot);
  job.last_activity = logical_now_;
  remember_trace(job, view);
  if (job.job_ended) {  // a job id used again (a repeatable job's): a new run, timed anew
    job.job_first_time = job.job_start_time = 0;
    job.job_ended = false;
    table_.reopen(slot);
  }
  const bool ends = job_end(view) != JobEnd::kNone;
  if (ends) job.job_ended = true;
  if (view.time_us) {
    if (job.job_first_time == 0) job.job_first_time = *view.time_us;
    if (job_start(view)) job.job_start_time = *view.time_us;
  }
  if (!job.has_job_request && !view.request_id.empty()) {
    job.job_request_ids = rules::derive_ids(view.request_id, view.pid, view.hostname);
    job.has_job_request = true;
  }
  job_ = &job;
  if (reason == rules::DetectReason::kNone) {
    keep(job, line);
  } else {
    // The job's data often carries the enqueuing request's id: borrow that request's trace.
    const RequestState* request = nullptr;
    if (!view.request_id.empty()) {
      request_key(view);
      const uint32_t r = table_.find(key_, RequestTable::hash_key(&source, key_));
      if (r != RequestTable::kNone) request = &table_.at(r);
    }
    emit_now(source, line, rules::to_string(reason), wall_us, &job, request);
  }
  if (ends) {
    // Ended, the job is kept one hold window like a closed request (for its late lines) instead
    // of waiting for the TTL; its lines go back to the arena once the tracer has read it.
    table_.close(slot);
    ended_job_ = &job;
  }
}

void Correlator::late_line(RequestState& s, const Line& line, rules::DetectReason reason,
                           int64_t wall_us) {
  metrics_.late_lines.add();
  if (reason == rules::DetectReason::kNone) return;  // too late to be a breadcrumb
  size_t unreadable = 0;
  std::optional<json::Value> record = parse_record(line.text, &unreadable);
  metrics_.fields_unreadable.add(unreadable);
  const FailureSignature sig = failure_signature(record, line.text, false, format_);
  if (sig.placeholder ||
      std::find(s.emitted.begin(), s.emitted.end(), sig.hash) != s.emitted.end()) {
    metrics_.duplicates_merged.add();
    return;
  }
  s.emitted.push_back(sig.hash);
  s.failure_emitted = true;
  emit_now(*s.source, line, rules::to_string(reason), wall_us, &s, nullptr, std::move(record));
}

void Correlator::observe(SourceState& source, const Line& line, const RecordView& view,
                         rules::DetectReason reason, int64_t wall_us) {
  settle_completed();
  advance(view, wall_us);
  release_due();
  const bool error = reason != rules::DetectReason::kNone;
  if (!options_.enabled) {
    if (error) emit_now(source, line, rules::to_string(reason), wall_us, nullptr, nullptr);
    return;
  }
  // A job scope needs a job id: a request line that merely names a queue (enqueuing) stays in
  // its request.
  if (!view.job_id.empty()) {
    observe_job(source, line, view, reason, wall_us);
    return;
  }
  if (!view.request_id.empty()) {
    request_key(view);
  } else if (!view.trace_id.empty()) {
    key_.assign("T");
    key_.append(view.trace_id);
  } else {
    if (error) emit_now(source, line, rules::to_string(reason), wall_us, nullptr, nullptr);
    return;
  }
  const uint64_t hash = RequestTable::hash_key(&source, key_);
  uint32_t slot = table_.find(key_, hash);
  if (slot != RequestTable::kNone && table_.at(slot).closed) {
    RequestState& closed = table_.at(slot);
    // Written before the completion (pino's async destination can reorder lines): it belongs
    // to the closed request. Written after it: the id was reused, so this is a new request.
    if (view.time_us && *view.time_us <= closed.completion_time) {
      late_line(closed, line, reason, wall_us);
      return;
    }
    forget_lines(closed);
    table_.drop(slot);  // open() below publishes the new size
    slot = RequestTable::kNone;
  }
  if (slot == RequestTable::kNone) slot = open(source, key_, hash);
  RequestState& s = table_.at(slot);
  table_.touch(slot);
  s.last_activity = logical_now_;
  remember_trace(s, view);

  if (view.completion) {
    // Kept whole where possible: the event reads its status, route and duration.
    if (s.has_completion) arena_.release(s.completion);
    s.completion = arena_.append(line.text, line.offset,
                                 std::max<size_t>(options_.max_record_bytes, 64 * 1024));
    s.has_completion = true;
    s.completion_time = view.time_us.value_or(logical_now_);
    if (error) {
      s.pending.push_back(PendingError{std::string(line.text), line.offset, line.number, wall_us,
                                       std::string(rules::to_string(reason)), true});
      pending_bytes_ += line.text.size();
    }
    finalize(s, /*forced=*/false);
    table_.close(slot);
    // Its story goes back to the arena once the tracer has read it (settle_completed()).
    completed_ = &s;
    return;
  }
  if (!error) {
    keep(s, line);
    return;
  }
  s.pending.push_back(PendingError{std::string(line.text), line.offset, line.number, wall_us,
                                   std::string(rules::to_string(reason)), false});
  pending_bytes_ += line.text.size();
  if (s.deadline == 0) {
    s.deadline = logical_now_ + options_.hold.count() * 1000;
    holding_.push_back(slot);
    next_deadline_ = std::min(next_deadline_, s.deadline);
  }
  // Held error lines are kept whole (they must parse), so they are bounded too: a request that
  // logs error after error goes out early, and so does everything held when all together pass
  // the correlator's memory budget.
  if (s.pending.size() >= kMaxPendingPerRequest) {
    finalize(s, /*forced=*/true);
  } else if (pending_bytes_ > options_.max_bytes) {
    flush();
  }
}

std::optional<uint64_t> Correlator::oldest_held(const SourceState& source) const {
  std::optional<uint64_t> oldest;
  for (uint32_t slot : holding_) {
    const RequestState& s = table_.at(slot);
    if (!s.in_use || s.source != &source) continue;
    for (const PendingError& e : s.pending) {
      if (!oldest || e.offset < *oldest) oldest = e.offset;
    }
  }
  return oldest;
}

void Correlator::flush() {
  settle_completed();
  for (uint32_t slot : holding_) {
    RequestState& s = table_.at(slot);
    if (s.in_use && !s.pending.empty()) finalize(s, /*forced=*/true);
  }
  holding_.clear();
  next_deadline_ = INT64_MAX;
}

}  // namespace faultline
