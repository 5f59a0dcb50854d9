#include "cpu/memory_bandwidth.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>

namespace hearth::cpu {
namespace {

// One thread keeps several memory streams in flight, as a kernel reading several weight rows does: with a
// single sequential stream one core reaches about a third of the bandwidth it can draw on Zen 3.
constexpr uint64_t kStreams = 8;

// Sums 64-bit words of kStreams equal parts read side by side, 64 bytes of each in turn.
uint64_t sum_words(const uint64_t* words, uint64_t count) {
  const uint64_t part = count / kStreams / 8 * 8;
  uint64_t sums[kStreams] = {};
  for (uint64_t offset = 0; offset < part; offset += 8) {
    for (uint64_t s = 0; s < kStreams; ++s) {
      const uint64_t* p = words + s * part + offset;
      sums[s] += p[0] + p[1] + p[2] + p[3] + p[4] + p[5] + p[6] + p[7];
    }
  }
  uint64_t total = 0;
  for (uint64_t s = 0; s < kStreams; ++s) total += sums[s];
  return total;
}

}  // namespace

double measure_read_bandwidth(ThreadPool& pool, uint64_t buffer_bytes, int passes) {
  const uint64_t n_words = buffer_bytes / sizeof(uint64_t);
  std::unique_ptr<uint64_t[]> buffer(new uint64_t[n_words]);
  const int n_threads = pool.size();
  // First touch by the reading thread, so pages sit near it on NUMA machines.
  pool.parallel_for(n_threads, [&](int64_t task, int) {
    const uint64_t begin = n_words * task / n_threads, end = n_words * (task + 1) / n_threads;
    std::memset(buffer.get() + begin, 1, (end - begin) * sizeof(uint64_t));
  });
  std::atomic<uint64_t> sink{0};  // an observable use of the sums, so the reads cannot be optimised away
  double best = 0.0;
  for (int pass = 0; pass < passes; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    pool.parallel_for(n_threads, [&](int64_t task, int) {
      const uint64_t begin = n_words * task / n_threads, end = n_words * (task + 1) / n_threads;
      sink.fetch_add(sum_words(buffer.get() + begin, end - begin), std::memory_order_relaxed);
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, static_cast<double>(n_words * sizeof(uint64_t)) / seconds);
  }
  return best;
}

}  // namespace hearth::cpu
