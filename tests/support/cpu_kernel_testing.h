#pragma once
// Shared helpers for the CPU kernel tests: the SIMD tables to check, odd sizes, misaligned random inputs
// and the normalised mean squared error used as each op's error bound.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/cpu_features.h"
#include "cpu/kernels.h"

namespace hearth::cpu::testing {

// Sizes that hit every vector tail (1, 7 < 8 < 16 lanes, 33 = 2·16 + 1, 257, 4097).
inline const std::vector<int64_t> kOddSizes = {1, 7, 33, 257, 4097};
// Offsets in floats from a 64-byte aligned start: aligned, and misaligned by one float.
inline const std::vector<int64_t> kOffsets = {0, 1};

// Every SIMD table this binary holds and this CPU can run.
inline std::vector<Isa> runnable_simd_isas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::avx2, Isa::avx512, Isa::neon}) {
    if (kernels_for(isa) != nullptr) isas.push_back(isa);
  }
  return isas;
}

inline std::string isa_test_name(const ::testing::TestParamInfo<Isa>& info) { return std::string(isa_name(info.param)); }

inline const Kernels& reference_kernels() { return *kernels_for(Isa::scalar); }

// A float buffer whose element `offset` is where the data starts, so a test can misalign it on purpose.
class Floats {
 public:
  Floats(int64_t n, int64_t offset) : storage_(n + offset + 16), offset_(offset) {}
  float* data() { return aligned_start() + offset_; }
  const float* data() const { return const_cast<Floats*>(this)->data(); }
  float& operator[](int64_t i) { return data()[i]; }

 private:
  float* aligned_start() {
    auto address = reinterpret_cast<uintptr_t>(storage_.data());
    return storage_.data() + ((64 - address % 64) % 64) / sizeof(float);
  }
  std::vector<float> storage_;
  int64_t offset_;
};

inline Floats random_floats(int64_t n, int64_t offset, float lo, float hi, uint32_t seed) {
  Floats values(n, offset);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < n; ++i) values[i] = dist(rng);
  return values;
}

// Σ(got − want)² / Σ want²; 0 when both are exactly equal (including both all zero).
inline double normalized_mse(const float* got, const float* want, int64_t n) {
  double error = 0.0, energy = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(got[i]) - want[i];
    error += d * d;
    energy += static_cast<double>(want[i]) * want[i];
  }
  if (error == 0.0) return 0.0;
  return energy > 0.0 ? error / energy : error;
}

}  // namespace hearth::cpu::testing
