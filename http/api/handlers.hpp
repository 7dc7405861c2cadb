#pragma once
// The route handlers, by family; http/api/route_table.cpp says which route runs which. Each runs
// after the router has checked the method, the caller and `{url_idx}`.
#include "http/api/route_table.hpp"

namespace sb {

using route_result = boost::asio::awaitable<handled>;

// The gateway's own (http/api/gateway_routes.cpp).
route_result get_health(api_context&, session_io&, client_request&);
route_result get_metrics(api_context&, session_io&, client_request&);
route_result get_upstream_health(api_context&, session_io&, client_request&);

// OpenAI-compatible connections (http/api/openai_routes.cpp).
route_result openai_models(api_context&, session_io&, client_request&);
route_result openai_chat(api_context&, session_io&, client_request&);
route_result openai_embeddings(api_context&, session_io&, client_request&);
route_result openai_completions(api_context&, session_io&, client_request&);
route_result openai_responses(api_context&, session_io&, client_request&);
route_result openai_speech(api_context&, session_io&, client_request&);
route_result openai_passthrough(api_context&, session_io&, client_request&);

// Ollama servers (http/api/ollama_routes.cpp).
route_result ollama_tags(api_context&, session_io&, client_request&);
route_result ollama_v1_models(api_context&, session_io&, client_request&);
route_result ollama_ps(api_context&, session_io&, client_request&);
route_result ollama_version(api_context&, session_io&, client_request&);
route_result ollama_chat(api_context&, session_io&, client_request&);
route_result ollama_generate(api_context&, session_io&, client_request&);
route_result ollama_embed(api_context&, session_io&, client_request&);
route_result ollama_embeddings(api_context&, session_io&, client_request&);
route_result ollama_show(api_context&, session_io&, client_request&);
route_result ollama_v1_chat(api_context&, session_io&, client_request&);
route_result ollama_v1_completions(api_context&, session_io&, client_request&);
route_result ollama_pull(api_context&, session_io&, client_request&);
route_result ollama_push(api_context&, session_io&, client_request&);
route_result ollama_create(api_context&, session_io&, client_request&);
route_result ollama_copy(api_context&, session_io&, client_request&);
route_result ollama_delete(api_context&, session_io&, client_request&);
route_result ollama_unload(api_context&, session_io&, client_request&);

// The cluster as this node sees it (http/api/cluster_routes.cpp).
route_result cluster_get(api_context&, session_io&, client_request&);

// Usage (http/api/usage_routes.cpp), limits (http/api/limit_routes.cpp).
route_result usage_report(api_context&, session_io&, client_request&);
route_result limits_list(api_context&, session_io&, client_request&);
route_result limit_put(api_context&, session_io&, client_request&);
route_result limit_delete(api_context&, session_io&, client_request&);

// Provider configuration (http/api/config_routes.cpp).
route_result openai_config(api_context&, session_io&, client_request&);
route_result openai_config_update(api_context&, session_io&, client_request&);
route_result ollama_config(api_context&, session_io&, client_request&);
route_result ollama_config_update(api_context&, session_io&, client_request&);
route_result openai_verify(api_context&, session_io&, client_request&);
route_result ollama_verify(api_context&, session_io&, client_request&);

// Accounts (http/api/auth_routes.cpp, user_routes.cpp, group_routes.cpp).
route_result auth_signin(api_context&, session_io&, client_request&);
route_result auth_signup(api_context&, session_io&, client_request&);
route_result auth_signout(api_context&, session_io&, client_request&);
route_result auth_session_user(api_context&, session_io&, client_request&);
route_result auth_add_user(api_context&, session_io&, client_request&);
route_result auth_update_password(api_context&, session_io&, client_request&);
route_result auth_api_key(api_context&, session_io&, client_request&);
route_result users_list(api_context&, session_io&, client_request&);
route_result user_get(api_context&, session_io&, client_request&);
route_result user_update(api_context&, session_io&, client_request&);
route_result user_update_role(api_context&, session_io&, client_request&);
route_result user_delete(api_context&, session_io&, client_request&);
route_result user_permissions(api_context&, session_io&, client_request&);
route_result default_permissions(api_context&, session_io&, client_request&);
route_result groups_list(api_context&, session_io&, client_request&);
route_result models_list(api_context&, session_io&, client_request&);
route_result api_models(api_context&, session_io&, client_request&);
route_result api_chat_completions(api_context&, session_io&, client_request&);
route_result api_embeddings(api_context&, session_io&, client_request&);
route_result api_chat_completed(api_context&, session_io&, client_request&);
// /api/v1/pipelines (http/api/pipelines/pipeline_admin_routes.cpp).
route_result pipelines_list(api_context&, session_io&, client_request&);
route_result pipelines_of_server(api_context&, session_io&, client_request&);
route_result pipelines_add(api_context&, session_io&, client_request&);
route_result pipelines_delete(api_context&, session_io&, client_request&);
route_result pipelines_upload(api_context&, session_io&, client_request&);
route_result pipeline_valves(api_context&, session_io&, client_request&);
route_result pipeline_valves_spec(api_context&, session_io&, client_request&);
route_result pipeline_valves_update(api_context&, session_io&, client_request&);
route_result api_models_base(api_context&, session_io&, client_request&);
route_result models_base(api_context&, session_io&, client_request&);
route_result model_create(api_context&, session_io&, client_request&);
route_result model_get(api_context&, session_io&, client_request&);
route_result model_toggle(api_context&, session_io&, client_request&);
route_result model_update(api_context&, session_io&, client_request&);
route_result model_delete(api_context&, session_io&, client_request&);
route_result group_get(api_context&, session_io&, client_request&);
route_result group_create(api_context&, session_io&, client_request&);
route_result group_update(api_context&, session_io&, client_request&);
route_result group_add_users(api_context&, session_io&, client_request&);
route_result group_remove_users(api_context&, session_io&, client_request&);
route_result group_delete(api_context&, session_io&, client_request&);

}  // namespace sb
