#pragma once
// One forward pass's input: a flat list of tokens from any number of sequences (llama.cpp style,
// spec/batching-and-caches.md §8.1), each with its own position; the KV cache's mask keeps sequences apart.
#include <cstdint>

#include <span>
#include <vector>

#include "cpu/attention.h"
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
  // Position ranges whose tokens attend to each other in both directions (an image's soft tokens). A range
  // is never split across micro-batches, so one must fit in n_ubatch.
  std::span<const cpu::BidirectionalRange> bidirectional{};
};

// Where the micro-batch starting at `begin` ends: at most n_ubatch entries, moved so that no bidirectional
// range is cut (back to the range's start when tokens precede it, else on to its end).
size_t micro_batch_end(std::span<const BatchEntry> batch, size_t begin, int64_t n_ubatch,
                       std::span<const cpu::BidirectionalRange> ranges);

}  // namespace hearth::engine
