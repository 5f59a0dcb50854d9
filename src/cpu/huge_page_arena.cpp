#include "cpu/huge_page_arena.h"

#include <sys/mman.h>

#include <utility>

namespace hearth::cpu {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

size_t round_up(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

HugePageArena::HugePageArena(size_t capacity) {
  if (capacity == 0) return;
  // One huge page more than needed, so that the usable range can start on a 2 MiB boundary.
  const size_t bytes = round_up(capacity, kHugePage) + kHugePage;
  void* mapping = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) return;
  mapping_ = mapping;
  mapping_bytes_ = bytes;
  base_ = reinterpret_cast<uint8_t*>(round_up(reinterpret_cast<uintptr_t>(mapping), kHugePage));
  capacity_ = capacity;
  // Advice only: without transparent huge pages the arena is ordinary memory.
  static_cast<void>(::madvise(base_, round_up(capacity, kHugePage), MADV_HUGEPAGE));
}

HugePageArena::HugePageArena(HugePageArena&& other) noexcept
    : mapping_(std::exchange(other.mapping_, nullptr)),
      mapping_bytes_(std::exchange(other.mapping_bytes_, 0)),
      base_(std::exchange(other.base_, nullptr)),
      capacity_(std::exchange(other.capacity_, 0)),
      used_(std::exchange(other.used_, 0)) {}

HugePageArena& HugePageArena::operator=(HugePageArena&& other) noexcept {
  if (this != &other) {
    unmap();
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapping_bytes_ = std::exchange(other.mapping_bytes_, 0);
    base_ = std::exchange(other.base_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
    used_ = std::exchange(other.used_, 0);
  }
  return *this;
}

HugePageArena::~HugePageArena() { unmap(); }

void HugePageArena::unmap() {
  if (mapping_) ::munmap(mapping_, mapping_bytes_);
  mapping_ = nullptr;
  base_ = nullptr;
}

uint8_t* HugePageArena::allocate(size_t bytes) {
  const size_t start = round_up(used_, kAlignment);
  if (!base_ || start > capacity_ || bytes > capacity_ - start) return nullptr;
  used_ = start + bytes;
  return base_ + start;
}

}  // namespace hearth::cpu
