// The HTTP APIs of a real `hearth serve` on loopback, driven with an HTTP client: Ollama's and OpenAI's
// generation routes (streaming and not), model routes, the store routes, errors and concurrency.
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "support/server_process.h"

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

std::vector<json> ndjson(const std::string& body) {
  std::vector<json> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(json::parse(line));
  }
  return lines;
}

// The JSON payloads of an SSE body, and whether it ended with [DONE].
std::vector<json> sse_events(const std::string& body, bool& done) {
  std::vector<json> events;
  done = false;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("data: ", 0) != 0) continue;
    const std::string data = line.substr(6);
    if (data == "[DONE]") {
      done = true;
      continue;
    }
    events.push_back(json::parse(data));
  }
  return events;
}

json chat_request(const std::string& model, const std::string& text, int n, bool stream) {
  return {{"model", model}, {"messages", {{{"role", "user"}, {"content", text}}}}, {"stream", stream},
          {"options", {{"num_predict", n}, {"temperature", 0}}}};
}

class ServerApi : public ::testing::Test {
 protected:
  void SetUp() override {
    HEARTH_REQUIRE_FIXTURES();
    server_ = std::make_unique<ServerProcess>();
  }
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerApi, RootVersionAndEmptyTags) {
  httplib::Client client = server_->client();
  auto root = client.Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_NE(root->body.find("running"), std::string::npos);
  auto version = client.Get("/api/version");
  ASSERT_TRUE(version);
  EXPECT_TRUE(json::parse(version->body).contains("version"));
  auto tags = client.Get("/api/tags");
  ASSERT_TRUE(tags);
  EXPECT_EQ(json::parse(tags->body)["models"], json::array());
}

TEST_F(ServerApi, OllamaChatStreamsAndMatchesTheNonStreamedAnswer) {
  httplib::Client client = server_->client();
  const json whole = post_json(client, "/api/chat", chat_request(model_path(), "Why is the sky blue?", 6, false));
  EXPECT_EQ(whole["done"], true);
  EXPECT_EQ(whole["done_reason"], "length");
  EXPECT_EQ(whole["eval_count"], 6);
  EXPECT_GT(whole["prompt_eval_count"].get<int>(), 0);
  for (const char* field : {"total_duration", "load_duration", "prompt_eval_duration", "eval_duration", "created_at"}) {
    EXPECT_TRUE(whole.contains(field)) << field;
  }
  auto res = client.Post("/api/chat", chat_request(model_path(), "Why is the sky blue?", 6, true).dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Content-Type").find("application/x-ndjson"), std::string::npos);
  const std::vector<json> lines = ndjson(res->body);
  ASSERT_GE(lines.size(), 2u);
  std::string streamed;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["done"], false);
    streamed += lines[i]["message"]["content"].get<std::string>();
  }
  EXPECT_EQ(lines.back()["done"], true);
  EXPECT_EQ(streamed, whole["message"]["content"].get<std::string>());
}

TEST_F(ServerApi, OllamaGenerateRawAndLoadRequests) {
  httplib::Client client = server_->client();
  const json load = post_json(client, "/api/generate", {{"model", model_path()}});
  EXPECT_EQ(load["done_reason"], "load");
  const json raw = post_json(client, "/api/generate", {{"model", model_path()}, {"prompt", "Once upon a time"}, {"raw", true},
                                                       {"stream", false}, {"options", {{"num_predict", 4}, {"temperature", 0}}}});
  EXPECT_EQ(raw["eval_count"], 4);
  EXPECT_TRUE(raw["response"].is_string());
  post_json(client, "/api/generate", {{"model", model_path()}, {"prompt", "x"}, {"raw", true}, {"system", "s"}}, 400);
  auto ps = client.Get("/api/ps");
  ASSERT_TRUE(ps);
  const json running = json::parse(ps->body)["models"];
  ASSERT_EQ(running.size(), 1u);
  EXPECT_GT(running[0]["size"].get<double>(), 0);
  const json unload = post_json(client, "/api/generate", {{"model", model_path()}, {"keep_alive", 0}});
  EXPECT_EQ(unload["done_reason"], "unload");
  EXPECT_EQ(json::parse(client.Get("/api/ps")->body)["models"].size(), 0u);
}

