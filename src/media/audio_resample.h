#pragma once
// Sample-rate conversion of mono float audio with soxr at its high-quality setting (band-limited, linear
// phase), fed block by block so that a long file never needs its source-rate copy in memory.
#include <memory>
#include <span>
#include <vector>

#include "core/result.h"

namespace hearth::media {

class StreamResampler {
 public:
  // Equal rates pass samples through unchanged.
  static Result<StreamResampler> create(double input_rate, double output_rate);
  StreamResampler(StreamResampler&&) noexcept;
  StreamResampler& operator=(StreamResampler&&) noexcept;
  ~StreamResampler();

  // Appends the output that `input` makes available to `output`.
  Status push(std::span<const float> input, std::vector<float>& output);
  // Appends what the filter still holds; call once, after the last push.
  Status finish(std::vector<float>& output);

 private:
  struct State;
  explicit StreamResampler(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The whole signal at once.
Result<std::vector<float>> resample_mono(std::span<const float> input, double input_rate, double output_rate);

}  // namespace hearth::media
