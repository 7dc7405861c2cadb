#define CAF_SUITE pipelines
#include <caf/test/unit_test.hpp>

#include "actors/catalog_filters.hpp"
#include "http/api/pipelines/multipart_form.hpp"
#include "http/server/runtime.hpp"
#include "http/upstream/upstream_endpoint.hpp"
#include "http/upstream/upstream_url.hpp"

using namespace sb;

namespace {

std::string form(std::string_view b, std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += "--" + std::string(b) + "\r\n" + std::string(p) + "\r\n";
  return out + "--" + std::string(b) + "--\r\n";
}

}  // namespace

CAF_TEST(a form boundary is read quoted or not and only from a form) {
  CAF_CHECK_EQUAL(form_boundary("multipart/form-data; boundary=abc"), "abc");
  CAF_CHECK_EQUAL(form_boundary("Multipart/Form-Data;BOUNDARY=\"a;b c\""), "a;b c");
  CAF_CHECK_EQUAL(form_boundary("text/plain; boundary=abc"), "");
  CAF_CHECK_EQUAL(form_boundary("multipart/form-data"), "");
  CAF_CHECK_EQUAL(form_boundary("multipart/form-data; boundary=" + std::string(71, 'x')), "");
}

CAF_TEST(the parts of a form are read with their names filenames and content) {
  auto body = "preamble\r\n" +
              form("b0", {"Content-Disposition: form-data; name=\"urlIdx\"\r\n\r\n1",
                          "content-disposition: form-data; name=\"file\"; filename=\"p.py\"\r\n"
                          "Content-Type: text/x-python\r\n\r\nline1\r\nline2"});
  auto parts = read_form(body, "b0");
  CAF_REQUIRE(parts.has_value());
  CAF_REQUIRE_EQUAL(parts->size(), 2u);
  CAF_CHECK_EQUAL((*parts)[0].name, "urlIdx");
  CAF_CHECK(!(*parts)[0].filename);
  CAF_CHECK_EQUAL((*parts)[0].content, "1");
  CAF_CHECK_EQUAL((*parts)[1].filename.value_or(""), "p.py");
  CAF_CHECK_EQUAL((*parts)[1].content_type, "text/x-python");
  CAF_CHECK_EQUAL((*parts)[1].content, "line1\r\nline2");
}

CAF_TEST(a malformed form is refused whole) {
  auto good = form("b", {"Content-Disposition: form-data; name=\"a\"\r\n\r\nx"});
  CAF_CHECK(read_form(good, "b").has_value());
  CAF_CHECK(!read_form(good.substr(0, good.size() - 4), "b"));                   // no close
  CAF_CHECK(!read_form(form("b", {"no colon here\r\n\r\nx"}), "b"));             // bad header
  CAF_CHECK(!read_form(form("b", {"Content-Type: a/b\r\n\r\nx"}), "b"));         // no disposition
  CAF_CHECK(!read_form(form("b", {"Content-Disposition: form-data\r\n\r\nx"}), "b"));  // no name
  CAF_CHECK(!read_form(form("b", {"Content-Disposition: attachment; name=\"a\"\r\n\r\nx"}), "b"));
  CAF_CHECK(!read_form("", "b"));
  CAF_CHECK(!read_form(good, ""));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
  CAF_CHECK(!read_form(many + "--b--", "b"));  // more parts than any form of ours has
}

CAF_TEST(quoted parameters hold separators and escapes and nothing trails them) {
  auto parts = read_form(form("b", {"Content-Disposition: form-data; name=\"x; filename=a.py; y\"\r\n\r\nv",
                                   "Content-Disposition: form-data; name=\"f\"; filename=\"q\\\"s.py\"\r\n\r\nw"}),
                         "b");
  CAF_REQUIRE(parts.has_value());
  CAF_CHECK_EQUAL((*parts)[0].name, "x; filename=a.py; y");
  CAF_CHECK(!(*parts)[0].filename);  // not a file: the filename was inside the quoted name
  CAF_CHECK_EQUAL((*parts)[1].filename.value_or(""), "q\"s.py");
  CAF_CHECK(!read_form(form("b", {"Content-Disposition: form-data; name=\"a\"junk\r\n\r\nv"}), "b"));
  CAF_CHECK(!read_form(form("b", {"Content-Disposition: form-data; name=\"a\r\n\r\nv"}), "b"));
  CAF_CHECK(!read_form(form("b", {"Content-Disposition: form-data; name\r\n\r\nv"}), "b"));
}

