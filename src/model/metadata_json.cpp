#include "model/metadata_json.h"

#include <string>
#include <type_traits>
#include <variant>

namespace hearth::model {

nlohmann::json value_to_json(const gguf::Value& value, size_t array_limit) {
  return std::visit(
      [&](const auto& data) -> nlohmann::json {
        using Held = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<Held, gguf::Array>) {
          if (data.items.size() > array_limit) {
            return {{"array", true},
                    {"element_type", std::string(gguf::value_type_name(data.element_type))},
                    {"length", data.items.size()}};
          }
          nlohmann::json items = nlohmann::json::array();
          for (const gguf::Value& item : data.items) items.push_back(value_to_json(item, array_limit));
          return items;
        } else {
          return data;
        }
      },
      value.data);
}

nlohmann::json metadata_to_json(const std::vector<gguf::KeyValue>& metadata, size_t array_limit) {
  nlohmann::json object = nlohmann::json::object();
  for (const gguf::KeyValue& entry : metadata) object[entry.key] = value_to_json(entry.value, array_limit);
  return object;
}

}  // namespace hearth::model
