#pragma once
// The stages of the Gemma 4 audio encoder (spec/gemma4.md §6.3–6.7) on one chunk of T time steps. mb carries
// the op context, numerics, eps = 1e-6 and positions 0..T−1.
#include "media/mel_spectrogram.h"
#include "models/gemma4/audio_config.h"
#include "models/gemma4/audio_weights.h"
#include "models/gemma4/micro_batch.h"

namespace hearth::models::gemma4 {

// §5.5: clamp the input, multiply, clamp the output.
Rows clippable_linear(const MicroBatch& mb, const ClippableLinear& linear, Rows x);

// §6.3: log-mel [n_mel][n_frames] → [T, n_embd].
Rows subsample(const MicroBatch& mb, const AudioConfig& config, const AudioWeights& w, const media::LogMel& mel);

// §6.5 step 3: the sinusoidal rows pe(δ), δ = 0..max_past, [max_past + 1, n_embd].
Rows relative_position_table(const AudioConfig& config);

// §6.4: one conformer block on x [T, n_embd]; mb.positions holds 0..T−1.
Rows conformer_block(const MicroBatch& mb, const AudioConfig& config, const AudioBlockWeights& w,
                     const Rows& relative_positions, const Rows& x);

// §6.7: [T, n_embd] → soft tokens [T, n_embd_text].
Rows embed_for_text(const MicroBatch& mb, const AudioConfig& config, const AudioWeights& w, const Rows& x);

}  // namespace hearth::models::gemma4
