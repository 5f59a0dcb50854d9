#include "engine/reasoning_gate.h"

#include <algorithm>

namespace hearth::engine {

ReasoningGate::ReasoningGate(const ReasoningControl& control, std::span<const int32_t> prompt)
    : control_(control), enabled_(control.open >= 0 && control.close >= 0) {
  if (!enabled_) return;
  const auto last_open = std::find(prompt.rbegin(), prompt.rend(), control.open);
  const auto last_close = std::find(prompt.rbegin(), prompt.rend(), control.close);
  inside_ = last_open != prompt.rend() && last_open < last_close;  // reverse iterators: smaller is later
}

int32_t ReasoningGate::forced_token() const { return inside_ && budget_spent() ? control_.close : -1; }

int32_t ReasoningGate::also_allowed() const {
  return enabled_ && !inside_ && !answer_started_ && !budget_spent() ? control_.open : -1;
}

int32_t ReasoningGate::banned_token() const { return enabled_ && !inside_ && budget_spent() ? control_.open : -1; }

bool ReasoningGate::observe(int32_t token) {
  if (!enabled_) return false;
  if (inside_) {
    if (token == control_.close) {
      inside_ = false;
    } else {
      ++spent_;
    }
    return true;
  }
  if (token == control_.open && !answer_started_ && !budget_spent()) {
    inside_ = true;
    return true;
  }
  answer_started_ = true;
  return false;
}

}  // namespace hearth::engine
