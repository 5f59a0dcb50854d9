#pragma once
// The sub-blocks of a Gemma 4 decoder layer (spec/gemma4.md §4.5, §4.7, §4.8) on one micro-batch.
#include <cstdint>
#include <vector>

#include "cache/kv_cache.h"
#include "models/gemma4/config.h"
#include "models/gemma4/micro_batch.h"
#include "models/gemma4/weights.h"

namespace hearth::models::gemma4 {

struct AttentionCache {
  cache::KvCache* cache = nullptr;
  int64_t write_slot = -1;  // this layer's own slot, or −1 on a KV-shared layer
  int64_t read_slot = 0;    // its own slot, or its donor's
};

// §4.5: attention of a [n, d] → attn_output projection [n, d].
Rows attention(const MicroBatch& mb, const Config& config, const LayerConfig& layer, const LayerWeights& w,
               const std::vector<float>& rope_freqs, const Rows& a, const AttentionCache& kv);

// §4.7: ffn_down · (gelu(ffn_gate · x) ⊙ (ffn_up · x)).
Rows dense_mlp(const MicroBatch& mb, const LayerWeights& w, const Rows& x);

// §4.8 steps 2–5 up to the weighted expert sum (before post_ffw_norm_2), from the post-attention stream h1.
Rows moe(const MicroBatch& mb, const Config& config, const LayerWeights& w, const Rows& h1);

}  // namespace hearth::models::gemma4
