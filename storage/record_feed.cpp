// record_store's writes and its change feed: every record put takes the next feed position, in
// the same batch, so what a peer reads from the feed is exactly what the database holds.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cinttypes>
#include <cstdio>

#include "storage/record_store.hpp"

namespace sb {

namespace {

constexpr std::string_view feed_position_key = "meta/feed_position";
constexpr std::string_view feed_prefix = "s/";

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

std::string peer_position_key(std::string_view peer) {
  std::string k = "meta/peer/";
  k.append(peer);
  return k;
}

// The key's kind and id ("r/<kind>/<id>"); false for a key of another shape.
bool split_record_key(std::string_view key, std::string_view& kind, std::string_view& id) {
  if (!key.starts_with("r/")) return false;
  auto slash = key.find('/', 2);
  if (slash == std::string_view::npos) return false;
  kind = key.substr(2, slash - 2);
  id = key.substr(slash + 1);
  return true;
}

}  // namespace

std::string feed_key(std::uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "s/%016" PRIx64, seq);
  return buf;
}

void record_store::place(rocksdb::WriteBatch& batch, const record& r, std::uint64_t seq,
                         std::map<std::string, std::uint64_t>& placed) {
  auto key = record_key(r.kind, r.id);
  std::uint64_t old = 0;
  if (auto it = placed.find(key); it != placed.end()) {
    old = it->second;
  } else {
    std::string value;
    if (db_->Get(rocksdb::ReadOptions(), key, &value).ok())
      decode_record_value(r.kind, r.id, value, &old);
  }
  if (old) batch.Delete(feed_key(old));
  batch.Put(key, encode_record_value(r, seq));
  batch.Put(feed_key(seq), key);
  placed[key] = seq;
}

bool record_store::commit(rocksdb::WriteBatch& batch, std::uint64_t feed, std::string& error) {
  batch.Put(slice(feed_position_key), std::to_string(feed));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto st = db_->Write(wo, &batch);
  if (!st.ok()) {
    error = "cannot write the database: " + st.ToString();
    return false;
  }
  bool moved = feed != feed_;
  feed_ = feed;
  if (moved && listener_) listener_(feed);
  return true;
}

bool record_store::write(const std::vector<record>& batch, std::string& error) {
  std::lock_guard lock(write_mutex_);
  rocksdb::WriteBatch wb;
  std::map<std::string, std::uint64_t> placed;
  auto seq = feed_;
  for (auto& r : batch) place(wb, r, ++seq, placed);
  for (auto& r : batch) witness(r.version.stamp);
  return commit(wb, seq, error);
}

std::optional<std::vector<record>> record_store::merge(const std::vector<record>& incoming,
                                                       std::string_view peer,
                                                       const peer_mark& mark,
                                                       std::string& error) {
  std::lock_guard lock(write_mutex_);
  rocksdb::WriteBatch wb;
  std::map<std::string, std::uint64_t> placed;
  std::map<std::string, record_version> newest;  // within this batch
  std::vector<record> stored;
  auto seq = feed_;
  for (auto& r : incoming) {
    auto key = record_key(r.kind, r.id);
    if (auto n = newest.find(key); n != newest.end() && n->second >= r.version) continue;
    if (!newest.count(key)) {
      auto held = get(r.kind, r.id, error);
      if (!error.empty()) return std::nullopt;
      if (held && held->version >= r.version) continue;
    }
    newest[key] = r.version;
    place(wb, r, ++seq, placed);
    witness(r.version.stamp);
    stored.push_back(r);
  }
  if (!peer.empty())
    wb.Put(peer_position_key(peer), mark.epoch + " " + std::to_string(mark.position));
  if (!commit(wb, seq, error)) return std::nullopt;
  return stored;
}

feed_page record_store::changes_after(std::uint64_t after, std::size_t max_records,
                                      std::string& error) {
  feed_page page;
  page.upto = after;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(feed_key(after + 1)); it->Valid() && it->key().starts_with(feed_prefix);
       it->Next()) {
    if (page.records.size() == max_records) {
      page.more = true;
      break;
    }
    auto seq = std::strtoull(it->key().ToString().c_str() + feed_prefix.size(), nullptr, 16);
    std::string_view kind, id;
    auto key = it->value().ToStringView();
    std::string value;
    page.upto = seq;
    if (!split_record_key(key, kind, id) ||
        !db_->Get(rocksdb::ReadOptions(), slice(key), &value).ok())
      continue;  // erased since (usage past its retention)
    std::uint64_t at = 0;
    auto r = decode_record_value(kind, id, value, &at);
    if (r && at == seq) page.records.push_back(std::move(*r));
  }
  if (!it->status().ok()) error = "cannot read the database: " + it->status().ToString();
  return page;
}

std::uint64_t record_store::feed_position() const {
  std::lock_guard lock(write_mutex_);
  return feed_;
}

peer_mark record_store::peer_position(std::string_view peer, std::string& error) {
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions(), peer_position_key(peer), &value);
  if (st.IsNotFound()) return {};
  if (!st.ok()) {
    error = "cannot read the database: " + st.ToString();
    return {};
  }
  auto space = value.find(' ');
  if (space == std::string::npos) return {};
  return {value.substr(0, space), std::strtoull(value.c_str() + space + 1, nullptr, 10)};
}

std::vector<std::string> record_store::known_peers(std::string& error) {
  std::vector<std::string> out;
  auto prefix = peer_position_key("");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    out.push_back(it->key().ToString().substr(prefix.size()));
  if (!it->status().ok()) error = "cannot read the database: " + it->status().ToString();
  return out;
}

bool record_store::erase_range(std::string_view kind, std::string_view from, std::string_view to,
                               std::string& error) {
  std::lock_guard lock(write_mutex_);
  rocksdb::WriteBatch wb;
  // Their feed positions go with them.
  auto prefix = record_key(kind, "");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  auto end = record_key(kind, to);
  for (it->Seek(record_key(kind, from));
       it->Valid() && it->key().starts_with(prefix) && it->key().compare(end) < 0; it->Next()) {
    std::uint64_t seq = 0;
    auto id = it->key().ToStringView().substr(prefix.size());
    if (decode_record_value(kind, id, it->value().ToStringView(), &seq) && seq)
      wb.Delete(feed_key(seq));
  }
  wb.DeleteRange(record_key(kind, from), record_key(kind, to));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto st = db_->Write(wo, &wb);
  if (!st.ok()) error = "cannot write the database: " + st.ToString();
  return st.ok();
}

}  // namespace sb
