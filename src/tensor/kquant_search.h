#pragma once
// The per-sub-block scale searches of ggml's K-quant reference quantizers. They decide every quant, so they
// reproduce ggml's float operations in the same order: that is what lets `hearth quantize` write the same
// bytes as llama-quantize.
#include <cstdint>

namespace hearth::kquant {

// Values of a sub-block below this magnitude count as all zero.
inline constexpr float kGroupMaxEps = 1e-15f;

// Round to nearest with ties to even, through the float mantissa as ggml does (exact for |x| < 2^22; larger
// inputs give ggml's same meaningless but well-defined result).
int nearest_int(float x);

// How fit_scale_and_min explores scales: nstep+1 candidates iscale = (rmin + rdelta*i + nmax) / (max - min),
// scored by weighted squared error or, with use_mad, weighted absolute error.
struct ScaleSweep {
  float rmin;
  float rdelta;
  int nstep;
  bool use_mad;
};

// Fits x[i] ≈ scale * q[i] - min with q in [0, nmax] and min >= 0 (ggml make_qkx2_quants). Writes the quants
// and min; returns scale (0 with all quants 0 when the sub-block is constant).
float fit_scale_and_min(int n, int nmax, const float* x, const float* weights, const ScaleSweep& sweep,
                        uint8_t* quants, float* min);

// Fits x[i] ≈ scale * (q[i] - nmax) with q in [0, 2*nmax), starting from the largest-magnitude element and then
// moving single quants while the x²-weighted error drops (ggml make_q3_quants with do_rmse). Returns scale.
float fit_signed_scale_refined(int n, int nmax, const float* x, int8_t* quants);

// Same fit, choosing the best of 19 scales around -nmax/max under x² weights (ggml make_qx_quants with
// rmse_type 1 and no importance weights). Returns scale.
float fit_signed_scale_swept(int n, int nmax, const float* x, int8_t* quants);

}  // namespace hearth::kquant
