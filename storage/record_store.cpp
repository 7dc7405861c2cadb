#include "storage/record_store.hpp"

#include <openssl/rand.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <filesystem>

namespace sb {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view schema_key = "meta/schema_version";
constexpr std::string_view node_key = "meta/node_id";
constexpr std::string_view feed_position_key = "meta/feed_position";
constexpr std::string_view feed_epoch_key = "meta/feed_epoch";

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

// The database holds secrets: the directory and every file in it are the owner's alone, also
// when an earlier version (or the admin) created them readable by others. New files follow the
// process umask, which main sets to 077. The data dir itself may be shared (a volume, /tmp): it
// is not changed, only reported.
void keep_to_owner(const fs::path& dir, const fs::path& db_dir) {
  std::error_code ec;
  if (auto st = fs::status(dir, ec);
      !ec && (st.permissions() & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none)
    spdlog::warn("data dir '{}' is open to other users; the database inside is kept to its owner",
                 dir.string());
  if (!fs::is_directory(db_dir, ec)) return;
  fs::permissions(db_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  for (auto& entry : fs::directory_iterator(db_dir, ec))
    if (entry.is_regular_file(ec))
      fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::replace, ec);
}

rocksdb::DB* open_db(const fs::path& db_dir, std::string& error) {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.paranoid_checks = true;
  opts.max_open_files = 64;
  opts.keep_log_file_num = 2;
  rocksdb::DB* raw = nullptr;
  auto st = rocksdb::DB::Open(opts, db_dir.string(), &raw);
  if (!st.ok()) error = "cannot open the database in '" + db_dir.string() + "': " + st.ToString();
  return raw;
}

std::optional<std::string> get(rocksdb::DB& db, std::string_view key, std::string& error) {
  std::string value;
  auto st = db.Get(rocksdb::ReadOptions(), slice(key), &value);
  if (st.IsNotFound()) return std::nullopt;
  if (!st.ok()) error = "cannot read the database: " + st.ToString();
  return st.ok() ? std::optional(std::move(value)) : std::nullopt;
}

// Brings the database to `record_store::schema`; its node id in `node`. False (and `error`)
// when it cannot.
bool upgrade(rocksdb::DB& db, const std::vector<migration>& migrations, std::string& node,
             std::string& error) {
  auto found = get(db, schema_key, error);
  if (!error.empty()) return false;
  auto stored_node = get(db, node_key, error);
  if (!error.empty()) return false;
  node = stored_node ? *stored_node : random_hex_id(16);
  int version = found ? std::atoi(found->c_str()) : record_store::schema;  // new: current
  if (found && (version < 1 || version > record_store::schema)) {
    error = "database schema version " + *found + " is not supported (this release reads 1 to " +
            std::to_string(record_store::schema) + ")";
    return false;
  }
  rocksdb::WriteBatch batch;
  raw_reader read = [&db](std::string_view key) {
    std::string ignored;
    return get(db, key, ignored);
  };
  for (int v = version; v < record_store::schema; ++v) {
    auto step = std::find_if(migrations.begin(), migrations.end(),
                             [v](const migration& m) { return m.from == v; });
    if (step == migrations.end()) {
      error = "no upgrade from database schema version " + std::to_string(v);
      return false;
    }
    migration_output out;
    if (!step->run(read, node, out, error)) return false;
    for (auto& r : out.records) batch.Put(record_key(r.kind, r.id), encode_record_value(r));
    for (auto& k : out.erase) batch.Delete(k);
    spdlog::info("database upgraded from schema {} to {} ({} records)", v, v + 1,
                 out.records.size());
  }
  if (found && version == record_store::schema && stored_node) return true;
  batch.Put(slice(schema_key), std::to_string(record_store::schema));
  batch.Put(slice(node_key), node);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (auto st = db.Write(wo, &batch); !st.ok()) {
    error = "cannot write the database: " + st.ToString();
    return false;
  }
  return true;
}

// The feed's last position; a database written before there was a feed gets one now, every
// record taking a position in key order (one batch).
std::optional<std::uint64_t> open_feed(rocksdb::DB& db, std::string& error) {
  auto stored = get(db, feed_position_key, error);
  if (!error.empty()) return std::nullopt;
  if (stored) return std::strtoull(stored->c_str(), nullptr, 10);
  rocksdb::WriteBatch batch;
  std::uint64_t seq = 0;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("r/"); it->Valid() && it->key().starts_with("r/"); it->Next()) {
    auto key = it->key().ToStringView();
    auto slash = key.find('/', 2);
    if (slash == std::string_view::npos) continue;
    auto r = decode_record_value(key.substr(2, slash - 2), key.substr(slash + 1),
                                 it->value().ToStringView());
    if (!r) continue;
    batch.Put(slice(key), encode_record_value(*r, ++seq));
    batch.Put(feed_key(seq), slice(key));
  }
  if (!it->status().ok()) {
    error = "cannot read the database: " + it->status().ToString();
    return std::nullopt;
  }
  batch.Put(slice(feed_position_key), std::to_string(seq));
  batch.Delete(slice(feed_epoch_key));  // positions renumbered: a new feed for the peers
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (auto st = db.Write(wo, &batch); !st.ok()) {
    error = "cannot write the database: " + st.ToString();
    return std::nullopt;
  }
  if (seq) spdlog::info("change feed made for {} stored records", seq);
  return seq;
}

// The feed's epoch, made once with the database's feed.
std::string feed_epoch(rocksdb::DB& db, std::string& error) {
  auto stored = get(db, feed_epoch_key, error);
  if (!error.empty()) return {};
  if (stored) return *stored;
  auto epoch = random_hex_id(16);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (auto st = db.Put(wo, slice(feed_epoch_key), epoch); !st.ok()) {
    error = "cannot write the database: " + st.ToString();
    return {};
  }
  return epoch;
}

}  // namespace

