#include "tensor/kquant_search.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hearth::kquant {

int nearest_int(float x) {
  // Adding 1.5 * 2^23 leaves the rounded integer (ties to even) in the low mantissa bits.
  const float shifted = x + 12582912.f;
  return static_cast<int>(std::bit_cast<uint32_t>(shifted) & 0x007FFFFFu) - 0x00400000;
}

namespace {

int clamp_signed(int l, int nmax) { return std::max(-nmax, std::min(nmax - 1, l)); }

// The element with the largest magnitude (first one on ties), with its sign.
float signed_absmax(int n, const float* x) {
  float max = 0;
  float amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  return max;
}

}  // namespace

float fit_scale_and_min(int n, int nmax, const float* x, const float* weights, const ScaleSweep& sweep,
                        uint8_t* quants, float* min_out) {
  float min = x[0];
  float max = x[0];
  float sum_w = weights[0];
  float sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    min = std::min(min, x[i]);
    max = std::max(max, x[i]);
    sum_w += weights[i];
    sum_x += weights[i] * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    std::fill(quants, quants + n, 0);
    *min_out = -min;
    return 0.f;
  }
  const auto error_of = [&](float scale, float offset, const uint8_t* q) {
    float error = 0;
    for (int i = 0; i < n; ++i) {
      const float diff = scale * static_cast<float>(q[i]) + offset - x[i];
      error += weights[i] * (sweep.use_mad ? std::fabs(diff) : diff * diff);
    }
    return error;
  };

  float iscale = static_cast<float>(nmax) / (max - min);
  float scale = 1 / iscale;
  for (int i = 0; i < n; ++i) {
    quants[i] = static_cast<uint8_t>(std::clamp(nearest_int(iscale * (x[i] - min)), 0, nmax));
  }
  float best_error = error_of(scale, min, quants);

  uint8_t candidate[32];
  for (int step = 0; step <= sweep.nstep; ++step) {
    iscale = (sweep.rmin + sweep.rdelta * static_cast<float>(step) + static_cast<float>(nmax)) / (max - min);
    float sum_l = 0;
    float sum_l2 = 0;
    float sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      const int l = std::clamp(nearest_int(iscale * (x[i] - min)), 0, nmax);
      candidate[i] = static_cast<uint8_t>(l);
      const float wl = weights[i] * static_cast<float>(l);
      sum_l += wl;
      sum_l2 += wl * static_cast<float>(l);
      sum_xl += wl * x[i];
    }
    // Least-squares scale and offset for these quants; the offset may not become positive.
    const float det = sum_w * sum_l2 - sum_l * sum_l;
    if (!(det > 0)) continue;
    float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
    float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
    if (this_min > 0) {
      this_min = 0;
      this_scale = sum_xl / sum_l2;
    }
    const float error = error_of(this_scale, this_min, candidate);
    if (error < best_error) {
      std::copy(candidate, candidate + n, quants);
      best_error = error;
      scale = this_scale;
      min = this_min;
    }
  }
  *min_out = -min;
  return scale;
}

float fit_signed_scale_refined(int n, int nmax, const float* x, int8_t* quants) {
  const float max = signed_absmax(n, x);
  if (std::fabs(max) < kGroupMaxEps) {
    std::fill(quants, quants + n, 0);
    return 0.f;
  }
  const float iscale = static_cast<float>(-nmax) / max;
  float sumlx = 0;
  float suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = clamp_signed(nearest_int(iscale * x[i]), nmax);
    quants[i] = static_cast<int8_t>(l);
    const float w = x[i] * x[i];
    sumlx += w * x[i] * static_cast<float>(l);
    suml2 += w * static_cast<float>(l) * static_cast<float>(l);
  }
  // Coordinate descent: move one quant to its best value given the others while the fit improves.
  for (int pass = 0; pass < 5; ++pass) {
    int changed = 0;
    for (int i = 0; i < n; ++i) {
      const float w = x[i] * x[i];
      const auto old_l = static_cast<float>(quants[i]);
      float slx = sumlx - w * x[i] * old_l;
      if (!(slx > 0)) continue;
      float sl2 = suml2 - w * old_l * old_l;
      const int new_l = clamp_signed(nearest_int(x[i] * sl2 / slx), nmax);
      if (new_l == quants[i]) continue;
      slx += w * x[i] * static_cast<float>(new_l);
      sl2 += w * static_cast<float>(new_l) * static_cast<float>(new_l);
      if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
        quants[i] = static_cast<int8_t>(new_l);
        sumlx = slx;
        suml2 = sl2;
        ++changed;
      }
    }
    if (changed == 0) break;
  }
  for (int i = 0; i < n; ++i) quants[i] = static_cast<int8_t>(quants[i] + nmax);
  return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

float fit_signed_scale_swept(int n, int nmax, const float* x, int8_t* quants) {
  const float max = signed_absmax(n, x);
  if (std::fabs(max) < kGroupMaxEps) {
    std::fill(quants, quants + n, 0);
    return 0.f;
  }
  struct Sums {
    float lx = 0;
    float l2 = 0;
  };
  const auto sums_for = [&](float iscale) {
    Sums sums;
    for (int i = 0; i < n; ++i) {
      const auto l = static_cast<float>(clamp_signed(nearest_int(iscale * x[i]), nmax));
      const float w = x[i] * x[i];
      sums.lx += w * x[i] * l;
      sums.l2 += w * l * l;
    }
    return sums;
  };
  const auto store_quants = [&](float iscale) {
    for (int i = 0; i < n; ++i) quants[i] = static_cast<int8_t>(nmax + clamp_signed(nearest_int(iscale * x[i]), nmax));
  };

  float iscale = static_cast<float>(-nmax) / max;
  store_quants(iscale);
  Sums sums = sums_for(iscale);
  float scale = sums.l2 != 0 ? sums.lx / sums.l2 : 0.0f;
  float best = scale * sums.lx;
  for (int step = -9; step <= 9; ++step) {
    if (step == 0) continue;
    iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(step)) / max;
    sums = sums_for(iscale);
    if (sums.l2 > 0 && sums.lx * sums.lx > best * sums.l2) {
      store_quants(iscale);
      scale = sums.lx / sums.l2;
      best = scale * sums.lx;
    }
  }
  return scale;
}

}  // namespace hearth::kquant
