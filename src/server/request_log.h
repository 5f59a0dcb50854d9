#pragma once
// hearth serve's log: one JSON object per line on stderr (time, level, event, then the event's fields), so
// log shippers and `jq` can read it without parsing prose.
#include <string_view>

#include <nlohmann/json.hpp>

namespace hearth::server {

void log_event(std::string_view level, std::string_view event, const nlohmann::json& fields);

}  // namespace hearth::server
