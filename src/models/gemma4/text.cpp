#include "models/gemma4/text.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cpu/weight_formats.h"
#include "models/gemma4/layers.h"

namespace hearth::models::gemma4 {

Text::Text(std::unique_ptr<gguf::GgufFile> file, Config config, Weights weights)
    : file_(std::move(file)),
      config_(std::move(config)),
      weights_(std::move(weights)),
      token_embd_(weights_.token_embd),
      ctx_(cpu::default_op_context()) {
  if (weights_.per_layer_token_embd) per_layer_token_embd_ = EmbeddingTable(weights_.per_layer_token_embd);
  // Decode streams every dense matrix once per token: they move out of the file mapping once here, and the
  // mapped pages they came from are dropped (token_embd's rows are looked up again from the file when the
  // output matrix is tied to it).
  std::vector<cpu::WeightMatrix*> dense;
  for_each_dense_matrix(weights_, [&](cpu::WeightMatrix& m) { dense.push_back(&m); });
  resident_ = cpu::ResidentWeights::place(ctx_, dense, [&](const void* data, size_t bytes) { file_->release_pages(data, bytes); });
  std::vector<int64_t> own_slot(config_.n_layer, -1);
  int64_t n_slots = 0;
  for (int64_t il = 0; il < config_.n_layer; ++il) {
    if (config_.layers[il].has_kv) own_slot[il] = n_slots++;
  }
  for (const LayerConfig& layer : config_.layers) layer_slot_.push_back(own_slot[layer.kv_source]);
}

uint64_t Text::decode_bytes_per_token() const {
  auto bytes = [](const cpu::WeightMatrix& m) -> uint64_t {
    return m.data ? static_cast<uint64_t>(cpu::weight_row_bytes(m.format, m.n_in) * m.n_out) : 0;
  };
  uint64_t total = 0;
  for_each_dense_matrix(weights_, [&](const cpu::WeightMatrix& m) { total += bytes(m); });
  for (const LayerWeights& w : weights_.layers) {
    // Expert matrices describe one expert; a token reads n_expert_used of them.
    for (const cpu::WeightMatrix* m : {&w.experts_gate_up, &w.experts_gate, &w.experts_up, &w.experts_down}) {
      total += bytes(*m) * static_cast<uint64_t>(config_.n_expert_used);
    }
  }
  return total;
}

std::vector<cache::KvSlotSpec> Text::kv_slots() const {
  std::vector<cache::KvSlotSpec> slots;
  for (const LayerConfig& layer : config_.layers) {
    if (!layer.has_kv) continue;
    slots.push_back({layer.n_head_kv, layer.head_dim, layer.sliding ? static_cast<int32_t>(config_.sliding_window) : 0});
  }
  return slots;
}

Result<std::vector<float>> Text::forward(std::span<const engine::BatchEntry> batch, cache::KvCache& cache,
                                         const engine::ForwardOptions& options) {
  if (options.n_ubatch <= 0) return make_error("n_ubatch must be positive, got ", options.n_ubatch);
  for (const engine::BatchEntry& entry : batch) {
    if (!entry.embedding && (entry.token < 0 || entry.token >= config_.n_vocab)) {
      return make_error("token id ", entry.token, " is outside the vocabulary [0, ", config_.n_vocab, ")");
    }
  }
  std::vector<float> logits;
  for (size_t begin = 0; begin < batch.size();) {
    const size_t end = engine::micro_batch_end(batch, begin, options.n_ubatch, options.bidirectional);
    Status status = forward_micro_batch(batch.subspan(begin, end - begin), cache, options, logits);
    if (!status) return Error{status.error()};
    begin = end;
  }
  return logits;
}

Status Text::forward_micro_batch(std::span<const engine::BatchEntry> entries, cache::KvCache& cache,
                                 const engine::ForwardOptions& options, std::vector<float>& logits) {
  MicroBatch mb{ctx_, options.numerics, config_.rms_eps, {}, {}, options.bidirectional};
  for (const engine::BatchEntry& entry : entries) {
    mb.positions.push_back(entry.position);
    mb.seq_ids.push_back(entry.seq_id);
  }
  Status reserved = cache.begin_ubatch(mb.seq_ids, mb.positions);
  if (!reserved) return reserved;

  Rows h = embed(entries);
  const Rows per_layer = config_.has_per_layer_embeddings() ? per_layer_inputs(mb, entries, h) : Rows{};
  for (int64_t il = 0; il < config_.n_layer; ++il) h = decoder_layer(mb, il, h, per_layer, cache);

  const int64_t d = config_.n_embd;
  Rows wanted;
  for (size_t t = 0; t < entries.size(); ++t) {
    if (entries[t].want_logits) wanted.insert(wanted.end(), h.begin() + t * d, h.begin() + (t + 1) * d);
  }
  if (wanted.empty()) return Status::success();
  const Rows out = output_logits(mb, wanted);
  logits.insert(logits.end(), out.begin(), out.end());
  return Status::success();
}

// §4.2: token rows × √d; encoder rows enter as they are.
Rows Text::embed(std::span<const engine::BatchEntry> entries) const {
  const int64_t d = config_.n_embd;
  const float embedding_scale = std::sqrt(static_cast<float>(d));
  Rows h(entries.size() * d);
  for (size_t t = 0; t < entries.size(); ++t) {
    if (entries[t].embedding) {
      std::memcpy(h.data() + t * d, entries[t].embedding, d * sizeof(float));
    } else {
      token_embd_.lookup(entries[t].token, embedding_scale, h.data() + t * d);
    }
  }
  return h;
}

// §4.3: [n, L, P] = (RMSNorm(per_layer_model_proj · h⁰ / √d) + per_layer_token_embd[id] · √P) / √2, with
// id 0 (<pad>) at encoder rows.
Rows Text::per_layer_inputs(const MicroBatch& mb, std::span<const engine::BatchEntry> entries, const Rows& h0) const {
  const int64_t P = config_.n_embd_per_layer;
  const int64_t row = config_.n_layer * P;
  const Rows context = mb.rms_norm(mb.scale(mb.linear(h0, weights_.per_layer_model_proj),
                                            1.0f / std::sqrt(static_cast<float>(config_.n_embd))),
                                   weights_.per_layer_proj_norm, P);
  Rows token(entries.size() * row);
  for (size_t t = 0; t < entries.size(); ++t) {
    const int32_t id = entries[t].embedding ? 0 : entries[t].token;
    per_layer_token_embd_.lookup(id, std::sqrt(static_cast<float>(P)), token.data() + t * row);
  }
  return mb.scale(mb.add(context, token), 1.0f / std::sqrt(2.0f));
}

// §4.4.
Rows Text::decoder_layer(const MicroBatch& mb, int64_t il, const Rows& h, const Rows& per_layer,
                         cache::KvCache& cache) const {
  const LayerConfig& layer = config_.layers[il];
  const LayerWeights& w = weights_.layers[il];
  const int64_t d = config_.n_embd;
  const AttentionCache kv{&cache, layer.has_kv ? layer_slot_[il] : -1, layer_slot_[il]};

  const Rows a = mb.rms_norm(h, w.attn_norm, d);
  const Rows o = mb.rms_norm(attention(mb, config_, layer, w, weights_.rope_freqs, a, kv), w.post_attention_norm, d);
  const Rows h1 = mb.add(h, o);

  const Rows dense = dense_mlp(mb, w, mb.rms_norm(h1, w.ffn_norm, d));
  Rows f;
  if (layer.moe) {
    const Rows m = mb.rms_norm(dense, w.post_ffw_norm_1, d);
    const Rows e = mb.rms_norm(moe(mb, config_, w, h1), w.post_ffw_norm_2, d);
    f = mb.rms_norm(mb.add(m, e), w.post_ffw_norm, d);
  } else {
    f = mb.rms_norm(dense, w.post_ffw_norm, d);
  }
  Rows h2 = mb.add(h1, f);

  if (config_.has_per_layer_embeddings()) {
    const int64_t P = config_.n_embd_per_layer;
    Rows this_layer(mb.n() * P);
    for (int64_t t = 0; t < mb.n(); ++t) {
      std::memcpy(this_layer.data() + t * P, per_layer.data() + (t * config_.n_layer + il) * P, P * sizeof(float));
    }
    const Rows g = mb.mul(mb.gelu(mb.linear(h2, w.ple_gate)), this_layer);
    h2 = mb.add(h2, mb.rms_norm(mb.linear(g, w.ple_proj), w.ple_post_norm, d));
  }
  // The layer scalar multiplies the whole residual stream, residual included.
  return mb.scale(h2, w.output_scale);
}

// §4.9.
Rows Text::output_logits(const MicroBatch& mb, const Rows& h) const {
  Rows logits = mb.linear(mb.rms_norm(h, weights_.output_norm, config_.n_embd), weights_.output);
  if (config_.final_logit_softcap > 0.0f) {
    cpu::softcap(mb.ctx, logits.data(), config_.final_logit_softcap, logits.data(), static_cast<int64_t>(logits.size()));
  }
  return logits;
}

Result<std::unique_ptr<TextModel>> load_text(std::unique_ptr<gguf::GgufFile> file) {
  Result<Config> config = load_config(*file);
  if (!config) return Error{config.error()};
  Result<Weights> weights = load_weights(*file, *config);
  if (!weights) return Error{weights.error()};
  return std::unique_ptr<TextModel>(std::make_unique<Text>(std::move(file), std::move(*config), std::move(*weights)));
}

}  // namespace hearth::models::gemma4
