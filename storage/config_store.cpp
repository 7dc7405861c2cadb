#include "storage/config_store.hpp"

#include "storage/config_records.hpp"
#include "storage/schema_v1.hpp"

namespace sb {

std::shared_ptr<record_store> open_record_store(const std::string& dir, std::string& error,
                                                const std::string& node) {
  return record_store::open(dir, {schema_v1_upgrade()}, error, node);
}

config_store::config_store(std::shared_ptr<record_store> records)
    : records_(std::move(records)) {}
config_store::~config_store() = default;

std::unique_ptr<config_store> config_store::open(const std::string& dir, std::string& error) {
  auto records = open_record_store(dir, error);
  if (!records) return nullptr;
  return std::make_unique<config_store>(std::move(records));
}

std::optional<gateway_config> config_store::load(std::string& error) {
  auto providers = records_->load(provider_kind_name, error);
  if (!error.empty()) return std::nullopt;
  auto connections = records_->load(connection_kind_name, error);
  if (!error.empty()) return std::nullopt;
  written_.clear();
  for (auto* set : {&providers, &connections})
    for (auto& r : *set)
      if (!r.deleted) written_[record_key(r.kind, r.id)] = r;
  if (providers.empty()) return std::nullopt;  // never saved
  gateway_config cfg;
  if (!config_from_records(providers, connections, cfg, error)) return std::nullopt;
  return cfg;
}

bool config_store::save(const gateway_config& cfg, std::string& error) {
  std::vector<record> batch;
  std::map<std::string, record> next;
  for (auto kind : {provider_kind::openai, provider_kind::ollama}) {
    auto version = (kind == provider_kind::openai ? cfg.openai : cfg.ollama).version;
    for (auto& r : family_records(cfg, kind, {version, node()})) {
      auto key = record_key(r.kind, r.id);
      auto was = written_.find(key);
      // A connection that did not change keeps its record (and its version); the family's own
      // record carries the family's version, so it is written whenever that moves.
      bool same = was != written_.end() && was->second.data == r.data &&
                  (r.kind == connection_kind_name || was->second.version == r.version);
      if (!same) batch.push_back(r);
      next[key] = same ? was->second : std::move(r);
    }
  }
  for (auto& [key, r] : written_)
    if (!next.count(key)) {
      // Gone: a tombstone, stamped with the newest version of this write.
      batch.push_back({r.kind, r.id, {std::max(cfg.openai.version, cfg.ollama.version), node()},
                       true, {}});
    }
  if (batch.empty()) return true;
  if (!records_->write(batch, error)) return false;
  written_ = std::move(next);
  return true;
}

}  // namespace sb
