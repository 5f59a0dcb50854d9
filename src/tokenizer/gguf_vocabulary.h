#pragma once
// Reads `tokenizer.ggml.*` metadata (spec/tokenizers.md §1-2, gguf.md §10.5) into a Vocabulary.
#include "core/result.h"
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocabulary.h"

namespace hearth::tokenizer {

// Supported: `gemma4`, Ollama's `llama` + pre `gemma4`, and `gpt2` with a pre string of the Llama3, Qwen2,
// Qwen35 or GPT-4o families. Other models and pre strings are errors that name them.
Result<Vocabulary> vocabulary_from_gguf(const gguf::GgufFile& file);

Result<Tokenizer> tokenizer_from_gguf(const gguf::GgufFile& file);

}  // namespace hearth::tokenizer
