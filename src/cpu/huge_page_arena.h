#pragma once
// Anonymous memory for the weights that decode streams, asked to be backed by 2 MiB pages (MADV_HUGEPAGE;
// honoured where transparent huge pages are enabled or set to madvise, ignored elsewhere). Decode reads
// every matrix once per token, so with 4 KiB pages each token misses the TLB once per 4 KiB and the
// hardware prefetchers stop at every page boundary; one 2 MiB page covers 512 of them.
#include <cstddef>
#include <cstdint>

namespace hearth::cpu {

class HugePageArena {
 public:
  HugePageArena() = default;
  // Reserves `capacity` bytes; ok() is false when the mapping fails (the caller keeps its data where it is).
  explicit HugePageArena(size_t capacity);
  HugePageArena(HugePageArena&& other) noexcept;
  HugePageArena& operator=(HugePageArena&& other) noexcept;
  HugePageArena(const HugePageArena&) = delete;
  HugePageArena& operator=(const HugePageArena&) = delete;
  ~HugePageArena();

  bool ok() const { return base_ != nullptr; }
  // The next `bytes` of the arena, kAlignment-aligned; nullptr when they do not fit.
  uint8_t* allocate(size_t bytes);

  static constexpr size_t kAlignment = 64;
  // The capacity an allocation of `bytes` takes up, so that a run of them can be sized in advance.
  static constexpr size_t footprint(size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

 private:
  void unmap();

  void* mapping_ = nullptr;
  size_t mapping_bytes_ = 0;
  uint8_t* base_ = nullptr;  // the first 2 MiB boundary in the mapping
  size_t capacity_ = 0;
  size_t used_ = 0;
};

}  // namespace hearth::cpu
