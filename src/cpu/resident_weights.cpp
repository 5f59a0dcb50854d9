#include "cpu/resident_weights.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string_view>

#include "cpu/interleaved_weights.h"
#include "cpu/weight_formats.h"

namespace hearth::cpu {
namespace {

size_t matrix_bytes(const WeightMatrix& m) { return static_cast<size_t>(weight_row_bytes(m.format, m.n_in) * m.n_out); }

// Copies the rows of `m` to `target`, in slices over the pool's threads (one thread alone copies well below
// the machine's bandwidth).
WeightMatrix copy_rows_into(const OpContext& ctx, const WeightMatrix& m, uint8_t* target) {
  const int64_t row_bytes = weight_row_bytes(m.format, m.n_in);
  const auto* source = static_cast<const uint8_t*>(m.data);
  for_row_slices(*ctx.pool, m.n_out, row_bytes, 1 << 20, [&](int64_t begin, int64_t end) {
    std::memcpy(target + begin * row_bytes, source + begin * row_bytes, static_cast<size_t>((end - begin) * row_bytes));
  });
  WeightMatrix copy = m;
  copy.data = target;
  return copy;
}

}  // namespace

bool repacking_enabled() {
  static const bool enabled = [] {
    const char* setting = std::getenv("HEARTH_CPU_REPACK");
    return setting == nullptr || std::string_view(setting) != "0";
  }();
  return enabled;
}

ResidentWeights ResidentWeights::place(const OpContext& ctx, std::span<WeightMatrix* const> matrices, const ReleaseFn& release) {
  ResidentWeights placed;
  if (!repacking_enabled()) return placed;
  std::set<const void*> seen;
  size_t total = 0;
  for (const WeightMatrix* m : matrices) {
    if (!m->data || m->layout != WeightLayout::rows || !seen.insert(m->data).second) continue;
    total += HugePageArena::footprint(matrix_bytes(*m));
  }
  placed.arena_ = HugePageArena(total);
  if (!placed.arena_.ok()) return placed;

  std::map<const void*, WeightMatrix> copies;  // original data pointer → its copy
  for (WeightMatrix* m : matrices) {
    if (!m->data || m->layout != WeightLayout::rows) continue;
    if (auto copied = copies.find(m->data); copied != copies.end()) {
      *m = copied->second;
      continue;
    }
    uint8_t* target = placed.arena_.allocate(matrix_bytes(*m));
    const WeightMatrix copy = worth_interleaving(*m, *ctx.kernels) ? interleave_into(ctx, *m, target) : copy_rows_into(ctx, *m, target);
    copies.emplace(m->data, copy);
    release(m->data, matrix_bytes(*m));
    *m = copy;
  }
  return placed;
}

}  // namespace hearth::cpu
