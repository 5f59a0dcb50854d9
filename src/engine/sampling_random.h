#pragma once
// The sampler's random source. std::mt19937's output sequence is fixed by the C++ standard, but
// std::uniform_real_distribution's is not, so the [0, 1) draw is written out here: it is libstdc++'s formula
// (spec/sampling.md §4), which makes a seed give the same draws on every platform and the same as llama.cpp
// built with GCC.
#include <cstdint>
#include <random>

namespace hearth::engine {

class SamplingRandom {
 public:
  explicit SamplingRandom(uint32_t seed) : engine_(seed) {}

  // Two 32-bit outputs a then b: (a + b * 2^32) / 2^64 in double, kept below 1.
  double next_unit();

 private:
  std::mt19937 engine_;
};

// The seed itself, or a fresh one from std::random_device for kRandomSeed.
uint32_t resolve_seed(uint32_t requested);

}  // namespace hearth::engine
