#pragma once
// Internal: reads the key/value section of a GGUF file (spec/gguf.md §4; checklist items 4-7).
#include <cstdint>
#include <vector>

#include "core/result.h"
#include "gguf/byte_cursor.h"
#include "gguf/gguf_file.h"
#include "gguf/value.h"

namespace hearth::gguf {

// Reads `n_kv` records at the cursor. Rejects truncation, oversized strings and arrays, unknown value types,
// arrays nested deeper than the limit, empty or duplicate keys, and metadata whose parsed form would need more
// memory than the limits allow for a file of this size.
Result<std::vector<KeyValue>> parse_metadata(ByteCursor& cursor, uint64_t n_kv, const ReadLimits& limits);

}  // namespace hearth::gguf
