#include "engine/scheduler.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>

#include "engine/reasoning_gate.h"
#include "engine/sampling_sampler.h"
#include "engine/sampling_stop.h"
#include "tokenizer/stream_decoder.h"

namespace hearth::engine {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Keeps the first num_keep tokens and the newest ones so that `limit` remain (Ollama's truncation).
int64_t truncate_prompt(Prompt& prompt, int64_t limit, int32_t num_keep, int64_t n_embd) {
  const auto size = static_cast<int64_t>(prompt.tokens.size());
  if (size <= limit) return 0;
  const int64_t keep = std::clamp<int64_t>(num_keep, 0, limit - 1);
  const int64_t dropped = size - limit;
  prompt.tokens.erase(prompt.tokens.begin() + keep, prompt.tokens.begin() + keep + dropped);
  std::vector<int32_t> indices;
  std::vector<float> rows;
  for (size_t i = 0; i < prompt.embedding_indices.size(); ++i) {
    const int32_t index = prompt.embedding_indices[i];
    if (index >= keep && index < keep + dropped) continue;
    indices.push_back(static_cast<int32_t>(index < keep ? index : index - dropped));
    const float* row = prompt.embeddings.data() + i * n_embd;
    rows.insert(rows.end(), row, row + n_embd);
  }
  prompt.embedding_indices = std::move(indices);
  prompt.embeddings = std::move(rows);
  std::vector<std::pair<int32_t, int32_t>> spans;
  for (const auto& [begin, end] : prompt.bidirectional_spans) {
    if (end <= keep) spans.push_back({begin, end});
    if (begin >= keep + dropped) spans.push_back({static_cast<int32_t>(begin - dropped), static_cast<int32_t>(end - dropped)});
  }
  prompt.bidirectional_spans = std::move(spans);
  return dropped;
}

// Prompt tokens [next, next + length) to evaluate now, shortened or lengthened so that no bidirectional
// span is cut between two forward passes.
int64_t chunk_length(const Prompt& prompt, int64_t next, int64_t length) {
  const int64_t end = next + length;
  for (const auto& [begin, span_end] : prompt.bidirectional_spans) {
    if (begin < end && end < span_end) return begin > next ? begin - next : span_end - next;
  }
  return length;
}

}  // namespace

struct Scheduler::Active {
  RequestId id = 0;
  GenerationRequest request;
  Sampler sampler;
  StopMatcher stop;
  tokenizer::StreamDecoder decoder;
  GenerationResult result;
  int64_t limit = 0;  // context positions this request may use
  std::vector<float> masked{};  // logits after the output grammar's mask
  ReasoningGate reasoning{};
  Clock::time_point queued_at = Clock::now();
};

struct Scheduler::Slot {
  int32_t seq = 0;
  std::unique_ptr<Active> active;
  // What the cache holds for this sequence, for prefix reuse: the evaluated tokens and, for soft-token
  // positions, their embedding rows.
  std::vector<int32_t> history;
  std::vector<std::optional<std::vector<float>>> history_embeddings;
  int64_t prompt_next = 0;      // next prompt index to evaluate
  int32_t pending_token = -1;   // sampled, to be fed next step
  uint64_t last_used = 0;

