// The spool's on-disk format (docs/delivery.md, "The spool on disk"), apart from the queue that
// uses it: the record each event is stored as, the names of the spool's files, the ledger of
// records already done, and the scan of a batch file record by record. Pure functions and reads
// through a file descriptor; thread-safe.
//
// A record is a header line and the payload:
//   "faultline-spool 1 <event_id> <payload bytes> <crc32 of payload, 8 hex>\n" <payload>
// for an error event, and for any other kind of payload (ItemKind, item_kind.h)
//   "faultline-spool 2 <kind> <event_id> <payload bytes> <crc32 of payload, 8 hex>\n" <payload>
// with <kind> its envelope item type ("transaction"). Events keep the first form, so that a
// spool written by this version and read by an older one loses nothing but transactions.
// A batch file is one or more records back to back, written by one group commit; a legacy event
// file (written before batches) is a batch file of exactly one record whose event_id is also in
// its name. A ledger holds one line per record of its batch that is done (sent, dropped or
// unreadable): the record's byte offset in the batch file, in decimal.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/delivery/item_kind.h"
#include "base/status.h"

namespace faultline::delivery {

// --- records

std::string spool_file_header(std::string_view event_id, std::string_view payload,
                              ItemKind kind = ItemKind::kEvent);
// Appends the whole record (header and payload) to *out.
void append_spool_record(std::string* out, std::string_view event_id, std::string_view payload,
                         ItemKind kind = ItemKind::kEvent);
// The whole record's size: header and payload.
uint64_t spool_record_size(std::string_view event_id, std::string_view payload,
                           ItemKind kind = ItemKind::kEvent);
// Checks exactly one record's bytes (and its event_id, when given); returns the payload or why
// not ("truncated", "checksum mismatch", "event_id differs from file name", ...).
Result<std::string> parse_spool_file(std::string_view bytes, std::string_view event_id);

// --- file names
//   <seq:16 hex>.batch             a batch file (seq 1 … 2^64-1: its place in the queue)
//   <seq:16 hex>.done              the ledger of that batch
//   <seq:16 hex>-<id:32 hex>.event a legacy one-event file
//   .tmp-…                         a write in progress, or left by a crash
struct SpoolName {
  enum class Kind { kBatch, kLedger, kLegacyEvent, kTemp, kOther };
  Kind kind = Kind::kOther;
  uint64_t seq = 0;
  std::string event_id;  // kLegacyEvent only
};
SpoolName parse_spool_name(std::string_view name);
std::string batch_file_name(uint64_t seq);
std::string ledger_file_name(uint64_t seq);
std::string temp_file_name(uint64_t seq);
std::string legacy_file_name(uint64_t seq, std::string_view event_id);
inline constexpr std::string_view kSpoolLockName = ".lock";
inline constexpr std::string_view kSpoolCorruptDir = "corrupt";

// --- reading batch files

struct ScannedRecord {
  uint64_t offset = 0;  // of its header line in the file
  uint64_t bytes = 0;   // header and payload
  std::string event_id;
  ItemKind kind = ItemKind::kEvent;
};
// A part of the file that holds no usable record: [offset, offset + bytes).
struct BadRange {
  uint64_t offset = 0;
  uint64_t bytes = 0;
  std::string why;
};
struct BatchScan {
  std::vector<ScannedRecord> records;  // the usable records not in `done`, in file order
  std::vector<BadRange> bad;           // not in `done` either
  uint64_t done = 0;                   // records skipped because the ledger has them
};
// Reads the records of the open file `fd` of `size` bytes, checking every payload's checksum
// (with bounded memory: payloads are streamed). A record whose length is readable but whose
// checksum or id is wrong is a bad range of its own and the scan goes on after it; a header that
// cannot be read (or a record cut short) makes the rest of the file one bad range. Offsets in
// `done` are skipped unchecked, bad or not. An I/O error is returned as an error (naming `path`).
Result<BatchScan> scan_batch_file(int fd, uint64_t size, const std::set<uint64_t>& done,
                                  const std::string& path);

// The offsets a ledger lists; lines that are not a decimal number (a line torn by a crash) are
// ignored: forgetting that a record was done only means sending it again.
std::set<uint64_t> parse_ledger(std::string_view text);
std::string ledger_line(uint64_t offset);

}  // namespace faultline::delivery
