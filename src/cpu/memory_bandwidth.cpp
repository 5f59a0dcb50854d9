#include "cpu/memory_bandwidth.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>

namespace hearth::cpu {
namespace {

// Sums 64-bit words with independent accumulators so loads, not the add chain, set the pace.
uint64_t sum_words(const uint64_t* words, uint64_t count) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  uint64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    a += words[i];
    b += words[i + 1];
    c += words[i + 2];
    d += words[i + 3];
  }
  for (; i < count; ++i) a += words[i];
  return a + b + c + d;
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
