// `keep_alive` as Ollama takes it: seconds or a Go duration string, negative = forever, and values too large
// for the clock (the fuzzer found 5.6e39 seconds) kept forever rather than overflowing.
#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/request_options.h"

namespace hearth::server {
namespace {

using nlohmann::json;
using std::chrono::seconds;

KeepAlive parsed(const json& value) {
  Result<KeepAlive> keep = parse_keep_alive(value);
  EXPECT_TRUE(keep) << value.dump();
  return keep ? *keep : KeepAlive{};
}

TEST(KeepAlive, SecondsAndDurations) {
  EXPECT_EQ(parsed(json()).duration, std::nullopt);
  EXPECT_FALSE(parsed(json()).forever);
  EXPECT_EQ(parsed(0).duration, seconds(0));
  EXPECT_EQ(parsed(90.7).duration, seconds(90));
  EXPECT_EQ(parsed("0").duration, seconds(0));
  EXPECT_EQ(parsed("1h30m").duration, seconds(5400));
  EXPECT_EQ(parsed("1.5s").duration, seconds(1));
  EXPECT_EQ(parsed("2500ms").duration, seconds(2));
  EXPECT_TRUE(parsed(-1).forever);
  EXPECT_TRUE(parsed("-1m").forever);
}

TEST(KeepAlive, BeyondACenturyIsForever) {
  EXPECT_TRUE(parsed(5.55555555555555555e39).forever);
  EXPECT_TRUE(parsed(1e18).forever);
  EXPECT_TRUE(parsed(std::string(400, '9') + "h").forever);  // more digits than a double holds
  EXPECT_TRUE(parsed("99999999999999999999h").forever);
  const KeepAlive year = parsed("8760h");
  EXPECT_FALSE(year.forever);
  EXPECT_EQ(year.duration, seconds(365 * 24 * 3600));
}

TEST(KeepAlive, MalformedValuesAreErrors) {
  for (const json& bad : {json("soon"), json("1d"), json("h"), json(true), json::array({1}), json::object()}) {
    EXPECT_FALSE(parse_keep_alive(bad)) << bad.dump();
  }
}

}  // namespace
}  // namespace hearth::server
