#include "agent/pipeline/kept_lines_compaction.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace faultline {

namespace {

// Live bytes moved per pass over the requests: what compaction may add to the arena's peak.
constexpr size_t kPassChunks = 8;

// Calls visit(ref) once for every line the requests keep, letting it replace the reference. A
// request's opening line is usually also in its ring (the same line, held twice): it is visited
// there, once, and the opening follows the ring's reference when the visit moved it.
template <typename Visit>
void for_each_kept_line(LineArena& arena, RequestTable& table, Visit&& visit) {
  for (size_t i = 0; i < table.pool_size(); ++i) {
    RequestState& s = table.at(static_cast<uint32_t>(i));
    if (!s.in_use) continue;
    bool opening_in_ring = false;
    for (size_t k = 0; k < s.ring_count; ++k) {
      LineRef& ref = s.ring[k];
      const bool is_opening = s.has_opening && !opening_in_ring && ref.pos == s.opening.pos;
      const uint64_t before = ref.pos;
      visit(ref);
      if (!is_opening) continue;
      opening_in_ring = true;
      if (ref.pos != before) {  // the opening's own hold moves with it
        arena.release(s.opening);
        s.opening = ref;
        arena.retain(s.opening);
      }
    }
    if (s.has_opening && !opening_in_ring) visit(s.opening);
    if (s.has_completion) visit(s.completion);
  }
}

}  // namespace

CompactionResult compact_kept_lines(LineArena& arena, RequestTable& table) {
  CompactionResult result;
  const uint64_t first = arena.first_chunk();
  const size_t chunk = arena.chunk_bytes();
  // Allocates, but compaction is rare (see the header): the hot path never gets here.
  const size_t chunks = static_cast<size_t>(arena.end_chunk() - first);
  std::vector<size_t> live(chunks, 0);
  for_each_kept_line(arena, table, [&](LineRef& ref) {
    if (!arena.alive(ref)) return;
    const size_t i = static_cast<size_t>(arena.chunk_index(ref) - first);
    live[i] += ref.length;
    result.live_bytes += ref.length;
  });
  // What moves: the lines of chunks at most three quarters full (never the one being written),
  // sparsest first, until the arena is down to 1.25× what is live. Requests end in any order, so
  // chunks thin out evenly: waiting for them to be half empty would let the arena reach its
  // capacity first.
  std::vector<size_t> sparse;
  for (size_t i = 0; i + 1 < chunks; ++i) {
    if (live[i] > 0 && live[i] * 4 <= chunk * 3) sparse.push_back(i);
  }
  std::sort(sparse.begin(), sparse.end(), [&](size_t a, size_t b) { return live[a] < live[b]; });
  const size_t target = result.live_bytes + result.live_bytes / 4;
  size_t resident = arena.resident_bytes();
  std::vector<size_t> moving;
  for (size_t i : sparse) {
    if (resident <= target) break;
    moving.push_back(i);
    resident -= chunk - live[i];
  }
  // Near its capacity, with most of it live, little can be gained for much copying: below an
  // eighth of the arena, leave it (at the capacity the oldest chunk is given up).
  if ((arena.resident_bytes() - resident) * 8 < arena.resident_bytes()) moving.clear();
  // A few chunks per pass over the requests: what compaction adds to the peak.
  size_t next = 0;
  while (next < moving.size()) {
    size_t pass_bytes = 0;
    for (; next < moving.size(); ++next) {
      const size_t bytes = live[moving[next]];
      if (pass_bytes > 0 && pass_bytes + bytes > kPassChunks * chunk) break;
      arena.evacuate(first + moving[next]);
      pass_bytes += bytes;
      ++result.chunks_freed;
    }
    for_each_kept_line(arena, table, [&](LineRef& ref) {
      if (arena.evacuating(ref)) ref = arena.move(ref);
    });
    result.moved_bytes += pass_bytes;
  }
  arena.trim_spares();
  return result;
}

}  // namespace faultline