CAF_TEST(a written form reads back) {
  std::string boundary;
  auto body = one_file_form("file", "x.py", "print(1)\r\n--not-the-boundary", boundary);
  auto parts = read_form(body, boundary);
  CAF_REQUIRE(parts.has_value());
  CAF_REQUIRE_EQUAL(parts->size(), 1u);
  CAF_CHECK_EQUAL((*parts)[0].name, "file");
  CAF_CHECK_EQUAL((*parts)[0].filename.value_or(""), "x.py");
  CAF_CHECK_EQUAL((*parts)[0].content, "print(1)\r\n--not-the-boundary");
}

namespace {

struct fixture {
  runtime rt{settings{}};
  std::vector<upstream_models> lists;

  upstream_models& server(int idx, std::string key, bool server_filters = false) {
    connection_spec s;
    s.key = {provider_kind::openai, idx};
    s.id = "c" + std::to_string(idx);
    s.url = "http://127.0.0.1:9/v1";
    s.api_key = secret_string(std::move(key));
    s.server_filters = server_filters;
    std::string err;
    auto target = parse_upstream_url(s.url, err);
    upstream_models m;
    m.key = s.key;
    m.endpoint = std::make_shared<upstream_endpoint>(s, *target, rt);
    lists.push_back(std::move(m));
    return lists.back();
  }
  static model_entry filter(std::string id, std::int64_t priority, std::vector<std::string> targets) {
    model_entry e;
    e.id = e.upstream_id = std::move(id);
    e.pipeline = pipeline_role::filter;
    e.filter_priority = priority;
    e.filter_targets = std::move(targets);
    return e;
  }
  filter_index build(filter_stats_registry* registry = nullptr) {
    std::vector<const upstream_models*> ptrs;
    for (auto& l : lists) ptrs.push_back(&l);
    return build_filter_index(ptrs, registry);
  }
};

std::vector<std::string> ids(const std::vector<const pipeline_filter*>& chain) {
  std::vector<std::string> out;
  for (auto* f : chain) out.push_back(f->server_level ? "(server)" : f->id);
  return out;
}

}  // namespace

CAF_TEST_FIXTURE_SCOPE(filter_index_tests, fixture)

CAF_TEST(filters run by priority then connection order for the models they name) {
  lists.reserve(4);
  server(1, "k").models = {filter("late", 5, {"m1"}), filter("all", 0, {"*"}),
                           filter("both", 2, {"m1", "m2"})};
  server(2, "k").models = {filter("also_all", 0, {"*"}), filter("star_and_more", -1, {"*", "m9"})};
  server(3, "").models = {filter("keyless", -9, {"*"})};  // skipped, as Open WebUI does
  server(4, "", true);                                     // the seed form: server level
  auto index = build();
  CAF_CHECK_EQUAL(ids(index.chain_for("m1", "m1")),
                  (std::vector<std::string>{"all", "also_all", "(server)", "both", "late"}));
  CAF_CHECK_EQUAL(ids(index.chain_for("m2", "")),
                  (std::vector<std::string>{"all", "also_all", "(server)", "both"}));
  // ["*", "m9"] is not Open WebUI's ["*"]: it names m9 (and a model called "*").
  CAF_CHECK_EQUAL(ids(index.chain_for("m9", "")),
                  (std::vector<std::string>{"star_and_more", "all", "also_all", "(server)"}));
  // A preset's id and its base model's: each filter once.
  CAF_CHECK_EQUAL(ids(index.chain_for("m2", "m1")),
                  (std::vector<std::string>{"all", "also_all", "(server)", "both", "late"}));
  CAF_CHECK(index.any_for("other", ""));
}

CAF_TEST(without a filter for every model only the named ones apply) {
  lists.reserve(1);
  server(1, "k").models = {filter("f", 0, {"m1"})};
  filter_stats_registry registry;
  auto index = build(&registry);
  CAF_CHECK(index.any_for("m1", ""));
  CAF_CHECK(!index.any_for("m2", ""));
  CAF_CHECK(index.any_for("preset", "m1"));
  CAF_CHECK(index.chain_for("m2", "").empty());
  // Stats outlive a rebuild while the filter lives.
  index.filters[0].stats->calls = 7;
  auto again = build(&registry);
  CAF_CHECK_EQUAL(again.filters[0].stats->calls.load(), 7u);
  lists[0].models.clear();
  build(&registry);
  CAF_CHECK(registry.empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
