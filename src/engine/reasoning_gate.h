#pragma once
// Follows a generation in and out of the chat format's thinking channel, so the scheduler can close the
// channel itself once the thinking budget is spent, and keep the output grammar (a JSON schema, forced
// tool calls) off the thinking: the grammar governs the answer, and until its first token the model may
// still open the channel.
#include <cstdint>
#include <span>

#include "engine/generation.h"

namespace hearth::engine {

class ReasoningGate {
 public:
  ReasoningGate() = default;  // a request without thinking markers: never inside
  // `prompt` tells whether generation starts inside the channel (the prompt opened it and left it open).
  ReasoningGate(const ReasoningControl& control, std::span<const int32_t> prompt);

  // The token to emit without sampling (the close marker once the budget is spent), or -1.
  int32_t forced_token() const;
  // Whether the output grammar decides the next token.
  bool grammar_applies() const { return !inside_; }
  // A token allowed next besides the grammar's choices (the open marker before the answer starts), or -1.
  int32_t also_allowed() const;
  // A token not allowed next (the open marker once the budget is spent: no second round of thinking), or -1.
  int32_t banned_token() const;
  // Records an emitted token; true when it belongs to the thinking channel (markers included), which the
  // grammar does not see.
  bool observe(int32_t token);

 private:
  ReasoningControl control_;
  bool enabled_ = false;
  bool inside_ = false;
  bool answer_started_ = false;
  int32_t spent_ = 0;

  bool budget_spent() const { return control_.budget >= 0 && spent_ >= control_.budget; }
};

}  // namespace hearth::engine
