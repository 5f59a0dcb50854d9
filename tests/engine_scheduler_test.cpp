// The continuous-batching scheduler on the tiny Gemma 4 fixture: what it generates must not depend on what
// else shares the batch, on prefix reuse, or on the queue; cancellation, limits and overflow rules hold.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <limits>
#include <mutex>

#include "engine/grammar/json_schema.h"
#include "engine/scheduler.h"
#include "support/fixtures.h"

namespace hearth::engine {
namespace {

struct Outcome {
  std::vector<int32_t> tokens;
  GenerationResult result;
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HEARTH_REQUIRE_FIXTURES();
    Result<std::shared_ptr<LoadedModel>> loaded = load_model(test::fixture("gemma4-dense-tiny.gguf"));
    ASSERT_TRUE(loaded) << loaded.error();
    model_ = std::move(*loaded);
  }

  static std::vector<int32_t> prompt_tokens(int32_t seed, size_t n) {
    std::vector<int32_t> tokens{2};
    for (size_t i = 1; i < n; ++i) tokens.push_back(static_cast<int32_t>(100 + (seed * 37 + i * 11) % 500));
    return tokens;
  }

  static GenerationRequest greedy(std::vector<int32_t> tokens, int32_t n_predict) {
    GenerationRequest request;
    request.prompt.tokens = std::move(tokens);
    request.sampling.temperature = 0.0f;
    request.sampling.num_predict = n_predict;
    return request;
  }

  // Submits the request and returns a future for its tokens and result.
  static std::future<Outcome> start(Scheduler& scheduler, GenerationRequest request, RequestId* id = nullptr) {
    auto outcome = std::make_shared<Outcome>();
    auto promise = std::make_shared<std::promise<Outcome>>();
    request.on_token = [outcome](const TokenEvent& event) {
      outcome->tokens.push_back(event.token);
      return true;
    };
    request.on_done = [outcome, promise](const GenerationResult& result) {
      outcome->result = result;
      promise->set_value(*outcome);
    };
    Result<RequestId> submitted = scheduler.submit(std::move(request));
    EXPECT_TRUE(submitted) << submitted.error();
    if (id && submitted) *id = *submitted;
    return promise->get_future();
  }

