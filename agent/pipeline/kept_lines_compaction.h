// Compaction of the lines the correlator keeps, in place.
//
// Requests end in any order, so the arena's chunks thin out: one long-open request's line keeps a
// whole chunk mapped. When the arena holds more than 1.25× what the requests still refer to, the
// lines of the sparsest chunks move to the head, a few chunks at a time, and each emptied chunk
// goes back to the system. Moving a few chunks at a time bounds what compaction adds to the peak
// (the old way, copying everything live into a fresh arena, held both at once: 2.5× what is
// live); each pass over the requests costs a walk of the table, which compaction is rare enough
// to afford (the correlator looks again only once the arena has grown by a quarter).
//
// Not thread-safe; on the correlator's thread.
#pragma once

#include <cstddef>

#include "agent/pipeline/line_arena.h"
#include "agent/pipeline/request_table.h"

namespace faultline {

struct CompactionResult {
  size_t live_bytes = 0;    // what the requests refer to (a line held twice counted once)
  size_t moved_bytes = 0;   // lines copied to the head
  size_t chunks_freed = 0;  // chunks emptied and given back
};

CompactionResult compact_kept_lines(LineArena& arena, RequestTable& table);

}  // namespace faultline
