#include "chat/gemma4_parser.h"

#include <algorithm>
#include <array>
#include <utility>

#include "chat/gemma4_markers.h"
#include "chat/gemma4_tool_call.h"

namespace hearth::chat::gemma4 {
namespace {

// The start of generation may echo the generation prompt.
constexpr std::string_view kModelTurnEcho = "<|turn>model\n";
constexpr std::string_view kThoughtChannel = "thought";

enum class MarkerAction { open_thinking, open_tool_call, close_thinking, drop };

struct Marker {
  std::string_view text;
  MarkerAction action;
};

// End-of-turn and stray closing markers are model noise once the engine has stopped at them (or failed to).
constexpr std::array kContentMarkers = {
    Marker{kChannelOpen, MarkerAction::open_thinking},
    Marker{kToolCallOpen, MarkerAction::open_tool_call},
    Marker{kChannelClose, MarkerAction::drop},
    Marker{kToolCallClose, MarkerAction::drop},
    Marker{kToolResponseOpen, MarkerAction::drop},
    Marker{kToolResponseClose, MarkerAction::drop},
    Marker{kTurnClose, MarkerAction::drop},
    Marker{kModelTurnEcho, MarkerAction::drop},
};

// A tool call inside an unclosed thought ends the thought.
constexpr std::array kThinkingMarkers = {
    Marker{kChannelClose, MarkerAction::close_thinking},
    Marker{kToolCallOpen, MarkerAction::open_tool_call},
    Marker{kChannelOpen, MarkerAction::drop},
    Marker{kToolResponseOpen, MarkerAction::drop},
    Marker{kTurnClose, MarkerAction::drop},
};

// A call's text ends at its close marker, or, when the model forgot it, where the next call or the end of
// the turn begins (those are left for the text state to handle).
constexpr std::array kToolCallEnds = {kToolCallClose, kToolCallOpen, kToolResponseOpen, kTurnClose};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view rtrim(std::string_view text) {
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

struct Found {
  size_t at = std::string_view::npos;
  const Marker* marker = nullptr;
};

template <size_t N>
Found find_first(std::string_view text, const std::array<Marker, N>& markers) {
  Found found;
  for (const Marker& marker : markers) {
    const size_t at = text.find(marker.text);
    if (at < found.at) found = {at, &marker};
  }
  return found;
}

// Where the text stops being safe to emit: a suffix that could still grow into a marker (none is longer than
// <|tool_response>), together with the whitespace before it, is held back (whitespace before a marker is
// trimmed, so it is never emitted early).
template <size_t N>
size_t safe_length(std::string_view text, const std::array<Marker, N>& markers) {
  size_t end = text.size();
  for (size_t start = text.size(); start-- > 0 && text.size() - start < kToolResponseOpen.size();) {
    const std::string_view tail = text.substr(start);
    for (const Marker& marker : markers) {
      if (marker.text.starts_with(tail)) end = start;
    }
  }
  while (end > 0 && is_space(text[end - 1])) --end;
  return end;
}

}  // namespace

std::vector<ChatEvent> OutputParser::feed(std::string_view piece) {
  buffer_ += piece;
  while (step(false)) {
  }
  return take_events();
}

std::vector<ChatEvent> OutputParser::finish() {
  while (step(true)) {
  }
  return take_events();
}

std::vector<ChatEvent> OutputParser::take_events() { return std::exchange(events_, {}); }

void OutputParser::emit_text(ChatEvent::Type type, std::string_view text) {
  if (text.empty()) return;
  if (!events_.empty() && events_.back().type == type) {
    events_.back().text += text;
    return;
  }
  ChatEvent event;
  event.type = type;
  event.text = std::string(text);
  events_.push_back(std::move(event));
}

void OutputParser::enter(State state, bool trim_leading) {
  state_ = state;
  trim_leading_ = trim_leading;
  tool_call_scanned_ = 0;
}

bool OutputParser::step(bool final) {
  if (trim_leading_ && state_ != State::tool_call) {
    size_t spaces = 0;
    while (spaces < buffer_.size() && is_space(buffer_[spaces])) ++spaces;
    buffer_.erase(0, spaces);
    if (buffer_.empty()) return false;
    trim_leading_ = false;
  }
  switch (state_) {
    case State::content:
    case State::thinking: return step_text(final);
    case State::thinking_header: return step_thinking_header(final);
    case State::tool_call: return step_tool_call(final);
  }
  return false;
}

bool OutputParser::step_text(bool final) {
  const bool thinking = state_ == State::thinking;
  const ChatEvent::Type type = thinking ? ChatEvent::Type::thinking : ChatEvent::Type::content;
  const Found found = thinking ? find_first(buffer_, kThinkingMarkers) : find_first(buffer_, kContentMarkers);
  if (!found.marker) {
    const size_t length = final      ? buffer_.size()
                          : thinking ? safe_length(buffer_, kThinkingMarkers)
                                     : safe_length(buffer_, kContentMarkers);
    emit_text(type, std::string_view(buffer_).substr(0, length));
    buffer_.erase(0, length);
    return false;
  }

  const std::string_view before = std::string_view(buffer_).substr(0, found.at);
  switch (found.marker->action) {
    case MarkerAction::drop: emit_text(type, before); break;
    case MarkerAction::open_thinking:
      emit_text(type, rtrim(before));
      enter(State::thinking_header, false);
      break;
    case MarkerAction::open_tool_call:
      emit_text(type, rtrim(before));
      enter(State::tool_call, false);
      break;
    case MarkerAction::close_thinking:
      emit_text(type, rtrim(before));
      enter(State::content, true);
      break;
  }
  buffer_.erase(0, found.at + found.marker->text.size());
  return true;
}

// Right after <|channel>: drop the channel name "thought" (and repeated <|channel> tokens) before the text.
bool OutputParser::step_thinking_header(bool final) {
  if (buffer_.starts_with(kChannelOpen)) {
    buffer_.erase(0, kChannelOpen.size());
    return true;
  }
  const bool may_grow = kChannelOpen.starts_with(buffer_) || kThoughtChannel.starts_with(buffer_);
  if (may_grow && !final) return false;
  const size_t name_length = kThoughtChannel.size();
  const bool named_thought =
      buffer_.starts_with(kThoughtChannel) && buffer_.size() > name_length && is_space(buffer_[name_length]);
  if (named_thought || (final && kThoughtChannel.starts_with(buffer_))) {
    buffer_.erase(0, std::min(buffer_.size(), name_length));
  }
  enter(State::thinking, true);
  return true;
}

void OutputParser::report_tool_call(std::string_view body, bool closed) {
  if (auto call = parse_tool_call(body)) {
    ChatEvent event;
    event.type = ChatEvent::Type::tool_call;
    event.tool_call = std::move(*call);
    events_.push_back(std::move(event));
    return;
  }
  std::string raw = std::string(kToolCallOpen) + std::string(body);
  if (closed) raw += kToolCallClose;
  emit_text(ChatEvent::Type::content, raw);
}

bool OutputParser::step_tool_call(bool final) {
  size_t end = std::string_view::npos;
  std::string_view end_marker;
  const size_t longest_end = kToolResponseOpen.size();
  const size_t search_from = tool_call_scanned_ > longest_end ? tool_call_scanned_ - longest_end : 0;
  for (const std::string_view marker : kToolCallEnds) {
    const size_t at = buffer_.find(marker, search_from);
    if (at < end) {
      end = at;
      end_marker = marker;
    }
  }
  if (end == std::string_view::npos && !final) {
    tool_call_scanned_ = buffer_.size();
    return false;
  }

  const bool closed = end_marker == kToolCallClose;
  const std::string_view body = std::string_view(buffer_).substr(0, end);
  if (!rtrim(body).empty()) report_tool_call(body, closed);  // an empty call carries nothing worth showing
  buffer_.erase(0, end == std::string_view::npos ? buffer_.size() : end + (closed ? end_marker.size() : 0));
  enter(State::content, true);
  return !buffer_.empty();
}

}  // namespace hearth::chat::gemma4
