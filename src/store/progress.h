#pragma once
// Progress of a store operation, shaped like the lines of Ollama's /api/pull and /api/create streams:
// {status, digest?, total?, completed?}.
#include <cstdint>
#include <functional>
#include <string>

namespace hearth::store {

struct Progress {
  std::string status;  // "pulling manifest", "pulling 8934d96d3f08", "verifying sha256 digest", "success", ...
  std::string digest;  // the blob being transferred, "" when the step has none
  uint64_t total = 0;  // bytes; 0 when the step has no size
  uint64_t completed = 0;
};

// Called for every step and repeatedly while bytes move; returning false cancels the operation.
using ProgressCallback = std::function<bool(const Progress&)>;

}  // namespace hearth::store
