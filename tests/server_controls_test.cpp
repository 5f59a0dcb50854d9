// A real `hearth serve` on loopback: forced tool calls, the thinking budget, what happens to a client that
// goes away or finds the queue full, keep_alive expiry, reloading for another context length, the memory
// budget, metrics from both APIs and the JSON log.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "gguf/gguf_file.h"
#include "support/server_process.h"
#include "support/templated_model.h"
#include "tokenizer/gguf_vocabulary.h"

namespace hearth::test {
namespace {

using nlohmann::json;

std::string model_path() { return fixture("gemma4-dense-tiny.gguf").string(); }

json post_json(httplib::Client& client, const std::string& path, const json& body, int expected_status = 200) {
  auto res = client.Post(path, body.dump(), "application/json");
  EXPECT_TRUE(res) << path;
  if (!res) return json();
  EXPECT_EQ(res->status, expected_status) << path << ": " << res->body;
  return json::parse(res->body, nullptr, false);
}

// One sample of a Prometheus gauge or counter from /metrics.
double metric(httplib::Client& client, const std::string& name) {
  auto res = client.Get("/metrics");
  if (!res) return -1;
  std::istringstream in(res->body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

json running_models(httplib::Client& client) {
  auto res = client.Get("/api/ps");
  return res ? json::parse(res->body)["models"] : json();
}

// Polls until `done` holds or ~20 s pass.
template <typename Condition>
bool eventually(Condition done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// A logit bias that keeps the model from ending its answer: a random-weight model's greedy continuation may
// reach an end token at any point, and where depends on the kernels' rounding.
json bias_against_end_tokens() {
  auto file = gguf::GgufFile::open(model_path());
  EXPECT_TRUE(file) << file.error();
  auto tokenizer = tokenizer::tokenizer_from_gguf(**file);
  EXPECT_TRUE(tokenizer) << tokenizer.error();
  json bias = json::object();
  for (const int32_t token : tokenizer->end_of_generation()) bias[std::to_string(token)] = -100;
  return bias;
}

// A streaming completion that runs until `stop` is set (or the context is full), then drops the connection.
class EndlessStream {
 public:
  EndlessStream(const ServerProcess& server, const std::string& prompt) {
    thread_ = std::thread([this, &server, prompt, bias = bias_against_end_tokens()] {
      httplib::Client client = server.client();
      httplib::Request req;
      req.method = "POST";
      req.path = "/v1/completions";
      req.body = json{{"model", model_path()}, {"prompt", prompt}, {"stream", true}, {"max_tokens", 100000}, {"temperature", 0},
                      {"logit_bias", bias}}
                     .dump();
      req.set_header("Content-Type", "application/json");
      req.content_receiver = [this](const char*, size_t, uint64_t, uint64_t) {
        received_ = true;
        return !stop_;
      };
      auto res = client.send(req);
      status_ = res ? res->status : -1;
    });
  }
  ~EndlessStream() { close(); }
  void close() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  bool received() const { return received_; }
  int status() const { return status_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> received_{false};
  std::atomic<int> status_{0};
  std::thread thread_;
};

json tools() {
  return json::parse(R"([
    {"type":"function","function":{"name":"add","description":"Adds two integers","parameters":{"type":"object",
      "properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"]}}},
    {"type":"function","function":{"name":"now","description":"The current time"}}])");
}

class ServerControls : public ::testing::Test {
 protected:
  void SetUp() override { HEARTH_REQUIRE_FIXTURES(); }

  // The fixture model with the real Gemma 4 chat template, which declares tools and thinking.
  std::string chat_model() {
    const std::filesystem::path path = scratch_.path() / "gemma4-tiny-chat.gguf";
    if (!std::filesystem::exists(path)) write_with_gemma4_template(model_path(), path);
    return path.string();
  }

  TempDir scratch_{"controls"};
};

TEST_F(ServerControls, ToolChoiceRequiredOrNamedForcesCalls) {
  const std::string model = chat_model();
  ServerProcess server;
  httplib::Client client = server.client();
  json request = {{"model", model}, {"messages", {{{"role", "user"}, {"content", "What is 2 + 3?"}}}}, {"tools", tools()},
                  {"tool_choice", "required"}, {"max_tokens", 400}, {"seed", 11}, {"temperature", 0.8}};
  const json required = post_json(client, "/v1/chat/completions", request);
  const json& choice = required["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls") << required;
  ASSERT_FALSE(choice["message"]["tool_calls"].empty()) << required;
  for (const json& call : choice["message"]["tool_calls"]) {
    const std::string name = call["function"]["name"];
    const json arguments = json::parse(call["function"]["arguments"].get<std::string>());
    if (name == "add") {
      EXPECT_TRUE(arguments["a"].is_number_integer() && arguments["b"].is_number_integer()) << call;
    } else {
      EXPECT_EQ(name, "now");
      EXPECT_TRUE(arguments.empty()) << call;
    }
  }

  request["tool_choice"] = {{"type", "function"}, {"function", {{"name", "now"}}}};
  const json named = post_json(client, "/v1/chat/completions", request);
  ASSERT_FALSE(named["choices"][0]["message"]["tool_calls"].empty()) << named;
  for (const json& call : named["choices"][0]["message"]["tool_calls"]) EXPECT_EQ(call["function"]["name"], "now");

  request["tool_choice"] = {{"type", "function"}, {"function", {{"name", "missing"}}}};
  EXPECT_NE(post_json(client, "/v1/chat/completions", request, 400)["error"]["message"].get<std::string>().find("missing"), std::string::npos);
  request["tool_choice"] = "sometimes";
  post_json(client, "/v1/chat/completions", request, 400);
  request["tool_choice"] = "required";
  request.erase("tools");
  post_json(client, "/v1/chat/completions", request, 400);
}

// Pushed to think (a logit bias on the channel-open token), the model thinks for exactly think_budget tokens.
TEST_F(ServerControls, ThinkBudgetClosesTheThinkingChannel) {
  const std::string model = chat_model();
  ServerProcess server;
  httplib::Client client = server.client();
  auto file = gguf::GgufFile::open(model);
  ASSERT_TRUE(file) << file.error();
  auto tokenizer = tokenizer::tokenizer_from_gguf(**file);
  ASSERT_TRUE(tokenizer) << tokenizer.error();
  const int32_t open_token = tokenizer->find_token("<|channel>");
  ASSERT_GE(open_token, 0);
  for (int budget : {0, 3}) {
    const json answer = post_json(client, "/v1/chat/completions",
                                  {{"model", model}, {"messages", {{{"role", "user"}, {"content", "Think first."}}}},
                                   {"reasoning_effort", "high"}, {"think_budget", budget}, {"max_tokens", 12}, {"temperature", 0},
                                   {"logprobs", true}, {"logit_bias", {{std::to_string(open_token), 100}}}});
    // The generated tokens, in order: the channel opens, `budget` thinking tokens (the biased open marker
    // again), the channel closes by force, and the bias cannot reopen it.
    std::vector<std::string> tokens;
    for (const json& entry : answer["choices"][0]["logprobs"]["content"]) tokens.push_back(entry["token"]);
    ASSERT_EQ(tokens.size(), 12u) << answer;
    size_t answer_start = 0;
    if (budget > 0) {
      for (int i = 0; i <= budget; ++i) EXPECT_EQ(tokens[static_cast<size_t>(i)], "<|channel>") << answer;
      EXPECT_EQ(tokens[static_cast<size_t>(budget) + 1], "<channel|>") << answer;
      answer_start = static_cast<size_t>(budget) + 2;
    }
    // A budget of 0 means no thinking at all: the channel never opens.
    for (size_t i = answer_start; i < tokens.size(); ++i) EXPECT_NE(tokens[i], "<|channel>") << answer;
    EXPECT_EQ(answer["usage"]["completion_tokens"], 12) << answer;  // the answer went on after the channel closed
  }
  post_json(client, "/v1/chat/completions", {{"model", model}, {"messages", {{{"role", "user"}, {"content", "x"}}}}, {"think_budget", -2}}, 400);
}

TEST_F(ServerControls, ClientGoneFreesTheSlotAndTheLogSaysSo) {
  TempDir logs("serve-log");
  const std::filesystem::path log = logs.path() / "serve.log";
  {
    ServerProcess server({"--parallel", "1"}, log);
    httplib::Client client = server.client();
    {
      EndlessStream stream(server, "Tell me a very long story.");
      ASSERT_TRUE(eventually([&] { return stream.received(); }));
      EXPECT_EQ(metric(client, "hearth_slots_busy"), 1);
    }
    EXPECT_TRUE(eventually([&] { return metric(client, "hearth_slots_busy") == 0; }));
    // The slot is usable again. Greedy, so the answer cannot end on a sampled end-of-turn before num_predict.
    const json answer = post_json(client, "/api/generate", {{"model", model_path()}, {"prompt", "hi"}, {"stream", false},
                                                            {"options", {{"num_predict", 3}, {"temperature", 0}}}});
    EXPECT_EQ(answer["eval_count"], 3);
  }
  std::ifstream in(log);
  std::set<std::string> events, finishes;
  for (std::string line; std::getline(in, line);) {
    const json entry = json::parse(line, nullptr, false);
    if (entry.is_discarded()) continue;  // the startup banner is prose
    EXPECT_TRUE(entry.contains("time") && entry.contains("level")) << line;
    events.insert(entry.value("event", ""));
    if (entry.value("event", "") == "generation") finishes.insert(entry.value("finish", ""));
    if (entry.value("event", "") == "http") {
      EXPECT_TRUE(entry.contains("path") && entry.contains("status")) << line;
    }
  }
  EXPECT_TRUE(events.count("http") && events.count("generation"));
  EXPECT_TRUE(finishes.count("client_gone") || finishes.count("cancelled"));
  EXPECT_TRUE(finishes.count("length"));
}

TEST_F(ServerControls, FullQueueAnswers503) {
  setenv("HEARTH_MAX_QUEUE", "1", 1);
  ServerProcess server({"--parallel", "1"});
  unsetenv("HEARTH_MAX_QUEUE");
  httplib::Client client = server.client();
  EndlessStream running(server, "First.");
  ASSERT_TRUE(eventually([&] { return running.received(); }));
  EndlessStream queued(server, "Second.");
  ASSERT_TRUE(eventually([&] { return metric(client, "hearth_queue_depth") == 1; }));
  const json refused = post_json(client, "/api/generate", {{"model", model_path()}, {"prompt", "Third."}, {"stream", false}}, 503);
  EXPECT_TRUE(refused.contains("error")) << refused;
  const json openai = post_json(client, "/v1/completions", {{"model", model_path()}, {"prompt", "Fourth."}}, 503);
  EXPECT_TRUE(openai["error"].contains("message")) << openai;
  running.close();  // the queued request starts, streams, and is dropped in turn
  queued.close();
}

TEST_F(ServerControls, KeepAliveExpiryUnloadsAndNumCtxReloads) {
  ServerProcess server({"--ctx", "512"});
  httplib::Client client = server.client();
  post_json(client, "/api/generate", {{"model", model_path()}, {"prompt", "hi"}, {"stream", false}, {"keep_alive", "1s"},
                                      {"options", {{"num_predict", 1}}}});
  json models = running_models(client);
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["context_length"], 512);
  EXPECT_TRUE(eventually([&] { return running_models(client).empty(); }));

  post_json(client, "/api/generate", {{"model", model_path()}, {"prompt", "hi"}, {"stream", false}, {"options", {{"num_predict", 1}, {"num_ctx", 256}}}});
  EXPECT_EQ(running_models(client)[0]["context_length"], 256);
  post_json(client, "/api/generate", {{"model", model_path()}, {"prompt", "hi"}, {"stream", false}, {"options", {{"num_predict", 1}, {"num_ctx", 256}}}});
  EXPECT_EQ(metric(client, "hearth_model_loads_total"), 2);  // same context: no reload
  post_json(client, "/v1/completions", {{"model", model_path()}, {"prompt", "hi"}, {"max_tokens", 1}, {"options", {{"num_ctx", 384}}}});
  models = running_models(client);
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["context_length"], 384);
  EXPECT_EQ(metric(client, "hearth_model_loads_total"), 3);
}

TEST_F(ServerControls, MemoryBudgetEvictsTheLeastRecentlyUsedModel) {
  const std::string first = model_path();
  const std::string second = fixture("gemma4-dense-tiny.Q8_0.gguf").string();
  uint64_t largest = 0, total = 0;
  {
    ServerProcess probe({"--ctx", "256"});
    httplib::Client client = probe.client();
    for (const std::string& model : {first, second}) {
      post_json(client, "/api/generate", {{"model", model}, {"prompt", ""}});  // load only
    }
    for (const json& model : running_models(client)) {
      largest = std::max<uint64_t>(largest, model["size"]);
      total += model["size"].get<uint64_t>();
    }
  }
  const uint64_t budget_mib = (largest >> 20) + 1;
  ASSERT_GT(total, budget_mib << 20) << "the two models must not fit together";
  ServerProcess server({"--ctx", "256", "--max-memory", std::to_string(budget_mib)});
  httplib::Client client = server.client();
  post_json(client, "/api/generate", {{"model", first}, {"prompt", ""}});
  post_json(client, "/api/generate", {{"model", second}, {"prompt", ""}});
  const json models = running_models(client);
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["model"], second);

