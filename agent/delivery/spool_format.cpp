#include "agent/delivery/spool_format.h"

#include <zlib.h>

#include <cstdio>

#include "agent/delivery/envelope.h"
#include "agent/delivery/spool_io.h"

namespace faultline::delivery {
namespace {

constexpr std::string_view kMagic = "faultline-spool 1 ";      // an event
constexpr std::string_view kKindMagic = "faultline-spool 2 ";  // then the kind
constexpr size_t kMaxHeaderBytes = 128;  // the longest valid header is 93 bytes
constexpr std::string_view kBatchSuffix = ".batch";
constexpr std::string_view kLedgerSuffix = ".done";
constexpr std::string_view kLegacySuffix = ".event";
constexpr std::string_view kTempPrefix = ".tmp-";

struct Header {
  ItemKind kind = ItemKind::kEvent;
  std::string_view event_id;
  uint64_t length = 0;
  std::string_view crc;  // 8 hex digits
};

uint32_t crc_update(uint32_t crc, std::string_view data) {
  uLong c = crc;
  // zlib takes uInt lengths; feed large payloads in pieces.
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), 1u << 30);
    c = crc32(c, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n));
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(c);
}

std::string crc_text(uint32_t crc) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", crc);
  return buf;
}

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !s.empty();
}

std::optional<uint64_t> parse_hex_seq(std::string_view s) {
  if (s.size() != 16 || !is_hex(s)) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) v = v * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  // 0 is never written: new spools start at 1, and renumbering (spool.h) relies on it.
  if (v == 0) return std::nullopt;
  return v;
}

std::optional<uint64_t> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// "<magic><id> <length> <crc>" without the newline.
Result<Header> parse_header(std::string_view line) {
  Header h;
  if (line.substr(0, kKindMagic.size()) == kKindMagic) {
    line.remove_prefix(kKindMagic.size());
    const size_t sp = line.find(' ');
    const std::optional<ItemKind> kind = item_kind_from_type(line.substr(0, sp));
    // An event is always written in the first form; a kind this version does not know is a
    // payload it cannot send.
    if (sp == std::string_view::npos || !kind || *kind == ItemKind::kEvent) {
      return Status::Error("malformed header");
    }
    h.kind = *kind;
    line.remove_prefix(sp + 1);
  } else if (line.substr(0, kMagic.size()) == kMagic) {
    line.remove_prefix(kMagic.size());
  } else {
    return Status::Error("unknown header");
  }
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Status::Error("malformed header");
  h.event_id = line.substr(0, sp1);
  const std::optional<uint64_t> length = parse_decimal(line.substr(sp1 + 1, sp2 - sp1 - 1));
  h.crc = line.substr(sp2 + 1);
  if (!length || h.crc.size() != 8 || !is_hex(h.crc)) return Status::Error("malformed header");
  h.length = *length;
  return h;
}

std::string seq_text(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(seq));
  return buf;
}

}  // namespace

namespace {

// What comes before the event id in a record's header.
void append_prefix(std::string* out, ItemKind kind) {
  if (kind == ItemKind::kEvent) {
    out->append(kMagic);
    return;
  }
  out->append(kKindMagic);
  out->append(item_type(kind));
  out->push_back(' ');
}

}  // namespace

void append_spool_record(std::string* out, std::string_view event_id, std::string_view payload,
                         ItemKind kind) {
  char tail[48];  // " <length> <crc>\n"
  const int n =
      std::snprintf(tail, sizeof tail, " %zu %08x\n", payload.size(), crc_update(0, payload));
  append_prefix(out, kind);
  out->append(event_id);
  out->append(tail, static_cast<size_t>(n));
  out->append(payload);
}

std::string spool_file_header(std::string_view event_id, std::string_view payload, ItemKind kind) {
  std::string record;
  append_spool_record(&record, event_id, payload, kind);
  record.resize(record.size() - payload.size());
  return record;
}

uint64_t spool_record_size(std::string_view event_id, std::string_view payload, ItemKind kind) {
  std::string prefix;
  append_prefix(&prefix, kind);
  // prefix, id, ' ', length digits, ' ', 8 hex, '\n', payload
  return prefix.size() + event_id.size() + 1 + std::to_string(payload.size()).size() + 1 + 8 + 1 +
         payload.size();
}

Result<std::string> parse_spool_file(std::string_view bytes, std::string_view event_id) {
  const size_t newline = bytes.find('\n');
  if (newline == std::string_view::npos || newline > kMaxHeaderBytes) {
    return Status::Error(bytes.empty() ? "empty file" : "no header line");
  }
  Result<Header> header = parse_header(bytes.substr(0, newline));
  if (!header.ok()) return header.status();
  if (!event_id.empty() && header->event_id != event_id) {
    return Status::Error("event_id differs from file name");
  }
  if (!is_valid_event_id(header->event_id)) return Status::Error("malformed header");
  const std::string_view payload = bytes.substr(newline + 1);
  if (payload.size() != header->length) {
    return Status::Error(payload.size() < header->length ? "truncated"
                                                         : "longer than its header says");
  }
  if (crc_text(crc_update(0, payload)) != header->crc) return Status::Error("checksum mismatch");
  return std::string(payload);
}

