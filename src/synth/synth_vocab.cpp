#include "synth/synth_vocab.h"

#include <array>
#include <cstdio>
#include <optional>
#include <string_view>

namespace hearth::synth {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581, what the gemma4 tokenizer turns ' ' into
constexpr int kMaxWhitespaceRun = 31;

struct FixedToken {
  uint32_t id;
  std::string_view text;
  TokenType type;
};

// Ids and types of a real Gemma 4 vocabulary (spec/tokenizers.md, fixtures/vocab/ggml-vocab-gemma-4.gguf).
constexpr std::array<FixedToken, 24> kRealSpecials = {{
    {0, "<pad>", TokenType::Control},
    {1, "<eos>", TokenType::Control},
    {2, "<bos>", TokenType::Control},
    {3, "<unk>", TokenType::Control},
    {4, "<mask>", TokenType::Control},
    {5, "[multimodal]", TokenType::Normal},
    {46, "<|tool>", TokenType::Control},
    {47, "<tool|>", TokenType::Control},
    {48, "<|tool_call>", TokenType::UserDefined},
    {49, "<tool_call|>", TokenType::UserDefined},
    {50, "<|tool_response>", TokenType::UserDefined},
    {51, "<tool_response|>", TokenType::UserDefined},
    {52, "<|\"|>", TokenType::UserDefined},
    {98, "<|think|>", TokenType::Control},
    {100, "<|channel>", TokenType::UserDefined},
    {101, "<channel|>", TokenType::UserDefined},
    {105, "<|turn>", TokenType::Control},
    {106, "<turn|>", TokenType::Control},
    {255999, "<|image>", TokenType::Control},
    {256000, "<|audio>", TokenType::Control},
    {258880, "<|image|>", TokenType::Control},
    {258881, "<|audio|>", TokenType::Control},
    {258882, "<image|>", TokenType::Control},
    {258883, "<audio|>", TokenType::Control},
}};
constexpr FixedToken kRealVideo = {258884, "<|video|>", TokenType::Control};
constexpr uint32_t kRealLayoutMinVocab = 258885;
constexpr uint32_t kRealWhitespaceRunsId = 107;  // "\n" x1..31 then U+2581 x2..31
constexpr uint32_t kRealReservedEnd = 238;       // ids below this that hold no special token are reserved
constexpr uint32_t kRealBytesId = 238;
constexpr uint32_t kRealTailReservedId = 256001;

// The special tokens of the tiny fixtures, in their order (ids 0..22).
constexpr std::array<FixedToken, 23> kCompactSpecials = {{
    {0, "<pad>", TokenType::Control},
    {1, "<eos>", TokenType::Control},
    {2, "<bos>", TokenType::Control},
    {3, "<unk>", TokenType::Unknown},
    {4, "<mask>", TokenType::Control},
    {5, "[multimodal]", TokenType::Control},
    {6, "<|turn>", TokenType::Control},
    {7, "<turn|>", TokenType::Control},
    {8, "<|think|>", TokenType::Control},
    {9, "<|image>", TokenType::Control},
    {10, "<image|>", TokenType::Control},
    {11, "<|image|>", TokenType::Control},
    {12, "<|audio>", TokenType::Control},
    {13, "<audio|>", TokenType::Control},
    {14, "<|audio|>", TokenType::Control},
    {15, "<|video|>", TokenType::Control},
    {16, "<|channel>", TokenType::UserDefined},
    {17, "<channel|>", TokenType::UserDefined},
    {18, "<|tool_call>", TokenType::UserDefined},
    {19, "<tool_call|>", TokenType::UserDefined},
    {20, "<|tool_response>", TokenType::UserDefined},
    {21, "<tool_response|>", TokenType::UserDefined},
    {22, "<|\"|>", TokenType::UserDefined},
}};

std::string repeat(std::string_view piece, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += piece;
  return out;
}

std::string byte_token(int byte) {
  char text[8];
  std::snprintf(text, sizeof text, "<0x%02X>", byte);
  return text;
}

// Letters a..z spelling n in length-then-lexicographic order over words of at least three letters, so the
// words never collide with the one- and two-letter pieces.
std::string pseudo_word(uint64_t n) {
  size_t length = 3;
  uint64_t count = 26 * 26 * 26;
  while (n >= count) {
    n -= count;
    count *= 26;
    ++length;
  }
  std::string word(length, 'a');
  for (size_t i = length; i-- > 0;) {
    word[i] = static_cast<char>('a' + n % 26);
    n /= 26;
  }
  return word;
}

// Fills ids in ascending order, skipping the ones already taken, and records the merge that builds each
// multi-symbol piece so the merges list only names pieces that made it into the vocabulary.
class VocabFiller {
 public:
  explicit VocabFiller(SynthVocab& vocab) : vocab_(vocab) {}