  std::shared_ptr<LoadedModel> model_;
};

TEST_F(SchedulerTest, ConcurrentRequestsGenerateWhatEachGeneratesAlone) {
  std::vector<std::vector<int32_t>> alone;
  {
    Scheduler scheduler(model_, {.n_parallel = 1, .n_ctx = 256});
    for (int32_t seed = 0; seed < 3; ++seed) {
      Outcome outcome = start(scheduler, greedy(prompt_tokens(seed, 20 + 7 * seed), 10)).get();
      EXPECT_EQ(outcome.result.reason, FinishReason::length);
      EXPECT_EQ(outcome.result.generated_tokens, 10);
      alone.push_back(outcome.tokens);
    }
  }
  Scheduler scheduler(model_, {.n_parallel = 3, .n_ctx = 256, .n_batch = 16});
  std::vector<std::future<Outcome>> together;
  for (int32_t seed = 0; seed < 3; ++seed) together.push_back(start(scheduler, greedy(prompt_tokens(seed, 20 + 7 * seed), 10)));
  for (int32_t seed = 0; seed < 3; ++seed) EXPECT_EQ(together[seed].get().tokens, alone[seed]) << "request " << seed;
}

TEST_F(SchedulerTest, ReusedPrefixGivesTheSameTokens) {
  Scheduler scheduler(model_, {.n_parallel = 2, .n_ctx = 256});
  const std::vector<int32_t> prompt = prompt_tokens(5, 40);
  const Outcome first = start(scheduler, greedy(prompt, 8)).get();
  EXPECT_EQ(first.result.cached_prompt_tokens, 0);
  const Outcome second = start(scheduler, greedy(prompt, 8)).get();
  EXPECT_EQ(second.result.cached_prompt_tokens, 39);  // one prompt token is always evaluated for logits
  EXPECT_EQ(second.tokens, first.tokens);

  // The conversation continues: the old prompt and answer are a prefix of the new prompt.
  std::vector<int32_t> follow_up = prompt;
  follow_up.insert(follow_up.end(), first.tokens.begin(), first.tokens.end());
  follow_up.push_back(300);
  const Outcome third = start(scheduler, greedy(follow_up, 4)).get();
  EXPECT_GE(third.result.cached_prompt_tokens, 40 + 7);
  Scheduler fresh(model_, {.n_parallel = 1, .n_ctx = 256});
  EXPECT_EQ(start(fresh, greedy(follow_up, 4)).get().tokens, third.tokens);
}

TEST_F(SchedulerTest, CancelStopsARunningRequest) {
  Scheduler scheduler(model_, {.n_parallel = 1, .n_ctx = 512});
  GenerationRequest request = greedy(prompt_tokens(1, 10), -1);
  std::mutex mutex;
  std::condition_variable seen;
  int tokens = 0;
  auto done = std::make_shared<std::promise<GenerationResult>>();
  request.on_token = [&](const TokenEvent&) {
    std::lock_guard lock(mutex);
    ++tokens;
    seen.notify_all();
    return true;
  };
  request.on_done = [done](const GenerationResult& result) { done->set_value(result); };
  Result<RequestId> id = scheduler.submit(std::move(request));
  ASSERT_TRUE(id);
  {
    std::unique_lock lock(mutex);
    seen.wait(lock, [&] { return tokens >= 3; });
  }
  scheduler.cancel(*id);
  EXPECT_EQ(done->get_future().get().reason, FinishReason::cancelled);
  EXPECT_EQ(scheduler.load().busy_slots, 0u);
}

TEST_F(SchedulerTest, CallbackReturningFalseCancels) {
  Scheduler scheduler(model_, {.n_parallel = 1, .n_ctx = 256});
  GenerationRequest request = greedy(prompt_tokens(2, 10), 50);
  auto done = std::make_shared<std::promise<GenerationResult>>();
  int calls = 0;
  request.on_token = [&](const TokenEvent&) { return ++calls < 2; };
  request.on_done = [done](const GenerationResult& result) { done->set_value(result); };
  ASSERT_TRUE(scheduler.submit(std::move(request)));
  const GenerationResult result = done->get_future().get();
  EXPECT_EQ(result.reason, FinishReason::cancelled);
  EXPECT_EQ(calls, 2);
}

TEST_F(SchedulerTest, ContextOverflowTruncatesOrFails) {
  Scheduler scheduler(model_, {.n_parallel = 1, .n_ctx = 32});
  GenerationRequest refused = greedy(prompt_tokens(3, 40), 4);
  refused.overflow = ContextOverflow::error;
  Result<RequestId> id = scheduler.submit(std::move(refused));
  ASSERT_FALSE(id);
  EXPECT_NE(id.error().find("exceeds the context length"), std::string::npos) << id.error();

  const Outcome truncated = start(scheduler, greedy(prompt_tokens(3, 40), 4)).get();
  EXPECT_EQ(truncated.result.truncated_tokens, 8);
  EXPECT_EQ(truncated.result.prompt_tokens, 32);
  // The prompt fills the context: one token fits, then the context is full.
  EXPECT_EQ(truncated.result.reason, FinishReason::length);
  EXPECT_TRUE(truncated.result.context_full);
  EXPECT_EQ(truncated.result.generated_tokens, 1);
}

TEST_F(SchedulerTest, MalformedRequestsAreRefused) {
  Scheduler scheduler(model_, {.n_parallel = 1, .n_ctx = 64});
  EXPECT_FALSE(scheduler.submit(greedy({}, 1)));
  EXPECT_FALSE(scheduler.submit(greedy({2, static_cast<int32_t>(model_->model->n_vocab())}, 1)));
  GenerationRequest bad_rows = greedy({2, 5, 6}, 1);
  bad_rows.prompt.embedding_indices = {1};
  bad_rows.prompt.embeddings.assign(3, 0.0f);
  EXPECT_FALSE(scheduler.submit(std::move(bad_rows)));
}

TEST_F(SchedulerTest, FullQueueRefusesNewRequests) {
  Scheduler scheduler(model_, {.n_parallel = 1, .n_ctx = 2048, .max_queue = 1});
  RequestId running = 0;
  std::future<Outcome> first = start(scheduler, greedy(prompt_tokens(4, 10), -1), &running);
  // The first request may still be waiting for the slot; with one more queued, the queue is surely full
  // once it has been admitted, so keep adding until one is refused.
  std::vector<std::future<Outcome>> queued;
  Result<RequestId> refused = RequestId{0};
  for (int i = 0; i < 3 && refused; ++i) {
    GenerationRequest request = greedy(prompt_tokens(4, 10), 1);
    auto promise = std::make_shared<std::promise<Outcome>>();
    queued.push_back(promise->get_future());
    request.on_done = [promise](const GenerationResult& result) { promise->set_value({{}, result}); };
    refused = scheduler.submit(std::move(request));
  }
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("queue is full"), std::string::npos);
  scheduler.cancel(running);
  EXPECT_EQ(first.get().result.reason, FinishReason::cancelled);
}

