// `hearth list` (alias `ls`): the models of hearth's store and Ollama's, as `ollama list` prints them.
#include <chrono>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/human_size.h"
#include "cli/table.h"
#include "store/digest.h"
#include "store/model_store.h"

namespace hearth::cli {
namespace {

// "Less than a second ago", "5 minutes ago", "3 weeks ago", like Ollama's (go-humanize) column.
std::string time_ago(std::chrono::system_clock::time_point when) {
  const auto elapsed = std::chrono::system_clock::now() - when;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
  if (seconds < 1) return "Less than a second ago";
  struct Unit {
    long long seconds;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{365LL * 24 * 3600, "year"}, {30LL * 24 * 3600, "month"}, {7LL * 24 * 3600, "week"},
                                    {24LL * 3600, "day"},        {3600, "hour"},               {60, "minute"},
                                    {1, "second"}};
  for (const Unit& unit : kUnits) {
    if (seconds < unit.seconds) continue;
    const long long count = seconds / unit.seconds;
    if (count == 1) return std::string("1 ") + unit.name + " ago";
    return std::to_string(count) + " " + unit.name + "s ago";
  }
  return "Less than a second ago";
}

int run_list() {
  const store::ModelStore models(store::StoreConfig::from_environment());
  std::vector<std::vector<std::string>> rows = {{"NAME", "ID", "SIZE", "MODIFIED"}};
  for (const store::ListedModel& model : models.list()) {
    rows.push_back({model.name, store::short_digest(model.digest), human_size(model.size), time_ago(model.modified)});
  }
  print_table(rows);
  return 0;
}

}  // namespace

Command register_list(CLI::App& app) {
  CLI::App* list = app.add_subcommand("list", "List the models in hearth's store and Ollama's");
  list->alias("ls");
  return {list, [] { return run_list(); }};
}

}  // namespace hearth::cli
