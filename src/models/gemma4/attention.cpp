#include "models/gemma4/layers.h"

#include "cpu/attention.h"

namespace hearth::models::gemma4 {

Rows attention(const MicroBatch& mb, const Config& config, const LayerConfig& layer, const LayerWeights& w,
               const std::vector<float>& rope_freqs, const Rows& a, const AttentionCache& kv) {
  const int64_t n_head = config.n_head;
  const int64_t head_dim = layer.head_dim;
  // Full layers rotate only the leading pairs: rope_freqs divides the others' frequencies by 1e30 (§4.1).
  const cpu::RopeParams rope{cpu::RopeMode::neox, layer.n_rot, layer.rope_base, 1.0f,
                             layer.sliding ? nullptr : rope_freqs.data()};

  const Rows q = mb.rope(mb.rms_norm(mb.linear(a, w.attn_q), w.attn_q_norm, head_dim), rope, n_head, head_dim);
  if (layer.has_kv) {
    const Rows k_raw = mb.linear(a, w.attn_k);
    // K=V layers (no attn_v) use the raw K projection as V, before its norm and RoPE.
    const Rows v = mb.rms_norm(w.attn_v.data ? mb.linear(a, w.attn_v) : k_raw, {}, head_dim);
    const Rows k = mb.rope(mb.rms_norm(k_raw, w.attn_k_norm, head_dim), rope, layer.n_head_kv, head_dim);
    kv.cache->store(kv.write_slot, k.data(), v.data());
  }

  const cpu::AttentionQueries queries{q.data(), mb.n(), n_head, head_dim, mb.positions.data(), mb.seq_ids.data()};
  cpu::AttentionParams params;  // scale 1.0: Q and K are RMS-normalised instead
  params.mask.sliding_window = layer.sliding ? static_cast<int32_t>(config.sliding_window) : 0;
  params.mask.bidirectional = mb.bidirectional.data();
  params.mask.n_bidirectional = static_cast<int64_t>(mb.bidirectional.size());
  Rows out(q.size());
  cpu::attention(mb.ctx, queries, kv.cache->view(kv.read_slot), params, out.data());
  return mb.linear(out, w.attn_output);
}

}  // namespace hearth::models::gemma4
