#include "cpu/thread_pool.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace hearth::cpu {
namespace {

// About 50 microseconds of polling before sleeping: long enough to bridge the gap between the ops of one
// decode step, short enough that an idle pool does not steal cores from other processes.
constexpr int kSpinIterations = 2000;

// Set while a thread runs tasks of a pool, so that nested parallel_for calls run inline.
thread_local int current_pool_thread = -1;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

template <typename T, typename Predicate>
void spin_then_wait(std::atomic<T>& value, T observed, Predicate done) {
  for (int i = 0; i < kSpinIterations; ++i) {
    if (done()) return;
    cpu_relax();
  }
  while (!done()) {
    value.wait(observed, std::memory_order_acquire);
    observed = value.load(std::memory_order_acquire);
  }
}

int physical_cores_in_affinity_mask() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof(mask), &mask) != 0) return static_cast<int>(std::thread::hardware_concurrency());
  std::set<std::pair<std::string, std::string>> cores;  // (package, core id)
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &mask)) continue;
    const std::string topology = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    std::ifstream package_file(topology + "physical_package_id");
    std::ifstream core_file(topology + "core_id");
    std::string package, core;
    if (!(package_file >> package) || !(core_file >> core)) return CPU_COUNT(&mask);  // no sysfs topology
    cores.emplace(package, core);
  }
  return std::max<int>(1, static_cast<int>(cores.size()));
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
  workers_.reserve(n_threads_ - 1);
  for (int thread = 1; thread < n_threads_; ++thread) workers_.emplace_back([this, thread] { worker_loop(thread); });
}

ThreadPool::~ThreadPool() {
  stopping_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::run_share(const Job& job, int thread) {
  if (job.schedule == Schedule::static_ranges) {
    const int64_t begin = job.n_tasks * thread / n_threads_;
    const int64_t end = job.n_tasks * (thread + 1) / n_threads_;
    for (int64_t task = begin; task < end; ++task) job.fn(task, thread);
    return;
  }
  for (;;) {
    const int64_t begin = next_task_.fetch_add(job.chunk, std::memory_order_relaxed);
    if (begin >= job.n_tasks) return;
    const int64_t end = std::min(job.n_tasks, begin + job.chunk);
    for (int64_t task = begin; task < end; ++task) job.fn(task, thread);
  }
}

void ThreadPool::worker_loop(int thread) {
  current_pool_thread = thread;
  uint32_t seen = 0;
  for (;;) {
    spin_then_wait(generation_, seen, [&] { return generation_.load(std::memory_order_acquire) != seen; });
    seen = generation_.load(std::memory_order_acquire);
    if (stopping_.load(std::memory_order_acquire)) return;
    run_share(job_, thread);
    if (busy_workers_.fetch_sub(1, std::memory_order_acq_rel) == 1) busy_workers_.notify_one();
  }
}

void ThreadPool::parallel_for(int64_t n_tasks, TaskFn fn, Schedule schedule, int64_t chunk) {
  if (n_tasks <= 0) return;
  if (current_pool_thread >= 0 || n_threads_ == 1 || n_tasks == 1) {
    const int thread = std::max(0, current_pool_thread);
    for (int64_t task = 0; task < n_tasks; ++task) fn(task, thread);
    return;
  }
  std::lock_guard lock(submit_mutex_);
  job_ = Job{fn, n_tasks, schedule, std::max<int64_t>(1, chunk)};
  next_task_.store(0, std::memory_order_relaxed);
  busy_workers_.store(n_threads_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();

  current_pool_thread = 0;
  run_share(job_, 0);
  current_pool_thread = -1;

  int busy = busy_workers_.load(std::memory_order_acquire);
  spin_then_wait(busy_workers_, busy, [&] { return busy_workers_.load(std::memory_order_acquire) == 0; });
}

int default_thread_count() {
  if (const char* configured = std::getenv("HEARTH_NUM_THREADS")) {
    const int count = std::atoi(configured);
    if (count > 0) return count;
  }
  return physical_cores_in_affinity_mask();
}

ThreadPool& default_thread_pool() {
  static ThreadPool pool(default_thread_count());
  return pool;
}

}  // namespace hearth::cpu