std::string random_hex_id(std::size_t hex_digits) {
  std::string bytes((hex_digits + 1) / 2, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) !=
      1)
    throw std::runtime_error("no random bytes for an id");
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  out.resize(hex_digits);
  return out;
}

std::string random_uuid() {
  auto h = random_hex_id(32);
  h[12] = '4';                                          // version 4
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];  // variant 10xx
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string record_key(std::string_view kind, std::string_view id) {
  std::string k = "r/";
  k.append(kind).append("/").append(id);
  return k;
}

std::string encode_record_value(const record& r, std::uint64_t feed_position) {
  json::object o;
  o["stamp"] = r.version.stamp;
  o["node"] = r.version.node;
  if (feed_position) o["seq"] = feed_position;
  if (r.deleted) {
    o["deleted"] = true;
  } else {
    boost::system::error_code ec;
    auto data = json::parse(r.data, ec);
    o["data"] = !ec && data.is_object() ? std::move(data) : json::object{};
  }
  return json::serialize(o);
}

std::optional<record> decode_record_value(std::string_view kind, std::string_view id,
                                          std::string_view value,
                                          std::uint64_t* feed_position) {
  boost::system::error_code ec;
  auto v = json::parse(value, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto& o = v.as_object();
  auto* stamp = o.if_contains("stamp");
  auto* node = o.if_contains("node");
  if (!stamp || !stamp->is_number() || !node || !node->is_string()) return std::nullopt;
  boost::system::error_code bad_stamp;
  auto stamp_value = stamp->to_number<std::uint64_t>(bad_stamp);
  if (bad_stamp) return std::nullopt;
  record r{std::string(kind), std::string(id), {stamp_value, std::string(node->as_string())},
           false, {}};
  if (auto* d = o.if_contains("deleted"); d && d->is_bool()) r.deleted = d->as_bool();
  if (feed_position) {
    auto* seq = o.if_contains("seq");
    boost::system::error_code bad;
    *feed_position = seq ? seq->to_number<std::uint64_t>(bad) : 0;
    if (bad) *feed_position = 0;
  }
  if (!r.deleted) {
    auto* data = o.if_contains("data");
    if (!data || !data->is_object()) return std::nullopt;
    r.data = json::serialize(*data);
  }
  return r;
}

record_store::record_store(rocksdb::DB* db, std::string node, std::uint64_t feed,
                           std::string epoch)
    : db_(db), node_(std::move(node)), feed_(feed), epoch_(std::move(epoch)) {}
record_store::~record_store() = default;

std::unique_ptr<record_store> record_store::open(const std::string& dir,
                                                 const std::vector<migration>& migrations,
                                                 std::string& error, const std::string& node) {
  std::error_code fec;
  fs::create_directories(dir, fec);
  if (fec) {
    error = "cannot create data dir '" + dir + "': " + fec.message();
    return nullptr;
  }
  auto db_dir = fs::path(dir) / "config.rocksdb";
  keep_to_owner(dir, db_dir);
  std::unique_ptr<rocksdb::DB> db(open_db(db_dir, error));
  if (!db) return nullptr;
  std::string stored_node;
  if (!upgrade(*db, migrations, stored_node, error)) return nullptr;
  if (!node.empty() && node != stored_node) {
    spdlog::info("this node was '{}' and is '{}' from now on (CLUSTER_NODE_ID)", stored_node, node);
    if (auto st = db->Put(rocksdb::WriteOptions(), slice(node_key), node); !st.ok()) {
      error = "cannot write the database: " + st.ToString();
      return nullptr;
    }
    stored_node = node;
  }
  auto feed = open_feed(*db, error);
  if (!feed) return nullptr;
  auto epoch = feed_epoch(*db, error);
  if (epoch.empty()) return nullptr;
  return std::unique_ptr<record_store>(
      new record_store(db.release(), std::move(stored_node), *feed, std::move(epoch)));
}

std::vector<record> record_store::load(std::string_view kind, std::string& error) {
  std::vector<record> out;
  auto prefix = record_key(kind, "");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto key = it->key().ToStringView();
    auto id = key.substr(prefix.size());
    auto r = decode_record_value(kind, id, it->value().ToStringView());
    if (!r) {
      error = "stored record '" + std::string(key) + "' is not in the expected shape";
      return {};
    }
    witness(r->version.stamp);
    out.push_back(std::move(*r));
  }
  if (!it->status().ok()) error = "cannot read the database: " + it->status().ToString();
  return out;
}

