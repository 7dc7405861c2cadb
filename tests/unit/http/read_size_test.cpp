#define CAF_SUITE read_size
#include <caf/test/unit_test.hpp>

#include "http/server/parse_feed.hpp"

using namespace sb;

CAF_TEST(a fresh buffer reads 4 KB and holds no more) {
  boost::beast::flat_buffer b;
  auto asked = read_size(b);
  CAF_CHECK_EQUAL(asked, 4096u);
  b.prepare(asked);
  b.commit(300);  // a small message came
  read_done(b, asked, 300);
  CAF_CHECK_EQUAL(b.capacity(), 4096u);
  b.consume(b.size());
  CAF_CHECK_EQUAL(read_size(b), 4096u);
}

CAF_TEST(reads that fill the buffer double it up to 16 KB) {
  boost::beast::flat_buffer b;
  std::size_t seen = 0;
  for (int i = 0; i < 6; ++i) {
    auto asked = read_size(b);
    b.prepare(asked);
    b.commit(asked);  // the read filled all it asked for
    read_done(b, asked, asked);
    seen = std::max(seen, asked);
    b.consume(b.size());
  }
  CAF_CHECK_EQUAL(seen, 16384u);
  CAF_CHECK_EQUAL(b.capacity(), 16384u);
  CAF_CHECK_EQUAL(read_size(b), 16384u);
}

CAF_TEST(bytes waiting for the parser leave room for the next read) {
  boost::beast::flat_buffer b;
  b.prepare(6000);
  b.commit(6000);  // a partial message larger than the least read
  auto asked = read_size(b);
  CAF_CHECK_GREATER_OR_EQUAL(asked, 4096u);
  CAF_CHECK_LESS_OR_EQUAL(asked, 16384u);
}
