#pragma once
// Password hashes: Argon2id with libsodium's interactive limits (about 64 MiB and tens of
// milliseconds each, on purpose), in libsodium's self-describing encoded form. Both calls block:
// run them on the password worker (http/auth/password_worker.hpp), never on an I/O thread.
#include <functional>
#include <string>
#include <string_view>

namespace sb {

/// The encoded hash of `password`; empty when memory for it could not be had.
std::string hash_password(std::string_view password);

/// hash_password(password) as a job for the password worker (made outside coroutines: g++ 12
/// mis-moves init-captures of lambdas written inside them).
std::function<std::string()> hash_password_job(std::string password);

/// Whether `password` is the one `encoded` was made from (constant time in the password).
bool password_matches(const std::string& encoded, std::string_view password);

}  // namespace sb
