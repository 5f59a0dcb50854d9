#include "engine/batch.h"

#include <algorithm>

namespace hearth::engine {
namespace {

const cpu::BidirectionalRange* range_of(const BatchEntry& entry, std::span<const cpu::BidirectionalRange> ranges) {
  for (const cpu::BidirectionalRange& range : ranges) {
    if (range.seq_id == entry.seq_id && entry.position >= range.begin && entry.position < range.end) return &range;
  }
  return nullptr;
}

}  // namespace

size_t micro_batch_end(std::span<const BatchEntry> batch, size_t begin, int64_t n_ubatch,
                       std::span<const cpu::BidirectionalRange> ranges) {
  size_t end = std::min(batch.size(), begin + static_cast<size_t>(n_ubatch));
  if (end == batch.size() || ranges.empty()) return end;
  const cpu::BidirectionalRange* cut = range_of(batch[end - 1], ranges);
  if (!cut || range_of(batch[end], ranges) != cut) return end;
  size_t start = end - 1;
  while (start > begin && range_of(batch[start - 1], ranges) == cut) --start;
  if (start > begin) return start;
  while (end < batch.size() && range_of(batch[end], ranges) == cut) ++end;
  return end;
}

}  // namespace hearth::engine
