#include "engine/sampling_random.h"

#include <cmath>

#include "engine/sampling_params.h"

namespace hearth::engine {

double SamplingRandom::next_unit() {
  constexpr double kTwoPow32 = 4294967296.0;
  const double low = static_cast<double>(engine_());
  const double high = static_cast<double>(engine_());
  const double unit = (low + high * kTwoPow32) / (kTwoPow32 * kTwoPow32);
  // Rounding the 64-bit sum to 53 bits can reach 1.0 exactly; the interval must stay half-open.
  return unit < 1.0 ? unit : std::nextafter(1.0, 0.0);
}

uint32_t resolve_seed(uint32_t requested) {
  if (requested != kRandomSeed) return requested;
  std::random_device device;
  return device();
}

}  // namespace hearth::engine
