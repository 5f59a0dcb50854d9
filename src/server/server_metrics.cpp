#include "server/server_metrics.h"

#include <sstream>

namespace hearth::server {

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  std::lock_guard lock(mutex_);
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  ++counts_[bucket];
  sum_ += value;
  ++count_;
}

std::string Histogram::render(const std::string& name, const std::string& help) const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out << name << "_bucket{le=\"" << bounds_[i] << "\"} " << cumulative << '\n';
  }
  out << name << "_bucket{le=\"+Inf\"} " << count_ << '\n';
  out << name << "_sum " << sum_ << '\n' << name << "_count " << count_ << '\n';
  return out.str();
}

void ServerMetrics::record(const engine::GenerationResult& result) {
  prompt_tokens += static_cast<uint64_t>(result.prompt_tokens);
  cached_prompt_tokens += static_cast<uint64_t>(result.cached_prompt_tokens);
  generated_tokens += static_cast<uint64_t>(result.generated_tokens);
  time_to_first_token.observe(result.queue_seconds + result.prompt_seconds);
  if (result.generated_tokens > 1) time_per_token.observe(result.generation_seconds / static_cast<double>(result.generated_tokens - 1));
}

}  // namespace hearth::server
