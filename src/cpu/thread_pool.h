#pragma once
// A persistent pool of worker threads for data-parallel kernels. The thread that calls parallel_for works
// too, so a pool of N threads starts N-1 workers. Between jobs the workers spin briefly (decode issues
// jobs microseconds apart) and then sleep on a futex, so an idle engine costs no CPU.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace hearth::cpu {

// A non-owning reference to a callable `void(int64_t task, int thread)`; parallel_for must not allocate.
class TaskFn {
 public:
  template <typename F>
    requires std::is_invocable_v<F&, int64_t, int> && (!std::is_same_v<std::remove_cvref_t<F>, TaskFn>)
  TaskFn(F&& fn)  // NOLINT(google-explicit-constructor): built implicitly from a lambda at each call
      : object_(const_cast<void*>(static_cast<const void*>(&fn))),
        call_([](void* object, int64_t task, int thread) { (*static_cast<std::remove_reference_t<F>*>(object))(task, thread); }) {}

  void operator()(int64_t task, int thread) const { call_(object_, task, thread); }

 private:
  void* object_;
  void (*call_)(void*, int64_t, int);
};

enum class Schedule {
  // Thread t runs one contiguous range of tasks; best when tasks cost the same (rows of a matrix-vector
  // product), because each thread then streams one contiguous slice of memory.
  static_ranges,
  // Threads take `chunk` tasks at a time from a shared counter; best when task costs vary.
  chunked,
};

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Runs fn(task, thread) for every task in [0, n_tasks) exactly once and returns when all are done;
  // `thread` is in [0, size()) and two tasks with the same `thread` never run at the same time, so it can
  // index per-thread scratch. Tasks must not throw.
  // Rules: a parallel_for called from inside a task runs all its tasks inline on that thread (no deadlock,
  // no oversubscription, `thread` is then the caller's index); calls from different outside threads are
  // serialised.
  void parallel_for(int64_t n_tasks, TaskFn fn, Schedule schedule = Schedule::static_ranges, int64_t chunk = 1);

 private:
  struct Job {
    TaskFn fn;
    int64_t n_tasks;
    Schedule schedule;
    int64_t chunk;
  };

  void worker_loop(int thread);
  void run_share(const Job& job, int thread);

  int n_threads_;
  std::vector<std::thread> workers_;
  std::mutex submit_mutex_;
  Job job_{[](int64_t, int) {}, 0, Schedule::static_ranges, 1};
  std::atomic<uint32_t> generation_{0};  // bumped to publish a job; workers wait on it
  std::atomic<int> busy_workers_{0};     // workers still running the current job
  std::atomic<int64_t> next_task_{0};    // chunked schedule: first task not yet taken
  std::atomic<bool> stopping_{false};
};

// Runs fn(begin_row, end_row) over contiguous slices of [0, n_rows): one slice per min_work_per_slice units of
// work (work_per_row units a row), at most one per row and slices_per_thread per thread; a single slice runs on
// the calling thread, as waking the pool costs more than small work. With one slice per thread each thread
// streams one slice of memory; with more, threads take them from a shared counter as they come free, so a
// thread slowed down (by the other work on its core) takes fewer instead of holding the others up at the end.
template <class Fn>
void for_row_slices(ThreadPool& pool, int64_t n_rows, int64_t work_per_row, int64_t min_work_per_slice, Fn fn,
                    int64_t slices_per_thread = 1) {
  const int64_t useful_slices = std::max<int64_t>(1, n_rows * work_per_row / min_work_per_slice);
  if (std::min({n_rows, useful_slices, static_cast<int64_t>(pool.size())}) <= 1) {
    fn(int64_t{0}, n_rows);
    return;
  }
  const int64_t n_slices = std::min({n_rows, useful_slices, pool.size() * slices_per_thread});
  pool.parallel_for(
      n_slices, [&](int64_t slice, int) { fn(n_rows * slice / n_slices, n_rows * (slice + 1) / n_slices); },
      slices_per_thread == 1 ? Schedule::static_ranges : Schedule::chunked);
}

// The size of the fewest equal blocks of at most max_block that cover n, so the last block is not a sliver.
inline int64_t balanced_block_size(int64_t n, int64_t max_block) {
  if (n <= 0) return max_block;
  const int64_t n_blocks = (n + max_block - 1) / max_block;
  return (n + n_blocks - 1) / n_blocks;
}

// Cuts [0, n_tokens) × [0, n_rows) into tiles of tokens_per_block × rows_per_block and runs
// fn(first_token, end_token, first_row, end_row) for each tile as one task of `schedule`.
template <class Fn>
void for_each_tile(ThreadPool& pool, int64_t n_tokens, int64_t tokens_per_block, int64_t n_rows, int64_t rows_per_block,
                   Schedule schedule, Fn fn) {
  const int64_t token_blocks = (n_tokens + tokens_per_block - 1) / tokens_per_block;
  const int64_t row_blocks = (n_rows + rows_per_block - 1) / rows_per_block;
  pool.parallel_for(
      token_blocks * row_blocks,
      [&](int64_t task, int) {
        const int64_t first_token = task / row_blocks * tokens_per_block;
        const int64_t first_row = task % row_blocks * rows_per_block;
        fn(first_token, std::min(n_tokens, first_token + tokens_per_block), first_row, std::min(n_rows, first_row + rows_per_block));
      },
      schedule);
}

// Threads to use by default: HEARTH_NUM_THREADS when set to a positive number, else the number of physical
// cores in this process's affinity mask (hyper-threads share the FMA units and memory port, so they do not
// speed up these kernels).
int default_thread_count();

// The process-wide pool, created on first use with default_thread_count() threads.
ThreadPool& default_thread_pool();

}  // namespace hearth::cpu
