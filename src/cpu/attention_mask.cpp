// The visibility rule of attention (attention.h), shared by the fused op and its reference.
#include "cpu/attention.h"

namespace hearth::cpu {

bool attends(const AttentionMask& mask, int32_t position, int32_t seq_id, int32_t key_position, uint64_t key_seqs) {
  if (((key_seqs >> seq_id) & 1u) == 0) return false;
  if (mask.sliding_window > 0 && position - key_position >= mask.sliding_window) return false;
  if (mask.chunk_size > 0 && position / mask.chunk_size != key_position / mask.chunk_size) return false;
  if (key_position <= position) return true;
  for (int64_t i = 0; i < mask.n_bidirectional; ++i) {
    const BidirectionalRange& range = mask.bidirectional[i];
    if (range.seq_id == seq_id && position >= range.begin && position < range.end && key_position >= range.begin &&
        key_position < range.end) {
      return true;
    }
  }
  return false;
}

}  // namespace hearth::cpu
