#include "http/api/cross_site_guard.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>

namespace sb {

namespace http = boost::beast::http;

namespace {

bool is_json(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto media = content_type.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return boost::beast::iequals(media, "application/json");
}

// "http://host:port" names the gateway itself when its authority is the Host the browser sent.
bool same_origin(std::string_view origin, std::string_view host) {
  auto parsed = boost::urls::parse_absolute_uri(origin);
  if (!parsed || host.empty()) return false;
  return boost::beast::iequals(parsed->encoded_host_and_port(), host);
}

// The Host header's name (without port) is one only this gateway answers to.
bool known_host(std::string_view host, const std::vector<std::string>& allowed) {
  if (host.starts_with('[')) return true;  // an IPv6 literal
  auto name = host.substr(0, host.rfind(':') == std::string_view::npos ? host.size() : host.rfind(':'));
  if (name.ends_with('.')) name.remove_suffix(1);  // "localhost." is localhost
  boost::system::error_code ec;
  boost::asio::ip::make_address_v4(name, ec);
  if (!ec) return true;
  if (boost::beast::iequals(name, "localhost")) return true;
  if (name.size() > 10 && boost::beast::iequals(name.substr(name.size() - 10), ".localhost"))
    return true;
  for (auto& a : allowed)
    if (boost::beast::iequals(name, a)) return true;
  return false;
}

}  // namespace

std::optional<refusal> refuse_cross_site(const client_request& req,
                                         const std::vector<std::string>& allowed_hosts) {
  // A page on another site can POST a form or text/plain without asking first; a JSON body needs
  // a CORS preflight, which the gateway never grants. A DELETE without a body has nothing to read.
  auto length = req[http::field::content_length];
  bool has_body = req.method() == http::verb::post ||
                  (!length.empty() && length != "0") ||
                  !req[http::field::transfer_encoding].empty();
  if (has_body && !is_json(req[http::field::content_type]))
    return refusal{gateway_error::unsupported_media_type,
                   "this route takes application/json only"};
  return refuse_foreign_browser(req, allowed_hosts);
}

std::optional<refusal> refuse_foreign_browser(const client_request& req,
                                              const std::vector<std::string>& allowed_hosts) {
  // One pass over the (few) fields: this runs on every POST, and each lookup by name costs a
  // walk of the field set.
  std::string_view origin, fetch_site;
  for (auto& f : req) {
    if (f.name() == http::field::origin)
      origin = f.value();
    else if (f.name() == http::field::sec_fetch_site)
      fetch_site = f.value();
  }
  if (origin.empty() && fetch_site.empty()) return std::nullopt;  // not a browser
  if (!origin.empty() && !same_origin(origin, req[http::field::host]))
    return refusal{gateway_error::forbidden,
                   "cross-origin request refused: the Origin is not this gateway"};
  if (!known_host(req[http::field::host], allowed_hosts))
    return refusal{gateway_error::forbidden,
                   "a browser must address the gateway by IP address, localhost, WEBUI_URL's "
                   "host or a name in ALLOWED_HOSTS"};
  if (boost::beast::iequals(fetch_site, "cross-site"))
    return refusal{gateway_error::forbidden, "cross-site request refused"};
  return std::nullopt;
}

}  // namespace sb
