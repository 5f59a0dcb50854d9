// The thread pool's contract: every task exactly once, valid and exclusive thread indices, nested calls
// inline, many short jobs back to back, and calls from several outside threads.
#include <atomic>
#include <cstdlib>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/cpu_features.h"
#include "cpu/kernels.h"
#include "cpu/thread_pool.h"

namespace hearth::cpu {
namespace {

void expect_each_task_once(ThreadPool& pool, int64_t n_tasks, Schedule schedule, int64_t chunk) {
  std::vector<std::atomic<int>> runs(n_tasks);
  std::vector<std::atomic<int>> active(pool.size());
  std::atomic<bool> bad_thread{false};
  pool.parallel_for(
      n_tasks,
      [&](int64_t task, int thread) {
        if (thread < 0 || thread >= pool.size() || active[thread].fetch_add(1) != 0) bad_thread = true;
        runs[task].fetch_add(1);
        active[thread].fetch_sub(1);
      },
      schedule, chunk);
  EXPECT_FALSE(bad_thread);
  for (int64_t t = 0; t < n_tasks; ++t) ASSERT_EQ(runs[t].load(), 1) << "task " << t << " of " << n_tasks;
}

TEST(ThreadPool, RunsEveryTaskExactlyOnce) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int64_t n_tasks : {0, 1, 2, 7, 64, 1001}) {
      expect_each_task_once(pool, n_tasks, Schedule::static_ranges, 1);
      expect_each_task_once(pool, n_tasks, Schedule::chunked, 1);
      expect_each_task_once(pool, n_tasks, Schedule::chunked, 5);
    }
  }
}

TEST(ThreadPool, StaticRangesAreContiguousPerThread) {
  ThreadPool pool(3);
  std::vector<int> owner(100, -1);
  pool.parallel_for(100, [&](int64_t task, int thread) { owner[task] = thread; });
  for (size_t t = 1; t < owner.size(); ++t) EXPECT_GE(owner[t], owner[t - 1]);
}

TEST(ThreadPool, ManyShortJobs) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  for (int job = 0; job < 2000; ++job) {
    pool.parallel_for(3, [&](int64_t task, int) { sum.fetch_add(task + 1, std::memory_order_relaxed); });
  }
  EXPECT_EQ(sum.load(), 2000 * 6);
}

TEST(ThreadPool, NestedCallsRunInlineOnTheCallingThread) {
  ThreadPool pool(3);
  std::atomic<int> inner_runs{0};
  std::atomic<bool> moved{false};
  pool.parallel_for(6, [&](int64_t, int outer_thread) {
    pool.parallel_for(4, [&](int64_t, int inner_thread) {
      if (inner_thread != outer_thread) moved = true;
      inner_runs.fetch_add(1);
    });
  });
  EXPECT_EQ(inner_runs.load(), 24);
  EXPECT_FALSE(moved);
}

TEST(ThreadPool, CallsFromSeveralOutsideThreadsAreSerialised) {
  ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 3; ++c) {
    callers.emplace_back([&] {
      for (int job = 0; job < 500; ++job) pool.parallel_for(10, [&](int64_t, int) { total.fetch_add(1); });
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(total.load(), 3 * 500 * 10);
}

TEST(ThreadPool, DefaultSizeHonoursTheEnvironment) {
  EXPECT_GE(default_thread_pool().size(), 1);
  ::setenv("HEARTH_NUM_THREADS", "5", 1);
  EXPECT_EQ(default_thread_count(), 5);
  ::unsetenv("HEARTH_NUM_THREADS");
  EXPECT_GE(default_thread_count(), 1);
}

TEST(CpuFeatures, SelectedIsaIsRunnableAndNamesRoundTrip) {
  EXPECT_TRUE(cpu_supports(selected_isa()));
  for (Isa isa : {Isa::scalar, Isa::avx2, Isa::avx512, Isa::neon}) EXPECT_EQ(isa_from_name(isa_name(isa)), isa);
  EXPECT_FALSE(isa_from_name("sse9").has_value());
  // Run with HEARTH_CPU_ISA=scalar to check the override; a level this CPU lacks is ignored.
  if (const char* forced = std::getenv("HEARTH_CPU_ISA")) {
    const std::optional<Isa> isa = isa_from_name(forced);
    if (isa && kernels_for(*isa) != nullptr) {
      EXPECT_EQ(selected_isa(), *isa);
    } else {
      EXPECT_NE(isa_name(selected_isa()), forced);
    }
  }
  const CpuFeatures& f = cpu_features();
  if (f.avx512f) {
    EXPECT_TRUE(f.avx2);
  }
}

}  // namespace
}  // namespace hearth::cpu
