#pragma once
// One forward pass's input: a flat list of tokens from any number of sequences (llama.cpp style,
// spec/batching-and-caches.md §8.1), each with its own position; the KV cache's mask keeps sequences apart.
#include <cstdint>

#include "cpu/ops.h"

namespace hearth::engine {

struct BatchEntry {
  int32_t seq_id = 0;
  int32_t token = 0;                 // read when embedding is null
  const float* embedding = nullptr;  // [n_embd] input row from an encoder (image / audio soft token)
  int32_t position = 0;
  bool want_logits = false;
};

struct ForwardOptions {
  // as_stored reproduces llama.cpp's CPU numerics (and runs the integer kernels on quantized weights);
  // f32_upcast computes with exact f32 weights (the goldens' f32_upcast / f32_dequant runs).
  cpu::LinearNumerics numerics = cpu::LinearNumerics::as_stored;
  int64_t n_ubatch = 512;  // tokens per micro-batch; longer batches are split
};

}  // namespace hearth::engine