SpoolName parse_spool_name(std::string_view name) {
  SpoolName out;
  if (name.substr(0, kTempPrefix.size()) == kTempPrefix) {
    out.kind = SpoolName::Kind::kTemp;
    return out;
  }
  const auto seq = parse_hex_seq(name.substr(0, 16));
  if (!seq) return out;
  const std::string_view rest = name.substr(16);
  if (rest == kBatchSuffix || rest == kLedgerSuffix) {
    out.kind = rest == kBatchSuffix ? SpoolName::Kind::kBatch : SpoolName::Kind::kLedger;
    out.seq = *seq;
  } else if (rest.size() == 1 + 32 + kLegacySuffix.size() && rest[0] == '-' &&
             rest.substr(33) == kLegacySuffix && is_valid_event_id(rest.substr(1, 32))) {
    out.kind = SpoolName::Kind::kLegacyEvent;
    out.seq = *seq;
    out.event_id = std::string(rest.substr(1, 32));
  }
  return out;
}

std::string batch_file_name(uint64_t seq) {
  return seq_text(seq) + std::string(kBatchSuffix);
}

std::string ledger_file_name(uint64_t seq) {
  return seq_text(seq) + std::string(kLedgerSuffix);
}

std::string temp_file_name(uint64_t seq) {
  return std::string(kTempPrefix) + batch_file_name(seq);
}

std::string legacy_file_name(uint64_t seq, std::string_view event_id) {
  return seq_text(seq) + "-" + std::string(event_id) + std::string(kLegacySuffix);
}

Result<BatchScan> scan_batch_file(int fd, uint64_t size, const std::set<uint64_t>& done,
                                  const std::string& path) {
  BatchScan scan;
  std::string buf(64 * 1024, '\0');
  uint64_t offset = 0;
  while (offset < size) {
    const bool is_done = done.count(offset) != 0;
    Result<size_t> got = spool_io::read_at(fd, offset, buf.data(), kMaxHeaderBytes + 1, path);
    if (!got.ok()) return got.status();
    const std::string_view head(buf.data(), *got);
    const size_t newline = head.find('\n');
    Result<Header> header =
        newline == std::string_view::npos
            ? Result<Header>(Status::Error(*got > kMaxHeaderBytes ? "no header line" : "truncated"))
            : parse_header(head.substr(0, newline));
    if (header.ok() && !is_valid_event_id(header->event_id)) {
      header = Status::Error("malformed header");
    }
    const uint64_t record_bytes = header.ok() ? newline + 1 + header->length : 0;
    if (header.ok() && (header->length > size || record_bytes > size - offset)) {
      header = Status::Error("truncated");
    }
    if (!header.ok()) {
      // Nothing after this point can be found again; a done record's damage is no news.
      if (is_done) {
        ++scan.done;
      } else {
        scan.bad.push_back(BadRange{offset, size - offset, header.message()});
      }
      break;
    }
    if (is_done) {
      ++scan.done;
      offset += record_bytes;
      continue;
    }
    const std::string event_id(header->event_id);
    const std::string expected_crc(header->crc);
    uint32_t crc = crc_update(0, {});
    for (uint64_t at = offset + newline + 1; at < offset + record_bytes;) {
      const size_t want =
          static_cast<size_t>(std::min<uint64_t>(buf.size(), offset + record_bytes - at));
      Result<size_t> chunk = spool_io::read_at(fd, at, buf.data(), want, path);
      if (!chunk.ok()) return chunk.status();
      if (*chunk == 0) break;  // the file shrank under us: the checksum says so
      crc = crc_update(crc, std::string_view(buf.data(), *chunk));
      at += *chunk;
    }
    if (crc_text(crc) != expected_crc) {
      scan.bad.push_back(BadRange{offset, record_bytes, "checksum mismatch"});
    } else {
      scan.records.push_back(ScannedRecord{offset, record_bytes, event_id, header->kind});
    }
    offset += record_bytes;
  }
  return scan;
}

std::set<uint64_t> parse_ledger(std::string_view text) {
  std::set<uint64_t> offsets;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) break;  // a torn last line
    if (auto v = parse_decimal(text.substr(0, end))) offsets.insert(*v);
    text.remove_prefix(end + 1);
  }
  return offsets;
}

std::string ledger_line(uint64_t offset) {
  return std::to_string(offset) + "\n";
}

}  // namespace faultline::delivery