TEST_F(SchedulerTest, StopStringsEndGenerationAndAreNotSent) {
  Scheduler scheduler(model_, {.n_parallel = 1, .n_ctx = 256});
  GenerationRequest request = greedy(prompt_tokens(6, 12), 20);
  std::string text;
  auto done = std::make_shared<std::promise<GenerationResult>>();
  request.on_token = [&](const TokenEvent& event) {
    text += event.text;
    return true;
  };
  request.on_done = [done](const GenerationResult& result) { done->set_value(result); };
  // Learn what the model says, then stop on a piece of it.
  GenerationRequest probe = greedy(prompt_tokens(6, 12), 20);
  std::string full;
  auto probe_done = std::make_shared<std::promise<GenerationResult>>();
  probe.on_token = [&](const TokenEvent& event) {
    full += event.text;
    return true;
  };
  probe.on_done = [probe_done](const GenerationResult& result) { probe_done->set_value(result); };
  ASSERT_TRUE(scheduler.submit(std::move(probe)));
  full += probe_done->get_future().get().final_text;
  ASSERT_GE(full.size(), 6u);
  const std::string stop = full.substr(3, 2);
  request.sampling.stop = {stop};
  ASSERT_TRUE(scheduler.submit(std::move(request)));
  const GenerationResult result = done->get_future().get();
  text += result.final_text;
  EXPECT_EQ(result.reason, FinishReason::stop);
  EXPECT_EQ(text, full.substr(0, full.find(stop)));
}

// A model pushed to open the thinking channel (a logit bias) thinks for exactly the budget, then the scheduler
// closes the channel itself.
TEST_F(SchedulerTest, ThinkingBudgetClosesTheChannel) {
  const int32_t open = model_->tokenizer.find_token("<|channel>");
  const int32_t close = model_->tokenizer.find_token("<channel|>");
  ASSERT_GE(open, 0);
  ASSERT_GE(close, 0);
  Scheduler scheduler(model_, {.n_parallel = 1, .n_ctx = 256});
  GenerationRequest request = greedy(prompt_tokens(8, 10), 12);
  request.sampling.logit_bias = {{open, 1000.0f}, {close, -std::numeric_limits<float>::infinity()}};
  request.reasoning = ReasoningControl{open, close, 5};
  const Outcome outcome = start(scheduler, std::move(request)).get();
  ASSERT_EQ(outcome.tokens.size(), 12u);
  EXPECT_EQ(outcome.tokens[0], open);
  for (size_t i = 1; i <= 5; ++i) EXPECT_EQ(outcome.tokens[i], open) << "thinking token " << i;  // the bias wins inside
  EXPECT_EQ(outcome.tokens[6], close);  // forced although the bias bans it
  for (size_t i = 7; i < outcome.tokens.size(); ++i) EXPECT_NE(outcome.tokens[i], open) << "no second round of thinking";
}

// With an output grammar, the model may still think first; the grammar then governs the answer.
TEST_F(SchedulerTest, OutputGrammarWaitsForTheThinkingToEnd) {
  const int32_t open = model_->tokenizer.find_token("<|channel>");
  const int32_t close = model_->tokenizer.find_token("<channel|>");
  Scheduler scheduler(model_, {.n_parallel = 1, .n_ctx = 256});
  GenerationRequest request = greedy(prompt_tokens(9, 10), 40);
  request.sampling.logit_bias = {{open, 1000.0f}};
  request.reasoning = ReasoningControl{open, close, 3};
  Result<std::unique_ptr<grammar::TokenConstraint>> constraint =
      grammar::TokenConstraint::create(std::make_shared<const grammar::Grammar>(grammar::json_object_grammar()), model_->token_trie());
  ASSERT_TRUE(constraint) << constraint.error();
  request.constraint = std::move(*constraint);
  std::string answer;
  bool after_close = false;
  request.on_token = [&](const TokenEvent& event) {
    if (after_close) answer += event.text;
    after_close = after_close || event.token == close;
    return true;
  };
  auto done = std::make_shared<std::promise<GenerationResult>>();
  request.on_done = [done](const GenerationResult& result) { done->set_value(result); };
  ASSERT_TRUE(scheduler.submit(std::move(request)));
  const GenerationResult result = done->get_future().get();
  ASSERT_NE(result.reason, FinishReason::error) << result.error;
  EXPECT_TRUE(after_close);
  // The spent budget bans a second round of thinking, so the answer starts as a JSON object must.
  ASSERT_FALSE(answer.empty());
  EXPECT_EQ(answer.find_first_not_of(" \n"), answer.find('{'));
}

}  // namespace
}  // namespace hearth::engine