  void place(uint32_t id, std::string text, TokenType type) {
    if (id >= vocab_.tokens.size()) return;
    vocab_.tokens[id] = std::move(text);
    vocab_.types[id] = type;
    taken_[id] = true;
  }

  bool full() {
    skip_taken();
    return next_ >= vocab_.tokens.size();
  }

  // Appends at the next free id; `merge` is the "left right" pair producing the piece, empty for none.
  void append(std::string text, std::string merge = {}) {
    if (full()) return;
    place(next_, std::move(text), TokenType::Normal);
    if (!merge.empty()) vocab_.merges.push_back(std::move(merge));
  }

 private:
  void skip_taken() {
    while (next_ < vocab_.tokens.size() && taken_[next_]) ++next_;
  }

  SynthVocab& vocab_;
  std::vector<bool> taken_ = std::vector<bool>(vocab_.tokens.size(), false);
  uint32_t next_ = 0;
};

void append_whitespace_runs(VocabFiller& filler) {
  for (int n = 1; n <= kMaxWhitespaceRun; ++n) {
    filler.append(repeat("\n", n), n > 1 ? repeat("\n", n - 1) + " \n" : std::string{});
  }
  // A single U+2581 comes with the plain characters; the runs here are merged onto it.
  for (int n = 2; n <= kMaxWhitespaceRun; ++n) {
    filler.append(repeat(kSpaceMark, n), repeat(kSpaceMark, n - 1) + " " + std::string(kSpaceMark));
  }
}

// Single characters, space-prefixed letters and letter pairs (reachable through merges), then unique
// space-prefixed pseudo-words until the vocabulary is full.
void append_filler(VocabFiller& filler) {
  filler.append(std::string(kSpaceMark));
  for (char c = '!'; c <= '~'; ++c) filler.append(std::string(1, c));
  for (char c = 'a'; c <= 'z'; ++c) {
    filler.append(std::string(kSpaceMark) + c, std::string(kSpaceMark) + " " + c);
  }
  for (char a = 'a'; a <= 'z'; ++a) {
    for (char b = 'a'; b <= 'z'; ++b) filler.append(std::string{a, b}, std::string{a, ' ', b});
  }
  for (uint64_t n = 0; !filler.full(); ++n) filler.append(std::string(kSpaceMark) + pseudo_word(n));
}

void build_real_layout(SynthVocab& vocab, VocabFiller& filler) {
  for (const FixedToken& token : kRealSpecials) filler.place(token.id, std::string(token.text), token.type);
  filler.place(kRealVideo.id, std::string(kRealVideo.text), kRealVideo.type);
  for (int byte = 0; byte < 256; ++byte) filler.place(kRealBytesId + byte, byte_token(byte), TokenType::Byte);

  uint32_t reserved_count = 0;
  const auto reserve = [&](uint32_t id) {
    if (vocab.tokens[id].empty()) filler.place(id, "<unused" + std::to_string(reserved_count++) + ">", TokenType::Normal);
  };
  // The whitespace runs take their real ids 107..167, so reserve only around them first.
  for (uint32_t id = 6; id < kRealWhitespaceRunsId; ++id) reserve(id);
  append_whitespace_runs(filler);
  for (uint32_t id = kRealWhitespaceRunsId; id < kRealReservedEnd; ++id) reserve(id);
  for (uint32_t id = kRealTailReservedId; id < vocab.tokens.size(); ++id) reserve(id);
  append_filler(filler);
}

void build_compact_layout(VocabFiller& filler) {
  for (const FixedToken& token : kCompactSpecials) filler.place(token.id, std::string(token.text), token.type);
  const uint32_t bytes_id = static_cast<uint32_t>(kCompactSpecials.size());
  for (int byte = 0; byte < 256; ++byte) filler.place(bytes_id + byte, byte_token(byte), TokenType::Byte);
  append_whitespace_runs(filler);
  append_filler(filler);
}

}  // namespace

SynthVocab build_synth_vocab(uint32_t n_vocab) {
  SynthVocab vocab;
  vocab.tokens.resize(n_vocab);
  vocab.types.resize(n_vocab, TokenType::Normal);
  vocab.bos_id = 2;
  vocab.eos_id = 1;
  vocab.unknown_id = 3;
  vocab.padding_id = 0;
  vocab.mask_id = 4;
  VocabFiller filler(vocab);
  if (n_vocab >= kRealLayoutMinVocab) {
    build_real_layout(vocab, filler);
  } else {
    build_compact_layout(filler);
  }
  return vocab;
}

}  // namespace hearth::synth
