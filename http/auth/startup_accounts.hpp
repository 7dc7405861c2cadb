#pragma once
// The accounts a gateway starts with: those stored; with WEBUI_ADMIN_EMAIL and
// WEBUI_ADMIN_PASSWORD set and no user yet, that admin is made first (a headless install), as
// Open WebUI does. With WEBUI_AUTH=False, stored accounts other than one admin refuse the start:
// single-user mode would hand every one of them to whoever reaches the port (Open WebUI's rule).
#include <optional>
#include <string>

#include "config/settings.hpp"
#include "messages/account_types.hpp"
#include "storage/account_store.hpp"

namespace sb {

std::optional<accounts_snapshot> startup_accounts(account_store& store, const settings& s,
                                                  std::string& error);

}  // namespace sb
