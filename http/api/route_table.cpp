#include "http/api/route_table.hpp"

#include "http/api/handlers.hpp"

namespace sb {

namespace {

constexpr auto oa = error_dialect::openai;
constexpr auto ol = error_dialect::ollama;
constexpr auto openai = provider_kind::openai;
constexpr auto ollama = provider_kind::ollama;

// methods, pattern (and metrics label), who may call, handler, error dialect, `{url_idx}` family.
const route_def routes[] = {
    {GET, "/health", access::anyone, get_health},
    {GET, "/metrics", access::anyone, get_metrics},

    {GET, "/openai/models", access::user, openai_models, oa, openai},
    {POST, "/openai/chat/completions", access::user, openai_chat, oa, openai},
    {GET, "/openai/config", access::admin, openai_config, oa, openai},
    {POST, "/openai/config/update", access::admin_write, openai_config_update, oa, openai},

    {GET, "/ollama", access::anyone, get_health, ol, ollama},
    {GET, "/ollama/", access::anyone, get_health, ol, ollama},
};

}  // namespace

std::span<const route_def> route_table() { return routes; }

}  // namespace sb