  bool prefilling() const { return active && prompt_next < static_cast<int64_t>(active->request.prompt.tokens.size()); }
};

namespace {

// One cache shared by every slot: n_ctx cells per sequence (llama.cpp's unified cache).
cache::KvCacheOptions cache_options(const SchedulerOptions& options) {
  return {options.kv_format, options.n_parallel * options.n_ctx, options.n_parallel, options.n_ubatch};
}

}  // namespace

uint64_t scheduler_cache_bytes(const models::TextModel& model, const SchedulerOptions& options) {
  const std::vector<cache::KvSlotSpec> slots = model.kv_slots();
  return cache::kv_cache_bytes(slots, cache_options(options));
}

Scheduler::Scheduler(std::shared_ptr<const LoadedModel> model, SchedulerOptions options)
    : model_(std::move(model)),
      options_(options),
      cache_(model_->model->kv_slots(), cache_options(options)),
      slots_(static_cast<size_t>(cache_.n_seq_max())) {
  options_.n_parallel = cache_.n_seq_max();
  for (size_t i = 0; i < slots_.size(); ++i) slots_[i].seq = static_cast<int32_t>(i);
  thread_ = std::thread([this] { run(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Result<RequestId> Scheduler::submit(GenerationRequest request) {
  const int64_t n_vocab = model_->model->n_vocab();
  const int64_t n_embd = model_->model->n_embd();
  Prompt& prompt = request.prompt;
  if (prompt.tokens.empty()) return make_error("the prompt is empty");
  for (int32_t token : prompt.tokens) {
    if (token < 0 || token >= n_vocab) return make_error("prompt token ", token, " is outside the vocabulary");
  }
  if (prompt.embeddings.size() != prompt.embedding_indices.size() * static_cast<size_t>(n_embd)) {
    return make_error("soft-token rows must have ", n_embd, " values each");
  }
  for (size_t i = 0; i < prompt.embedding_indices.size(); ++i) {
    const int32_t index = prompt.embedding_indices[i];
    if (index < 0 || index >= static_cast<int64_t>(prompt.tokens.size()) || (i > 0 && index <= prompt.embedding_indices[i - 1])) {
      return make_error("soft-token positions must be increasing and inside the prompt");
    }
  }
  for (size_t i = 0; i < prompt.bidirectional_spans.size(); ++i) {
    const auto [begin, end] = prompt.bidirectional_spans[i];
    if (begin < 0 || end <= begin || end > static_cast<int64_t>(prompt.tokens.size()) ||
        (i > 0 && begin < prompt.bidirectional_spans[i - 1].second)) {
      return make_error("bidirectional spans must be increasing, non-empty and inside the prompt");
    }
    if (end - begin > options_.n_ubatch || end - begin > options_.n_batch) {
      return make_error("an image of ", end - begin, " soft tokens does not fit one batch of ", std::min(options_.n_ubatch, options_.n_batch));
    }
  }
  const int64_t limit = request.num_ctx > 0 ? std::min(request.num_ctx, options_.n_ctx) : options_.n_ctx;
  if (static_cast<int64_t>(prompt.tokens.size()) > limit && request.overflow == ContextOverflow::error) {
    return make_error("the input length (", prompt.tokens.size(), " tokens) exceeds the context length (", limit, " tokens)");
  }
  Result<Sampler> sampler = Sampler::create(request.sampling, static_cast<size_t>(n_vocab));
  if (!sampler) return make_error(sampler.error());

  auto active = std::unique_ptr<Active>(new Active{0, std::move(request), std::move(*sampler), StopMatcher({}),
                                                   tokenizer::StreamDecoder(model_->tokenizer, false), {}, limit});
  active->stop = StopMatcher(active->request.sampling.stop);
  active->result.truncated_tokens = truncate_prompt(active->request.prompt, limit, active->request.num_keep, n_embd);
  active->result.prompt_tokens = static_cast<int64_t>(active->request.prompt.tokens.size());
  active->result.seed = active->sampler.seed();
  if (active->request.reasoning) active->reasoning = ReasoningGate(*active->request.reasoning, active->request.prompt.tokens);

  std::lock_guard lock(mutex_);
  if (stopping_) return make_error("the model is being unloaded");
  if (waiting_.size() >= options_.max_queue) return make_error("server busy: the request queue is full");
  active->id = next_id_++;
  const RequestId id = active->id;
  waiting_.push_back(std::move(active));
  wake_.notify_all();
  return id;
}

void Scheduler::cancel(RequestId id) {
  std::lock_guard lock(mutex_);
  cancelled_.push_back(id);
  wake_.notify_all();
}

Scheduler::Load Scheduler::load() const {
  std::lock_guard lock(mutex_);
  Load load;
  load.queued = waiting_.size();
  load.slots = slots_.size();
  for (const Slot& slot : slots_) load.busy_slots += slot.active ? 1 : 0;
  return load;
}

void Scheduler::run() {
  uint64_t clock = 0;
  while (true) {
    std::vector<std::unique_ptr<Active>> dropped;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] {
        const bool busy = std::any_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.active != nullptr; });
        return stopping_ || busy || !waiting_.empty() || !cancelled_.empty();
      });
      if (stopping_) {
        for (auto& active : waiting_) dropped.push_back(std::move(active));
        waiting_.clear();
      }
      for (RequestId id : cancelled_) {
        auto it = std::find_if(waiting_.begin(), waiting_.end(), [&](const auto& a) { return a->id == id; });
        if (it != waiting_.end()) {
          dropped.push_back(std::move(*it));
          waiting_.erase(it);
        }
      }
      const std::vector<RequestId> cancelled = std::move(cancelled_);
      cancelled_.clear();
      for (Slot& slot : slots_) {
        if (!slot.active) continue;
        const bool hit = std::find(cancelled.begin(), cancelled.end(), slot.active->id) != cancelled.end();
        if (hit || stopping_) slot.active->result.reason = FinishReason::cancelled;
      }
      if (!stopping_) admit_waiting(lock);
      for (Slot& slot : slots_) {
        if (slot.active) slot.last_used = ++clock;
      }
    }
    for (auto& active : dropped) {
      active->result.reason = FinishReason::cancelled;
      active->result.queue_seconds = seconds_since(active->queued_at);
      if (active->request.on_done) active->request.on_done(active->result);
    }
    for (Slot& slot : slots_) {
      if (slot.active && slot.active->result.reason == FinishReason::cancelled) finish(slot, FinishReason::cancelled);
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    step();
  }
}

// Gives each waiting request, oldest first, the free slot whose cache shares the longest prefix with its
// prompt (the least recently used one on ties), and drops the cached tokens past that prefix.
void Scheduler::admit_waiting(std::unique_lock<std::mutex>&) {
  while (!waiting_.empty()) {
    std::unique_ptr<Active>& candidate = waiting_.front();
    const Prompt& prompt = candidate->request.prompt;
    const int64_t n_embd = model_->model->n_embd();
    Slot* best = nullptr;
    int64_t best_prefix = -1;
    for (Slot& slot : slots_) {
      if (slot.active) continue;
      int64_t prefix = 0;
      size_t next_embedding = 0;
      const int64_t max_prefix = std::min<int64_t>(static_cast<int64_t>(slot.history.size()), static_cast<int64_t>(prompt.tokens.size()) - 1);
      while (prefix < max_prefix && slot.history[prefix] == prompt.tokens[prefix]) {
        const bool is_embedding = next_embedding < prompt.embedding_indices.size() && prompt.embedding_indices[next_embedding] == prefix;
        const auto& cached = slot.history_embeddings[prefix];
        if (is_embedding != cached.has_value()) break;
        if (is_embedding) {
          const float* row = prompt.embeddings.data() + next_embedding * n_embd;
          if (std::memcmp(row, cached->data(), n_embd * sizeof(float)) != 0) break;
          ++next_embedding;
        }
        ++prefix;
      }
      if (prefix > 0 && !cache_.can_continue_at(slot.seq, static_cast<int32_t>(prefix))) prefix = 0;
      if (prefix > best_prefix || (prefix == best_prefix && slot.last_used < best->last_used)) {
        best = &slot;
        best_prefix = prefix;
      }
    }
    if (!best) return;
    cache_.truncate_sequence(best->seq, static_cast<int32_t>(best_prefix));
    best->history.resize(best_prefix);
    best->history_embeddings.resize(best_prefix);
    best->prompt_next = best_prefix;
    best->pending_token = -1;
    candidate->result.cached_prompt_tokens = best_prefix;
    candidate->result.queue_seconds = seconds_since(candidate->queued_at);
    best->active = std::move(candidate);
    waiting_.pop_front();
  }
}

void Scheduler::step() {
  const int64_t n_embd = model_->model->n_embd();
  std::vector<BatchEntry> batch;
  std::vector<std::pair<Slot*, bool>> participants;  // slot, whether it read prompt tokens this step
  std::vector<Slot*> wanting_logits;
  for (Slot& slot : slots_) {
    if (!slot.active || slot.prefilling() || slot.pending_token < 0) continue;
    if (static_cast<int64_t>(slot.history.size()) + 1 > slot.active->limit) {
      slot.active->result.context_full = true;
      finish(slot, FinishReason::length);
      continue;
    }
    batch.push_back({slot.seq, slot.pending_token, nullptr, static_cast<int32_t>(slot.history.size()), true});
    slot.history.push_back(slot.pending_token);
    slot.history_embeddings.emplace_back();
    slot.pending_token = -1;
    participants.push_back({&slot, false});
    wanting_logits.push_back(&slot);
  }
  int64_t budget = std::max<int64_t>(1, options_.n_batch - static_cast<int64_t>(batch.size()));
  std::vector<cpu::BidirectionalRange> bidirectional;
  std::vector<Slot*> prefilling;
  for (Slot& slot : slots_) {
    if (slot.prefilling()) prefilling.push_back(&slot);
  }
  std::sort(prefilling.begin(), prefilling.end(), [](const Slot* a, const Slot* b) { return a->active->id < b->active->id; });
  for (Slot* slot : prefilling) {
    if (budget <= 0) break;
    const Prompt& prompt = slot->active->request.prompt;
    const auto size = static_cast<int64_t>(prompt.tokens.size());
    const int64_t count = chunk_length(prompt, slot->prompt_next, std::min(budget, size - slot->prompt_next));
    for (const auto& [begin, end] : prompt.bidirectional_spans) {
      if (begin < slot->prompt_next + count && end > slot->prompt_next) bidirectional.push_back({slot->seq, begin, end});
    }
    auto embedding = std::lower_bound(prompt.embedding_indices.begin(), prompt.embedding_indices.end(), slot->prompt_next);
    for (int64_t i = slot->prompt_next; i < slot->prompt_next + count; ++i) {
      BatchEntry entry{slot->seq, prompt.tokens[i], nullptr, static_cast<int32_t>(i), i + 1 == size};
      std::optional<std::vector<float>> row;
      if (embedding != prompt.embedding_indices.end() && *embedding == i) {
        entry.embedding = prompt.embeddings.data() + (embedding - prompt.embedding_indices.begin()) * n_embd;
        row.emplace(entry.embedding, entry.embedding + n_embd);
        ++embedding;
      }
      batch.push_back(entry);
      slot->history.push_back(prompt.tokens[i]);
      slot->history_embeddings.push_back(std::move(row));
    }
    slot->prompt_next += count;
    budget -= count;
    participants.push_back({slot, true});
    if (slot->prompt_next == size) wanting_logits.push_back(slot);
  }
  if (batch.empty()) return;

  const Clock::time_point start = Clock::now();
  Result<std::vector<float>> logits =
      model_->model->forward(batch, cache_, {options_.numerics, options_.n_ubatch, bidirectional});
  const double elapsed = seconds_since(start);
  if (!logits) {
    for (auto& [slot, unused] : participants) {
      cache_.remove_sequence(slot->seq);
      slot->history.clear();
      slot->history_embeddings.clear();
      finish(*slot, FinishReason::error, logits.error());
    }
    return;
  }
  for (auto& [slot, read_prompt] : participants) {
    (read_prompt ? slot->active->result.prompt_seconds : slot->active->result.generation_seconds) += elapsed;
  }
  // wanting_logits was filled in batch order (decodes, then the prompt chunks that ended), as the logits are.
  const int64_t n_vocab = model_->model->n_vocab();
  for (size_t i = 0; i < wanting_logits.size(); ++i) {
    sample_slot(*wanting_logits[i], {logits->data() + i * n_vocab, static_cast<size_t>(n_vocab)});
  }
}

void Scheduler::sample_slot(Slot& slot, std::span<const float> logits) {
  Active& active = *slot.active;
  grammar::TokenConstraint* constraint = active.request.constraint.get();
  int32_t token = active.reasoning.forced_token();
  if (token < 0) {
    const bool constrained = constraint && active.reasoning.grammar_applies();
    const int32_t banned = active.reasoning.banned_token();
    if (constrained || banned >= 0) {
      active.masked.assign(logits.begin(), logits.end());
      if (constrained) constraint->mask(active.masked);
      if (const int32_t open = active.reasoning.also_allowed(); constrained && open >= 0 && static_cast<size_t>(open) < logits.size()) {
        active.masked[static_cast<size_t>(open)] = logits[static_cast<size_t>(open)];
      }
      if (banned >= 0 && static_cast<size_t>(banned) < logits.size()) {
        active.masked[static_cast<size_t>(banned)] = -std::numeric_limits<float>::infinity();
      }
      logits = active.masked;
    }
    token = active.sampler.sample(logits, slot.history);
  }
  const bool thinking = active.reasoning.observe(token);
  if (constraint && !thinking && !model_->tokenizer.is_end_of_generation(token)) {
    if (Status accepted = constraint->accept(token); !accepted) {
      finish(slot, FinishReason::error, "output grammar: " + accepted.error());
      return;
    }
  }
  if (model_->tokenizer.is_end_of_generation(token)) {
    finish(slot, FinishReason::stop);
    return;
  }
  ++active.result.generated_tokens;
  TokenEvent event;
  event.token = token;
  const StopMatcher::Output released = active.stop.push(active.decoder.push(token));
  event.text = released.text;
  if (active.request.logprobs) event.logprobs = compute_logprobs(logits, token, active.request.top_logprobs);
  if (active.request.on_token && !active.request.on_token(event)) {
    finish(slot, FinishReason::cancelled);
    return;
  }
  if (released.stopped || (constraint && constraint->must_end())) {
    finish(slot, FinishReason::stop);
    return;
  }
  const int32_t budget = active.request.sampling.num_predict;
  if (budget >= 0 && active.result.generated_tokens >= budget) {
    finish(slot, FinishReason::length);
    return;
  }
  slot.pending_token = token;
}

void Scheduler::finish(Slot& slot, FinishReason reason, std::string error) {
  std::unique_ptr<Active> active;
  {
    std::lock_guard lock(mutex_);  // load() reads slot.active
    active = std::move(slot.active);
  }
  GenerationResult& result = active->result;
  result.reason = reason;
  result.error = std::move(error);
  if (reason == FinishReason::stop || reason == FinishReason::length) {
    const StopMatcher::Output tail = active->stop.push(active->decoder.finish());
    result.final_text = tail.text + (tail.stopped ? std::string() : active->stop.finish());
  }
  // A prompt cut off mid-way leaves cache entries that no longer match a whole prompt; keep them, the
  // history records exactly what is stored.
  slot.pending_token = -1;
  slot.prompt_next = 0;
  if (active->request.on_done) active->request.on_done(result);
}

}  // namespace hearth::engine
