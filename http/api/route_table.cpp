#include "http/api/route_table.hpp"

#include "http/api/handlers.hpp"

namespace sb {

namespace {

constexpr auto oa = error_dialect::openai;
constexpr auto ol = error_dialect::ollama;
constexpr auto openai = provider_kind::openai;
constexpr auto ollama = provider_kind::ollama;

bool passthrough_enabled(const settings& s) { return s.openai_passthrough; }

// methods, pattern (and metrics label), who may call, handler, error dialect, `{url_idx}` family.
const route_def routes[] = {
    {GET, "/health", access::anyone, get_health},
    {GET, "/metrics", access::metrics, get_metrics},
    {GET, "/gateway/upstreams", access::admin, get_upstream_health},

    // Accounts, as Open WebUI's /api/v1/auths, /users and /groups.
    {POST, "/api/v1/auths/signin", access::anyone, auth_signin},
    {POST, "/api/v1/auths/signup", access::anyone, auth_signup},
    {GET | POST, "/api/v1/auths/signout", access::anyone, auth_signout},
    {GET, "/api/v1/auths/", access::signed_in, auth_session_user},
    {POST, "/api/v1/auths/add", access::admin_write, auth_add_user},
    {POST, "/api/v1/auths/update/password", access::signed_in, auth_update_password},
    {GET | POST | DELETE, "/api/v1/auths/api_key", access::user, auth_api_key},
    {GET, "/api/v1/users/", access::admin, users_list},
    {GET, "/api/v1/users/permissions", access::user, user_permissions},
    {GET, "/api/v1/users/default/permissions", access::admin, default_permissions},
    {POST, "/api/v1/users/default/permissions", access::admin_write, default_permissions},
    {POST, "/api/v1/users/update/role", access::admin_write, user_update_role},
    {GET, "/api/v1/users/{id}", access::admin, user_get},
    {DELETE, "/api/v1/users/{id}", access::admin_write, user_delete},
    {POST, "/api/v1/users/{id}/update", access::admin_write, user_update},
    {GET, "/api/v1/groups/", access::user, groups_list},
    {POST, "/api/v1/groups/create", access::admin_write, group_create},
    {GET, "/api/v1/groups/id/{id}", access::admin, group_get},
    {POST, "/api/v1/groups/id/{id}/update", access::admin_write, group_update},
    {POST, "/api/v1/groups/id/{id}/users/add", access::admin_write, group_add_users},
    {POST, "/api/v1/groups/id/{id}/users/remove", access::admin_write, group_remove_users},
    {DELETE, "/api/v1/groups/id/{id}/delete", access::admin_write, group_delete},
    // The unified API over every provider (http/api/unified_models.hpp).
    {GET, "/api/models", access::user, api_models},
    {GET, "/api/models/base", access::admin, api_models_base},
    {POST, "/api/chat/completions", access::user, api_chat_completions, oa, openai,
     by_model | presets_openai | unified | inlet | admit},
    {POST, "/api/v1/chat/completions", access::user, api_chat_completions, oa, openai,
     by_model | presets_openai | unified | inlet | admit},
    {POST, "/api/chat/completed", access::user, api_chat_completed},
    {POST, "/api/embeddings", access::user, api_embeddings, oa, openai, by_model | unified | admit | no_output},
    {POST, "/api/v1/embeddings", access::user, api_embeddings, oa, openai, by_model | unified | admit | no_output},
    // The cluster's members (http/api/cluster_routes.cpp).
    {GET, "/api/v1/cluster", access::admin, cluster_get},
    // Usage, rolled up by the usage actor (http/api/usage_routes.cpp).
    {GET, "/api/v1/usage", access::user, usage_report},
    // Limits and budgets, kept by the limits actor (http/api/limit_routes.cpp).
    {GET, "/api/v1/limits/", access::admin, limits_list},
    {PUT, "/api/v1/limits/{path}", access::admin_write, limit_put},
    {DELETE, "/api/v1/limits/{path}", access::admin_write, limit_delete},
    // Custom models (the workspace), as Open WebUI's /api/v1/models; ids in the query.
    {GET, "/api/v1/models/", access::user, models_list},
    {GET, "/api/v1/models/base", access::admin, models_base},
    {POST, "/api/v1/models/create", access::user, model_create},
    {GET, "/api/v1/models/model", access::user, model_get},
    {POST, "/api/v1/models/model/toggle", access::user, model_toggle},
    {POST, "/api/v1/models/model/update", access::user, model_update},
    {DELETE, "/api/v1/models/model/delete", access::user, model_delete},

    // Pipelines servers (Open WebUI's /api/v1/pipelines): admin only.
    {GET, "/api/v1/pipelines/list", access::admin, pipelines_list},
    {GET, "/api/v1/pipelines/", access::admin, pipelines_of_server},
    {POST, "/api/v1/pipelines/add", access::admin_write, pipelines_add},
    // A multipart form, so not JSON-only: a browser's request must still come from no foreign
    // site (the POST check every admin route gets).
    {POST, "/api/v1/pipelines/upload", access::admin, pipelines_upload},
    {DELETE, "/api/v1/pipelines/delete", access::admin_write, pipelines_delete},
    {GET, "/api/v1/pipelines/{id}/valves", access::admin, pipeline_valves},
    {GET, "/api/v1/pipelines/{id}/valves/spec", access::admin, pipeline_valves_spec},
    {POST, "/api/v1/pipelines/{id}/valves/update", access::admin_write, pipeline_valves_update},

    {GET, "/openai/models", access::user, openai_models, oa, openai},
    {GET, "/openai/models/{url_idx}", access::user, openai_models, oa, openai},
    {POST, "/openai/chat/completions", access::user, openai_chat, oa, openai, by_model | presets_openai | admit},
    {POST, "/openai/embeddings", access::user, openai_embeddings, oa, openai, by_model | admit | no_output},
    {POST, "/openai/completions", access::user, openai_completions, oa, openai, by_model | admit},
    {POST, "/openai/responses", access::user, openai_responses, oa, openai, by_model | admit},
    {POST, "/openai/audio/speech", access::user, openai_speech, oa, openai, by_model | admit | no_output},
    {GET, "/openai/config", access::admin, openai_config, oa, openai},
    {POST, "/openai/config/update", access::admin_write, openai_config_update, oa, openai},
    {POST, "/openai/verify", access::admin_write, openai_verify, oa, openai},
    // Open WebUI's deprecated raw passthrough to connection 0, only when enabled; every route
    // above is matched first.
    {GET | POST | PUT | DELETE, "/openai/{path}", access::user, openai_passthrough, oa, openai,
     admit, passthrough_enabled},

    {GET, "/ollama", access::anyone, get_health, ol, ollama},
    {GET, "/ollama/", access::anyone, get_health, ol, ollama},
    {GET, "/ollama/config", access::admin, ollama_config, ol, ollama},
    {POST, "/ollama/config/update", access::admin_write, ollama_config_update, ol, ollama},
    {POST, "/ollama/verify", access::admin_write, ollama_verify, ol, ollama},
    {GET, "/ollama/api/tags", access::user, ollama_tags, ol, ollama},
    {GET, "/ollama/api/tags/{url_idx}", access::user, ollama_tags, ol, ollama},
    {GET, "/ollama/api/ps", access::admin, ollama_ps, ol, ollama},
    {GET, "/ollama/api/version", access::anyone, ollama_version, ol, ollama},
    {GET, "/ollama/api/version/{url_idx}", access::anyone, ollama_version, ol, ollama},
    {POST, "/ollama/api/chat", access::user, ollama_chat, ol, ollama, by_model | presets_ollama | admit},
    {POST, "/ollama/api/chat/{url_idx}", access::user, ollama_chat, ol, ollama, by_model | presets_ollama | admit},
    {POST, "/ollama/api/generate", access::user, ollama_generate, ol, ollama, by_model | admit},
    {POST, "/ollama/api/generate/{url_idx}", access::user, ollama_generate, ol, ollama, by_model | admit},
    {POST, "/ollama/api/embed", access::user, ollama_embed, ol, ollama, by_model | admit | no_output},
    {POST, "/ollama/api/embed/{url_idx}", access::user, ollama_embed, ol, ollama, by_model | admit | no_output},
    {POST, "/ollama/api/embeddings", access::user, ollama_embeddings, ol, ollama, by_model | admit | no_output},
    {POST, "/ollama/api/embeddings/{url_idx}", access::user, ollama_embeddings, ol, ollama, by_model | admit | no_output},
    {POST, "/ollama/api/show", access::user, ollama_show, ol, ollama, by_model},
    {POST, "/ollama/api/show/{url_idx}", access::user, ollama_show, ol, ollama, by_model},
    {POST, "/ollama/v1/chat/completions", access::user, ollama_v1_chat, ol, ollama, by_model | presets_openai | admit},
    {POST, "/ollama/v1/chat/completions/{url_idx}", access::user, ollama_v1_chat, ol, ollama, by_model | presets_openai | admit},
    {POST, "/ollama/v1/completions", access::user, ollama_v1_completions, ol, ollama, by_model | admit},
    {POST, "/ollama/v1/completions/{url_idx}", access::user, ollama_v1_completions, ol, ollama, by_model | admit},
    {GET, "/ollama/v1/models", access::user, ollama_v1_models, ol, ollama},
    {GET, "/ollama/v1/models/{url_idx}", access::user, ollama_v1_models, ol, ollama},
    // Management: Ollama has no auth of its own here, so the gateway is the only guard. Push
    // answers POST (Ollama's own clients) and DELETE (Open WebUI's front end, sic).
    {POST, "/ollama/api/pull", access::admin_write, ollama_pull, ol, ollama},
    {POST, "/ollama/api/pull/{url_idx}", access::admin_write, ollama_pull, ol, ollama},
    {POST | DELETE, "/ollama/api/push", access::admin_write, ollama_push, ol, ollama, by_model},
    {POST | DELETE, "/ollama/api/push/{url_idx}", access::admin_write, ollama_push, ol, ollama, by_model},
    {POST, "/ollama/api/create", access::admin_write, ollama_create, ol, ollama},
    {POST, "/ollama/api/create/{url_idx}", access::admin_write, ollama_create, ol, ollama},
    {POST, "/ollama/api/copy", access::admin_write, ollama_copy, ol, ollama},
    {POST, "/ollama/api/copy/{url_idx}", access::admin_write, ollama_copy, ol, ollama},
    {DELETE, "/ollama/api/delete", access::admin_write, ollama_delete, ol, ollama},
    {DELETE, "/ollama/api/delete/{url_idx}", access::admin_write, ollama_delete, ol, ollama},
    {POST, "/ollama/api/unload", access::admin_write, ollama_unload, ol, ollama},
    {POST, "/ollama/api/unload/{url_idx}", access::admin_write, ollama_unload, ol, ollama},
};

}  // namespace

std::span<const route_def> route_table() { return routes; }

}  // namespace sb
