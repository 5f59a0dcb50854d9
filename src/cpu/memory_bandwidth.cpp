#include "cpu/memory_bandwidth.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <new>

namespace hearth::cpu {
namespace {

constexpr int64_t kBufferBytes = int64_t{1} << 30;
constexpr int64_t kSliceBytes = int64_t{128} << 20;
// Every stream advances 128 bytes (two cache lines) per step; a thread's part is whole steps for every
// stream count and stays 64-byte aligned.
constexpr int64_t kStepBytes = 128;
constexpr int64_t kGranule = kStepBytes * 8 * 64;

// 32 bytes as one value: the compiler reads them with the widest loads the target has.
using Lane = uint64_t __attribute__((vector_size(32)));

// ORs n_bytes at `bytes` read as n_streams equal parts side by side, kStepBytes of each in turn; the result
// depends on every byte so no load can be dropped.
uint64_t read_streams(const uint8_t* bytes, int64_t n_bytes, int n_streams) {
  const int64_t part = n_bytes / n_streams;
  Lane a = {}, b = {}, c = {}, d = {};
  for (int64_t offset = 0; offset < part; offset += kStepBytes) {
    for (int s = 0; s < n_streams; ++s) {
      Lane v[4];
      std::memcpy(v, bytes + s * part + offset, sizeof(v));
      a |= v[0];
      b |= v[1];
      c |= v[2];
      d |= v[3];
    }
  }
  const Lane all = a | b | c | d;
  return all[0] | all[1] | all[2] | all[3];
}

}  // namespace

ReadProbe::ReadProbe(ThreadPool& pool) : pool_(pool), arena_(kBufferBytes), buffer_(arena_.allocate(kBufferBytes)) {
  if (buffer_ == nullptr) throw std::bad_alloc();
  const int64_t n_threads = pool_.size();
  // First touch by the reading thread, so pages sit near it on NUMA machines.
  pool_.parallel_for(n_threads, [&](int64_t task, int) {
    const int64_t begin = kBufferBytes * task / n_threads, end = kBufferBytes * (task + 1) / n_threads;
    std::memset(buffer_ + begin, 1, end - begin);
  });
}

double ReadProbe::read_next_slice(int n_streams) {
  const uint8_t* start = buffer_ + next_slice_;
  next_slice_ = (next_slice_ + kSliceBytes) % kBufferBytes;
  const int64_t n_threads = pool_.size();
  const auto begin_time = std::chrono::steady_clock::now();
  pool_.parallel_for(n_threads, [&](int64_t task, int) {
    const int64_t begin = kSliceBytes * task / n_threads / kGranule * kGranule;
    const int64_t end = kSliceBytes * (task + 1) / n_threads / kGranule * kGranule;
    sink_.fetch_or(read_streams(start + begin, end - begin, n_streams), std::memory_order_relaxed);
  });
  return static_cast<double>(kSliceBytes) / std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_time).count();
}

ReadBandwidth measure_read_bandwidth(ThreadPool& pool, int passes) {
  ReadProbe probe(pool);
  ReadBandwidth result;
  for (size_t i = 0; i < ReadBandwidth::kStreamCounts.size(); ++i) {
    for (int slice = 0; slice < passes * kBufferBytes / kSliceBytes; ++slice) {
      result.by_streams[i] = std::max(result.by_streams[i], probe.read_next_slice(ReadBandwidth::kStreamCounts[i]));
    }
    result.best = std::max(result.best, result.by_streams[i]);
  }
  return result;
}

}  // namespace hearth::cpu