std::optional<record> record_store::get(std::string_view kind, std::string_view id,
                                        std::string& error) {
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions(), record_key(kind, id), &value);
  if (st.IsNotFound()) return std::nullopt;
  if (!st.ok()) {
    error = "cannot read the database: " + st.ToString();
    return std::nullopt;
  }
  auto r = decode_record_value(kind, id, value);
  if (!r) error = "stored record '" + record_key(kind, id) + "' is not in the expected shape";
  else witness(r->version.stamp);
  return r;
}

bool record_store::scan(std::string_view kind, std::string_view from, std::string_view to,
                        const std::function<bool(record&&)>& f, std::string& error) {
  auto prefix = record_key(kind, "");
  auto end = record_key(kind, to);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(record_key(kind, from)); it->Valid() && it->key().starts_with(prefix) &&
                                         it->key().compare(end) < 0;
       it->Next()) {
    auto id = it->key().ToStringView().substr(prefix.size());
    auto r = decode_record_value(kind, id, it->value().ToStringView());
    if (!r) {
      error = "stored record '" + std::string(it->key().ToStringView()) +
              "' is not in the expected shape";
      return false;
    }
    if (!f(std::move(*r))) return true;
  }
  if (!it->status().ok()) {
    error = "cannot read the database: " + it->status().ToString();
    return false;
  }
  return true;
}

record_version record_store::next_version() {
  std::lock_guard lock(clock_mutex_);
  return {clock_.tick(), node_};
}

void record_store::witness(std::uint64_t stamp) {
  std::lock_guard lock(clock_mutex_);
  clock_.witness(stamp);
}

}  // namespace sb
