#include "media/audio_resample.h"

#include <soxr.h>

#include <cmath>

namespace hearth::media {

struct StreamResampler::State {
  soxr_t soxr = nullptr;  // null: equal rates, pass-through
  double ratio = 1.0;     // output samples per input sample
  ~State() {
    if (soxr) soxr_delete(soxr);
  }
};

StreamResampler::StreamResampler(std::unique_ptr<State> state) : state_(std::move(state)) {}
StreamResampler::StreamResampler(StreamResampler&&) noexcept = default;
StreamResampler& StreamResampler::operator=(StreamResampler&&) noexcept = default;
StreamResampler::~StreamResampler() = default;

Result<StreamResampler> StreamResampler::create(double input_rate, double output_rate) {
  if (!(input_rate > 0.0) || !(output_rate > 0.0) || !std::isfinite(input_rate) || !std::isfinite(output_rate)) {
    return make_error("cannot resample from ", input_rate, " Hz to ", output_rate, " Hz");
  }
  auto state = std::make_unique<State>();
  state->ratio = output_rate / input_rate;
  if (input_rate != output_rate) {
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    soxr_error_t error = nullptr;
    state->soxr = soxr_create(input_rate, output_rate, 1, &error, &io, &quality, nullptr);
    if (error || !state->soxr) return make_error("resampler: ", soxr_strerror(error));
  }
  return StreamResampler(std::move(state));
}

Status StreamResampler::push(std::span<const float> input, std::vector<float>& output) {
  if (!state_->soxr) {
    output.insert(output.end(), input.begin(), input.end());
    return Status::success();
  }
  // soxr takes input only while it has room for the output; grow the room until every sample is taken.
  size_t taken = 0;
  while (taken < input.size()) {
    const size_t room = static_cast<size_t>(std::ceil((input.size() - taken) * state_->ratio)) + 64;
    const size_t start = output.size();
    output.resize(start + room);
    size_t used = 0, produced = 0;
    soxr_error_t error = soxr_process(state_->soxr, input.data() + taken, input.size() - taken, &used,
                                      output.data() + start, room, &produced);
    output.resize(start + produced);
    if (error) return make_error("resampler: ", soxr_strerror(error));
    if (used == 0 && produced == 0) return make_error("resampler: no progress");
    taken += used;
  }
  return Status::success();
}

Status StreamResampler::finish(std::vector<float>& output) {
  if (!state_->soxr) return Status::success();
  constexpr size_t kBlock = 4096;
  for (;;) {
    const size_t start = output.size();
    output.resize(start + kBlock);
    size_t produced = 0;
    soxr_error_t error = soxr_process(state_->soxr, nullptr, 0, nullptr, output.data() + start, kBlock, &produced);
    output.resize(start + produced);
    if (error) return make_error("resampler: ", soxr_strerror(error));
    if (produced == 0) return Status::success();
  }
}

Result<std::vector<float>> resample_mono(std::span<const float> input, double input_rate, double output_rate) {
  Result<StreamResampler> resampler = StreamResampler::create(input_rate, output_rate);
  if (!resampler) return std::move(resampler).take_error();
  std::vector<float> output;
  output.reserve(static_cast<size_t>(std::ceil(input.size() * (output_rate / input_rate))) + 64);
  if (Status pushed = resampler->push(input, output); !pushed) return Error{pushed.error()};
  if (Status finished = resampler->finish(output); !finished) return Error{finished.error()};
  return output;
}

}  // namespace hearth::media
