#pragma once
// `pull`: fetches a model into hearth's store, either from an Ollama-compatible registry (manifest, then each
// blob, resumable, SHA-256 verified before it is renamed into place) or from a plain http(s) URL of a GGUF
// file, stored as a model. Progress follows Ollama's pull stream: "pulling manifest", "pulling <digest>"
// with total/completed, "verifying sha256 digest", "writing manifest", "success".
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/model_store.h"
#include "store/progress.h"

namespace hearth::store {

struct PullOptions {
  bool insecure = false;   // allow plain http to hosts other than loopback
  std::string name;        // URL pulls: the name to store the model under (default: from the file name)
  ProgressCallback progress;
};

bool is_url(std::string_view text);

// Returns the display name of the pulled model.
Result<std::string> pull(ModelStore& store, std::string_view name_or_url, const PullOptions& options);

}  // namespace hearth::store
