#include "synth/random_fill.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "tensor/fp16.h"

namespace hearth::synth {
namespace {

constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;
constexpr float kUnrotatedFreqFactor = 1e30f;
// Below this a tensor is filled on the calling thread; thread start-up would cost more than it saves.
constexpr int64_t kMinElementsPerThread = int64_t{1} << 20;

// splitmix64's output function: a bijective 64-bit mixer with full avalanche.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Sum of four independent U{0..65535}: mean 4·65535/2, variance 4·(65536²−1)/12.
constexpr float kLaneSumMean = 2.0f * 65535.0f;
const float kLaneSumInvStddev = 1.0f / std::sqrt(4.0f * (65536.0f * 65536.0f - 1.0f) / 12.0f);
// Values are made a block at a time in a local buffer so the hot loops touch no memory that could alias the
// output and the compiler keeps everything in registers.
constexpr int64_t kBlock = 4096;

inline float lane_sum_normal(uint64_t stream_key, uint64_t index) {
  const uint64_t bits = mix64(stream_key + index * kGoldenGamma);
  const uint32_t lane_sum = static_cast<uint32_t>(bits & 0xFFFF) + static_cast<uint32_t>((bits >> 16) & 0xFFFF) +
                            static_cast<uint32_t>((bits >> 32) & 0xFFFF) + static_cast<uint32_t>(bits >> 48);
  return (static_cast<float>(lane_sum) - kLaneSumMean) * kLaneSumInvStddev;
}

void make_values(const InitRule rule, uint64_t key, int64_t begin, int64_t count, float* values) {
  if (rule.kind == InitRule::Kind::RopeFreqs) {
    for (int64_t i = 0; i < count; ++i) {
      values[i] = begin + i < int64_t{rule.rotated_pairs} ? 1.0f : kUnrotatedFreqFactor;
    }
  } else if (rule.stddev == 0.0f) {
    std::fill(values, values + count, rule.mean);
  } else {
    const float mean = rule.mean;
    const float stddev = rule.stddev;
    for (int64_t i = 0; i < count; ++i) {
      values[i] = mean + stddev * lane_sum_normal(key, static_cast<uint64_t>(begin + i));
    }
  }
}

// f32_to_fp16 with a branch-free round-to-nearest-even for results that are normal halves (nearly all values
// here); the data-dependent rounding branch of the reference mispredicts on random data and dominated the cost.
inline uint16_t to_half(float value) {
  constexpr uint32_t kSmallestNormalHalf = 0x38800000u;  // as f32 bits
  constexpr uint32_t kRoundsToInfinity = 0x477FF000u;
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const uint32_t abs_bits = bits & 0x7FFFFFFFu;
  if (abs_bits - kSmallestNormalHalf >= kRoundsToInfinity - kSmallestNormalHalf) return f32_to_fp16(value);
  const uint32_t rebased = abs_bits - 0x38000000u;  // exponent bias 127 -> 15
  const uint32_t rounded = (rebased + 0x0FFFu + ((rebased >> 13) & 1u)) >> 13;
  return static_cast<uint16_t>(((bits >> 16) & 0x8000u) | rounded);
}

void fill_range(const PlannedTensor& tensor, uint64_t key, int64_t begin, int64_t end, uint8_t* out) {
  float values[kBlock];
  uint16_t halves[kBlock];
  for (int64_t block = begin; block < end; block += kBlock) {
    const int64_t count = std::min(kBlock, end - block);
    make_values(tensor.init, key, block, count, values);
    if (tensor.type == TensorType::F16) {
      for (int64_t i = 0; i < count; ++i) halves[i] = to_half(values[i]);
      std::memcpy(out + block * sizeof(uint16_t), halves, static_cast<size_t>(count) * sizeof(uint16_t));
    } else {
      std::memcpy(out + block * sizeof(float), values, static_cast<size_t>(count) * sizeof(float));
    }
  }
}

}  // namespace

uint64_t tensor_stream_key(uint64_t seed, std::string_view tensor_name) {
  uint64_t hash = 0xCBF29CE484222325ull;  // FNV-1a
  for (char c : tensor_name) hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
  return mix64(seed ^ mix64(hash));
}

float unit_normal(uint64_t stream_key, uint64_t index) { return lane_sum_normal(stream_key, index); }

Status fill_tensor(const PlannedTensor& tensor, uint64_t seed, std::span<uint8_t> out, unsigned threads) {
  if (tensor.type != TensorType::F32 && tensor.type != TensorType::F16)
    return make_error("tensor '", tensor.name, "': synthetic weights are F32 or F16 only");
  if (out.size() != tensor.bytes())
    return make_error("tensor '", tensor.name, "': buffer of ", out.size(), " bytes, expected ", tensor.bytes());
  const uint64_t key = tensor_stream_key(seed, tensor.name);
  const int64_t n = tensor.elements();
  const int64_t workers = std::clamp<int64_t>(n / kMinElementsPerThread, 1, std::max(1u, threads));
  const int64_t chunk = (n + workers - 1) / workers;
  std::vector<std::jthread> helpers;
  for (int64_t w = 1; w < workers; ++w) {
    const int64_t begin = w * chunk;
    const int64_t end = std::min(n, begin + chunk);
    helpers.emplace_back([&tensor, key, begin, end, &out] { fill_range(tensor, key, begin, end, out.data()); });
  }
  fill_range(tensor, key, 0, std::min(n, chunk), out.data());
  return Status::success();
}

}  // namespace hearth::synth