TEST_F(ServerApi, OpenAiChatCompletionsWithAndWithoutStreaming) {
  httplib::Client client = server_->client();
  const json request = {{"model", model_path()}, {"messages", {{{"role", "user"}, {"content", "Hello"}}}}, {"max_tokens", 5},
                        {"temperature", 0}};
  const json whole = post_json(client, "/v1/chat/completions", request);
  EXPECT_EQ(whole["object"], "chat.completion");
  EXPECT_EQ(whole["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(whole["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(whole["usage"]["completion_tokens"], 5);

  json streamed_request = request;
  streamed_request["stream"] = true;
  streamed_request["stream_options"] = {{"include_usage", true}};
  auto res = client.Post("/v1/chat/completions", streamed_request.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/event-stream"), std::string::npos);
  bool done = false;
  const std::vector<json> events = sse_events(res->body, done);
  EXPECT_TRUE(done);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front()["choices"][0]["delta"]["role"], "assistant");
  std::string content;
  for (const json& event : events) {
    EXPECT_EQ(event["id"], events.front()["id"]);
    if (!event["choices"].empty() && event["choices"][0]["delta"].contains("content")) content += event["choices"][0]["delta"]["content"].get<std::string>();
  }
  EXPECT_EQ(content, whole["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_EQ(events.back()["choices"], json::array());
  EXPECT_EQ(events.back()["usage"]["completion_tokens"], 5);
  EXPECT_EQ(events[events.size() - 2]["choices"][0]["finish_reason"], "length");
}

TEST_F(ServerApi, OpenAiCompletions) {
  httplib::Client client = server_->client();
  const json out = post_json(client, "/v1/completions", {{"model", model_path()}, {"prompt", "The sky is"}, {"max_tokens", 3}, {"temperature", 0}});
  EXPECT_EQ(out["object"], "text_completion");
  EXPECT_TRUE(out["choices"][0]["text"].is_string());
  EXPECT_EQ(out["usage"]["completion_tokens"], 3);
}

TEST_F(ServerApi, ErrorsHaveEachApisShape) {
  httplib::Client client = server_->client();
  EXPECT_EQ(post_json(client, "/api/chat", chat_request("no-such-model", "x", 1, false), 404)["error"], "model 'no-such-model' not found");
  auto bad = client.Post("/api/chat", "{not json", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(json::parse(bad->body)["error"].is_string());
  EXPECT_TRUE(post_json(client, "/api/chat", {{"messages", json::array()}}, 400)["error"].is_string());
  const json openai = post_json(client, "/v1/chat/completions", {{"model", "no-such-model"}, {"messages", {{{"role", "user"}, {"content", "x"}}}}}, 404);
  EXPECT_EQ(openai["error"]["type"], "not_found_error");
  EXPECT_EQ(post_json(client, "/v1/chat/completions", {{"model", model_path()}, {"messages", json::array()}}, 400)["error"]["type"],
            "invalid_request_error");
  post_json(client, "/v1/chat/completions", {{"model", model_path()}, {"n", 2}, {"messages", {{{"role", "user"}, {"content", "x"}}}}}, 400);
  post_json(client, "/api/chat", {{"model", model_path()}, {"think", "sideways"}, {"messages", {{{"role", "user"}, {"content", "x"}}}}}, 400);
  post_json(client, "/api/chat", {{"model", model_path()}, {"options", {{"temperature", "hot"}}}, {"messages", {{{"role", "user"}, {"content", "x"}}}}}, 400);
  // Gemma 4 has no embedding head: refused as Ollama refuses generative models, after input validation.
  EXPECT_NE(post_json(client, "/api/embed", {{"model", model_path()}, {"input", "hi"}}, 400)["error"].get<std::string>().find("does not support embeddings"), std::string::npos);
  post_json(client, "/api/embed", {{"model", model_path()}, {"input", 5}}, 400);
  EXPECT_EQ(post_json(client, "/v1/embeddings", {{"model", model_path()}, {"input", {"a", "b"}}}, 400)["error"]["type"], "invalid_request_error");
  post_json(client, "/api/embeddings", {{"model", "no-such-model"}, {"prompt", "x"}}, 404);
  auto missing = client.Get("/api/nothing-here");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ServerApi, ParallelRequestsAnswerAsTheyDoAlone) {
  httplib::Client client = server_->client();
  std::vector<std::string> prompts = {"one", "two two", "three three three", "four"};
  std::vector<std::string> alone;
  for (const std::string& p : prompts) alone.push_back(post_json(client, "/api/chat", chat_request(model_path(), p, 8, false))["message"]["content"]);
  std::vector<std::future<std::string>> together;
  for (const std::string& p : prompts) {
    together.push_back(std::async(std::launch::async, [&, p] {
      httplib::Client own = server_->client();
      return post_json(own, "/api/chat", chat_request(model_path(), p, 8, false))["message"]["content"].get<std::string>();
    }));
  }
  for (size_t i = 0; i < prompts.size(); ++i) EXPECT_EQ(together[i].get(), alone[i]) << prompts[i];
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("hearth_generated_tokens_total 64"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("hearth_time_to_first_token_seconds_count 8"), std::string::npos);
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

TEST_F(ServerApi, CreateFromAnUploadedBlobThenChatCopyAndDelete) {
  httplib::Client client = server_->client();
  std::ifstream in(model_path(), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string digest = "sha256:" + sha256_hex(bytes);
  EXPECT_EQ(client.Head(("/api/blobs/" + digest).c_str())->status, 404);
  auto wrong = client.Post(("/api/blobs/sha256:" + std::string(64, '0')).c_str(), bytes, "application/octet-stream");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 400);
  auto uploaded = client.Post(("/api/blobs/" + digest).c_str(), bytes, "application/octet-stream");
  ASSERT_TRUE(uploaded);
  EXPECT_EQ(uploaded->status, 201);
  EXPECT_EQ(client.Head(("/api/blobs/" + digest).c_str())->status, 200);

  auto created = client.Post("/api/create", json{{"model", "tiny"}, {"files", {{"model.gguf", digest}}}, {"system", "Be brief."},
                                                  {"parameters", {{"temperature", 0}}}}.dump(), "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 200);
  EXPECT_EQ(ndjson(created->body).back()["status"], "success") << created->body;
  const json tags = json::parse(client.Get("/api/tags")->body)["models"];
  ASSERT_EQ(tags.size(), 1u);
  EXPECT_EQ(tags[0]["name"], "tiny:latest");
  EXPECT_EQ(tags[0]["details"]["family"], "gemma4");

  const json shown = post_json(client, "/api/show", {{"model", "tiny"}});
  EXPECT_EQ(shown["system"], "Be brief.");
  EXPECT_EQ(shown["model_info"]["general.architecture"], "gemma4");
  EXPECT_NE(std::find(shown["capabilities"].begin(), shown["capabilities"].end(), "completion"), shown["capabilities"].end());

  EXPECT_EQ(post_json(client, "/api/chat", chat_request("tiny", "hi", 3, false))["eval_count"], 3);
  auto copied = client.Post("/api/copy", json{{"source", "tiny"}, {"destination", "tiny2"}}.dump(), "application/json");
  ASSERT_TRUE(copied);
  EXPECT_EQ(copied->status, 200);
  auto removed = client.Delete("/api/delete", json{{"model", "tiny"}}.dump(), "application/json");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 200);
  const json left = json::parse(client.Get("/api/tags")->body)["models"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["name"], "tiny2:latest");
  const json models = json::parse(client.Get("/v1/models")->body);
  EXPECT_EQ(models["data"][0]["id"], "tiny2:latest");
  EXPECT_EQ(client.Get("/v1/models/tiny2")->status, 200);
  EXPECT_EQ(client.Get("/v1/models/tiny")->status, 404);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string upload(httplib::Client& client, const std::string& bytes) {
  const std::string digest = "sha256:" + sha256_hex(bytes);
  auto res = client.Post(("/api/blobs/" + digest).c_str(), bytes, "application/octet-stream");
  EXPECT_TRUE(res && res->status == 201);
  return digest;
}

// The tiny model with its projector (two FROM blobs, as Ollama's client sends them) as "tiny-mm".
void create_multimodal_model(httplib::Client& client) {
  const std::string model_digest = upload(client, read_file(model_path()));
  const std::string projector_digest = upload(client, read_file(fixture("gemma4-mmproj-tiny.gguf")));
  auto created = client.Post("/api/create", json{{"model", "tiny-mm"}, {"stream", false},
                                                  {"files", {{"model.gguf", model_digest}, {"mmproj.gguf", projector_digest}}}}.dump(),
                             "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
}

// An OpenAI chat request for tiny-mm with one image_url part, plus `fields` at the top level.
json openai_image_request(const std::string& url, const json& fields = json::object()) {
  json request = {{"model", "tiny-mm"},
                  {"max_tokens", 1},
                  {"messages", {{{"role", "user"}, {"content", {{{"type", "text"}, {"text", "What is this?"}},
                                                                {{"type", "image_url"}, {"image_url", {{"url", url}}}}}}}}}};
  request.update(fields);
  return request;
}

// A model created with its projector sees images and audio through /api/chat `images`, /api/generate
// `images` and OpenAI content parts.
TEST_F(ServerApi, ImagesAndAudioThroughBothApis) {
  httplib::Client client = server_->client();
  create_multimodal_model(client);
  const json caps = post_json(client, "/api/show", {{"model", "tiny-mm"}})["capabilities"];
  EXPECT_NE(std::find(caps.begin(), caps.end(), "vision"), caps.end()) << caps;
  EXPECT_NE(std::find(caps.begin(), caps.end(), "audio"), caps.end()) << caps;

  const std::string image = base64(read_file(fixture("test-1.jpeg")));
  const std::string audio = base64(read_file(fixture("speech16k.wav")));
  json request = chat_request("tiny-mm", "What is in the image and the audio?", 3, false);
  request["messages"][0]["images"] = {image, audio};
  const json answer = post_json(client, "/api/chat", request);
  EXPECT_EQ(answer["eval_count"], 3);
  // 130 image and 34 audio soft tokens with their begin / end markers, plus the text.
  EXPECT_GT(answer["prompt_eval_count"].get<int>(), 130 + 34 + 4);

  const json generated = post_json(client, "/api/generate", {{"model", "tiny-mm"}, {"prompt", "Describe it."}, {"images", {image}},
                                                             {"stream", false}, {"options", {{"num_predict", 2}}}});
  // The image's soft tokens may come from the prefix cache: the chat request above began with the same image.
  EXPECT_GT(generated["prompt_eval_count"].get<int>() + generated["prompt_cache_count"].get<int>(), 130);

  const json openai = post_json(client, "/v1/chat/completions",
                                {{"model", "tiny-mm"}, {"max_tokens", 2},
                                 {"messages", {{{"role", "user"}, {"content", {{{"type", "text"}, {"text", "Listen."}},
                                                                              {{"type", "input_audio"}, {"input_audio", {{"data", audio}, {"format", "wav"}}}},
                                                                              {{"type", "image_url"}, {"image_url", {{"url", "data:image/jpeg;base64," + image}}}}}}}}}});
  EXPECT_GT(openai["usage"]["prompt_tokens"].get<int>(), 130 + 34);

  // Without a projector the same request is refused, and so is data that is neither image nor audio.
  json plain = chat_request(model_path(), "x", 1, false);
  plain["messages"][0]["images"] = {image};
  EXPECT_NE(post_json(client, "/api/chat", plain, 400)["error"].get<std::string>().find("does not support image input"), std::string::npos);
  request["messages"][0]["images"] = {base64("just some text")};
  post_json(client, "/api/chat", request, 400);
  request["messages"][0]["images"] = {"***not base64***"};
  post_json(client, "/api/chat", request, 400);
}

// The soft tokens of an image follow the request's budget: test-1.jpeg (640×488) takes 130 under the default
// maximum (560) and 63 under 70; a minimum of 140 scales it up to 154 (14×11).
TEST_F(ServerApi, ImageTokenBudgetIsPerRequestInBothApis) {
  httplib::Client client = server_->client();
  create_multimodal_model(client);
  const std::string image = base64(read_file(fixture("test-1.jpeg")));
  auto ollama_prompt_tokens = [&](const json& options) {
    json request = chat_request("tiny-mm", "What is this?", 1, false);
    request["messages"][0]["images"] = {image};
    request["options"].update(options);
    const json answer = post_json(client, "/api/chat", request);
    return answer.value("prompt_eval_count", 0) + answer.value("prompt_cache_count", 0);
  };
  const int by_default = ollama_prompt_tokens(json::object());
  EXPECT_EQ(ollama_prompt_tokens({{"image_max_tokens", 70}}), by_default - (130 - 63));
  EXPECT_EQ(ollama_prompt_tokens({{"image_min_tokens", 140}}), by_default + (154 - 130));

  const std::string data_url = "data:image/jpeg;base64," + image;
  const int openai_default = post_json(client, "/v1/chat/completions", openai_image_request(data_url))["usage"].value("prompt_tokens", 0);
  const json small = post_json(client, "/v1/chat/completions", openai_image_request(data_url, {{"image_max_tokens", 70}}));
  EXPECT_EQ(small["usage"].value("prompt_tokens", 0), openai_default - (130 - 63));

  // Values other than the trained budgets, a minimum above the maximum and wrong types are refused.
  json bad = chat_request("tiny-mm", "x", 1, false);
  bad["messages"][0]["images"] = {image};
  bad["options"]["image_max_tokens"] = 100;
  EXPECT_NE(post_json(client, "/api/chat", bad, 400).value("error", "").find("image_max_tokens must be one of 70, 140, 280, 560, 1120"),
            std::string::npos);
  bad["options"] = {{"image_max_tokens", 140}, {"image_min_tokens", 280}};
  EXPECT_NE(post_json(client, "/api/chat", bad, 400).value("error", "").find("above image_max_tokens"), std::string::npos);
  bad["options"] = {{"image_max_tokens", "many"}};
  post_json(client, "/api/chat", bad, 400);
  const json openai_bad = post_json(client, "/v1/chat/completions", openai_image_request(data_url, {{"image_min_tokens", 50}}), 400);
  EXPECT_NE(openai_bad["error"].value("message", "").find("image_min_tokens must be one of"), std::string::npos) << openai_bad;
}

// A loopback web server the test controls: /image.jpg (test-1.jpeg), /large.jpg (the same, padded past
// 200000 bytes), /text (not an image) and /slow (answers only when the host goes away).
class ImageHost {
 public:
  ImageHost() : jpeg_(read_file(fixture("test-1.jpeg"))) {
    http_.Get("/image.jpg", [this](const httplib::Request&, httplib::Response& res) { res.set_content(jpeg_, "image/jpeg"); });
    http_.Get("/large.jpg", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(jpeg_ + std::string(200000, '\0'), "image/jpeg");
    });
    http_.Get("/text", [](const httplib::Request&, httplib::Response& res) { res.set_content("hello", "text/plain"); });
    http_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mutex_);
      released_.wait_for(lock, std::chrono::seconds(30), [this] { return leaving_; });
      res.set_content(jpeg_, "image/jpeg");
    });
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    while (!http_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~ImageHost() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      leaving_ = true;
    }
    released_.notify_all();
    http_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  std::string jpeg_;
  httplib::Server http_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable released_;
  bool leaving_ = false;
};

// http(s) image_url parts are fetched only when the server allows it, within its size and time limits;
// --image-max-tokens sets the budget of requests that give none.
TEST(ServerRemoteImages, FetchedOnlyWhenAllowedAndWithinTheLimits) {
  HEARTH_REQUIRE_FIXTURES();
  ImageHost host;
  ServerProcess server({"--allow-remote-images", "--remote-image-max-bytes", "200000", "--remote-image-timeout", "0.5",
                        "--image-max-tokens", "70"});
  httplib::Client client = server.client();
  create_multimodal_model(client);
  const std::string data_url = "data:image/jpeg;base64," + base64(read_file(fixture("test-1.jpeg")));
  const int inline_tokens = post_json(client, "/v1/chat/completions", openai_image_request(data_url))["usage"].value("prompt_tokens", 0);
  const int fetched_tokens =
      post_json(client, "/v1/chat/completions", openai_image_request(host.url("/image.jpg")))["usage"].value("prompt_tokens", 0);
  EXPECT_EQ(fetched_tokens, inline_tokens);
  const json larger = post_json(client, "/v1/chat/completions", openai_image_request(data_url, {{"image_max_tokens", 560}}));
  EXPECT_EQ(larger["usage"].value("prompt_tokens", 0) - inline_tokens, 130 - 63);

  const auto refusal = [&](const std::string& url) {
    return post_json(client, "/v1/chat/completions", openai_image_request(url), 400)["error"].value("message", "");
  };
  EXPECT_NE(refusal(host.url("/large.jpg")).find("larger than this server's limit of 200000 bytes"), std::string::npos);
  EXPECT_NE(refusal(host.url("/text")).find("is not an image"), std::string::npos);
  EXPECT_NE(refusal(host.url("/slow")).find("did not arrive within this server's limit of 0.5 s"), std::string::npos);
  EXPECT_NE(refusal(host.url("/missing.jpg")).find("answered HTTP 404"), std::string::npos);

  ServerProcess closed;
  httplib::Client closed_client = closed.client();
  auto refused = closed_client.Post("/v1/chat/completions", openai_image_request(host.url("/image.jpg")).dump(), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(refused->body.find("--allow-remote-images"), std::string::npos) << refused->body;
}

// `format` / `response_format` constrain the output to the schema: even a random-weight model answers
// with JSON of the schema's shape, properties in the schema's order.
TEST_F(ServerApi, JsonSchemaOutputIsEnforced) {
  httplib::Client client = server_->client();
  const std::string schema = R"({"type":"object","properties":{"zeta":{"type":"boolean"},"alpha":{"type":"integer"}},"required":["zeta","alpha"]})";
  const std::string body = R"({"model":")" + model_path() + R"(","stream":false,"messages":[{"role":"user","content":"Answer in JSON."}],)" +
                           R"("options":{"num_predict":200,"temperature":0.7,"seed":3},"format":)" + schema + "}";
  auto res = client.Post("/api/chat", body, "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json answer = json::parse(res->body);
  const std::string content = answer["message"]["content"];
  const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(content, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << content;
  ASSERT_TRUE(parsed.is_object()) << content;
  ASSERT_EQ(parsed.size(), 2u) << content;
  EXPECT_EQ(parsed.begin().key(), "zeta") << content;
  EXPECT_TRUE(parsed["zeta"].is_boolean());
  EXPECT_TRUE(parsed["alpha"].is_number_integer());
  EXPECT_EQ(answer["done_reason"], "stop");

  const json openai = post_json(client, "/v1/chat/completions",
                                {{"model", model_path()}, {"max_tokens", 200}, {"seed", 5},
                                 {"messages", {{{"role", "user"}, {"content", "JSON please"}}}},
                                 {"response_format", {{"type", "json_schema"}, {"json_schema", {{"name", "answer"}, {"schema",
                                   {{"type", "object"}, {"properties", {{"ok", {{"type", "boolean"}}}}}, {"required", {"ok"}}}}}}}}});
  const json object = json::parse(openai["choices"][0]["message"]["content"].get<std::string>(), nullptr, false);
  ASSERT_TRUE(object.is_object()) << openai;
  EXPECT_TRUE(object["ok"].is_boolean()) << openai;
  const json refused = post_json(client, "/api/chat", {{"model", model_path()}, {"messages", {{{"role", "user"}, {"content", "x"}}}},
                                                       {"format", {{"type", "string"}, {"pattern", "^a+$"}}}}, 400);
  EXPECT_NE(refused["error"].get<std::string>().find("pattern"), std::string::npos) << refused;
}

TEST_F(ServerApi, ShutdownEndsCleanly) {
  httplib::Client client = server_->client();
  post_json(client, "/api/chat", chat_request(model_path(), "hi", 2, false));
  EXPECT_EQ(server_->stop(), 0);
}

}  // namespace
}  // namespace hearth::test
