#include "synth/gemma4_metadata.h"

#include <string>

#include "synth/synth_vocab.h"

namespace hearth::synth {
namespace {

using gguf::KeyValue;
using gguf::Value;
using gguf::ValueType;

// llama_ftype values.
constexpr uint32_t kFileTypeAllF32 = 0;
constexpr uint32_t kFileTypeMostlyF16 = 1;
constexpr uint32_t kQuantizationVersion = 2;
constexpr float kRealVocabScore = -1000.0f;  // what the Gemma 4 converter writes for every token

template <typename PerLayer>
Value layer_array(const Gemma4Shape& s, ValueType element_type, PerLayer value_of) {
  std::vector<Value> items;
  items.reserve(s.n_layer);
  for (uint32_t il = 0; il < s.n_layer; ++il) items.push_back(value_of(il));
  return Value::array(element_type, std::move(items));
}

// The converter writes a per-layer i32 array when the model has per-layer values (double-wide MLP, separate
// global KV-head count), else a u32.
template <typename PerLayer>
Value u32_or_layer_array(const Gemma4Shape& s, bool per_layer, PerLayer value_of) {
  if (!per_layer) return Value::u32(value_of(0));
  return layer_array(s, ValueType::INT32, [&](uint32_t il) { return Value::i32(static_cast<int32_t>(value_of(il))); });
}

void add_hyperparameters(const Gemma4Shape& s, std::vector<KeyValue>& kv) {
  const auto set = [&](std::string key, Value value) { kv.push_back({"gemma4." + key, std::move(value)}); };
  set("context_length", Value::u32(s.n_ctx_train));
  set("embedding_length", Value::u32(s.n_embd));
  set("block_count", Value::u32(s.n_layer));
  set("feed_forward_length", u32_or_layer_array(s, s.double_wide_mlp,
                                                [&](uint32_t il) { return s.feed_forward_length(il); }));
  set("attention.head_count", Value::u32(s.n_head));
  set("attention.head_count_kv", u32_or_layer_array(s, s.n_head_kv_swa != s.n_head_kv_full,
                                                    [&](uint32_t il) { return s.head_count_kv(il); }));
  set("attention.layer_norm_rms_epsilon", Value::f32(s.rms_norm_eps));
  set("attention.key_length", Value::u32(s.head_dim_full));
  set("attention.value_length", Value::u32(s.head_dim_full));
  set("attention.key_length_swa", Value::u32(s.head_dim_swa));
  set("attention.value_length_swa", Value::u32(s.head_dim_swa));
  set("rope.freq_base", Value::f32(s.rope_freq_base_full));
  set("rope.freq_base_swa", Value::f32(s.rope_freq_base_swa));
  set("final_logit_softcapping", Value::f32(s.final_logit_softcapping));
  set("attention.sliding_window", Value::u32(s.sliding_window));
  set("attention.shared_kv_layers", Value::u32(s.n_kv_shared));
  set("embedding_length_per_layer_input", Value::u32(s.n_embd_per_layer));
  set("attention.sliding_window_pattern",
      layer_array(s, ValueType::BOOL, [&](uint32_t il) { return Value::boolean(s.is_sliding(il)); }));
  set("rope.dimension_count", Value::u32(s.head_dim_full));
  set("rope.dimension_count_swa", Value::u32(s.head_dim_swa));
  if (s.is_moe()) {
    set("expert_count", Value::u32(s.n_expert));
    set("expert_used_count", Value::u32(s.n_expert_used));
    set("expert_feed_forward_length", Value::u32(s.n_ff_exp));
  }
}

// hearth renders the Gemma 4 chat format itself (spec/gemma4.md §8), so no template of our own is written (it
// would be a second, partial definition of the format); a real one can be copied in by the caller.
void add_tokenizer(const Gemma4Shape& s, std::string_view chat_template, std::vector<KeyValue>& kv) {
  SynthVocab vocab = build_synth_vocab(s.n_vocab);
  std::vector<Value> tokens, scores, types, merges;
  tokens.reserve(s.n_vocab);
  scores.reserve(s.n_vocab);
  types.reserve(s.n_vocab);
  for (uint32_t id = 0; id < s.n_vocab; ++id) {
    tokens.push_back(Value::string(std::move(vocab.tokens[id])));
    scores.push_back(Value::f32(kRealVocabScore));
    types.push_back(Value::i32(static_cast<int32_t>(vocab.types[id])));
  }
  merges.reserve(vocab.merges.size());
  for (std::string& merge : vocab.merges) merges.push_back(Value::string(std::move(merge)));

  kv.push_back({"tokenizer.ggml.model", Value::string("gemma4")});
  kv.push_back({"tokenizer.ggml.tokens", Value::array(ValueType::STRING, std::move(tokens))});
  kv.push_back({"tokenizer.ggml.scores", Value::array(ValueType::FLOAT32, std::move(scores))});
  kv.push_back({"tokenizer.ggml.token_type", Value::array(ValueType::INT32, std::move(types))});
  kv.push_back({"tokenizer.ggml.merges", Value::array(ValueType::STRING, std::move(merges))});
  kv.push_back({"tokenizer.ggml.bos_token_id", Value::u32(vocab.bos_id)});
  kv.push_back({"tokenizer.ggml.eos_token_id", Value::u32(vocab.eos_id)});
  kv.push_back({"tokenizer.ggml.unknown_token_id", Value::u32(vocab.unknown_id)});
  kv.push_back({"tokenizer.ggml.padding_token_id", Value::u32(vocab.padding_id)});
  kv.push_back({"tokenizer.ggml.mask_token_id", Value::u32(vocab.mask_id)});
  if (!chat_template.empty()) kv.push_back({"tokenizer.chat_template", Value::string(std::string(chat_template))});
  kv.push_back({"tokenizer.ggml.add_space_prefix", Value::boolean(false)});
  kv.push_back({"tokenizer.ggml.add_bos_token", Value::boolean(true)});
}

}  // namespace

std::vector<KeyValue> gemma4_metadata(const Gemma4Shape& shape, std::string_view model_name, TensorType weight_type,
                                      std::string_view chat_template) {
  std::vector<KeyValue> kv;
  kv.push_back({"general.architecture", Value::string("gemma4")});
  kv.push_back({"general.type", Value::string("model")});
  kv.push_back({"general.name", Value::string(std::string(model_name))});
  kv.push_back({"general.file_type",
                Value::u32(weight_type == TensorType::F16 ? kFileTypeMostlyF16 : kFileTypeAllF32)});
  kv.push_back({"general.quantization_version", Value::u32(kQuantizationVersion)});
  add_hyperparameters(shape, kv);
  add_tokenizer(shape, chat_template, kv);
  return kv;
}

}  // namespace hearth::synth