  ServerProcess tight({"--ctx", "256", "--max-memory", "1"});
  httplib::Client tight_client = tight.client();
  const json refused = post_json(tight_client, "/api/generate", {{"model", first}, {"prompt", "hi"}}, 500);
  EXPECT_NE(refused["error"].get<std::string>().find("more memory"), std::string::npos) << refused;
}

TEST_F(ServerControls, CreateRefusesParametersNoRequestCouldUse) {
  ServerProcess server;
  httplib::Client client = server.client();
  const json refused = post_json(client, "/api/create", {{"model", "bad"}, {"stream", false},
                                                         {"modelfile", "FROM " + model_path() + "\nPARAMETER image_max_tokens 100\n"}}, 400);
  EXPECT_NE(refused["error"].get<std::string>().find("image_max_tokens"), std::string::npos) << refused;
  auto tags = client.Get("/api/tags");
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->body.find("\"bad"), std::string::npos) << tags->body;
}

TEST_F(ServerControls, MetricsCountBothApis) {
  ServerProcess server;
  httplib::Client client = server.client();
  // Sampled output may end early, so the counts each API reported are what the metrics must add up to.
  const json chat = post_json(client, "/v1/chat/completions", {{"model", model_path()}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"max_tokens", 4}});
  const int chat_tokens = chat["usage"]["completion_tokens"].get<int>();
  EXPECT_GE(chat_tokens, 1);
  EXPECT_EQ(metric(client, "hearth_generated_tokens_total"), chat_tokens);
  const json generated = post_json(client, "/api/generate", {{"model", model_path()}, {"prompt", "hi"}, {"stream", false}, {"options", {{"num_predict", 3}}}});
  EXPECT_EQ(metric(client, "hearth_generated_tokens_total"), chat_tokens + generated["eval_count"].get<int>());
  EXPECT_EQ(metric(client, "hearth_requests_total"), 2);
  EXPECT_EQ(metric(client, "hearth_time_to_first_token_seconds_count"), 2);
}

}  // namespace
}  // namespace hearth::test
