#pragma once
// The key sign-in tokens are signed with: WEBUI_SECRET_KEY when set; else one generated on the
// first start and kept in DATA_DIR/.webui_secret_key (owner-only), as Open WebUI's start script
// keeps it, so tokens outlive a restart.
#include <string>

#include "messages/secret_string.hpp"

namespace sb {

/// The key, or empty and `error` when the file cannot be read or written.
secret_string token_signing_key(const secret_string& configured, const std::string& data_dir,
                                std::string& error);

}  // namespace sb
